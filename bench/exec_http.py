"""``POST /api/v1/execute`` of a real ``interviewkit serve``, each figure beside its floor.

* :func:`hello_vs_bare`: a Python hello-world over HTTP, alternating with a direct spawn
  of ``/usr/bin/python3`` on the same program; per-stage p50 from ``Server-Timing``.
* :func:`submissions`: the 10-test two-sum submission per language.
* :func:`humaneval_levels`: the 164 HumanEval programs cycled by 1…16 clients, against
  bare spawns of the same programs at the same concurrency.
* :func:`saturation`: far more clients than the server admits; every answer is counted.

The load generator runs on the same 2 cores as the server: whatever CPU it spends, the
server lacks, so the HTTP figures are upper bounds on latency and lower bounds on rate.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import shutil
import subprocess
import tempfile
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from api_bench import KEY_LINE, interviewkit_command, run_cli, running_server
from exec_common import (
    BARE_ENV,
    HELLO,
    SIGNATURE,
    TWO_SUM,
    Problem,
    StageSamples,
    bare_python,
    console,
    cuts,
    parse_server_timing,
    ratio,
    server_timing_desc,
    ten_tests,
)

EXECUTE = "/api/v1/execute"
REQUEST_TIMEOUT_S = 30.0
"""A request not answered by then is a timeout (the longest run a request may ask for)."""
RETRY_AFTER_SCALE = 0.1
"""Clients wait Retry-After x this: honoured in shape, scaled so the bench finishes."""
CLIENT_KEYS = 16
"""Interviewer keys the clients share round-robin: at most 4 clients per key even at 64,
below the per-key cap, so saturation meets the server-wide capacity, not a key's."""
SUBMISSION_PAUSE_S = 0.4
"""Between two submissions, as between two presses of Run: time for a warm pool to start
the next sandbox (a JVM takes longest). Pools under pressure are what the load phases show."""
WARM_HANDOVER_SHARE = 0.5
"""A hand-over under this share of a cold sandbox start (measured in-process) was warm."""


# ---- the server -------------------------------------------------------------------------


@dataclass
class Server:
    url: str
    keys: list[str]
    log: Path


def _admin_key(base: list[str], cwd: Path, settings: dict[str, str]) -> str:
    run_cli(base, "db", "upgrade", cwd=cwd, settings=settings)
    printed = run_cli(
        base,
        "keys",
        "create",
        "--name",
        "bench-admin",
        "--role",
        "admin",
        cwd=cwd,
        settings=settings,
    )
    found = KEY_LINE.search(printed)
    if found is None:
        raise RuntimeError(f"no API key in the output of 'keys create':\n{printed}")
    return found.group(1)


def _client_keys(url: str, admin: str, count: int) -> list[str]:
    headers = {"Authorization": f"Bearer {admin}"}
    keys = []
    with httpx.Client(base_url=url, headers=headers, timeout=REQUEST_TIMEOUT_S) as client:
        for index in range(count):
            response = client.post("/api/v1/keys", json={"name": f"bench-{index}"})
            response.raise_for_status()
            keys.append(str(response.json()["key"]))
    return keys


@contextlib.contextmanager
def bench_server(settings: dict[str, str], keep_log: Path) -> Iterator[Server]:
    """A fresh data directory, a real server, ``CLIENT_KEYS`` interviewer keys; the log
    is copied to ``keep_log`` when the server stops (for the tracebacks of any 5xx)."""
    data_dir = Path(tempfile.mkdtemp(prefix="ik-bench-server-"))
    data_dir.chmod(0o711)
    base = interviewkit_command(data_dir, None)
    log_path = data_dir / "server.log"
    try:
        admin = _admin_key(base, data_dir.parent, settings)
        with (
            log_path.open("w+") as log,
            running_server(base, data_dir.parent, log, settings) as url,
        ):
            yield Server(url, _client_keys(url, admin, CLIENT_KEYS), log_path)
    finally:
        if log_path.exists():
            shutil.copyfile(log_path, keep_log)
        shutil.rmtree(data_dir, ignore_errors=True)


TRACEBACK = re.compile(r"^Traceback \(most recent call last\):$.*?^\S.*$", re.M | re.S)


def server_tracebacks(log: Path, most: int = 5) -> list[str]:
    """The first tracebacks the server logged (what lies behind a 5xx)."""
    if not log.exists():
        return []
    return [
        match.group(0)[-3000:] for match in TRACEBACK.finditer(log.read_text(errors="replace"))
    ][:most]


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def not_accepted(response: httpx.Response) -> str | None:
    """Why an execute answer is not an accepted run (None when it is): the bench records
    such answers and goes on, since the server under test may be broken mid-change."""
    if response.status_code >= 300:
        return f"HTTP {response.status_code}: {response.text[:1000]}"
    if response.json().get("status") != "accepted":
        return response.text[:1000]
    return None


@dataclass
class Failures:
    count: int = 0
    examples: list[str] = field(default_factory=list)

    def add(self, why: str) -> None:
        self.count += 1
        if len(self.examples) < 3:
            self.examples.append(why)

    def report(self) -> dict[str, Any]:
        return {"not_accepted": self.count, "examples": self.examples} if self.count else {}


# ---- 1. Python hello-world, HTTP against the bare spawn ---------------------------------


def hello_vs_bare(server: Server, rounds: int) -> dict[str, Any]:
    entry, source = HELLO["python"]
    body = {"language": "python", "files": [{"path": entry, "content": source}]}
    folder = Path(tempfile.mkdtemp(prefix="ik-bench-"))
    (folder / entry).write_text(source)
    bare_argv = [bare_python(), "-B", str(folder / entry)]
    bare: list[float] = []
    http: list[float] = []
    stages = StageSamples.empty()
    failures = Failures()
    console.print(f"python hello-world: HTTP vs bare spawn, {rounds} rounds each, alternating")
    with httpx.Client(
        base_url=server.url, headers=auth(server.keys[0]), timeout=REQUEST_TIMEOUT_S
    ) as client:
        for warmup in range(rounds + 5):
            started = time.perf_counter()
            subprocess.run(bare_argv, capture_output=True, check=True, env=BARE_ENV)
            bare_ms = (time.perf_counter() - started) * 1000
            started = time.perf_counter()
            response = client.post(EXECUTE, json=body)
            http_ms = (time.perf_counter() - started) * 1000
            why = not_accepted(response)
            if why is not None:
                failures.add(why)
            elif warmup >= 5:
                bare.append(bare_ms)
                http.append(http_ms)
                stages.add(response.headers.get("server-timing"), http_ms)
            time.sleep(0.02)  # a pause between requests, as between two presses of Run
    shutil.rmtree(folder, ignore_errors=True)
    report: dict[str, Any] = {"http": cuts(http), "bare": cuts(bare)}
    report["bare_command"] = f"{bare_python()} -B main.py"
    report["http_vs_bare_p50"] = ratio(report["http"]["p50"], report["bare"]["p50"])
    report["stages"] = stages.report()
    return {**report, **failures.report()}


# ---- 3. 10-test submissions per language ------------------------------------------------


def submission_body(language: str) -> dict[str, Any]:
    entry, source = TWO_SUM[language]
    return {
        "language": language,
        "files": [{"path": entry, "content": source}],
        "entry": entry,
        "entry_point": "twoSum",
        "signature": SIGNATURE,
        "tests": ten_tests(),
    }


def _warm_share(headers: list[str | None], cold_start_ms: float | None) -> dict[str, Any]:
    """Which share of runs a warm sandbox served, if the header lets us tell."""
    handovers = [parse_server_timing(header).get("handover") for header in headers]
    known = [value for value in handovers if value is not None]
    if not known:
        return {}
    named = [server_timing_desc(header, "handover") for header in headers]
    if any(named):
        warm = sum(1 for name in named if name and name != "cold")
        return {"handover_ms": cuts(known), "served_warm_share": round(warm / len(named), 2)}
    report: dict[str, Any] = {"handover_ms": cuts(known)}
    if cold_start_ms:
        threshold = WARM_HANDOVER_SHARE * cold_start_ms
        warm = sum(1 for value in known if value < threshold)
        report["served_warm_share"] = round(warm / len(known), 2)
        report["warm_if_handover_below_ms"] = round(threshold, 2)
    return report


def submissions(
    server: Server, rounds: dict[str, int], cold_starts: dict[str, float]
) -> dict[str, Any]:
    report: dict[str, Any] = {}
    with httpx.Client(
        base_url=server.url, headers=auth(server.keys[0]), timeout=REQUEST_TIMEOUT_S
    ) as client:
        for language, count in rounds.items():
            body = submission_body(language)
            first = client.post(EXECUTE, json=body)  # compiles once; cached afterwards
            why = not_accepted(first)
            if why is not None:
                report[language] = {"skipped": why}
                continue
            console.print(f"10-test submission {language}: {count} rounds")
            latencies: list[float] = []
            headers: list[str | None] = []
            failures = Failures()
            for _ in range(count):
                started = time.perf_counter()
                response = client.post(EXECUTE, json=body)
                elapsed = (time.perf_counter() - started) * 1000
                why = not_accepted(response)
                if why is None:
                    latencies.append(elapsed)
                    headers.append(response.headers.get("server-timing"))
                else:
                    failures.add(why)
                time.sleep(SUBMISSION_PAUSE_S)
            stages = StageSamples.empty()
            for header, latency in zip(headers, latencies, strict=True):
                stages.add(header, latency)
            report[language] = {
                **cuts(latencies),
                **failures.report(),
                "pause_between_s": SUBMISSION_PAUSE_S,
                **_warm_share(headers, cold_starts.get(language)),
                "stages": stages.report(),
            }
    return report


# ---- 2 and 4. many clients --------------------------------------------------------------


@dataclass
class Load:
    """Every answer of one load phase, counted by kind."""

    accepted: int = 0
    not_accepted: int = 0
    failures: list[str] = field(default_factory=list)
    refused_429: int = 0
    retry_after: Counter[str] = field(default_factory=Counter)
    missing_retry_after: int = 0
    timeouts: int = 0
    server_errors_5xx: int = 0
    other_status: Counter[int] = field(default_factory=Counter)
    transport_errors: int = 0
    examples: list[str] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    seconds: float = 0.0

    def example(self, text: str) -> None:
        if len(self.examples) < 5:
            self.examples.append(text[:1000])

    def report(self) -> dict[str, Any]:
        return {
            "runs_per_second": round(self.accepted / self.seconds, 1) if self.seconds else 0.0,
            "answered_2xx": self.accepted + self.not_accepted,
            "accepted": self.accepted,
            "not_accepted": self.not_accepted,
            "failed_tasks": self.failures[:10],
            "refused_429": self.refused_429,
            "retry_after_seen_s": dict(self.retry_after),
            "missing_retry_after": self.missing_retry_after,
            "timeouts": self.timeouts,
            "server_errors_5xx": self.server_errors_5xx,
            "other_status": {str(code): n for code, n in self.other_status.items()},
            "transport_errors": self.transport_errors,
            "latency_ms_2xx": cuts(self.latencies),
            "seconds": round(self.seconds, 2),
            "examples": self.examples,
        }


class Cycle:
    """Hands out the problems in turn to whichever client is free next."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = problems
        self.position = 0

    def next(self) -> Problem:
        problem = self.problems[self.position % len(self.problems)]
        self.position += 1
        return problem


def _body(problem: Problem) -> dict[str, Any]:
    return {"language": "python", "files": [{"path": "main.py", "content": problem.program}]}


def retry_after_seconds(value: str | None) -> float:
    """Retry-After in seconds; 1 when absent or an HTTP date, so a client never spins."""
    try:
        return max(0.0, float(value or 1))
    except ValueError:
        return 1.0


async def _answered(load: Load, response: httpx.Response, problem: Problem, ms: float) -> bool:
    """Count one answer; True when the client should retry the same problem."""
    status = response.status_code
    if status == 429:
        load.refused_429 += 1
        value = response.headers.get("retry-after")
        if value is None:
            load.missing_retry_after += 1
        load.retry_after[value or "absent"] += 1
        await asyncio.sleep(retry_after_seconds(value) * RETRY_AFTER_SCALE)
        return True
    if status >= 500:
        load.server_errors_5xx += 1
        load.example(f"{status}: {response.text}")
        return False
    if status >= 300:
        load.other_status[status] += 1
        load.example(f"{status}: {response.text}")
        return False
    result = response.json()
    load.latencies.append(ms)
    if result.get("status") == "accepted" and (result.get("run") or {}).get("exit_code") == 0:
        load.accepted += 1
    else:
        load.not_accepted += 1
        load.failures.append(f"{problem.task_id}: {result.get('status')}")
        load.example(f"{problem.task_id}: {response.text}")
    return False


async def _client(client: httpx.AsyncClient, cycle: Cycle, load: Load, deadline: float) -> None:
    problem = cycle.next()
    while time.monotonic() < deadline:
        started = time.perf_counter()
        try:
            response = await client.post(EXECUTE, json=_body(problem))
        except httpx.TimeoutException:
            load.timeouts += 1
            problem = cycle.next()
            continue
        except httpx.TransportError as exc:
            load.transport_errors += 1
            load.example(f"{type(exc).__name__}: {exc}")
            await asyncio.sleep(0.1)
            continue
        if not await _answered(load, response, problem, (time.perf_counter() - started) * 1000):
            problem = cycle.next()


async def http_load(
    server: Server, problems: Sequence[Problem], clients: int, seconds: float
) -> Load:
    """``clients`` concurrent clients, each sending the next problem once answered."""
    load = Load()
    cycle = Cycle(problems)
    async with contextlib.AsyncExitStack() as stack:
        pool = [
            await stack.enter_async_context(
                httpx.AsyncClient(
                    base_url=server.url,
                    headers=auth(server.keys[index % len(server.keys)]),
                    limits=httpx.Limits(max_connections=1, max_keepalive_connections=1),
                    timeout=REQUEST_TIMEOUT_S,
                )
            )
            for index in range(clients)
        ]
        started = time.monotonic()
        deadline = started + seconds
        await asyncio.gather(*(_client(client, cycle, load, deadline) for client in pool))
        load.seconds = time.monotonic() - started
    return load


async def bare_load(python: str, files: Sequence[Path], clients: int, seconds: float) -> Load:
    """The floor: the same programs spawned directly, as many at once as clients."""
    load = Load()
    position = 0

    async def one_client(deadline: float) -> None:
        nonlocal position
        while time.monotonic() < deadline:
            path = files[position % len(files)]
            position += 1
            process = await asyncio.create_subprocess_exec(
                python,
                "-B",
                str(path),
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                env=BARE_ENV,
            )
            await process.communicate()
            if process.returncode == 0:
                load.accepted += 1
            else:
                load.not_accepted += 1
                load.failures.append(f"{path.stem}: exit {process.returncode}")

    started = time.monotonic()
    await asyncio.gather(*(one_client(started + seconds) for _ in range(clients)))
    load.seconds = time.monotonic() - started
    return load


def humaneval_levels(
    server: Server, problems: Sequence[Problem], levels: Sequence[int], seconds: float
) -> dict[str, Any]:
    """Runs/s over HTTP at each concurrency, each next to bare spawns/s at the same one."""
    folder = Path(tempfile.mkdtemp(prefix="ik-bench-humaneval-"))
    files = []
    for problem in problems:
        path = folder / f"{problem.task_id.replace('/', '_')}.py"
        path.write_text(problem.program)
        files.append(path)
    python = bare_python()
    console.print(f"HumanEval: {len(problems)} problems, warm-up")
    asyncio.run(http_load(server, problems, 2, min(seconds, 2.0)))
    by_clients: dict[str, Any] = {}
    try:
        for clients in levels:
            console.print(f"HumanEval: {clients} clients, {seconds} s over HTTP, then bare")
            http = asyncio.run(http_load(server, problems, clients, seconds)).report()
            bare = asyncio.run(bare_load(python, files, clients, seconds)).report()
            by_clients[str(clients)] = {
                "http": http,
                "bare_spawns_per_second": bare["runs_per_second"],
                "bare_failures": bare["failed_tasks"],
                "vs_bare": ratio(http["runs_per_second"], bare["runs_per_second"]),
            }
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    best = max(by_clients.items(), key=lambda item: item[1]["http"]["runs_per_second"])
    return {
        "problems": len(problems),
        "program": "prompt + canonical_solution + test + check(entry_point), one Python run",
        "by_clients": by_clients,
        "best": {
            "clients": int(best[0]),
            "runs_per_second": best[1]["http"]["runs_per_second"],
            "bare_spawns_per_second": best[1]["bare_spawns_per_second"],
            "vs_bare": best[1]["vs_bare"],
        },
    }


def saturation(
    server: Server, problems: Sequence[Problem], levels: Sequence[int], seconds: float
) -> dict[str, Any]:
    """Past capacity: every answer counted; 429s must carry Retry-After, none may time out."""
    report: dict[str, Any] = {}
    for clients in levels:
        console.print(f"saturation: {clients} clients for {seconds} s")
        report[str(clients)] = asyncio.run(http_load(server, problems, clients, seconds)).report()
    return report
