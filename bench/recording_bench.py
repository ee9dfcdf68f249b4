"""Speed and size of session recording, each figure next to its baseline from the same run.

The trace is realistic: the problem bank's reference solutions are "typed" one character
at a time (each keystroke an ``edit`` and a ``cursor`` event) with think pauses, typos
and their corrections, pastes, notes and trips away from the tab, until the session has
at least 200,000 events over two hours. Every edit applies to the workspace's files in
the transaction that records it (the AI turns and runs are the server's to record).

* ``ingest``: events/s through ``POST /api/v1/sessions/{id}/events`` in batches of 100,
  one session typed sequentially (a session's events are ordered), and several sessions
  at once; against ``GET /healthz`` requests/s at the same concurrency (the bare floor).
* ``seek``: p50/p95 of ``GET …/replay?at_ms=`` at random moments of the 2-hour session,
  against ``GET /healthz`` p50/p95.
* ``archive``: the zstd and gzip archive sizes against the raw NDJSON.

One JSON document goes to stdout; progress goes to stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import yaml
from rich.console import Console

from api_bench import create_api_key, interviewkit_command, machine, running_server
from interviewkit.problems.bank import BANK_DIR, SOLUTION_FILES

console = Console(stderr=True)
BATCH = 100
TWO_HOURS_MS = 2 * 3600 * 1000


def sources() -> Iterator[tuple[str, str]]:
    """(file name, text) of every reference solution in the bank."""
    for path in sorted(BANK_DIR.glob("*.yaml")):
        problem = yaml.safe_load(path.read_text())
        for language, text in problem["solutions"].items():
            yield f"/{problem['id']}/{SOLUTION_FILES[language]}", text


def trace(minimum: int, seed: int = 1) -> list[dict[str, Any]]:
    """A session's events (without timestamps yet): typing with typos, pastes, notes, breaks.

    One file per language, as in an interview: each next problem's solution replaces the
    previous one in the same file, so the workspace stays the size of a real one.
    """
    rng = random.Random(seed)
    events: list[dict[str, Any]] = []
    current: dict[str, str] = {}
    while len(events) < minimum:
        for name, text in sources():
            path = "/" + name.rsplit("/", 1)[1]
            if path not in current:
                events.append({"type": "file_created", "file": path, "content": ""})
            elif current[path]:
                events.append(
                    {"type": "edit", "file": path, "offset": 0, "delete": len(current[path])}
                )
            for length, char in enumerate(text):
                if rng.random() < 0.03:  # a typo, noticed and corrected
                    events.append({"type": "edit", "file": path, "offset": length, "insert": "x"})
                    events.append({"type": "edit", "file": path, "offset": length, "delete": 1})
                events.append({"type": "edit", "file": path, "offset": length, "insert": char})
                events.append({"type": "cursor", "file": path, "offset": length + 1})
            current[path] = text
            if rng.random() < 0.3:
                events.append({"type": "paste", "file": path, "size": rng.randint(10, 2000)})
            if rng.random() < 0.2:
                events += [{"type": "blur"}, {"type": "focus"}]
            # (the assistant's turns are the server's to record: a client cannot send them)
            events.append({"type": "note", "text": f"finished {name}"})
            if len(events) >= minimum:
                break
    return events


def with_time(events: list[dict[str, Any]], start_ms: int, prefix: str) -> list[dict[str, Any]]:
    """Spread the events over two hours: steady typing with occasional long pauses."""
    rng = random.Random(7)
    gaps = [rng.expovariate(1.0) * (40 if rng.random() > 0.002 else 20_000) for _ in events]
    scale = TWO_HOURS_MS / sum(gaps)
    clock = 0.0
    timed = []
    for index, (event, gap) in enumerate(zip(events, gaps, strict=True)):
        clock += gap * scale
        timed.append({**event, "id": f"{prefix}{index}", "ts": start_ms + int(clock)})
    return timed


def percentiles(samples: list[float]) -> dict[str, float]:
    cuts = statistics.quantiles(sorted(samples), n=100)
    return {"p50_ms": round(cuts[49], 2), "p95_ms": round(cuts[94], 2)}


async def ingest(client: httpx.AsyncClient, session_id: str, events: list[dict[str, Any]]) -> None:
    for start in range(0, len(events), BATCH):
        batch = events[start : start + BATCH]
        response = await client.post(
            f"/api/v1/sessions/{session_id}/events", json={"events": batch}
        )
        if response.status_code != 200 or response.json()["stored"] != len(batch):
            raise RuntimeError(f"ingest failed: {response.status_code} {response.text[:500]}")


async def new_session(client: httpx.AsyncClient) -> tuple[str, int]:
    body = (await client.post("/api/v1/sessions", json={"candidate_name": "Bench"})).json()
    created = datetime.fromisoformat(body["created_at"].replace("Z", "+00:00"))
    return body["id"], int(created.timestamp() * 1000) + 1000


async def bare_rate(
    client: httpx.AsyncClient, clients: int, seconds: float
) -> tuple[float, list[float]]:
    latencies: list[float] = []
    deadline = time.perf_counter() + seconds

    async def loop() -> None:
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            await client.get("/healthz")
            latencies.append((time.perf_counter() - started) * 1000)

    started = time.perf_counter()
    await asyncio.gather(*(loop() for _ in range(clients)))
    return len(latencies) / (time.perf_counter() - started), latencies


async def run(url: str, key: str, events_per_session: int, sessions: int) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {key}"}
    limits = httpx.Limits(max_connections=sessions + 2)
    async with httpx.AsyncClient(
        base_url=url, headers=headers, timeout=60, limits=limits
    ) as client:
        base = trace(events_per_session)
        console.print(f"trace: {len(base)} events")
        # one session, sequential batches: the 2-hour session everything else reads
        main_id, start = await new_session(client)
        main = with_time(base, start, "m")
        console.print("ingest: one session ...")
        began = time.perf_counter()
        await ingest(client, main_id, main)
        single_s = time.perf_counter() - began
        bare_single, _ = await bare_rate(client, 1, 3.0)
        console.print(f"ingest: {sessions} sessions at once ...")
        others = []
        for n in range(sessions):
            sid, other_start = await new_session(client)
            others.append((sid, with_time(base[: len(base) // sessions], other_start, f"s{n}-")))
        began = time.perf_counter()
        await asyncio.gather(*(ingest(client, sid, evs) for sid, evs in others))
        parallel_s = time.perf_counter() - began
        parallel_events = sum(len(evs) for _, evs in others)
        bare_parallel, _ = await bare_rate(client, sessions, 3.0)

        console.print("seek ...")
        rng = random.Random(3)
        seeks: list[float] = []
        last_t = (await client.get(f"/api/v1/sessions/{main_id}/timeline")).json()["duration_ms"]
        for _ in range(300):
            at = rng.randint(0, last_t)
            began = time.perf_counter()
            response = await client.get(f"/api/v1/sessions/{main_id}/replay", params={"at_ms": at})
            seeks.append((time.perf_counter() - began) * 1000)
            assert response.status_code == 200, response.text
        _, bare_latencies = await bare_rate(client, 1, 3.0)

        console.print("archive ...")
        sizes: dict[str, Any] = {}
        for fmt in ("gzip", "zstd"):
            began = time.perf_counter()
            info = (
                await client.post(
                    f"/api/v1/sessions/{main_id}/recording/archive", params={"format": fmt}
                )
            ).json()
            sizes[fmt] = {
                "bytes": info["archive_bytes"],
                "ratio": info["compression_ratio"],
                "seconds": round(time.perf_counter() - began, 2),
            }
        raw = info["raw_bytes"]

    single_rate = len(main) / single_s
    parallel_rate = parallel_events / parallel_s
    seek = percentiles(seeks)
    return {
        "trace": {"events": len(main), "duration_ms": last_t},
        "ingest": {
            "batch": BATCH,
            "one_session_events_per_s": round(single_rate),
            "one_session_batches_per_s_vs_bare_requests": round(
                single_rate / BATCH / bare_single, 3
            ),
            f"{sessions}_sessions_events_per_s": round(parallel_rate),
            f"{sessions}_sessions_batches_per_s_vs_bare_requests": round(
                parallel_rate / BATCH / bare_parallel, 3
            ),
            "bare_requests_per_s": {
                "one_client": round(bare_single),
                f"{sessions}_clients": round(bare_parallel),
            },
            "target_events_per_s": 20_000,
        },
        "seek": {
            **seek,
            "bare": percentiles(bare_latencies),
            "target_p95_ms": 50,
            "met": seek["p95_ms"] <= 50,
        },
        "archive": {
            "raw_ndjson_bytes": raw,
            **sizes,
            "target_ratio": 10,
            "met": (sizes["zstd"]["ratio"] or 0) >= 10,
        },
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Speed and size of session recording.")
    parser.add_argument("--events", type=int, default=200_000, help="Events in the session")
    parser.add_argument("--sessions", type=int, default=4, help="Sessions ingested at once")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        command = interviewkit_command(root / "data", None)
        # the trace's two hours lie ahead of the server's clock: allow that much skew
        settings = {"exec_warm_pool": "0", "recording_clock_skew_s": str(3 * 3600)}
        key = create_api_key(command, root, settings)
        with (
            (root / "server.log").open("w") as log,
            running_server(command, root, log, settings) as url,
        ):
            results = asyncio.run(run(url, key, args.events, args.sessions))
    json.dump({"machine": machine(), **results}, sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
