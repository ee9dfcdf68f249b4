"""The database task backend: jobs are rows, run by worker threads of this process.

Why the database: it is already there, durable and transactional, so a job can be part
of the transaction of the request that created it (``enqueue(..., db=session)``) and no
acknowledged request ever loses its job. Scale-out deployments use Celery instead.

How a job runs:

1. **Claim.** A worker selects one due job of a kind this process handles (queued with
   ``run_after`` passed, or running with a lease that has expired) and takes it with a
   conditional UPDATE that sets ``running``, a lease (owner, expiry) and one more attempt.
   PostgreSQL skips rows other workers hold (``FOR UPDATE SKIP LOCKED``); on SQLite the
   write transaction itself is exclusive (``BEGIN IMMEDIATE``), so select-then-update is
   atomic across threads and processes alike.
2. **Heartbeat.** While the handler runs, a thread renews the lease every
   ``task_heartbeat_s``; a process that dies stops renewing, its lease runs out after
   ``task_lease_s`` and another worker claims the job again (at-least-once delivery).
3. **Finish.** Success marks the job succeeded; an exception schedules a retry after a
   jittered exponential delay (:mod:`interviewkit.tasks.policy`) until
   ``task_max_attempts``; then, or at once for :class:`PermanentTaskError`, the job's
   ``on_give_up`` runs and it is marked failed. Every finishing UPDATE is conditional on
   the lease owner, so a worker whose lease was taken over cannot overwrite the outcome.

A worker wakes at once when this process enqueues (an Event set on commit) and polls the
table every ``task_poll_s`` otherwise (jobs enqueued by other processes, retries due).
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, and_, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from interviewkit.config import Settings
from interviewkit.db import read_session, run_write, utcnow
from interviewkit.storage.port import PortCheck
from interviewkit.tasks.models import TaskJob
from interviewkit.tasks.policy import (
    checked_payload,
    error_text,
    new_job_id,
    settings_delay,
    transaction_hooks,
)
from interviewkit.tasks.port import (
    GiveUpHandler,
    JobInfo,
    JobState,
    Payload,
    PermanentTaskError,
    TaskHandler,
)

log = logging.getLogger(__name__)

QUEUED, RUNNING = JobState.queued.value, JobState.running.value
SUCCEEDED, FAILED = JobState.succeeded.value, JobState.failed.value


@dataclass(frozen=True)
class _Claimed:
    """A job this worker holds the lease of."""

    id: str
    kind: str
    payload: dict[str, Any]
    attempts: int
    lost: str | None = None
    """Set when the job was claimed only to give it up: its workers were lost (lease
    expired) as many times as it may be attempted."""


class DatabaseTaskQueue:
    """The ``database`` backend of :class:`~interviewkit.tasks.port.TaskQueue`."""

    name = "database"

    def __init__(
        self,
        factory: sessionmaker[Session],
        settings: Settings,
        *,
        workers: int | None = None,
    ) -> None:
        self.factory = factory
        self.settings = settings
        self.workers = settings.task_workers if workers is None else workers
        self._handlers: dict[str, tuple[TaskHandler, GiveUpHandler | None]] = {}
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []
        self._lifecycle = threading.Lock()
        self._identity = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"

    # ---- the port -------------------------------------------------------------------------

    def register(
        self, kind: str, handler: TaskHandler, on_give_up: GiveUpHandler | None = None
    ) -> None:
        self._handlers[kind] = (handler, on_give_up)

    def enqueue(
        self, kind: str, payload: Payload, *, key: str | None = None, db: Session | None = None
    ) -> str:
        data = checked_payload(payload)
        if db is not None:
            job_id = self._insert(db, kind, data, key)
            transaction_hooks(db, on_commit=self._wake.set)
            return job_id
        job_id = run_write(self.factory, lambda session: self._insert(session, kind, data, key))
        self._wake.set()
        return job_id

    def info(self, job_id: str) -> JobInfo | None:
        with read_session(self.factory, single_statement=True) as db:
            job = db.get(TaskJob, job_id)
            if job is None:
                return None
            return JobInfo(
                id=job.id,
                kind=job.kind,
                state=JobState(job.state),
                attempts=job.attempts,
                last_error=job.last_error,
                run_after=job.run_after,
                finished_at=job.finished_at,
            )

    def start(self) -> None:
        with self._lifecycle:
            if self._threads:
                return
            self._stopping.clear()
            for number in range(self.workers):
                thread = threading.Thread(
                    target=self._work, args=(number,), name=f"task-worker-{number}", daemon=True
                )
                self._threads.append(thread)
                thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop claiming; wait up to ``timeout`` for running jobs. A job still running
        then is left to its lease: it is claimed again once the lease runs out."""
        with self._lifecycle:
            self._stopping.set()
            self._wake.set()
            deadline = time.monotonic() + timeout
            for thread in self._threads:
                thread.join(max(0.0, deadline - time.monotonic()))
            self._threads = [thread for thread in self._threads if thread.is_alive()]

    def check(self) -> PortCheck:
        started = time.perf_counter()
        try:
            with read_session(self.factory, single_statement=True) as db:
                queued = db.scalar(
                    select(func.count()).select_from(TaskJob).where(TaskJob.state == QUEUED)
                )
        except Exception as error:
            return PortCheck(
                "tasks",
                False,
                f"database backend: the task_jobs table cannot be read ({error})",
                fix="run `interviewkit migrate`",
            )
        return PortCheck(
            "tasks",
            True,
            f"database backend: {self.workers} worker thread(s) here, {queued} job(s) queued",
            latency_ms=(time.perf_counter() - started) * 1000,
        )

    # ---- enqueue --------------------------------------------------------------------------

    @staticmethod
    def _insert(db: Session, kind: str, data: dict[str, Any], key: str | None) -> str:
        """Insert the job, or return the live job holding ``key``.

        The INSERT runs in a SAVEPOINT: a concurrent enqueue of the same key (the unique
        column) fails only the savepoint, and the caller's transaction goes on.
        """
        if key is not None:
            existing = db.scalar(select(TaskJob.id).where(TaskJob.dedupe_key == key))
            if existing is not None:
                return existing
        now = utcnow()
        job = TaskJob(
            id=new_job_id(),
            kind=kind,
            payload=data,
            dedupe_key=key,
            state=QUEUED,
            attempts=0,
            run_after=now,
            created_at=now,
        )
        if key is None:
            db.add(job)
            db.flush()
            return job.id
        try:
            with db.begin_nested():
                db.add(job)
        except IntegrityError:
            existing = db.scalar(select(TaskJob.id).where(TaskJob.dedupe_key == key))
            if existing is None:
                raise
            return existing
        return job.id

    # ---- workers --------------------------------------------------------------------------

    def _work(self, number: int) -> None:
        owner = f"{self._identity}:{number}"
        while not self._stopping.is_set():
            self._wake.clear()
            try:
                job = self._claim(owner)
            except Exception:
                log.exception("claiming a job failed")
                self._stopping.wait(self.settings.task_poll_s)
                continue
            if job is None:
                self._wake.wait(self.settings.task_poll_s)
                continue
            try:
                self._run(job, owner)
            except Exception:  # recording the outcome failed: the lease expiry retries it
                log.exception("finishing job %s failed", job.id)

    def run_one(self, owner: str | None = None) -> bool:
        """Claim and run one due job in the calling thread; False when none was due.

        For tools and tests that drive the queue without worker threads."""
        name = owner or f"{self._identity}:caller"
        job = self._claim(name)
        if job is None:
            return False
        self._run(job, name)
        return True

    def _claim(self, owner: str) -> _Claimed | None:
        kinds = list(self._handlers)
        if not kinds:
            return None
        settings = self.settings
        # an idle poll reads first: on SQLite a write transaction would take the one
        # writer lock from every request each poll period, for nothing
        with read_session(self.factory, single_statement=True) as reader:
            if reader.scalar(select(TaskJob.id).where(*_due(kinds, utcnow())).limit(1)) is None:
                return None

        def work(db: Session) -> _Claimed | None:
            now = utcnow()
            row = db.execute(
                select(
                    TaskJob.id,
                    TaskJob.kind,
                    TaskJob.payload,
                    TaskJob.state,
                    TaskJob.attempts,
                    TaskJob.lease_expires_at,
                )
                .where(*_due(kinds, now))
                .order_by(TaskJob.run_after)
                .limit(1)
                .with_for_update(skip_locked=True)
            ).first()
            if row is None:
                return None
            lost = None
            attempts = row.attempts + 1
            if row.state == RUNNING and row.attempts >= settings.task_max_attempts:
                lost = f"the worker running it was lost (lease expired) {row.attempts} times"
                attempts = row.attempts
            # conditional on what was read: on SQLite with its exclusive writer the row
            # cannot have changed, elsewhere the row lock holds it; this makes sure
            claimed = _rowcount(
                db.execute(
                    update(TaskJob)
                    .where(
                        TaskJob.id == row.id,
                        TaskJob.state == row.state,
                        TaskJob.attempts == row.attempts,
                    )
                    .values(
                        state=RUNNING,
                        attempts=attempts,
                        lease_owner=owner,
                        lease_expires_at=now + timedelta(seconds=settings.task_lease_s),
                    )
                )
            )
            if claimed != 1:
                return None
            return _Claimed(row.id, row.kind, dict(row.payload), attempts, lost)

        return run_write(self.factory, work, core=True)

    def _run(self, job: _Claimed, owner: str) -> None:
        handler, on_give_up = self._handlers[job.kind]
        heartbeat = _Heartbeat(self._renew, job.id, owner, self.settings.task_heartbeat_s)
        heartbeat.start()
        try:
            if job.lost is not None:
                error, give_up = job.lost, True
            else:
                handler(job.payload)
                error, give_up = None, False
        except PermanentTaskError as failure:
            error, give_up = error_text(failure), True
        except Exception as failure:
            error = error_text(failure)
            give_up = job.attempts >= self.settings.task_max_attempts
        finally:
            heartbeat.stop()
        if error is None:
            self._finish(job.id, owner, state=SUCCEEDED, error=None)
            return
        if not give_up:
            delay = settings_delay(self.settings, job.attempts)
            log.warning(
                "job %s (%s) failed, attempt %d, retry in %.1f s: %s",
                job.id,
                job.kind,
                job.attempts,
                delay,
                error,
            )
            self._retry(job.id, owner, error, delay)
            return
        log.error(
            "job %s (%s) failed for good after %d attempt(s): %s",
            job.id,
            job.kind,
            job.attempts,
            error,
        )
        # on_give_up before the job is marked failed: a crash in between gives up again
        # (at least once, like the job itself), never not at all
        if on_give_up is not None:
            try:
                on_give_up(job.payload, error)
            except Exception:
                log.exception("on_give_up of job %s failed", job.id)
        self._finish(job.id, owner, state=FAILED, error=error)

    def _owned(self, job_id: str, owner: str) -> Any:
        return and_(TaskJob.id == job_id, TaskJob.lease_owner == owner, TaskJob.state == RUNNING)

    def _finish(self, job_id: str, owner: str, *, state: str, error: str | None) -> None:
        values: dict[str, Any] = {
            "state": state,
            "finished_at": utcnow(),
            "dedupe_key": None,
            "lease_owner": None,
            "lease_expires_at": None,
        }
        if error is not None:
            values["last_error"] = error
        self._update_owned(job_id, owner, values)

    def _retry(self, job_id: str, owner: str, error: str, delay: float) -> None:
        self._update_owned(
            job_id,
            owner,
            {
                "state": QUEUED,
                "run_after": utcnow() + timedelta(seconds=delay),
                "last_error": error,
                "lease_owner": None,
                "lease_expires_at": None,
            },
        )

    def _renew(self, job_id: str, owner: str) -> bool:
        expires = utcnow() + timedelta(seconds=self.settings.task_lease_s)
        return self._update_owned(job_id, owner, {"lease_expires_at": expires})

    def _update_owned(self, job_id: str, owner: str, values: dict[str, Any]) -> bool:
        """Update the job if this owner still holds it; False when the lease was lost."""
        statement = update(TaskJob).where(self._owned(job_id, owner)).values(**values)
        changed = run_write(self.factory, lambda db: _rowcount(db.execute(statement)), core=True)
        if changed != 1:
            log.warning("job %s: the lease of %s was lost (taken over or finished)", job_id, owner)
        return changed == 1


class _Heartbeat:
    """Renews one job's lease every ``interval`` seconds until stopped."""

    def __init__(
        self, renew: Callable[[str, str], bool], job_id: str, owner: str, interval: float
    ) -> None:
        self._renew = renew
        self._job_id = job_id
        self._owner = owner
        self._interval = interval
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._beat, name="task-heartbeat", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopped.set()
        self._thread.join()

    def _beat(self) -> None:
        while not self._stopped.wait(self._interval):
            try:
                if not self._renew(self._job_id, self._owner):
                    return
            except Exception:
                log.exception("renewing the lease of job %s failed", self._job_id)


def _due(kinds: list[str], now: datetime) -> tuple[Any, ...]:
    """Jobs of these kinds a worker may claim now: queued and due, or with a lease that
    has run out (its worker is gone)."""
    return (
        TaskJob.kind.in_(kinds),
        or_(
            and_(TaskJob.state == QUEUED, TaskJob.run_after <= now),
            and_(TaskJob.state == RUNNING, TaskJob.lease_expires_at <= now),
        ),
    )


def _rowcount(result: Any) -> int:
    return int(cast(CursorResult[Any], result).rowcount)
