"""Attacks on the warm pools: a warm sandbox serves one run and is thrown away.

A warm pool keeps sandboxes started ahead of their run (CPython, which also ``execve``s
compiled C++; Node; the JVM). What an attacker hopes for is that something of one run
reaches the next run of the same pool (a process, a file, a changed runtime, a signal
disposition, a descriptor), that a run can read a hand-over message, or that it can reach
the sandboxes waiting beside it. Every test here runs through the warm engine, and
``Runner.execute`` fails any run its language's pool did not serve.

The limits (memory, fork and thread bombs, CPU below the pool's rlimit, output floods, the
wall clock) are the suite's own tests in ``test_limits.py``, which run warm too (``[warm-*]``
ids); ``test_a_jobs_own_limits_are_below_the_pools`` checks that those runs really test the
supervisor's limits, not the pool's start-time rlimits.
"""

from __future__ import annotations

import ast
import secrets
import threading
from collections import Counter
from pathlib import Path

import pytest

from interviewkit.execution.engine import Engine
from interviewkit.execution.limits import Limits
from interviewkit.execution.sandbox import BwrapSandbox
from interviewkit.execution.schemas import ExecutionResult
from interviewkit.execution.warm_runtimes import warm_runtimes
from tests.sandbox.conftest import (
    FAST,
    SETTLE_SECONDS,
    HostGuard,
    HostProcess,
    RecordingCgroups,
    RecordingSandbox,
    Runner,
    WarmPools,
    assert_status,
    explain,
    facts,
    group_name,
    sandbox_processes,
    wait_for,
    warm_only,
)

pytestmark = warm_only()

EVERY_RUNTIME = ["python", "cpp", "javascript", pytest.param("java", marks=pytest.mark.slow)]
"""Every warm runtime, and C++ through the Python pool's ``execve``."""

FRESH_PROCESSES = 2
"""What a fresh sandbox holds: its init and the program (threads are not processes)."""


def _group_gone(recorder: RecordingCgroups, name: str) -> bool:
    return not any(path.exists() for path in recorder.directories(name))


@pytest.mark.parametrize("language", EVERY_RUNTIME)
def test_nothing_a_run_leaves_reaches_the_next_run_of_its_pool(
    runner: Runner, recorder: RecordingCgroups, host: HostGuard, language: str
) -> None:
    marker = f"ik-left-{secrets.token_hex(4)}"
    left = runner.attack(language, "leave", marker)
    assert facts(left).get("left", "").startswith(marker), explain(left)
    assert len(runner.taken) == 1, runner.taken
    served = runner.taken[0]
    # the sandbox that served the run is thrown away, with the process it left running
    assert wait_for(lambda: _group_gone(recorder, served), SETTLE_SECONDS), served
    assert wait_for(lambda: not host.stray_processes(), SETTLE_SECONDS), host.stray_processes()

    looked = runner.attack(language, "look", marker)
    assert_status(looked, "accepted")
    assert runner.taken != [served]
    seen = facts(looked)
    assert seen["found_files"] == "[]", explain(looked)
    assert seen["leftovers"] == "[]", explain(looked)
    assert int(seen["processes"]) <= FRESH_PROCESSES, explain(looked)


def _holding(result: ExecutionResult) -> Counter[int]:
    """How many bytes each pipe or socket in the sandbox had waiting (none when empty)."""
    waiting: Counter[int] = Counter()
    for key, value in facts(result).items():
        if key.startswith("fd_") and " read=" in value:
            count = int(value.rsplit("read=", 1)[1])
            if count:
                waiting[count] += 1
    return waiting


@pytest.mark.parametrize("language", EVERY_RUNTIME)
def test_a_run_holds_no_descriptor_with_a_message_in_it(
    runner: Runner, engine: Engine, language: str
) -> None:
    """Every pipe or socket a process in the sandbox holds is as a cold run's: the control
    pipe's hand-over message was read and closed by the bootstrap, never left to the program
    (Node's own wake-up pipe holds a byte in a cold run as well)."""
    cold = Runner(engine, runner.planner, runner.registry)
    warm_result, cold_result = runner.attack(language, "fds"), cold.attack(language, "fds")
    assert_status(warm_result, "accepted")
    assert_status(cold_result, "accepted")
    assert any(key.startswith("fd_") for key in facts(warm_result)), explain(warm_result)
    extra = _holding(warm_result) - _holding(cold_result)
    assert not extra, f"bytes waiting warm, not cold: {extra}: {explain(warm_result)}"


def test_a_compiled_program_starts_with_the_signals_of_a_cold_start(
    runner: Runner, engine: Engine
) -> None:
    """The Python bootstrap ``execve``s a compiled program; a signal CPython ignores
    (SIGPIPE, SIGXFSZ) would stay ignored in it: a write to a closed pipe, or past the
    file-size limit, would then fail with an error instead of killing the program."""
    cold = Runner(engine, runner.planner, runner.registry)
    warm_result, cold_result = runner.attack("cpp", "look", "-"), cold.attack("cpp", "look", "-")
    assert facts(cold_result)["signals"] == "[]", explain(cold_result)
    assert facts(warm_result)["signals"] == "[]", (
        "signals ignored in a warm C++ program, not in a cold one (13 = SIGPIPE, "
        f"25 = SIGXFSZ): {explain(warm_result)}"
    )


SLEEPERS = {
    "python": "import time\n# {secret}\ntime.sleep(30)\n",
    "cpp": "#include <unistd.h>\n// {secret}\nint main() {{ sleep(30); }}\n",
    "javascript": "// {secret}\nsetTimeout(() => {{}}, 30000);\n",
    "java": (
        "// {secret}\npublic class Main {{\n"
        "    public static void main(String[] args) throws Exception {{ Thread.sleep(30000); }}\n"
        "}}\n"
    ),
}
"""A run that waits, its message (source and stdin) holding a secret."""


def _holds(process: HostProcess, secret: str) -> bool:
    """Whether the sandbox of ``process`` has a workspace file holding ``secret``."""
    work = Path(f"/proc/{process.pid}/root/work")
    try:
        return any(secret in path.read_text(errors="replace") for path in work.iterdir()
                   if path.is_file())  # fmt: skip
    except OSError:
        return False


@pytest.mark.parametrize("language", EVERY_RUNTIME)
def test_a_run_cannot_find_the_message_of_another_sandbox(runner: Runner, language: str) -> None:
    secret = f"ik-secret-{secrets.token_hex(8)}"
    source = SLEEPERS[language].format(secret=secret)
    outcome: list[ExecutionResult] = []
    limits = Limits(cpu_time_s=2, wall_time_s=4)

    def sleeper() -> None:
        outcome.append(runner.source(language, source, stdin=secret + "\n", limits=limits))

    thread = threading.Thread(target=sleeper)
    thread.start()
    try:
        up = wait_for(lambda: any(_holds(p, secret) for p in sandbox_processes()), 30)
        assert up, "the run holding the secret never started"
        snooped = runner.attack("python", "snoop", secret[::-1])
    finally:
        thread.join()
    assert_status(outcome[0], "time_limit_exceeded")
    assert facts(snooped).get("secret_found") == "[]", explain(snooped)


NEIGHBOUR_ATTACK = {"python": "neighbours", "cpp": "kill_all", "javascript": "kill_all",
                    "java": "kill_all"}  # fmt: skip


@pytest.mark.parametrize("language", EVERY_RUNTIME)
def test_a_run_cannot_reach_the_sandboxes_waiting_beside_it(
    runner: Runner, host: HostGuard, recorder: RecordingCgroups, language: str
) -> None:
    """``kill(-1)``, a kill of every pid, ``ptrace``: the waiting sandboxes of every pool
    (its own included) keep running, and the pool goes on serving."""
    idle = host.warm.idle_groups()
    waiting = {p.pid: group_name(p.cgroup) for p in sandbox_processes()
               if group_name(p.cgroup) in idle and not p.exited}  # fmt: skip
    assert waiting, "no warm sandbox is waiting"
    result = runner.attack(language, NEIGHBOUR_ATTACK[language])
    assert_status(result, "accepted", "runtime_error")
    seen = facts(result)
    assert seen.get("kill") in {"ESRCH", "sent"}, explain(result)
    if language == "python":
        assert seen["reachable"] == "[]", explain(result)
        assert seen["ptrace"] == "EPERM", explain(result)
    spared = idle - set(runner.taken)
    # killed from inside, a waiting sandbox would keep its group with nothing alive in it;
    # one its pool retired (idle too long) is gone with its group
    dead = {group for pid, group in waiting.items() if not Path(f"/proc/{pid}").exists()}
    killed = {group for group in dead & spared if not _group_gone(recorder, group)}
    assert not killed, f"waiting sandboxes died of the run: {killed}"
    after = runner.attack(language, "look", "nothing-left")  # served warm: the pool still works
    assert_status(after, "accepted")


QUIET = {
    "python": "print('done')\n",
    "cpp": '#include <cstdio>\nint main() { std::puts("done"); }\n',
    "javascript": "console.log('done');\n",
    "java": "public class Main {\n"
    '    public static void main(String[] args) { System.out.println("done"); }\n}\n',
}
"""A program that never reads its stdin."""

LARGE_STDIN = "x" * (4 * 1024 * 1024 - 1) + "\n"


@pytest.mark.parametrize("language", EVERY_RUNTIME)
def test_a_large_stdin_never_read_does_not_wedge_the_pool(runner: Runner, language: str) -> None:
    """More stdin than any pipe holds, never read: each run ends, and the pool keeps serving
    (three runs, more than the pool holds, so a wedged sandbox would be waited for)."""
    for _ in range(3):
        result = runner.source(language, QUIET[language], stdin=LARGE_STDIN)
        assert_status(result, "accepted")
        assert result.run is not None
        assert result.run.stdout == "done\n", explain(result)


def test_a_jobs_own_limits_are_below_the_pools(runner: Runner) -> None:
    """The suite's quick limits (``FAST``) sit below every pool's start-time rlimits, so the
    warm runs of ``test_limits.py`` are stopped by the supervisor's clock from the hand-over
    on (the limit a problem sets), not by the rlimit the sandbox was started with."""
    sandbox = runner.engine.sandbox
    pools = getattr(sandbox, "pools", {})
    assert pools, "the warm engine has no pools"
    for pool in pools.values():
        assert pool.limits.cpu_time_s > FAST.cpu_time_s, pool.runtime.name
        assert pool.limits.wall_time_s > FAST.wall_time_s, pool.runtime.name
    result = runner.attack("python", "busy_loop", limits=FAST)
    assert_status(result, "time_limit_exceeded")
    assert result.run is not None
    assert result.run.time_ms < pools["python"].limits.cpu_time_s * 1000, explain(result)


def test_the_look_probe_finds_what_leave_made_in_the_same_run(runner: Runner) -> None:
    """The ``look`` probe is not blind: in one run, what ``leave`` made is found."""
    marker = f"ik-self-{secrets.token_hex(4)}"
    kit = Path(__file__).parent / "programs" / "attacks.py"
    source = kit.read_text().replace("\nmain()\n", f"\nleave({marker!r})\nlook({marker!r})\n")
    result = runner.source("python", source, limits=FAST)
    seen = facts(result)
    assert ast.literal_eval(seen["found_files"]), explain(result)
    leftovers = ast.literal_eval(seen["leftovers"])
    assert {"builtin", "env", "sys.path", "handler SIGTERM", "fd 77"} <= set(leftovers), leftovers
    assert int(seen["processes"]) > FRESH_PROCESSES, explain(result)


@pytest.mark.parametrize("language", EVERY_RUNTIME)
def test_a_pool_started_while_the_server_holds_secrets_hands_none_to_its_runs(
    runner: Runner,
    sandbox: BwrapSandbox,
    warm_pools: WarmPools,
    monkeypatch: pytest.MonkeyPatch,
    language: str,
) -> None:
    """A warm sandbox starts long before its run, inside the server, whose environment holds
    its secrets: neither the runtime waiting in it nor the program handed over inherits them
    (the suite's own pools started before this test set the secret, so this one starts its
    own, one sandbox per runtime)."""
    secret = f"ik-server-secret-{secrets.token_hex(8)}"
    monkeypatch.setenv("INTERVIEWKIT_SECRET_KEY", secret)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", secret)
    fresh = RecordingSandbox(sandbox)
    settings = runner.planner.settings
    cache_root = runner.engine.cache.root / ".warm"
    for runtime, limits in warm_runtimes(settings, runner.registry, cache_root):
        fresh.start_warm_pool(runtime, limits, 1)
    warm_pools.sandboxes.append(fresh)
    try:
        started = Runner(
            Engine(fresh, runner.engine.cache),
            runner.planner,
            runner.registry,
            mode="warm",
            warm_pools=warm_pools,
        )
        result = started.attack(language, "environment")
    finally:
        warm_pools.sandboxes.remove(fresh)
        fresh.close()
    assert_status(result, "accepted")
    assert result.run is not None
    assert secret not in result.run.stdout + result.run.stderr, explain(result)
    assert "INTERVIEWKIT" not in facts(result)["environ"], explain(result)


def test_the_guard_sees_a_warm_sandbox_once_it_leaves_its_pool(
    runner: Runner, host: HostGuard
) -> None:
    """The guard lets the pools' waiting sandboxes be, but not one that serves a run: were
    it to survive its run, the guard would report it (a stray, as a cold run's would be)."""
    idle = host.warm.idle_groups()
    assert idle, "no warm sandbox is waiting"
    assert not any(group_name(p.cgroup) in idle for p in host.stray_processes())
    outcome: list[ExecutionResult] = []
    thread = threading.Thread(
        target=lambda: outcome.append(runner.attack("python", "sleep", limits=FAST))
    )
    thread.start()
    try:
        serving = wait_for(
            lambda: any(group_name(p.cgroup) in idle for p in host.stray_processes()), 10
        )
        assert serving, "the warm sandbox serving the run is invisible to the guard"
    finally:
        thread.join()
    assert_status(outcome[0], "time_limit_exceeded")
