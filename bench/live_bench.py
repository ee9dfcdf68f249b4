"""Keystroke-to-ack latency of the live channel with many rooms typing at once.

A load generator speaking the channel protocol (docs/live-protocol.md) with the
``websockets`` client: ``--rooms`` sessions, one candidate connection each, every room
typing one keystroke every 100-200 ms. A keystroke is an ``edit`` op in a
``file-operation`` message whose ``base_version`` is the version the last ack answered;
keystrokes typed while an edit is unacknowledged wait and go out together when the ack
arrives (the CodeMirror collab client does the same), so each keystroke's latency is from
the moment it was "typed" to the ack that stored it.

Baselines, measured in the same run on the same server:

* ``solo``: one room typing alone (what one keystroke costs with no load);
* ``pong``: a ``ping`` -> ``pong`` round trip on every connection once a second during the
  load, the channel's floor (same sockets, same event loop, no database).

What limits it: the server process's CPU over the loaded phase (1.0 is one core; the event
loop is one thread and Python's GIL serialises the rest), split into its main thread (the
event loop: frames, JSON, fan-out) and its other threads (the database work the channel
hands to worker threads); and the cost of one keystroke's ingest timed in this process
(``RecordingService.ingest`` of one edit on a database configured like the server's), which
bounds how many keystrokes per second one writer can store.

One JSON document goes to stdout; progress goes to stderr. The server runs on SQLite in a
temporary data dir unless ``--database-url`` names another (e.g. PostgreSQL).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import itertools
import json
import os
import pstats
import random
import re
import resource
import statistics
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console
from websockets.asyncio.client import ClientConnection, connect
from websockets.typing import Subprotocol

from api_bench import (
    create_api_key,
    free_port,
    interviewkit_command,
    machine,
    server_env,
    setting_pair,
    stop,
    wait_until_healthy,
)

console = Console(stderr=True)
FILE = "/solution.py"
TARGET_P95_MS = 50.0
TYPED = "def solve(values):\n    return sorted(values)\n"


@dataclass
class Room:
    """One candidate's connection and what it measured."""

    session_id: str
    token: str
    version: int = 0
    length: int = 0
    waiting: list[float] = field(default_factory=list)  # typed, not sent yet
    in_flight: tuple[str, list[float]] | None = None  # message id, typing times
    latencies: list[float] = field(default_factory=list)  # ms, measured phase only
    pongs: list[float] = field(default_factory=list)
    pings: dict[str, float] = field(default_factory=dict)
    rejected: int = 0
    messages: int = 0  # file-operation messages acknowledged while measuring
    errors: list[str] = field(default_factory=list)
    measuring: bool = False
    counter: Iterator[int] = field(default_factory=itertools.count)


# ---- the server ---------------------------------------------------------------------------


@contextmanager
def server(
    data_dir: Path, database_url: str | None, log_path: Path, settings: dict[str, str]
) -> Iterator[tuple[str, int, str]]:
    """(base URL, process id, interviewer key) of a healthy ``interviewkit serve``."""
    base = interviewkit_command(data_dir, database_url)
    key = create_api_key(base, data_dir.parent, settings)
    port = free_port()
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [*base, "serve", "--host", "127.0.0.1", "--port", str(port)],
            cwd=data_dir.parent,
            env=server_env(settings),
            stdout=log,
            stderr=log,
        )
        try:
            url = f"http://127.0.0.1:{port}"
            wait_until_healthy(process, url, log)
            yield url, process.pid, key
        finally:
            stop(process)


def cpu_seconds(pid: int) -> tuple[float, float]:
    """CPU seconds (user + system) of the process's main thread and of all its threads."""
    tick = os.sysconf("SC_CLK_TCK")

    def stat(path: Path) -> float:
        fields = path.read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / tick

    main = stat(Path(f"/proc/{pid}/task/{pid}/stat"))
    return main, stat(Path(f"/proc/{pid}/stat"))


def own_cpu_seconds() -> float:
    """CPU seconds this load generator has used (it shares the machine with the server)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def make_rooms(url: str, key: str, count: int) -> list[Room]:
    async with httpx.AsyncClient(
        base_url=url, headers={"Authorization": f"Bearer {key}"}, timeout=60
    ) as http:

        async def one(index: int) -> Room:
            body = {"candidate_name": f"Bench {index}", "files": [{"path": FILE, "content": ""}]}
            created = (await http.post("/api/v1/sessions", json=body)).json()
            answer = await http.post(f"/api/v1/sessions/{created['id']}/invite", json={})
            return Room(created["id"], answer.json()["token"])

        return list(await asyncio.gather(*(one(index) for index in range(count))))


# ---- one room ------------------------------------------------------------------------------


async def open_room(url: str, room: Room) -> ClientConnection:
    """Connect with the token in the subprotocol header, read the welcome."""
    address = url.replace("http://", "ws://") + f"/api/v1/sessions/{room.session_id}/live"
    offered = [Subprotocol("interviewkit.v1"), Subprotocol(f"bearer.{room.token}")]
    socket = await connect(address, subprotocols=offered, max_size=None)
    await socket.send(json.dumps({"type": "hello"}))
    while True:
        message = json.loads(await socket.recv())
        if message["type"] == "welcome":
            state = (message.get("workspace") or {}).get(FILE, {"content": "", "version": 0})
            room.version, room.length = state["version"], len(state["content"])
            return socket
        if message["type"] == "error":
            raise RuntimeError(f"no welcome: {message}")


async def flush(socket: ClientConnection, room: Room) -> None:
    """Send what was typed as one edit on the last acknowledged version."""
    if room.in_flight is not None or not room.waiting:
        return
    message_id = f"k{next(room.counter)}"
    text = "".join(TYPED[(room.length + i) % len(TYPED)] for i in range(len(room.waiting)))
    op = {
        "op": "edit",
        "file": FILE,
        "offset": room.length,
        "insert": text,
        "base_version": room.version,
    }
    room.in_flight, room.waiting = (message_id, room.waiting), []
    await socket.send(json.dumps({"type": "file-operation", "id": message_id, "ops": [op]}))
    room.length += len(text)


async def read(socket: ClientConnection, room: Room) -> None:
    async for raw in socket:
        message = json.loads(raw)
        kind = message["type"]
        now = time.perf_counter()
        if kind == "ack" and room.in_flight and message["re"] == room.in_flight[0]:
            result = message["results"][0]
            if result["status"] == "rejected":
                room.rejected += 1
                room.length -= len(room.in_flight[1])
            else:
                room.version = max(room.version, result.get("version") or room.version)
            if room.measuring:
                room.latencies += [(now - typed) * 1000 for typed in room.in_flight[1]]
                room.messages += 1
            room.in_flight = None
            await flush(socket, room)
        elif kind == "pong" and message.get("re") in room.pings:
            sent = room.pings.pop(message["re"])
            if room.measuring:
                room.pongs.append((now - sent) * 1000)
        elif kind == "ping":
            await socket.send(json.dumps({"type": "pong"}))
        elif kind == "file-operation" and message["event"].get("file") == FILE:
            room.version = max(room.version, message["event"].get("version") or 0)
        elif kind == "error":
            room.errors.append(f"{message.get('code')}: {message.get('detail')}")


async def type_in(
    socket: ClientConnection, room: Room, until: float, measure_from: float, ping: bool
) -> None:
    """A keystroke every 100-200 ms (and a ping every second) until ``until``."""
    rng = random.Random(room.session_id)
    next_ping = time.perf_counter() + rng.random()
    while (now := time.perf_counter()) < until:
        room.measuring = now >= measure_from
        room.waiting.append(now)
        await flush(socket, room)
        if ping and now >= next_ping:
            ping_id = f"p{next(room.counter)}"
            room.pings[ping_id] = time.perf_counter()
            await socket.send(json.dumps({"type": "ping", "id": ping_id}))
            next_ping = now + 1.0
        await asyncio.sleep(rng.uniform(0.1, 0.2))
    room.measuring = False


async def typing(
    url: str, rooms: list[Room], seconds: float, warmup: float, ping: bool
) -> dict[str, Any]:
    sockets = await asyncio.gather(*(open_room(url, room) for room in rooms))
    readers = [asyncio.create_task(read(s, r)) for s, r in zip(sockets, rooms, strict=True)]
    start = time.perf_counter()
    until, measure_from = start + warmup + seconds, start + warmup
    await asyncio.gather(
        *(type_in(s, r, until, measure_from, ping) for s, r in zip(sockets, rooms, strict=True))
    )
    await asyncio.sleep(0.5)  # the last acks
    for socket in sockets:
        await socket.close()
    for reader in readers:
        reader.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await reader
    latencies = [value for room in rooms for value in room.latencies]
    pongs = [value for room in rooms for value in room.pongs]
    messages = sum(room.messages for room in rooms)
    return {
        "rooms": len(rooms),
        "keystrokes_acked": len(latencies),
        "acks_per_s": round(len(latencies) / seconds, 1),
        "messages_per_s": round(messages / seconds, 1),
        "keystrokes_per_message": round(len(latencies) / messages, 2) if messages else None,
        "ack_ms": percentiles(latencies),
        "pong_ms": percentiles(pongs) if pongs else None,
        "rejected": sum(room.rejected for room in rooms),
        "errors": sorted({error for room in rooms for error in room.errors})[:10],
    }


def percentiles(samples: list[float]) -> dict[str, float] | None:
    if len(samples) < 2:
        return None
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return {
        "p50": round(cuts[49], 2),
        "p95": round(cuts[94], 2),
        "p99": round(cuts[98], 2),
        "max": round(max(samples), 2),
    }


# ---- the storage floor ---------------------------------------------------------------------


def ingest_floor(
    database_url: str | None, settings: dict[str, str], keystrokes: int = 300
) -> dict[str, Any]:
    """One keystroke's ``RecordingService.ingest`` timed here, on a fresh database set up
    like the server's: the serial cost of storing an edit, without the channel; then the
    same ingests again under cProfile, for where that time goes (by package)."""
    from interviewkit.app import Container
    from interviewkit.config import Settings
    from interviewkit.migrations import upgrade
    from interviewkit.sessions.service import NewFile, SessionDraft

    with tempfile.TemporaryDirectory(prefix="ik-live-ingest-") as folder:
        values: dict[str, Any] = {**settings, "data_dir": Path(folder)}
        configured = Settings(_env_file=None, database_url=database_url, **values)
        container = Container.build(configured)
        try:
            upgrade(container.engine)
            draft = SessionDraft(candidate_name="floor", files=[NewFile(FILE, "")])
            session_id = container.sessions.create_session(draft).id
            state = {"version": 1, "n": 0}

            def keystroke() -> None:
                event = {
                    "type": "edit",
                    "id": f"f{state['n']}:0",
                    "file": FILE,
                    "offset": state["n"],
                    "delete": 0,
                    "insert": "x",
                    "base_version": state["version"],
                }
                outcome = container.recording.ingest(session_id, [event], "candidate")[0]
                state["version"] = outcome.version or state["version"] + 1
                state["n"] += 1

            times = []
            for _ in range(keystrokes):
                started = time.perf_counter()
                keystroke()
                times.append((time.perf_counter() - started) * 1000)
            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(keystrokes):
                keystroke()
            profiler.disable()
        finally:
            container.executions.close()
            container.recording.close()
            container.engine.dispose()
    ms = percentiles(times[20:]) or {}
    return {
        "ingest_ms": ms,
        "serial_capacity_per_s": round(1000 / ms["p50"]) if ms else None,
        "self_time_ms_per_ingest_by_package": by_package(profiler, keystrokes),
    }


def by_package(profiler: cProfile.Profile, calls: int, top: int = 8) -> dict[str, float]:
    """Self time per call of ``calls``, summed by package (sqlalchemy, pydantic, sqlite3 C
    calls, interviewkit...): which layer a keystroke's storing spends its time in."""
    totals: dict[str, float] = {}
    stats = pstats.Stats(profiler)
    for (filename, _, name), row in stats.stats.items():  # type: ignore[attr-defined]
        self_seconds = row[2]
        if filename == "~":  # a C function: name it by its type ("sqlite3.Connection")
            found = re.search(r"of '([^']+)'", name)
            package = found.group(1) if found else "builtins"
        else:
            parts = Path(filename).parts
            anchor = "site-packages" if "site-packages" in parts else None
            if anchor:
                package = parts[parts.index(anchor) + 1]
            elif "interviewkit" in parts:
                package = "interviewkit." + Path(parts[parts.index("interviewkit") + 1]).stem
            else:
                package = "stdlib:" + Path(filename).stem
        totals[package] = totals.get(package, 0.0) + self_seconds
    ranked = sorted(totals.items(), key=lambda item: -item[1])[:top]
    return {package: round(seconds * 1000 / calls, 3) for package, seconds in ranked}


# ---- main ----------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rooms", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=20.0, help="measured typing")
    parser.add_argument("--warmup", type=float, default=3.0, help="typing before measuring")
    parser.add_argument("--database-url", help="SQLAlchemy URL (default: SQLite in a temp dir)")
    parser.add_argument("--output", type=Path, help="also write the JSON document here")
    parser.add_argument(
        "--setting",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a server setting, e.g. sqlite_synchronous=NORMAL (repeatable)",
    )
    args = parser.parse_args(argv)
    args.settings = dict(setting_pair(text) for text in args.setting)
    return args


async def run(args: argparse.Namespace, folder: Path) -> dict[str, Any]:
    log = folder / "server.log"
    with server(folder / "data", args.database_url, log, args.settings) as (url, pid, key):
        console.print(f"server {url} (pid {pid}); creating {args.rooms + 1} sessions")
        rooms = await make_rooms(url, key, args.rooms + 1)
        console.print("solo: one room typing alone")
        solo = await typing(url, rooms[:1], args.seconds, args.warmup, ping=True)
        console.print(f"load: {args.rooms} rooms typing at once for {args.seconds} s")
        main_before, all_before = cpu_seconds(pid)
        client_before, load_average = own_cpu_seconds(), os.getloadavg()[0]
        wall_before = time.perf_counter()
        load = await typing(url, rooms[1:], args.seconds, args.warmup, ping=True)
        wall = time.perf_counter() - wall_before
        main_after, all_after = cpu_seconds(pid)
        client_cores = (own_cpu_seconds() - client_before) / wall
    console.print("storage floor: one keystroke's ingest, timed in-process")
    floor = ingest_floor(args.database_url, args.settings)
    cpu_total = (all_after - all_before) / wall
    cpu_main = (main_after - main_before) / wall
    load["server_cpu"] = {
        "cores_used": round(cpu_total, 2),
        "main_thread_cores": round(cpu_main, 2),
        "other_threads_cores": round(cpu_total - cpu_main, 2),
    }
    load["load_generator_cores"] = round(client_cores, 2)
    if load["messages_per_s"]:
        load["server_cpu_ms_per_message"] = round(cpu_total * 1000 / load["messages_per_s"], 2)
    load["machine"] = {"cpu_count": os.cpu_count(), "load_average_1m_at_start": load_average}
    p95 = (load["ack_ms"] or {}).get("p95")
    return {
        "solo": solo,
        "load": load,
        "storage_floor": floor,
        "ratios": {
            "load_ack_p95_vs_solo_ack_p95": ratio(p95, (solo["ack_ms"] or {}).get("p95")),
            "load_ack_p95_vs_load_pong_p95": ratio(p95, (load["pong_ms"] or {}).get("p95")),
            "messages_per_s_vs_serial_ingest_capacity": ratio(
                load["messages_per_s"], floor["serial_capacity_per_s"]
            ),
        },
        "target": {"ack_p95_ms": TARGET_P95_MS, "met": p95 is not None and p95 <= TARGET_P95_MS},
    }


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    if not numerator or not denominator:
        return None
    return round(numerator / denominator, 2)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="ik-live-bench-") as folder:
        results = asyncio.run(run(args, Path(folder)))
    database = "sqlite (temporary data dir)" if not args.database_url else "given"
    document = {"machine": machine(), "database": database, "config": vars(args), **results}
    text = json.dumps(document, indent=2, default=str)
    print(text)
    if args.output:
        args.output.write_text(text + "\n")


if __name__ == "__main__":
    main()
