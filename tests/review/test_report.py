"""The report, from sessions recorded through the API and judged by the real sandbox."""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from interviewkit.app import Container
from interviewkit.caching import LRUCache
from interviewkit.problems.bank import load_bank
from tests.conftest import assert_problem, invite, new_session
from tests.execution.conftest import requires_sandbox

BANK = load_bank()
TWO_SUM = BANK.problems["two-sum"]
SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {"llm_provider": "offline"}


def record(client: TestClient, session_id: str, events: list[dict[str, Any]]) -> None:
    response = client.post(f"/api/v1/sessions/{session_id}/events", json={"events": events})
    assert response.status_code == 200, response.text


def submit(client: TestClient, session_id: str, path: str) -> dict[str, Any]:
    response = client.post(
        f"/api/v1/sessions/{session_id}/execute", json={"file": path, "mode": "submit"}
    )
    assert response.status_code == 200, response.text[:2000]
    body: dict[str, Any] = response.json()
    return body


def write(client: TestClient, session_id: str, path: str, content: str) -> None:
    response = client.put(f"/api/v1/sessions/{session_id}/files/{path}", json={"content": content})
    assert response.status_code in (200, 201), response.text


def report(client: TestClient, session_id: str) -> dict[str, Any]:
    response = client.get(f"/api/v1/sessions/{session_id}/report")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


@requires_sandbox
@SQLITE_ONLY
def test_a_templated_session_reports_each_part_its_signals_and_charts(
    client: TestClient, app: FastAPI
) -> None:
    session = new_session(
        client, template_id="backend-screen-45", language="python", candidate_name="Ada"
    )
    sid = session["id"]
    second_id = session["config"]["parts"][1]["problem"]
    candidate = invite(client, app, sid)

    record(candidate, sid, [{"id": "k1", "type": "edit", "file": "/solution.py", "offset": 0,
                             "insert": "#"}])  # fmt: skip
    record(candidate, sid, [{"id": "p1", "type": "paste", "file": "/solution.py", "size": 120}])
    big = "# " + "x" * 298 + "\n"
    record(candidate, sid, [{"id": "big", "type": "edit", "file": "/solution.py", "offset": 0,
                             "insert": big}])  # fmt: skip
    record(candidate, sid, [{"id": "b1", "type": "blur"}])
    time.sleep(0.05)
    record(candidate, sid, [{"id": "f1", "type": "focus"}])
    asked = candidate.post(
        f"/api/v1/sessions/{sid}/assistant/messages",
        json={"content": "Can I have a hint?", "stream": False},
    )
    assert asked.status_code == 200, asked.text

    starter = submit(candidate, sid, "solution.py")
    assert starter["status"] != "accepted"
    write(candidate, sid, "solution.py", TWO_SUM.solutions["python"])
    solved = submit(candidate, sid, "solution.py")
    assert solved["status"] == "accepted"
    moved = candidate.post(f"/api/v1/sessions/{sid}/parts/next")
    assert moved.status_code == 200, moved.text
    submit(candidate, sid, "part2/solution.py")  # the second part's starter fails

    live = report(client, sid)
    assert live["session"]["status"] == "active"
    assert [p["position"] for p in live["parts"]] == [0, 1]
    assert "live" in live["score"]["explanation"]

    assert client.delete(f"/api/v1/sessions/{sid}").status_code == 200
    body = report(client, sid)

    assert body["session"]["candidate_name"] == "Ada"
    assert body["session"]["status"] == "completed"
    assert body["session"]["language"] == "python"
    assert body["session"]["ended_at"] is not None
    assert body["session"]["duration_ms"] > 0

    first, second = body["parts"]
    assert (first["problem_id"], first["title"], first["label"]) == (
        "two-sum",
        "Two Sum",
        "warm-up",
    )
    assert first["path"] == "/solution.py"
    assert first["final_code"] == TWO_SUM.solutions["python"]
    assert first["verdict"] == "accepted"
    tests = first["tests"]
    assert tests["passed"] == tests["total"] > 10
    assert tests["visible_passed"] == tests["visible_total"] == len(TWO_SUM.tests)
    assert tests["large_passed"] == tests["large_total"] == len(TWO_SUM.large_tests)
    assert tests["hidden_total"] >= len(TWO_SUM.hidden_tests)
    assert tests["visible_total"] + tests["hidden_total"] + tests["large_total"] == tests["total"]
    assert first["runs"] == 3  # the starter, the solution, and the judging at "next"
    assert 0 <= first["time_to_first_run_ms"] <= first["time_to_first_accepted_ms"]
    assert first["hints_used"] == 1
    assert first["assistant_turns"] == 1
    assert first["breakdown"]["tests"] == 1
    assert first["breakdown"]["assistance"] < 1
    assert 0 < first["score"] < 100

    assert second["problem_id"] == second_id
    assert second["path"] == "/part2/solution.py"
    assert second["final_code"] == BANK.problems[second_id].starter["python"]
    assert second["verdict"] != "accepted"
    assert second["runs"] == 1
    assert second["time_to_first_accepted_ms"] is None
    assert second["hints_used"] == 0
    assert second["breakdown"]["tests"] < 1
    assert second["breakdown"]["speed"] == 0  # never accepted
    assert second["score"] < first["score"]

    # the warm-up is 15 minutes, the main problem 30: the total weighs them 1:2
    expected = (first["score"] * 15 + second["score"] * 30) / 45
    assert body["score"]["total"] == pytest.approx(expected, abs=0.01)
    assert "warm-up" in body["score"]["explanation"]

    integrity = body["integrity"]
    assert [(p["file"], p["size"]) for p in integrity["pastes"]] == [("/solution.py", 120)]
    typed_in, written = integrity["large_inserts"]  # the big edit, then the file replaced
    assert (typed_in["file"], typed_in["size"]) == ("/solution.py", len(big))
    assert written["file"] == "/solution.py"
    assert written["size"] > len(TWO_SUM.solutions["python"]) // 2
    assert written["t_ms"] >= typed_in["t_ms"]
    assert len(integrity["away"]) == 1
    assert integrity["time_away_ms"] >= 50

    assert body["ai"]["turns"] == 1
    assert body["ai"]["hints"] == 1

    runs = body["charts"]["tests_passing"]
    assert [r["position"] for r in runs] == [0, 0, 0, 1]
    assert runs[1]["passed"] == runs[1]["total"] > 10
    activity = body["charts"]["activity"]
    assert activity[0]["minute"] == 0
    assert sum(point["edits"] for point in activity) >= 3
    assert sum(point["runs"] for point in activity) == 4
    assert sum(point["ai"] for point in activity) == 1
    assert body["adaptive"] == []


def test_a_fresh_session_reports_without_events_and_unknown_sessions_are_404(
    client: TestClient, app: FastAPI
) -> None:
    sid = new_session(client, problem_id="two-sum", candidate_email="ada@example.com")["id"]
    body = report(client, sid)
    assert body["session"]["status"] == "active"
    assert body["session"]["candidate_email"] == "ada@example.com"
    (part,) = body["parts"]
    assert part["verdict"] is None
    assert part["runs"] == 0
    assert part["time_to_first_run_ms"] is None
    assert part["final_code"] == TWO_SUM.starter["python"]
    assert part["score"] == 0
    assert body["score"]["total"] == 0
    assert body["integrity"] == {"pastes": [], "time_away_ms": 0, "away": [], "large_inserts": []}
    assert body["charts"]["tests_passing"] == []

    bare = new_session(client)["id"]  # no problem at all
    empty = report(client, bare)
    assert empty["parts"] == []
    assert empty["score"]["total"] is None

    assert_problem(client.get("/api/v1/sessions/ses_unknown/report"), 404, "session_not_found")
    candidate = invite(client, app, sid)
    assert_problem(candidate.get(f"/api/v1/sessions/{sid}/report"), 403, "forbidden")


@requires_sandbox
@SQLITE_ONLY
def test_an_ended_single_problem_session_is_scored_from_its_last_submission(
    client: TestClient,
) -> None:
    sid = new_session(client, problem_id="two-sum", language="python")["id"]
    write(client, sid, "solution.py", TWO_SUM.solutions["python"])
    assert submit(client, sid, "solution.py")["status"] == "accepted"
    client.post(
        f"/api/v1/sessions/{sid}/scorecards", json={"recommendation": "yes", "submit": True}
    )
    assert client.delete(f"/api/v1/sessions/{sid}").status_code == 200

    body = report(client, sid)
    (part,) = body["parts"]
    assert part["verdict"] == "accepted"
    assert part["final_code"] == TWO_SUM.solutions["python"]
    assert part["runs"] == 1
    assert part["breakdown"] == {"tests": 1.0, "speed": 1.0, "assistance": 1.0}
    assert part["score"] == 100  # no time limit: accepted is full speed
    assert body["score"]["total"] == 100
    assert [c["recommendation"] for c in body["scorecards"]] == ["yes"]


@requires_sandbox
@SQLITE_ONLY
def test_an_adaptive_attempt_reports_its_ability_line(client: TestClient) -> None:
    candidate_id = client.post("/api/v1/candidates", json={"name": "Ada"}).json()["id"]
    question = client.post(
        f"/api/v1/candidates/{candidate_id}/next-question", json={"language": "python"}
    ).json()
    attempt, sid = question["attempt"]["id"], question["attempt"]["session_id"]
    problem = BANK.problems[question["problem"]["id"]]
    assert client.post(f"/api/v1/attempts/{attempt}/hint").status_code == 200
    write(client, sid, "solution.py", problem.solutions["python"])
    assert submit(client, sid, "solution.py")["status"] == "accepted"
    done = client.post(f"/api/v1/attempts/{attempt}/complete")
    assert done.status_code == 200, done.text

    body = report(client, sid)
    (part,) = body["parts"]
    assert part["hints_used"] == 1  # the hint route counts on the attempt
    assert body["ai"]["hints"] == 1
    assert part["breakdown"]["assistance"] == 0.75
    (line,) = body["adaptive"]
    assert line["attempt_id"] == attempt
    assert line["problem_id"] == problem.id
    assert line["se"] > 0
    assert line["explanation"].startswith(f"Estimated ability {line['theta']:+.1f} ± ")
    assert line["explanation"].endswith("1 question answered, 1 accepted")


def test_a_live_reports_extended_pass_equals_a_pass_from_the_start(
    client: TestClient, app: FastAPI, container: Container
) -> None:
    """The report of a live session feeds only the events since the last report; what it
    shows is what reading the whole log again shows, at every moment."""
    sid = new_session(client, problem_id="two-sum", candidate_name="Ada")["id"]
    candidate = invite(client, app, sid)
    steps: list[list[dict[str, Any]]] = [
        [{"type": "edit", "file": "/solution.py", "offset": 0, "insert": "# hi\n"}],
        [{"type": "blur"}],  # away across a report: still away at its end
        [{"type": "focus"}, {"type": "paste", "file": "/solution.py", "size": 30}],
        [{"type": "edit", "file": "/solution.py", "offset": 0, "insert": "y" * 400}],
        [{"type": "blur"}, {"type": "focus"}, {"type": "cursor", "file": "/solution.py",
                                                "offset": 1}],
    ]  # fmt: skip
    fresh = replace(container.review, _passes=LRUCache(0))
    for number, events in enumerate(steps):
        record(candidate, sid, [{"id": f"s{number}-{i}", **e} for i, e in enumerate(events)])
        extended = report(client, sid)
        again = fresh.report(sid).model_dump(mode="json")
        for body in (extended, again):
            body["session"].pop("duration_ms")
            body["charts"].pop("activity")  # its length follows the wall clock
        assert extended == again, number
    assert len(extended["integrity"]["pastes"]) == 1
    assert len(extended["integrity"]["large_inserts"]) == 1
    assert len(extended["integrity"]["away"]) == 2
