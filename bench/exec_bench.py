"""Speed of the code execution engine, each figure next to its baseline from the same run.

* ``hello``: per language, p50/p95 of a hello-world run through the engine (cold, and for
  Python also from the warm pool) against spawning the same interpreter or binary with no
  sandbox at all (the physical floor). Baseline and engine runs alternate, so drift in the
  machine's speed hits both alike.
* ``submission``: a 10-test function-call submission per language, end to end through
  ``POST /api/v1/execute`` of a real ``interviewkit serve`` (compile cached after the first).
* ``throughput``: Python hello-world runs per second through the HTTP API with cores x 4
  concurrent clients, against bare interpreter spawns per second at the same concurrency.
* ``compile_cache``: Java and C++ submissions whose compilation is cached (hit) against
  ones with new sources (miss), and a cached C++ run against running the bare binary.

One JSON document goes to stdout; progress goes to stderr. Ratios are what to compare
across machines: both sides of each ratio were measured here, minutes apart at most.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console

from api_bench import create_api_key, interviewkit_command, machine, running_server
from interviewkit.config import Settings
from interviewkit.execution.engine import ExecutionJob
from interviewkit.execution.limits import default_limits
from interviewkit.execution.planner import build_engine
from interviewkit.execution.toolchains import LanguageRegistry, Toolchain

console = Console(stderr=True)

WARM_LANGUAGES = ("python", "cpp")
"""What the warm pool serves: Python programs, and compiled programs with default limits."""

TARGETS = {
    "python_cold_vs_bare_p50": 1.5,
    "python_warm_vs_bare_p50": 1.0,
    "python_submission_http_p50_ms": 60.0,
    "cpp_cached_vs_bare_binary_p50": 2.0,
    "python_runs_per_second": 40.0,
}

HELLO = {
    "python": ("main.py", 'print("hello")\n'),
    "javascript": ("main.js", 'console.log("hello");\n'),
    "java": (
        "Main.java",
        "public class Main {\n  public static void main(String[] a) {\n"
        '    System.out.println("hello");\n  }\n}\n',
    ),
    "cpp": ("main.cpp", '#include <cstdio>\nint main() { std::puts("hello"); }\n'),
}

TWO_SUM = {
    "python": (
        "solution.py",
        "def twoSum(nums, target):\n    seen = {}\n    for i, x in enumerate(nums):\n"
        "        if target - x in seen:\n            return [seen[target - x], i]\n"
        "        seen[x] = i\n",
    ),
    "javascript": (
        "solution.js",
        "var twoSum = function(nums, target) {\n  const seen = new Map();\n"
        "  for (let i = 0; i < nums.length; i++) {\n"
        "    if (seen.has(target - nums[i])) return [seen.get(target - nums[i]), i];\n"
        "    seen.set(nums[i], i);\n  }\n};\n",
    ),
    "java": (
        "Solution.java",
        "import java.util.*;\nclass Solution {\n  public int[] twoSum(int[] nums, int target) {\n"
        "    Map<Integer, Integer> seen = new HashMap<>();\n"
        "    for (int i = 0; i < nums.length; i++) {\n"
        "      Integer j = seen.get(target - nums[i]);\n"
        "      if (j != null) return new int[]{j, i};\n      seen.put(nums[i], i);\n    }\n"
        "    return new int[0];\n  }\n}\n",
    ),
    "cpp": (
        "solution.cpp",
        "#include <vector>\n#include <unordered_map>\nusing namespace std;\nclass Solution {\n"
        "public:\n  vector<int> twoSum(vector<int>& nums, int target) {\n"
        "    unordered_map<int, int> seen;\n    for (int i = 0; i < (int)nums.size(); i++) {\n"
        "      auto it = seen.find(target - nums[i]);\n"
        "      if (it != seen.end()) return {it->second, i};\n      seen[nums[i]] = i;\n    }\n"
        "    return {};\n  }\n};\n",
    ),
}
SIGNATURE = {
    "params": [{"name": "nums", "type": "int[]"}, {"name": "target", "type": "int"}],
    "returns": "int[]",
}


def ten_tests() -> list[dict[str, Any]]:
    tests = []
    for index in range(10):
        nums = [index * 1_000_000 + 2**bit for bit in range(20)]  # every pair sum is unique
        tests.append({"name": f"t{index}", "input": [nums, nums[3] + nums[7]], "expected": [3, 7]})
    return tests


def cuts(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"p50": round(statistics.median(ordered), 2), "p95": round(p95, 2), "n": len(ordered)}


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return (time.perf_counter() - started) * 1000


# ---- the engine, in-process ------------------------------------------------------------


def bare_command(chain: Toolchain, folder: Path, entry: str) -> list[str]:
    """The same program with no sandbox: the interpreter, or a binary compiled here."""
    source = folder / entry
    if chain.name == "python":
        return [chain.executables["python"], "-B", str(source)]
    if chain.name == "javascript":
        return [chain.executables["node"], str(source)]
    if chain.name == "java":
        subprocess.run([chain.executables["javac"], "-d", str(folder), str(source)], check=True)
        memory = "-Xmx128m"
        return [chain.executables["java"], memory, "-XX:+UseSerialGC", "-cp", str(folder), "Main"]
    binary = folder / "main"
    subprocess.run([chain.executables["gxx"], "-O2", "-o", str(binary), str(source)], check=True)
    return [str(binary)]


def hello_runs(settings: Settings, rounds: dict[str, int]) -> dict[str, Any]:
    registry = LanguageRegistry()
    chains = registry.available()
    cold = build_engine(settings.model_copy(update={"exec_warm_pool": 0}))
    warm = build_engine(settings, registry=registry)
    time.sleep(1.0)  # let the pool start
    limits = default_limits(settings)
    report: dict[str, Any] = {}
    for language, count in rounds.items():
        if language not in chains:
            continue
        chain = chains[language]
        entry, source = HELLO[language]
        folder = Path(tempfile.mkdtemp(prefix="ik-bench-"))
        (folder / entry).write_text(source)
        bare = bare_command(chain, folder, entry)
        job = ExecutionJob("exe_bench", chain, {entry: source}, entry, limits=limits)
        cold.execute(job)  # compile (cached afterwards) and warm the page cache
        series: dict[str, list[float]] = {"bare": [], "engine_cold": []}
        if language in WARM_LANGUAGES:
            series["engine_warm"] = []
        console.print(f"hello-world {language}: {count} rounds")
        for _ in range(count):
            series["bare"].append(timed(partial(subprocess.run, bare, capture_output=True)))
            started = time.perf_counter()
            result = cold.execute(job)
            series["engine_cold"].append((time.perf_counter() - started) * 1000)
            if result.status != "accepted":
                raise RuntimeError(f"{language} hello-world failed: {result.model_dump_json()}")
            if language in WARM_LANGUAGES:
                series["engine_warm"].append(timed(partial(warm.execute, job)))
                time.sleep(0.03)  # the pool refills between runs, as between requests
        shutil.rmtree(folder, ignore_errors=True)
        entry_report: dict[str, Any] = {name: cuts(values) for name, values in series.items()}
        bare_p50 = entry_report["bare"]["p50"]
        for name in series:
            if name != "bare":
                entry_report[f"{name}_vs_bare_p50"] = round(entry_report[name]["p50"] / bare_p50, 2)
        report[language] = entry_report
    warm.sandbox.close()
    return report


def compile_cache(settings: Settings, rounds: int) -> dict[str, Any]:
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
    return report


# ---- through HTTP ---------------------------------------------------------------------


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


def hello_body() -> dict[str, Any]:
    entry, source = HELLO["python"]
    return {"language": "python", "files": [{"path": entry, "content": source}]}


async def submissions(url: str, key: str, rounds: dict[str, int]) -> dict[str, Any]:
    report: dict[str, Any] = {}
    headers = {"Authorization": f"Bearer {key}"}
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=120) as client:
        for language, count in rounds.items():
            body = submission_body(language)
            first = await client.post("/api/v1/execute", json=body)
            if first.status_code == 503:
                continue
            first.raise_for_status()
            if first.json()["status"] != "accepted":
                raise RuntimeError(f"{language} submission failed: {first.text[:2000]}")
            console.print(f"10-test submission {language}: {count} rounds")
            latencies = []
            for _ in range(count):
                started = time.perf_counter()
                response = await client.post("/api/v1/execute", json=body)
                latencies.append((time.perf_counter() - started) * 1000)
                response.raise_for_status()
                await asyncio.sleep(0.03)
            report[language] = cuts(latencies)
    return report


async def http_throughput(url: str, key: str, clients: int, seconds: float) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {key}"}
    body = hello_body()
    done = 0
    refused = 0
    deadline = time.monotonic() + seconds

    async def loop(client: httpx.AsyncClient) -> None:
        nonlocal done, refused
        while time.monotonic() < deadline:
            response = await client.post("/api/v1/execute", json=body)
            if response.status_code == 429:
                refused += 1
                await asyncio.sleep(float(response.headers.get("retry-after", "1")) / 10)
                continue
            response.raise_for_status()
            done += 1

    started = time.monotonic()
    limits = httpx.Limits(max_connections=clients)
    async with httpx.AsyncClient(
        base_url=url, headers=headers, timeout=120, limits=limits
    ) as client:
        await asyncio.gather(*(loop(client) for _ in range(clients)))
    elapsed = time.monotonic() - started
    return {"runs_per_second": round(done / elapsed, 1), "runs": done, "refused_429": refused}


def bare_throughput(python: str, clients: int, seconds: float) -> dict[str, Any]:
    folder = Path(tempfile.mkdtemp(prefix="ik-bench-"))
    script = folder / "main.py"
    script.write_text(HELLO["python"][1])
    done = 0

    async def loop(deadline: float) -> None:
        nonlocal done
        while time.monotonic() < deadline:
            process = await asyncio.create_subprocess_exec(
                python, "-B", str(script), stdout=asyncio.subprocess.PIPE
            )
            await process.communicate()
            done += 1

    async def run() -> float:
        started = time.monotonic()
        await asyncio.gather(*(loop(started + seconds) for _ in range(clients)))
        return time.monotonic() - started

    elapsed = asyncio.run(run())
    shutil.rmtree(folder, ignore_errors=True)
    return {"runs_per_second": round(done / elapsed, 1), "runs": done}


def http_part(args: argparse.Namespace) -> dict[str, Any]:
    data_dir = Path(tempfile.mkdtemp(prefix="ik-bench-server-"))
    data_dir.chmod(0o711)
    base = interviewkit_command(data_dir, None)
    settings = dict(args.setting)
    key = create_api_key(base, data_dir.parent, settings)
    clients = (os.cpu_count() or 1) * 4
    with (
        (data_dir / "server.log").open("w+") as log,
        running_server(base, data_dir.parent, log, settings) as url,
    ):
        submission = asyncio.run(submissions(url, key, args.submission_rounds))
        console.print(f"throughput: {clients} clients for {args.seconds} s")
        throughput = asyncio.run(http_throughput(url, key, clients, args.seconds))
    shutil.rmtree(data_dir, ignore_errors=True)
    python = LanguageRegistry().available()["python"].executables["python"]
    bare = bare_throughput(python, clients, args.seconds)
    throughput["bare_spawns_per_second"] = bare["runs_per_second"]
    throughput["vs_bare"] = round(throughput["runs_per_second"] / bare["runs_per_second"], 2)
    throughput["clients"] = clients
    return {"submission_http": submission, "throughput": throughput}


def verdicts(report: dict[str, Any]) -> dict[str, Any]:
    hello = report["hello"]
    python = hello.get("python", {})
    cpp_cached = hello.get("cpp", {}).get("engine_warm_vs_bare_p50")
    measured = {
        "python_cold_vs_bare_p50": python.get("engine_cold_vs_bare_p50"),
        "python_warm_vs_bare_p50": python.get("engine_warm_vs_bare_p50"),
        "python_submission_http_p50_ms": report["submission_http"].get("python", {}).get("p50"),
        "cpp_cached_vs_bare_binary_p50": cpp_cached,
        "python_runs_per_second": report["throughput"]["runs_per_second"],
    }
    result = {}
    for name, target in TARGETS.items():
        value = measured[name]
        higher_is_better = name == "python_runs_per_second"
        met = value is not None and (value >= target if higher_is_better else value <= target)
        result[name] = {"measured": value, "target": target, "met": met}
    return result


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Benchmark the code execution engine")
    parser.add_argument("--rounds", type=int, default=40, help="hello-world runs per language")
    parser.add_argument("--seconds", type=float, default=10.0, help="throughput phase length")
    parser.add_argument("--output", type=Path, help="also write the JSON here")
    parser.add_argument("--setting", action="append", default=[], type=lambda t: t.split("="))
    args = parser.parse_args(argv)
    few = max(3, args.rounds // 4)
    args.hello_rounds = {"python": args.rounds, "javascript": args.rounds, "java": few}
    args.hello_rounds["cpp"] = args.rounds
    args.submission_rounds = {"python": args.rounds, "javascript": few, "java": few, "cpp": few}
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    data_dir = Path(tempfile.mkdtemp(prefix="ik-bench-engine-"))
    data_dir.chmod(0o711)
    settings = Settings(_env_file=None, data_dir=data_dir)
    report: dict[str, Any] = {"machine": machine()}
    report["hello"] = hello_runs(settings, args.hello_rounds)
    report["compile_cache"] = compile_cache(settings, max(3, args.rounds // 8))
    report.update(http_part(args))
    report["targets"] = verdicts(report)
    shutil.rmtree(data_dir, ignore_errors=True)
    document = json.dumps(report, indent=2)
    print(document)
    if args.output:
        args.output.write_text(document + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
