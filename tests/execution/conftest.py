"""Programs and fixtures shared by the engine, API and CLI tests of code execution.

Every language has the same small set of programs, so a test can be parametrised over the
four languages and the compiled ones (Java, C++) are compiled once per test process: the
engine's compile cache is content-addressed and, under pytest's private temp folder, lives
in one process-wide directory that every engine of the run shares.

* ``CALL`` - function-call two-sum, ``single`` (one file, which also misbehaves on purpose
  for a few magic ``target`` values, see ``CRASH_TARGETS``) and ``multi`` (a helper in a
  second file).
* ``STDIO`` - stdin/stdout: sum the whitespace-separated integers, ``single`` and
  ``multi`` (a helper file again).
* ``KIT`` - a stdin-driven program whose first word names a behaviour (``echo``, ``loop``,
  ``sleep``, ``alloc``, ``flood``, ``throw``, ``exit``, ``segv``, ``oom``), one compilation
  per language for every verdict the process itself can earn.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from interviewkit.config import Settings
from interviewkit.execution.engine import Engine, ExecutionJob
from interviewkit.execution.limits import Limits
from interviewkit.execution.planner import JobPlanner, build_engine
from interviewkit.execution.sandbox import SandboxJob, SandboxResult
from interviewkit.execution.schemas import ExecutionResult, TestSuite
from interviewkit.execution.toolchains import LanguageRegistry
from interviewkit.languages import names as language_names
from tests.conftest import make_settings

LANGUAGES = language_names()  # every registered language
TOOLS = {"python": ["python3"], "javascript": ["node"], "java": ["javac", "java"], "cpp": ["g++"]}
SANDBOX_READY = os.geteuid() == 0 and shutil.which("bwrap") is not None

requires_sandbox = pytest.mark.skipif(
    not SANDBOX_READY, reason="needs root and bubblewrap (the real sandbox)"
)


def _missing(language: str) -> list[str]:
    return [tool for tool in TOOLS[language] if shutil.which(tool, path="/usr/bin:/bin") is None]


def needs(language: str) -> pytest.MarkDecorator:
    missing = _missing(language)
    return pytest.mark.skipif(bool(missing), reason=f"{language} needs {', '.join(missing)}")


def languages(*names: str) -> list[Any]:
    """``pytest.param`` per language, skipped where the toolchain is missing."""
    return [pytest.param(name, marks=needs(name), id=name) for name in names or LANGUAGES]


FAST: dict[str, float] = {"cpu_time_s": 1, "wall_time_s": 2}
"""Request limits for programs that only a limit stops: keeps the suite quick."""
FAST_LIMITS = Limits(cpu_time_s=1, wall_time_s=2)


# ---------------------------------------------------------------------------- programs


def show(result: ExecutionResult) -> str:
    """A result for an assertion message, short enough to read."""
    return result.model_dump_json(indent=1)[:3000]


@dataclass(frozen=True)
class Program:
    entry: str
    files: dict[str, str]

    def api_files(self) -> list[dict[str, str]]:
        return [{"path": path, "content": text} for path, text in self.files.items()]

    def write(self, folder: Path) -> list[Path]:
        """The files on disk, the entry first (the CLI's convention)."""
        folder.mkdir(parents=True, exist_ok=True)
        paths = []
        for name, text in self.files.items():
            path = folder / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            paths.append(path)
        entry = folder / self.entry
        return [entry, *(path for path in paths if path != entry)]


TWO_SUM_SIGNATURE: dict[str, Any] = {
    "params": [{"name": "nums", "type": "int[]"}, {"name": "target", "type": "int"}],
    "returns": "int[]",
}
TWO_SUM_TESTS: list[dict[str, Any]] = [
    {"name": "first", "input": [[2, 7, 11, 15], 9], "expected": [0, 1]},
    {"name": "middle", "input": [[3, 2, 4], 6], "expected": [1, 2]},
    {"name": "hidden-twins", "input": [[3, 3], 6], "expected": [0, 1], "hidden": True},
]
CRASH_TARGETS = {"crash": -1, "loop": -2, "throw": -3}
"""``target`` values on which the ``single`` call program misbehaves (see the module doc)."""


def two_sum_tests(*names: str) -> list[dict[str, Any]]:
    """Tests by name: the ``TWO_SUM_TESTS`` plus ``crash``/``loop``/``throw``/``wrong``."""
    extra = {
        name: {"name": name, "input": [[1, 2], target], "expected": [0, 1]}
        for name, target in CRASH_TARGETS.items()
    }
    extra["wrong"] = {"name": "wrong", "input": [[1, 5, 4], 9], "expected": [0, 2]}
    known = {test["name"]: test for test in TWO_SUM_TESTS} | extra
    return [dict(known[name]) for name in names]


def two_sum_suite(*names: str, **extra: Any) -> dict[str, Any]:
    tests = two_sum_tests(*names) if names else [dict(test) for test in TWO_SUM_TESTS]
    return {"entry_point": "twoSum", "signature": TWO_SUM_SIGNATURE, "tests": tests, **extra}


PY_CALL_SINGLE = """\
import os
import sys


class Solution:
    def twoSum(self, nums, target):
        if target == -1:
            os._exit(3)
        if target == -2:
            while True:
                pass
        if target == -3:
            raise ValueError("target must be positive")
        seen = {}
        for i, n in enumerate(nums):
            if target - n in seen:
                return [seen[target - n], i]
            seen[n] = i
        sys.exit(4)
"""
JS_CALL_SINGLE = """\
var twoSum = function (nums, target) {
  if (target === -1) process.abort();
  if (target === -2) for (;;) {}
  if (target === -3) throw new Error("target must be positive");
  const seen = new Map();
  for (let i = 0; i < nums.length; i++) {
    if (seen.has(target - nums[i])) return [seen.get(target - nums[i]), i];
    seen.set(nums[i], i);
  }
  return [];
};
"""
JAVA_CALL_SINGLE = """\
import java.util.HashMap;
import java.util.Map;

class Solution {
    public int[] twoSum(int[] nums, int target) {
        if (target == -1) Runtime.getRuntime().halt(3);
        if (target == -2) while (nums.length > 0) { nums[0]++; }
        if (target == -3) throw new IllegalArgumentException("target must be positive");
        Map<Integer, Integer> seen = new HashMap<>();
        for (int i = 0; i < nums.length; i++) {
            if (seen.containsKey(target - nums[i])) {
                return new int[] {seen.get(target - nums[i]), i};
            }
            seen.put(nums[i], i);
        }
        return new int[0];
    }
}
"""
CPP_CALL_SINGLE = """\
class Solution {
public:
    vector<int> twoSum(vector<int>& nums, int target) {
        if (target == -1) {
            volatile int* nowhere = nullptr;
            *nowhere = 1;
        }
        if (target == -2) {
            volatile unsigned long spin = 0;
            while (true) spin = spin + 1;
        }
        if (target == -3) throw std::invalid_argument("target must be positive");
        unordered_map<int, int> seen;
        for (int i = 0; i < (int)nums.size(); i++) {
            if (seen.count(target - nums[i])) return {seen[target - nums[i]], i};
            seen[nums[i]] = i;
        }
        return {};
    }
};
"""

CALL: dict[str, dict[str, Program]] = {
    "python": {
        "single": Program("solution.py", {"solution.py": PY_CALL_SINGLE}),
        "multi": Program(
            "solution.py",
            {
                "solution.py": (
                    "from utils.helper import index_of\n\n\n"
                    "class Solution:\n"
                    "    def twoSum(self, nums, target):\n"
                    "        seen = {}\n"
                    "        for i, n in enumerate(nums):\n"
                    "            if target - n in seen:\n"
                    "                return [index_of(seen, target - n), i]\n"
                    "            seen[n] = i\n"
                    "        return []\n"
                ),
                "utils/helper.py": "def index_of(seen, key):\n    return seen[key]\n",
            },
        ),
    },
    "javascript": {
        "single": Program("solution.js", {"solution.js": JS_CALL_SINGLE}),
        "multi": Program(
            "solution.js",
            {
                "solution.js": (
                    "const { indexOf } = require('./helper');\n"
                    "function twoSum(nums, target) {\n"
                    "  const seen = new Map();\n"
                    "  for (let i = 0; i < nums.length; i++) {\n"
                    "    const want = target - nums[i];\n"
                    "    if (seen.has(want)) return [indexOf(seen, want), i];\n"
                    "    seen.set(nums[i], i);\n"
                    "  }\n"
                    "  return [];\n"
                    "}\n"
                ),
                "helper.js": "exports.indexOf = (seen, key) => seen.get(key);\n",
            },
        ),
    },
    "java": {
        "single": Program("Solution.java", {"Solution.java": JAVA_CALL_SINGLE}),
        "multi": Program(
            "Solution.java",
            {
                "Solution.java": (
                    "import java.util.HashMap;\n"
                    "import java.util.Map;\n\n"
                    "class Solution {\n"
                    "    public int[] twoSum(int[] nums, int target) {\n"
                    "        Map<Integer, Integer> seen = new HashMap<>();\n"
                    "        for (int i = 0; i < nums.length; i++) {\n"
                    "            if (seen.containsKey(target - nums[i])) {\n"
                    "                int at = Helper.indexOf(seen, target - nums[i]);\n"
                    "                return new int[] {at, i};\n"
                    "            }\n"
                    "            seen.put(nums[i], i);\n"
                    "        }\n"
                    "        return new int[0];\n"
                    "    }\n"
                    "}\n"
                ),
                "Helper.java": (
                    "import java.util.Map;\n\n"
                    "class Helper {\n"
                    "    static int indexOf(Map<Integer, Integer> seen, int key) {\n"
                    "        return seen.get(key);\n"
                    "    }\n"
                    "}\n"
                ),
            },
        ),
    },
    "cpp": {
        "single": Program("solution.cpp", {"solution.cpp": CPP_CALL_SINGLE}),
        "multi": Program(
            "solution.cpp",
            {
                "solution.cpp": (
                    '#include "helper.h"\n'
                    "class Solution {\n"
                    "public:\n"
                    "    vector<int> twoSum(vector<int>& nums, int target) {\n"
                    "        unordered_map<int, int> seen;\n"
                    "        for (int i = 0; i < (int)nums.size(); i++) {\n"
                    "            int want = target - nums[i];\n"
                    "            if (seen.count(want)) return {index_of(seen, want), i};\n"
                    "            seen[nums[i]] = i;\n"
                    "        }\n"
                    "        return {};\n"
                    "    }\n"
                    "};\n"
                ),
                "helper.h": (
                    "#pragma once\n"
                    "#include <unordered_map>\n"
                    "int index_of(const std::unordered_map<int, int>& seen, int key);\n"
                ),
                "helper.cpp": (
                    '#include "helper.h"\n'
                    "int index_of(const std::unordered_map<int, int>& seen, int key) {\n"
                    "    return seen.at(key);\n"
                    "}\n"
                ),
            },
        ),
    },
}

STDIO_TESTS: list[dict[str, Any]] = [
    {"name": "two", "stdin": "1 2\n", "expected_stdout": "3\n"},
    {"name": "lines", "stdin": "-5 3\n10\n", "expected_stdout": "8"},
    {
        "name": "hidden-big",
        "stdin": "2000000000 2000000000\n",
        "expected_stdout": "4000000000\n",
        "hidden": True,
    },
]

STDIO: dict[str, dict[str, Program]] = {
    "python": {
        "single": Program(
            "main.py",
            {"main.py": "import sys\n\nprint(sum(int(t) for t in sys.stdin.read().split()))\n"},
        ),
        "multi": Program(
            "main.py",
            {
                "main.py": (
                    "import sys\n\nfrom lib.total import total\n\nprint(total(sys.stdin.read()))\n"
                ),
                "lib/total.py": "def total(text):\n    return sum(int(t) for t in text.split())\n",
            },
        ),
    },
    "javascript": {
        "single": Program(
            "main.js",
            {
                "main.js": (
                    "const text = require('fs').readFileSync(0, 'utf8');\n"
                    "const words = text.split(/\\s+/).filter(Boolean);\n"
                    "console.log(words.reduce((a, w) => a + BigInt(w), 0n).toString());\n"
                )
            },
        ),
        "multi": Program(
            "main.js",
            {
                "main.js": (
                    "const { total } = require('./lib/total.js');\n"
                    "console.log(total(require('fs').readFileSync(0, 'utf8')));\n"
                ),
                "lib/total.js": (
                    "exports.total = (text) => text.split(/\\s+/).filter(Boolean)\n"
                    "  .reduce((a, w) => a + BigInt(w), 0n).toString();\n"
                ),
            },
        ),
    },
    "java": {
        "single": Program(
            "Main.java",
            {
                "Main.java": (
                    "import java.util.Scanner;\n\n"
                    "public class Main {\n"
                    "    public static void main(String[] args) {\n"
                    "        Scanner in = new Scanner(System.in);\n"
                    "        long total = 0;\n"
                    "        while (in.hasNextLong()) total += in.nextLong();\n"
                    "        System.out.println(total);\n"
                    "    }\n"
                    "}\n"
                )
            },
        ),
        "multi": Program(
            "Main.java",
            {
                "Main.java": (
                    "public class Main {\n"
                    "    public static void main(String[] args) throws Exception {\n"
                    "        String text = new String(System.in.readAllBytes());\n"
                    "        System.out.println(Total.of(text));\n"
                    "    }\n"
                    "}\n"
                ),
                "Total.java": (
                    "class Total {\n"
                    "    static long of(String text) {\n"
                    "        long total = 0;\n"
                    '        for (String word : text.trim().split("\\\\s+")) {\n'
                    "            if (!word.isEmpty()) total += Long.parseLong(word);\n"
                    "        }\n"
                    "        return total;\n"
                    "    }\n"
                    "}\n"
                ),
            },
        ),
    },
    "cpp": {
        "single": Program(
            "main.cpp",
            {
                "main.cpp": (
                    "#include <cstdio>\n"
                    "int main() {\n"
                    "    long long value, total = 0;\n"
                    '    while (std::scanf("%lld", &value) == 1) total += value;\n'
                    '    std::printf("%lld\\n", total);\n'
                    "}\n"
                )
            },
        ),
        "multi": Program(
            "main.cpp",
            {
                "main.cpp": (
                    "#include <cstdio>\n"
                    '#include "total.h"\n'
                    "int main() {\n"
                    '    std::printf("%lld\\n", total_of_stdin());\n'
                    "}\n"
                ),
                "total.h": "#pragma once\nlong long total_of_stdin();\n",
                "total.cpp": (
                    "#include <cstdio>\n"
                    '#include "total.h"\n'
                    "long long total_of_stdin() {\n"
                    "    long long value, total = 0;\n"
                    '    while (std::scanf("%lld", &value) == 1) total += value;\n'
                    "    return total;\n"
                    "}\n"
                ),
            },
        ),
    },
}

PY_KIT = """\
import os
import signal
import sys
import time

mode, _, rest = sys.stdin.buffer.read().partition(b" ")
mode = mode.strip().decode()
if mode == "echo":
    sys.stdout.buffer.write(rest)
elif mode == "loop":
    while True:
        pass
elif mode == "sleep":
    time.sleep(30)
elif mode == "alloc":
    hoard = []
    while True:
        hoard.append(bytearray(16 << 20))
elif mode == "flood":
    while True:
        print("y" * 1000)
elif mode == "throw":
    raise RuntimeError("thrown on purpose")
elif mode == "exit":
    print("bye", file=sys.stderr)
    sys.exit(3)
elif mode == "segv":
    os.kill(os.getpid(), signal.SIGSEGV)
"""
JS_KIT = """\
const input = require('fs').readFileSync(0, 'utf8');
const space = input.indexOf(' ');
const mode = (space < 0 ? input : input.slice(0, space)).trim();
const rest = space < 0 ? '' : input.slice(space + 1);
if (mode === 'echo') process.stdout.write(rest);
else if (mode === 'loop') for (;;) {}
else if (mode === 'sleep') setTimeout(() => {}, 30000);
else if (mode === 'alloc') { const hoard = []; for (;;) hoard.push(new Array(1e6).fill(1)); }
else if (mode === 'flood') {
  const line = 'y'.repeat(1000) + '\\n';
  for (;;) require('fs').writeSync(1, line);
}
else if (mode === 'throw') throw new Error('thrown on purpose');
else if (mode === 'exit') { console.error('bye'); process.exit(3); }
"""
JAVA_KIT = """\
import java.util.ArrayList;
import java.util.List;

public class Main {
    public static void main(String[] args) throws Exception {
        String input = new String(System.in.readAllBytes());
        int space = input.indexOf(' ');
        String mode = (space < 0 ? input : input.substring(0, space)).trim();
        String rest = space < 0 ? "" : input.substring(space + 1);
        switch (mode) {
            case "echo" -> System.out.print(rest);
            case "loop" -> {
                long spin = 0;
                while (args.length == 0) spin++;
                System.out.println(spin);
            }
            case "sleep" -> Thread.sleep(30000);
            case "alloc" -> {
                List<long[]> hoard = new ArrayList<>();
                while (true) hoard.add(new long[1 << 20]);
            }
            case "flood" -> { while (true) System.out.println("y".repeat(1000)); }
            case "throw" -> throw new IllegalStateException("thrown on purpose");
            case "exit" -> { System.err.println("bye"); System.exit(3); }
            default -> System.out.println("unknown mode " + mode);
        }
    }
}
"""
CPP_KIT = """\
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

int main() {
    std::string input((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
    auto space = input.find(' ');
    std::string mode = input.substr(0, space);
    while (!mode.empty() && (mode.back() == '\\n' || mode.back() == ' ')) mode.pop_back();
    std::string rest = space == std::string::npos ? "" : input.substr(space + 1);
    if (mode == "echo") std::cout << rest;
    else if (mode == "loop") { volatile unsigned long spin = 0; while (true) spin = spin + 1; }
    else if (mode == "sleep") std::this_thread::sleep_for(std::chrono::seconds(30));
    else if (mode == "alloc") {
        volatile std::size_t huge = std::size_t(1) << 62;
        void* block = ::operator new(huge);
        std::printf("%p\\n", block);
    }
    else if (mode == "oom") {
        std::vector<std::vector<char>> hoard;
        while (true) hoard.emplace_back(16 << 20, 'x');
    }
    else if (mode == "flood") { std::string line(1000, 'y'); while (true) std::puts(line.c_str()); }
    else if (mode == "throw") throw std::runtime_error("thrown on purpose");
    else if (mode == "exit") { std::fputs("bye\\n", stderr); return 3; }
    else if (mode == "segv") { volatile int* nowhere = nullptr; *nowhere = 1; }
    return 0;
}
"""
KIT: dict[str, Program] = {
    "python": Program("main.py", {"main.py": PY_KIT}),
    "javascript": Program("main.js", {"main.js": JS_KIT}),
    "java": Program("Main.java", {"Main.java": JAVA_KIT}),
    "cpp": Program("main.cpp", {"main.cpp": CPP_KIT}),
}

MATH = Program(
    "solution.py",
    {
        "solution.py": (
            "def mean(nums):\n"
            "    return sum(nums) / len(nums) + 1e-7\n\n\n"
            "def evens(nums):\n"
            "    return sorted((n for n in nums if n % 2 == 0), reverse=True)\n\n\n"
            "def truthy(n):\n"
            "    return 1 if n else 0\n"
        )
    },
)
"""Python functions for comparison rules: a mean off by 1e-7, evens in descending order."""

SYNTAX_ERRORS: dict[str, Program] = {
    "java": Program(
        "Main.java",
        {
            "Main.java": (
                "public class Main {\n"
                "    public static void main(String[] a) {\n"
                '        System.out.println("missing semicolon")\n'
                "    }\n"
                "}\n"
            )
        },
    ),
    "cpp": Program("main.cpp", {"main.cpp": "int main() {\n    return 0\n}\n"}),
}


# ---------------------------------------------------------------------------- engine


class BrokenSandbox:
    """A sandbox that fails the way a broken host does: every run raises."""

    name = "broken"
    isolated = True

    def paths(self) -> Mapping[str, str]:
        return {"{work}": "/work", "{ik}": "/ik"}

    def run(self, job: SandboxJob) -> SandboxResult:
        raise RuntimeError("bwrap: cannot create namespace")

    def close(self) -> None:
        pass


@dataclass
class Runner:
    """The real engine on bubblewrap, with the planner the API and the CLI use."""

    engine: Engine
    planner: JobPlanner
    settings: Settings

    def job(
        self,
        program: Program,
        language: str,
        *,
        stdin: str = "",
        suite: dict[str, Any] | None = None,
        limits: Limits = FAST_LIMITS,
        files: dict[str, str] | None = None,
    ) -> ExecutionJob:
        return self.planner.job(
            files=files if files is not None else program.files,
            entry=program.entry,
            language=language,
            stdin=stdin,
            suite=TestSuite.model_validate(suite) if suite is not None else None,
            limits=limits,
        )

    def run(
        self,
        program: Program,
        language: str,
        *,
        stdin: str = "",
        suite: dict[str, Any] | None = None,
        limits: Limits = FAST_LIMITS,
        files: dict[str, str] | None = None,
    ) -> ExecutionResult:
        job = self.job(program, language, stdin=stdin, suite=suite, limits=limits, files=files)
        return self.engine.execute(job)


@pytest.fixture(scope="session")
def registry() -> LanguageRegistry:
    """Toolchains probed once for the whole run (javac takes half a second to answer)."""
    return LanguageRegistry()


@pytest.fixture(scope="module")
def runner(
    tmp_path_factory: pytest.TempPathFactory, registry: LanguageRegistry
) -> Iterator[Runner]:
    if not SANDBOX_READY:
        pytest.skip("needs root and bubblewrap (the real sandbox)")
    settings = make_settings(tmp_path_factory.mktemp("engine"))
    engine = build_engine(settings)
    yield Runner(engine, JobPlanner(registry, settings), settings)
    engine.sandbox.close()
