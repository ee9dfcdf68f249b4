"""The engine in-process, with no HTTP: hello-world per language, cold and warm, against
the same program spawned with no sandbox at all, and the compile cache (hit vs miss).

The sandbox is wrapped in :class:`RecordingSandbox`, which only passes each run through
and remembers which warm runtime served it and how long its hand-over took, so the report
can say how often "warm" really was warm and how long a cold sandbox start takes (the
HTTP phase uses that as its yardstick to tell warm runs from cold ones).
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import tempfile
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from exec_common import BARE_ENV, HELLO, bare_python, console, cuts, ratio, timed
from interviewkit.config import Settings
from interviewkit.execution.engine import Engine, ExecutionJob
from interviewkit.execution.limits import default_limits
from interviewkit.execution.planner import build_engine
from interviewkit.execution.sandbox.port import Sandbox, SandboxJob, SandboxResult
from interviewkit.execution.toolchains import LanguageRegistry, Toolchain
from interviewkit.languages.java import JVM_OPTIONS

REFILL_PAUSE_S = {"python": 0.03, "cpp": 0.03, "javascript": 0.1, "java": 0.4}
"""The pause after each warm run, as between two requests: long enough for the pool to
start the next sandbox of that runtime (a JVM takes longest)."""


@dataclass
class RecordingSandbox:
    """The real sandbox, passed through; it notes who served each run and its hand-over."""

    inner: Sandbox
    served: list[str | None] = field(default_factory=list)
    handovers: list[float] = field(default_factory=list)
    name: str = ""
    isolated: bool = True

    def __post_init__(self) -> None:
        self.name, self.isolated = self.inner.name, self.inner.isolated

    def paths(self) -> Mapping[str, str]:
        return self.inner.paths()

    def run(self, job: SandboxJob) -> SandboxResult:
        result = self.inner.run(job)
        self.served.append(getattr(result, "warm", None))
        self.handovers.append(float(getattr(result, "handover_ms", 0.0)))
        return result

    def close(self) -> None:
        self.inner.close()

    def forget(self) -> None:
        self.served.clear()
        self.handovers.clear()

    def summary(self) -> dict[str, Any]:
        runs = len(self.served)
        warm = sum(1 for runtime in self.served if runtime)
        return {
            "sandbox_runs": runs,
            "served_warm": warm,
            "warm_runtimes": sorted({runtime for runtime in self.served if runtime}),
            "handover_ms": cuts(self.handovers),
        }


def recorded(engine: Engine) -> tuple[Engine, RecordingSandbox]:
    """The same engine (same sandbox, pools and cache) with its runs recorded."""
    recorder = RecordingSandbox(engine.sandbox)
    return Engine(recorder, engine.cache), recorder


def bare_command(chain: Toolchain, folder: Path, entry: str) -> list[str]:
    """The same program with no sandbox: the interpreter, or a binary compiled here."""
    source = folder / entry
    if chain.name == "python":
        return [bare_python(), "-B", str(source)]
    if chain.name == "javascript":
        return [chain.executables["node"], str(source)]
    if chain.name == "java":
        subprocess.run([chain.executables["javac"], "-d", str(folder), str(source)], check=True)
        options = ["-Xmx128m", "-Xss16m", *JVM_OPTIONS]  # the sandbox's JVM flags
        return [chain.executables["java"], *options, "-cp", str(folder), "Main"]
    binary = folder / "main"
    subprocess.run([chain.executables["gxx"], "-O2", "-o", str(binary), str(source)], check=True)
    return [str(binary)]


def _hello_language(
    chain: Toolchain, count: int, engines: dict[str, tuple[Engine, RecordingSandbox]], limits: Any
) -> dict[str, Any]:
    entry, source = HELLO[chain.name]
    folder = Path(tempfile.mkdtemp(prefix="ik-bench-"))
    try:
        (folder / entry).write_text(source)
        bare = bare_command(chain, folder, entry)
        job = ExecutionJob("exe_bench", chain, {entry: source}, entry, limits=limits)
        engines["cold"][0].execute(job)  # compile (cached afterwards), warm the page cache
        series: dict[str, list[float]] = {"bare": [], "engine_cold": [], "engine_warm": []}
        failures: dict[str, list[str]] = {"engine_cold": [], "engine_warm": []}
        for _, recorder in engines.values():
            recorder.forget()
        for _ in range(count):
            series["bare"].append(
                timed(partial(subprocess.run, bare, capture_output=True, env=BARE_ENV))
            )
            for mode, (engine, _recorder) in engines.items():
                started = time.perf_counter()
                result = engine.execute(job)
                elapsed = (time.perf_counter() - started) * 1000
                if result.status == "accepted":
                    series[f"engine_{mode}"].append(elapsed)
                else:  # recorded, not fatal: the engine may be mid-change
                    failures[f"engine_{mode}"].append(result.model_dump_json()[:1000])
            time.sleep(REFILL_PAUSE_S.get(chain.name, 0.1))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    report: dict[str, Any] = {name: cuts(values) for name, values in series.items()}
    for mode in ("cold", "warm"):
        report[f"engine_{mode}_vs_bare_p50"] = ratio(
            report[f"engine_{mode}"]["p50"], report["bare"]["p50"]
        )
        report[f"sandbox_{mode}"] = engines[mode][1].summary()
        if failures[f"engine_{mode}"]:
            report[f"engine_{mode}"]["not_accepted"] = len(failures[f"engine_{mode}"])
            report[f"engine_{mode}"]["examples"] = failures[f"engine_{mode}"][:3]
    return report


def hello_runs(settings: Settings, rounds: dict[str, int]) -> dict[str, Any]:
    """Per language: bare spawn, engine with no pool, engine with the pools, alternating."""
    registry = LanguageRegistry()
    chains = registry.available()
    engines = {
        "cold": recorded(build_engine(settings.model_copy(update={"exec_warm_pool": 0}))),
        "warm": recorded(build_engine(settings, registry=registry)),
    }
    limits = default_limits(settings)
    time.sleep(3.0)  # let the pools start (a JVM takes a second or two)
    report: dict[str, Any] = {}
    try:
        for language, count in rounds.items():
            if language in chains:
                console.print(f"engine hello-world {language}: {count} rounds")
                report[language] = _hello_language(chains[language], count, engines, limits)
    finally:
        for engine, _ in engines.values():
            engine.sandbox.close()
    return report


def compile_cache(settings: Settings, rounds: int) -> dict[str, Any]:
    """Java and C++: new sources every time (miss) against the same sources (hit)."""
    chains = LanguageRegistry().available()
    engine = build_engine(settings.model_copy(update={"exec_warm_pool": 0}))
    limits = default_limits(settings)
    report: dict[str, Any] = {}
    for language in ("java", "cpp"):
        if language not in chains:
            continue
        chain = chains[language]
        entry, source = HELLO[language]
        job = ExecutionJob("exe_bench", chain, {entry: source}, entry, limits=limits)
        engine.execute(job)
        miss, hit = [], []
        console.print(f"compile cache {language}: {rounds} rounds")
        for _ in range(rounds):
            fresh = source + f"// {uuid.uuid4()}\n"
            changed = ExecutionJob("exe_bench", chain, {entry: fresh}, entry, limits=limits)
            miss.append(timed(partial(engine.execute, changed)))
            hit.append(timed(partial(engine.execute, job)))
        report[language] = {
            "miss": cuts(miss),
            "hit": cuts(hit),
            "hit_vs_miss_p50": round(statistics.median(hit) / statistics.median(miss), 3),
        }
    engine.sandbox.close()
    return report
