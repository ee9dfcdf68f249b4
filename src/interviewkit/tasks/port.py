"""The task port: durable background jobs with one interface for every backend.

A domain registers a handler per job kind and enqueues jobs; a backend runs them:

- ``database`` (the default): jobs are rows in the database, claimed by worker threads of
  the server process with a lease, retried with exponential backoff, and taken back by
  any worker when a lease runs out (a crashed or restarted process loses nothing);
- ``celery``: jobs are sent to Celery workers (``interviewkit worker``) over Redis, acked
  late, so a worker killed mid-job has its job redelivered.

Delivery is at least once on every backend: a handler may run again after a crash, so
every handler must be idempotent (the video pipeline stores each step's output and skips
finished steps). Every backend passes ``tests/tasks/test_contract.py``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from sqlalchemy.orm import Session

from interviewkit.storage.port import PortCheck

Payload = Mapping[str, Any]
"""A job's arguments: JSON-serialisable (it crosses processes and is stored)."""

TaskHandler = Callable[[Payload], None]
"""Runs one job. Raise :class:`PermanentTaskError` for a job that can never succeed
(retrying it is pointless); any other exception is retried with backoff."""

GiveUpHandler = Callable[[Payload, str], None]
"""Called once when a job has failed for good, with the last error: the domain marks
its own state (an answer's analysis has failed) so that people see why."""


class PermanentTaskError(Exception):
    """The job cannot succeed however often it runs (bad input): fail it now."""


class UnknownTaskKind(LookupError):
    """No handler is registered for a job's kind."""


class JobState(StrEnum):
    queued = "queued"
    running = "running"
    succeeded = "succeeded"
    failed = "failed"


@dataclass(frozen=True)
class JobInfo:
    id: str
    kind: str
    state: JobState
    attempts: int
    last_error: str | None = None
    run_after: datetime | None = None
    finished_at: datetime | None = None


class TaskQueue(Protocol):
    """Durable at-least-once jobs; see the module docstring."""

    name: str

    def register(
        self, kind: str, handler: TaskHandler, on_give_up: GiveUpHandler | None = None
    ) -> None:
        """Run ``handler`` for jobs of ``kind``; ``on_give_up`` once a job of it has failed."""
        ...

    def enqueue(
        self, kind: str, payload: Payload, *, key: str | None = None, db: Session | None = None
    ) -> str:
        """Queue a job and return its id.

        ``key`` makes the enqueue idempotent: while a job with that key is queued or
        running, enqueueing again returns that job's id instead of a second job.
        With ``db`` the job is part of the caller's transaction: it exists (and is sent,
        on a broker backend) only if that transaction commits, so an acknowledged request
        and its job cannot part ways.
        """
        ...

    def info(self, job_id: str) -> JobInfo | None: ...

    def start(self) -> None:
        """Start this process's workers, if the backend runs any here (idempotent)."""
        ...

    def stop(self, timeout: float = 10.0) -> None:
        """Stop taking jobs; wait up to ``timeout`` for running ones to finish."""
        ...

    def check(self) -> PortCheck:
        """Can jobs be queued and run (database reachable, broker reachable)?"""
        ...
