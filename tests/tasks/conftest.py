"""Every task backend behind one fixture: the database backend on SQLite and PostgreSQL,
and Celery with a real worker on the machine's Redis.

``backend.queue`` enqueues and reads job state; ``backend.start(workers)`` starts the
workers (database: that many queue instances, each on its own engine, as separate
processes would be; Celery: a real worker thread with that many pool threads). Every
backend has a SQLite or PostgreSQL session factory for ``enqueue(..., db=...)``.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import redis
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from interviewkit.config import Settings
from interviewkit.db import create_db_engine, create_session_factory
from interviewkit.tasks import DatabaseTaskQueue, JobInfo, JobState, TaskQueue
from tests.conftest import make_settings
from tests.live.redis_service import require_redis
from tests.tasks.jobs import KIND, give_up, record

REPOSITORY = Path(__file__).resolve().parents[2]
TASKS_REDIS_DB = 14
"""The tasks tests' own Redis database (the broker tests use 0, the default broker 1)."""
WAIT_S = 90.0
"""How long a test waits for a job to finish before it fails (a hang, not a measurement)."""

TASK_SETTINGS: dict[str, Any] = {
    "task_poll_s": 0.05,
    "task_retry_base_s": 0.05,
    "task_retry_max_s": 0.4,
    "task_max_attempts": 3,
    "task_lease_s": 30.0,
    "task_heartbeat_s": 1.0,
}


def tasks_redis_url() -> str:
    base = require_redis()
    return base.rsplit("/", 1)[0] + f"/{TASKS_REDIS_DB}"


@dataclass
class Backend:
    name: str
    settings: Settings
    engine: Engine
    factory: sessionmaker[Session]
    queue: TaskQueue
    folder: Path
    """Where the test jobs leave their evidence."""
    make_queue: Callable[[], TaskQueue]
    stack: ExitStack = field(default_factory=ExitStack)

    @property
    def is_celery(self) -> bool:
        return self.name == "celery"

    def payload(self, tag: str, **behaviour: Any) -> dict[str, Any]:
        return {"folder": str(self.folder), "tag": tag, **behaviour}

    def start(self, workers: int = 1) -> None:
        if self.is_celery:
            from celery.contrib.testing.worker import start_worker

            self.stack.enter_context(
                start_worker(
                    self.queue.app,  # type: ignore[attr-defined]
                    pool="threads",
                    concurrency=workers,
                    perform_ping_check=False,
                    loglevel="WARNING",
                    shutdown_timeout=WAIT_S,
                )
            )
            return
        for _ in range(workers):
            engine = create_db_engine(self.settings)
            self.stack.callback(engine.dispose)
            worker = DatabaseTaskQueue(create_session_factory(engine), self.settings, workers=1)
            worker.register(KIND, record, give_up)
            worker.start()
            self.stack.callback(worker.stop, WAIT_S)

    def wait(self, job_id: str, timeout: float = WAIT_S) -> JobInfo:
        """The job's state once it has succeeded or failed (fails the test on a hang)."""
        deadline = time.monotonic() + timeout
        while True:
            info = self.queue.info(job_id)
            if info is not None and info.state in (JobState.succeeded, JobState.failed):
                return info
            if time.monotonic() > deadline:
                pytest.fail(f"job {job_id} did not finish within {timeout} s: {info}")
            time.sleep(0.02)

    def spawn_worker(self, log: Path) -> subprocess.Popen[bytes]:
        """A worker in a process of its own (tests/tasks/worker_main.py)."""
        raw = self.settings.model_dump_json(
            include={"data_dir", "secret_key", "database_url", "celery_broker_url"}
            | set(TASK_SETTINGS)
            | {"celery_visibility_timeout_s", "sqlite_synchronous"}
        )
        command = [sys.executable, "-m", "tests.tasks.worker_main", self.name_of_backend, raw]
        if self.is_celery:
            command.append(self.queue.queue_name)  # type: ignore[attr-defined]
        output = log.open("ab")
        self.stack.callback(output.close)
        process = subprocess.Popen(
            command, cwd=REPOSITORY, stdout=output, stderr=subprocess.STDOUT, env=os.environ.copy()
        )

        def reap() -> None:
            if process.poll() is None:
                process.kill()
            process.wait(30)

        self.stack.callback(reap)
        return process

    @property
    def name_of_backend(self) -> str:
        return "celery" if self.is_celery else "database"


@pytest.fixture
def task_settings() -> dict[str, Any]:
    """Override in a test to change the task settings of its backend."""
    return {}


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres), "celery"])
def backend(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    sqlite_template: Path,
    task_settings: dict[str, Any],
) -> Iterator[Backend]:
    overrides: dict[str, Any] = {**TASK_SETTINGS, **task_settings}
    if request.param == "postgres":
        url: str = request.getfixturevalue("postgres_url")
        overrides["database_url"] = url
    else:
        shutil.copy(sqlite_template, tmp_path / "interviewkit.db")
    if request.param == "celery":
        overrides["celery_broker_url"] = tasks_redis_url()
    folder = tmp_path / "evidence"
    folder.mkdir()
    settings = make_settings(tmp_path, **overrides)
    engine = create_db_engine(settings)
    factory = create_session_factory(engine)
    if request.param == "postgres":
        with engine.begin() as connection:
            connection.execute(text("DELETE FROM task_jobs"))
    queue_name = f"ik-tasks-test-{secrets.token_hex(6)}"

    def make_queue() -> TaskQueue:
        made: TaskQueue
        if request.param == "celery":
            from interviewkit.tasks.celery import CeleryTaskQueue

            made = CeleryTaskQueue(settings, queue_name=queue_name)
        else:
            made = DatabaseTaskQueue(factory, settings, workers=0)
        made.register(KIND, record, give_up)
        return made

    queue = make_queue()
    built = Backend(request.param, settings, engine, factory, queue, folder, make_queue)
    try:
        yield built
    finally:
        built.stack.close()
        queue.stop()
        if request.param == "celery":
            _forget_redis(settings.celery_broker_url, queue_name)
        engine.dispose()


def _forget_redis(url: str, queue_name: str) -> None:
    """Delete what a Celery test left in Redis (its queue, job hashes and keys)."""
    client = redis.Redis.from_url(url)
    try:
        names = [queue_name, *client.scan_iter(f"interviewkit:tasks:{queue_name}:*")]
        names += list(client.scan_iter(f"_kombu.binding.{queue_name}*"))
        client.delete(*names)
    finally:
        client.close()
