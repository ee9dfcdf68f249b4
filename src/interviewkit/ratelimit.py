"""Request rate limits per caller: token buckets kept in process memory.

A candidate's browser is untrusted code on someone else's machine; a runaway autosave
loop must not starve the other interviews on the server. Each principal (an API key, or
the session a candidate token names) gets a bucket of ``burst`` requests refilled at
``rate`` per second. With several server processes each enforces its own buckets.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

_MAX_BUCKETS = 100_000


@dataclass
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    def __init__(self, rate: float, burst: int) -> None:
        """``rate`` requests per second, ``burst`` at once; a rate of 0 means no limit."""
        self.rate = rate
        self.burst = burst
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()

    def wait_time(self, key: str) -> float:
        """Take one token for ``key``: 0 when allowed, else the seconds until one is free."""
        if self.rate <= 0:
            return 0.0
        now = time.monotonic()
        with self._lock:
            bucket = self._buckets.get(key)
            if bucket is None:
                if len(self._buckets) >= _MAX_BUCKETS:
                    self._forget_full_buckets(now)
                bucket = self._buckets[key] = _Bucket(float(self.burst), now)
            bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.updated) * self.rate)
            bucket.updated = now
            if bucket.tokens >= 1:
                bucket.tokens -= 1
                return 0.0
            return (1 - bucket.tokens) / self.rate

    def _forget_full_buckets(self, now: float) -> None:
        """Buckets that have refilled carry no state worth keeping."""
        full_after = self.burst / self.rate
        stale = [key for key, b in self._buckets.items() if now - b.updated >= full_after]
        for key in stale:
            del self._buckets[key]
        if len(self._buckets) >= _MAX_BUCKETS:
            self._buckets.clear()
