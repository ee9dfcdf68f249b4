"""Talking to the live channel from tests: connect, read until a message, read a close."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi.testclient import TestClient
from starlette.testclient import WebSocketTestSession
from starlette.websockets import WebSocketDisconnect

SUBPROTOCOL = "interviewkit.v1"


def live_url(session_id: str) -> str:
    return f"/api/v1/sessions/{session_id}/live"


@contextmanager
def connect(
    client: TestClient,
    session_id: str,
    token: str | None,
    *,
    in_hello: bool = False,
    **hello: Any,
) -> Iterator[WebSocketTestSession]:
    """Open the channel with ``token`` in the subprotocol (or in ``hello``) and say hello."""
    protocols = [SUBPROTOCOL]
    if token is not None and not in_hello:
        protocols.append(f"bearer.{token}")
    elif token is not None:
        hello["token"] = token
    with client.websocket_connect(live_url(session_id), subprotocols=protocols) as ws:
        ws.send_json({"type": "hello", **hello})
        yield ws


def receive(ws: WebSocketTestSession, kind: str, limit: int = 200, **match: Any) -> dict[str, Any]:
    """The next message of type ``kind`` (with the given field values), skipping others."""
    for _ in range(limit):
        message: dict[str, Any] = ws.receive_json()
        if message["type"] == kind and all(message.get(k) == v for k, v in match.items()):
            return message
    raise AssertionError(f"no {kind} message {match} in {limit} messages")


def close_code(ws: WebSocketTestSession, limit: int = 200) -> int:
    """Read until the server closes; the close code."""
    try:
        for _ in range(limit):
            ws.receive_text()
    except WebSocketDisconnect as closed:
        return closed.code
    raise AssertionError("the server did not close the connection")


def stored_events(ws: WebSocketTestSession, count: int) -> list[dict[str, Any]]:
    """The next ``count`` stored events pushed (file-operation or event), in arrival order."""
    found: list[dict[str, Any]] = []
    while len(found) < count:
        message = ws.receive_json()
        if message["type"] in ("file-operation", "event"):
            found.append(message)
    return found


def edit(
    message_id: str, file: str, offset: int, insert: str, base_version: int, delete: int = 0
) -> dict[str, Any]:
    op = {
        "op": "edit",
        "file": file,
        "offset": offset,
        "delete": delete,
        "insert": insert,
        "base_version": base_version,
    }
    return {"type": "file-operation", "id": message_id, "ops": [op]}


def dumps(message: dict[str, Any]) -> str:
    return json.dumps(message)
