"""One bounded, thread-safe LRU cache for every in-memory cache of the server.

Several services keep recent things in memory (finished results, replayed workspaces,
archives, contents stored by reference, fresh test cases, authenticated keys, token
states). Each used to carry its own ``OrderedDict`` bookkeeping; one small class keeps the
bound and the eviction order in one tested place. Expiry stays with the callers that need
it (they store ``(expires_at, value)``), because each one measures "fresh" from its own
moment (the start of the read that produced the value), which a cache-wide TTL would not.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class LRUCache(Generic[K, V]):
    """At most ``max_entries`` values; the least recently used one leaves first.

    Safe to share between threads: every operation holds the cache's own lock. A bound of
    zero keeps nothing (every ``put`` is dropped), which turns a cache off. Values are never
    None (``get`` answers None for "not kept").
    """

    def __init__(self, max_entries: int) -> None:
        if max_entries < 0:
            raise ValueError("max_entries must be >= 0")
        self.max_entries = max_entries
        self._entries: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        """The value, now the most recently used; None when absent."""
        with self._lock:
            value = self._entries.get(key)
            if value is not None:
                self._entries.move_to_end(key)
            return value

    def put(self, key: K, value: V) -> None:
        """Store (or replace) ``value`` as the most recently used, evicting beyond the bound."""
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def pop(self, key: K) -> V | None:
        """Forget ``key`` (an invalidation); its value, or None when it was not kept."""
        with self._lock:
            return self._entries.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __contains__(self, key: object) -> bool:
        """Whether ``key`` is kept, without making it recently used."""
        with self._lock:
            return key in self._entries

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)
