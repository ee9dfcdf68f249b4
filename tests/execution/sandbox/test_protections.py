"""A weak sandbox is refused unless the operator said yes, and doctor shows what is on.

* The ``process`` backend is refused wherever the app is built (``create_app``, the
  container), not only by ``serve``; ``sandbox_allow_process`` lets it through.
* A bwrap sandbox without seccomp or without cgroups is refused for runs unless
  ``sandbox_allow_weak``; the refusal names what is missing.
* ``interviewkit doctor`` prints one probed line per protection: namespaces, seccomp,
  cgroup memory/pids/cpu and the host uid, and whether runs would be refused.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from interviewkit.app import Container, create_app
from interviewkit.cli import app as cli
from interviewkit.execution.sandbox import BwrapSandbox, create_sandbox
from interviewkit.execution.sandbox.protections import (
    SandboxRefused,
    protections,
    refuse_weak_sandbox,
)
from tests.conftest import make_settings
from tests.execution.conftest import SANDBOX_READY, requires_sandbox

runner = CliRunner()


def test_the_process_backend_is_refused_wherever_the_app_is_built(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "data", sandbox="process")
    with pytest.raises(SandboxRefused, match="SANDBOX_ALLOW_PROCESS"):
        create_app(settings)
    with pytest.raises(SandboxRefused):
        Container.build(settings)
    allowed = make_settings(tmp_path / "data", sandbox="process", sandbox_allow_process=True)
    container = Container.build(allowed)
    try:
        assert container.executions.settings.sandbox == "process"
    finally:
        container.engine.dispose()


@requires_sandbox
@pytest.mark.parametrize("missing", ["seccomp", "cgroups", "both"])
def test_bwrap_without_seccomp_or_cgroups_is_refused_unless_allowed(
    tmp_path: Path, missing: str
) -> None:
    real = create_sandbox("bwrap", uid=64999, gid=64999)
    assert isinstance(real, BwrapSandbox)
    weak = BwrapSandbox(
        uid=64999,
        gid=64999,
        cgroups=None if missing in ("cgroups", "both") else real.cgroups,
        seccomp_bpf=None if missing in ("seccomp", "both") else real.seccomp_bpf,
    )
    strict = make_settings(tmp_path)
    with pytest.raises(SandboxRefused) as refused:
        refuse_weak_sandbox(strict, weak)
    lacks = str(refused.value).partition(" on this machine")[0]
    for part in ("seccomp", "cgroups"):
        assert (part in lacks) == (missing in (part, "both")), lacks
    assert "SANDBOX_ALLOW_WEAK" in str(refused.value)
    refuse_weak_sandbox(make_settings(tmp_path, sandbox_allow_weak=True), weak)
    refuse_weak_sandbox(strict, real)  # this machine has both: accepted
    found = {protection.name: protection.on for protection in protections(weak)}
    assert found["sandbox seccomp"] == (missing == "cgroups")
    assert found["sandbox cgroup memory"] == (missing == "seccomp")


@requires_sandbox
def test_protections_are_probed_on_this_machine() -> None:
    sandbox = create_sandbox("bwrap", uid=64999, gid=64999)
    found = {protection.name: protection for protection in protections(sandbox)}
    assert set(found) == {
        "sandbox namespaces",
        "sandbox seccomp",
        "sandbox cgroup memory",
        "sandbox cgroup pids",
        "sandbox cgroup cpu",
        "sandbox uid",
    }
    assert all(protection.on for protection in found.values()), found
    for name in ("user", "pid", "net", "mnt", "ipc", "uts"):
        assert name in found["sandbox namespaces"].detail
    assert "64999" in found["sandbox uid"].detail
    process = protections(create_sandbox("process", uid=64999, gid=64999))
    assert [(p.name, p.on) for p in process] == [("isolation", False)]


def doctor(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, **env: str) -> list[str]:
    for name in list(os.environ):
        if name.startswith("INTERVIEWKIT_"):
            monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(f"INTERVIEWKIT_{name.upper()}", value)
    monkeypatch.setenv("COLUMNS", "250")
    monkeypatch.chdir(tmp_path)
    runner.invoke(cli, ["--data-dir", str(tmp_path / "data"), "db", "upgrade"])
    result = runner.invoke(cli, ["--data-dir", str(tmp_path / "data"), "doctor"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.stdout.splitlines()


@pytest.mark.skipif(not SANDBOX_READY, reason="needs root and bubblewrap (the real sandbox)")
def test_doctor_says_which_protections_are_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = doctor(tmp_path, monkeypatch)
    for name in (
        "sandbox namespaces",
        "sandbox seccomp",
        "sandbox cgroup memory",
        "sandbox cgroup pids",
        "sandbox cgroup cpu",
        "sandbox uid",
        "sandbox policy",
    ):
        line = next((line for line in lines if name in line), None)
        assert line is not None, (name, lines)
        assert " OK " in line, line


def test_doctor_reports_the_process_backend_without_crashing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = doctor(tmp_path, monkeypatch, sandbox="process")
    policy = next(line for line in lines if "sandbox policy" in line)
    assert "runs refused" in policy
    assert " OK " not in policy
