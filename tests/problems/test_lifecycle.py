"""The interview lifecycle: parts, time limits, what scoring counts, the end of an attempt."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from interviewkit.app import Container
from interviewkit.problems.bank import Bank, BankError, load_bank
from tests.conftest import assert_problem, invite, new_session
from tests.execution.conftest import requires_sandbox

SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
BANK = load_bank()
TWO_SUM = BANK.problems["two-sum"]
PAST = 0.0001
"""A time limit of 6 ms: by the time the PATCH that sets it returns, it has elapsed."""


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {"deadline_sweep_interval_s": 0.1, "llm_provider": "offline"}


def wait_for(check: Callable[[], bool], what: str, bound_s: float = 120.0) -> None:
    """Poll until ``check`` holds; the bound is generous, the test asserts no timing."""
    give_up = time.monotonic() + bound_s
    while not check():
        if time.monotonic() > give_up:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.05)


def write(client: TestClient, session_id: str, path: str, content: str) -> Any:
    return client.put(f"/api/v1/sessions/{session_id}/files/{path}", json={"content": content})


def set_time_limit(client: TestClient, session_id: str, minutes: float) -> None:
    response = client.patch(
        f"/api/v1/sessions/{session_id}", json={"config": {"time_limit_minutes": minutes}}
    )
    assert response.status_code == 200, response.text


def new_candidate(client: TestClient) -> str:
    response = client.post("/api/v1/candidates", json={"name": "Ada"})
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def next_question(client: TestClient, candidate_id: str, **body: Any) -> dict[str, Any]:
    response = client.post(
        f"/api/v1/candidates/{candidate_id}/next-question", json={"language": "python", **body}
    )
    assert response.status_code == 201, response.text
    question: dict[str, Any] = response.json()
    return question


# ---- unknown tags ---------------------------------------------------------------------


def test_an_unknown_tag_is_a_422_naming_the_known_tags(client: TestClient) -> None:
    body = assert_problem(
        client.get("/api/v1/problems", params={"tag": "hashnig"}), 422, "unknown_tag"
    )
    assert body["known_tags"] == BANK.tags
    assert "hashing" in body["known_tags"]
    assert "hashing" in body["detail"]
    assert "'hashnig'" in body["detail"]
    assert client.get("/api/v1/problems", params={"tag": "hashing"}).status_code == 200

    candidate = new_candidate(client)
    response = client.post(
        f"/api/v1/candidates/{candidate}/next-question",
        json={"language": "python", "tags": ["hashing", "grpahs"]},
    )
    body = assert_problem(response, 422, "unknown_tag")
    assert body["unknown_tags"] == ["grpahs"]
    assert body["known_tags"] == BANK.tags


def test_a_template_part_with_an_unknown_tag_fails_at_load(tmp_path: Path) -> None:
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "typo.yaml").write_text(
        "id: typo\ntitle: Typo\nparts:\n  - {difficulty: easy, tags: [arrray], minutes: 20}\n"
    )
    with pytest.raises(BankError, match="unknown tags arrray"):
        Bank.load(tmp_path)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(tag=st.text(min_size=1, max_size=50))
def test_any_tag_filter_lists_or_names_the_known_tags(client: TestClient, tag: str) -> None:
    response = client.get("/api/v1/problems", params={"tag": tag})
    if tag in BANK.tags:
        assert response.status_code == 200
    else:
        assert response.status_code in (400, 422), response.text  # never a 500 or an empty list
        if response.status_code == 422 and response.json()["code"] == "unknown_tag":
            assert response.json()["known_tags"] == BANK.tags


# ---- what scoring counts, and the end of an attempt --------------------------------------


@SQLITE_ONLY
def test_the_hint_route_and_the_assistant_share_one_counter_and_both_count(
    client: TestClient, app: FastAPI
) -> None:
    question = next_question(client, new_candidate(client), tags=["hashing"])
    attempt, session_id = question["attempt"]["id"], question["attempt"]["session_id"]
    problem = BANK.problems[question["problem"]["id"]]

    first = client.post(f"/api/v1/attempts/{attempt}/hint").json()
    assert (first["number"], first["hint"]) == (1, problem.hints[0])
    candidate = invite(client, app, session_id)
    asked = candidate.post(
        f"/api/v1/sessions/{session_id}/assistant/messages",
        json={"content": "Can I have a hint?", "stream": False},
    )
    assert asked.status_code == 200, asked.text
    assert problem.hints[1] in asked.json()["content"]  # hint 2, not hint 1 again

    counted = client.get(f"/api/v1/attempts/{attempt}").json()
    assert counted["hints_used"] == 2
    assert counted["assistant_messages"] == 1
    third = client.post(f"/api/v1/attempts/{attempt}/hint").json()
    assert (third["number"], third["hint"]) == (3, problem.hints[2])

    done = client.post(f"/api/v1/attempts/{attempt}/complete", json={"assistant_messages": 0})
    assert done.status_code == 200, done.text
    breakdown = done.json()["breakdown"]
    assert breakdown["hint_penalty"] == pytest.approx(0.3)
    assert breakdown["assistant_penalty"] == pytest.approx(0.02)  # 0 given cannot hide a turn
    assert done.json()["assistant_messages"] == 1


def test_completing_an_attempt_ends_its_session(client: TestClient, app: FastAPI) -> None:
    question = next_question(client, new_candidate(client))
    attempt, session_id = question["attempt"]["id"], question["attempt"]["session_id"]
    candidate = invite(client, app, session_id)
    assert write(candidate, session_id, "solution.py", "# thinking\n").status_code == 200

    done = client.post(f"/api/v1/attempts/{attempt}/complete", json={"score": 0.5})
    assert done.status_code == 200, done.text

    session = client.get(f"/api/v1/sessions/{session_id}").json()
    assert session["status"] == "completed"
    assert session["ended_at"] is not None
    assert_problem(write(client, session_id, "solution.py", "# later\n"), 409, "session_ended")
    assert write(candidate, session_id, "solution.py", "# later\n").status_code in (401, 409)
    listing = client.get(f"/api/v1/sessions/{session_id}/files").json()
    assert listing["read_only"] is True
    kept = client.get(f"/api/v1/sessions/{session_id}/files/solution.py").json()
    assert kept["content"] == "# thinking\n"


# ---- time limits ---------------------------------------------------------------------------


def test_writes_and_runs_after_the_deadline_are_409_without_the_sweeper(
    client: TestClient, app: FastAPI
) -> None:
    """The client here never starts the app's lifespan: no sweeper runs, the check alone
    holds the limit."""
    session = new_session(client, files=[{"path": "main.py", "content": "print(1)\n"}])
    sid = session["id"]
    candidate = invite(client, app, sid)
    assert write(candidate, sid, "main.py", "print('saved in time')\n").status_code == 200

    set_time_limit(client, sid, PAST)

    assert_problem(write(candidate, sid, "main.py", "print('late')\n"), 409, "session_expired")
    assert_problem(
        candidate.post(f"/api/v1/sessions/{sid}/files", json={"path": "b.py", "content": ""}),
        409,
        "session_expired",
    )
    assert_problem(
        candidate.delete(f"/api/v1/sessions/{sid}/files/main.py"), 409, "session_expired"
    )
    late_run = candidate.post(f"/api/v1/sessions/{sid}/execute", json={"file": "main.py"})
    assert_problem(late_run, 409, "session_expired")
    edit = {"id": "e1", "type": "edit", "file": "/main.py", "offset": 0, "insert": "#"}
    late_edit = candidate.post(f"/api/v1/sessions/{sid}/events", json={"events": [edit]})
    assert_problem(late_edit, 409, "session_expired")
    late_question = candidate.post(
        f"/api/v1/sessions/{sid}/assistant/messages", json={"content": "hint?", "stream": False}
    )
    assert_problem(late_question, 409, "session_expired")
    kept = candidate.get(f"/api/v1/sessions/{sid}/files/main.py").json()
    assert kept["content"] == "print('saved in time')\n"  # nothing saved in time is lost


def test_a_three_second_limit_keeps_the_last_write_made_in_time(
    client: TestClient, app: FastAPI
) -> None:
    """Keep saving until the server says time is up: the last accepted save is the file."""
    files = [{"path": "main.py", "content": "print(0)\n"}]
    sid = new_session(client, config={"time_limit_minutes": 0.05}, files=files)["id"]
    candidate = invite(client, app, sid)
    saved = "print(0)\n"  # were the machine slow enough to miss every save, still kept
    late: Any = None

    def refused() -> bool:
        nonlocal saved, late
        content = f"print({time.monotonic_ns()})\n"
        response = write(candidate, sid, "main.py", content)
        if response.status_code in (200, 201):
            saved = content
            return False
        late = response
        return True

    wait_for(refused, "the three-second limit to elapse")
    assert_problem(late, 409, "session_expired")
    assert client.get(f"/api/v1/sessions/{sid}/files/main.py").json()["content"] == saved


def test_the_sweeper_ends_a_session_whose_time_ran_out(client: TestClient, app: FastAPI) -> None:
    session = new_session(client, files=[{"path": "notes.md", "content": "plan\n"}])
    sid = session["id"]
    other = new_session(client)["id"]  # no limit: the sweeper leaves it alone
    with TestClient(app, headers=dict(client.headers)) as running:  # the lifespan: the sweeper
        set_time_limit(running, sid, PAST)
        wait_for(lambda: running.get(f"/api/v1/sessions/{sid}").json()["status"] == "expired",
                 "the sweeper to expire the session")  # fmt: skip
        ended = running.get(f"/api/v1/sessions/{sid}").json()
        assert ended["ended_at"] is not None
        assert running.get(f"/api/v1/sessions/{other}").json()["status"] == "active"
        assert_problem(write(running, sid, "notes.md", "more\n"), 409, "session_ended")
        assert running.get(f"/api/v1/sessions/{sid}/files/notes.md").json()["content"] == "plan\n"
        events = running.get(f"/api/v1/sessions/{sid}/events").json()["events"]
        assert any(e["type"] == "session_ended" and e.get("status") == "expired" for e in events)


@pytest.mark.parametrize("minutes", [0, -1, "ten", True, [], 1e308, 10**9])
def test_a_time_limit_must_be_a_sensible_number(client: TestClient, minutes: Any) -> None:
    response = client.post("/api/v1/sessions", json={"config": {"time_limit_minutes": minutes}})
    body = assert_problem(response, 422, "invalid_time_limit")
    assert body["limit"] == 7 * 24 * 60
    sid = new_session(client)["id"]
    patched = client.patch(
        f"/api/v1/sessions/{sid}", json={"config": {"time_limit_minutes": minutes}}
    )
    assert_problem(patched, 422, "invalid_time_limit")


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(minutes=st.one_of(st.floats(allow_nan=False, allow_infinity=False), st.integers()))
def test_any_number_is_a_limit_or_a_422(client: TestClient, minutes: float) -> None:
    response = client.post("/api/v1/sessions", json={"config": {"time_limit_minutes": minutes}})
    if 0 < minutes <= 7 * 24 * 60:
        assert response.status_code == 201, response.text
    else:
        assert_problem(response, 422, "invalid_time_limit")


def test_a_template_session_is_limited_to_the_templates_length(client: TestClient) -> None:
    session = new_session(client, template_id="backend-screen-45", language="python")
    assert session["config"]["time_limit_minutes"] == 45
    own = new_session(
        client,
        template_id="backend-screen-45",
        language="python",
        config={"time_limit_minutes": 50},
    )
    assert own["config"]["time_limit_minutes"] == 50
    # staff see when each session's time runs out
    created, deadline = (datetime.fromisoformat(session[k]) for k in ("created_at", "deadline_at"))
    assert deadline - created == timedelta(minutes=45)
    shown = client.get(f"/api/v1/sessions/{own['id']}").json()
    assert shown["deadline_at"] == own["deadline_at"] is not None


# ---- multi-part templates (the real sandbox) --------------------------------------------


def test_a_candidate_cannot_record_a_part_change(client: TestClient, app: FastAPI) -> None:
    sid = new_session(client, template_id="backend-screen-45", language="python")["id"]
    candidate = invite(client, app, sid)
    forged = {"id": "p1", "type": "part_changed", "ended": 0, "part": 1, "problem": "two-sum"}
    response = candidate.post(f"/api/v1/sessions/{sid}/events", json={"events": [forged]})
    assert_problem(response, 422, "invalid_events")


def hint(candidate: TestClient, session_id: str) -> str:
    """Ask the (offline) assistant for a hint; its answer."""
    asked = candidate.post(
        f"/api/v1/sessions/{session_id}/assistant/messages",
        json={"content": "Can I have a hint?", "stream": False},
    )
    assert asked.status_code == 200, asked.text
    return str(asked.json()["content"])


def _part_two(client: TestClient, session_id: str) -> str:
    parts = client.get(f"/api/v1/sessions/{session_id}/parts").json()["parts"]
    return str(parts[1]["problem_id"])


@requires_sandbox
@SQLITE_ONLY
def test_a_multi_part_interview_moves_on_and_judges_each_part(
    client: TestClient, app: FastAPI
) -> None:
    session = new_session(client, template_id="backend-screen-45", language="python")
    sid = session["id"]
    candidate = invite(client, app, sid)
    second_id = _part_two(client, sid)
    second = BANK.problems[second_id]

    mine = candidate.get(f"/api/v1/sessions/{sid}/parts").json()
    assert mine["deadline_at"] is not None  # the template's 45 minutes
    assert mine["current"]["number"] == 1
    assert mine["has_next"] is True
    assert [p["number"] for p in mine["parts"]] == [1]  # upcoming parts stay hidden
    assert second_id not in json.dumps(mine)
    shown = candidate.get(f"/api/v1/sessions/{sid}/problem").json()
    assert shown["id"] == "two-sum"
    assert shown["part"] == {
        "number": 1, "label": "warm-up", "minutes": 15, "file": "/solution.py", "has_next": True
    }  # fmt: skip

    assert TWO_SUM.hints[0] in hint(candidate, sid)
    assert write(candidate, sid, "solution.py", TWO_SUM.solutions["python"]).status_code == 200
    moved = candidate.post(f"/api/v1/sessions/{sid}/parts/next")
    assert moved.status_code == 200, moved.text
    body = moved.json()
    assert body["current"]["number"] == 2
    assert body["current"]["file"] == "/part2/solution.py"
    assert body["has_next"] is False
    assert body["parts"][0]["ended_by"] == "next"
    assert "score" not in body["parts"][0] or body["parts"][0]["score"] is None

    staff = client.get(f"/api/v1/sessions/{sid}/parts").json()
    first = staff["parts"][0]
    assert first["problem_id"] == "two-sum"
    assert first["score"] == pytest.approx(1.0)
    assert first["passed"] == first["total"] > 10
    assert first["execution_id"]

    starter = candidate.get(f"/api/v1/sessions/{sid}/files/part2/solution.py").json()
    assert starter["content"] == second.starter["python"]
    kept = candidate.get(f"/api/v1/sessions/{sid}/files/solution.py").json()
    assert kept["content"] == TWO_SUM.solutions["python"]
    assert candidate.get(f"/api/v1/sessions/{sid}/problem").json()["id"] == second_id
    assert second.hints[0] in hint(candidate, sid)  # a new part starts from its first hint
    container: Container = app.state.container
    interview = container.sessions.get_session(sid)
    # the assistant looks at the file of the part being worked on, not the first part's
    assert container.assistant.context(interview).active_file == "/part2/solution.py"

    # submit judges the current part: two-sum's solution fails the second problem
    written = write(candidate, sid, "part2/solution.py", second.solutions["python"])
    assert written.status_code == 200
    verdict = candidate.post(
        f"/api/v1/sessions/{sid}/execute", json={"file": "part2/solution.py", "mode": "submit"}
    ).json()
    assert verdict["status"] == "accepted", verdict
    assert_problem(candidate.post(f"/api/v1/sessions/{sid}/parts/next"), 409, "no_next_part")

    events = client.get(f"/api/v1/sessions/{sid}/events").json()["events"]
    changed = [e for e in events if e["type"] == "part_changed"]
    assert [(e["ended"], e["part"], e["problem"]) for e in changed] == [(0, 1, second_id)]
    assert changed[0]["source"] == "system"
    for view in ("timeline", "stats", "replay?at_ms=100000000"):  # the log still reads
        assert client.get(f"/api/v1/sessions/{sid}/{view}").status_code == 200, view
    # the player marks the change where it happened and finds each run's output by its id
    markers = client.get(f"/api/v1/sessions/{sid}/timeline").json()["markers"]
    parts = [m for m in markers if m["kind"] == "part"]
    assert [(m["seq"], m["ended"], m["part"]) for m in parts] == [(changed[0]["seq"], 0, 1)]
    runs = [m for m in markers if m["kind"] == "run"]
    assert runs
    assert runs[-1]["execution_id"] == verdict["id"]


@requires_sandbox
@SQLITE_ONLY
def test_when_time_runs_out_the_last_state_is_submitted_and_the_attempt_completes(
    client: TestClient, app: FastAPI
) -> None:
    question = next_question(client, new_candidate(client), tags=["hashing"])
    attempt, sid = question["attempt"]["id"], question["attempt"]["session_id"]
    problem = BANK.problems[question["problem"]["id"]]
    candidate = invite(client, app, sid)
    assert write(candidate, sid, "solution.py", problem.solutions["python"]).status_code == 200

    set_time_limit(client, sid, PAST)
    assert_problem(write(candidate, sid, "solution.py", "# late\n"), 409, "session_expired")
    with TestClient(app, headers=dict(client.headers)) as running:  # the lifespan: the sweeper
        wait_for(lambda: running.get(f"/api/v1/sessions/{sid}").json()["status"] == "expired",
                 "the sweeper to expire the session")  # fmt: skip
        wait_for(lambda: running.get(f"/api/v1/attempts/{attempt}").json()["status"] == "completed",
                 "the attempt to complete")  # fmt: skip

        parts = running.get(f"/api/v1/sessions/{sid}/parts").json()
        assert parts["current"] is None
        assert parts["status"] == "expired"
        judged = parts["parts"][0]
        assert judged["ended_by"] == "expired"
        assert judged["score"] == pytest.approx(1.0)  # what was saved in time was judged
        done = running.get(f"/api/v1/attempts/{attempt}").json()
        assert done["score"] == pytest.approx(1.0)
        assert done["breakdown"]["submission"] == judged["execution_id"]
        content = running.get(f"/api/v1/sessions/{sid}/files/solution.py").json()["content"]
        assert content == problem.solutions["python"]


@requires_sandbox
@SQLITE_ONLY
def test_two_moves_at_once_judge_the_part_once(client: TestClient) -> None:
    sid = new_session(client, template_id="backend-screen-45", language="python")["id"]
    with ThreadPoolExecutor(2) as pool:
        moves = list(pool.map(lambda _: client.post(f"/api/v1/sessions/{sid}/parts/next"), [1, 2]))
    assert sorted(move.status_code for move in moves) == [200, 409]
    refused = next(move for move in moves if move.status_code == 409).json()
    assert refused["code"] in ("part_changed", "no_next_part")
    parts = client.get(f"/api/v1/sessions/{sid}/parts").json()
    assert [p["ended_by"] for p in parts["parts"]] == ["next", None]
    assert parts["current"]["number"] == 2


JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=80),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner),
    max_leaves=12,
)
PART = st.fixed_dictionaries(
    {},
    optional={
        "problem": JSON | st.sampled_from(["two-sum", "valid-parentheses"]),
        "label": JSON,
        "minutes": JSON,
    },
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(parts=JSON | st.lists(PART | JSON, max_size=4))
def test_any_parts_an_interviewer_patches_in_read_back_without_a_500(
    client: TestClient, parts: Any
) -> None:
    sid = new_session(client, problem_id="two-sum", language="python")["id"]
    patched = client.patch(f"/api/v1/sessions/{sid}", json={"config": {"parts": parts}})
    assert patched.status_code in (200, 413, 422), patched.text
    for path in ("parts", "problem"):
        response = client.get(f"/api/v1/sessions/{sid}/{path}")
        assert response.status_code < 500, response.text
    move = client.post(f"/api/v1/sessions/{sid}/parts/next")
    assert move.status_code < 500, move.text


@requires_sandbox
@SQLITE_ONLY
def test_concurrent_judges_fill_the_large_test_cache_once_without_colliding(
    container: Container,
) -> None:
    """Two moves (or a move and the sweeper) judging at once both fill a cold cache of
    large tests: each writer needs a temporary file of its own."""
    runner = container.problems.runner
    with ThreadPoolExecutor(4) as pool:
        filled = list(pool.map(lambda _: runner.large_tests(TWO_SUM), range(4)))
    assert all(tests == filled[0] for tests in filled)
    assert filled[0]
    assert runner.cache_dir is not None
    assert not list(runner.cache_dir.glob(".*.tmp"))  # no writer left its temporary file
