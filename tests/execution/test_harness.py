"""The function-call harnesses, run for real (no sandbox) with each language's toolchain.

Java and C++ programs are compiled once per module, in the background on two workers, while
the Python and JavaScript tests run. C++ builds other than the engine-command check use a
precompiled <bits/stdc++.h> and -O0, and Java builds other than the ``javac`` CLI check are
compiled in one JVM: that keeps the ~40 compiled programs well under a minute.
"""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import subprocess
import threading
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from interviewkit.execution.harness import (
    SUPPORTED_TYPES,
    HarnessProgram,
    Param,
    Signature,
    build_harness,
)
from interviewkit.languages import find as find_language
from interviewkit.languages import names as language_names
from tests.execution import nodes

LANGUAGES = language_names()  # every registered language
PYTHON = "/usr/bin/python3" if Path("/usr/bin/python3").exists() else "python3"
JAVA_FLAGS = ["-Xshare:auto", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"]
JAVA_LINT = "-Xlint:all,-auxiliaryclass"  # LeetCode's ListNode/TreeNode live in __ik_*.java
CPP_FLAGS = ["-std=c++20", "-include", "bits/stdc++.h", "-include", "__ik_prelude.h"]
RUN_TIMEOUT_S = 60
TOOLS = {
    "python": [PYTHON],
    "javascript": ["node"],
    "java": ["javac", "java"],
    "cpp": ["g++"],
}
MISSING_TOOLS = {
    language: [tool for tool in tools if shutil.which(tool) is None]
    for language, tools in TOOLS.items()
}


def needs(language: str) -> pytest.MarkDecorator:
    missing = MISSING_TOOLS[language]
    return pytest.mark.skipif(bool(missing), reason=f"{language} needs {', '.join(missing)}")


def languages(*names: str) -> list[Any]:
    return [pytest.param(name, marks=needs(name), id=name) for name in names]


def signature(returns: str, **params: str) -> Signature:
    return Signature(params=[Param(name=n, type=t) for n, t in params.items()], returns=returns)


TWO_SUM_SIGNATURE = signature("int[]", nums="int[]", target="int")

# ---------------------------------------------------------------------------- candidates

TWO_SUM: dict[str, tuple[str, dict[str, str]]] = {
    "python": (
        "solution.py",
        {
            "utils/__init__.py": "",
            "utils/helper.py": "def index_of(seen, key):\n    return seen[key]\n",
            "solution.py": (
                "import os\n"
                "from utils.helper import index_of\n"
                "print('noise at import')\n"
                "os.write(1, b'raw noise at import\\n')\n\n"
                "class Solution:\n"
                "    def twoSum(self, nums: List[int], target: int) -> List[int]:\n"
                "        print('called', len(nums))\n"
                "        seen = {}\n"
                "        for i, n in enumerate(nums):\n"
                "            if target - n in seen:\n"
                "                return [index_of(seen, target - n), i]\n"
                "            seen[n] = i\n"
                "        raise ValueError('no pair')\n"
            ),
        },
    ),
    "javascript": (
        "src/solution.js",
        {
            "src/utils/helper.js": "exports.indexOf = (seen, key) => seen.get(key);\n",
            "src/solution.js": (
                "const { indexOf } = require('./utils/helper');\n"
                "console.log('noise at import');\n"
                "var twoSum = function (nums, target) {\n"
                "  console.log('called', nums.length);\n"
                "  const seen = new Map();\n"
                "  for (let i = 0; i < nums.length; i++) {\n"
                "    if (seen.has(target - nums[i])) return [indexOf(seen, target - nums[i]), i];\n"
                "    seen.set(nums[i], i);\n"
                "  }\n"
                "  throw new Error('no pair');\n"
                "};\n"
            ),
        },
    ),
    "java": (
        "Solution.java",
        {
            "Helper.java": (
                "import java.util.Map;\n\n"
                "class Helper {\n"
                "    static int indexOf(Map<Integer, Integer> seen, int key) {\n"
                "        return seen.get(key);\n"
                "    }\n"
                "}\n"
            ),
            "Solution.java": (
                "import java.util.HashMap;\n"
                "import java.util.Map;\n\n"
                "class Solution {\n"
                "    public int[] twoSum(int[] nums, int target) {\n"
                '        System.out.println("called " + nums.length);\n'
                "        Map<Integer, Integer> seen = new HashMap<>();\n"
                "        for (int i = 0; i < nums.length; i++) {\n"
                "            if (seen.containsKey(target - nums[i])) {\n"
                "                return new int[] {Helper.indexOf(seen, target - nums[i]), i};\n"
                "            }\n"
                "            seen.put(nums[i], i);\n"
                "        }\n"
                '        throw new IllegalArgumentException("no pair");\n'
                "    }\n"
                "}\n"
            ),
        },
    ),
    "cpp": (
        "solution.cpp",
        {
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
            "solution.cpp": (
                '#include "helper.h"\n'
                "#define S second\n"
                "#define int long long\n"
                'struct Noise { Noise() { std::printf("noise at start\\n"); } } noise;\n'
                "class Solution {\n"
                "public:\n"
                "    vector<signed> twoSum(vector<signed>& nums, signed target) {\n"
                '        cout << "called " << nums.size() << endl;\n'
                "        unordered_map<signed, signed> seen;\n"
                "        for (signed i = 0; i < (signed)nums.size(); i++) {\n"
                "            if (seen.count(target - nums[i])) {\n"
                "                return {index_of(seen, target - nums[i]), i};\n"
                "            }\n"
                "            seen[nums[i]] = i;\n"
                "        }\n"
                '        throw invalid_argument("no pair");\n'
                "    }\n"
                "};\n"
            ),
        },
    ),
}

# Methods for the error scenarios, one harness per entry point.
JAVA_ERRORS = (
    "class Solution {\n"
    "    static long[] keep;\n"
    "    public int allocate(int n) {\n"
    "        keep = new long[100_000_000];\n"
    "        return keep.length;\n"
    "    }\n"
    "    public int add(int a, int b, int c) {\n"
    "        return a + b + c;\n"
    "    }\n"
    "    public static int depth(int n) {\n"
    "        return n == 0 ? 0 : 1 + depth(n - 1);\n"
    "    }\n"
    "    public int forever(int n) {\n"
    "        return forever(n + 1) + 1;\n"
    "    }\n"
    "}\n"
)
CPP_ERRORS = (
    "class Solution {\n"
    "public:\n"
    "    int allocate(int n) {\n"
    "        std::vector<char> v;\n"
    "        v.reserve(std::size_t(1) << 62);\n"
    "        return n;\n"
    "    }\n"
    "    int add(int a, int b, int c) { return a + b + c; }\n"
    "    double half(long long n) {\n"
    '        if (n < 0) throw "negative";\n'
    "        return n / 2.0;\n"
    "    }\n"
    "private:\n"
    "    int hidden(int n) { return n; }\n"
    "};\n"
)
ONE_INT = signature("int", n="int")


def identity_source(language: str, type_name: str) -> tuple[str, dict[str, str]]:
    """A candidate whose ``f(x)`` returns ``x`` unchanged, for the round-trip property."""
    if language == "python":
        return "solution.py", {"solution.py": "def f(x):\n    return x\n"}
    if language == "javascript":
        return "solution.js", {"solution.js": "function f(x) { return x; }\n"}
    base, dims = type_name.replace("[]", ""), type_name.count("[]")
    if language == "java":
        java = {"int": "int", "long": "long", "double": "double", "bool": "boolean", "char": "char"}
        java = {**java, "ListNode": "ListNode", "TreeNode": "TreeNode"}
        java_type = java.get(base, "String") + "[]" * dims
        source = f"class Solution {{\n    {java_type} f({java_type} x) {{ return x; }}\n}}\n"
        return "Solution.java", {"Solution.java": source}
    cpp = {"int": "int", "long": "long long", "double": "double", "bool": "bool", "char": "char"}
    cpp = {**cpp, "ListNode": "ListNode*", "TreeNode": "TreeNode*"}
    cpp_type = cpp.get(base, "string")
    for _ in range(dims):
        cpp_type = f"vector<{cpp_type}>"
    source = f"class Solution {{\npublic:\n    {cpp_type} f({cpp_type}& x) {{ return x; }}\n}};\n"
    return "solution.cpp", {"solution.cpp": source}


# ---------------------------------------------------------------------------- building


@dataclass(frozen=True)
class Spec:
    """One candidate workspace plus the harness to generate for it."""

    language: str
    entry_file: str
    files: dict[str, str]
    entry_point: str
    signature: Signature | None
    engine_command: bool = False  # compile exactly as the engine will (slower)


def spec_key(spec: Spec) -> str:
    sig = spec.signature.model_dump_json() if spec.signature else "-"
    files = json.dumps(spec.files, sort_keys=True)
    return f"{spec.language}:{spec.entry_file}:{spec.entry_point}:{sig}:{files}"


JAVA_BATCH_DRIVER = """
import java.nio.file.*;
import java.util.*;
import javax.tools.*;

public class BatchJavac {
    static final String LINT = "-Xlint:all,-auxiliaryclass";
    public static void main(String[] dirs) throws Exception {
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        for (String dir : dirs) {
            List<String> args = new ArrayList<>(List.of(LINT, "-d", dir + "/build"));
            try (var files = Files.list(Path.of(dir))) {
                files.map(Path::toString).filter(f -> f.endsWith(".java")).sorted()
                    .forEach(args::add);
            }
            int rc = compiler.run(null, null, null, args.toArray(new String[0]));
            System.out.println(rc + " " + dir);
        }
    }
}
"""

JAVA_SPECS: list[Spec] = []
CPP_SPECS: list[Spec] = []


def register(spec: Spec) -> Spec:
    {"java": JAVA_SPECS, "cpp": CPP_SPECS}.get(spec.language, []).append(spec)
    return spec


def two_sum_spec(language: str) -> Spec:
    entry_file, files = TWO_SUM[language]
    return Spec(language, entry_file, files, "twoSum", TWO_SUM_SIGNATURE, engine_command=True)


def identity_spec(language: str, type_name: str) -> Spec:
    entry_file, files = identity_source(language, type_name)
    return Spec(language, entry_file, files, "f", signature(type_name, x=type_name))


def java_error_spec(entry_point: str, sig: Signature) -> Spec:
    return Spec("java", "Solution.java", {"Solution.java": JAVA_ERRORS}, entry_point, sig)


def cpp_error_spec(entry_point: str, sig: Signature) -> Spec:
    return Spec("cpp", "solution.cpp", {"solution.cpp": CPP_ERRORS}, entry_point, sig)


for _language in ("java", "cpp"):
    register(two_sum_spec(_language))
    for _type in SUPPORTED_TYPES:
        register(identity_spec(_language, _type))
for _entry in ("allocate", "missing", "depth", "forever"):
    register(java_error_spec(_entry, ONE_INT))
register(java_error_spec("add", signature("int", a="int", b="int")))
for _entry in ("allocate", "missing", "hidden"):
    register(cpp_error_spec(_entry, ONE_INT))
register(cpp_error_spec("add", signature("int", a="int", b="int")))
register(cpp_error_spec("half", signature("double", n="long")))


def write_workspace(root: Path, spec: Spec) -> tuple[Path, HarnessProgram]:
    workdir = root / uuid.uuid4().hex[:12]
    program = build_harness(spec.language, spec.entry_file, spec.entry_point, spec.signature)
    files = {name: text.encode() for name, text in {**spec.files, **program.files}.items()}
    if spec.language in ("java", "cpp"):  # their environment, as the engine gives it
        language = find_language(spec.language)
        assert language is not None
        files = language.environment.prepare(files)
    for name, content in files.items():
        path = workdir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    return workdir, program


def check(command: list[str], cwd: Path) -> str:
    done = subprocess.run(
        command, cwd=cwd, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}"
    return done.stderr


@dataclass
class Built:
    """A workspace ready to run, and the command that runs its harness."""

    workdir: Path
    command: list[str]


class Builder:
    """Builds each workspace once; Java and C++ compile in the background on two workers."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="harness-build")
        self.futures: dict[str, Future[Built]] = {}
        self.lock = threading.Lock()
        self.started: set[str] = set()

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)

    def start(self, language: str) -> None:
        with self.lock:
            if language in self.started:
                return
            self.started.add(language)
            if language == "java":
                self._start_java()
            elif language == "cpp":
                self._start_cpp()

    def get(self, spec: Spec) -> Built:
        if spec.language in ("java", "cpp"):
            self.start(spec.language)
        with self.lock:
            future = self.futures.get(spec_key(spec))
            if future is None:
                assert spec.language not in ("java", "cpp"), f"unregistered spec {spec}"
                future = Future[Built]()
                future.set_result(self._interpreted(spec))
                self.futures[spec_key(spec)] = future
        return future.result()

    def _interpreted(self, spec: Spec) -> Built:
        workdir, program = write_workspace(self.root, spec)
        tool = [PYTHON] if spec.language == "python" else ["node"]
        return Built(workdir, [*tool, program.main])

    def _start_java(self) -> None:
        batch: list[tuple[Spec, Path]] = []
        for spec in JAVA_SPECS:
            workdir, _ = write_workspace(self.root, spec)
            built = Built(workdir, ["java", *JAVA_FLAGS, "-cp", "build", "IkHarness"])
            if spec.engine_command:
                self.futures[spec_key(spec)] = self.pool.submit(self._javac, built)
            else:
                batch.append((spec, workdir))
        batch_future = self.pool.submit(self._java_batch, [w for _, w in batch])
        for spec, workdir in batch:
            command = ["java", *JAVA_FLAGS, "-cp", "build", "IkHarness"]
            self.futures[spec_key(spec)] = chain(batch_future, Built(workdir, command))

    def _javac(self, built: Built) -> Built:
        sources = sorted(p.name for p in built.workdir.glob("*.java"))
        stderr = check(["javac", JAVA_LINT, "-d", "build", *sources], built.workdir)
        assert stderr == "", f"javac warnings:\n{stderr}"
        return built

    def _java_batch(self, workdirs: list[Path]) -> None:
        driver = self.root / "BatchJavac.java"
        driver.write_text(JAVA_BATCH_DRIVER, encoding="utf-8")
        done = subprocess.run(
            ["java", *JAVA_FLAGS, str(driver), *map(str, workdirs)],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        failed = [line for line in done.stdout.splitlines() if not line.startswith("0 ")]
        assert done.returncode == 0, done.stderr
        assert not failed, f"javac failed for {failed}:\n{done.stderr}"
        assert done.stderr == "", f"javac warnings:\n{done.stderr}"

    def _start_cpp(self) -> None:
        pch_dir = self.root / "pch"
        pch = self.pool.submit(self._precompile, pch_dir)
        for spec in CPP_SPECS:
            workdir, program = write_workspace(self.root, spec)
            others = sorted(
                p.relative_to(workdir).as_posix()
                for p in workdir.rglob("*.cpp")
                if p.name != program.main and p.relative_to(workdir).as_posix() != spec.entry_file
            )
            if spec.engine_command:
                command = ["g++", "-O2", *CPP_FLAGS, program.main, *others, "-o", "main"]
                job = self.pool.submit(self._gxx, workdir, command, None)
            else:
                command = ["g++", "-O0", *CPP_FLAGS, f"-I{pch_dir}", program.main, *others]
                job = self.pool.submit(self._gxx, workdir, [*command, "-o", "main"], pch)
            self.futures[spec_key(spec)] = job

    @staticmethod
    def _precompile(pch_dir: Path) -> None:
        header = (
            subprocess.run(
                ["g++", "-std=c++20", "-H", "-E", "-x", "c++", "-"],
                input="#include <bits/stdc++.h>\n",
                capture_output=True,
                text=True,
                check=True,
            )
            .stderr.splitlines()[0]
            .split()[-1]
        )
        (pch_dir / "bits").mkdir(parents=True)
        out = pch_dir / "bits" / "stdc++.h.gch"
        # Beside the .gch, the header itself: once the .gch has served `-include`, a second
        # #include <bits/stdc++.h> (the harness's, a candidate's) finds this directory first.
        shutil.copy(header, pch_dir / "bits" / "stdc++.h")
        check(["g++", "-O0", "-std=c++20", "-x", "c++-header", header, "-o", str(out)], pch_dir)

    @staticmethod
    def _gxx(workdir: Path, command: list[str], pch: Future[None] | None) -> Built:
        if pch is not None:
            pch.result()
        check(command, workdir)
        return Built(workdir, ["./main"])


def chain(dependency: Future[None], built: Built) -> Future[Built]:
    """A future for ``built`` that completes (or fails) with ``dependency``."""
    result: Future[Built] = Future()

    def done(finished: Future[None]) -> None:
        error = finished.exception()
        if error is not None:
            result.set_exception(error)
        else:
            result.set_result(built)

    dependency.add_done_callback(done)
    return result


@pytest.fixture(scope="module")
def builder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Builder]:
    instance = Builder(tmp_path_factory.mktemp("harness"))
    yield instance
    instance.close()


@pytest.fixture(scope="module", autouse=True)
def _compile_in_background(request: pytest.FixtureRequest, builder: Builder) -> None:
    """Start the slow builds as soon as the module starts, if any selected test needs them."""
    names = [item.name for item in request.session.items if item.path == request.path]
    for language in ("java", "cpp"):
        pattern = re.compile(rf"(^|[_\[]){language}($|[_\]\[])")
        if not MISSING_TOOLS[language] and any(pattern.search(name) for name in names):
            builder.start(language)


# ---------------------------------------------------------------------------- running


@dataclass
class Run:
    """What one harness process reported."""

    events: list[dict[str, Any]]
    stdout: str
    stderr: str
    returncode: int
    raw: str = ""
    results: dict[int, dict[str, Any]] = field(default_factory=dict)


def run_harness(
    built: Built,
    tests: list[list[Any]],
    *,
    start: int | None = None,
    stdout_limit: int | None = None,
    ascii_only: bool = True,
    extra_args: list[str] | None = None,
) -> Run:
    """Run the harness with the engine's environment and read its result pipe."""
    tests_file = built.workdir / f"tests-{uuid.uuid4().hex}.json"
    payload = json.dumps({"tests": tests}, ensure_ascii=ascii_only)
    try:
        data = payload.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates can only travel as \u escapes
        data = json.dumps({"tests": tests}).encode("ascii")
    tests_file.write_bytes(data)
    read_end, write_end = os.pipe()
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8"}
    env |= {"IK_TESTS": tests_file.name, "IK_RESULT_FD": str(write_end)}
    if start is not None:
        env["IK_START"] = str(start)
    if stdout_limit is not None:
        env["IK_STDOUT_LIMIT"] = str(stdout_limit)
    command = list(built.command)
    if extra_args:
        command[1:1] = extra_args
    chunks: list[bytes] = []

    def drain() -> None:
        with os.fdopen(read_end, "rb") as pipe:
            chunks.extend(iter(lambda: pipe.read(65536), b""))

    reader = threading.Thread(target=drain)
    try:
        proc = subprocess.Popen(
            command,
            cwd=built.workdir,
            env=env,
            pass_fds=(write_end,),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
    finally:
        os.close(write_end)
    reader.start()
    try:
        out, err = proc.communicate(timeout=RUN_TIMEOUT_S)
    finally:
        proc.kill()
        reader.join()
        tests_file.unlink()
    raw = b"".join(chunks).decode("utf-8")
    run = Run(
        # Only "\n" ends a line: str.splitlines() would also split inside U+2028 in a string.
        events=[json.loads(line) for line in raw.split("\n") if line],
        stdout=out.decode("utf-8", errors="replace"),
        stderr=err.decode("utf-8", errors="replace"),
        returncode=proc.returncode,
        raw=raw,
    )
    check_protocol(run)
    return run


def check_protocol(run: Run) -> None:
    """Every result follows a start for the same index; indexes increase by one."""
    assert run.returncode == 0, f"exit {run.returncode}\n{run.stderr}\n{run.raw}"
    events = run.events
    assert len(events) % 2 == 0, run.raw
    previous = None
    for start_event, result in zip(events[::2], events[1::2], strict=True):
        assert start_event == {"event": "start", "index": start_event["index"]}
        index = start_event["index"]
        assert result["event"] == "result", run.raw
        assert result["index"] == index, run.raw
        assert previous is None or index == previous + 1
        previous = index
        assert isinstance(result["time_ms"], int | float)
        assert result["time_ms"] >= 0
        assert isinstance(result["stdout"], str)
        if result["ok"]:
            assert set(result) == {"event", "index", "ok", "actual", "stdout", "time_ms"}
        else:
            assert set(result) == {"event", "index", "ok", "kind", "error", "stdout", "time_ms"}
            assert result["kind"] in {"runtime_error", "memory_limit_exceeded"}
        run.results[index] = result


def ok(run: Run, index: int) -> Any:
    result = run.results[index]
    assert result["ok"], result
    return result["actual"]


def error(run: Run, index: int, kind: str = "runtime_error") -> str:
    result = run.results[index]
    assert not result["ok"], result
    assert result["kind"] == kind, result
    message = result["error"]
    assert isinstance(message, str)
    return message


def python_built(
    builder: Builder, files: dict[str, str], entry: str, sig: Signature | None
) -> Built:
    return builder.get(Spec("python", "solution.py", files, entry, sig))


def js_built(builder: Builder, source: str, entry: str, sig: Signature | None = None) -> Built:
    return builder.get(Spec("javascript", "solution.js", {"solution.js": source}, entry, sig))


# ---------------------------------------------------------------------------- validation


def test_build_harness_validation() -> None:
    with pytest.raises(ValueError, match="unsupported language"):
        build_harness("ruby", "solution.rb", "solve", None)
    with pytest.raises(ValueError, match="signature is required"):
        build_harness("java", "Solution.java", "solve", None)
    with pytest.raises(ValueError, match="signature is required"):
        build_harness("cpp", "solution.cpp", "solve", None)
    for bad in ("two sum", "1st", "", "a" * 65, "x;y", "class"):
        with pytest.raises(ValueError, match="entry point"):
            build_harness("python", "solution.py", bad, None)
    with pytest.raises(ValueError, match="reserved word in cpp"):
        build_harness("cpp", "solution.cpp", "delete", TWO_SUM_SIGNATURE)
    for bad in ("../solution.py", "/abs/solution.py", 'sol"ution.py', ".hidden/s.py", "s.js"):
        with pytest.raises(ValueError, match="entry file"):
            build_harness("python", bad, "solve", None)
    with pytest.raises(ValueError, match="clashes"):
        build_harness("python", "__ik_harness.py", "solve", None)
    program = build_harness("cpp", "src/sol.hpp", "twoSum", TWO_SUM_SIGNATURE)
    assert program.main == "__ik_harness.cpp"
    assert set(program.files) == {"__ik_harness.cpp"}
    assert '#include "src/sol.hpp"' in program.files[program.main]
    mains = {
        language: build_harness(language, *TWO_SUM[language][:1], "twoSum", TWO_SUM_SIGNATURE).main
        for language in LANGUAGES
    }
    assert mains == {
        "python": "__ik_harness.py",
        "javascript": "__ik_harness.js",
        "java": "IkHarness.java",
        "cpp": "__ik_harness.cpp",
    }


def test_signature_validation() -> None:
    assert len(SUPPORTED_TYPES) == 6 * 3 + 2 * 2  # scalars with 0-2 [], nodes with 0-1 []
    assert "string[][]" in SUPPORTED_TYPES
    for bad_type in ("int[][][]", "float", "int[", "List<int>", "string []"):
        with pytest.raises(ValidationError):
            Param(name="x", type=bad_type)
    for bad_name in ("class", "new", "delete", "def", "1x", "x-y", "", "arguments"):
        with pytest.raises(ValidationError):
            Param(name=bad_name, type="int")
    with pytest.raises(ValidationError):
        Signature.model_validate({"params": [], "returns": "int", "extra": 1})
    with pytest.raises(ValidationError):
        Signature(params=[Param(name=f"p{i}", type="int") for i in range(17)], returns="int")
    with pytest.raises(ValidationError, match="duplicate"):
        Signature(params=[Param(name="a", type="int")] * 2, returns="int")
    with pytest.raises(ValidationError):
        Param.model_validate({"name": "x", "type": "int", "default": 1})
    param = Param(name="x", type="int")
    with pytest.raises(ValidationError):
        param.name = "y"  # type: ignore[misc]


# ---------------------------------------------------------------------------- Python


def test_python_module_function_and_conversions(builder: Builder) -> None:
    source = (
        "import math\n"
        "class Point:\n"
        "    pass\n\n"
        "def solve(kind):\n"
        "    print('kind', kind)\n"
        "    return {\n"
        "        'tuple': lambda: (1, (2, 3)),\n"
        "        'set': lambda: {3, 1, 2},\n"
        "        'object': lambda: Point(),\n"
        "        'nan': lambda: [math.nan],\n"
        "        'none': lambda: None,\n"
        "        'mixed_set': lambda: {1, 'a'},\n"
        "        'exit': lambda: exit(3),\n"
        "    }[kind]()\n"
    )
    built = python_built(builder, {"solution.py": source}, "solve", None)
    kinds = ["tuple", "set", "object", "nan", "none", "mixed_set", "exit", "unknown"]
    run = run_harness(built, [[k] for k in kinds])
    assert ok(run, 0) == [1, [2, 3]]
    assert ok(run, 1) == [1, 2, 3]
    assert "return value of type Point cannot be converted to JSON" in error(run, 2)
    assert "nan" in error(run, 3)
    assert ok(run, 4) is None
    assert "cannot be sorted" in error(run, 5)
    assert error(run, 6).startswith("SystemExit: 3")
    keyerror = error(run, 7)
    assert keyerror.startswith("KeyError: 'unknown'")
    assert 'File "solution.py", line 7, in solve' in keyerror
    assert "__ik_harness" not in keyerror
    assert [run.results[i]["stdout"] for i in (0, 7)] == ["kind tuple\n", "kind unknown\n"]


def test_python_double_results_are_floats_and_recursion_is_deep(builder: Builder) -> None:
    source = (
        "def depth(n):\n"
        "    return 0 if n == 0 else 1 + depth(n - 1)\n\n"
        "def forever(n):\n"
        "    return n if n < 0 else forever(n + 1)\n"
    )
    files = {"solution.py": source}
    run = run_harness(python_built(builder, files, "depth", signature("double", n="int")), [[5]])
    assert isinstance(ok(run, 0), float)
    assert ok(run, 0) == 5.0
    assert '"actual":5.0' in run.raw
    deep = run_harness(python_built(builder, files, "depth", None), [[200_000]])
    assert ok(deep, 0) == 200_000
    endless = run_harness(python_built(builder, files, "forever", None), [[0], [-5]])
    assert error(endless, 0).startswith("RecursionError")
    assert ok(endless, 1) == -5


def test_python_load_errors(builder: Builder) -> None:
    built = python_built(builder, {"solution.py": "def solve(:\n    pass\n"}, "solve", None)
    run = run_harness(built, [[1], [2]])
    for index in (0, 1):
        message = error(run, index)
        assert "error while loading solution.py" in message
        assert "SyntaxError" in message


# ---------------------------------------------------------------------------- JavaScript


def test_javascript_entry_lookup(builder: Builder) -> None:
    cases: dict[str, tuple[list[Any], Any]] = {
        "module.exports.solve = (a, b) => a * b;\n": ([3, 4], 12),
        "module.exports = function (a, b) { return a * b; };\n": ([3, 4], 12),
        "class Solution { solve(a, b) { return a * b; } }\n": ([3, 4], 12),
        "module.exports = class Solution { solve(a, b) { return a * b; } };\n": ([3, 4], 12),
        "const solve = (a, b = 1, ...rest) => a * b + rest.length;\n": ([3, 4, 5, 6], 14),
        "async function solve(a, b) { return a * b; }\n": ([3, 4], 12),
        "class Solution { solve = (a, b) => a * b; }\n": ([3, 4], 12),
    }
    for source, (args, expected) in cases.items():
        run = run_harness(js_built(builder, source, "solve"), [args])
        assert ok(run, 0) == expected, source
    esm = {
        "export function solve(a, b) { return a * b; }\n": 12,
        "export default class Solution { solve(a, b) { return a * b; } }\n": 12,
    }
    for source, expected in esm.items():
        spec = Spec("javascript", "solution.mjs", {"solution.mjs": source}, "solve", None)
        run = run_harness(builder.get(spec), [[3, 4]])
        assert ok(run, 0) == expected, source
    spec = Spec("javascript", "solution.mjs", {"solution.mjs": "export x;\n"}, "solve", None)
    message = error(run_harness(builder.get(spec), [[1]]), 0)
    assert message.startswith("error while loading solution.mjs: SyntaxError")


def test_javascript_values_and_errors(builder: Builder) -> None:
    source = (
        "function solve(kind) {\n"
        "  process.stdout.write('kind ' + kind + '\\n');\n"
        "  switch (kind) {\n"
        "    case 'set': return new Set([3, 1, 2]);\n"
        "    case 'object': return new (class Point {})();\n"
        "    case 'typed': return new Int32Array([1, 2]);\n"
        "    case 'undefined': return undefined;\n"
        "    case 'string': throw 'plain string';\n"
        "    case 'deep': return (function f(n) { return f(n + 1); })(0);\n"
        "    case 'exit': process.exit(3);\n"
        "    default: return null.x;\n"
        "  }\n"
        "}\n"
    )
    kinds = ["set", "object", "typed", "undefined", "string", "deep", "exit", "other"]
    run = run_harness(js_built(builder, source, "solve"), [[k] for k in kinds])
    assert ok(run, 0) == [1, 2, 3]
    assert "return value of type Point cannot be converted to JSON" in error(run, 1)
    assert ok(run, 2) == [1, 2]
    assert ok(run, 3) is None
    assert "plain string" in error(run, 4)
    assert error(run, 5).startswith("RangeError: Maximum call stack size exceeded")
    assert error(run, 6).startswith("Error: process.exit(3) called")
    other = error(run, 7)
    assert other.startswith("TypeError")
    assert "solution.js:11" in other
    assert "__ik_harness" not in other
    assert run.results[7]["stdout"] == "kind other\n"


def test_javascript_long_and_double(builder: Builder) -> None:
    source = "function add(a, b) { return typeof a === 'bigint' ? a + BigInt(b) : a + b; }\n"
    longs = js_built(builder, source, "add", signature("long", a="long", b="long"))
    run = run_harness(longs, [[2**62, 1], [5, 6]])
    assert ok(run, 0) == 2**62 + 1
    assert ok(run, 1) == 11
    doubles = js_built(builder, source, "add", signature("double", a="double", b="double"))
    run = run_harness(doubles, [[1, 2], [0.1, 0.2]])
    assert ok(run, 0) == 3.0
    assert '"actual":3.0' in run.raw
    assert ok(run, 1) == 0.1 + 0.2


def test_javascript_load_errors(builder: Builder) -> None:
    run = run_harness(js_built(builder, "function solve( {\n", "solve"), [[1]])
    message = error(run, 0)
    assert message.startswith("error while loading solution.js: SyntaxError: ")
    assert "\n    at solution.js:2" in message
    run = run_harness(js_built(builder, "throw new Error('at load');\n", "solve"), [[1]])
    assert "Error: at load" in error(run, 0)


# ---------------------------------------------------------------------------- round trip

INT_EDGES = [0, -1, 1, -(2**31), 2**31 - 1]
LONG_EDGES = [*INT_EDGES, -(2**63), 2**63 - 1, 2**53 + 1, -(2**53) - 1]
DOUBLE_EDGES: list[float | int] = [
    0.0, -0.0, 0.1, 1e21, 1e-7, 5e-324, 2.2250738585072014e-308, 1.7976931348623157e308,
    123456789012345680.0, 3, -(2**60) - 1,
]  # fmt: skip
STRING_EDGES = [
    "",
    "\x00",
    '"\\/\b\f\n\r\t',
    "\x7f\u2028\u2029",
    "é😀𝄞",
    "\ud800",
    "a\udfffb",
    "\udbff",
]
LONE_PAIR = re.compile("[\ud800-\udbff][\udc00-\udfff]")


def scalar_values(base: str) -> st.SearchStrategy[Any]:
    if base == "char":
        return nodes.ASCII
    if base in ("ListNode", "TreeNode"):
        ints = st.sampled_from(INT_EDGES) | nodes.INT32
        return nodes.lists(ints, 8) if base == "ListNode" else nodes.trees(ints, 12)
    if base == "int":
        return st.sampled_from(INT_EDGES) | st.integers(-(2**31), 2**31 - 1)
    if base == "long":
        return st.sampled_from(LONG_EDGES) | st.integers(-(2**63), 2**63 - 1)
    if base == "double":
        floats = st.floats(allow_nan=False, allow_infinity=False)
        return st.sampled_from(DOUBLE_EDGES) | floats | st.integers(-(2**70), 2**70)
    if base == "bool":
        return st.booleans()
    if base == "char":
        return st.sampled_from(["\x00", "\x7f", '"', "\\", "\n"]) | st.characters(max_codepoint=127)
    chars = st.characters(codec=None) | st.sampled_from(["\ud800", "\udc00", "\udbff", "\x01"])
    texts = st.lists(chars, max_size=12).map("".join).filter(lambda s: not LONE_PAIR.search(s))
    return st.sampled_from(STRING_EDGES) | texts


def json_values(type_name: str) -> st.SearchStrategy[Any]:
    strategy = scalar_values(type_name.replace("[]", ""))
    for _ in range(type_name.count("[]")):
        strategy = st.lists(strategy, max_size=5)
    return strategy


def expected_value(value: Any, type_name: str) -> Any:
    """What the identity function must report: JSON ints in a double position become floats."""
    if isinstance(value, list):
        return [expected_value(item, type_name) for item in value]
    return float(value) if type_name.startswith("double") else value


def canonical(value: Any) -> str:
    """Exact comparison: distinguishes 1 from 1.0 and 0.0 from -0.0."""
    return json.dumps(value)


ROUND_TRIP_EXAMPLES = {"python": 8, "javascript": 5, "cpp": 20, "java": 3}


def check_round_trip(builder: Builder, language: str, type_name: str, data: st.DataObject) -> None:
    values = data.draw(st.lists(json_values(type_name), min_size=1, max_size=40), label="values")
    ascii_only = data.draw(st.booleans(), label="ascii_only")
    run = run_harness(
        builder.get(identity_spec(language, type_name)),
        [[value] for value in values],
        ascii_only=ascii_only,
    )
    for index, value in enumerate(values):
        actual = ok(run, index)
        want = expected_value(value, type_name)
        assert canonical(actual) == canonical(want), (index, value, actual)
        if type_name.startswith("double") and not isinstance(value, list):
            assert isinstance(actual, float)
            assert math.isfinite(actual)


def round_trip_test(language: str) -> Callable[..., None]:
    # ListNode/TreeNode have their own round trips (test_harness_nodes_*.py).
    @pytest.mark.parametrize("type_name", [t for t in SUPPORTED_TYPES if t[0].islower()])
    @needs(language)
    @settings(
        max_examples=ROUND_TRIP_EXAMPLES[language],
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(data=st.data())
    def test(builder: Builder, type_name: str, data: st.DataObject) -> None:
        check_round_trip(builder, language, type_name, data)

    test.__name__ = f"test_round_trip_{language}"
    test.__doc__ = f"f(x) -> x returns every {language} value of every type exactly."
    result: Callable[..., None] = test
    return result


test_round_trip_python = round_trip_test("python")
test_round_trip_javascript = round_trip_test("javascript")


# ---------------------------------------------------------------------------- all languages

TWO_SUM_TESTS: list[list[Any]] = [
    [[2, 7, 11, 15], 9],
    [[1, 2], 10],
    [[3, 2, 4], 6],
    [[1, 2**40], 3],
    [[1, 2]],
    [[3, 3], "6"],
]


@pytest.mark.parametrize("language", languages(*LANGUAGES))
def test_two_sum(builder: Builder, language: str) -> None:
    run = run_harness(builder.get(two_sum_spec(language)), TWO_SUM_TESTS)
    assert sorted(run.results) == list(range(len(TWO_SUM_TESTS)))
    assert ok(run, 0) == [0, 1]
    assert run.results[0]["stdout"].startswith("called 4")
    assert "no pair" in error(run, 1)
    assert run.results[1]["stdout"].startswith("called 2")
    assert ok(run, 2) == [1, 2]  # a test that threw does not stop the next one
    assert run.results[2]["stdout"].startswith("called 3")
    overflow = error(run, 3)
    assert "parameter 'nums' (int[]) at nums[1]: 1099511627776 does not fit in int" in overflow
    assert "signature declares 2 parameter(s)" in error(run, 4)
    assert error(run, 5) == "parameter 'target' (int): expected int, got string"
    # Output outside tests never reaches the result channel.
    assert "noise" not in run.raw
    if language != "java":
        assert "noise at" in run.stdout


@pytest.mark.parametrize("language", languages(*LANGUAGES))
def test_start_index_and_stdout_limit(builder: Builder, language: str) -> None:
    built = builder.get(two_sum_spec(language))
    run = run_harness(built, TWO_SUM_TESTS, start=2, stdout_limit=5)
    assert sorted(run.results) == [2, 3, 4, 5]
    assert ok(run, 2) == [1, 2]
    assert run.results[2]["stdout"] == "calle"
    empty = run_harness(built, TWO_SUM_TESTS, start=len(TWO_SUM_TESTS))
    assert empty.events == []


@pytest.mark.parametrize("language", languages(*LANGUAGES))
def test_missing_entry_point(builder: Builder, language: str) -> None:
    if language == "java":
        built = builder.get(java_error_spec("missing", ONE_INT))
    elif language == "cpp":
        built = builder.get(cpp_error_spec("missing", ONE_INT))
    elif language == "python":
        built = python_built(
            builder, {"solution.py": "def other(n):\n    return n\n"}, "missing", None
        )
    else:
        built = js_built(builder, "function other(n) { return n; }\n", "missing")
    run = run_harness(built, [[1], [2]])
    for index in (0, 1):
        message = error(run, index)
        assert "'missing' not found" in message, message


@pytest.mark.parametrize("language", languages(*LANGUAGES))
def test_arity_mismatch(builder: Builder, language: str) -> None:
    # The candidate's add() takes three arguments; the tests pass two.
    if language == "java":
        built = builder.get(java_error_spec("add", signature("int", a="int", b="int")))
    elif language == "cpp":
        built = builder.get(cpp_error_spec("add", signature("int", a="int", b="int")))
    elif language == "python":
        source = {"solution.py": "def add(a, b, c):\n    return a + b + c\n"}
        built = python_built(builder, source, "add", None)
    else:
        built = js_built(builder, "function add(a, b, c) { return a + b + c; }\n", "add")
    run = run_harness(built, [[1, 2], [3, 4]])
    for index in (0, 1):
        message = error(run, index)
        assert re.search(
            r"'add' (takes 3 argument|cannot be called with 2|.*callable with \(int&, int&\))",
            message,
        )


MEMORY_HOGS = {
    "python": "def allocate(n):\n    return len(bytearray(2 ** 62))\n",
    "javascript": "function allocate(n) { return new ArrayBuffer(2 ** 52).byteLength; }\n",
}


@pytest.mark.parametrize("language", languages(*LANGUAGES))
def test_memory_errors(builder: Builder, language: str) -> None:
    extra: list[str] = []
    if language == "java":
        built = builder.get(java_error_spec("allocate", ONE_INT))
        extra = ["-Xmx64m"]
    elif language == "cpp":
        built = builder.get(cpp_error_spec("allocate", ONE_INT))
    elif language == "python":
        built = python_built(builder, {"solution.py": MEMORY_HOGS["python"]}, "allocate", ONE_INT)
    else:
        built = js_built(builder, MEMORY_HOGS["javascript"], "allocate", ONE_INT)
    run = run_harness(built, [[1], [2]], extra_args=extra)
    for index in (0, 1):
        message = error(run, index, "memory_limit_exceeded")
        assert re.search(r"MemoryError|allocation failed|OutOfMemoryError|bad_alloc", message)


# ---------------------------------------------------------------------------- Java


@needs("java")
def test_java_recursion(builder: Builder) -> None:
    deep = run_harness(builder.get(java_error_spec("depth", ONE_INT)), [[100_000]])
    assert ok(deep, 0) == 100_000
    endless = run_harness(builder.get(java_error_spec("forever", ONE_INT)), [[0], [1]])
    for index in (0, 1):
        message = error(endless, index)
        assert message.startswith("java.lang.StackOverflowError")
        assert message.count("\n\tat Solution.forever") == 20


# ---------------------------------------------------------------------------- C++


@needs("cpp")
def test_cpp_errors(builder: Builder) -> None:
    hidden = run_harness(builder.get(cpp_error_spec("hidden", ONE_INT)), [[1]])
    assert "no public method hidden callable with (int&)" in error(hidden, 0)
    half = run_harness(
        builder.get(cpp_error_spec("half", signature("double", n="long"))),
        [[4], [-1], [2**63], [1.5]],
    )
    assert ok(half, 0) == 2.0
    assert '"actual":2.0' in half.raw
    assert error(half, 1) == "const char*: negative"
    assert "does not fit in long" in error(half, 2)
    assert "expected long, got number 1.5" in error(half, 3)


# Compiled round trips last: their builds finish while the tests above run.
test_round_trip_java = round_trip_test("java")
test_round_trip_cpp = round_trip_test("cpp")
