"""Throughput and latency of the InterviewKit HTTP API, measured against a real server.

The script starts ``interviewkit serve`` (uvicorn, one worker) as a subprocess on a fresh
data directory, creates an interviewer API key with the CLI before the server starts, and
drives the server with concurrent ``httpx.AsyncClient`` requests. Each operation gets an
unmeasured warm-up, then a fixed number of measured requests:

* ``bare``: ``GET /healthz``, a constant route: the cost of HTTP, routing and middleware
  alone, measured in the same run so that the other operations can be compared with it;
* ``session_create``: ``POST /api/v1/sessions``;
* ``file_write``: ``PUT /api/v1/sessions/{id}/files/{path}`` with about 1 KiB of Python,
  each client overwriting its own file in one of a few sessions;
* ``file_read``: ``GET`` of the same files.

One JSON document goes to stdout (progress goes to stderr), and the exit status is 1 when
any request answered an unexpected status or failed.

The load generator runs on the same machine as the server and competes with it for CPU:
on a 2-core machine the single-process server (one core at most, the GIL) and the client
share two cores, so absolute requests per second say little and the ratios to ``bare``
within one run are what matter. Even so, httpx spends more CPU per request than the server
spends on ``/healthz``, so ``bare`` tends to be limited by the client: its rate is then a
lower bound of the server's, and the ratios of the slower operations are upper bounds.

The server sees none of the caller's ``INTERVIEWKIT_*`` variables and no ``.env`` file, so
runs are comparable; its database is SQLite in the data directory unless
``--database-url`` names another (for example PostgreSQL, already reachable).
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import os
import platform
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import AsyncExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import httpx
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy.engine import make_url

SESSIONS_URL = "/api/v1/sessions"
TARGETS: dict[str, float] = {
    "file_read_vs_bare": 0.5,
    "file_write_vs_bare": 0.3,
    "file_write_p95_ms": 50,
}
STARTUP_SECONDS = 60.0
STOP_SECONDS = 10.0
REQUEST_TIMEOUT_SECONDS = 60.0
KEY_LINE = re.compile(r"^(ik_\S+)$", re.MULTILINE)

console = Console(stderr=True)


@dataclass(frozen=True)
class Config:
    concurrency: int
    requests: int
    warmup: int
    sessions: int
    database_url: str | None
    output: Path | None
    settings: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Call:
    """One HTTP request and the statuses that count as success."""

    method: str
    url: str
    body: dict[str, str] | None
    expected: frozenset[int]


CallFactory = Callable[[int, int], Call]
"""Builds the request that client ``worker`` sends as its ``n``-th request."""


@dataclass(frozen=True)
class Operation:
    name: str
    call: CallFactory


@dataclass
class Sample:
    """Latencies of the successful requests of one phase, and its failures."""

    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    first_error: str | None = None
    seconds: float = 0.0
    warmup_errors: int = 0

    def record(self, elapsed: float, failure: str | None) -> None:
        if failure is None:
            self.latencies.append(elapsed)
            return
        self.errors += 1
        self.first_error = self.first_error or failure


# ---- command line ---------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None = None) -> Config:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--concurrency", type=positive, default=20, help="concurrent clients")
    parser.add_argument("--requests", type=positive, default=2000, help="measured, per operation")
    parser.add_argument("--warmup", type=positive, default=200, help="unmeasured, per operation")
    parser.add_argument("--sessions", type=positive, default=4, help="sessions holding the files")
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
    return Config(
        args.concurrency,
        args.requests,
        args.warmup,
        args.sessions,
        args.database_url,
        args.output,
        dict(setting_pair(text) for text in args.setting),
    )


def setting_pair(text: str) -> tuple[str, str]:
    name, separator, value = text.partition("=")
    if not separator or not name:
        raise argparse.ArgumentTypeError(f"{text!r} is not NAME=VALUE")
    return name.lower(), value


def positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is not a positive integer")
    return value


# ---- the server -----------------------------------------------------------------------------


def interviewkit_command(data_dir: Path, database_url: str | None) -> list[str]:
    """The CLI of the interpreter running this script, so server and bench share one venv."""
    script = Path(sys.executable).parent / "interviewkit"
    if not script.exists():
        raise RuntimeError(f"{script} is missing: run this with the project's virtualenv")
    command = [str(script), "--data-dir", str(data_dir)]
    return [*command, "--database-url", database_url] if database_url else command


def server_env(settings: dict[str, str] | None = None) -> dict[str, str]:
    """The caller's environment without ``INTERVIEWKIT_*``, so every run is configured alike
    (plus the ``--setting`` values, which the JSON output records)."""
    env = {
        name: value for name, value in os.environ.items() if not name.startswith("INTERVIEWKIT_")
    }
    env["INTERVIEWKIT_LOG_LEVEL"] = "WARNING"
    env.update({f"INTERVIEWKIT_{name.upper()}": value for name, value in (settings or {}).items()})
    return env


def run_cli(base: list[str], *args: str, cwd: Path, settings: dict[str, str]) -> str:
    result = subprocess.run(
        [*base, *args],
        cwd=cwd,
        env=server_env(settings),
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"interviewkit {' '.join(args)} failed:\n{result.stderr}")
    return result.stdout


def create_api_key(base: list[str], cwd: Path, settings: dict[str, str]) -> str:
    """Migrate, then create an interviewer key: the server then prints no admin key to parse."""
    run_cli(base, "db", "upgrade", cwd=cwd, settings=settings)
    printed = run_cli(
        base,
        "keys",
        "create",
        "--name",
        "bench",
        "--role",
        "interviewer",
        cwd=cwd,
        settings=settings,
    )
    found = KEY_LINE.search(printed)
    if found is None:
        raise RuntimeError(f"no API key in the output of 'keys create':\n{printed}")
    return found.group(1)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@contextmanager
def running_server(
    base: list[str], cwd: Path, log: IO[str], settings: dict[str, str]
) -> Iterator[str]:
    """Yield the base URL of a healthy server; stop it however the block ends."""
    port = free_port()
    command = [*base, "serve", "--host", "127.0.0.1", "--port", str(port)]
    env = server_env(settings)
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=log, stderr=log)
    try:
        url = f"http://127.0.0.1:{port}"
        wait_until_healthy(process, url, log)
        yield url
    finally:
        stop(process)


def wait_until_healthy(process: subprocess.Popen[bytes], url: str, log: IO[str]) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}:\n{tail(log)}")
        try:
            if httpx.get(f"{url}/healthz", timeout=1.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"the server was not healthy after {STARTUP_SECONDS} s:\n{tail(log)}")


def tail(log: IO[str], lines: int = 30) -> str:
    log.flush()
    return "\n".join(Path(log.name).read_text(errors="replace").splitlines()[-lines:])


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM lets uvicorn shut down cleanly; SIGKILL if it does not within the grace time."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=STOP_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


# ---- operations -----------------------------------------------------------------------------


def python_source(target_bytes: int = 1024) -> str:
    """Plausible candidate code of about ``target_bytes``: what an editor autosave sends."""
    block = (
        "def solve_{n}(values: list[int]) -> int:\n"
        '    """Return the largest sum of a contiguous run of values."""\n'
        "    best = current = values[0]\n"
        "    for value in values[1:]:\n"
        "        current = max(value, current + value)\n"
        "        best = max(best, current)\n"
        "    return best\n\n\n"
    )
    blocks: list[str] = []
    while sum(map(len, blocks)) < target_bytes:
        blocks.append(block.format(n=len(blocks)))
    return "".join(blocks)


def bare() -> Operation:
    call = Call("GET", "/healthz", None, frozenset({200}))
    return Operation("bare", lambda _worker, _n: call)


def session_create() -> Operation:
    call = Call("POST", SESSIONS_URL, {"candidate_name": "Bench"}, frozenset({201}))
    return Operation("session_create", lambda _worker, _n: call)


def file_url(session_ids: Sequence[str], worker: int) -> str:
    """Client ``worker`` owns one file, in one of the sessions (round robin)."""
    session_id = session_ids[worker % len(session_ids)]
    return f"{SESSIONS_URL}/{session_id}/files/src/worker_{worker:03d}.py"


def file_write(session_ids: Sequence[str]) -> Operation:
    source = python_source()

    def call(worker: int, n: int) -> Call:
        body = {"content": f"# revision {n}\n{source}"}
        return Call("PUT", file_url(session_ids, worker), body, frozenset({200, 201}))

    return Operation("file_write", call)


def file_read(session_ids: Sequence[str]) -> Operation:
    def call(worker: int, _n: int) -> Call:
        return Call("GET", file_url(session_ids, worker), None, frozenset({200}))

    return Operation("file_read", call)


# ---- load generation ------------------------------------------------------------------------


def skip_missing_sniffio() -> None:
    """Make httpcore's per-request ``import sniffio`` fail at once when sniffio is absent.

    httpcore 1.0 imports sniffio inside every lock it takes (four per request) and falls
    back to asyncio when that fails. anyio 4 no longer installs sniffio, and a failed import
    is not cached, so each attempt scans ``sys.path``; measured here, that cut the client's
    request rate by more than half, CPU the server then lacks on a small machine. A ``None``
    entry in ``sys.modules`` makes the import fail at once and leaves the behaviour as is.
    """
    if importlib.util.find_spec("sniffio") is None:
        sys.modules["sniffio"] = None  # type: ignore[assignment]


async def send(client: httpx.AsyncClient, call: Call) -> str | None:
    """Send one request; return why it failed, or None."""
    try:
        response = await client.request(call.method, call.url, json=call.body)
    except httpx.HTTPError as exc:
        return f"{call.method} {call.url}: {type(exc).__name__}: {exc}"
    if response.status_code in call.expected:
        return None
    return f"{call.method} {call.url}: {response.status_code} {response.text[:300]}"


async def client_loop(
    client: httpx.AsyncClient,
    operation: Operation,
    worker: int,
    tickets: Iterator[int],
    sample: Sample,
    advance: Callable[[], None],
) -> None:
    """One simulated client: send the next request as soon as the previous one answered."""
    for n in tickets:
        call = operation.call(worker, n)
        started = time.perf_counter()
        failure = await send(client, call)
        sample.record(time.perf_counter() - started, failure)
        advance()


async def run_phase(
    clients: Sequence[httpx.AsyncClient],
    operation: Operation,
    total: int,
    progress: Progress,
    label: str,
) -> Sample:
    """``total`` requests shared by all clients: each takes the next ticket when it is free."""
    task = progress.add_task(label, total=total)
    sample = Sample()
    tickets = iter(range(total))
    started = time.perf_counter()
    await asyncio.gather(
        *(
            client_loop(client, operation, worker, tickets, sample, lambda: progress.advance(task))
            for worker, client in enumerate(clients)
        )
    )
    sample.seconds = time.perf_counter() - started
    return sample


async def measure(
    clients: Sequence[httpx.AsyncClient], operation: Operation, config: Config, progress: Progress
) -> Sample:
    """Warm up (connections, caches, files created), then measure overwrites and reads."""
    label = f"warm-up {operation.name}"
    warmup = await run_phase(clients, operation, warmup_requests(config), progress, label)
    show_errors(label, warmup)
    sample = await run_phase(clients, operation, config.requests, progress, operation.name)
    show_errors(operation.name, sample)
    sample.warmup_errors = warmup.errors
    return sample


def warmup_requests(config: Config) -> int:
    """At least one request per client, so every client has connected and written its file."""
    return max(config.warmup, config.concurrency)


def show_errors(label: str, sample: Sample) -> None:
    if sample.first_error:
        console.print(f"[red]{label}: {sample.errors} errors[/red], the first:")
        console.print(sample.first_error, markup=False, highlight=False)


async def create_sessions(client: httpx.AsyncClient, count: int) -> list[str]:
    ids = []
    for _ in range(count):
        response = await client.post(SESSIONS_URL, json={"candidate_name": "Bench files"})
        response.raise_for_status()
        ids.append(str(response.json()["id"]))
    return ids


async def run_all(url: str, key: str, config: Config) -> dict[str, Sample]:
    async with AsyncExitStack() as stack:
        clients = [
            await stack.enter_async_context(new_client(url, key)) for _ in range(config.concurrency)
        ]
        session_ids = await create_sessions(clients[0], config.sessions)
        operations = [bare(), session_create(), file_write(session_ids), file_read(session_ids)]
        with progress_bar() as progress:
            return {op.name: await measure(clients, op, config, progress) for op in operations}


def new_client(url: str, key: str) -> httpx.AsyncClient:
    """One keep-alive connection per simulated client.

    A single client shared by all would be cheaper to write but not to run: httpcore's
    pool rescans every connection for every queued request, which at 20 connections costs
    the load generator more CPU than the server spends on the bare route.
    """
    return httpx.AsyncClient(
        base_url=url,
        headers={"Authorization": f"Bearer {key}"},
        limits=httpx.Limits(max_connections=1, max_keepalive_connections=1),
        timeout=REQUEST_TIMEOUT_SECONDS,
    )


def progress_bar() -> Progress:
    return Progress(
        TextColumn("{task.description:<24}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        refresh_per_second=4,
    )


# ---- report ---------------------------------------------------------------------------------


def summarize(sample: Sample, requests: int) -> dict[str, Any]:
    """Rate and latencies of the successful requests only, so failing fast never looks good."""
    cuts = latency_cuts(sample.latencies)
    succeeded = len(sample.latencies)
    return {
        "requests": requests,
        "rps": round(succeeded / sample.seconds, 1) if sample.seconds else 0.0,
        "p50_ms": cuts[49] if cuts else None,
        "p95_ms": cuts[94] if cuts else None,
        "p99_ms": cuts[98] if cuts else None,
        "errors": sample.errors,
        "warmup_errors": sample.warmup_errors,
    }


def latency_cuts(latencies: list[float]) -> list[float] | None:
    """The 99 percentile cut points in milliseconds; None when nothing succeeded."""
    if not latencies:
        return None
    if len(latencies) == 1:
        return [round(latencies[0] * 1000, 2)] * 99
    cuts = statistics.quantiles(latencies, n=100, method="inclusive")
    return [round(cut * 1000, 2) for cut in cuts]


def report(config: Config, samples: dict[str, Sample]) -> dict[str, Any]:
    operations = {name: summarize(sample, config.requests) for name, sample in samples.items()}
    ratios = {
        f"{name}_vs_bare": ratio(operations[name]["rps"], operations["bare"]["rps"])
        for name in ("file_read", "file_write", "session_create")
    }
    met = {
        "file_read_vs_bare": at_least(ratios["file_read_vs_bare"], "file_read_vs_bare"),
        "file_write_vs_bare": at_least(ratios["file_write_vs_bare"], "file_write_vs_bare"),
        "file_write_p95_ms": at_most(operations["file_write"]["p95_ms"], "file_write_p95_ms"),
    }
    return {
        "machine": machine(),
        "config": describe(config),
        "operations": operations,
        "ratios": ratios,
        "targets": TARGETS,
        "met": met,
    }


def ratio(rps: float, bare_rps: float) -> float | None:
    """None when the baseline failed: no comparison is better than a meaningless one."""
    return round(rps / bare_rps, 3) if bare_rps else None


def at_least(value: float | None, target: str) -> bool:
    return value is not None and value >= TARGETS[target]


def at_most(value: float | None, target: str) -> bool:
    return value is not None and value <= TARGETS[target]


def machine() -> dict[str, Any]:
    return {
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
    }


def describe(config: Config) -> dict[str, Any]:
    database = "sqlite (temporary data dir)"
    if config.database_url:
        database = make_url(config.database_url).render_as_string(hide_password=True)
    return {
        "concurrency": config.concurrency,
        "requests_per_operation": config.requests,
        "warmup_per_operation": warmup_requests(config),
        "file_sessions": config.sessions,
        "file_bytes": len(python_source()),
        "database": database,
        "server": "interviewkit serve (uvicorn, 1 worker, log level WARNING)",
        "settings": config.settings or "defaults",
    }


# ---- main -----------------------------------------------------------------------------------


def bench(config: Config) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="interviewkit-bench-") as temp:
        data_dir = Path(temp)
        base = interviewkit_command(data_dir, config.database_url)
        key = create_api_key(base, data_dir, config.settings)
        with (
            (data_dir / "server.log").open("w+") as log,
            running_server(base, data_dir, log, config.settings) as url,
        ):
            console.print(f"server at {url}, data in {data_dir}")
            samples = asyncio.run(run_all(url, key, config))
    return report(config, samples)


def exit_on_sigterm() -> None:
    """Let SIGTERM (a CI timeout, ``kill``) unwind like Ctrl-C, so the server is stopped too."""
    signal.signal(signal.SIGTERM, lambda signum, _frame: sys.exit(128 + signum))


def main(argv: Sequence[str] | None = None) -> int:
    config = parse_args(argv)
    exit_on_sigterm()
    skip_missing_sniffio()
    try:
        result = bench(config)
    except KeyboardInterrupt:
        console.print("interrupted; the server was stopped")
        return 130
    document = json.dumps(result, indent=2)
    print(document)
    if config.output:
        config.output.parent.mkdir(parents=True, exist_ok=True)
        config.output.write_text(document + "\n")
    errors = sum(op["errors"] + op["warmup_errors"] for op in result["operations"].values())
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
