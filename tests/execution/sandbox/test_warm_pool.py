"""The warm Python pool: a warm run must be indistinguishable from a cold one, and as isolated.

Each test runs the same job through a pool-backed sandbox and a cold one and compares what a
candidate would see, or provokes a limit through the warm path.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from interviewkit.execution.engine import CompileCache, Engine, ExecutionJob, compile_cache_root
from interviewkit.execution.limits import Limits
from interviewkit.execution.sandbox import (
    BwrapSandbox,
    Mount,
    SandboxJob,
    SandboxResult,
    create_sandbox,
)
from interviewkit.execution.sandbox.cgroups import CgroupUsage
from interviewkit.execution.sandbox.supervise import Running, collect
from interviewkit.execution.sandbox.warm_python import NativeRuntime, PythonRuntime, RecentRuns
from interviewkit.execution.schemas import TestSuite
from interviewkit.execution.toolchains import LanguageRegistry

SANDBOX_UID = 64999

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or shutil.which("bwrap") is None, reason="needs root and bubblewrap"
)


@pytest.fixture(scope="module")
def python() -> str:
    chain = LanguageRegistry().available().get("python")
    assert chain is not None, "python3 under /usr is required"
    return chain.executables["python"]


@pytest.fixture(scope="module")
def limits() -> Limits:
    return Limits(cpu_time_s=2, wall_time_s=3)


@pytest.fixture(scope="module")
def cold() -> BwrapSandbox:
    sandbox = create_sandbox("bwrap", uid=SANDBOX_UID, gid=SANDBOX_UID)
    assert isinstance(sandbox, BwrapSandbox)
    return sandbox


@pytest.fixture
def warm(python: str, limits: Limits) -> Iterator[BwrapSandbox]:
    sandbox = create_sandbox("bwrap", uid=SANDBOX_UID, gid=SANDBOX_UID)
    assert isinstance(sandbox, BwrapSandbox)
    sandbox.start_warm_pool(PythonRuntime(python), limits, 2)
    sandbox.start_warm_pool(NativeRuntime(python), limits, 2)
    yield sandbox
    sandbox.close()


def run_warm(sandbox: BwrapSandbox, job: SandboxJob) -> SandboxResult:
    """Wait until a warm sandbox is ready, so the run really takes the warm path."""
    pool = sandbox.pool
    assert pool is not None
    assert pool.accepts(job)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        result = pool.run(job)
        if result is not None:
            return result
        time.sleep(0.02)
    raise AssertionError("the warm pool never had a sandbox ready")


def job_of(python: str, limits: Limits, source: str, **extra: object) -> SandboxJob:
    files = {"main.py": source.encode(), **extra.pop("files", {})}  # type: ignore[dict-item]
    return SandboxJob(command=[python, "-B", "{work}/main.py"], files=files, limits=limits, **extra)  # type: ignore[arg-type]


PROGRAM = """
import os, sys
from utils.helper import GREETING
print(GREETING, sys.argv, __name__, sys.stdin.read(), sorted(os.environ))
print(sorted(os.listdir('/work')), os.getcwd(), sys.path[0])
print('to stderr', file=sys.stderr)
raise SystemExit(3)
"""


def test_a_warm_run_sees_what_a_cold_run_sees(
    warm: BwrapSandbox, cold: BwrapSandbox, python: str, limits: Limits
) -> None:
    job = job_of(
        python,
        limits,
        PROGRAM,
        files={"utils/helper.py": b"GREETING = 'hi'\n", "utils/__init__.py": b""},
        stdin=b"typed input",
    )
    hot, plain = run_warm(warm, job), cold.run(job)
    assert hot.stdout == plain.stdout
    assert b"hi ['/work/main.py'] __main__ typed input" in hot.stdout
    assert hot.stderr == plain.stderr == b"to stderr\n"
    assert hot.exit_code == plain.exit_code == 3


def test_a_traceback_names_only_the_candidates_code(
    warm: BwrapSandbox, cold: BwrapSandbox, python: str, limits: Limits
) -> None:
    job = job_of(python, limits, "def f():\n    return 1 / 0\nf()\n")
    hot, plain = run_warm(warm, job), cold.run(job)
    assert hot.exit_code == plain.exit_code == 1
    assert hot.stderr == plain.stderr
    assert b"ZeroDivisionError" in hot.stderr


def test_a_syntax_error_reads_as_in_a_cold_run(
    warm: BwrapSandbox, cold: BwrapSandbox, python: str, limits: Limits
) -> None:
    job = job_of(python, limits, "print('unclosed'\n")
    hot, plain = run_warm(warm, job), cold.run(job)
    assert hot.exit_code == plain.exit_code == 1
    assert b"SyntaxError" in hot.stderr
    assert hot.stderr.splitlines()[-1] == plain.stderr.splitlines()[-1]


def test_each_warm_run_starts_from_a_clean_sandbox(
    warm: BwrapSandbox, python: str, limits: Limits
) -> None:
    writer = job_of(
        python,
        limits,
        "open('/tmp/left', 'w').write('x'); open('/work/left', 'w').write('x')\n"
        "import subprocess; subprocess.Popen(['sleep', '30'])\nprint('done')\n",
    )
    reader = job_of(
        python,
        limits,
        "import os\nprint(os.path.exists('/tmp/left'), os.path.exists('/work/left'),"
        " len([p for p in os.listdir('/proc') if p.isdigit()]))\n",
    )
    assert run_warm(warm, writer).stdout == b"done\n"
    seen = run_warm(warm, reader).stdout.split()
    assert seen[:2] == [b"False", b"False"]
    assert int(seen[2]) <= 3  # bwrap's init, the program, nothing left from the writer


def test_warm_runs_are_held_to_the_limits(warm: BwrapSandbox, python: str, limits: Limits) -> None:
    memory = run_warm(warm, job_of(python, limits, "x = bytearray(512 * 1024 * 1024)\n"))
    assert memory.memory_exceeded
    flood = run_warm(warm, job_of(python, limits, "while True: print('x' * 4096)\n"))
    assert flood.output_exceeded
    assert len(flood.stdout) <= limits.output_bytes
    sleeper = run_warm(warm, job_of(python, limits, "import time; time.sleep(30)\n"))
    assert sleeper.timed_out
    assert sleeper.wall_ms < 10_000


class FrozenCgroup:
    """A cgroup whose counters read fixed values: the billing arithmetic, without timing."""

    name = "frozen"

    def __init__(self, cpu_ms: float) -> None:
        self.cpu_ms = cpu_ms

    def attach(self, pid: int) -> None: ...
    def reset_peak(self) -> None: ...
    def kill_all(self) -> None: ...
    def remove(self) -> None: ...

    def usage(self) -> CgroupUsage:
        return CgroupUsage(cpu_ms=self.cpu_ms, memory_peak_kb=2048, oom_killed=False)


def test_the_cpu_time_before_the_hand_over_is_not_billed() -> None:
    """A warm run is billed the group's CPU since the hand-over, not the interpreter start."""
    process = subprocess.Popen(["/bin/true"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    group = FrozenCgroup(cpu_ms=480.0)
    running = Running(process, None, -1, group, time.monotonic())
    result = collect(
        SandboxJob(command=["/bin/true"]), running, group, running.started, cpu_before_ms=455.0
    )
    assert result.exit_code == 0
    assert result.cpu_ms == pytest.approx(25.0)
    assert result.memory_kb == 2048


def test_only_runs_the_pool_was_started_for_are_served_warm(
    warm: BwrapSandbox, python: str, limits: Limits
) -> None:
    pool = warm.pool
    assert pool is not None
    other_limits = job_of(python, replace(limits, memory_mb=limits.memory_mb * 2), "pass\n")
    more_cpu = job_of(python, replace(limits, cpu_time_s=limits.cpu_time_s + 1), "pass\n")
    own_time_limits = job_of(python, replace(limits, cpu_time_s=0.5, wall_time_s=1), "pass\n")
    other_command = SandboxJob(command=["/bin/true"], limits=limits)
    mounted = SandboxJob(
        command=[python, "-B", "{work}/main.py"], limits=limits, binds=("/etc/hostname",)
    )
    assert not pool.accepts(other_limits)
    assert not pool.accepts(more_cpu)
    assert pool.accepts(own_time_limits)  # a problem's time limit runs warm, supervised
    assert not pool.accepts(other_command)
    assert not pool.accepts(mounted)
    binary = SandboxJob(
        command=["/build/main"], limits=limits, mounts=[Mount(Path("/usr/bin"), "/build")]
    )
    assert not pool.accepts(binary)  # a compiled program goes to its own pool
    assert warm.pools["cpp"].accepts(binary)
    assert not warm.pools["cpp"].accepts(own_time_limits)


def test_closing_the_pool_leaves_no_sandbox_behind(python: str, limits: Limits) -> None:
    sandbox = create_sandbox("bwrap", uid=SANDBOX_UID, gid=SANDBOX_UID)
    assert isinstance(sandbox, BwrapSandbox)
    sandbox.start_warm_pool(PythonRuntime(python), limits, 2)
    pool = sandbox.pool
    assert pool is not None
    run_warm(sandbox, job_of(python, limits, "pass\n"))
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and len(pool.cgroup_names()) < 2:
        time.sleep(0.05)
    ours = set(pool.cgroup_names())
    assert len(ours) == 2
    assert ours <= set(_warm_cgroups())
    sandbox.close()
    assert not ours & set(_warm_cgroups())


def _warm_cgroups() -> list[str]:
    parent = Path("/sys/fs/cgroup/memory/interviewkit")
    if not parent.is_dir():
        return []
    return [entry.name for entry in parent.iterdir() if entry.name.startswith("warm-")]


def test_function_call_tests_judge_alike_warm_and_cold(
    warm: BwrapSandbox, cold: BwrapSandbox, limits: Limits, tmp_path: Path
) -> None:
    chain = LanguageRegistry().available()["python"]
    suite = TestSuite.model_validate(
        {
            "entry_point": "add",
            "tests": [
                {"name": "ok", "input": [1, 2], "expected": 3},
                {"name": "wrong", "input": [2, 2], "expected": 5},
                {"name": "boom", "input": [0, 0], "expected": 0},
            ],
        }
    )
    source = "import os\ndef add(a, b):\n    if a == 0:\n        os._exit(9)\n    return a + b\n"
    job = ExecutionJob("exe_warm", chain, {"solution.py": source}, "solution.py", suite=suite)
    job = replace(job, limits=limits)
    cache = CompileCache(compile_cache_root(tmp_path), 10, SANDBOX_UID, SANDBOX_UID)
    run_warm(warm, job_of(chain.executables["python"], limits, "pass\n"))  # pool is warm
    hot = Engine(warm, cache).execute(job)
    plain = Engine(cold, cache).execute(job)
    assert [test.status for test in hot.tests] == ["accepted", "wrong_answer", "runtime_error"]
    assert [test.status for test in plain.tests] == [test.status for test in hot.tests]
    assert hot.tests[1].actual == plain.tests[1].actual == 4


def test_a_cached_compiled_program_runs_warm_as_it_runs_cold(
    warm: BwrapSandbox, cold: BwrapSandbox, limits: Limits, tmp_path: Path
) -> None:
    chain = LanguageRegistry().available()["cpp"]
    source = (
        "#include <cstdio>\n#include <cstdlib>\n"
        "int main(int argc, char** argv) {\n  char line[64] = {0};\n"
        "  if (!fgets(line, sizeof line, stdin)) return 2;\n"
        '  std::printf("%s|%s|%s", argv[0], line, getenv("HOME"));\n  return 7;\n}\n'
    )
    job = ExecutionJob("exe_warm", chain, {"main.cpp": source}, "main.cpp", stdin="typed")
    job = replace(job, limits=limits)
    cache = CompileCache(compile_cache_root(tmp_path), 10, SANDBOX_UID, SANDBOX_UID)
    plain = Engine(cold, cache).execute(job)
    native = warm.pools["cpp"]
    deadline = time.monotonic() + 30
    while native.ready() < native.size and time.monotonic() < deadline:
        time.sleep(0.02)
    hot = Engine(warm, cache).execute(job)
    assert hot.timings is not None
    assert hot.timings.served == ["cpp"]  # the compiled program's own pool, not Python's
    assert plain.run is not None
    assert hot.run is not None
    assert hot.compile is not None
    assert hot.compile.cached
    assert hot.run.stdout == plain.run.stdout == "/build/main|typed|/tmp"
    assert hot.run.exit_code == plain.run.exit_code == 7
    assert hot.status == plain.status == "runtime_error"


MODULES_PROGRAM = (
    "import sys\nprint(sorted(sys.modules))\nprint(sorted(vars(__import__('importlib'))))\n"
)


@pytest.mark.parametrize("prepared_for", ["plain", "harness", "native"])
def test_a_warm_run_has_the_modules_a_cold_run_has(
    cold: BwrapSandbox, python: str, limits: Limits, prepared_for: str
) -> None:
    """The warm interpreter imported ahead what recent runs needed (the prelude's modules,
    the harness's too, or nothing after compiled programs); a plain program still finds
    exactly the modules and submodule attributes a cold start gives it."""
    runtime = PythonRuntime(python)
    for _ in range(3):
        runtime.recent.note(prepared_for)  # type: ignore[arg-type]
    warm = create_sandbox("bwrap", uid=SANDBOX_UID, gid=SANDBOX_UID)
    assert isinstance(warm, BwrapSandbox)
    warm.start_warm_pool(runtime, limits, 1)
    chain = LanguageRegistry().available()["python"]
    files = {"main.py": MODULES_PROGRAM.encode()}
    files = chain.spec.environment.prepare(files)
    job = SandboxJob(
        command=chain.run_command("main.py", limits.memory_mb),
        files=files,
        limits=limits,
        env=chain.spec.env,
    )
    try:
        hot, plain = run_warm(warm, job), cold.run(job)
    finally:
        warm.close()
    assert plain.exit_code == 0, plain.stderr
    assert hot.warm == "python"
    assert hot.stdout == plain.stdout
    assert b"'typing'" in hot.stdout  # the prelude's modules are there in both
    assert b"'inspect'" not in hot.stdout  # the harness's are in neither


def test_a_candidates_error_reads_alike_in_the_harness_warm_and_cold(
    warm: BwrapSandbox, cold: BwrapSandbox, limits: Limits, tmp_path: Path
) -> None:
    chain = LanguageRegistry().available()["python"]
    suite = TestSuite.model_validate(
        {"entry_point": "half", "tests": [{"name": "t", "input": [0], "expected": 0}]}
    )
    source = "def half(n):\n    return helper(n)\n\ndef helper(n):\n    return 1 // n\n"
    job = ExecutionJob("exe_warm", chain, {"solution.py": source}, "solution.py", suite=suite)
    job = replace(job, limits=limits)
    cache = CompileCache(compile_cache_root(tmp_path), 10, SANDBOX_UID, SANDBOX_UID)
    run_warm(warm, job_of(chain.executables["python"], limits, "pass\n"))  # pool is warm
    hot = Engine(warm, cache).execute(job)
    plain = Engine(cold, cache).execute(job)
    assert [test.status for test in hot.tests] == ["runtime_error"]
    assert hot.tests[0].model_dump(exclude={"time_ms"}) == plain.tests[0].model_dump(
        exclude={"time_ms"}
    )
    assert "ZeroDivisionError" in (hot.tests[0].message or "")
    assert "helper" in (hot.tests[0].message or "")


RLIMITS_PROGRAM = """
import resource, subprocess, sys
kinds = ("RLIMIT_CPU", "RLIMIT_FSIZE", "RLIMIT_NOFILE", "RLIMIT_CORE", "RLIMIT_STACK")
print([resource.getrlimit(getattr(resource, kind)) for kind in kinds])
if len(sys.argv) == 1:
    sys.stdout.flush()
    subprocess.run([sys.executable, "-B", sys.argv[0], "child"], check=True)
"""


def test_every_process_of_a_run_inherits_its_rlimits(
    warm: BwrapSandbox, cold: BwrapSandbox, python: str, limits: Limits
) -> None:
    """The rlimits are set before bwrap starts (prlimit -> setpriv -> bwrap): the program
    and what it starts see them, warm and cold."""
    cold_job = job_of(python, limits, RLIMITS_PROGRAM)
    plain = cold.run(cold_job)
    assert plain.exit_code == 0, plain.stderr
    parent, child = plain.stdout.decode().splitlines()
    assert parent == child
    mb = 1024 * 1024
    cpu = int(limits.cpu_time_s)
    assert parent == str(
        [
            (cpu, cpu + 1),
            (limits.file_size_mb * mb, limits.file_size_mb * mb),
            (limits.open_files, limits.open_files),
            (0, 0),
            (limits.stack_mb * mb, limits.stack_mb * mb),
        ]
    )
    hot = run_warm(warm, cold_job)
    assert hot.warm == "python"
    assert hot.stdout == plain.stdout  # the pool was started with these very limits


def test_the_sandbox_runs_as_its_host_user_with_no_groups(
    cold: BwrapSandbox, python: str, limits: Limits
) -> None:
    """bwrap is started through setpriv: its host uid and gid are the sandbox's, and it
    holds no supplementary group of the server's."""
    script = (
        "import os\n"
        "status = open('/proc/self/status').read().splitlines()\n"
        "ids = ('Uid', 'Gid', 'Groups')\n"
        "print([line.split()[1:] for line in status if line.startswith(ids)])\n"
    )
    inside = cold.run(job_of(python, limits, script))
    assert inside.exit_code == 0, inside.stderr
    assert inside.stdout.decode().strip() == str([["1000"] * 4, ["1000"] * 4, []])
    launcher = cold._launcher(limits)
    outside = subprocess.run(
        [*launcher, "/bin/sh", "-c", "id -u; id -g; id -G"], capture_output=True, check=True
    )
    assert outside.stdout.decode().split() == [str(SANDBOX_UID)] * 3


def test_a_new_sandbox_prepares_for_the_likeliest_kind_of_run() -> None:
    recent = RecentRuns(window=4)
    assert recent.likely() == "plain"
    for kind in ("harness", "harness", "native", "native", "native"):
        recent.note(kind)
    assert recent.likely() == "native"  # the window keeps the last four
    for _ in range(3):
        recent.note("harness")
    assert recent.likely() == "harness"
