"""The unsafe fallback: rlimits only, chosen explicitly, refused by ``serve``, red in ``doctor``."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from interviewkit.cli import app
from interviewkit.execution.limits import Limits
from interviewkit.execution.sandbox import ProcessSandbox, SandboxJob

runner = CliRunner()


@pytest.fixture
def sandbox() -> ProcessSandbox:
    return ProcessSandbox(uid=64999, gid=64999)


def python_job(source: str, **extra: object) -> SandboxJob:
    return SandboxJob(
        command=["/usr/bin/python3", "-B", "{work}/main.py"],
        files={"main.py": source.encode()},
        **extra,  # type: ignore[arg-type]
    )


def test_it_runs_a_program_with_its_files_and_stdin(sandbox: ProcessSandbox) -> None:
    job = python_job("import sys\nprint('got', sys.stdin.read())\n", stdin=b"typed")
    result = sandbox.run(job)
    assert result.exit_code == 0
    assert result.stdout == b"got typed\n"


def test_the_wall_clock_still_stops_a_sleeper(sandbox: ProcessSandbox) -> None:
    job = python_job("import time\ntime.sleep(30)\n", limits=Limits(wall_time_s=1))
    result = sandbox.run(job)
    assert result.timed_out
    assert result.wall_ms < 10_000


def test_output_is_still_capped(sandbox: ProcessSandbox) -> None:
    job = python_job("while True: print('x' * 1000)\n", limits=Limits(output_bytes=4096))
    result = sandbox.run(job)
    assert result.output_exceeded
    assert len(result.stdout) <= 4096


def test_the_address_space_limit_stops_a_memory_bomb(sandbox: ProcessSandbox) -> None:
    job = python_job("x = bytearray(1024 * 1024 * 1024)\n", limits=Limits(memory_mb=64))
    result = sandbox.run(job)
    assert result.exit_code != 0
    assert b"MemoryError" in result.stderr


def test_no_temporary_folder_is_left_behind(sandbox: ProcessSandbox, tmp_path: Path) -> None:
    before = set(Path("/tmp").glob("ik-run-*"))
    sandbox.run(python_job("open('left.txt', 'w').write('x')\n"))
    assert set(Path("/tmp").glob("ik-run-*")) == before


def test_serve_refuses_the_process_sandbox_unless_told(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INTERVIEWKIT_SANDBOX", "process")
    result = runner.invoke(app, ["serve", "--data-dir", str(tmp_path / "data")])
    assert result.exit_code == 1
    assert "--allow-unsafe-sandbox" in result.stderr
    assert not (tmp_path / "data").exists()


def test_doctor_flags_the_process_sandbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("INTERVIEWKIT_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("INTERVIEWKIT_SANDBOX", "process")
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.chdir(tmp_path)
    runner.invoke(app, ["--data-dir", str(tmp_path / "data"), "db", "upgrade"])
    result = runner.invoke(app, ["--data-dir", str(tmp_path / "data"), "doctor"])
    line = next(line for line in result.stdout.splitlines() if "UNSAFE" in line)
    assert " OK " not in line
    assert line.count("UNSAFE") == 2  # the status column and the detail
    assert "process backend isolates nothing" in " ".join(result.stdout.split())
