"""The interviewer's reads at scale, each figure next to a baseline from the same run.

* ``sessions_list``: server time of ``GET /api/v1/sessions`` (first page) with 10,000
  sessions, unfiltered and with each filter (template, candidate search, created_after),
  against ``GET /healthz`` in the same process; and the database's plan for the query.
  The issue's target: first page <= 300 ms.
* ``report``: ``GET /api/v1/sessions/{id}/report`` on a 200,000-event, 2-hour session
  (``recording_bench``'s trace: typing, typos, pastes, notes, time away): cold (the
  whole log read), cached (the pass kept), and after 100 new events (a live session);
  the cold figure against ``GET …/stats``, which reads the same log once for counters.

The app runs in this process behind Starlette's TestClient (the whole ASGI stack, no
network), so a figure is the server's time plus one thread hop, which /healthz shows.
One JSON document goes to stdout; progress goes to stderr.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from rich.console import Console
from sqlalchemy import text

from api_bench import machine
from interviewkit.app import Container, create_app
from interviewkit.auth.service import Role
from interviewkit.config import Settings
from interviewkit.migrations import upgrade
from interviewkit.sessions.service import SessionDraft
from recording_bench import BATCH, trace, with_time

console = Console(stderr=True)
TEMPLATES = ("backend-screen-45", None)
FIRST_NAMES = ("Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Margaret", "Ken")


def timed(call: Callable[[], Any], rounds: int) -> dict[str, float]:
    samples = []
    for _ in range(rounds):
        began = time.perf_counter()
        call()
        samples.append((time.perf_counter() - began) * 1000)
    cuts = statistics.quantiles(sorted(samples), n=20)
    return {"p50_ms": round(statistics.median(samples), 2), "p95_ms": round(cuts[18], 2)}


def once(call: Callable[[], Any]) -> float:
    began = time.perf_counter()
    call()
    return (time.perf_counter() - began) * 1000


def typed(count: int, start_ms: int, prefix: str) -> list[dict[str, Any]]:
    """``count`` keystrokes and cursor moves at the top of /solution.py, 50 ms apart."""
    events: list[dict[str, Any]] = []
    for i in range(count):
        kind = {"type": "edit", "insert": "x"} if i % 2 == 0 else {"type": "cursor"}
        events.append(
            {"id": f"{prefix}{i}", "file": "/solution.py", "offset": 0, "ts": start_ms + 50 * i}
            | kind
        )
    return events


def seed_sessions(container: Container, count: int) -> None:
    """``count`` sessions through the same service calls the create route makes."""
    rng = random.Random(5)
    for n in range(count):
        template = rng.choice(TEMPLATES)
        name = f"{rng.choice(FIRST_NAMES)} {n:05d}"
        draft = SessionDraft(
            template_id=template,
            problem_id=None if template else "two-sum",
            candidate_name=name,
            candidate_email=f"{name.replace(' ', '.').lower()}@example.com",
        )
        container.sessions.create_session(container.problems.compose(draft, "python"))
        if n % 1000 == 999:
            console.print(f"sessions: {n + 1}")


def plan(container: Container) -> list[str]:
    """How the database runs the first page's query (unfiltered and by template)."""
    dialect = container.engine.dialect.name
    prefix = "EXPLAIN QUERY PLAN " if dialect == "sqlite" else "EXPLAIN "
    queries = [
        "SELECT * FROM sessions ORDER BY created_at DESC, id DESC LIMIT 21",
        "SELECT * FROM sessions WHERE template_id = 'backend-screen-45' "
        "ORDER BY created_at DESC, id DESC LIMIT 21",
    ]
    lines = []
    with container.engine.connect() as connection:
        for query in queries:
            rows = connection.execute(text(prefix + query)).all()
            lines.append(" | ".join(str(row[-1]) for row in rows))
    return lines


def run(settings: Settings, sessions: int, events: int, rounds: int) -> dict[str, Any]:
    container = Container.build(settings)
    upgrade(container.engine)
    _, key = container.auth.create_key("bench", Role.interviewer)
    console.print(f"seeding {sessions} sessions ...")
    seed_sessions(container, sessions)
    app = create_app(container=container)
    headers = {"Authorization": f"Bearer {key}"}
    with TestClient(app, headers=headers) as client:

        def get(path: str, **params: Any) -> Callable[[], Any]:
            def call() -> None:
                response = client.get(path, params=params)
                assert response.status_code == 200, response.text[:300]

            return call

        get("/api/v1/sessions")()  # warm the caches and the connection pool
        today = time.strftime("%Y-%m-%d", time.gmtime())
        lists = {
            "first_page": timed(get("/api/v1/sessions"), rounds),
            "first_page_100": timed(get("/api/v1/sessions", limit=100), rounds),
            "template": timed(get("/api/v1/sessions", template="backend-screen-45"), rounds),
            "candidate_search": timed(get("/api/v1/sessions", candidate="grace 0"), rounds),
            "created_after": timed(get("/api/v1/sessions", created_after=today), rounds),
        }
        bare = timed(get("/healthz"), rounds)

        console.print(f"recording a {events}-event session ...")
        created = client.post("/api/v1/sessions", json={"candidate_name": "Bench"}).json()
        sid = created["id"]
        start = int(time.mktime(time.strptime(created["created_at"][:19], "%Y-%m-%dT%H:%M:%S")))
        start_ms = (start - time.timezone) * 1000 + 1000
        timeline = with_time(trace(events), start_ms, "e")
        for first in range(0, len(timeline), BATCH):
            batch = timeline[first : first + BATCH]
            response = client.post(f"/api/v1/sessions/{sid}/events", json={"events": batch})
            assert response.status_code == 200, response.text[:300]
        stats = client.get(f"/api/v1/sessions/{sid}/stats").json()
        report_rounds = max(3, rounds // 20)
        console.print("report ...")
        path = f"/api/v1/sessions/{sid}/report"
        cold = []
        for _ in range(report_rounds):  # a new process (or an evicted pass) reads it all
            container.review._passes.pop(sid)
            cold.append(once(get(path)))
        cached = timed(get(path), rounds)
        extended = []
        for n in range(report_rounds):  # a live session: 100 new events since the last look
            more = typed(BATCH, start_ms + 7_300_000 + n * 60_000, f"x{n}-")
            response = client.post(f"/api/v1/sessions/{sid}/events", json={"events": more})
            assert response.status_code == 200, response.text[:300]
            extended.append(once(get(path)))
        one_pass = timed(get(f"/api/v1/sessions/{sid}/stats"), report_rounds)
        body = client.get(path).json()
    query_plan = plan(container)
    container.engine.dispose()
    return {
        "sessions_list": {
            "sessions": sessions,
            **lists,
            "healthz": bare,
            "first_page_p95_vs_healthz": round(lists["first_page"]["p95_ms"] / bare["p95_ms"], 2),
            "target_p95_ms": 300,
            "met": all(figures["p95_ms"] <= 300 for figures in lists.values()),
            "query_plan": query_plan,
        },
        "report": {
            "events": stats["events"],
            "duration_ms": stats["duration_ms"],
            "pastes": len(body["integrity"]["pastes"]),
            "activity_minutes": len(body["charts"]["activity"]),
            "cold_p50_ms": round(statistics.median(cold), 2),
            "cached": cached,
            "after_100_new_events_p50_ms": round(statistics.median(extended), 2),
            "stats_same_log": one_pass,
            "cold_p50_vs_stats": round(statistics.median(cold) / one_pass["p50_ms"], 2),
            "cached_p50_vs_healthz": round(cached["p50_ms"] / bare["p50_ms"], 2),
        },
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="The interviewer's reads at scale.")
    parser.add_argument("--sessions", type=int, default=10_000)
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=100, help="Requests per list figure")
    parser.add_argument("--database-url", default=None, help="Default: SQLite in a temp dir")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(
            _env_file=None,
            data_dir=Path(folder),
            database_url=args.database_url,
            log_level="WARNING",
            exec_warm_pool=0,
            recording_clock_skew_s=3 * 3600,  # the trace's two hours lie ahead of the clock
        )
        results = run(settings, args.sessions, args.events, args.rounds)
    database = "postgresql" if args.database_url else "sqlite"
    json.dump({"machine": machine(), "database": database, **results}, sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
