"""Small results live in their execution row; big ones in the object store; both read back.

A result up to ``exec_inline_result_kb`` is written by the commit that finishes its row
(no object, no second fsync); a bigger one is an object the row names. Every reader
(``GET /executions/{id}``, the session's last submission, the assistant and the review)
goes through the service, which reads either.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from interviewkit.app import Container
from interviewkit.db import read_session
from interviewkit.execution.models import Execution
from interviewkit.execution.service import ExecutionService, RecordEvent
from tests.execution.conftest import KIT, requires_sandbox
from tests.execution.helpers import execute, finished, session_execute, session_with

pytestmark = requires_sandbox


def stored(container: Container, execution_id: str) -> Execution:
    with read_session(container.factory) as db:
        row = db.get(Execution, execution_id)
        assert row is not None
        db.expunge(row)
    return row


def objects(container: Container) -> list[str]:
    return [info.key for info in container.object_store.list("")]


def test_a_small_result_is_stored_in_its_row_and_read_back(
    client: TestClient, container: Container
) -> None:
    body = finished(execute(client, KIT["python"], "python", stdin="echo small"))
    row = stored(container, body["id"])
    assert (row.state, row.status, row.result_key) == ("finished", "accepted", None)
    assert row.result_json is not None
    assert json.loads(row.result_json) == body
    assert objects(container) == []
    assert client.get(f"/api/v1/executions/{body['id']}").json() == body


@pytest.mark.parametrize("settings_overrides", [{"exec_inline_result_kb": 1}])
def test_a_result_over_the_inline_size_is_an_object_the_row_names(
    client: TestClient, container: Container
) -> None:
    session = session_with(client, KIT["python"])
    small = finished(session_execute(client, session["id"], file="main.py", stdin="echo hi"))
    big = finished(
        session_execute(client, session["id"], file="main.py", stdin="echo " + "x" * 4000)
    )
    assert stored(container, small["id"]).result_key is None
    row = stored(container, big["id"])
    assert row.result_json is None
    assert row.result_key is not None
    assert f"/{session['id']}/outputs/{big['id']}.json" in row.result_key
    assert json.loads(container.object_store.get(row.result_key)) == big
    for body in (small, big):  # first reads: from the row, from the object
        assert client.get(f"/api/v1/executions/{body['id']}").json() == body


def test_the_last_submission_is_read_from_its_row(client: TestClient, container: Container) -> None:
    """Scoring reads a session's newest submission through the service."""
    session = session_with(client, KIT["python"])
    body: dict[str, Any] = finished(
        session_execute(client, session["id"], file="main.py", stdin="echo mine")
    )
    found = container.executions.last_finished(session["id"], "run")
    assert found is not None
    assert found.model_dump(mode="json") == body


def record_in_transaction(container: Container) -> RecordEvent:
    """What the app wires as ``record_event``: the recording's append in the caller's
    transaction, under the session's lock (as ``record_now`` does in its own)."""

    def record(db: Session, session_id: str, event: dict[str, Any]) -> None:
        container.sessions.lock(db, session_id, server=True)
        container.recording.record(db, session_id, [event])

    return record


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_session_runs_events_join_the_commits_of_its_row(
    client: TestClient, container: Container
) -> None:
    """With the recording taking events in the row's transaction, a session run costs two
    commits (start, finish) and the log still says it was requested, then its verdict."""
    container.executions.close()
    container.executions = ExecutionService(
        container.factory,
        container.object_store,
        container.settings,
        container.sessions,
        on_session_event=container.recording.record_now,
        record_event=record_in_transaction(container),
    )
    session = session_with(client, KIT["python"])
    response = session_execute(client, session["id"], file="main.py", stdin="echo logged")
    body = finished(response)
    assert "event" not in response.headers["server-timing"]  # no commit of its own
    events = client.get(f"/api/v1/sessions/{session['id']}/events").json()["events"]
    runs = [event for event in events if event["type"].startswith("execution_")]
    assert [(event["type"], event["execution_id"]) for event in runs] == [
        ("execution_requested", body["id"]),
        ("execution_result", body["id"]),
    ]
    assert runs[1]["status"] == "accepted"
    assert stored(container, body["id"]).result_json is not None
