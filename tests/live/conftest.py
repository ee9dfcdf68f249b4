"""Fixtures of the live channel tests: the app with its lifespan running (the hub needs it),
a session with a solution file, and the candidate's token."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.conftest import Keys, new_session


@dataclass
class Room:
    """A session as its tests see it: the staff client, its id and the candidate's token."""

    staff: TestClient
    session_id: str
    candidate_token: str
    staff_token: str


@pytest.fixture
def live(app: FastAPI, keys: Keys) -> Iterator[TestClient]:
    """An interviewer's client whose lifespan runs (so the hub is started)."""
    with TestClient(
        app, raise_server_exceptions=False, headers=Keys.bearer(keys.interviewer)
    ) as client:
        yield client


def make_room(client: TestClient, keys: Keys, **body: Any) -> Room:
    body.setdefault("files", [{"path": "/main.py", "content": "print(1)\n"}])
    session = new_session(client, **body)
    invited = client.post(f"/api/v1/sessions/{session['id']}/invite", json={"ttl_seconds": 3600})
    assert invited.status_code == 201, invited.text
    return Room(client, session["id"], invited.json()["token"], keys.interviewer)


@pytest.fixture
def room(live: TestClient, keys: Keys) -> Room:
    return make_room(live, keys)
