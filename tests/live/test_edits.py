"""Edits over the channel: the recording stores them, acks say seq and version, a re-send
is a duplicate, a stale base is refused, and the workspace is the replay of the log."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.live.conftest import Room
from tests.live.helpers import connect, edit, receive, stored_events


def file_text(client: TestClient, session_id: str, path: str) -> str:
    response = client.get(f"/api/v1/sessions/{session_id}/files/{path.lstrip('/')}")
    assert response.status_code == 200, response.text
    content: str = response.json()["content"]
    return content


def test_an_edit_is_stored_acked_with_seq_and_version_and_echoed(
    live: TestClient, room: Room
) -> None:
    with connect(live, room.session_id, room.candidate_token) as ws:
        welcome = receive(ws, "welcome")
        ws.send_json(edit("m1", "/main.py", 0, "# hi\n", base_version=1))
        ack = receive(ws, "ack", re="m1")
        (result,) = ack["results"]
        assert result["status"] == "stored"
        assert result["version"] == 2
        assert result["seq"] > welcome["seq"]
    assert file_text(live, room.session_id, "/main.py") == "# hi\nprint(1)\n"
    events = live.get(f"/api/v1/sessions/{room.session_id}/events").json()["events"]
    stored = next(e for e in events if e["id"] == "m1:0")
    assert stored["type"] == "edit"
    assert stored["source"] == "candidate"
    assert stored["seq"] == result["seq"]
    assert stored["version"] == 2


def test_the_stored_event_reaches_its_sender_in_order_with_its_id(
    live: TestClient, room: Room
) -> None:
    with connect(live, room.session_id, room.candidate_token) as ws:
        receive(ws, "welcome")
        for n in range(5):
            ws.send_json(edit(f"k{n}", "/main.py", n, "x", base_version=1 + n))
        pushed = stored_events(ws, 5)
    ids = [m["event"]["id"] for m in pushed][:5]
    assert ids == [f"k{n}:0" for n in range(5)]
    seqs = [m["seq"] for m in pushed][:5]
    assert seqs == sorted(seqs)
    assert len(set(seqs)) == 5
    assert [m["event"]["version"] for m in pushed][:5] == [2, 3, 4, 5, 6]
    assert all(m["type"] == "file-operation" for m in pushed)


def test_the_same_message_again_is_a_duplicate_with_the_same_seqs(
    live: TestClient, room: Room
) -> None:
    message: dict[str, Any] = {
        "type": "file-operation",
        "id": "twice",
        "ops": [
            {"op": "create", "file": "/util.py", "content": "A"},
            {"op": "edit", "file": "/util.py", "offset": 1, "insert": "B", "base_version": 1},
        ],
    }
    with connect(live, room.session_id, room.candidate_token) as ws:
        receive(ws, "welcome")
        ws.send_json(message)
        first = receive(ws, "ack", re="twice")["results"]
        ws.send_json(message)
        second = receive(ws, "ack", re="twice")["results"]
    assert [r["status"] for r in first] == ["stored", "stored"]
    assert [r["status"] for r in second] == ["duplicate", "duplicate"]
    assert [r["seq"] for r in second] == [r["seq"] for r in first]
    assert file_text(live, room.session_id, "/util.py") == "AB"


def test_a_stale_base_version_is_rejected_and_nothing_is_stored(
    live: TestClient, room: Room
) -> None:
    before = live.get(f"/api/v1/sessions/{room.session_id}/events").json()["events"]
    with connect(live, room.session_id, room.candidate_token) as ws:
        receive(ws, "welcome")
        ws.send_json(edit("late", "/main.py", 0, "zzz", base_version=7))
        (result,) = receive(ws, "ack", re="late")["results"]
    assert result["status"] == "rejected"
    assert result["reason"].startswith("version_mismatch")
    assert "seq" not in result
    after = live.get(f"/api/v1/sessions/{room.session_id}/events").json()["events"]
    assert [e for e in after if e.get("id") == "late:0"] == []
    assert len(after) == len(before)
    assert file_text(live, room.session_id, "/main.py") == "print(1)\n"


def test_rename_and_delete_go_through_the_recording(live: TestClient, room: Room) -> None:
    ops = [
        {"op": "create", "file": "/a.py", "content": "a"},
        {"op": "rename", "file": "/a.py", "to": "/b.py", "base_version": 1},
        {"op": "delete", "file": "/b.py", "base_version": 2},
    ]
    with connect(live, room.session_id, room.candidate_token) as ws:
        receive(ws, "welcome")
        ws.send_json({"type": "file-operation", "id": "tree", "ops": ops})
        results = receive(ws, "ack", re="tree")["results"]
    assert [r["status"] for r in results] == ["stored"] * 3
    assert [r.get("version") for r in results] == [1, 2, None]
    listing = live.get(f"/api/v1/sessions/{room.session_id}/files").json()
    assert "b.py" not in str(listing)
    assert "a.py" not in str(listing)


def test_staff_edits_are_recorded_as_staff(live: TestClient, room: Room) -> None:
    with connect(live, room.session_id, room.staff_token) as ws:
        receive(ws, "welcome")
        ws.send_json(edit("s1", "/main.py", 0, "#", base_version=1))
        receive(ws, "ack", re="s1")
    events = live.get(f"/api/v1/sessions/{room.session_id}/events").json()["events"]
    stored = next(e for e in events if e["id"] == "s1:0")
    assert stored["source"].startswith("staff:key_")


def test_a_staff_write_through_the_files_api_reaches_the_candidate(
    live: TestClient, room: Room
) -> None:
    with connect(live, room.session_id, room.candidate_token) as ws:
        receive(ws, "welcome")
        written = live.put(
            f"/api/v1/sessions/{room.session_id}/files/main.py", json={"content": "print(2)\n"}
        )
        assert written.status_code == 200, written.text
        pushed = receive(ws, "file-operation")
    assert pushed["event"]["type"] == "file_written"
    assert pushed["event"]["file"] == "/main.py"
    assert pushed["event"]["content"] == "print(2)\n"
    assert pushed["event"]["version"] == written.json()["version"] == 2
    assert pushed["source"].startswith("staff:")


def test_client_events_are_recorded_and_a_candidate_cannot_send_notes(
    live: TestClient, room: Room
) -> None:
    events = [
        {"type": "cursor", "file": "/main.py", "offset": 3},
        {"type": "blur"},
        {"type": "paste", "file": "/main.py", "size": 12},
        {"type": "note", "text": "forged"},
        {"type": "execution_result", "execution_id": "exe_x", "status": "accepted"},
    ]
    with connect(live, room.session_id, room.candidate_token) as ws:
        receive(ws, "welcome")
        ws.send_json({"type": "event", "id": "e1", "events": events})
        results = receive(ws, "ack", re="e1")["results"]
    assert [r["status"] for r in results] == ["stored"] * 3 + ["rejected"] * 2
    with connect(live, room.session_id, room.staff_token) as ws:
        receive(ws, "welcome")
        ws.send_json({"type": "event", "id": "n1", "events": [{"type": "note", "text": "ok"}]})
        assert receive(ws, "ack", re="n1")["results"][0]["status"] == "stored"


def test_resume_sends_the_events_after_last_seq_in_order(live: TestClient, room: Room) -> None:
    with connect(live, room.session_id, room.candidate_token) as ws:
        receive(ws, "welcome")
        ws.send_json(edit("r1", "/main.py", 0, "a", base_version=1))
        first = receive(ws, "ack", re="r1")["results"][0]["seq"]
        for n in range(2, 5):
            ws.send_json(edit(f"r{n}", "/main.py", 0, "a", base_version=n))
            receive(ws, "ack", re=f"r{n}")
    with connect(live, room.session_id, room.candidate_token, last_seq=first) as ws:
        welcome = receive(ws, "welcome")
        assert welcome["resumed"] is True
        assert "workspace" not in welcome
        backfill = stored_events(ws, welcome["seq"] - first)
    assert [m["seq"] for m in backfill] == list(range(first + 1, welcome["seq"] + 1))
    assert [m["event"]["id"] for m in backfill][:3] == ["r2:0", "r3:0", "r4:0"]


def test_a_resume_too_far_behind_gets_the_whole_workspace(live: TestClient, room: Room) -> None:
    with connect(live, room.session_id, room.candidate_token, last_seq=10**9) as ws:
        welcome = receive(ws, "welcome")
    assert welcome.get("resumed") is False
    assert welcome["workspace"]["/main.py"]["content"] == "print(1)\n"


def test_ops_after_a_refused_op_of_the_same_message_are_not_applied(
    live: TestClient, room: Room
) -> None:
    """The ops of one message are a chain: the second was typed on top of the first, so
    when a concurrent edit makes the first stale (and brings the file to the second's base
    version), the second must not land on text it was never typed into."""
    with connect(live, room.session_id, room.candidate_token) as ws:
        receive(ws, "welcome")
        ws.send_json(edit("other", "/main.py", 0, "#", base_version=1))  # another tab
        assert receive(ws, "ack", re="other")["results"][0]["version"] == 2
        ws.send_json(
            {
                "type": "file-operation",
                "id": "chain",
                "ops": [
                    {"op": "edit", "file": "/main.py", "offset": 0, "insert": "a",
                     "base_version": 1},
                    {"op": "edit", "file": "/main.py", "offset": 1, "insert": "b",
                     "base_version": 2},
                    {"op": "create", "file": "/other.py", "content": "ok"},
                ],
            }
        )  # fmt: skip
        results = receive(ws, "ack", re="chain")["results"]
    assert [r["status"] for r in results] == ["rejected", "rejected", "stored"]
    assert results[0]["reason"].startswith("version_mismatch")
    assert results[1]["reason"].startswith("not_applied")
    assert file_text(live, room.session_id, "/main.py") == "#print(1)\n"
    assert file_text(live, room.session_id, "/other.py") == "ok"
