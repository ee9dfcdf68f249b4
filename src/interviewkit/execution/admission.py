"""Admission: how many runs may be in flight, server-wide and per session or API key.

Runs are CPU-bound, so at most ``exec_workers`` run at once and at most
``exec_queue_size`` more wait; beyond that a request is refused at once with 429 and
``Retry-After`` instead of joining an unbounded backlog. ``Retry-After`` is an estimate
of when the backlog will have drained: the runs waiting beyond the workers times the
recent mean run time, shared by the workers, rounded up, at least one second.
"""

from __future__ import annotations

import math
import threading

from interviewkit.errors import ProblemError


class Admission:
    """Counts runs in flight (running or waiting); refuses the one beyond capacity.

    Beyond the server-wide capacity, one session (a candidate clicking Run) and one API key
    may hold only a few of the slots, so nobody can take the whole queue from the others.
    """

    RECENT_WEIGHT = 0.2
    """How much the newest run moves the mean run time (an exponential moving average)."""

    def __init__(self, workers: int, queue: int, *, per_session: int = 0, per_key: int = 0) -> None:
        self.capacity = workers + queue
        self.workers = workers
        self.per_session = per_session
        self.per_key = per_key
        self.in_flight = 0
        self.mean_run_s = 0.0
        """Recent mean time of one run on a worker (0 until a run finished)."""
        self._by_owner: dict[tuple[str, str], int] = {}
        self._lock = threading.Lock()

    def ran(self, seconds: float) -> None:
        """A run spent ``seconds`` on a worker: the mean that Retry-After is based on."""
        with self._lock:
            if self.mean_run_s == 0.0:
                self.mean_run_s = seconds
            else:
                weight = self.RECENT_WEIGHT
                self.mean_run_s = (1 - weight) * self.mean_run_s + weight * seconds

    def retry_after(self) -> int:
        """Seconds until the runs waiting now have likely started: ceil(waiting x mean run
        time / workers), at least 1 (the caller holds the lock)."""
        waiting = max(1, self.in_flight - self.workers + 1)
        return max(1, math.ceil(waiting * self.mean_run_s / self.workers))

    def _owners(self, session_id: str | None, key_id: str | None) -> list[tuple[str, str, int]]:
        owners = []
        if session_id is not None and self.per_session:
            owners.append(("session", session_id, self.per_session))
        if key_id is not None and self.per_key:
            owners.append(("key", key_id, self.per_key))
        return owners

    def enter(self, session_id: str | None = None, key_id: str | None = None) -> None:
        with self._lock:
            if self.in_flight >= self.capacity:
                raise ProblemError(
                    429,
                    "execution_queue_full",
                    f"{self.in_flight} runs are already running or waiting; try again shortly",
                    headers={"Retry-After": str(self.retry_after())},
                )
            owners = self._owners(session_id, key_id)
            for scope, owner, cap in owners:
                if self._by_owner.get((scope, owner), 0) >= cap:
                    raise ProblemError(
                        429,
                        "too_many_runs",
                        f"this {'session' if scope == 'session' else 'API key'} already has "
                        f"{cap} runs running or waiting; wait for one to finish",
                        headers={"Retry-After": str(self.retry_after())},
                        scope=scope,
                    )
            self.in_flight += 1
            for scope, owner, _ in owners:
                self._by_owner[(scope, owner)] = self._by_owner.get((scope, owner), 0) + 1

    def leave(self, session_id: str | None = None, key_id: str | None = None) -> None:
        with self._lock:
            self.in_flight -= 1
            for scope, owner, _ in self._owners(session_id, key_id):
                left = self._by_owner.get((scope, owner), 0) - 1
                if left > 0:
                    self._by_owner[(scope, owner)] = left
                else:
                    self._by_owner.pop((scope, owner), None)
