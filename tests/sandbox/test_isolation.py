"""Isolation: what a program can reach from inside the sandbox (network, files, secrets, host).

Every probe runs as a candidate's program would, through the real engine (or the real API),
and the ``host`` guard (conftest) checks the host afterwards.
"""

from __future__ import annotations

import ast
import secrets
import select
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from interviewkit.config import Settings
from interviewkit.execution.limits import Limits
from interviewkit.execution.schemas import ExecutionResult
from tests.conftest import new_session
from tests.sandbox.conftest import (
    FAST,
    KITS,
    PROGRAMS,
    SANDBOX_UID,
    HostGuard,
    HostProcess,
    LiveServer,
    RecordingCgroups,
    Runner,
    assert_status,
    explain,
    facts,
    group_name,
    sandbox_processes,
    wait_for,
)
from tests.server import INTERVIEWKIT

SANDBOX_ROOT = {"bin", "build", "dev", "etc", "ik", "ikwarm", "lib", "lib32", "lib64", "libx32",
                "proc", "sbin", "tmp", "usr", "work"}  # fmt: skip
"""Everything a sandbox's ``/`` may hold (``/build`` and ``/ik`` only for some runs;
``/ikwarm``, the warm JVM's read-only bootstrap jar, only in its pool's sandboxes)."""

REFUSED = {"EACCES", "EPERM", "EROFS", "ENOENT"}


def _host_secret_lines(path: str) -> list[str]:
    """Non-trivial lines of a host file, to look for in what a program printed."""
    if not Path(path).exists():
        return []
    return [line for line in Path(path).read_text().splitlines() if len(line) > 8]


def _leaks(result: ExecutionResult, lines: list[str]) -> list[str]:
    assert result.run is not None, explain(result)
    shown = result.run.stdout + result.run.stderr
    return [line for line in lines if line in shown]


# ---- network ------------------------------------------------------------------------------


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    """A TCP listener on the host's loopback that must never see a connection."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(8)
        sock.setblocking(False)
        yield sock


def _assert_never_accepted(sock: socket.socket) -> None:
    ready, _, _ = select.select([sock], [], [], 0)
    assert not ready, "the host listener received a connection from inside the sandbox"


@pytest.mark.parametrize(
    "language", ["python", "javascript", pytest.param("java", marks=pytest.mark.slow), "cpp"]
)
def test_a_host_loopback_listener_is_unreachable(
    runner: Runner, listener: socket.socket, language: str
) -> None:
    port = listener.getsockname()[1]
    result = runner.attack(language, "connect", port)
    assert_status(result, "accepted")
    seen = facts(result)
    assert "connected" not in seen, explain(result)
    assert seen.get("connect"), explain(result)  # a refusal, reported by the program
    _assert_never_accepted(listener)


def test_the_api_servers_own_port_is_unreachable(runner: Runner, server: LiveServer) -> None:
    result = runner.attack("python", "connect", server.port)
    seen = facts(result)
    assert "connected" not in seen, explain(result)
    assert seen.get("connect") in {"ECONNREFUSED", "ENETUNREACH"}, explain(result)


def test_code_run_by_the_server_cannot_call_the_server(server: LiveServer) -> None:
    result = server.attack("connect", server.port)
    assert_status(result, "accepted")
    seen = facts(result)
    assert "connected" not in seen, explain(result)
    assert seen.get("connect") in {"ECONNREFUSED", "ENETUNREACH"}, explain(result)


# ---- files --------------------------------------------------------------------------------


def test_etc_shadow_is_not_there(runner: Runner) -> None:
    result = runner.attack("python", "read", "/etc/shadow")
    seen = facts(result)
    assert seen.get("read") == "ENOENT", explain(result)
    listing = ast.literal_eval(seen["listing"])
    assert "shadow" not in listing
    assert set(listing) <= {"passwd", "group", "ld.so.cache", "localtime", "nsswitch.conf",
                            "java-17-openjdk"}, listing  # fmt: skip
    assert not _leaks(result, _host_secret_lines("/etc/shadow"))


def test_etc_passwd_is_the_sandboxs_own(runner: Runner) -> None:
    result = runner.attack("python", "read", "/etc/passwd")
    content = ast.literal_eval(facts(result)["content"])
    assert content.startswith(b"sandbox:x:1000:1000:"), explain(result)
    assert not _leaks(result, _host_secret_lines("/etc/passwd"))


def test_the_data_dir_is_not_there(runner: Runner, settings: Settings) -> None:
    database = settings.data_dir / "interviewkit.db"
    assert database.is_file()
    for path in (str(database), f"/proc/1/root{database}", f"/proc/self/root{database}"):
        result = runner.attack("python", "read", path)
        seen = facts(result)
        assert seen.get("read") == "ENOENT", explain(result)
        assert seen.get("list") == "ENOENT", explain(result)  # the data dir itself


@pytest.mark.parametrize("path", ["/usr/owned", "/usr/bin/owned", "/etc/owned", "/etc/passwd",
                                  "/owned", "/proc/owned"])  # fmt: skip
def test_the_root_and_usr_and_etc_are_read_only(runner: Runner, path: str) -> None:
    before = Path(path).exists()
    result = runner.attack("python", "write", path)
    assert facts(result).get("write") in REFUSED, explain(result)
    assert Path(path).exists() == before  # nothing appeared on the host


def test_the_workspace_and_tmp_are_writable(runner: Runner) -> None:
    """The two writable places really are (the refusals above are not a broken sandbox)."""
    name = f"ik-suite-{secrets.token_hex(6)}"
    for folder in ("/work", "/tmp"):
        result = runner.attack("python", "write", f"{folder}/{name}")
        assert facts(result).get("write") == "ok", explain(result)
        assert not Path(folder, name).exists()  # a private tmpfs, not the host's


def test_a_host_program_outside_usr_cannot_be_run(runner: Runner) -> None:
    assert not str(INTERVIEWKIT).startswith("/usr/")
    result = runner.attack("python", "exec_host", INTERVIEWKIT)
    assert facts(result).get("exec") == "ENOENT", explain(result)


@pytest.mark.slow
def test_java_subprocesses_see_only_the_sandbox(runner: Runner) -> None:
    assert not str(INTERVIEWKIT).startswith("/usr/")
    result = runner.attack("java", "exec", INTERVIEWKIT)
    assert_status(result, "accepted")
    seen = facts(result)
    assert seen.get("ls_exit") == "0", explain(result)
    assert set(seen["root"].split(",")) <= SANDBOX_ROOT, explain(result)
    assert "No such file or directory" in seen["host_path"], explain(result)
    assert seen["shadow"].startswith("exit=1 "), explain(result)
    assert "No such file or directory" in seen["shadow"], explain(result)
    assert not _leaks(result, _host_secret_lines("/etc/shadow"))


def test_node_child_process_cannot_read_etc_shadow(runner: Runner) -> None:
    result = runner.attack("javascript", "exec_shadow")
    assert_status(result, "accepted")
    seen = facts(result)
    assert "content" not in seen, explain(result)
    assert seen["exec"].startswith("status=1 "), explain(result)
    assert "No such file or directory" in seen["exec"], explain(result)
    assert set(ast.literal_eval(seen["root"])) <= SANDBOX_ROOT | {".", ".."}, explain(result)
    assert not _leaks(result, _host_secret_lines("/etc/shadow"))


def test_a_compiled_program_cannot_rewrite_its_cached_binary(
    runner: Runner, engine_data_dir: Path
) -> None:
    """``/build`` is a compile-cache entry, shared by every identical submission: read-only."""
    result = runner.attack("cpp", "write", "/build/main")
    assert facts(result).get("write") in {"EROFS", "EACCES", "ETXTBSY"}, explain(result)
    binaries = list((engine_data_dir / "exec-cache").glob("*/main"))
    assert binaries
    assert all(b"owned" not in binary.read_bytes()[:16] for binary in binaries)
    again = runner.attack("cpp", "write", "/work/fine")
    assert again.compile is not None
    assert again.compile.cached
    assert facts(again).get("write") == "ok", explain(again)


# ---- secrets in the environment -----------------------------------------------------------


@pytest.mark.parametrize("language", ["python", "javascript"])
def test_the_servers_environment_is_invisible(
    runner: Runner, monkeypatch: pytest.MonkeyPatch, language: str
) -> None:
    """The engine runs inside the server: its secrets are in this very process's environment."""
    secret = "sandbox-suite-secret-0123456789abcdef"
    monkeypatch.setenv("INTERVIEWKIT_SECRET_KEY", secret)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", secret + "-aws")
    result = runner.attack(language, "environment")
    assert_status(result, "accepted")
    seen = facts(result)
    assert secret not in seen["environ"], explain(result)
    assert "INTERVIEWKIT" not in seen["environ"], explain(result)
    exposed = sorted(key for key, value in seen.items() if key.startswith("proc_")
                     and secret in value)  # fmt: skip
    assert not exposed, f"the server's secret is readable in {exposed}: {explain(result)}"


def test_a_real_servers_secret_key_is_invisible_to_the_code_it_runs(server: LiveServer) -> None:
    result = server.attack("environment")
    assert_status(result, "accepted")
    assert result.run is not None
    assert server.secret_key not in result.run.stdout, (
        "the server's INTERVIEWKIT_SECRET_KEY is readable inside the sandbox: "
        + next(line for line in result.run.stdout.splitlines() if server.secret_key in line)[:80]
    )


# ---- processes and privileges ---------------------------------------------------------------


def test_only_the_sandboxs_own_processes_are_visible(runner: Runner) -> None:
    result = runner.attack("python", "processes")
    seen = facts(result)
    pids = ast.literal_eval(seen["pids"])
    assert len(pids) < 5, explain(result)
    assert max(pids) < 10, explain(result)  # a fresh pid namespace, not the host's numbers
    commands = " ".join(value for key, value in seen.items() if key.startswith("cmdline_"))
    assert "pytest" not in commands
    assert "interviewkit serve" not in commands


def test_the_program_is_never_root(runner: Runner) -> None:
    result = runner.attack("python", "root_probe")
    assert_status(result, "accepted")
    seen = facts(result)
    assert seen["uid"] == "1000", explain(result)
    assert seen["euid"] == "1000", explain(result)
    assert seen["/proc/sys/kernel/hostname"] in {"EACCES", "EROFS", "EPERM"}, explain(result)
    assert seen["/proc/sys/vm/overcommit_memory"] in {"EACCES", "EROFS", "EPERM"}, explain(result)
    assert seen["setuid"] in {"EPERM", "EINVAL"}, explain(result)  # uid 0 is not even mapped


@pytest.mark.slow
def test_the_host_sees_the_program_as_the_unprivileged_sandbox_uid(
    runner: Runner, recorder: RecordingCgroups, host: HostGuard
) -> None:
    before = len(recorder.created)
    idle_before = host.warm.idle_groups()
    outcome: list[ExecutionResult] = []
    thread = threading.Thread(
        target=lambda: outcome.append(runner.attack("python", "sleep", limits=FAST))
    )
    thread.start()
    seen: list[HostProcess] = []

    python = runner.toolchain("python").executables["python"]

    def program_running() -> bool:
        # a cold run's new group, or the warm sandbox the run took from its pool
        fresh = {name for name in recorder.created[before:] if not name.startswith("warm-")}
        ours = fresh | (idle_before - host.warm.idle_groups())
        seen[:] = [process for process in sandbox_processes()
                   if group_name(process.cgroup) in ours]  # fmt: skip
        return any(process.cmdline.startswith(python) for process in seen)

    try:
        assert wait_for(program_running, 10), "the sleeping program never showed up on the host"
        # bwrap, the sandbox's init and the program: every one of them is the sandbox uid
        assert all(process.uids == (SANDBOX_UID,) * 4 for process in seen), seen
        program = next(process for process in seen if process.cmdline.startswith(python))
        uid_map = Path(f"/proc/{program.pid}/uid_map").read_text()
        assert uid_map.split() == ["1000", str(SANDBOX_UID), "1"]
    finally:
        thread.join()
    assert_status(outcome[0], "time_limit_exceeded")


@pytest.mark.parametrize("language", ["python", "cpp"])
def test_dangerous_system_calls_are_refused(runner: Runner, language: str) -> None:
    result = runner.attack(language, "seccomp")
    assert_status(result, "accepted")
    seen = facts(result)
    expected = ["ptrace", "unshare", "keyctl", "vsock"]
    if language == "python":
        expected += ["mount", "io_uring_setup", "bpf"]
    for call in expected:
        assert seen.get(call) == "EPERM", f"{call}: {explain(result)}"


# ---- runs cannot see each other -----------------------------------------------------------


@pytest.mark.slow
def test_two_concurrent_runs_cannot_see_each_others_files(runner: Runner) -> None:
    kit = (PROGRAMS / KITS["python"][1]).read_text()
    marker = "marker-of-run-a"
    limits = Limits(wall_time_s=8)
    results: dict[str, ExecutionResult] = {}

    def writer() -> None:
        results["a"] = runner.source(
            "python", kit, entry="writer.py", stdin=f"marker_write {marker}\n", limits=limits
        )

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        # run A's marker, seen from the host through its sandbox's root (cold or warm alike)
        up = wait_for(
            lambda: any(
                Path(f"/proc/{p.pid}/root/work/{marker}").exists() for p in sandbox_processes()
            ),
            10,
        )
        assert up, "run A never wrote its marker"
        reader = runner.source(
            "python", kit, entry="reader.py", stdin=f"marker_find {marker}\n", limits=limits
        )
    finally:
        thread.join()
    assert facts(results["a"]).get("still_there") == "True", explain(results["a"])
    seen = facts(reader)
    assert seen.get("marker_found") == "False", explain(reader)
    assert reader.run is not None
    assert "writer.py" not in reader.run.stdout
    assert len(ast.literal_eval(seen["pids"])) < 5, explain(reader)


# ---- symlinks -----------------------------------------------------------------------------


def test_a_symlink_to_a_host_file_reads_the_sandboxs_file(runner: Runner) -> None:
    result = runner.attack("python", "symlink", "/etc/passwd")
    assert_status(result, "accepted")
    seen = facts(result)
    assert seen["replaced"] == "ok", explain(result)
    assert ast.literal_eval(seen["content"]).startswith(b"sandbox:x:1000"), explain(result)
    assert not _leaks(result, _host_secret_lines("/etc/passwd"))


def test_a_symlink_made_in_a_session_run_never_reaches_the_workspace(
    client: TestClient, settings: Settings
) -> None:
    session = new_session(client)
    files = f"/api/v1/sessions/{session['id']}/files"
    kit = (PROGRAMS / KITS["python"][1]).read_text()
    for path, content in (("main.py", kit), ("notes.txt", "my notes\n")):
        response = client.put(f"{files}/{path}", json={"content": content})
        assert response.status_code == 201, response.text
    for target in ("/etc/passwd", str(settings.data_dir / "interviewkit.db")):
        response = client.post(
            f"/api/v1/sessions/{session['id']}/execute",
            json={"file": "/main.py", "stdin": f"symlink {target}\n"},
        )
        assert response.status_code == 200, response.text
        result = ExecutionResult.model_validate(response.json())
        assert facts(result)["replaced"] == "ok", explain(result)
        assert not _leaks(result, _host_secret_lines("/etc/passwd"))
    listing = client.get(files).json()
    assert sorted(item["path"] for item in listing["files"]) == ["/main.py", "/notes.txt"]
    assert client.get(f"{files}/main.py").json()["content"] == kit
    assert client.get(f"{files}/notes.txt").json()["content"] == "my notes\n"
    assert client.get(f"{files}/link").status_code == 404
    assert Path(settings.data_dir, "interviewkit.db").exists()
