"""Speed of the task queue: jobs per second and enqueue-to-start latency, per backend.

* ``throughput``: N jobs that do nothing are queued, then 2 workers start; jobs/s is N
  over the time from the workers' start to the last job's end (the queue's own cost).
* ``latency``: with 2 idle workers running, one job at a time is queued and the time
  from the ``enqueue`` call to the handler's first line is measured (the wake-up path:
  an Event in this process for the database backend, Redis BRPOP for Celery), as is the
  ``enqueue`` call itself.

Backends: the database backend on SQLite (a temporary data dir) and on PostgreSQL
(``--postgres-url``, a private schema created and dropped), and Celery with a real
worker (a thread of this process, 2 pool threads) on ``--redis-url``. An unreachable
service is reported and skipped. One JSON document goes to stdout; progress to stderr.

    .venv/bin/python bench/tasks_bench.py --jobs 500 --rounds 200
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import secrets
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import redis
from rich.console import Console
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from interviewkit.config import Settings
from interviewkit.db import create_db_engine, create_session_factory
from interviewkit.migrations import upgrade
from interviewkit.tasks import DatabaseTaskQueue, Payload, TaskQueue

console = Console(stderr=True)
KIND = "bench.noop"
WORKERS = 2


class Recorder:
    """The handler: notes when each job started and counts the finished ones."""

    def __init__(self) -> None:
        self.started: dict[int, float] = {}
        self.finished = 0
        self.expected = 0
        self.done = threading.Event()
        self.lock = threading.Lock()

    def expect(self, count: int) -> None:
        with self.lock:
            self.finished, self.expected = 0, count
            self.done.clear()

    def __call__(self, payload: Payload) -> None:
        now = time.perf_counter()
        with self.lock:
            self.started[int(payload["n"])] = now
            self.finished += 1
            if self.finished >= self.expected:
                self.done.set()


def cuts(samples: list[float]) -> dict[str, float]:
    ordered = statistics.quantiles(sorted(samples), n=100)
    return {
        "p50_ms": round(ordered[49] * 1000, 3),
        "p95_ms": round(ordered[94] * 1000, 3),
        "max_ms": round(max(samples) * 1000, 3),
    }


def measure(
    make: Callable[[Recorder], TaskQueue],
    start: Callable[[TaskQueue], None],
    jobs: int,
    rounds: int,
) -> dict[str, Any]:
    recorder = Recorder()
    queue = make(recorder)
    recorder.expect(jobs)
    for n in range(jobs):
        queue.enqueue(KIND, {"n": n})
    began = time.perf_counter()
    start(queue)
    if not recorder.done.wait(600):
        raise RuntimeError(f"only {recorder.finished} of {jobs} jobs ran")
    elapsed = time.perf_counter() - began
    console.print(f"  throughput: {jobs / elapsed:.0f} jobs/s")

    waits, calls = [], []
    for n in range(jobs, jobs + rounds):
        recorder.expect(1)
        before = time.perf_counter()
        queue.enqueue(KIND, {"n": n})
        calls.append(time.perf_counter() - before)
        if not recorder.done.wait(60):
            raise RuntimeError(f"job {n} never started")
        waits.append(recorder.started[n] - before)
    console.print(f"  enqueue to start p50: {statistics.median(waits) * 1000:.1f} ms")
    return {
        "workers": WORKERS,
        "throughput": {
            "jobs": jobs,
            "seconds": round(elapsed, 3),
            "jobs_per_s": round(jobs / elapsed, 1),
        },
        "enqueue_to_start": {"rounds": rounds, **cuts(waits)},
        "enqueue_call": cuts(calls),
    }


def database_run(settings: Settings, jobs: int, rounds: int) -> dict[str, Any]:
    engine = create_db_engine(settings)
    upgrade(engine)
    queues: list[DatabaseTaskQueue] = []
    try:

        def make(recorder: Recorder) -> TaskQueue:
            queue = DatabaseTaskQueue(create_session_factory(engine), settings, workers=WORKERS)
            queue.register(KIND, recorder)
            queues.append(queue)
            return queue

        return measure(make, lambda queue: queue.start(), jobs, rounds)
    finally:
        for queue in queues:
            queue.stop()
        engine.dispose()


@contextmanager
def postgres_schema(url: str) -> Iterator[str]:
    schema = f"ik_tasks_bench_{secrets.token_hex(4)}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield (
            make_url(url)
            .update_query_dict({"options": f"-csearch_path={schema}"})
            .render_as_string(hide_password=False)
        )
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def celery_run(settings: Settings, jobs: int, rounds: int) -> dict[str, Any]:
    from celery.contrib.testing.worker import start_worker

    from interviewkit.tasks.celery import CeleryTaskQueue

    name = f"ik-tasks-bench-{secrets.token_hex(4)}"
    with ExitStack() as stack:

        def make(recorder: Recorder) -> TaskQueue:
            queue = CeleryTaskQueue(settings, queue_name=name)
            queue.register(KIND, recorder)
            stack.callback(queue.stop)
            return queue

        def start(queue: TaskQueue) -> None:
            app = queue.app  # type: ignore[attr-defined]
            stack.enter_context(
                start_worker(
                    app,
                    pool="threads",
                    concurrency=WORKERS,
                    perform_ping_check=False,
                    loglevel="WARNING",
                )
            )

        result = measure(make, start, jobs, rounds)
    client = redis.Redis.from_url(settings.celery_broker_url)
    client.delete(name, *client.scan_iter(f"interviewkit:tasks:{name}:*"))
    client.close()
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=500, help="jobs for the throughput run")
    parser.add_argument("--rounds", type=int, default=200, help="jobs for the latency run")
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get(
            "INTERVIEWKIT_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
        ),
    )
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/15")
    parser.add_argument("--backends", default="sqlite,postgres,celery")
    args = parser.parse_args(argv)

    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="ik-tasks-bench-") as folder:
        base: dict[str, Any] = {"data_dir": Path(folder), "secret_key": "bench-" + "x" * 40}
        for backend in args.backends.split(","):
            console.print(f"[bold]{backend}[/]")
            try:
                if backend == "sqlite":
                    results[backend] = database_run(
                        Settings(_env_file=None, **base), args.jobs, args.rounds
                    )
                elif backend == "postgres":
                    with postgres_schema(args.postgres_url) as url:
                        settings = Settings(_env_file=None, **base, database_url=url)
                        results[backend] = database_run(settings, args.jobs, args.rounds)
                elif backend == "celery":
                    redis.Redis.from_url(args.redis_url, socket_connect_timeout=2).ping()
                    settings = Settings(
                        _env_file=None,
                        **base,
                        task_backend="celery",
                        celery_broker_url=args.redis_url,
                    )
                    results[backend] = celery_run(settings, args.jobs, args.rounds)
            except Exception as error:  # an unreachable service: say so, measure the rest
                console.print(f"  skipped: {error}")
                results[backend] = {"skipped": str(error).splitlines()[0]}
    document = {
        "machine": {
            "cpu_count": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "results": results,
    }
    json.dump(document, sys.stdout, indent=2)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
