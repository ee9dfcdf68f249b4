"""The task port's contract, which every backend passes: the database backend on SQLite
and PostgreSQL, and Celery with a real worker on Redis.

Jobs leave their evidence in files (tests/tasks/jobs.py), so the same assertions hold
for a worker thread here and a worker in another process.
"""

from __future__ import annotations

import itertools
import os
import signal
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from interviewkit.db import run_write
from interviewkit.tasks import JobState
from interviewkit.tasks.models import TaskJob
from interviewkit.tasks.policy import retry_delay
from tests.tasks.conftest import WAIT_S, Backend
from tests.tasks.jobs import KIND, ends, gave_up, lines, received_payload, starts


def test_a_job_runs_once_and_succeeds(backend: Backend) -> None:
    job_id = backend.queue.enqueue(KIND, backend.payload("one"))
    assert job_id.startswith("job_")
    info = backend.queue.info(job_id)
    assert info is not None
    assert info.state is JobState.queued
    assert info.kind == KIND

    backend.start()
    info = backend.wait(job_id)

    assert info.state is JobState.succeeded
    assert info.attempts == 1
    assert info.finished_at is not None
    assert len(starts(backend.folder, "one")) == 1
    assert len(ends(backend.folder, "one")) == 1


def test_an_unknown_job_id_has_no_info(backend: Backend) -> None:
    assert backend.queue.info("job_doesnotexist") is None


def test_the_payload_arrives_as_sent(backend: Backend) -> None:
    extra: dict[str, Any] = {
        "answer_id": "ans_123",
        "text": 'naïve café ✓ \u00e9\n"quoted"',
        "numbers": [0, -1, 2**40, 1.5],
        "nested": {"list": [[], {}], "none": None, "flags": [True, False]},
    }
    job_id = backend.queue.enqueue(KIND, backend.payload("payload", **extra))
    backend.start()

    assert backend.wait(job_id).state is JobState.succeeded
    assert received_payload(backend.folder, "payload") == backend.payload("payload", **extra)


def test_a_payload_that_is_not_json_is_refused_at_enqueue(backend: Backend) -> None:
    with pytest.raises(ValueError, match="JSON"):
        backend.queue.enqueue(KIND, {"when": object()})


def test_enqueue_by_key_is_idempotent_while_the_job_is_live(backend: Backend) -> None:
    first = backend.queue.enqueue(KIND, backend.payload("keyed"), key="video.analyze:ans_1")
    again = backend.queue.enqueue(KIND, backend.payload("keyed"), key="video.analyze:ans_1")
    other = backend.queue.enqueue(KIND, backend.payload("other"), key="video.analyze:ans_2")
    assert again == first
    assert other != first

    backend.start()
    assert backend.wait(first).state is JobState.succeeded
    assert backend.wait(other).state is JobState.succeeded
    assert len(starts(backend.folder, "keyed")) == 1

    # once finished, the key is free: the same work can be queued again
    later = backend.queue.enqueue(KIND, backend.payload("keyed"), key="video.analyze:ans_1")
    assert later != first
    assert backend.wait(later).state is JobState.succeeded
    assert len(starts(backend.folder, "keyed")) == 2


def test_a_job_enqueued_in_a_transaction_that_rolls_back_does_not_exist(
    backend: Backend,
) -> None:
    enqueued: list[str] = []

    def work(db: Session) -> None:
        enqueued.append(
            backend.queue.enqueue(KIND, backend.payload("rolled"), key="k:rolled", db=db)
        )
        raise RuntimeError("the request failed after queueing its job")

    with pytest.raises(RuntimeError, match="request failed"):
        run_write(backend.factory, work)
    # a plain session (not run_write) that rolls back
    with backend.factory() as db:
        enqueued.append(backend.queue.enqueue(KIND, backend.payload("rolled"), db=db))
        db.rollback()

    committed = run_write(
        backend.factory,
        lambda db: backend.queue.enqueue(KIND, backend.payload("kept"), key="k:rolled", db=db),
    )
    with backend.factory() as db:
        plain = backend.queue.enqueue(KIND, backend.payload("plain"), db=db)
        db.commit()
    backend.start()

    assert backend.wait(committed).state is JobState.succeeded
    assert backend.wait(plain).state is JobState.succeeded
    assert committed not in enqueued  # the rolled-back job did not keep the key
    for job_id in enqueued:
        assert backend.queue.info(job_id) is None
    assert starts(backend.folder, "rolled") == []
    if not backend.is_celery:
        with backend.factory() as db:
            assert db.scalar(select(func.count()).select_from(TaskJob)) == 2


def test_a_failing_job_is_retried_with_backoff_until_it_succeeds(backend: Backend) -> None:
    job_id = backend.queue.enqueue(KIND, backend.payload("flaky", fail_times=2))
    backend.start()
    info = backend.wait(job_id)

    assert info.state is JobState.succeeded
    assert info.attempts == 3
    assert info.last_error is not None
    assert "planned failure 2" in info.last_error
    began = starts(backend.folder, "flaky")
    assert len(began) == 3
    assert gave_up(backend.folder, "flaky") == []
    settings = backend.settings
    for attempt, (earlier, later) in enumerate(itertools.pairwise(began), start=1):
        # jittered in [delay/2, delay]: never sooner than half the doubling delay
        least = retry_delay(attempt, settings.task_retry_base_s, settings.task_retry_max_s) / 2
        assert later - earlier >= least * 0.9


def test_a_job_that_keeps_failing_gives_up_once_with_the_last_error(backend: Backend) -> None:
    job_id = backend.queue.enqueue(KIND, backend.payload("doomed", fail_times=99))
    backend.start()
    info = backend.wait(job_id)

    max_attempts = backend.settings.task_max_attempts
    assert info.state is JobState.failed
    assert info.attempts == max_attempts
    assert len(starts(backend.folder, "doomed")) == max_attempts
    errors = gave_up(backend.folder, "doomed")
    assert len(errors) == 1
    assert f"planned failure {max_attempts} of doomed" in errors[0]
    assert info.last_error is not None
    assert f"planned failure {max_attempts}" in info.last_error


def test_a_permanent_error_fails_at_once(backend: Backend) -> None:
    job_id = backend.queue.enqueue(KIND, backend.payload("bad", permanent=True))
    backend.start()
    info = backend.wait(job_id)

    assert info.state is JobState.failed
    assert info.attempts == 1
    assert len(starts(backend.folder, "bad")) == 1
    errors = gave_up(backend.folder, "bad")
    assert len(errors) == 1
    assert "bad input in bad" in errors[0]


def test_concurrent_workers_never_run_one_job_twice(backend: Backend) -> None:
    tags = [f"many{n}" for n in range(40)]
    jobs = [backend.queue.enqueue(KIND, backend.payload(tag, sleep_s=0.01)) for tag in tags]
    backend.start(workers=2)

    for job_id in jobs:
        assert backend.wait(job_id).state is JobState.succeeded
    assert lines(backend.folder / "overlaps") == []
    for tag in tags:
        assert len(starts(backend.folder, tag)) == 1
        assert len(ends(backend.folder, tag)) == 1


CRASH_SETTINGS = {"task_lease_s": 2.0, "task_heartbeat_s": 0.5, "celery_visibility_timeout_s": 2}


def kill_mid_job(backend: Backend, tmp_path: Path, tag: str) -> str:
    """Enqueue a job whose first attempt hangs, let a worker process start it, SIGKILL
    that process, and start a second worker process; the job's id."""
    job_id = backend.queue.enqueue(KIND, backend.payload(tag, hang_first=True))
    first = backend.spawn_worker(tmp_path / "worker-1.log")
    hanging = backend.folder / f"{tag}.hanging"
    deadline = time.monotonic() + WAIT_S
    while not hanging.exists():
        assert first.poll() is None, (tmp_path / "worker-1.log").read_text()
        assert time.monotonic() < deadline, "the first worker never started the job"
        time.sleep(0.02)
    running = backend.queue.info(job_id)
    assert running is not None
    assert running.state is JobState.running

    os.kill(first.pid, signal.SIGKILL)
    first.wait(30)
    backend.spawn_worker(tmp_path / "worker-2.log")
    return job_id


@pytest.mark.parametrize("task_settings", [CRASH_SETTINGS])
def test_a_job_whose_worker_process_is_killed_is_finished_by_another(
    backend: Backend, tmp_path: Path
) -> None:
    job_id = kill_mid_job(backend, tmp_path, "crash")
    info = backend.wait(job_id)

    assert info.state is JobState.succeeded
    assert info.attempts == 2
    assert len(starts(backend.folder, "crash")) == 2
    assert len(ends(backend.folder, "crash")) == 1
    assert gave_up(backend.folder, "crash") == []


@pytest.mark.parametrize("task_settings", [{**CRASH_SETTINGS, "task_max_attempts": 1}])
def test_a_job_that_loses_its_workers_too_often_gives_up(backend: Backend, tmp_path: Path) -> None:
    """A job that kills its worker (a decoder crashing the process) must not loop forever."""
    job_id = kill_mid_job(backend, tmp_path, "killer")
    info = backend.wait(job_id)

    assert info.state is JobState.failed
    assert len(starts(backend.folder, "killer")) == 1  # not run again
    errors = gave_up(backend.folder, "killer")
    assert len(errors) == 1
    assert "lost" in errors[0]


def test_check_reports_a_working_backend(backend: Backend) -> None:
    check = backend.queue.check()
    assert check.ok, check.detail
    assert backend.queue.name in check.detail
