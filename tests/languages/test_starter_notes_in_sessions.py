"""Where a candidate gets a starter, it opens with its language's note (W-changes.md).

A new session's workspace, a template's next part and the candidate's problem view (whose
starters the room uses when the candidate switches language) all go through
``starter_with_note``; the stored starters stay as authored.
"""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from interviewkit.languages import get
from interviewkit.languages.starters import starter_with_note
from interviewkit.problems.bank import load_bank
from tests.conftest import invite, new_session
from tests.execution.conftest import requires_sandbox

BANK = load_bank()
JAVA_NOTE = get("java").environment.starter_note
pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def content(client: TestClient, session_id: str, path: str) -> str:
    response = client.get(f"/api/v1/sessions/{session_id}/files/{path}")
    assert response.status_code == 200, response.text
    return str(response.json()["content"])


def test_a_new_sessions_starter_and_the_problem_view_open_with_the_note(
    client: TestClient, app: FastAPI
) -> None:
    assert JAVA_NOTE, "Java's environment says what it imports"
    two_sum = BANK.problems["two-sum"]
    session = new_session(client, problem_id="two-sum", language="java")
    workspace = content(client, session["id"], "Solution.java")
    assert workspace == f"{JAVA_NOTE}\n{two_sum.starter['java']}"

    candidate = invite(client, app, session["id"])
    shown = candidate.get(f"/api/v1/sessions/{session['id']}/problem").json()["starter"]
    for language, text in two_sum.starter.items():
        assert shown[language] == starter_with_note(language, text)
    assert shown["java"].splitlines()[0] == JAVA_NOTE
    assert "\n".join(shown["java"].splitlines()[1:]) == two_sum.starter["java"].rstrip("\n")


@requires_sandbox
def test_the_next_parts_starter_opens_with_the_note(client: TestClient, app: FastAPI) -> None:
    session = new_session(client, template_id="backend-screen-45", language="java")
    candidate = invite(client, app, session["id"])
    moved = candidate.post(f"/api/v1/sessions/{session['id']}/parts/next")
    assert moved.status_code == 200, moved.text
    assert moved.json()["current"]["file"] == "/part2/Solution.java"
    second = client.get(f"/api/v1/sessions/{session['id']}/parts").json()["parts"][1]
    starter = BANK.problems[second["problem_id"]].starter["java"]
    assert content(client, session["id"], "part2/Solution.java") == f"{JAVA_NOTE}\n{starter}"
