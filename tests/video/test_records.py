"""Records and the report: what is listed (submitted answers only), pages, links only to
files that exist, the report's means over what was measured, and deletion of an
interview with an upload still in flight."""

from __future__ import annotations

import random
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from interviewkit.app import Container
from interviewkit.storage.port import UploadNotFoundError
from interviewkit.video.models import VideoAnswer
from tests.conftest import assert_problem
from tests.video.clips import GroundTruth
from tests.video.helpers import (
    API,
    MIB,
    candidate,
    complete,
    create_interview,
    question,
    queue_of,
    run_jobs,
    send_parts,
    start_upload,
    upload,
)


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {
        "task_workers": 0,
        "task_retry_base_s": 0,
        "llm_provider": "offline",
        "video_single_upload_bytes": 1 * MIB,
        "video_part_bytes": 5 * MIB,
    }


def test_the_report_covers_analysed_failed_and_unanswered_questions(
    client: TestClient, app: FastAPI, container: Container, short_clip: GroundTruth
) -> None:
    created = create_interview(
        client, questions=[question("First?"), question("Second?"), question("Third?")]
    )
    vid = created["id"]
    cand = candidate(client, app, vid)
    data = short_clip.path.read_bytes()
    answers = []
    for index in (0, 1):
        started = upload(cand, vid, index, data)
        assert complete(cand, vid, index, started["answer_id"]).status_code == 202
        answers.append(started["answer_id"])
    with container.factory() as db:
        broken = db.get(VideoAnswer, answers[1])
        assert broken is not None
        container.object_store.put(broken.original_key, b"no longer a video")
    assert run_jobs(container) == 2
    assert client.get(f"{API}/interviews/{vid}").json()["status"] == "in_progress"

    report = client.get(f"{API}/interviews/{vid}/report").json()
    assert [r["question_index"] for r in report["answers"]] == [0, 1]
    analysed, failed = report["answers"]
    assert (analysed["status"], failed["status"]) == ("analyzed", "failed")
    overall = report["overall"]
    assert (overall["questions"], overall["answered"], overall["analyzed"]) == (3, 2, 1)
    assert overall["failed"] == 1
    assert overall["score"] == analysed["score"]["overall"]
    metrics = analysed["analysis"]["video_metrics"]
    assert overall["attention_ratio"] == pytest.approx(metrics["attention_ratio"], abs=1e-3)
    assert failed["analysis"] is None
    assert failed["urls"]["video"] is None
    assert failed["urls"]["captions"] is None
    assert failed["urls"]["original"]
    assert analysed["urls"]["video"]
    assert analysed["question"] == "First?"

    page = client.get(f"{API}/records", params={"interview_id": vid, "per_page": 1}).json()
    assert (page["total"], len(page["items"]), page["next_page"]) == (2, 1, 2)
    second = client.get(
        f"{API}/records", params={"interview_id": vid, "per_page": 1, "page": 2}
    ).json()
    assert second["next_page"] is None
    assert {page["items"][0]["answer_id"], second["items"][0]["answer_id"]} == set(answers)
    nobody = client.get(f"{API}/records", params={"candidate_email": "nobody@example.com"})
    assert nobody.json()["total"] == 0


def test_an_upload_in_flight_is_no_record(client: TestClient, app: FastAPI) -> None:
    vid = create_interview(client)["id"]
    cand = candidate(client, app, vid)
    started = start_upload(cand, vid, 0, 1000).json()
    assert client.get(f"{API}/records", params={"interview_id": vid}).json()["total"] == 0
    assert_problem(client.get(f"{API}/records/{started['answer_id']}"), 404, "record_not_found")
    assert_problem(client.delete(f"{API}/records/{started['answer_id']}"), 404, "record_not_found")


def test_deleting_an_interview_drops_uploads_in_flight_and_stops_the_link(
    client: TestClient, app: FastAPI, container: Container
) -> None:
    vid = create_interview(client)["id"]
    cand = candidate(client, app, vid)
    data = random.Random(7).randbytes(6 * MIB)
    started = start_upload(cand, vid, 0, len(data)).json()
    assert started["mode"] == "multipart"
    send_parts(cand, vid, 0, started, data, only=frozenset({1}))
    with container.factory() as db:
        answer = db.get(VideoAnswer, started["answer_id"])
        assert answer is not None
        key, upload_id = answer.original_key, answer.upload_id
    assert upload_id is not None
    assert len(container.object_store.list_parts(key, upload_id)) == 1

    assert client.delete(f"{API}/interviews/{vid}").status_code == 204
    with pytest.raises(UploadNotFoundError):
        container.object_store.list_parts(key, upload_id)
    assert cand.get(f"{API}/interviews/{vid}/candidate").status_code == 401
    assert_problem(client.delete(f"{API}/interviews/{vid}"), 404, "video_interview_not_found")
    assert not queue_of(container).run_one()
