"""Sessions from templates, submissions against hidden tests, candidates and adaptive picks."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from interviewkit.app import Container
from interviewkit.execution.schemas import CallTest
from interviewkit.languages.starters import starter_with_note
from interviewkit.problems.bank import load_bank
from tests.conftest import assert_problem, invite, new_session
from tests.execution.conftest import requires_sandbox

SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
TWO_SUM = load_bank().problems["two-sum"]
SECRETS = ("solutions", "hidden_tests", "rubric", "irt", "brute_force", "generator", "follow_ups")


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


def test_a_session_from_a_template_gets_the_starter_and_the_plan(client: TestClient) -> None:
    session = new_session(client, template_id="backend-screen-45", language="java")
    assert session["problem_id"] == "two-sum"
    assert session["config"]["language"] == "java"
    parts = session["config"]["parts"]
    assert [part["minutes"] for part in parts] == [15, 30]
    assert parts[0]["problem"] == "two-sum"
    assert load_bank().problems[parts[1]["problem"]].difficulty == "medium"
    assert session["config"]["assistant_policy"] == "hints_only"
    files = client.get(f"/api/v1/sessions/{session['id']}/files/Solution.java")
    assert files.status_code == 200
    assert files.json()["content"] == starter_with_note("java", TWO_SUM.starter["java"])


def test_unknown_templates_problems_and_languages_are_clear_errors(client: TestClient) -> None:
    assert_problem(
        client.post("/api/v1/sessions", json={"template_id": "nope"}), 404, "template_not_found"
    )
    assert_problem(
        client.post("/api/v1/sessions", json={"problem_id": "nope"}), 404, "problem_not_found"
    )
    body = assert_problem(
        client.post("/api/v1/sessions", json={"problem_id": "two-sum", "language": "cobol"}),
        422,
        "language_not_offered",
    )
    assert "python, javascript, java, cpp" in body["detail"]


@requires_sandbox
@SQLITE_ONLY
@pytest.mark.parametrize("language", ["python", "cpp"])
def test_submit_judges_hidden_large_and_fresh_tests(
    client: TestClient, app: FastAPI, language: str
) -> None:
    session = new_session(client, problem_id="two-sum", language=language)
    entry = {"python": "solution.py", "cpp": "solution.cpp"}[language]
    candidate = invite(client, app, session["id"])

    starter = submit(candidate, session["id"], entry)
    assert starter["status"] != "accepted"

    write(candidate, session["id"], entry, TWO_SUM.solutions[language])
    solved = submit(candidate, session["id"], entry)
    assert solved["status"] == "accepted", solved["tests"][:3]
    names = [test["name"] for test in solved["tests"]]
    assert names[:3] == ["example-1", "example-2", "example-3"]
    assert {TWO_SUM.large_tests[0].name, "fresh-1", "fresh-3"} <= set(names)
    assert solved["passed"] == solved["total"] == len(names)
    hidden = [test for test in solved["tests"] if test["hidden"]]
    assert hidden
    assert all(test["input"] is None and test["expected"] is None for test in hidden)

    staff_view = client.get(f"/api/v1/executions/{solved['id']}").json()
    fresh = [test for test in staff_view["tests"] if test["name"].startswith("fresh-")]
    assert fresh[0]["input"] is not None  # interviewers see the generated inputs


@requires_sandbox
@SQLITE_ONLY
def test_fresh_tests_differ_between_sessions(client: TestClient, container: Container) -> None:
    first = new_session(client, problem_id="two-sum")
    second = new_session(client, problem_id="two-sum")
    runs = []
    for session in (first, second):
        interview = container.sessions.get_session(session["id"])
        found = container.problems.submission(interview, "/solution.py", "python")
        assert found is not None
        fresh = [t for t in found[0].tests if t.name.startswith("fresh-")]
        assert len(fresh) == 3
        runs.append([t.input for t in fresh if isinstance(t, CallTest)])
    assert runs[0] != runs[1]


def test_candidates_see_the_statement_but_never_the_secrets(
    client: TestClient, app: FastAPI
) -> None:
    session = new_session(client, problem_id="two-sum")
    candidate = invite(client, app, session["id"])
    shown = candidate.get(f"/api/v1/sessions/{session['id']}/problem")
    assert shown.status_code == 200
    body = shown.json()
    assert body["title"] == "Two Sum"
    assert body["examples"][0]["name"] == "example-1"
    text = shown.text
    for secret in SECRETS:
        assert secret not in body
    assert TWO_SUM.solutions["python"].strip().splitlines()[-1].strip() not in text
    assert_problem(candidate.get("/api/v1/problems/two-sum"), 403, "forbidden")
    assert_problem(candidate.get("/api/v1/problems"), 403, "forbidden")
    assert_problem(candidate.post("/api/v1/candidates", json={"name": "x"}), 403, "forbidden")
    staff = client.get(f"/api/v1/sessions/{session['id']}/problem").json()
    assert {"solutions", "hidden_tests", "rubric", "irt"} <= set(staff)


def test_the_bank_and_templates_are_listed_for_interviewers(client: TestClient) -> None:
    problems = client.get("/api/v1/problems", params={"difficulty": "hard"}).json()["problems"]
    assert problems
    assert all(p["difficulty"] == "hard" for p in problems)
    one = client.get("/api/v1/problems/two-sum").json()
    assert one["solutions"]["cpp"] == TWO_SUM.solutions["cpp"]
    assert_problem(client.get("/api/v1/problems/nope"), 404, "problem_not_found")
    templates = client.get("/api/v1/templates").json()["templates"]
    assert "backend-screen-45" in {t["id"] for t in templates}
    onsite = next(t for t in templates if t["id"] == "algorithms-onsite-90")
    assert onsite["voice"]["strictness"] == "strict"  # how its voice interviewer sounds
    assert_problem(client.get("/api/v1/templates/nope"), 404, "template_not_found")


# ---- candidates and adaptive questions ------------------------------------------------


def new_candidate(client: TestClient) -> dict[str, Any]:
    response = client.post(
        "/api/v1/candidates", json={"name": "Ada", "email": "ada@example.com", "external_ref": "7"}
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def next_question(client: TestClient, candidate_id: str, **body: Any) -> dict[str, Any]:
    response = client.post(
        f"/api/v1/candidates/{candidate_id}/next-question", json={"language": "python", **body}
    )
    assert response.status_code == 201, response.text
    question: dict[str, Any] = response.json()
    return question


def test_an_adaptive_interview_moves_ability_with_the_answers(client: TestClient) -> None:
    candidate = new_candidate(client)
    assert client.get(f"/api/v1/candidates/{candidate['id']}").json()["email"] == "ada@example.com"
    question = next_question(client, candidate["id"])
    attempt = question["attempt"]
    assert question["theta"] == pytest.approx(0.0, abs=1e-6)
    assert question["adapted_difficulty"] == "medium"
    for secret in SECRETS:
        assert secret not in question["problem"]
    session = client.get(f"/api/v1/sessions/{attempt['session_id']}").json()
    assert session["problem_id"] == question["problem"]["id"]

    assert_problem(
        client.post(f"/api/v1/candidates/{candidate['id']}/next-question",
                    json={"language": "python"}),
        409, "attempt_open",
    )  # fmt: skip
    started = client.post(f"/api/v1/attempts/{attempt['id']}/start").json()
    assert started["status"] == "started"
    hint = client.post(f"/api/v1/attempts/{attempt['id']}/hint").json()
    problem = load_bank().problems[question["problem"]["id"]]
    assert hint["hint"] == problem.hints[0]
    assert hint["number"] == 1

    done = client.post(f"/api/v1/attempts/{attempt['id']}/complete", json={"score": 1.0})
    assert done.status_code == 200, done.text
    assert done.json()["score"] == 1.0
    assert done.json()["breakdown"]["hint_penalty"] == pytest.approx(0.1)
    assert_problem(
        client.post(f"/api/v1/attempts/{attempt['id']}/complete"), 409, "attempt_completed"
    )

    second = next_question(client, candidate["id"])
    assert second["theta"] > 0.2  # solved: the next question is aimed higher
    assert second["problem"]["id"] != question["problem"]["id"]
    client.post(f"/api/v1/attempts/{second['attempt']['id']}/complete", json={"score": 0.0})

    performance = client.get(f"/api/v1/candidates/{candidate['id']}/performance").json()
    assert performance["completed_questions"] == 2
    assert performance["total_questions"] == 2
    assert performance["average_score"] == pytest.approx(0.5)
    assert 0 < performance["theta_se"] < 1
    assert set(performance["tag_strengths"]) >= set(problem.tags)


@requires_sandbox
@SQLITE_ONLY
def test_completing_scores_the_last_submission(client: TestClient) -> None:
    candidate = new_candidate(client)
    question = next_question(client, candidate["id"], tags=["hashing"])
    attempt, problem_id = question["attempt"], question["problem"]["id"]
    problem = load_bank().problems[problem_id]
    write(client, attempt["session_id"], "solution.py", problem.solutions["python"])
    result = submit(client, attempt["session_id"], "solution.py")
    assert result["status"] == "accepted"
    done = client.post(f"/api/v1/attempts/{attempt['id']}/complete", json={}).json()
    assert done["score"] == pytest.approx(1.0)
    assert done["breakdown"]["submission"] == result["id"]
    assert done["breakdown"]["hidden_passed"] == done["breakdown"]["hidden_total"] > 10


def test_candidate_errors(client: TestClient) -> None:
    assert_problem(client.get("/api/v1/candidates/can_nope"), 404, "candidate_not_found")
    assert_problem(client.post("/api/v1/attempts/att_nope/start"), 404, "attempt_not_found")
    candidate = new_candidate(client)
    assert_problem(
        client.post(f"/api/v1/candidates/{candidate['id']}/next-question",
                    json={"language": "cobol"}),
        422, "language_not_offered",
    )  # fmt: skip
    assert_problem(client.post("/api/v1/candidates", json={"name": ""}), 422, "validation_error")
    question = next_question(client, candidate["id"], tags=["hashing"])
    attempt = question["attempt"]["id"]
    for _ in range(3):
        assert client.post(f"/api/v1/attempts/{attempt}/hint").status_code == 200
    assert_problem(client.post(f"/api/v1/attempts/{attempt}/hint"), 409, "no_more_hints")
    client.post(f"/api/v1/attempts/{attempt}/start")
    assert_problem(client.post(f"/api/v1/attempts/{attempt}/start"), 409, "attempt_started")
