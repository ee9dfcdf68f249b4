"""The video API end to end, on SQLite and PostgreSQL, on the local store and S3 (moto):
staff create and invite, the candidate uploads real clips through presigned URLs (one PUT,
and a multipart upload that loses a part and resumes), the database queue runs the
analysis, and the records hold computed metrics and working downloads."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import av
import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from interviewkit.app import Container
from interviewkit.video import keys
from tests.conftest import assert_problem
from tests.storage.conftest import moto_endpoint  # noqa: F401  (a fixture)
from tests.video.clips import GroundTruth
from tests.video.helpers import (
    API,
    MIB,
    candidate,
    complete,
    create_interview,
    large_mp4,
    question,
    run_jobs,
    send_parts,
    upload,
)

FACE_TOLERANCE = 0.15
"""Face presence measured on the pipeline's samples against the clip's script."""


@pytest.fixture(params=["local", pytest.param("s3", marks=pytest.mark.s3)])
def store_kind(request: pytest.FixtureRequest) -> str:
    kind: str = request.param
    return kind


@pytest.fixture
def settings_overrides(request: pytest.FixtureRequest, store_kind: str) -> dict[str, Any]:
    values: dict[str, Any] = {
        "task_workers": 0,  # the tests run the jobs themselves (run_one)
        "task_retry_base_s": 0,
        "llm_provider": "offline",
        "video_single_upload_bytes": 5 * MIB,
        "video_part_bytes": 5 * MIB,
    }
    if store_kind == "s3":
        values |= {
            "object_store": "s3",
            "s3_bucket": f"ik-video-{uuid.uuid4().hex}",
            "s3_endpoint_url": request.getfixturevalue("moto_endpoint"),
            "s3_access_key_id": "testing",
            "s3_secret_access_key": "testing",
            "s3_create_bucket": True,
        }
    return values


@pytest.fixture(scope="module")
def big_clip(short_clip: GroundTruth, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The short clip as a big MP4: a multipart upload of several parts."""
    return large_mp4(short_clip.path, tmp_path_factory.mktemp("big") / "answer.mp4")


def download(client: TestClient, url: str) -> bytes:
    """GET a presigned URL without credentials: the local store's through the app."""
    base = client.app.state.container.settings.effective_public_url  # type: ignore[attr-defined]
    if url.startswith(base + "/"):
        local = TestClient(client.app).get(url[len(base) :])
        assert local.status_code == 200, url
        return local.content
    remote = httpx.get(url, timeout=60)
    assert remote.status_code == 200, url
    return remote.content


def video_codec(data: bytes, folder: Path) -> str:
    path = folder / "downloaded.mp4"
    path.write_bytes(data)
    with av.open(str(path)) as container:
        return str(container.streams.video[0].codec_context.name)


def test_answers_go_from_upload_to_records_with_computed_metrics(
    client: TestClient,
    app: FastAPI,
    container: Container,
    short_clip: GroundTruth,
    big_clip: Path,
    tmp_path: Path,
) -> None:
    created = create_interview(
        client,
        questions=[
            question("Tell me about a project you led.", keywords=["project", "team"]),
            question("What would you do differently?"),
        ],
    )
    vid = created["id"]
    assert created["status"] == "invited"
    cand = candidate(client, app, vid)

    # question 0: one PUT of MediaRecorder-like WebM
    data = short_clip.path.read_bytes()
    single = upload(cand, vid, 0, data, duration_s=short_clip.duration_s)
    assert single["mode"] == "single"
    done = complete(cand, vid, 0, single["answer_id"])
    assert done.status_code == 202, done.text
    assert done.json()["status"] == "queued"
    again = complete(cand, vid, 0, single["answer_id"])
    assert again.status_code == 202
    assert again.json()["answer_id"] == single["answer_id"]

    # question 1: a multipart upload whose part 2 is lost, then resumed
    big = big_clip.read_bytes()
    multi = upload(cand, vid, 1, big, content_type="video/mp4", skip_parts=frozenset({2}))
    assert multi["mode"] == "multipart"
    assert multi["part_count"] >= 3
    early = complete(cand, vid, 1, multi["answer_id"])
    assert_problem(early, 409, "upload_incomplete")
    state = cand.get(f"{API}/interviews/{vid}/answers/1/uploads/{multi['answer_id']}").json()
    received = {part["number"] for part in state["received"]}
    assert received == set(range(1, multi["part_count"] + 1)) - {2}
    missing = frozenset(range(1, multi["part_count"] + 1)) - received
    assert send_parts(cand, vid, 1, multi, big, only=missing) == [2]
    assert complete(cand, vid, 1, multi["answer_id"]).status_code == 202
    assert client.get(f"{API}/interviews/{vid}").json()["status"] == "submitted"

    assert run_jobs(container) == 2

    polled = cand.get(f"{API}/interviews/{vid}/answers/0").json()
    assert polled["status"] == "analyzed"
    assert polled["progress"] == 1.0
    interview = client.get(f"{API}/interviews/{vid}").json()
    assert interview["status"] == "analyzed"
    assert [a["question_index"] for a in interview["answers"]] == [0, 1]

    page = client.get(f"{API}/records", params={"interview_id": vid}).json()
    assert page["total"] == 2
    assert all(item["score"] is not None for item in page["items"])
    by_email = client.get(f"{API}/records", params={"candidate_email": "ADA@example.com"}).json()
    assert {item["answer_id"] for item in by_email["items"]} >= {
        single["answer_id"],
        multi["answer_id"],
    }

    for answer_id in (single["answer_id"], multi["answer_id"]):
        record = client.get(f"{API}/records/{answer_id}").json()
        analysis = record["analysis"]
        metrics = analysis["video_metrics"]
        assert abs(metrics["face_present_ratio"] - short_clip.face_present_ratio) <= FACE_TOLERANCE
        assert len(metrics["series"]["face_present"]) >= int(short_clip.duration_s)
        assert analysis["transcript"]["words"], "the clip's speech was transcribed"
        assert analysis["text_metrics"]["word_count"] > 0
        assert analysis["duration_s"] == pytest.approx(short_clip.duration_s, abs=0.5)
        urls = record["urls"]
        assert video_codec(download(client, urls["video"]), tmp_path) == "h264"
        assert download(client, urls["captions"]).startswith(b"WEBVTT")
        assert download(client, urls["report"])
        assert len(download(client, urls["original"])) in {len(data), len(big)}

    report = client.get(f"{API}/interviews/{vid}/report").json()
    assert report["overall"]["answered"] == 2
    assert report["overall"]["analyzed"] == 2
    assert len(report["answers"]) == 2

    events = client.get(
        f"/api/v1/sessions/{created['session_id']}/events", params={"types": "video_answer"}
    ).json()["events"]
    statuses = [(e["answer_id"], e["status"]) for e in events]
    assert (single["answer_id"], "queued") in statuses
    assert (single["answer_id"], "analyzed") in statuses
    assert any(e["status"] == "processing" and e["step"] == "convert" for e in events)

    # deleting a record deletes its objects; deleting the interview everything else
    store = container.object_store
    interview_row, _ = container.video.get(vid)
    prefix = keys.answer_prefix(vid, interview_row.created_at, 0, single["answer_id"])
    assert len(list(store.list(prefix + "/"))) >= 4
    assert client.delete(f"{API}/records/{single['answer_id']}").status_code == 204
    assert list(store.list(prefix + "/")) == []
    assert_problem(client.get(f"{API}/records/{single['answer_id']}"), 404, "record_not_found")
    assert client.delete(f"{API}/interviews/{vid}").status_code == 204
    assert list(store.list(keys.interview_prefix(vid, interview_row.created_at) + "/")) == []
    assert_problem(client.get(f"{API}/interviews/{vid}"), 404, "video_interview_not_found")
    assert cand.get(f"{API}/interviews/{vid}/candidate").status_code in {401, 404}
