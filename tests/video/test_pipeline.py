"""The video.analyze job's edges: a file that stops being media fails the answer for good
(with its reason, told to the live channel), a record deleted mid-job stops the job and
leaves no object behind, and progress writes are throttled (hypothesis)."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st

from interviewkit.app import Container
from interviewkit.video import keys
from interviewkit.video.models import VideoAnswer
from interviewkit.video.pipeline import DatabaseStepStore
from interviewkit.video.progress import ProgressThrottle
from tests.conftest import assert_problem
from tests.video.clips import GroundTruth
from tests.video.helpers import API, candidate, complete, create_interview, queue_of, upload


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {"task_workers": 0, "task_retry_base_s": 0, "llm_provider": "offline"}


def submitted(
    client: TestClient, app: FastAPI, clip: GroundTruth
) -> tuple[dict[str, Any], TestClient, str]:
    created = create_interview(client)
    cand = candidate(client, app, created["id"])
    started = upload(cand, created["id"], 0, clip.path.read_bytes())
    assert complete(cand, created["id"], 0, started["answer_id"]).status_code == 202
    return created, cand, started["answer_id"]


def original_key(container: Container, answer_id: str) -> str:
    with container.factory() as db:
        answer = db.get(VideoAnswer, answer_id)
        assert answer is not None
        return answer.original_key


def test_a_file_that_is_no_longer_media_fails_the_answer_for_good(
    client: TestClient, app: FastAPI, container: Container, short_clip: GroundTruth
) -> None:
    created, cand, answer_id = submitted(client, app, short_clip)
    container.object_store.put(original_key(container, answer_id), b"overwritten by garbage")
    queue = queue_of(container)
    assert queue.run_one()
    assert not queue.run_one(), "a permanent error is not retried"
    polled = cand.get(f"{API}/interviews/{created['id']}/answers/0").json()
    assert polled["status"] == "failed"
    assert "not readable media" in polled["error"]
    assert client.get(f"{API}/interviews/{created['id']}").json()["status"] == "analyzed"
    record = client.get(f"{API}/records/{answer_id}").json()
    assert record["status"] == "failed"
    assert record["analysis"] is None
    events = client.get(
        f"/api/v1/sessions/{created['session_id']}/events", params={"types": "video_answer"}
    ).json()["events"]
    assert events[-1]["status"] == "failed"
    assert "not readable media" in events[-1]["error"]


def test_a_record_deleted_mid_job_stops_it_and_leaves_nothing(
    client: TestClient,
    app: FastAPI,
    container: Container,
    short_clip: GroundTruth,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    created, _, answer_id = submitted(client, app, short_clip)
    original = DatabaseStepStore.save

    def delete_after_convert(self: DatabaseStepStore, step: str, *args: Any, **kw: Any) -> None:
        if step == "audio":  # the staff delete the record while the audio is extracted
            assert client.delete(f"{API}/records/{answer_id}").status_code == 204
        original(self, step, *args, **kw)

    monkeypatch.setattr(DatabaseStepStore, "save", delete_after_convert)
    queue = queue_of(container)
    assert queue.run_one()
    interview, _ = container.video.get(created["id"])
    prefix = keys.answer_prefix(created["id"], interview.created_at, 0, answer_id)
    assert list(container.object_store.list(prefix + "/")) == []
    assert_problem(client.get(f"{API}/records/{answer_id}"), 404, "record_not_found")
    assert not queue.run_one(), "the stopped job is done, not retried"
    with container.factory() as db:
        row = db.get(VideoAnswer, answer_id)
        assert row is not None
        assert row.deleted  # kept, so the attempt still counts


def test_the_job_ends_succeeded_after_a_full_run(
    client: TestClient, app: FastAPI, container: Container, short_clip: GroundTruth
) -> None:
    created, cand, _ = submitted(client, app, short_clip)
    queue = queue_of(container)
    assert queue.run_one()
    polled = cand.get(f"{API}/interviews/{created['id']}/answers/0").json()
    assert (polled["status"], polled["step"], polled["progress"]) == ("analyzed", "report", 1.0)
    assert polled["error"] is None
    assert not queue.run_one()


# ---- throttled progress -----------------------------------------------------------------------


@given(
    st.lists(
        st.tuples(st.floats(0, 3, allow_nan=False), st.floats(0, 1, allow_nan=False)),
        max_size=60,
    )
)
def test_progress_writes_are_throttled_but_ends_always_pass(
    reports: list[tuple[float, float]],
) -> None:
    now = [0.0]
    throttle = ProgressThrottle(min_interval_s=1.0, min_step=0.05, clock=lambda: now[0])
    written: list[tuple[float, float]] = []
    for elapsed, fraction in reports:
        now[0] += elapsed
        if throttle.due("video", fraction):
            written.append((now[0], fraction))
        elif fraction in {0.0, 1.0}:
            raise AssertionError("a step's start or end was held back")
    for (before, last), (at, value) in itertools.pairwise(written):
        if 0.0 < value < 1.0:  # a write between the ends waits for time and for progress
            assert at - before >= 1.0
            assert value - last >= 0.05


def test_nobody_but_the_server_writes_a_video_answer_event(
    client: TestClient, app: FastAPI
) -> None:
    created = create_interview(client)
    cand = candidate(client, app, created["id"])
    forged = {
        "id": "forged-1",
        "type": "video_answer",
        "answer_id": "ans_forged",
        "question_index": 0,
        "status": "analyzed",
        "progress": 1.0,
    }
    for caller in (cand, client):
        response = caller.post(
            f"/api/v1/sessions/{created['session_id']}/events", json={"events": [forged]}
        )
        body = assert_problem(response, 422, "invalid_events")
        assert "written by the server" in body["errors"][0]["reason"]
