"""A client that stops reading is dropped with 4408 once its send queue is full: the
server never buffers for it without bound. Over a real server and TCP, since only a real
socket pushes back: the client here is a bare socket with a small receive buffer that
reads nothing until the end (Linux may otherwise buffer tens of megabytes on localhost)."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import httpx
from websockets.client import ClientProtocol
from websockets.frames import Close
from websockets.protocol import State
from websockets.typing import Subprotocol
from websockets.uri import parse_uri

from tests.live.helpers import SUBPROTOCOL, live_url
from tests.server import create_key, running_server

BIG = 256 * 1024


class StalledClient:
    """A WebSocket client over a plain socket (websockets' sans-I/O protocol), so that
    nothing reads behind the test's back."""

    def __init__(self, base_url: str, session_id: str, token: str) -> None:
        url = base_url.replace("http://", "ws://") + live_url(session_id)
        self.protocol = ClientProtocol(
            parse_uri(url),
            subprotocols=[Subprotocol(SUBPROTOCOL), Subprotocol(f"bearer.{token}")],
            max_size=None,
        )
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16 * 1024)
        host, port = base_url.removeprefix("http://").split(":")
        self.sock.connect((host, int(port)))
        self.sock.settimeout(60)
        self.protocol.send_request(self.protocol.connect())
        self._flush()
        while self.protocol.state is State.CONNECTING:
            self._read()

    def _flush(self) -> None:
        for data in self.protocol.data_to_send():
            if data:
                self.sock.sendall(data)

    def _read(self) -> bool:
        data = self.sock.recv(65536)
        if data:
            self.protocol.receive_data(data)
        else:
            self.protocol.receive_eof()
        return bool(data)

    def send(self, message: dict[str, object]) -> None:
        self.protocol.send_text(json.dumps(message).encode())
        self._flush()

    def close_code(self) -> int | None:
        """Read everything (answering the close) until the server's close frame."""
        while self.protocol.close_rcvd is None and self._read():
            self._flush()
        closed: Close | None = self.protocol.close_rcvd
        self.sock.close()
        return closed.code if closed is not None else None


def test_a_client_that_does_not_read_is_dropped_4408(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    with running_server(data_dir, INTERVIEWKIT_LIVE_SEND_QUEUE="8") as server:
        staff = {"Authorization": f"Bearer {create_key(data_dir)}"}
        api = httpx.Client(base_url=server.base_url, headers=staff, timeout=30)
        session = api.post(
            "/api/v1/sessions", json={"files": [{"path": "/main.py", "content": ""}]}
        ).json()
        token = api.post(f"/api/v1/sessions/{session['id']}/invite", json={}).json()["token"]
        client = StalledClient(server.base_url, session["id"], token)
        client.send({"type": "hello"})
        for n in range(80):  # 20 MB for a client that reads nothing
            body = {"content": chr(ord("a") + n % 26) * BIG}
            written = api.put(f"/api/v1/sessions/{session['id']}/files/big.txt", json=body)
            assert written.status_code in (200, 201), written.text
        assert client.close_code() == 4408
