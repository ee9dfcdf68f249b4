"""Runs asked for over the channel: queued, running, then the result as the candidate may
see it; the run's verdict is an event every client of the session gets."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Keys
from tests.live.conftest import Room, make_room
from tests.live.helpers import connect, receive


def run(ws: Any, message_id: str, **fields: Any) -> list[dict[str, Any]]:
    ws.send_json({"type": "code-execution", "id": message_id, "action": "request", **fields})
    phases = []
    while True:
        message = ws.receive_json()
        if message["type"] == "code-execution" and message["re"] == message_id:
            phases.append(message)
            if message["phase"] == "result":
                return phases
        if message["type"] == "error" and message.get("re") == message_id:
            raise AssertionError(message)


def test_a_run_reports_its_phases_and_everyone_sees_its_verdict(
    live: TestClient, room: Room
) -> None:
    with (
        connect(live, room.session_id, room.candidate_token) as candidate,
        connect(live, room.session_id, room.staff_token) as staff,
    ):
        receive(candidate, "welcome")
        receive(staff, "welcome")
        phases = run(candidate, "run1", file="/main.py")
        seen = [receive(staff, "event")]
        while seen[-1]["event"]["type"] != "execution_result":
            seen.append(receive(staff, "event"))
    verdict = seen[-1]
    requested = next(m["event"] for m in seen if m["event"]["type"] == "execution_requested")
    assert requested["file"] == "/main.py"  # the workspace's path, as every other event
    assert [p["phase"] for p in phases] == ["queued", "running", "result"]
    result = phases[-1]["result"]
    assert result["status"] == "accepted", result
    assert result["run"]["stdout"] == "1\n"
    assert verdict["event"]["execution_id"] == result["id"]


@pytest.fixture
def problem_room(live: TestClient, keys: Keys) -> Room:
    return make_room(live, keys, problem_id="two-sum", language="python", files=[])


def test_a_submit_shows_the_candidate_hidden_tests_by_name_and_verdict_only(
    live: TestClient, problem_room: Room
) -> None:
    with connect(live, problem_room.session_id, problem_room.candidate_token) as ws:
        welcome = receive(ws, "welcome")
        part = welcome["session"]["current_part"]
        assert part is not None
        assert part["file"] in welcome["workspace"]
        phases = run(ws, "sub1", mode="submit")
    result = phases[-1]["result"]
    hidden = [t for t in result["tests"] if t.get("hidden")]
    assert hidden, result
    for test in hidden:
        shown = {key for key, value in test.items() if value is not None}
        assert shown == {"name", "status", "hidden"}, test


def test_moving_to_the_next_part_sends_the_new_session_state(live: TestClient, keys: Keys) -> None:
    room = make_room(live, keys, template_id="backend-screen-45", language="python", files=[])
    with connect(live, room.session_id, room.candidate_token) as ws:
        welcome = receive(ws, "welcome")
        assert welcome["session"]["current_part"]["number"] == 1
        assert welcome["session"]["seconds_left"] > 0
        moved = live.post(f"/api/v1/sessions/{room.session_id}/parts/next")
        assert moved.status_code == 200, moved.text
        session = receive(ws, "session")
        starter = receive(ws, "file-operation")  # the next part's starter file
    assert session["current_part"] == {
        "number": 2,
        "label": moved.json()["current"]["label"],
        "file": "/part2/solution.py",
    }
    assert starter["event"]["file"] == "/part2/solution.py"
