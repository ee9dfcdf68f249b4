"""What the channel refuses: oversized frames, floods, binary frames, what is not JSON or
not a message; an invalid field is answered and the connection stays."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.live.conftest import Room
from tests.live.helpers import close_code, connect, receive


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {"live_max_message_bytes": 4096, "live_rate_per_s": 20, "live_rate_burst": 30}


def test_a_frame_over_the_size_limit_closes_4413(live: TestClient, room: Room) -> None:
    with connect(live, room.session_id, room.candidate_token) as ws:
        receive(ws, "welcome")
        op = {"op": "create", "file": "/big.py", "content": "é" * 3000}  # 6000 bytes in UTF-8
        ws.send_json({"type": "file-operation", "id": "big", "ops": [op]})
        assert close_code(ws) == 4413
    assert live.get(f"/api/v1/sessions/{room.session_id}/files/big.py").status_code == 404


def test_a_flood_closes_4429(live: TestClient, room: Room) -> None:
    with connect(live, room.session_id, room.candidate_token) as ws:
        receive(ws, "welcome")
        for n in range(200):
            ws.send_json({"type": "ping", "id": f"p{n}"})
        assert close_code(ws) == 4429


@pytest.mark.parametrize(
    "frame",
    [
        "not json",
        "[1, 2]",
        '{"type": "teleport"}',
        '{"no": "type"}',
        '{"type": "audio-chunk"}',
    ],
)
def test_protocol_errors_close_4400(live: TestClient, room: Room, frame: str | bytes) -> None:
    with connect(live, room.session_id, room.candidate_token) as ws:
        receive(ws, "welcome")
        if isinstance(frame, bytes):
            ws.send_bytes(frame)
        else:
            ws.send_text(frame)
        assert close_code(ws) == 4400


def test_a_first_message_that_is_not_hello_closes_4400(live: TestClient, room: Room) -> None:
    with live.websocket_connect(
        f"/api/v1/sessions/{room.session_id}/live",
        subprotocols=["interviewkit.v1", f"bearer.{room.candidate_token}"],
    ) as ws:
        ws.send_json({"type": "ping"})
        assert close_code(ws) == 4400


def test_an_invalid_field_is_answered_and_the_connection_stays(
    live: TestClient, room: Room
) -> None:
    with connect(live, room.session_id, room.candidate_token) as ws:
        receive(ws, "welcome")
        bad = {"op": "edit", "file": "/main.py", "offset": -1, "insert": "x", "base_version": 1}
        ws.send_json({"type": "file-operation", "id": "bad1", "ops": [bad]})
        error = receive(ws, "error", re="bad1")
        assert error["code"] == "invalid_message"
        assert "offset" in error["detail"]
        ws.send_json({"type": "ping", "id": "still-here"})
        assert receive(ws, "pong", re="still-here")


def test_an_unknown_field_is_refused_too(live: TestClient, room: Room) -> None:
    with connect(live, room.session_id, room.candidate_token) as ws:
        receive(ws, "welcome")
        ws.send_json({"type": "ping", "id": "x1", "sneaky": True})
        assert receive(ws, "error", re="x1")["code"] == "invalid_message"
