"""Every client of a session gets every stored event, in seq order, exactly once; a client
of another session gets none; everyone sees who is connected."""

from __future__ import annotations

from fastapi.testclient import TestClient

from interviewkit.app import Container
from tests.conftest import Keys
from tests.live.conftest import Room, make_room
from tests.live.helpers import connect, edit, receive, stored_events


def test_two_clients_get_every_event_in_order_exactly_once(live: TestClient, room: Room) -> None:
    with (
        connect(live, room.session_id, room.candidate_token) as candidate,
        connect(live, room.session_id, room.staff_token) as staff,
    ):
        start = receive(candidate, "welcome")["seq"]
        assert receive(staff, "welcome")["seq"] == start
        for n in range(10):
            sender = candidate if n % 2 == 0 else staff
            sender.send_json(edit(f"f{n}", "/main.py", 0, str(n), base_version=n + 1))
            receive(sender, "ack", re=f"f{n}")
        seen_by_candidate = stored_events(candidate, 10)
        seen_by_staff = stored_events(staff, 10)
    expected = list(range(start + 1, start + 11))
    assert [m["seq"] for m in seen_by_candidate] == expected
    assert [m["seq"] for m in seen_by_staff] == expected
    assert seen_by_candidate == seen_by_staff
    sources = {m["source"].split(":")[0] for m in seen_by_staff}
    assert sources == {"candidate", "staff"}


def test_a_client_of_another_session_gets_none_of_its_events(
    live: TestClient, room: Room, keys: Keys
) -> None:
    other = make_room(live, keys)
    with (
        connect(live, room.session_id, room.candidate_token) as mine,
        connect(live, other.session_id, other.candidate_token) as theirs,
    ):
        receive(mine, "welcome")
        receive(theirs, "welcome")
        mine.send_json(edit("secret", "/main.py", 0, "SECRET", base_version=1))
        receive(mine, "ack", re="secret")
        # the other room's next stored event is its own marker: nothing came before it
        theirs.send_json(edit("mark", "/main.py", 0, "#", base_version=1))
        (pushed,) = stored_events(theirs, 1)
    assert pushed["event"]["id"] == "mark:0"


def test_presence_on_join_and_leave(live: TestClient, room: Room) -> None:
    with connect(live, room.session_id, room.candidate_token) as candidate:
        me = receive(candidate, "welcome")["connection_id"]
        receive(candidate, "presence", participants=[{"connection_id": me, "role": "candidate"}])
        with connect(live, room.session_id, room.staff_token) as staff:
            them = receive(staff, "welcome")["connection_id"]
            both = sorted(
                [
                    {"connection_id": me, "role": "candidate"},
                    {"connection_id": them, "role": "staff"},
                ],
                key=str,
            )
            for _ in range(10):
                shown = receive(candidate, "presence")["participants"]
                if sorted(shown, key=str) == both:
                    break
            else:
                raise AssertionError("the staff member never showed up")
        receive(candidate, "presence", participants=[{"connection_id": me, "role": "candidate"}])


def test_an_event_the_broker_lost_is_read_from_the_database(
    live: TestClient, room: Room, container: Container
) -> None:
    """A publish that never arrives leaves a gap; the next event shows it, and the room
    reads the missing one from the log (after live_gap_fill_ms) before going on."""
    url = f"/api/v1/sessions/{room.session_id}/files/main.py"
    with connect(live, room.session_id, room.candidate_token) as ws:
        start = receive(ws, "welcome")["seq"]
        container.recording.listener = None  # this write commits, its publish is lost
        assert live.put(url, json={"content": "lost\n"}).status_code == 200
        container.recording.listener = container.hub.stored
        assert live.put(url, json={"content": "found\n"}).status_code == 200
        pushed = stored_events(ws, 2)
    assert [m["seq"] for m in pushed] == [start + 1, start + 2]
    assert [m["event"]["content"] for m in pushed] == ["lost\n", "found\n"]
