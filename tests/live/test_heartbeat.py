"""The server pings; a client that says nothing for live_idle_timeout_s is closed (4409),
and one that never says hello is closed after live_auth_timeout_s (4401)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.live.conftest import Room
from tests.live.helpers import SUBPROTOCOL, close_code, connect, live_url, receive


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {"live_heartbeat_s": 0.2, "live_idle_timeout_s": 1.0, "live_auth_timeout_s": 0.5}


def test_the_server_pings_and_closes_a_silent_client_4409(live: TestClient, room: Room) -> None:
    with connect(live, room.session_id, room.candidate_token) as ws:
        receive(ws, "welcome")
        assert receive(ws, "ping")
        assert close_code(ws) == 4409


def test_a_client_that_answers_stays(live: TestClient, room: Room) -> None:
    with connect(live, room.session_id, room.candidate_token) as ws:
        receive(ws, "welcome")
        for _ in range(8):  # 8 pings at 0.2 s apart outlast the 1 s idle timeout
            receive(ws, "ping")
            ws.send_json({"type": "pong"})
        ws.send_json({"type": "ping", "id": "alive"})
        assert receive(ws, "pong", re="alive")


def test_no_hello_in_time_closes_4401(live: TestClient, room: Room) -> None:
    protocols = [SUBPROTOCOL, f"bearer.{room.candidate_token}"]
    with live.websocket_connect(live_url(room.session_id), subprotocols=protocols) as ws:
        assert close_code(ws) == 4401


def test_a_token_revoked_while_connected_closes_4401(live: TestClient, room: Room) -> None:
    with connect(live, room.session_id, room.candidate_token) as ws:
        receive(ws, "welcome")
        revoked = live.post(
            f"/api/v1/sessions/{room.session_id}/invite",
            json={"ttl_seconds": 3600, "revoke_previous": True},
        )
        assert revoked.status_code == 201, revoked.text
        assert close_code(ws) == 4401
