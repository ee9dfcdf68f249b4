"""Live view lag: a candidate's keystroke to the interviewer watching, with many sessions.

``--sessions`` watched sessions (50 by default) on one ``interviewkit serve`` process. In
each, a candidate connection types as ``live_bench`` does (a keystroke every 100-200 ms;
keystrokes typed while an edit is unacknowledged go out together in the next edit), and
a staff connection (an interviewer API key in the subprotocol header: the channel a signed
in browser's live view opens) watches. The staff side finds each ``file-operation`` it
receives by the stored event's id (``<message id>:<op>``) and measures:

* ``lag_ms``: from the moment a keystroke was typed to the staff connection receiving the
  event that holds it (the issue's "keystroke to the interviewer's screen", less the
  browser's paint);
* ``send_to_staff_ms``: from the candidate sending the message to the staff receiving it
  (the channel alone, without the wait for the previous ack).

With ``--browser`` (the default), one of the sessions is also watched by Chromium on the
live view page (signed in with the key through the login form): ``screen_lag_ms`` is from
the keystroke to the first animation frame at which the page's editor holds it (the
clocks compared are the machine's wall clock, in ms, on both sides).

Baselines from the same run, on the same sockets: ``ack_ms``, the candidate's own
keystroke-to-ack latency (what the candidate waits for anyway), and ``pong_ms``, a ping
round trip on the candidate's connection (the channel's floor). Target: lag p95 <= 150 ms.

One JSON document goes to stdout; progress goes to stderr. SQLite in a temporary data dir
unless ``--database-url`` names another database.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from playwright.async_api import Page, async_playwright
from rich.console import Console
from websockets.asyncio.client import ClientConnection

from _browser import CHROMIUM, CHROMIUM_ARGS
from api_bench import machine, setting_pair
from live_bench import (
    TYPED,
    Room,
    cpu_seconds,
    make_rooms,
    open_room,
    own_cpu_seconds,
    percentiles,
    read,
    server,
    type_in,
)

console = Console(stderr=True)
TARGET_P95_MS = 150.0


@dataclass
class WatchedRoom(Room):
    """A candidate's room that also remembers every edit message it sent while measuring
    (message id -> (send time, typing times)), for the staff side to match."""

    sent: dict[str, tuple[float, list[float]]] = field(default_factory=dict)
    lags: list[float] = field(default_factory=list)
    channel: list[float] = field(default_factory=list)
    # (characters of the document, newlines left out, once a message lands; its typing times)
    shown: list[tuple[int, list[float]]] = field(default_factory=list)

    def __setattr__(self, name: str, value: Any) -> None:
        # live_bench's flush() sets in_flight right before it sends the message (and only
        # then adds the typed characters to length)
        if name == "in_flight" and value is not None and self.measuring:
            self.sent[value[0]] = (time.perf_counter(), list(value[1]))
            self.shown.append((visible(self.length + len(value[1])), list(value[1])))
        super().__setattr__(name, value)


def visible(length: int) -> int:
    """Characters other than newlines in the first ``length`` characters typed (``TYPED``
    over and over): what the editor's lines hold then."""
    whole, rest = divmod(length, len(TYPED))
    return whole * len(TYPED.replace("\n", "")) + len(TYPED[:rest].replace("\n", ""))


# on every DOM change of the live editor, the wall clock at the next frame and its text size
RECORD = """() => {
    window.__frames = [];
    const content = document.querySelector('[data-testid=live-editor] .cm-content');
    const size = () => Array.from(content.querySelectorAll('.cm-line'))
        .reduce((sum, line) => sum + line.textContent.length, 0);
    new MutationObserver(() => requestAnimationFrame(
        () => window.__frames.push([Date.now(), size()])
    )).observe(content, { childList: true, subtree: true, characterData: true });
}"""


async def watch_in_browser(url: str, key: str, session_id: str) -> tuple[Any, Page]:
    """Chromium signed in and showing ``session_id``'s live view, its editor recorded."""
    playwright = await async_playwright().start()
    browser = await playwright.chromium.launch(
        executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
    )
    page = await browser.new_page(viewport={"width": 1280, "height": 800})
    await page.goto(f"{url}/login?next=/sessions/{session_id}/live")
    await page.fill("[data-testid=login-form] input[name=key]", key)
    await page.click("[data-testid=login-form] button[type=submit]")
    await page.wait_for_url(f"{url}/sessions/{session_id}/live")
    await page.wait_for_selector("[data-testid=live-editor] .cm-content")
    await page.evaluate(RECORD)
    return playwright, page


def screen_lags(room: WatchedRoom, frames: list[list[int]], clock_offset_ms: float) -> list[float]:
    """Per keystroke: the first frame whose editor held it, less when it was typed."""
    lags = []
    for size, typed in room.shown:
        seen = next((at for at, shown in frames if shown >= size), None)
        if seen is not None:
            lags += [seen - (clock_offset_ms + moment * 1000) for moment in typed]
    return lags


async def watch(socket: ClientConnection, room: WatchedRoom) -> None:
    """The staff side: time every candidate edit it is shown."""
    async for raw in socket:
        message = json.loads(raw)
        now = time.perf_counter()
        if message["type"] == "ping":
            await socket.send(json.dumps({"type": "pong"}))
        elif message["type"] == "file-operation":
            message_id = str(message["event"].get("id", "")).split(":", 1)[0]
            found = room.sent.pop(message_id, None)
            if found is not None:
                sent_at, typed = found
                room.channel.append((now - sent_at) * 1000)
                room.lags += [(now - moment) * 1000 for moment in typed]


async def staff_socket(url: str, key: str, room: WatchedRoom) -> ClientConnection:
    return await open_room(url, Room(room.session_id, key))


async def load(
    url: str, key: str, rooms: list[WatchedRoom], seconds: float, warmup: float, browser: bool
) -> dict[str, Any]:
    watched = await watch_in_browser(url, key, rooms[0].session_id) if browser else None
    watchers = await asyncio.gather(*(staff_socket(url, key, room) for room in rooms))
    candidates = await asyncio.gather(*(open_room(url, room) for room in rooms))
    tasks = [
        *(asyncio.create_task(read(s, r)) for s, r in zip(candidates, rooms, strict=True)),
        *(asyncio.create_task(watch(s, r)) for s, r in zip(watchers, rooms, strict=True)),
    ]
    start = time.perf_counter()
    until, measure_from = start + warmup + seconds, start + warmup
    await asyncio.gather(
        *(
            type_in(s, r, until, measure_from, ping=True)
            for s, r in zip(candidates, rooms, strict=True)
        )
    )
    await asyncio.sleep(1.0)  # the last deliveries
    for socket in [*candidates, *watchers]:
        await socket.close()
    for task in tasks:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task
    screen: list[float] = []
    if watched is not None:
        playwright, page = watched
        frames = await page.evaluate("() => window.__frames")
        clock_offset_ms = time.time() * 1000 - time.perf_counter() * 1000
        screen = screen_lags(rooms[0], frames, clock_offset_ms)
        await page.context.browser.close()  # type: ignore[union-attr]
        await playwright.stop()
    lags = [value for room in rooms for value in room.lags]
    acks = [value for room in rooms for value in room.latencies]
    return {
        "screen_lag_ms": percentiles(screen) if screen else None,
        "keystrokes_seen_on_screen": len(screen),
        "sessions": len(rooms),
        "keystrokes_acked": len(acks),
        "keystrokes_seen_by_staff": len(lags),
        "messages_not_seen_by_staff": sum(len(room.sent) for room in rooms),
        "lag_ms": percentiles(lags),
        "send_to_staff_ms": percentiles([value for room in rooms for value in room.channel]),
        "ack_ms": percentiles(acks),
        "pong_ms": percentiles([value for room in rooms for value in room.pongs]),
        "rejected": sum(room.rejected for room in rooms),
        "errors": sorted({error for room in rooms for error in room.errors})[:10],
    }


async def run(args: argparse.Namespace, folder: Path) -> dict[str, Any]:
    log = folder / "server.log"
    with server(folder / "data", args.database_url, log, args.settings) as (url, pid, key):
        console.print(f"server {url} (pid {pid}); creating {args.sessions} sessions")
        made = await make_rooms(url, key, args.sessions)
        rooms = [WatchedRoom(room.session_id, room.token) for room in made]
        console.print(f"{args.sessions} candidates typing, each watched, for {args.seconds} s")
        main_before, all_before = cpu_seconds(pid)
        client_before, load_average = own_cpu_seconds(), os.getloadavg()[0]
        wall_before = time.perf_counter()
        results = await load(url, key, rooms, args.seconds, args.warmup, args.browser)
        wall = time.perf_counter() - wall_before
        main_after, all_after = cpu_seconds(pid)
    results["server_cpu"] = {
        "cores_used": round((all_after - all_before) / wall, 2),
        "main_thread_cores": round((main_after - main_before) / wall, 2),
    }
    results["load_generator_cores"] = round((own_cpu_seconds() - client_before) / wall, 2)
    results["machine_load_average_1m_at_start"] = load_average
    lag = (results["lag_ms"] or {}).get("p95")
    ack = (results["ack_ms"] or {}).get("p95")
    pong = (results["pong_ms"] or {}).get("p95")
    results["ratios"] = {
        "lag_p95_vs_ack_p95": round(lag / ack, 2) if lag and ack else None,
        "lag_p95_vs_pong_p95": round(lag / pong, 2) if lag and pong else None,
    }
    results["target"] = {
        "lag_p95_ms": TARGET_P95_MS,
        "met": lag is not None and lag <= TARGET_P95_MS,
    }
    return results


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sessions", type=int, default=50, help="watched sessions")
    parser.add_argument("--seconds", type=float, default=20.0, help="measured typing")
    parser.add_argument("--warmup", type=float, default=3.0, help="typing before measuring")
    parser.add_argument(
        "--browser",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="also watch one session in Chromium's live view (screen_lag_ms)",
    )
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


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="ik-live-view-bench-") as folder:
        results = asyncio.run(run(args, Path(folder)))
    database = "sqlite (temporary data dir)" if not args.database_url else "given"
    document = {"machine": machine(), "database": database, "config": vars(args), **results}
    text = json.dumps(document, indent=2, default=str)
    print(text)
    if args.output:
        args.output.write_text(text + "\n")


if __name__ == "__main__":
    main()
