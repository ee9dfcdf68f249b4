"""A resume further back than the send queue is long is paced by the client's reading,
not dropped as a slow consumer: from the room's recent messages or from the database."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.live.conftest import Room
from tests.live.helpers import connect, edit, receive, stored_events

EDITS = 40


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {"live_send_queue": 8}


def type_edits(live: TestClient, room: Room) -> int:
    """Type EDITS characters over the channel; the seq before the first."""
    with connect(live, room.session_id, room.candidate_token) as ws:
        start: int = receive(ws, "welcome")["seq"]
        for n in range(EDITS):
            ws.send_json(edit(f"t{n}", "/main.py", 0, "x", base_version=n + 1))
            receive(ws, "ack", re=f"t{n}")
    return start


def check_resume(live: TestClient, room: Room, start: int) -> None:
    with connect(live, room.session_id, room.candidate_token, last_seq=start) as ws:
        welcome = receive(ws, "welcome")
        assert welcome["resumed"] is True
        backfill = stored_events(ws, EDITS)
        ws.send_json({"type": "ping", "id": "after"})
        receive(ws, "pong", re="after")
    assert [m["seq"] for m in backfill] == list(range(start + 1, start + EDITS + 1))
    assert [m["event"]["id"] for m in backfill] == [f"t{n}:0" for n in range(EDITS)]


def test_a_long_resume_from_the_database(live: TestClient, room: Room) -> None:
    check_resume(live, room, type_edits(live, room))


def test_a_long_resume_from_the_rooms_recent_messages(live: TestClient, room: Room) -> None:
    with connect(live, room.session_id, room.staff_token) as keeper:  # keeps the room open
        receive(keeper, "welcome")
        start = type_edits(live, room)
        stored_events(keeper, EDITS)
        check_resume(live, room, start)
