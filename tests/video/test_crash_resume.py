"""A crash mid-pipeline resumes: the steps stored before it are not run again, and the
analysis that comes out is the one an uninterrupted run gives.

Two crashes: the handler raising after a step (the queue retries it), and a real worker
process SIGKILLed mid-job (its lease runs out and another worker takes the job).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from interviewkit.app import Container
from interviewkit.auth.service import Role
from interviewkit.config import Settings
from interviewkit.video.analysis import analyze_file
from interviewkit.video.models import VideoAnswer, VideoStep
from interviewkit.video.pipeline import DatabaseStepStore
from interviewkit.video.results import AnswerAnalysis
from tests.conftest import make_settings
from tests.video.clips import GroundTruth
from tests.video.helpers import (
    API,
    candidate,
    complete,
    create_interview,
    pipeline_of,
    queue_of,
    upload,
    wait_for,
)

QUESTION = "Tell me about a project you led."
KEYWORDS = ["project", "team"]
LEASE_S = 2.0


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {
        "task_workers": 0,
        "task_retry_base_s": 0,
        "task_lease_s": LEASE_S,
        "task_heartbeat_s": 0.5,
        "task_poll_s": 0.2,
        "llm_provider": "offline",
    }


@pytest.fixture(scope="module")
def reference(short_clip: GroundTruth, tmp_path_factory: pytest.TempPathFactory) -> AnswerAnalysis:
    """The analysis of the clip in one uninterrupted run (no database, no store)."""
    settings = make_settings(tmp_path_factory.mktemp("reference"), llm_provider="offline")
    return analyze_file(short_clip.path, question=QUESTION, keywords=KEYWORDS, settings=settings)


def submitted_answer(client: TestClient, app: FastAPI, clip: GroundTruth) -> tuple[str, str]:
    created = create_interview(client, questions=[{"text": QUESTION, "keywords": KEYWORDS}])
    cand = candidate(client, app, created["id"])
    started = upload(cand, created["id"], 0, clip.path.read_bytes())
    assert complete(cand, created["id"], 0, started["answer_id"]).status_code == 202
    return created["id"], started["answer_id"]


def stored_steps(container: Container, answer_id: str) -> set[str]:
    with container.factory() as db:
        return set(db.scalars(select(VideoStep.step).where(VideoStep.answer_id == answer_id)))


def answer_status(container: Container, answer_id: str) -> str:
    with container.factory() as db:
        answer = db.get(VideoAnswer, answer_id)
        assert answer is not None
        return answer.status


def final_analysis(client: TestClient, answer_id: str) -> AnswerAnalysis:
    record = client.get(f"{API}/records/{answer_id}").json()
    return AnswerAnalysis.model_validate(record["analysis"])


def test_a_handler_that_fails_after_a_step_resumes_from_it(
    client: TestClient,
    app: FastAPI,
    container: Container,
    short_clip: GroundTruth,
    reference: AnswerAnalysis,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _, answer_id = submitted_answer(client, app, short_clip)
    original = DatabaseStepStore.save
    crashed: list[str] = []

    def save_then_crash(self: DatabaseStepStore, step: str, *args: Any, **kwargs: Any) -> None:
        original(self, step, *args, **kwargs)
        if step == "audio" and not crashed:
            crashed.append(step)
            raise RuntimeError("the worker died right after storing the audio")

    monkeypatch.setattr(DatabaseStepStore, "save", save_then_crash)
    queue = queue_of(container)
    assert queue.run_one()
    assert crashed == ["audio"]
    assert stored_steps(container, answer_id) == {"probe", "convert", "audio"}
    assert answer_status(container, answer_id) == "processing"

    assert wait_for(lambda: queue.run_one() or answer_status(container, answer_id) == "analyzed")
    assert answer_status(container, answer_id) == "analyzed"
    resumed = pipeline_of(container).last_store
    assert resumed is not None
    assert set(resumed.saved) == {"transcribe", "video", "text", "grade", "score", "report"}
    assert final_analysis(client, answer_id) == reference


def test_a_worker_process_killed_mid_job_is_taken_over(
    client: TestClient,
    app: FastAPI,
    container: Container,
    settings: Settings,
    short_clip: GroundTruth,
    reference: AnswerAnalysis,
    tmp_path: Path,
) -> None:
    _, answer_id = submitted_answer(client, app, short_clip)
    values = {
        "data_dir": str(settings.data_dir),
        "secret_key": settings.effective_secret_key,
        "database_url": settings.database_url,
        "sqlite_synchronous": settings.sqlite_synchronous,
        "task_workers": 1,
        "task_lease_s": LEASE_S,
        "task_heartbeat_s": 0.5,
        "task_poll_s": 0.2,
        "llm_provider": "offline",
    }
    log = (tmp_path / "worker.log").open("w")
    worker = subprocess.Popen(
        [sys.executable, "-m", "tests.video.helpers", "worker", json.dumps(values)],
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=Path(__file__).resolve().parents[2],
        env=os.environ.copy(),
    )
    try:
        # killed as soon as it stored a step of its own (the probe was stored on complete)
        assert wait_for(
            lambda: len(stored_steps(container, answer_id)) >= 2 or worker.poll() is not None
        )
        assert worker.poll() is None, (tmp_path / "worker.log").read_text()
        worker.send_signal(signal.SIGKILL)
        worker.wait()
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
        log.close()
    before = stored_steps(container, answer_id)
    assert "report" not in before, "the worker finished before it was killed"
    assert answer_status(container, answer_id) == "processing"

    queue = queue_of(container)  # another worker: its lease-expired claim takes the job
    assert wait_for(lambda: queue.run_one() or answer_status(container, answer_id) == "analyzed")
    assert answer_status(container, answer_id) == "analyzed"
    resumed = pipeline_of(container).last_store
    assert resumed is not None
    assert not before & set(resumed.saved), "a stored step ran again"
    assert final_analysis(client, answer_id) == reference
    with container.factory() as db:
        steps = db.scalar(select(func.count()).where(VideoStep.answer_id == answer_id))
    assert steps == 9


def start_worker(settings: Settings, log: Path, **overrides: Any) -> subprocess.Popen[bytes]:
    """``python -m tests.video.helpers worker``: a worker process on the test's database."""
    values = {
        "data_dir": str(settings.data_dir),
        "secret_key": settings.effective_secret_key,
        "database_url": settings.database_url,
        "sqlite_synchronous": settings.sqlite_synchronous,
        "llm_provider": "offline",
        **overrides,
    }
    return subprocess.Popen(
        [sys.executable, "-m", "tests.video.helpers", "worker", json.dumps(values)],
        stdout=log.open("a"),
        stderr=subprocess.STDOUT,
        cwd=Path(__file__).resolve().parents[2],
        env=os.environ.copy(),
    )


def stop(worker: subprocess.Popen[bytes]) -> None:
    if worker.poll() is None:
        worker.kill()
        worker.wait()


@pytest.fixture
def celery_settings(settings: Settings) -> Settings:
    """The test's settings on the Celery backend, on a Redis database of the video tests."""
    from tests.live.redis_service import require_redis

    broker = require_redis().rsplit("/", 1)[0] + f"/{VIDEO_REDIS_DB}"
    return settings.model_copy(
        update={
            "task_backend": "celery",
            "celery_broker_url": broker,
            "celery_visibility_timeout_s": VISIBILITY_S,
        }
    )


VIDEO_REDIS_DB = 13
VISIBILITY_S = 3


def test_a_celery_worker_killed_mid_job_is_redelivered_and_resumes(
    celery_settings: Settings,
    short_clip: GroundTruth,
    reference: AnswerAnalysis,
    tmp_path: Path,
) -> None:
    """The Celery backend: the job is sent when the completing transaction commits, a real
    worker process runs it, is SIGKILLed after its first stored step; Redis redelivers the
    unacknowledged job to a second worker, which runs only the missing steps."""
    from interviewkit.app import create_app
    from tests.conftest import Keys

    container = Container.build(celery_settings)
    try:
        _, interviewer = container.auth.create_key("celery test", Role.interviewer)
        app = create_app(container=container)
        client = TestClient(app, raise_server_exceptions=False, headers=Keys.bearer(interviewer))
        _, answer_id = submitted_answer(client, app, short_clip)
        log = tmp_path / "workers.log"
        extra = {
            "task_backend": "celery",
            "celery_broker_url": celery_settings.celery_broker_url,
            "celery_visibility_timeout_s": VISIBILITY_S,
        }
        first = start_worker(celery_settings, log, **extra)
        try:
            assert wait_for(
                lambda: len(stored_steps(container, answer_id)) >= 2 or first.poll() is not None
            )
            assert first.poll() is None, log.read_text()
            first.send_signal(signal.SIGKILL)
            first.wait()
        finally:
            stop(first)
        before = stored_steps(container, answer_id)
        assert "report" not in before, "the worker finished before it was killed"
        with container.factory() as db:
            kept = {
                row.step: row.finished_at
                for row in db.scalars(select(VideoStep).where(VideoStep.answer_id == answer_id))
            }
        second = start_worker(celery_settings, log, **extra)
        try:
            assert wait_for(lambda: answer_status(container, answer_id) in {"analyzed", "failed"})
        finally:
            stop(second)
        assert answer_status(container, answer_id) == "analyzed", log.read_text()
        with container.factory() as db:
            after = {
                row.step: row.finished_at
                for row in db.scalars(select(VideoStep).where(VideoStep.answer_id == answer_id))
            }
        assert len(after) == 9
        assert all(after[step] == kept[step] for step in kept), "a stored step ran again"
        assert final_analysis(client, answer_id) == reference
    finally:
        container.engine.dispose()
