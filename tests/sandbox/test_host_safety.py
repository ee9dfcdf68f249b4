"""The host survives: signals, orphans and floods from inside never reach the test or server.

A ``canary`` stands in for every other process of the sandbox uid (another candidate's
run): it runs on the host as uid 64999, outside any sandbox, and must outlive the attacks.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator

import pytest

from tests.sandbox.conftest import (
    FAST,
    SANDBOX_UID,
    HostGuard,
    LiveServer,
    Runner,
    answers_healthz,
    assert_status,
    explain,
    facts,
    owned_files,
)


@pytest.fixture
def canary() -> Iterator[subprocess.Popen[bytes]]:
    """A host process running as the sandbox uid; stopped before the guard looks."""
    process = subprocess.Popen(
        ["sleep", "60"], user=SANDBOX_UID, group=SANDBOX_UID, extra_groups=[]
    )
    yield process
    process.kill()
    process.wait()


@pytest.mark.parametrize("language", ["python", "cpp"])
def test_kill_minus_one_reaches_nothing_outside(
    runner: Runner, canary: subprocess.Popen[bytes], language: str
) -> None:
    result = runner.attack(language, "kill_all")
    assert_status(result, "accepted", "runtime_error")
    assert facts(result).get("kill") in {"ESRCH", "sent"}, explain(result)
    assert canary.poll() is None, "kill(-1) inside the sandbox killed a host process"


def test_killing_the_parent_kills_nothing_outside(
    runner: Runner, canary: subprocess.Popen[bytes]
) -> None:
    result = runner.attack("python", "kill_parent")
    # the parent is the sandbox's own init, which ignores signals from inside its namespace
    assert_status(result, "accepted", "runtime_error")
    assert facts(result).get("parent") == "1", explain(result)
    assert canary.poll() is None


@pytest.mark.parametrize("attack", ["kill_all", "kill_parent"])
def test_the_server_survives_signals_from_the_code_it_runs(server: LiveServer, attack: str) -> None:
    result = server.attack(attack)
    assert_status(result, "accepted", "runtime_error")
    assert server.server.process.poll() is None
    assert answers_healthz(server.base_url)


@pytest.mark.parametrize("language", ["python", "cpp"])
def test_a_daemon_left_behind_does_not_survive_the_run(runner: Runner, language: str) -> None:
    """A double-forked, detached, signal-ignoring grandchild dies with the run.

    The run ends when the program does (accepted, not held open to the wall limit), and the
    ``host`` guard then checks no process of the sandbox uid is left anywhere.
    """
    result = runner.attack(language, "daemon", limits=FAST)
    assert_status(result, "accepted")
    assert facts(result).get("parent") == "exiting", explain(result)


@pytest.mark.slow
def test_the_server_keeps_answering_through_a_fork_bomb(server: LiveServer) -> None:
    limits = {"cpu_time_s": 1, "wall_time_s": 2}
    result = server.attack("fork_bomb", limits=limits)
    assert_status(result, "time_limit_exceeded", "runtime_error")
    assert answers_healthz(server.base_url)


def test_the_server_keeps_answering_through_a_memory_bomb(server: LiveServer) -> None:
    result = server.attack("memory_sudden")
    assert_status(result, "memory_limit_exceeded")
    assert answers_healthz(server.base_url)


def test_the_guard_is_not_blind(host: HostGuard, canary: subprocess.Popen[bytes]) -> None:
    """What the guard looks for, it finds: a stray sandbox-uid process and a file it owns."""
    assert canary.pid in [process.pid for process in host.stray_processes()]
    planted = host.root / "planted-by-the-sandbox-uid"
    planted.write_text("x")
    try:
        os.chown(planted, SANDBOX_UID, SANDBOX_UID)
        assert planted in owned_files([host.root], SANDBOX_UID)
    finally:
        planted.unlink()
