"""Scorecards: each interviewer's own card, rated on the session's rubric, final once submitted."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from interviewkit.app import Container
from interviewkit.auth.service import Role
from interviewkit.problems.bank import load_bank
from tests.conftest import Keys, assert_problem, invite, new_session

BANK = load_bank()
TWO_SUM = BANK.problems["two-sum"]


def card(client: TestClient, session_id: str, **body: Any) -> Any:
    return client.post(f"/api/v1/sessions/{session_id}/scorecards", json=body)


def all_fours(problem_id: str) -> dict[str, dict[str, int]]:
    return {problem_id: {item.criterion: 4 for item in BANK.problems[problem_id].rubric}}


def test_the_rubric_lists_every_problem_of_a_templated_session(client: TestClient) -> None:
    session = new_session(client, template_id="backend-screen-45", language="python")
    body = client.get(f"/api/v1/sessions/{session['id']}/scorecards").json()
    problems = [r["problem_id"] for r in body["rubric"]]
    assert problems == [p["problem"] for p in session["config"]["parts"]]
    first = body["rubric"][0]
    assert first["title"] == "Two Sum"
    assert [i["criterion"] for i in first["items"]] == [i.criterion for i in TWO_SUM.rubric]
    assert sum(i["weight"] for i in first["items"]) == pytest.approx(1)
    assert body["scorecards"] == []


def test_a_draft_is_edited_until_submitted_then_it_is_final(client: TestClient) -> None:
    sid = new_session(client, problem_id="two-sum", candidate_name="Ada")["id"]
    first = card(client, sid, ratings={"two-sum": {"Correctness": 2}}, notes="slow start")
    assert first.status_code == 200, first.text
    draft = first.json()
    assert draft["status"] == "draft"
    assert draft["interviewer_name"] == "test interviewer"
    assert draft["rubric_score"] == pytest.approx(100 / 3, abs=0.01)
    assert draft["submitted_at"] is None

    second = card(client, sid, ratings=all_fours("two-sum"), notes="strong", recommendation="yes")
    assert second.json()["id"] == draft["id"]  # the same card, edited
    assert second.json()["rubric_score"] == 100

    submitted = card(
        client, sid, ratings=all_fours("two-sum"), recommendation="strong_yes", submit=True
    ).json()
    assert submitted["status"] == "submitted"
    assert submitted["recommendation"] == "strong_yes"
    assert submitted["submitted_at"] is not None

    assert_problem(card(client, sid, notes="changed my mind"), 409, "scorecard_submitted")
    cards = client.get(f"/api/v1/sessions/{sid}/scorecards").json()["scorecards"]
    assert len(cards) == 1
    assert cards[0]["recommendation"] == "strong_yes"


def test_several_interviewers_each_keep_their_own_card(
    client: TestClient, app: FastAPI, container: Container
) -> None:
    sid = new_session(client, problem_id="two-sum")["id"]
    _, secret = container.auth.create_key("Grace Hopper", Role.interviewer)
    other = TestClient(app, raise_server_exceptions=False, headers=Keys.bearer(secret))
    card(client, sid, recommendation="no", submit=True)
    assert card(other, sid, notes="mine", recommendation="yes").status_code == 200
    cards = client.get(f"/api/v1/sessions/{sid}/scorecards").json()["scorecards"]
    by_name = {c["interviewer_name"]: c for c in cards}
    assert set(by_name) == {"test interviewer", "Grace Hopper"}
    assert by_name["test interviewer"]["status"] == "submitted"
    assert by_name["Grace Hopper"]["status"] == "draft"
    assert by_name["Grace Hopper"]["notes"] == "mine"


def test_ratings_outside_the_rubric_are_refused(client: TestClient) -> None:
    sid = new_session(client, problem_id="two-sum")["id"]
    body = assert_problem(
        card(client, sid, ratings={"two-sum": {"Charisma": 3}}), 422, "unknown_rubric_item"
    )
    assert body["unknown"] == ["two-sum/Charisma"]
    assert_problem(
        card(client, sid, ratings={"lru-cache": {"Correctness": 3}}), 422, "unknown_rubric_item"
    )
    assert_problem(
        card(client, sid, ratings={"two-sum": {"Correctness": 5}}), 422, "validation_error"
    )
    assert_problem(
        card(client, sid, ratings={"two-sum": {"Correctness": 0}}), 422, "validation_error"
    )
    assert_problem(card(client, sid, recommendation="maybe"), 422, "validation_error")
    assert_problem(card(client, sid, notes="x" * 20_001), 422, "validation_error")
    assert_problem(card(client, sid, notes="fine\x00"), 422, "validation_error")  # PG: no NUL
    assert client.get(f"/api/v1/sessions/{sid}/scorecards").json()["scorecards"] == []


def test_notes_keep_their_line_breaks_and_tabs(client: TestClient) -> None:
    sid = new_session(client, problem_id="two-sum")["id"]
    notes = "Strong start.\r\n\tMissed the empty input.\n"
    assert card(client, sid, notes=notes).status_code == 200
    assert (
        client.get(f"/api/v1/sessions/{sid}/scorecards").json()["scorecards"][0]["notes"] == notes
    )


def test_submitting_needs_a_recommendation(client: TestClient) -> None:
    sid = new_session(client, problem_id="two-sum")["id"]
    assert_problem(card(client, sid, submit=True), 422, "recommendation_required")


def test_candidates_and_strangers_cannot_read_or_write_cards(
    client: TestClient, app: FastAPI, anonymous: TestClient
) -> None:
    sid = new_session(client, problem_id="two-sum")["id"]
    candidate = invite(client, app, sid)
    assert_problem(candidate.get(f"/api/v1/sessions/{sid}/scorecards"), 403, "forbidden")
    assert_problem(card(candidate, sid, notes="I was great"), 403, "forbidden")
    assert_problem(anonymous.get(f"/api/v1/sessions/{sid}/scorecards"), 401, "unauthenticated")
    assert_problem(client.get("/api/v1/sessions/ses_missing/scorecards"), 404, "session_not_found")
    assert_problem(card(client, "ses_missing", notes="x"), 404, "session_not_found")
