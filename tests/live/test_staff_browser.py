"""A signed-in staff browser on the live channel (its cookie, checked against its Origin),
and staff-only notes, which no candidate connection ever receives."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from fastapi.testclient import TestClient

from interviewkit.app import Container
from interviewkit.auth.web import SESSION_COOKIE
from tests.conftest import Keys
from tests.live.conftest import Room
from tests.live.helpers import (
    SUBPROTOCOL,
    Channel,
    close_code,
    connect,
    live_url,
    receive,
    stored_events,
)

NOTE = "weak on recursion; ask about the base case"


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    # pings 5 times a second, so a sign-out is noticed at once; a silent client stays 30 s
    return {"live_heartbeat_s": 0.2, "live_idle_timeout_s": 30.0}


@pytest.fixture
def cookie(live: TestClient, container: Container, keys: Keys) -> str:
    """The interviewer signed in: the browser's cookie (in ``live``'s jar)."""
    signed = container.web.sign_in_with_key(keys.interviewer)
    live.cookies.set(SESSION_COOKIE, signed.cookie)
    return signed.cookie


@contextmanager
def browser_connect(
    client: TestClient, session_id: str, origin: str | None = "http://testserver", **hello: Any
) -> Iterator[Channel]:
    """What the live view's script does: no bearer subprotocol, no token in hello; the
    browser adds the cookie and its page's Origin."""
    headers = {"origin": origin} if origin is not None else {}
    # the ``live`` client sends its API key as a header; a browser has none
    headers["authorization"] = ""
    with client.websocket_connect(
        live_url(session_id), subprotocols=[SUBPROTOCOL], headers=headers
    ) as ws:
        ws.send_json({"type": "hello", **hello})
        yield Channel(ws)


def test_a_signed_in_browser_joins_as_staff(live: TestClient, room: Room, cookie: str) -> None:
    with browser_connect(live, room.session_id) as ws:
        welcome = receive(ws, "welcome")
        assert welcome["role"] == "staff"
        ws.send_json({"type": "event", "id": "n1", "events": [{"type": "note", "text": NOTE}]})
        assert receive(ws, "ack", re="n1")["results"][0]["status"] == "stored"
        pushed = stored_events(ws, 1)[0]
    assert pushed["event"]["type"] == "note"
    assert pushed["source"].startswith("staff:key_")


@pytest.mark.parametrize(
    "origin", ["https://evil.example", "http://testserver.evil.example", "null", None]
)
def test_a_foreign_page_cannot_ride_the_cookie(
    live: TestClient, room: Room, cookie: str, origin: str | None
) -> None:
    """Cross-site WebSocket hijacking: browsers send the cookie from any page."""
    with browser_connect(live, room.session_id, origin=origin) as ws:
        assert close_code(ws) == 4403


@pytest.mark.parametrize("settings_overrides", [{"public_url": "https://ik.example"}])
def test_the_public_url_is_an_allowed_origin(live: TestClient, room: Room, cookie: str) -> None:
    """Behind a proxy that rewrites Host, the configured public URL is the page's origin."""
    with browser_connect(live, room.session_id, origin="https://ik.example") as ws:
        assert receive(ws, "welcome")["role"] == "staff"


def test_without_a_cookie_or_token_the_channel_closes_4401(live: TestClient, room: Room) -> None:
    with browser_connect(live, room.session_id) as ws:
        assert close_code(ws) == 4401


def test_an_unknown_cookie_closes_4401(live: TestClient, room: Room) -> None:
    live.cookies.set(SESSION_COOKIE, "not-a-session")
    with browser_connect(live, room.session_id) as ws:
        assert close_code(ws) == 4401


def test_signing_out_closes_the_open_channel_4401(
    live: TestClient, room: Room, cookie: str, container: Container
) -> None:
    with browser_connect(live, room.session_id) as ws:
        receive(ws, "welcome")
        container.web.sign_out(cookie)
        assert close_code(ws) == 4401


def test_a_bearer_credential_still_wins_over_a_cookie(
    live: TestClient, room: Room, cookie: str
) -> None:
    """The candidate's room on the same browser as a signed-in interviewer stays a
    candidate: an explicit credential is who the client says it is."""
    with connect(live, room.session_id, room.candidate_token) as ws:
        assert receive(ws, "welcome")["role"] == "candidate"


# ---- notes ------------------------------------------------------------------------------------


def _note(staff: Channel, message_id: str) -> int:
    staff.send_json({"type": "event", "id": message_id, "events": [{"type": "note", "text": NOTE}]})
    result = receive(staff, "ack", re=message_id)["results"][0]
    assert result["status"] == "stored"
    return int(result["seq"])


def _cursor(ws: Channel, message_id: str) -> int:
    ws.send_json(
        {
            "type": "event",
            "id": message_id,
            "events": [{"type": "cursor", "file": "/main.py", "offset": 1}],
        }
    )
    return int(receive(ws, "ack", re=message_id)["results"][0]["seq"])


def _no_note(messages: list[dict[str, Any]]) -> None:
    for message in messages:
        assert NOTE not in str(message), message
        assert message.get("event", {}).get("type") != "note", message


def test_a_note_reaches_staff_but_never_the_candidate_live(live: TestClient, room: Room) -> None:
    with (
        connect(live, room.session_id, room.staff_token) as staff,
        connect(live, room.session_id, room.candidate_token) as candidate,
    ):
        receive(staff, "welcome")
        receive(candidate, "welcome")
        note_seq = _note(staff, "n1")
        staff_got = stored_events(staff, 1)[0]
        assert staff_got["seq"] == note_seq
        assert staff_got["event"]["text"] == NOTE
        # the candidate's next event is the one after the note: ordering kept, note skipped
        after = _cursor(candidate, "c1")
        assert after == note_seq + 1
        got = stored_events(candidate, 1)[0]
        assert got["seq"] == after
        _no_note([*candidate.inbox, got])
        assert [m["seq"] for m in stored_events(staff, 1)] == [after]


@pytest.mark.parametrize("room_alive", [True, False], ids=["from-recent", "from-database"])
def test_a_resuming_candidate_does_not_get_notes(
    live: TestClient, room: Room, room_alive: bool
) -> None:
    """Resume catches up from the room's recent messages (someone stayed connected) or
    from the database (everyone left): neither hands over a note."""
    with connect(live, room.session_id, room.candidate_token) as candidate:
        start = receive(candidate, "welcome")["seq"]
    with connect(live, room.session_id, room.staff_token) as staff:
        receive(staff, "welcome")
        note_seq = _note(staff, "n1")
        edit_seq = _cursor(staff, "c1")
        _note(staff, "n2")
        if room_alive:
            with connect(live, room.session_id, room.candidate_token, last_seq=start) as candidate:
                welcome = receive(candidate, "welcome")
                backfill = stored_events(candidate, 1)
                candidate.send_json({"type": "ping", "id": "p"})
                receive(candidate, "pong", re="p")
    if not room_alive:
        with connect(live, room.session_id, room.candidate_token, last_seq=start) as candidate:
            welcome = receive(candidate, "welcome")
            backfill = stored_events(candidate, 1)
            candidate.send_json({"type": "ping", "id": "p"})
            receive(candidate, "pong", re="p")
    assert welcome["resumed"] is True
    assert welcome["seq"] == edit_seq + 1 > note_seq
    assert [m["seq"] for m in backfill] == [edit_seq]
    _no_note(candidate.inbox + backfill)


def test_no_candidate_route_shows_a_note(live: TestClient, room: Room, app: Any) -> None:
    with connect(live, room.session_id, room.staff_token) as staff:
        receive(staff, "welcome")
        _note(staff, "n1")
    candidate = TestClient(app, headers=Keys.bearer(room.candidate_token))
    base = f"/api/v1/sessions/{room.session_id}"
    for path in ["", "/files", "/problem", "/parts", "/assistant/messages"]:
        response = candidate.get(base + path)
        assert NOTE not in response.text, path
    for path in ["/timeline", "/recording", "/stats", "/events", "/replay?at_ms=0"]:
        assert candidate.get(base + path).status_code in {401, 403}, path
    assert NOTE in live.get(base + "/timeline").text  # staff do see it
