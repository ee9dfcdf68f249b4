"""Helpers the recording tests share: a session's start and batches of typed events.

Kept out of the test modules so that tests import helpers, never other tests.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi.testclient import TestClient


def session_start_ms(client: TestClient, session_id: str) -> int:
    created = client.get(f"/api/v1/sessions/{session_id}").json()["created_at"]
    return int(datetime.fromisoformat(created.replace("Z", "+00:00")).timestamp() * 1000)


def post(client: TestClient, session_id: str, events: list[dict[str, Any]]) -> Any:
    return client.post(f"/api/v1/sessions/{session_id}/events", json={"events": events})


def stored(client: TestClient, session_id: str, events: list[dict[str, Any]]) -> dict[str, Any]:
    response = post(client, session_id, events)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def typing(start: int, file: str = "/solution.py") -> list[dict[str, Any]]:
    """``def f():`` typed at one key per 100 ms, a typo fixed, from ``start`` ms."""
    events = []
    text = "def f():"
    for i, char in enumerate(text):
        events.append(
            {
                "id": f"k{i}",
                "type": "edit",
                "file": file,
                "offset": i,
                "insert": char,
                "ts": start + 100 * i,
            }
        )
    events.append(
        {"id": "typo", "type": "edit", "file": file, "offset": 8, "insert": "x", "ts": start + 900}
    )
    events.append(
        {"id": "fix", "type": "edit", "file": file, "offset": 8, "delete": 1, "ts": start + 1000}
    )
    return events
