"""What only the database backend does: leases kept by heartbeats, kinds left to the
processes that handle them, a clean stop, keyed enqueues racing on the unique key."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import func, select

from interviewkit.config import Settings
from interviewkit.db import create_db_engine, create_session_factory
from interviewkit.tasks import DatabaseTaskQueue, JobState, create_task_queue
from interviewkit.tasks.models import TaskJob
from tests.conftest import make_settings
from tests.tasks.conftest import Backend
from tests.tasks.jobs import KIND, ends, give_up, lines, record, starts

DATABASES = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.mark.parametrize("backend", DATABASES, indirect=True)
@pytest.mark.parametrize("task_settings", [{"task_lease_s": 1.0, "task_heartbeat_s": 0.2}])
def test_a_job_longer_than_its_lease_keeps_it_by_heartbeat(backend: Backend) -> None:
    job_id = backend.queue.enqueue(KIND, backend.payload("long", sleep_s=3.0))
    backend.start(workers=2)
    info = backend.wait(job_id)

    assert info.state is JobState.succeeded
    assert info.attempts == 1
    assert len(starts(backend.folder, "long")) == 1
    assert lines(backend.folder / "overlaps") == []


@pytest.mark.parametrize("backend", DATABASES, indirect=True)
def test_a_kind_without_a_handler_here_is_left_queued_for_another_process(
    backend: Backend,
) -> None:
    foreign = backend.queue.enqueue("elsewhere.only", {"x": 1})
    mine = backend.queue.enqueue(KIND, backend.payload("mine"))
    backend.start()

    assert backend.wait(mine).state is JobState.succeeded
    info = backend.queue.info(foreign)
    assert info is not None
    assert info.state is JobState.queued
    assert info.attempts == 0


@pytest.mark.parametrize("backend", DATABASES, indirect=True)
def test_stop_lets_the_running_job_finish(backend: Backend) -> None:
    worker = DatabaseTaskQueue(backend.factory, backend.settings, workers=1)
    worker.register(KIND, record, give_up)
    job_id = backend.queue.enqueue(KIND, backend.payload("stopping", sleep_s=0.5))
    worker.start()
    started = backend.folder / "stopping.starts"
    while not started.exists():
        threading.Event().wait(0.01)

    worker.stop(timeout=30)

    info = backend.queue.info(job_id)
    assert info is not None
    assert info.state is JobState.succeeded
    assert len(ends(backend.folder, "stopping")) == 1


@pytest.mark.parametrize("backend", DATABASES, indirect=True)
def test_keyed_enqueues_racing_from_many_threads_make_one_job(backend: Backend) -> None:
    results: list[str] = []
    barrier = threading.Barrier(8)

    def enqueue() -> None:
        barrier.wait()
        results.append(backend.queue.enqueue(KIND, backend.payload("race"), key="race:1"))

    threads = [threading.Thread(target=enqueue) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(set(results)) == 1
    with backend.factory() as db:
        assert db.scalar(select(func.count()).select_from(TaskJob)) == 1


def test_the_factory_picks_the_backend_the_settings_name(tmp_path: Path) -> None:
    from interviewkit.tasks.celery import CeleryTaskQueue

    settings: Settings = make_settings(tmp_path)
    engine = create_db_engine(settings)
    try:
        factory = create_session_factory(engine)
        assert isinstance(create_task_queue(settings, factory), DatabaseTaskQueue)
        celery = make_settings(tmp_path, task_backend="celery")
        queue = create_task_queue(celery, factory)
        assert isinstance(queue, CeleryTaskQueue)
        queue.stop()
    finally:
        engine.dispose()


def test_check_fails_without_the_table(tmp_path: Path) -> None:
    settings: Settings = make_settings(tmp_path)  # never migrated
    engine = create_db_engine(settings)
    try:
        check = DatabaseTaskQueue(create_session_factory(engine), settings).check()
    finally:
        engine.dispose()
    assert not check.ok
    assert "migrate" in check.fix


def test_a_celery_queue_whose_broker_is_down_fails_its_check(tmp_path: Path) -> None:
    from interviewkit.tasks.celery import CeleryTaskQueue

    queue = CeleryTaskQueue(make_settings(tmp_path, celery_broker_url="redis://127.0.0.1:1/0"))
    try:
        check = queue.check()
    finally:
        queue.stop()
    assert not check.ok
    assert "broker" in check.detail
