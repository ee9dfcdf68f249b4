"""What the video API refuses and what it keeps private, on SQLite and PostgreSQL: the
upload limits (413/415/422/409), files that are not videos, another session's token,
rubric keywords never reaching the candidate; and the interview's status as a property
of its answers (hypothesis)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from interviewkit.app import Container
from interviewkit.video.models import AnswerStatus, VideoAnswer
from interviewkit.video.service import counted_answers, interview_status
from tests.conftest import assert_problem, invite, new_session
from tests.video.clips import GroundTruth
from tests.video.helpers import (
    API,
    MIB,
    candidate,
    complete,
    create_interview,
    put_url,
    question,
    start_upload,
    upload,
)

SECRET_KEYWORD = "zanzibar-rubric-word"


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {
        "task_workers": 0,
        "video_max_answer_bytes": 2 * MIB,
        "video_single_upload_bytes": 1 * MIB,
        "video_part_bytes": 5 * MIB,
        "video_max_questions": 3,
        "video_max_attempts": 2,
    }


def one_question(client: TestClient, **extra: Any) -> str:
    created = create_interview(client, questions=[question(**extra)])
    return str(created["id"])


# ---- creating ---------------------------------------------------------------------------------


def test_an_interview_is_backed_by_a_video_session(client: TestClient) -> None:
    created = create_interview(client, questions=[question(), question("Why us?", attempts=1)])
    assert created["id"].startswith("vid_")
    assert [q["index"] for q in created["questions"]] == [0, 1]
    assert [q["attempts"] for q in created["questions"]] == [2, 1]  # default: the setting
    session = client.get(f"/api/v1/sessions/{created['session_id']}").json()
    assert session["config"]["kind"] == "video"
    assert session["config"]["video_interview_id"] == created["id"]


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"questions": [question()] * 4}, "too_many_questions"),
        ({"questions": [question(max_answer_s=10_000)]}, "answer_limit_too_long"),
        ({"questions": [question(attempts=3)]}, "too_many_attempts"),
        ({"questions": []}, "validation_error"),
        ({"title": ""}, "validation_error"),
    ],
)
def test_interviews_past_the_limits_are_refused(
    client: TestClient, body: dict[str, Any], code: str
) -> None:
    payload = {"title": "t", "questions": [question()], **body}
    assert_problem(client.post(f"{API}/interviews", json=payload), 422, code)


def test_the_invite_link_carries_the_token_in_its_fragment(client: TestClient) -> None:
    vid = one_question(client)
    response = client.post(f"{API}/interviews/{vid}/invite", json={"ttl_seconds": 600})
    assert response.status_code == 201
    body = response.json()
    assert body["url"].endswith(f"/video/{vid}#token={body['token']}")
    assert datetime.fromisoformat(body["expires_at"]) > datetime.now(UTC)


def test_interviews_are_listed_newest_first_by_candidate(client: TestClient) -> None:
    first = create_interview(client, candidate_email="grace@example.com")
    second = create_interview(client, candidate_email="grace@example.com")
    create_interview(client, candidate_email="other@example.com")
    page = client.get(f"{API}/interviews", params={"candidate_email": "Grace@Example.com"}).json()
    assert [item["id"] for item in page["items"]] == [second["id"], first["id"]]
    assert page["total"] == 2
    one = client.get(f"{API}/interviews", params={"per_page": 1, "status": "invited"}).json()
    assert len(one["items"]) == 1
    assert one["next_page"] == 2


# ---- what a candidate may do ---------------------------------------------------------------------


def test_a_candidate_never_sees_the_rubric_keywords(
    client: TestClient, app: FastAPI, short_clip: GroundTruth
) -> None:
    created = create_interview(client, questions=[question(keywords=[SECRET_KEYWORD])])
    vid = created["id"]
    assert created["questions"][0]["keywords"] == [SECRET_KEYWORD]  # staff see them
    cand = candidate(client, app, vid)
    view = cand.get(f"{API}/interviews/{vid}/candidate")
    assert view.status_code == 200
    assert "keywords" not in view.json()["questions"][0]
    data = short_clip.path.read_bytes()[: 1 * MIB]  # a part of it suffices for the answers
    started = start_upload(cand, vid, 0, len(data))
    answers = [view, started, complete(cand, vid, 0, started.json()["answer_id"])]
    answers.append(cand.get(f"{API}/interviews/{vid}/answers/0"))
    for response in answers:
        assert SECRET_KEYWORD not in response.text
    for staff_only in [f"{API}/interviews/{vid}", f"{API}/interviews", f"{API}/records"]:
        assert_problem(cand.get(staff_only), 403, "forbidden")


def test_another_sessions_token_finds_no_interview(client: TestClient, app: FastAPI) -> None:
    theirs = one_question(client)
    mine = one_question(client)
    other_session = invite(client, app, new_session(client)["id"])
    for stranger in (candidate(client, app, mine), other_session):
        routes = [
            ("GET", f"{API}/interviews/{theirs}/candidate", None),
            ("POST", f"{API}/interviews/{theirs}/answers/0/uploads", _upload_body(1000)),
            ("GET", f"{API}/interviews/{theirs}/answers/0", None),
            ("POST", f"{API}/interviews/{theirs}/answers/0/uploads/ans_x/complete", None),
            ("GET", f"{API}/interviews/{theirs}/answers/0/uploads/ans_x", None),
            ("POST", f"{API}/interviews/{theirs}/answers/0/uploads/ans_x/parts", {"numbers": [1]}),
        ]
        for method, url, body in routes:
            response = stranger.request(method, url, json=body)
            assert_problem(response, 404, "video_interview_not_found")
    assert client.get(f"{API}/interviews/{theirs}").json()["status"] == "invited"


def _upload_body(size: int, **extra: Any) -> dict[str, Any]:
    return {"content_type": "video/webm", "size_bytes": size, "duration_s": 9.0, **extra}


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (_upload_body(1000, content_type="application/pdf"), 415, "unsupported_media_type"),
        (_upload_body(1000, content_type="video/ogg"), 415, "unsupported_media_type"),
        (_upload_body(2 * MIB + 1), 413, "answer_too_large"),
        (_upload_body(1000, duration_s=62.5), 422, "answer_too_long"),
        (_upload_body(0), 422, "validation_error"),
    ],
)
def test_uploads_past_the_limits_are_refused(
    client: TestClient, app: FastAPI, body: dict[str, Any], status: int, code: str
) -> None:
    vid = one_question(client)  # max_answer_s 60
    cand = candidate(client, app, vid)
    response = cand.post(f"{API}/interviews/{vid}/answers/0/uploads", json=body)
    assert_problem(response, status, code)
    view = cand.get(f"{API}/interviews/{vid}/candidate").json()
    assert view["questions"][0]["attempts_used"] == 0


def test_a_codec_parameter_is_accepted_and_signed(
    client: TestClient, app: FastAPI, short_clip: GroundTruth
) -> None:
    vid = one_question(client)
    cand = candidate(client, app, vid)
    data = short_clip.path.read_bytes()
    started = upload(cand, vid, 0, data, content_type="video/webm;codecs=vp8,opus")
    assert started["content_type"] == "video/webm;codecs=vp8,opus"
    assert complete(cand, vid, 0, started["answer_id"]).status_code == 202


def test_an_unknown_question_or_answer_is_404(client: TestClient, app: FastAPI) -> None:
    vid = one_question(client)
    cand = candidate(client, app, vid)
    response = cand.post(f"{API}/interviews/{vid}/answers/1/uploads", json=_upload_body(10))
    assert_problem(response, 404, "question_not_found")
    assert_problem(complete(cand, vid, 0, "ans_nothing"), 404, "answer_not_found")
    assert_problem(cand.get(f"{API}/interviews/{vid}/answers/0"), 404, "answer_not_found")
    assert_problem(
        cand.get(f"{API}/interviews/vid_missing/candidate"), 404, "video_interview_not_found"
    )


def test_completing_before_the_file_arrived_is_a_conflict(client: TestClient, app: FastAPI) -> None:
    vid = one_question(client)
    cand = candidate(client, app, vid)
    started = start_upload(cand, vid, 0, 5000).json()
    assert_problem(complete(cand, vid, 0, started["answer_id"]), 409, "upload_incomplete")
    state = cand.get(f"{API}/interviews/{vid}/answers/0/uploads/{started['answer_id']}").json()
    assert state["received"] == []
    assert state["mode"] == "single"


@pytest.mark.parametrize(
    "garbage",
    [b"", b"not a video at all" * 100, b"\x1aE\xdf\xa3" + bytes(4000)],
    ids=["empty", "text", "webm-magic-then-zeros"],
)
def test_a_file_that_is_not_a_video_is_refused_and_not_counted(
    client: TestClient, app: FastAPI, garbage: bytes
) -> None:
    vid = one_question(client, attempts=1)
    cand = candidate(client, app, vid)
    started = start_upload(cand, vid, 0, max(len(garbage), 1)).json()
    put_url(cand, started["url"], garbage, {"Content-Type": started["content_type"]})
    assert_problem(complete(cand, vid, 0, started["answer_id"]), 422, "invalid_video")
    view = cand.get(f"{API}/interviews/{vid}/candidate").json()
    assert view["questions"][0]["attempts_left"] == 1
    assert start_upload(cand, vid, 0, 1000).status_code == 201  # records again


def test_a_recording_longer_than_the_question_allows_is_refused(
    client: TestClient, app: FastAPI, container: Container, short_clip: GroundTruth
) -> None:
    vid = one_question(client, max_answer_s=5)  # the clip lasts about 9 s
    cand = candidate(client, app, vid)
    started = upload(cand, vid, 0, short_clip.path.read_bytes(), duration_s=4.0)  # it says 4
    assert_problem(complete(cand, vid, 0, started["answer_id"]), 422, "answer_too_long")
    store = container.object_store
    left = [
        info.key for info in store.list("video-interviews/") if started["answer_id"] in info.key
    ]
    assert left == []  # the refused file is deleted
    view = cand.get(f"{API}/interviews/{vid}/candidate").json()
    assert view["questions"][0]["attempts_used"] == 0


def test_attempts_run_out(client: TestClient, app: FastAPI, short_clip: GroundTruth) -> None:
    vid = one_question(client, attempts=1)
    cand = candidate(client, app, vid)
    data = short_clip.path.read_bytes()
    first = upload(cand, vid, 0, data)
    assert complete(cand, vid, 0, first["answer_id"]).status_code == 202
    assert_problem(start_upload(cand, vid, 0, len(data)), 409, "attempts_exhausted")
    view = cand.get(f"{API}/interviews/{vid}/candidate").json()["questions"][0]
    assert (view["attempts_used"], view["attempts_left"]) == (1, 0)
    assert view["answer"]["answer_id"] == first["answer_id"]
    assert client.get(f"{API}/interviews/{vid}").json()["status"] == "submitted"


def test_a_new_upload_replaces_an_unfinished_one_and_the_latest_answer_counts(
    client: TestClient, app: FastAPI, short_clip: GroundTruth
) -> None:
    vid = one_question(client)  # two attempts
    cand = candidate(client, app, vid)
    data = short_clip.path.read_bytes()
    abandoned = start_upload(cand, vid, 0, len(data)).json()
    first = upload(cand, vid, 0, data)
    assert_problem(complete(cand, vid, 0, abandoned["answer_id"]), 404, "answer_not_found")
    assert complete(cand, vid, 0, first["answer_id"]).status_code == 202
    second = upload(cand, vid, 0, data)
    assert complete(cand, vid, 0, second["answer_id"]).status_code == 202
    counted = cand.get(f"{API}/interviews/{vid}/answers/0").json()
    assert counted["answer_id"] == second["answer_id"]
    assert counted["attempt"] > 1


def test_an_ended_session_takes_no_more_uploads(client: TestClient, app: FastAPI) -> None:
    created = create_interview(client)
    cand = candidate(client, app, created["id"])
    ended = client.patch(f"/api/v1/sessions/{created['session_id']}", json={"status": "completed"})
    assert ended.status_code == 200, ended.text
    assert start_upload(cand, created["id"], 0, 1000).status_code == 401  # the token stopped
    staff = start_upload(client, created["id"], 0, 1000)
    assert_problem(staff, 409, "session_ended")


# ---- the interview's status as a property of its answers ----------------------------------------

STATUSES = [status.value for status in AnswerStatus]
answer_rows = st.lists(
    st.tuples(st.integers(0, 3), st.sampled_from(STATUSES), st.booleans()), max_size=12
)


def rows(spec: list[tuple[int, str, bool]]) -> list[VideoAnswer]:
    made = []
    for number, (index, status, deleted) in enumerate(spec, start=1):
        made.append(
            VideoAnswer(
                id=f"ans_{number}",
                question_index=index,
                attempt=number,
                status=status,
                deleted=deleted,
            )
        )
    return made


@given(answer_rows)
def test_the_counted_answer_is_the_latest_submitted_one(spec: list[tuple[int, str, bool]]) -> None:
    answers = rows(spec)
    counted = counted_answers(answers)
    for index, answer in counted.items():
        assert answer.status != "uploading"
        assert not answer.deleted
        later = [a for a in answers if a.question_index == index and a.attempt > answer.attempt]
        assert all(a.status == "uploading" or a.deleted for a in later)
    submitted = {a.question_index for a in answers if a.status != "uploading" and not a.deleted}
    assert set(counted) == submitted


@given(answer_rows)
def test_the_interview_status_follows_its_answers(spec: list[tuple[int, str, bool]]) -> None:
    answers = rows(spec)
    status = interview_status(4, answers).value
    counted = counted_answers(answers)
    if not counted:
        assert status == "invited"
    elif len(counted) < 4:
        assert status == "in_progress"
    elif all(a.status in {"analyzed", "failed"} for a in counted.values()):
        assert status == "analyzed"
    else:
        assert status == "submitted"


# ---- whatever a client sends: an answer or a 4xx problem, never a 500 --------------------------

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=10,
)
interview_bodies = st.one_of(
    json_values,
    st.fixed_dictionaries(
        {"title": st.text(max_size=30)},
        optional={
            "candidate_email": st.text(max_size=30),
            "expires_hours": st.floats(allow_nan=False, allow_infinity=False) | st.integers(),
            "questions": st.lists(
                st.fixed_dictionaries(
                    {"text": st.text(max_size=30)},
                    optional={
                        "thinking_s": st.integers(),
                        "max_answer_s": st.integers(),
                        "attempts": st.integers() | st.none(),
                        "keywords": st.lists(st.text(max_size=20), max_size=3),
                    },
                ),
                max_size=4,
            ),
        },
    ),
)
upload_bodies = st.one_of(
    json_values,
    st.fixed_dictionaries(
        {
            "content_type": st.text(max_size=40) | st.sampled_from(["video/webm", "video/mp4"]),
            "size_bytes": st.integers(),
            "duration_s": st.floats(allow_nan=False, allow_infinity=False) | st.integers(),
        }
    ),
)
FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def assert_client_error_or_success(response: Any) -> None:
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["code"]


@FUZZ
@given(body=interview_bodies)
def test_any_interview_body_is_an_interview_or_a_problem(client: TestClient, body: Any) -> None:
    assert_client_error_or_success(client.post(f"{API}/interviews", json=body))


@FUZZ
@given(body=upload_bodies, index=st.integers(-5, 20_000), numbers=json_values)
def test_any_upload_body_is_an_upload_or_a_problem(
    client: TestClient, app: FastAPI, body: Any, index: int, numbers: Any
) -> None:
    vid = one_question(client)
    base = f"{API}/interviews/{vid}/answers/{index}/uploads"
    started = client.post(base, json=body)
    assert_client_error_or_success(started)
    answer_id = started.json().get("answer_id", "ans_x") if started.status_code == 201 else "ans_x"
    parts = client.post(f"{base}/{answer_id}/parts", json={"numbers": numbers})
    assert_client_error_or_success(parts)
    assert_client_error_or_success(client.get(f"{base}/{answer_id}"))
    assert_client_error_or_success(client.post(f"{base}/{answer_id}/complete"))
