"""Two real server processes behind one deployment: PostgreSQL shared, Redis as the broker.

A candidate connected to process A and an interviewer connected to process B see each
other's edits live, in seq order and without gaps, and each other in presence. The hub
never polls the database on its own, so an event made on B reaches a client of A only
through the Redis broker: this is the test that it does.
"""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine
from websockets.sync.client import ClientConnection, connect

from interviewkit.migrations import upgrade
from tests.conftest import TEST_SECRET, private_postgres_schema
from tests.live.helpers import SUBPROTOCOL, edit, live_url
from tests.live.redis_service import require_redis
from tests.server import INTERVIEWKIT, Server, clean_env, running_server

pytestmark = pytest.mark.postgres

RECEIVE_GUARD_S = 30  # a lost message fails the test instead of hanging it
Message = dict[str, Any]


@dataclass
class Cluster:
    a: Server
    b: Server
    staff_key: str

    def http(self, server: Server) -> httpx.Client:
        headers = {"Authorization": f"Bearer {self.staff_key}"}
        return httpx.Client(base_url=server.base_url, headers=headers, timeout=30)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    """Both processes, started once for the module (each test makes its own session)."""
    redis_url = require_redis()
    with private_postgres_schema("ik_two") as database_url:
        engine = create_engine(database_url)
        upgrade(engine)
        engine.dispose()
        env: dict[str, Any] = {
            "INTERVIEWKIT_DATABASE_URL": database_url,
            "INTERVIEWKIT_BROKER": "redis",
            "INTERVIEWKIT_REDIS_URL": redis_url,
            "INTERVIEWKIT_SECRET_KEY": TEST_SECRET,  # both processes verify each other's tokens
            "INTERVIEWKIT_EXEC_WARM_POOL": "0",  # nothing runs code here: start light
        }
        data_dir = tmp_path_factory.mktemp("two-processes") / "data"
        data_dir.mkdir()
        key = create_staff_key(data_dir, env)
        with running_server(data_dir, **env) as a, running_server(data_dir, **env) as b:
            yield Cluster(a, b, key)


def create_staff_key(data_dir: Path, env: dict[str, Any]) -> str:
    done = subprocess.run(
        [str(INTERVIEWKIT), "keys", "create", "--name", "two processes", "--quiet"],
        env=clean_env(INTERVIEWKIT_DATA_DIR=str(data_dir), **env),
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


class Peer:
    """One live connection and every stored event it was pushed, in arrival order."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.events: list[Message] = []

    def send(self, message: Message) -> None:
        self.ws.send(json.dumps(message))

    def until(self, wanted: Callable[[Message], bool]) -> Message:
        """The next message ``wanted`` accepts; stored events are kept on the way."""
        deadline = time.monotonic() + RECEIVE_GUARD_S
        while time.monotonic() < deadline:
            message: Message = json.loads(self.ws.recv(timeout=RECEIVE_GUARD_S))
            if message["type"] in ("file-operation", "event"):
                self.events.append(message)
            if wanted(message):
                return message
        raise AssertionError("the awaited message never came")

    def stored(self, count: int) -> list[Message]:
        """The first ``count`` stored events pushed (waiting for them if needed)."""
        while len(self.events) < count:
            self.until(lambda m: m["type"] in ("file-operation", "event"))
        return self.events[:count]

    def stored_ids(self, prefix: str, count: int) -> list[Message]:
        """The stored events whose ids start with ``prefix`` (waiting for ``count``)."""

        def mine() -> list[Message]:
            return [m for m in self.events if m["event"]["id"].startswith(prefix)]

        while len(mine()) < count:
            self.until(lambda m: m["type"] in ("file-operation", "event"))
        return mine()


@contextmanager
def channel(server: Server, session_id: str, credential: str) -> Iterator[Peer]:
    """The live channel of ``session_id`` on ``server``, after hello."""
    url = server.base_url.replace("http://", "ws://", 1) + live_url(session_id)
    protocols: Any = [SUBPROTOCOL, f"bearer.{credential}"]
    with connect(url, subprotocols=protocols, proxy=None, open_timeout=RECEIVE_GUARD_S) as ws:
        ws.send(json.dumps({"type": "hello"}))
        yield Peer(ws)


def of_type(kind: str, **fields: Any) -> Callable[[Message], bool]:
    return lambda m: m["type"] == kind and all(m.get(k) == v for k, v in fields.items())


def new_room(cluster: Cluster, server: Server) -> tuple[str, str]:
    """A session made through ``server`` with /main.py; its id and the candidate token."""
    with cluster.http(server) as http:
        files = [{"path": "/main.py", "content": "print(1)\n"}]
        created = http.post("/api/v1/sessions", json={"files": files})
        assert created.status_code == 201, created.text
        session_id: str = created.json()["id"]
        invited = http.post(f"/api/v1/sessions/{session_id}/invite")
        assert invited.status_code == 201, invited.text
    return session_id, invited.json()["token"]


def type_text(peer: Peer, prefix: str, text: str, offset: int, version: int) -> None:
    """Type ``text`` one character per message, each on the version the last one made."""
    for n, char in enumerate(text):
        peer.send(edit(f"{prefix}{n}", "/main.py", offset + n, char, base_version=version + n))
    for n in range(len(text)):
        ack = peer.until(of_type("ack", re=f"{prefix}{n}"))
        assert [r["status"] for r in ack["results"]] == ["stored"], ack


def assert_in_order(events: list[Message], after: int, ids: list[str]) -> None:
    """The events are the ones with ``ids``, at consecutive seqs right after ``after``."""
    assert [m["event"]["id"] for m in events] == ids
    assert [m["seq"] for m in events] == list(range(after + 1, after + 1 + len(ids)))


def test_an_edit_made_on_one_process_reaches_a_client_of_the_other_in_order(
    cluster: Cluster,
) -> None:
    session_id, candidate_token = new_room(cluster, cluster.a)
    with channel(cluster.a, session_id, candidate_token) as candidate:
        welcome = candidate.until(of_type("welcome"))
        version = welcome["workspace"]["/main.py"]["version"]
        with channel(cluster.b, session_id, cluster.staff_key) as staff:
            assert staff.until(of_type("welcome"))["seq"] == welcome["seq"]
            type_text(staff, "s", "# staff\n", 0, version)
            staff_typed = candidate.stored(len("# staff\n"))
            assert_in_order(staff_typed, welcome["seq"], [f"s{n}:0" for n in range(8)])
            assert [m["event"]["version"] for m in staff_typed] == list(
                range(version + 1, version + 9)
            )
            assert {m["source"] for m in staff_typed} == {staff_typed[0]["source"]}
            assert staff_typed[0]["source"].startswith("staff")

            # and back: the candidate types on A, the interviewer on B sees it
            after = staff_typed[-1]["seq"]
            type_text(candidate, "c", "ok", 8, version + 8)
            candidate_typed = staff.stored_ids("c", 2)
            assert_in_order(candidate_typed, after, ["c0:0", "c1:0"])
            assert all(m["source"] == "candidate" for m in candidate_typed)

    with cluster.http(cluster.a) as http:
        shown = http.get(f"/api/v1/sessions/{session_id}/files/main.py")
    assert shown.json()["content"] == "# staff\nokprint(1)\n"


def test_a_file_written_over_http_on_one_process_reaches_the_other(cluster: Cluster) -> None:
    session_id, candidate_token = new_room(cluster, cluster.a)
    with channel(cluster.a, session_id, candidate_token) as candidate:
        welcome = candidate.until(of_type("welcome"))
        with cluster.http(cluster.b) as http:
            written = http.put(
                f"/api/v1/sessions/{session_id}/files/notes.md", json={"content": "hi\n"}
            )
            assert written.status_code == 201, written.text
            replaced = http.put(
                f"/api/v1/sessions/{session_id}/files/notes.md", json={"content": "yo\n"}
            )
            assert replaced.status_code == 200, replaced.text
        pushed = candidate.stored(2)
    assert [m["seq"] for m in pushed] == [welcome["seq"] + 1, welcome["seq"] + 2]
    assert all(m["type"] == "file-operation" for m in pushed)
    assert [m["event"]["file"] for m in pushed] == ["/notes.md", "/notes.md"]
    assert [m["event"].get("content") for m in pushed] == ["hi\n", "yo\n"]


def test_presence_shows_the_participants_of_both_processes(cluster: Cluster) -> None:
    session_id, candidate_token = new_room(cluster, cluster.a)
    with channel(cluster.a, session_id, candidate_token) as candidate:
        candidate.until(of_type("welcome"))
        with channel(cluster.b, session_id, cluster.staff_key) as staff:
            staff.until(of_type("welcome"))
            both = lambda m: m["type"] == "presence" and roles(m) == ["candidate", "staff"]  # noqa: E731
            candidate.until(both)
            staff.until(both)
        alone = lambda m: m["type"] == "presence" and roles(m) == ["candidate"]  # noqa: E731
        candidate.until(alone)


def roles(presence: Message) -> list[str]:
    return sorted(p["role"] for p in presence["participants"])
