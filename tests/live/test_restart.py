"""No keystroke is lost across a server restart.

A real server (``interviewkit serve``, SQLite in tmp_path) is killed with SIGKILL while a
candidate types over the channel with edits in flight. The candidate's client does what
the room does: it recognises its own stored edits by their ids in the stream, and after
reconnecting with ``hello.last_seq`` it re-sends those it did not see stored, with their
original ids. The file then holds exactly what was typed, and the log no edit twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from tests.live.helpers import SUBPROTOCOL, live_url
from tests.server import create_key, running_server

WINDOW = 16
"""Keystrokes in flight at once (sent, not yet seen stored)."""
GUARD_S = 30.0


@dataclass
class Typist:
    """The candidate's side: what was typed, what the server has, what is in flight."""

    token: str
    typed: str = ""
    version: int = 1
    seq: int = 0
    pending: dict[str, dict[str, Any]] = field(default_factory=dict)
    sent: int = 0
    acked: int = 0

    def keystroke(self, char: str) -> dict[str, Any]:
        message_id = f"k{self.sent}"
        self.sent += 1
        op = {"op": "edit", "file": "/main.py", "offset": len(self.typed), "insert": char}
        self.typed += char
        message = {"type": "file-operation", "id": message_id, "ops": [op]}
        self.pending[message_id] = message
        return self.rebased(message, len(self.pending) - 1)

    def rebased(self, message: dict[str, Any], position: int) -> dict[str, Any]:
        """The message on the version the file will be at once those before it apply."""
        (op,) = message["ops"]
        return {**message, "ops": [{**op, "base_version": self.version + position}]}

    def heard(self, message: dict[str, Any]) -> None:
        if message["type"] in ("file-operation", "event"):
            self.seq = message["seq"]
            event = message["event"]
            if event.get("file") == "/main.py" and "version" in event:
                self.version = event["version"]
            own = str(event.get("id") or "").removesuffix(":0")
            self.pending.pop(own, None)
        elif message["type"] == "ack":
            self.acked += 1
            for result in message["results"]:
                assert result["status"] in ("stored", "duplicate"), message
        elif message["type"] == "welcome" and "workspace" in message:
            self.version = message["workspace"]["/main.py"]["version"]
            self.seq = message["seq"]


async def open_channel(base_url: str, session_id: str, typist: Typist) -> ClientConnection:
    url = base_url.replace("http://", "ws://") + live_url(session_id)
    ws = await connect(url, subprotocols=[SUBPROTOCOL, f"bearer.{typist.token}"])  # type: ignore[list-item]
    await ws.send(json.dumps({"type": "hello", "last_seq": typist.seq or None}))
    return ws


async def listen(ws: ClientConnection, typist: Typist, welcome: asyncio.Future[Any]) -> None:
    async for raw in ws:
        message = json.loads(raw)
        typist.heard(message)
        if message["type"] == "welcome" and not welcome.done():
            welcome.set_result(message)


async def type_until_killed(base_url: str, session_id: str, typist: Typist, kill: Any) -> None:
    ws = await open_channel(base_url, session_id, typist)
    welcome: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
    listener = asyncio.create_task(listen(ws, typist, welcome))
    await asyncio.wait_for(welcome, GUARD_S)
    killed = False
    with contextlib.suppress(ConnectionClosed):  # the connection died under a send
        for n in range(100_000):
            while len(typist.pending) >= WINDOW and not listener.done():
                await asyncio.sleep(0.001)
            if listener.done():
                break
            await ws.send(json.dumps(typist.keystroke("abcdefghij\n"[n % 11])))
            if typist.acked >= 60 and not killed:
                kill()  # with keystrokes in flight
                killed = True
    listener.cancel()
    assert killed


async def resume_and_finish(base_url: str, session_id: str, typist: Typist) -> None:
    ws = await open_channel(base_url, session_id, typist)
    welcome: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
    listener = asyncio.create_task(listen(ws, typist, welcome))
    hello = await asyncio.wait_for(welcome, GUARD_S)
    assert hello["resumed"] is True
    async with asyncio.timeout(GUARD_S):
        while typist.seq < hello["seq"]:  # the backfill: our edits stored before the kill
            await asyncio.sleep(0.005)
        for position, message in enumerate(list(typist.pending.values())):
            await ws.send(json.dumps(typist.rebased(message, position)))
        for n in range(30):
            while len(typist.pending) >= WINDOW:
                await asyncio.sleep(0.001)
            await ws.send(json.dumps(typist.keystroke("XYZ"[n % 3])))
        while typist.pending:
            await asyncio.sleep(0.005)
    listener.cancel()
    await ws.close()


def test_no_keystroke_is_lost_across_a_server_kill(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    with running_server(data_dir) as server:
        staff = {"Authorization": f"Bearer {create_key(data_dir)}"}
        api = httpx.Client(base_url=server.base_url, headers=staff, timeout=10)
        session = api.post(
            "/api/v1/sessions", json={"files": [{"path": "/main.py", "content": ""}]}
        ).json()
        token = api.post(f"/api/v1/sessions/{session['id']}/invite", json={}).json()["token"]
        typist = Typist(token)

        def kill() -> None:
            server.process.send_signal(signal.SIGKILL)

        asyncio.run(type_until_killed(server.base_url, session["id"], typist, kill))
        server.process.wait()
    assert typist.pending, "the kill should leave keystrokes in flight"

    with running_server(data_dir) as restarted:
        asyncio.run(resume_and_finish(restarted.base_url, session["id"], typist))
        api = httpx.Client(base_url=restarted.base_url, headers=staff, timeout=10)
        stored = api.get(f"/api/v1/sessions/{session['id']}/files/main.py").json()
        assert stored["content"] == typist.typed
        events = api.get(f"/api/v1/sessions/{session['id']}/events", params={"limit": 5000}).json()[
            "events"
        ]
    ids = [e["id"] for e in events if e["type"] == "edit"]
    assert len(ids) == len(set(ids)) == len(typist.typed)


async def wait_for_close(base_url: str, session_id: str, typist: Typist, stop: Any) -> int:
    ws = await open_channel(base_url, session_id, typist)
    assert json.loads(await ws.recv())["type"] == "welcome"
    stop()
    received = None
    try:
        async with asyncio.timeout(GUARD_S):
            while True:
                await ws.recv()
    except ConnectionClosed as closed:
        received = closed.rcvd
    assert received is not None, "no close frame"
    return received.code


def test_a_server_that_stops_tells_its_clients_to_reconnect_1012(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    with running_server(data_dir) as server:
        staff = {"Authorization": f"Bearer {create_key(data_dir)}"}
        api = httpx.Client(base_url=server.base_url, headers=staff, timeout=10)
        session = api.post("/api/v1/sessions", json={}).json()
        token = api.post(f"/api/v1/sessions/{session['id']}/invite", json={}).json()["token"]

        def stop() -> None:
            server.process.send_signal(signal.SIGTERM)

        code = asyncio.run(wait_for_close(server.base_url, session["id"], Typist(token), stop))
    assert code == 1012
