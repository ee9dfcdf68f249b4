"""Resource exhaustion: every limit holds, gives the right verdict, and leaves the host alone.

Each test runs an attack from ``programs/`` through the real engine and the real bwrap
sandbox; the ``host`` guard (conftest) then checks no process, cgroup or file survived.
"""

from __future__ import annotations

import shutil
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from interviewkit.execution.limits import Limits
from interviewkit.execution.schemas import ExecutionResult
from tests.sandbox.conftest import (
    BWRAP,
    FAST,
    OUTPUT_CAP,
    QUICK_COMPILE,
    HostGuard,
    Runner,
    assert_status,
    cold_only,
    explain,
    facts,
    group_name,
    in_sandbox_group,
)

ALL = ["python", "javascript", "java", "cpp"]
NATIVE = ["python", "javascript", "cpp"]
"""Where a second JVM start per attack would add time without adding coverage."""


def _java_slow(languages: list[str]) -> list[object]:
    return [pytest.param(name, marks=pytest.mark.slow) if name == "java" else name
            for name in languages]  # fmt: skip


# ---- processes ----------------------------------------------------------------------------


def _largest_run(host: HostGuard) -> int:
    """The most processes in one of this test's sandboxes, plus any outside every sandbox
    (the sandboxes waiting in warm pools, the live server's among them, are not counted)."""
    per_group: Counter[str] = Counter()
    outside = 0
    for process in host.stray_processes():
        if in_sandbox_group(process.cgroup):
            per_group[group_name(process.cgroup)] += 1
        elif process.cgroup and not process.cmdline.startswith(BWRAP):
            # (a sandbox's outer monitor is outside its group; a process that exited while
            # being read has no group left: the bomb's children come and go)
            outside += 1
    return max(per_group.values(), default=0) + outside


def _watching_processes(
    run: Callable[[], ExecutionResult], host: HostGuard
) -> tuple[ExecutionResult, int]:
    """Run in a thread while counting the run's processes on the host; the result and peak."""
    results: list[ExecutionResult] = []
    thread = threading.Thread(target=lambda: results.append(run()))
    thread.start()
    peak = 0
    while thread.is_alive():
        peak = max(peak, _largest_run(host))
        time.sleep(0.01)
    thread.join()
    return results[0], peak


@pytest.mark.parametrize("language", NATIVE)
def test_fork_bomb_is_contained(runner: Runner, host: HostGuard, language: str) -> None:
    result, peak = _watching_processes(
        lambda: runner.attack(language, "fork_bomb", limits=FAST), host
    )
    # the pids cgroup stops the growth; the bomb then spins until a time limit, or a
    # runtime (V8) dies of the refused fork/memory first
    assert_status(result, "time_limit_exceeded", "runtime_error", "memory_limit_exceeded")
    assert peak <= FAST.processes, f"{peak} processes on the host at once"


@pytest.mark.parametrize("language", _java_slow(["python", "java", "cpp"]))
def test_thread_bomb_is_contained(runner: Runner, language: str) -> None:
    result = runner.attack(language, "thread_bomb", limits=FAST)
    assert_status(result, "runtime_error", "time_limit_exceeded", "memory_limit_exceeded")
    started = facts(result).get("threads", "0").split()[0]
    assert int(started) < Limits().processes, explain(result)


# ---- memory -------------------------------------------------------------------------------


@pytest.mark.parametrize("language", _java_slow(ALL))
@pytest.mark.parametrize("attack", ["memory_sudden", "memory_gradual"])
def test_memory_bomb_is_memory_limit_exceeded(runner: Runner, language: str, attack: str) -> None:
    result = runner.attack(language, attack)
    assert_status(result, "memory_limit_exceeded")
    assert "allocated" not in facts(result), explain(result)  # the gigabyte never arrived
    assert result.run is not None
    allowance = runner.toolchain(language).spec.memory_allowance_mb
    assert result.run.memory_kb <= (Limits().memory_mb + allowance) * 1024, explain(result)


# ---- time ---------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("language", ALL)
def test_busy_loop_is_time_limit_exceeded(runner: Runner, language: str) -> None:
    result = runner.attack(language, "busy_loop", limits=FAST)
    assert_status(result, "time_limit_exceeded")


@pytest.mark.slow
@pytest.mark.parametrize("language", ["python", "javascript", "cpp"])
def test_sleeping_past_the_wall_limit_is_time_limit_exceeded(runner: Runner, language: str) -> None:
    result = runner.attack(language, "sleep", limits=FAST)
    assert_status(result, "time_limit_exceeded")
    assert result.run is not None
    assert result.run.time_ms < FAST.cpu_time_s * 1000, explain(result)  # wall, not CPU


# ---- output -------------------------------------------------------------------------------


@pytest.mark.parametrize("language", _java_slow(["python", "javascript", "java", "cpp"]))
def test_stdout_flood_is_output_limit_exceeded(runner: Runner, language: str) -> None:
    result = runner.attack(language, "stdout_flood")
    assert_status(result, "output_limit_exceeded")
    assert result.run is not None
    assert result.run.stdout_truncated
    assert len(result.run.stdout.encode()) <= OUTPUT_CAP


@pytest.mark.parametrize("language", NATIVE)
def test_stderr_flood_is_output_limit_exceeded(runner: Runner, language: str) -> None:
    result = runner.attack(language, "stderr_flood")
    assert_status(result, "output_limit_exceeded")
    assert result.run is not None
    assert result.run.stderr_truncated
    assert len(result.run.stderr.encode()) <= OUTPUT_CAP


def test_a_smaller_output_limit_caps_what_is_kept(runner: Runner) -> None:
    result = runner.attack("python", "stdout_flood", limits=Limits(output_bytes=1024))
    assert_status(result, "output_limit_exceeded")
    assert result.run is not None
    assert len(result.run.stdout.encode()) <= 1024


# ---- disk ---------------------------------------------------------------------------------


def _free_bytes(path: str) -> int:
    return shutil.disk_usage(path).free


FILL_LIMITS = Limits(tmpfs_mb=16, file_size_mb=64)
"""A small /tmp and /work; each file below the file-size limit, so only space stops it."""

FIXED_AT_START = "limits-fixed-at-sandbox-start"
"""Folder and file sizes are a sandbox's from its start: no warm pool serves other sizes."""


@cold_only(FIXED_AT_START)
@pytest.mark.parametrize("language", ["python", "cpp"])
@pytest.mark.parametrize("folder", ["/tmp", "/work"])
def test_filling_a_folder_hits_enospc_inside_the_sandbox(
    runner: Runner, engine_data_dir: Path, language: str, folder: str
) -> None:
    watched = ("/tmp", str(engine_data_dir), "/")
    before = {path: _free_bytes(path) for path in watched}
    result = runner.attack(language, "fill", folder, limits=FILL_LIMITS)
    seen = facts(result)
    assert seen.get("error") == "ENOSPC", explain(result)
    assert int(seen["written_mb"]) <= FILL_LIMITS.tmpfs_mb, explain(result)
    assert_status(result, "accepted")  # the program handled its failed write and exited
    for path in watched:
        # the program tried to write 4 GB; it went to a small per-run tmpfs, not a host disk
        assert before[path] - _free_bytes(path) < 256 * 1024 * 1024, path


@cold_only(FIXED_AT_START)
def test_one_huge_file_hits_the_file_size_limit(runner: Runner) -> None:
    limits = Limits(file_size_mb=4, tmpfs_mb=64)
    result = runner.attack("python", "big_file", "/work", limits=limits)
    seen = facts(result)
    assert seen.get("error") == "EFBIG", explain(result)
    assert int(seen["written_mb"]) <= limits.file_size_mb
    assert_status(result, "accepted")


@cold_only(FIXED_AT_START)
def test_a_huge_file_kills_a_program_that_does_not_ignore_sigxfsz(runner: Runner) -> None:
    source = """
#include <cstdio>
#include <vector>
int main() {
    std::vector<char> chunk(1 << 20, 0);
    FILE* out = std::fopen("/work/big", "wb");
    for (int i = 0; i < 64; ++i) std::fwrite(chunk.data(), 1, chunk.size(), out), std::fflush(out);
    std::puts("wrote everything");
}
"""
    result = runner.source("cpp", source, limits=Limits(file_size_mb=4, tmpfs_mb=64))
    assert_status(result, "runtime_error")
    assert result.run is not None
    assert result.run.signal == 25, explain(result)  # SIGXFSZ
    assert "wrote everything" not in result.run.stdout


# ---- recursion ----------------------------------------------------------------------------


def test_python_c_level_recursion_is_a_runtime_error(runner: Runner) -> None:
    """Recursion through C code overflows the interpreter's stack: a crash, cleanly judged."""
    result = runner.attack("python", "c_recursion")
    assert_status(result, "runtime_error")


def test_python_deep_recursion_with_a_huge_limit_ends(runner: Runner) -> None:
    """``sys.setrecursionlimit(10**6)`` and a plain recursion: stopped, never a hang.

    CPython 3.11 keeps Python frames on the heap, so a million of them outgrow 128 MB before
    the recursion limit is reached (memory limit); with room (about 300 MB) the interpreter
    raises RecursionError (runtime error). An older CPython overflows its C stack instead
    (SIGSEGV, runtime error).
    """
    result = runner.attack("python", "recursion")
    assert_status(result, "memory_limit_exceeded", "runtime_error")


@pytest.mark.parametrize("language", ["javascript", "cpp"])
def test_infinite_recursion_is_a_runtime_error(runner: Runner, language: str) -> None:
    result = runner.attack(language, "recursion")
    assert_status(result, "runtime_error")


@pytest.mark.slow
def test_java_infinite_recursion_ends(runner: Runner) -> None:
    """A StackOverflowError, or the cgroup's OOM kill on the way there.

    The JVM runs with ``-Xss64m`` and the cgroup allows the heap (128 MB) plus 256 MB: a
    64 MB thread stack filled with interpreted and compiled frames takes 250-500 MB of RSS
    here, so which limit comes first varies from run to run. Either way the run ends cleanly.
    """
    result = runner.attack("java", "recursion")
    assert_status(result, "runtime_error", "memory_limit_exceeded")
    assert result.run is not None
    if result.status == "runtime_error":
        assert "StackOverflowError" in result.run.stderr, explain(result)


# ---- compile bombs ------------------------------------------------------------------------


@cold_only("compile")
def test_including_dev_zero_is_a_compilation_error(runner: Runner) -> None:
    source = '#include "/dev/zero"\nint main() {}\n'
    result = runner.source("cpp", source, compile_limits=QUICK_COMPILE)
    assert_status(result, "compilation_error")
    assert result.compile is not None
    assert result.run is None


@cold_only("compile")
def test_unbounded_template_recursion_is_a_compilation_error(runner: Runner) -> None:
    source = """
template <int N> struct Deep { static constexpr int value = Deep<N + 1>::value + 1; };
int main() { return Deep<0>::value; }
"""
    result = runner.source("cpp", source)
    assert_status(result, "compilation_error")
    assert result.compile is not None
    assert "template instantiation depth" in result.compile.output


@pytest.mark.slow
@cold_only("compile")
def test_an_exponential_template_stops_at_the_compile_limits(runner: Runner) -> None:
    source = """
#include <utility>
template <class T, int N> struct Grow {
    static auto make() { return std::make_pair(Grow<T, N - 1>::make(), Grow<T, N - 1>::make()); }
};
template <class T> struct Grow<T, 0> { static T make() { return T{}; } };
int main() { auto x = Grow<int, 40>::make(); return sizeof(x) > 0 ? 0 : 1; }
"""
    result = runner.source("cpp", source, compile_limits=QUICK_COMPILE)
    assert_status(result, "compilation_error")
    assert result.compile is not None
    assert "[compiler stopped:" in result.compile.output, explain(result)
