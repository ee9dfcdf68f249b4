"""Who may open a session's channel, and the close code everyone else gets."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Keys
from tests.live.conftest import Room, make_room
from tests.live.helpers import SUBPROTOCOL, Channel, close_code, connect, live_url, receive


@pytest.mark.parametrize("in_hello", [False, True])
def test_a_candidate_token_in_the_subprotocol_or_hello_opens_the_channel(
    live: TestClient, room: Room, in_hello: bool
) -> None:
    with connect(live, room.session_id, room.candidate_token, in_hello=in_hello) as ws:
        welcome = receive(ws, "welcome")
    assert welcome["protocol"] == 1
    assert welcome["role"] == "candidate"
    assert welcome["session"]["status"] == "active"
    assert welcome["workspace"] == {"/main.py": {"content": "print(1)\n", "version": 1}}


def test_the_server_selects_the_protocol_and_never_echoes_the_credential(
    live: TestClient, room: Room
) -> None:
    protocols = [SUBPROTOCOL, f"bearer.{room.candidate_token}"]
    with live.websocket_connect(live_url(room.session_id), subprotocols=protocols) as ws:
        assert ws.accepted_subprotocol == SUBPROTOCOL
        ws.send_json({"type": "hello"})
        receive(Channel(ws), "welcome")


def test_an_interviewer_key_connects_as_staff(live: TestClient, room: Room) -> None:
    with connect(live, room.session_id, room.staff_token) as ws:
        assert receive(ws, "welcome")["role"] == "staff"


@pytest.mark.parametrize(
    "token", [None, "not-a-token", "ik_live_unknownkey0123456789", "eyJhbGciOiJIUzI1NiJ9.e30.x"]
)
def test_no_valid_credential_closes_4401(live: TestClient, room: Room, token: str | None) -> None:
    with connect(live, room.session_id, token) as ws:
        assert close_code(ws) == 4401


def test_a_revoked_candidate_token_closes_4401(live: TestClient, room: Room) -> None:
    again = live.post(
        f"/api/v1/sessions/{room.session_id}/invite",
        json={"ttl_seconds": 3600, "revoke_previous": True},
    )
    assert again.status_code == 201, again.text
    with connect(live, room.session_id, room.candidate_token) as ws:
        assert close_code(ws) == 4401


def test_a_revoked_api_key_closes_4401(live: TestClient, room: Room, keys: Keys) -> None:
    admin = {"Authorization": f"Bearer {keys.admin}"}
    created = live.post("/api/v1/keys", json={"name": "gone", "role": "interviewer"}, headers=admin)
    assert created.status_code == 201, created.text
    key = created.json()
    assert live.delete(f"/api/v1/keys/{key['id']}", headers=admin).status_code in (200, 204)
    with connect(live, room.session_id, key["key"]) as ws:
        assert close_code(ws) == 4401


def test_another_sessions_candidate_and_an_unknown_session_close_4404(
    live: TestClient, room: Room, keys: Keys
) -> None:
    other = make_room(live, keys)
    with connect(live, room.session_id, other.candidate_token) as ws:
        assert close_code(ws) == 4404
    with connect(live, "ses_doesnotexist", room.staff_token) as ws:
        assert close_code(ws) == 4404
    with connect(live, "not a valid id!", room.staff_token) as ws:
        assert close_code(ws) == 4404


def test_an_ended_session_closes_4410(live: TestClient, room: Room) -> None:
    assert live.delete(f"/api/v1/sessions/{room.session_id}").status_code == 200
    with connect(live, room.session_id, room.staff_token) as ws:
        assert close_code(ws) == 4410
    with connect(live, room.session_id, room.candidate_token) as ws:
        assert close_code(ws) == 4410


def test_a_connected_client_is_told_when_the_session_ends(live: TestClient, room: Room) -> None:
    with connect(live, room.session_id, room.candidate_token) as ws:
        receive(ws, "welcome")
        assert live.delete(f"/api/v1/sessions/{room.session_id}").status_code == 200
        ended = receive(ws, "event")
        assert ended["event"]["type"] == "session_ended"
        session = receive(ws, "session")
        assert session["status"] == "completed"
        assert close_code(ws) == 4410
