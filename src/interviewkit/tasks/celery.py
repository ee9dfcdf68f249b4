"""The Celery backend: jobs sent over Redis to ``interviewkit worker`` processes.

One Celery task (``interviewkit.tasks.run``) carries every job as ``(job_id, kind,
payload)`` and dispatches by kind to the handler registered in the worker process (the
worker builds the same Container as the server, which registers every handler).

Delivery (Redis transport, ``acks_late``): a message is acknowledged only after its
handler returned, so a worker killed mid-job leaves it unacknowledged and Redis hands it
to a worker again once ``celery_visibility_timeout_s`` has passed (kombu's periodic
restore). The same timeout bounds how long a job may run: a job still running after it
is delivered a second time. A retry is a new message with a countdown, which a worker
holds unacknowledged until due, so retry delays must stay below the timeout too
(``task_retry_max_s`` 300 s < 3600 s by default).

Job state lives in a Redis hash per job (``info``), written by the sender (queued) and by
the worker (running, attempts, retries, the outcome); attempts are counted when a
delivery starts, so a lost worker counts like a failure and a job that kills its workers
``task_max_attempts`` times is given up.

Limits, on purpose: the dedupe key is a Redis ``SET NX`` with a TTL (a day), taken at
enqueue and released on rollback or when the job finishes; and with ``db=`` the message
is sent after the caller's commit, so a broker that is down at that instant loses the
job (logged) — the database backend has no such window.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import redis
from celery import Celery
from sqlalchemy.orm import Session

from interviewkit.config import Settings
from interviewkit.storage.port import PortCheck
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
    UnknownTaskKind,
)

log = logging.getLogger(__name__)

TASK_NAME = "interviewkit.tasks.run"
DEFAULT_QUEUE = "interviewkit"
KEY_TTL_S = 24 * 3600
"""How long a dedupe key outlives a sender that crashed between taking it and sending."""
FINISHED_TTL_S = 7 * 24 * 3600
"""How long a finished job's state stays readable."""
_COMPARE_AND_DELETE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


class CeleryTaskQueue:
    """The ``celery`` backend of :class:`~interviewkit.tasks.port.TaskQueue`."""

    name = "celery"

    def __init__(self, settings: Settings, *, queue_name: str = DEFAULT_QUEUE) -> None:
        self.settings = settings
        self.queue_name = queue_name
        self._handlers: dict[str, tuple[TaskHandler, GiveUpHandler | None]] = {}
        self._prefix = f"interviewkit:tasks:{queue_name}"
        self.redis = redis.Redis.from_url(
            settings.celery_broker_url, socket_connect_timeout=5, decode_responses=True
        )
        visibility = settings.celery_visibility_timeout_s
        self.app = Celery(f"interviewkit-{queue_name}", broker=settings.celery_broker_url)
        self.app.conf.update(
            task_default_queue=queue_name,
            task_acks_late=True,
            task_reject_on_worker_lost=True,
            worker_prefetch_multiplier=1,
            task_ignore_result=True,
            task_serializer="json",
            accept_content=["json"],
            broker_connection_retry_on_startup=True,
            worker_hijack_root_logger=False,
            broker_transport_options={
                "visibility_timeout": visibility,
                # look for lost messages a few times per timeout, not every 100 s
                "unacked_restore_interval": max(1, min(10, visibility // 3)),
                "unacked_restore_throttle": 1,
            },
        )
        queue = self

        @self.app.task(name=TASK_NAME, bind=True, shared=False)  # type: ignore[untyped-decorator]
        def run(task: Any, job_id: str, kind: str, payload: dict[str, Any]) -> None:
            queue._execute(task, job_id, kind, payload)

        self._task = run

    # ---- the port -------------------------------------------------------------------------

    def register(
        self, kind: str, handler: TaskHandler, on_give_up: GiveUpHandler | None = None
    ) -> None:
        self._handlers[kind] = (handler, on_give_up)

    def enqueue(
        self, kind: str, payload: Payload, *, key: str | None = None, db: Session | None = None
    ) -> str:
        data = checked_payload(payload)
        job_id = new_job_id()
        if key is not None:
            dedupe = self._key(key)
            if not self.redis.set(dedupe, job_id, nx=True, ex=KEY_TTL_S):
                existing = self.redis.get(dedupe)
                if existing is not None:
                    return str(existing)
                # the holder finished in between: take the key now
                self.redis.set(dedupe, job_id, ex=KEY_TTL_S)

        def send() -> None:
            self.redis.hset(
                self._job(job_id),
                mapping={
                    "kind": kind,
                    "state": JobState.queued.value,
                    "attempts": 0,
                    "key": key or "",
                    "created_at": _now().isoformat(),
                },
            )
            self._send(job_id, kind, data, countdown=None)

        def release() -> None:
            if key is not None:
                self._release_key(key, job_id)

        if db is not None:
            transaction_hooks(db, on_commit=send, on_rollback=release)
            return job_id
        try:
            send()
        except BaseException:
            release()
            raise
        return job_id

    def info(self, job_id: str) -> JobInfo | None:
        fields: dict[str, str] = self.redis.hgetall(self._job(job_id))  # type: ignore[assignment]
        if not fields:
            return None
        return JobInfo(
            id=job_id,
            kind=fields["kind"],
            state=JobState(fields["state"]),
            attempts=int(fields.get("attempts", 0)),
            last_error=fields.get("last_error") or None,
            run_after=_parse(fields.get("run_after")),
            finished_at=_parse(fields.get("finished_at")),
        )

    def start(self) -> None:
        """Nothing runs here: jobs run in ``interviewkit worker`` processes."""

    def stop(self, timeout: float = 10.0) -> None:
        """Close this queue's Redis client (no job runs here). Celery's broker pools are
        kombu's, shared by every app of the process on the same URL: they stay open."""
        self.redis.close()

    def check(self) -> PortCheck:
        started = time.perf_counter()
        try:
            self.redis.ping()
            queued = self.redis.llen(self.queue_name)
        except (redis.RedisError, OSError) as error:
            return PortCheck(
                "tasks",
                False,
                f"celery backend: the broker does not answer ({error})",
                fix="start Redis, or set INTERVIEWKIT_CELERY_BROKER_URL",
            )
        return PortCheck(
            "tasks",
            True,
            f"celery backend on queue {self.queue_name!r}: {queued} message(s) waiting "
            "(run `interviewkit worker` to process them)",
            latency_ms=(time.perf_counter() - started) * 1000,
        )

    # ---- the worker side ------------------------------------------------------------------

    def _execute(self, task: Any, job_id: str, kind: str, payload: dict[str, Any]) -> None:
        job = self._job(job_id)
        entry = self._handlers.get(kind)
        if entry is None:
            # no retry can help a worker without the code: fail it visibly
            self._give_up(job_id, payload, None, error_text(UnknownTaskKind(kind)))
            return
        handler, on_give_up = entry
        attempts = int(self.redis.hincrby(job, "attempts", 1))
        max_attempts = self.settings.task_max_attempts
        if attempts > max_attempts:  # delivered again after its workers were lost
            error = f"the worker running it was lost {attempts - 1} times"
            self._give_up(job_id, payload, on_give_up, error)
            return
        self.redis.hset(job, mapping={"state": JobState.running.value})
        try:
            handler(payload)
        except PermanentTaskError as failure:
            self._give_up(job_id, payload, on_give_up, error_text(failure))
            return
        except Exception as failure:
            error = error_text(failure)
            if attempts >= max_attempts:
                self._give_up(job_id, payload, on_give_up, error)
                return
            delay = settings_delay(self.settings, attempts)
            log.warning(
                "job %s (%s) failed, attempt %d, retry in %.1f s: %s",
                job_id,
                kind,
                attempts,
                delay,
                error,
            )
            run_after = _now() + timedelta(seconds=delay)
            self.redis.hset(
                job,
                mapping={
                    "state": JobState.queued.value,
                    "last_error": error,
                    "run_after": run_after.isoformat(),
                },
            )
            # the new message is sent before this one is acknowledged: a crash in
            # between delivers twice, never not at all
            self._send(job_id, kind, payload, countdown=delay)
            return
        self._finished(job_id, JobState.succeeded, None)

    def _give_up(
        self, job_id: str, payload: dict[str, Any], on_give_up: GiveUpHandler | None, error: str
    ) -> None:
        log.error("job %s failed for good: %s", job_id, error)
        if on_give_up is not None:
            try:
                on_give_up(payload, error)
            except Exception:
                log.exception("on_give_up of job %s failed", job_id)
        self._finished(job_id, JobState.failed, error)

    def _finished(self, job_id: str, state: JobState, error: str | None) -> None:
        job = self._job(job_id)
        pipe = self.redis.pipeline()
        pipe.hset(job, mapping={"state": state.value, "finished_at": _now().isoformat()})
        if error is not None:
            pipe.hset(job, "last_error", error)
        pipe.expire(job, FINISHED_TTL_S)
        pipe.hget(job, "key")
        key = pipe.execute()[-1]
        if key:
            self._release_key(key, job_id)

    # ---- helpers --------------------------------------------------------------------------

    def _send(
        self, job_id: str, kind: str, payload: dict[str, Any], countdown: float | None
    ) -> None:
        self._task.apply_async(
            args=(job_id, kind, payload),
            task_id=job_id,
            queue=self.queue_name,
            countdown=countdown,
        )

    def _release_key(self, key: str, job_id: str) -> None:
        """Delete the dedupe key if ``job_id`` still holds it (compare and delete)."""
        self.redis.eval(_COMPARE_AND_DELETE, 1, self._key(key), job_id)

    def _job(self, job_id: str) -> str:
        return f"{self._prefix}:job:{job_id}"

    def _key(self, key: str) -> str:
        return f"{self._prefix}:key:{key}"


def run_worker(
    queue: CeleryTaskQueue, concurrency: int = 1, *, pool: str = "threads", loglevel: str = "INFO"
) -> int:
    """Run a Celery worker for ``queue`` in this process until it is told to stop.

    For ``interviewkit worker``: build the Container first (it registers the handlers),
    then call this. The ``threads`` pool by default: handlers share the Container's
    database pool and loaded models, which a forking pool would copy with open
    connections; the heavy work (ffmpeg, OpenCV, Whisper) releases the GIL anyway.
    Returns the worker's exit code.
    """
    worker = queue.app.Worker(
        concurrency=concurrency,
        pool=pool,
        queues=[queue.queue_name],
        loglevel=loglevel,
        hostname=f"interviewkit-{os.getpid()}@{socket.gethostname()}",
        without_mingle=True,
        without_gossip=True,
    )
    worker.start()
    return int(worker.exitcode or 0)


def _now() -> datetime:
    return datetime.now(UTC)


def _parse(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None
