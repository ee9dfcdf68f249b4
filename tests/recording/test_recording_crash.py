"""Acknowledged events survive SIGKILL mid-ingest, and replay stays consistent."""

from __future__ import annotations

import signal
import threading
import time
from pathlib import Path
from typing import Any

import httpx

from interviewkit.recording.events import replay
from tests.server import create_key, running_server

BATCH = 50


def _typist(
    api: httpx.Client, session_id: str, acknowledged: list[str], stop: threading.Event
) -> None:
    """Type into /main.py batch after batch, noting every event id the server acknowledged."""
    length = 0
    batch_no = 0
    while not stop.is_set():
        events = []
        for i in range(BATCH):
            char = "abcdefghij\n"[(batch_no * BATCH + i) % 11]
            events.append(
                {
                    "id": f"b{batch_no}-{i}",
                    "type": "edit",
                    "file": "/main.py",
                    "offset": length + i,
                    "insert": char,
                }
            )
        try:
            response = api.post(f"/api/v1/sessions/{session_id}/events", json={"events": events})
        except httpx.HTTPError:
            return  # the server died mid-request: this batch was never acknowledged
        if response.status_code != 200:
            return
        body = response.json()
        assert body["stored"] == BATCH, body
        acknowledged.extend(str(event["id"]) for event in events)
        length += BATCH
        batch_no += 1


def test_acknowledged_events_survive_a_kill_mid_ingest(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    acknowledged: list[str] = []
    with running_server(data_dir) as server:
        headers = {"Authorization": f"Bearer {create_key(data_dir)}"}
        api = httpx.Client(base_url=server.base_url, headers=headers, timeout=10)
        session = api.post(
            "/api/v1/sessions", json={"files": [{"path": "/main.py", "content": ""}]}
        ).json()
        stop = threading.Event()
        typist = threading.Thread(target=_typist, args=(api, session["id"], acknowledged, stop))
        typist.start()
        deadline = time.monotonic() + 30
        while len(acknowledged) < 20 * BATCH and time.monotonic() < deadline:
            time.sleep(0.01)
        server.process.send_signal(signal.SIGKILL)  # while the typist is mid-batch
        server.process.wait()
        stop.set()
        typist.join(timeout=30)
    assert len(acknowledged) >= 20 * BATCH

    with running_server(data_dir) as restarted:
        api = httpx.Client(base_url=restarted.base_url, headers=headers, timeout=10)
        events: list[dict[str, Any]] = []
        following: int | None = 1
        while following is not None:
            page = api.get(
                f"/api/v1/sessions/{session['id']}/events",
                params={"from_seq": following, "limit": 5000},
            ).json()
            events += page["events"]
            following = page["next_from_seq"]
        assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
        stored_ids = [e["id"] for e in events if e["type"] == "edit"]
        assert stored_ids[: len(acknowledged)] == acknowledged  # all of them, in order
        final = api.get(f"/api/v1/sessions/{session['id']}/replay", params={"at_ms": 10**9}).json()[
            "files"
        ]
        assert final == replay({}, events)
        assert len(final["/main.py"]) == len(stored_ids)
