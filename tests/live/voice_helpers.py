"""Reading a voice client's side of the live channel: JSON messages and audio frames in
order, with a timeout (tests/live/test_voice_channel.py and tests/voice/ share them)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import anyio
from starlette.testclient import WebSocketTestSession

from interviewkit.live.protocol import AUDIO_LAST, AudioChunk, unpack_audio


@dataclass
class Heard:
    """Everything one voice client received, in order: JSON messages and audio frames."""

    messages: list[dict[str, Any]] = field(default_factory=list)
    audio: list[AudioChunk] = field(default_factory=list)
    order: list[dict[str, Any] | AudioChunk] = field(default_factory=list)


def receive_any(ws: WebSocketTestSession, timeout: float = 60.0) -> dict[str, Any] | AudioChunk:
    """The next message, text or binary, failing after ``timeout`` seconds instead of
    hanging (the test client's own receive has no timeout, so read its stream)."""

    async def get() -> Any:
        with anyio.fail_after(timeout):
            return await ws._send_rx.receive()

    message = ws.portal.call(get)
    if message["type"] == "websocket.close":
        raise AssertionError(f"the server closed the channel: {message}")
    if message.get("bytes") is not None:
        return unpack_audio(message["bytes"])
    parsed: dict[str, Any] = json.loads(message["text"])
    return parsed


def read_until(
    ws: WebSocketTestSession,
    heard: Heard,
    wanted: Callable[[dict[str, Any] | AudioChunk], bool],
    limit: int = 5000,
) -> dict[str, Any] | AudioChunk:
    for _ in range(limit):
        item = receive_any(ws)
        heard.order.append(item)
        if isinstance(item, AudioChunk):
            heard.audio.append(item)
        else:
            heard.messages.append(item)
        if wanted(item):
            return item
    raise AssertionError("the wanted message never came")


def is_type(kind: str, **match: Any) -> Callable[[dict[str, Any] | AudioChunk], bool]:
    def check(item: dict[str, Any] | AudioChunk) -> bool:
        if isinstance(item, AudioChunk):
            return False
        return item.get("type") == kind and all(item.get(k) == v for k, v in match.items())

    return check


def last_frame(item: dict[str, Any] | AudioChunk) -> bool:
    return isinstance(item, AudioChunk) and bool(item.flags & AUDIO_LAST)


def start_voice(ws: WebSocketTestSession, heard: Heard, message_id: str = "v1") -> dict[str, Any]:
    ws.send_json({"type": "voice", "id": message_id, "action": "start"})
    state = read_until(ws, heard, is_type("voice", re=message_id))
    assert isinstance(state, dict)
    return state
