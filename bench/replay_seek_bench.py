"""Replay seek in the browser: from the interviewer's input to the editor showing the moment.

The session is ``recording_bench``'s: the bank's reference solutions typed with typos,
pastes, notes and breaks until it holds ``--events`` events (200,000) over two hours,
ingested into a real ``interviewkit serve`` (SQLite in a temporary data dir). An
interviewer key signs Chromium in through the login form, and the replay page
(``/sessions/{id}/replay``) is opened. Then, at ``--seeks`` random moments each:

* ``api``: ``window.__replay.seekTo(ms)`` (the player's own seek, which resolves once the
  editor holds that moment), timed in the page up to the next animation frame, the first
  paint that can show it;
* ``input``: the seek bar driven as a drag does (its value set, an ``input`` event), timed
  in the page from the event to the first animation frame at which the player reports
  that moment (``__replay.atMs``) and its editor's document is that moment's text.

Baselines in the same run, from the same page: ``fetch_replay``, a ``fetch`` of
``GET /api/v1/sessions/{id}/replay?at_ms=`` at the same moments (the server's share of a
seek), and ``fetch_healthz``, a ``fetch`` of ``/healthz`` (the floor of a round trip).
A sample of seeks is checked: the editor's text is one of the files the API answers for
that moment. Target: input p95 <= 100 ms.

One JSON document goes to stdout; progress goes to stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import Page, sync_playwright
from rich.console import Console

from _browser import CHROMIUM, launch, sign_in
from api_bench import create_api_key, interviewkit_command, machine, running_server
from recording_bench import ingest, new_session, trace, with_time

console = Console(stderr=True)
TARGET_P95_MS = 100.0
CHECKED = 25
READY = "() => window.__replay !== undefined && document.querySelector('#replay-seek').max > 0"
# the player's own seek, to the next animation frame after it resolves
SEEK_API = """async (ms) => {
    const started = performance.now();
    await window.__replay.seekTo(ms);
    await new Promise((done) => requestAnimationFrame(done));
    return performance.now() - started;
}"""
# the seek bar, as a drag moves it: to the first frame showing that moment
SEEK_INPUT = """(ms) => new Promise((done, fail) => {
    const input = document.querySelector('[data-testid=replay-seek]');
    const started = performance.now();
    input.value = String(ms);
    input.dispatchEvent(new Event('input', { bubbles: true }));
    const wanted = Number(input.value);
    const check = () => {
        const player = window.__replay;
        if (player.atMs === wanted) {
            const view = document.querySelector('[data-testid=replay-editor] .cm-content');
            const shown = view === null ? null : Array.from(view.querySelectorAll('.cm-line'))
                .map((line) => line.textContent).join('\\n');
            if (shown === player.text) return done(performance.now() - started);
        }
        if (performance.now() - started > 10000) return fail(new Error('no frame showed ' + ms));
        requestAnimationFrame(check);
    };
    requestAnimationFrame(check);
})"""
FETCH = """async (url) => {
    const started = performance.now();
    const answer = await fetch(url, { credentials: 'same-origin' });
    await answer.arrayBuffer();
    if (!answer.ok) throw new Error(url + ': ' + answer.status);
    return performance.now() - started;
}"""


def cuts(samples: list[float]) -> dict[str, float]:
    ordered = statistics.quantiles(samples, n=100, method="inclusive")
    return {
        "p50_ms": round(ordered[49], 1),
        "p95_ms": round(ordered[94], 1),
        "max_ms": round(max(samples), 1),
        "n": len(samples),
    }


async def recorded_session(url: str, key: str, events: int) -> tuple[str, int]:
    """A session holding ``events`` events over two hours: (its id, its duration in ms)."""
    headers = {"Authorization": f"Bearer {key}"}
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=120) as client:
        session_id, start = await new_session(client)
        timed = with_time(trace(events), start, "r")
        console.print(f"ingesting {len(timed)} events ...")
        began = time.perf_counter()
        await ingest(client, session_id, timed)
        console.print(f"ingested in {time.perf_counter() - began:.1f} s")
        timeline = (await client.get(f"/api/v1/sessions/{session_id}/timeline")).json()
        return session_id, int(timeline["duration_ms"])


def check_shown(page: Page, http: httpx.Client, session_id: str, at_ms: int) -> str | None:
    """None when the editor's text is a file of the workspace at ``at_ms``, else why not."""
    shown = page.evaluate("() => window.__replay.text")
    answer = http.get(f"/api/v1/sessions/{session_id}/replay", params={"at_ms": at_ms}).json()
    if shown in answer["files"].values():
        return None
    return f"at {at_ms} ms the editor shows {len(shown)} characters matching no file"


def measure(url: str, key: str, session_id: str, duration: int, seeks: int) -> dict[str, Any]:
    rng = random.Random(11)
    moments = [rng.randint(0, duration) for _ in range(seeks)]
    api, by_input, fetch_replay, fetch_health = [], [], [], []
    wrong: list[str] = []
    with (
        sync_playwright() as playwright,
        httpx.Client(base_url=url, headers={"Authorization": f"Bearer {key}"}, timeout=60) as http,
    ):
        browser = launch(playwright)
        try:
            page = browser.new_context(viewport={"width": 1440, "height": 900}).new_page()
            sign_in(page, url, key, f"/sessions/{session_id}/replay")
            page.wait_for_function(READY, timeout=60_000)
            page.evaluate(SEEK_API, duration // 2)  # warm-up: code paths, caches
            replay_url = f"/api/v1/sessions/{session_id}/replay?at_ms="
            for index, at_ms in enumerate(moments):
                if index % 50 == 0:
                    console.print(f"seek {index}/{seeks}")
                api.append(float(page.evaluate(SEEK_API, at_ms)))
                if index < CHECKED and (problem := check_shown(page, http, session_id, at_ms)):
                    wrong.append(problem)
                other = moments[-1 - index]
                by_input.append(float(page.evaluate(SEEK_INPUT, other)))
                fetch_replay.append(float(page.evaluate(FETCH, f"{replay_url}{at_ms}")))
                fetch_health.append(float(page.evaluate(FETCH, "/healthz")))
        finally:
            browser.close()
    seek_input = cuts(by_input)
    return {
        "seek_api": cuts(api),
        "seek_input": seek_input,
        "baseline_fetch_replay": cuts(fetch_replay),
        "baseline_fetch_healthz": cuts(fetch_health),
        "ratio_input_p95_vs_fetch_replay_p95": round(
            seek_input["p95_ms"] / cuts(fetch_replay)["p95_ms"], 2
        ),
        "checked_seeks": CHECKED,
        "wrong_text": wrong,
        "target": {
            "input_p95_ms": TARGET_P95_MS,
            "met": not wrong and seek_input["p95_ms"] <= TARGET_P95_MS,
        },
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--events", type=int, default=200_000, help="events in the session")
    parser.add_argument("--seeks", type=int, default=200, help="random seeks of each kind")
    parser.add_argument("--output", type=Path, help="also write the JSON document here")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="ik-replay-seek-") as folder:
        root = Path(folder)
        command = interviewkit_command(root / "data", None)
        # the trace's two hours lie ahead of the server's clock: allow that much skew
        settings = {"exec_warm_pool": "0", "recording_clock_skew_s": str(3 * 3600)}
        key = create_api_key(command, root, settings)
        with (
            (root / "server.log").open("w") as log,
            running_server(command, root, log, settings) as url,
        ):
            session_id, duration = asyncio.run(recorded_session(url, key, args.events))
            load_before = os.getloadavg()[0]
            results = measure(url, key, session_id, duration, args.seeks)
            load_after = os.getloadavg()[0]
    document = {
        "machine": machine(),
        "browser": f"{CHROMIUM} (headless)",
        "session": {"events": args.events, "duration_ms": duration},
        # a shared machine: the load average says how much else ran during the seeks
        "load_average_1m": {"before": load_before, "after": load_after},
        **results,
    }
    text = json.dumps(document, indent=2)
    print(text)
    if args.output:
        args.output.write_text(text + "\n")


if __name__ == "__main__":
    main()
