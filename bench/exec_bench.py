"""Issue 17, "execution near the physical limit": every target against its floor.

Each figure is measured next to its floor in the same run (runs alternate where they can,
so drift in the machine's speed hits both alike), and ``targets`` says met or not met:

1. ``python_hello_http_vs_bare_p50`` (≤ 1.3): ``POST /api/v1/execute`` of a Python
   hello-world against spawning ``/usr/bin/python3`` on the same program, with the p50
   of each stage the server reports in ``Server-Timing`` (``http`` = client time - total).
2. ``humaneval_runs_per_second`` (≥ 80): the 164 HumanEval problems (canonical solution
   and its ``check``, one Python run each) cycled by 1, 2, 4, 8 and 16 clients over HTTP,
   each level against bare spawns/s of the same programs at the same concurrency.
3. ``java_submission_p50_ms`` (≤ 80) and ``javascript_submission_p50_ms`` (≤ 50): the
   10-test two-sum submission over HTTP, for all four languages, with the share of runs
   a warm sandbox served when ``Server-Timing`` lets us tell.
4. ``saturation_no_timeout_no_5xx``: 32 and 64 clients against a server that admits
   workers + queue; every 429 must carry Retry-After (clients honour it, scaled down).
5. The engine in-process (no HTTP): hello-world cold and warm vs bare per language, and
   the compile cache, hit vs miss (the ``engine_*`` targets from before issue 17).

Run from bench/: ``../.venv/bin/python exec_bench.py [--quick] [--output FILE]``. One JSON
document goes to stdout, progress to stderr. The load generator shares the machine's cores
with the server; ratios, not absolute figures, are what to compare across machines. The
exit status is 1 when a run was not accepted or the server answered a 5xx or timed out.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from api_bench import machine, setting_pair, skip_missing_sniffio
from exec_common import console, humaneval_problems, ratio
from exec_engine import compile_cache, hello_runs
from exec_http import (
    bench_server,
    hello_vs_bare,
    humaneval_levels,
    saturation,
    server_tracebacks,
    submissions,
)
from interviewkit.config import Settings

LOAD_NOTE = (
    "the load generator (httpx clients, bare spawns) runs on the same cores as the server: "
    "CPU it spends is CPU the server lacks, so HTTP rates are lower bounds"
)


# ---- targets ----------------------------------------------------------------------------


def _target(
    measured: float | None,
    floor: float | None,
    target: float,
    *,
    higher_is_better: bool = False,
    on: str = "measured",
    unit: str = "",
) -> dict[str, Any]:
    """One verdict; ``on`` says whether the target bounds the value or its ratio to floor."""
    value_ratio = ratio(measured, floor)
    checked = value_ratio if on == "ratio" else measured
    met = checked is not None and (checked >= target if higher_is_better else checked <= target)
    return {
        "measured": measured,
        "floor": floor,
        "ratio": value_ratio,
        "target": f"{'≥' if higher_is_better else '≤'} {target}{unit} ({on})",
        "met": met,
    }


def _p50(section: dict[str, Any], *path: str) -> float | None:
    for name in path:
        if not isinstance(section, dict) or name not in section:
            return None
        section = section[name]
    return section if isinstance(section, int | float) else None


def verdicts(report: dict[str, Any]) -> dict[str, Any]:
    hello, engine = report["hello_http"], report["engine"]["hello"]
    best = report["humaneval"]["best"]
    bare_of = {language: _p50(engine, language, "bare", "p50") for language in engine}
    saturated = report["saturation"].values()
    bad = sum(level["timeouts"] + level["server_errors_5xx"] for level in saturated)
    missing = sum(level["missing_retry_after"] for level in saturated)
    submission = report["submission_http"]
    targets = {
        "python_hello_http_vs_bare_p50": _target(
            hello["http"]["p50"], hello["bare"]["p50"], 1.3, on="ratio"
        ),
        "humaneval_runs_per_second": {
            **_target(
                best["runs_per_second"], best["bare_spawns_per_second"], 80, higher_is_better=True
            ),
            "clients": best["clients"],
        },
        "java_submission_p50_ms": _target(
            _p50(submission, "java", "p50"), bare_of.get("java"), 80, unit=" ms"
        ),
        "javascript_submission_p50_ms": _target(
            _p50(submission, "javascript", "p50"), bare_of.get("javascript"), 50, unit=" ms"
        ),
        "saturation_no_timeout_no_5xx": {
            "measured": {"timeouts_and_5xx": bad, "429_without_retry_after": missing},
            "target": "0 timeouts, 0 5xx, every 429 with Retry-After",
            "met": bad == 0 and missing == 0,
        },
    }
    python = engine.get("python", {})
    cpp = engine.get("cpp", {})
    earlier = {
        "engine_python_cold_vs_bare_p50": (python.get("engine_cold_vs_bare_p50"), 1.5),
        "engine_python_warm_vs_bare_p50": (python.get("engine_warm_vs_bare_p50"), 1.0),
        "engine_cpp_cached_warm_vs_bare_binary_p50": (cpp.get("engine_warm_vs_bare_p50"), 2.0),
    }
    for name, (value, target) in earlier.items():
        targets[name] = {**_target(value, 1.0, target), "floor": "bare = 1.0"}
    return targets


# ---- command line -----------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="few rounds: a smoke run, 2.5-3.5 min")
    parser.add_argument("--output", type=Path, help="also write the JSON document here")
    parser.add_argument(
        "--setting",
        action="append",
        default=[],
        type=setting_pair,
        metavar="NAME=VALUE",
        help="a server setting, e.g. exec_warm_pool=4 (repeatable)",
    )
    args = parser.parse_args(argv)
    quick = args.quick
    rounds = 5 if quick else 20
    few = 3 if quick else 8
    args.engine_rounds = {"python": rounds, "javascript": rounds, "java": few, "cpp": rounds}
    args.cache_rounds = 2 if quick else 3
    args.hello_http_rounds = 12 if quick else 60
    args.submission_rounds = {
        "python": 6 if quick else 30,
        "javascript": 6 if quick else 20,
        "java": 4 if quick else 15,
        "cpp": 6 if quick else 20,
    }
    args.levels = [1, 2, 4, 8, 16]
    args.level_seconds = 1.5 if quick else 6.0
    args.saturation_levels = [32, 64]
    args.saturation_seconds = 2.0 if quick else 8.0
    return args


def describe(args: argparse.Namespace) -> dict[str, Any]:
    settings = Settings(_env_file=None, **dict(args.setting))
    workers = settings.effective_exec_workers
    queue = settings.effective_exec_queue_size
    return {
        "mode": "quick" if args.quick else "default",
        "server": "interviewkit serve (uvicorn, 1 worker), SQLite in a temporary data dir",
        "settings": dict(args.setting) or "defaults",
        "capacity": {"workers": workers, "queue": queue, "admitted_at_once": workers + queue},
        "warm_pool_per_runtime": settings.exec_warm_pool,
        "load_generator": LOAD_NOTE,
        "retry_after_honoured_scaled_by": 0.1,
    }


# ---- main -------------------------------------------------------------------------------


@contextlib.contextmanager
def phase(report: dict[str, Any], name: str) -> Iterator[None]:
    """Note how long a phase took, so a slow default run shows where its minutes went."""
    started = time.monotonic()
    try:
        yield
    finally:
        report.setdefault("phase_seconds", {})[name] = round(time.monotonic() - started, 1)


def http_phases(args: argparse.Namespace, report: dict[str, Any], log_copy: Path) -> None:
    engine_hello = report["engine"]["hello"]
    cold_starts = {
        language: figures["sandbox_cold"]["handover_ms"]["p50"]
        for language, figures in engine_hello.items()
        if figures.get("sandbox_cold", {}).get("handover_ms", {}).get("n")
    }
    problems = humaneval_problems()
    with bench_server(dict(args.setting), log_copy) as server:
        with phase(report, "hello_http"):
            report["hello_http"] = hello_vs_bare(server, args.hello_http_rounds)
        with phase(report, "submission_http"):
            report["submission_http"] = submissions(server, args.submission_rounds, cold_starts)
        with phase(report, "humaneval"):
            levels, seconds = args.levels, args.level_seconds
            report["humaneval"] = humaneval_levels(server, problems, levels, seconds)
        with phase(report, "saturation"):
            levels, seconds = args.saturation_levels, args.saturation_seconds
            report["saturation"] = saturation(server, problems, levels, seconds)
    report["server_tracebacks"] = server_tracebacks(log_copy)


def bench(args: argparse.Namespace) -> dict[str, Any]:
    started = time.monotonic()
    report: dict[str, Any] = {"machine": machine(), "setup": describe(args)}
    report["machine"]["load_average_at_start"] = [round(x, 2) for x in os.getloadavg()]
    with tempfile.TemporaryDirectory(prefix="ik-bench-engine-") as temp:
        data_dir = Path(temp)
        data_dir.chmod(0o711)
        settings = Settings(_env_file=None, data_dir=data_dir)
        with phase(report, "engine_hello"):
            hello = hello_runs(settings, args.engine_rounds)
        with phase(report, "engine_compile_cache"):
            report["engine"] = {
                "hello": hello,
                "compile_cache": compile_cache(settings, args.cache_rounds),
            }
        http_phases(args, report, data_dir / "server.log")
    report["machine"]["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    report["targets"] = verdicts(report)
    report["bench_seconds"] = round(time.monotonic() - started, 1)
    return {"targets": report.pop("targets"), **report}


def failed_runs(report: dict[str, Any]) -> int:
    """Runs that were not accepted, timeouts and 5xx, in any HTTP phase."""
    loads = [level["http"] for level in report["humaneval"]["by_clients"].values()]
    loads += list(report["saturation"].values())
    failed = sum(
        load["not_accepted"] + load["timeouts"] + load["server_errors_5xx"] for load in loads
    )
    singles = [report["hello_http"], *report["submission_http"].values()]
    failed += sum(single.get("not_accepted", 0) + ("skipped" in single) for single in singles)
    return int(failed)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, lambda signum, _frame: sys.exit(128 + signum))
    skip_missing_sniffio()
    report = bench(args)
    document = json.dumps(report, indent=2, ensure_ascii=False)
    print(document)
    if args.output:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(document + "\n")
    for name, verdict in report["targets"].items():
        colour = "green" if verdict["met"] else "red"
        console.print(f"[{colour}]{'met    ' if verdict['met'] else 'NOT met'}[/{colour}] {name}")
    return 1 if failed_runs(report) else 0


if __name__ == "__main__":
    sys.exit(main())
