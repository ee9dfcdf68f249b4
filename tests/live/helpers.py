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


class Channel:
    """A test client of the channel that keeps what it skipped: reading an ack never
    loses the stored events that arrived before it."""

    def __init__(self, ws: WebSocketTestSession) -> None:
        self.ws = ws
        self.inbox: list[dict[str, Any]] = []

    def send_json(self, message: Any) -> None:
        self.ws.send_json(message)

    def send_text(self, text: str) -> None:
        self.ws.send_text(text)

    def send_bytes(self, data: bytes) -> None:
        self.ws.send_bytes(data)

    def receive_json(self) -> dict[str, Any]:
        if self.inbox:
            kept: dict[str, Any] = self.inbox.pop(0)
            return kept
        message: dict[str, Any] = self.ws.receive_json()
        return message

    def take(self, wanted: Any, limit: int = 500) -> dict[str, Any]:
        """The first message (kept or new) for which ``wanted`` is true."""
        for index, message in enumerate(self.inbox):
            if wanted(message):
                return self.inbox.pop(index)
        for _ in range(limit):
            received: dict[str, Any] = self.ws.receive_json()
            if wanted(received):
                return received
            self.inbox.append(received)
        raise AssertionError(f"no wanted message in {limit}: {self.inbox[-5:]}")


@contextmanager
def connect(
    client: TestClient,
    session_id: str,
    token: str | None,
    *,
    in_hello: bool = False,
    **hello: Any,
) -> Iterator[Channel]:
    """Open the channel with ``token`` in the subprotocol (or in ``hello``) and say hello."""
    protocols = [SUBPROTOCOL]
    if token is not None and not in_hello:
        protocols.append(f"bearer.{token}")
    elif token is not None:
        hello["token"] = token
    with client.websocket_connect(live_url(session_id), subprotocols=protocols) as ws:
        ws.send_json({"type": "hello", **hello})
        yield Channel(ws)


def receive(ws: Channel, kind: str, **match: Any) -> dict[str, Any]:
    """The first message of type ``kind`` (with the given field values); others are kept."""
    return ws.take(lambda m: m["type"] == kind and all(m.get(k) == v for k, v in match.items()))


def close_code(ws: Channel | WebSocketTestSession, limit: int = 500) -> int:
    """Read until the server closes; the close code."""
    raw = ws.ws if isinstance(ws, Channel) else ws
    try:
        for _ in range(limit):
            raw.receive_text()
    except WebSocketDisconnect as closed:
        return closed.code
    raise AssertionError("the server did not close the connection")


def stored_events(ws: Channel, count: int) -> list[dict[str, Any]]:
    """The next ``count`` stored events pushed (file-operation or event), in arrival order."""
    return [ws.take(lambda m: m["type"] in ("file-operation", "event")) for _ in range(count)]


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
