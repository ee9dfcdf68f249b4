"""The sandbox port and its two adapters: bubblewrap (the default) and a bare process.

One call runs one command on a set of files and returns what it printed and what it used.
The bubblewrap adapter gives every run fresh user, pid, net, ipc, uts, mount and cgroup
namespaces; a read-only root holding only ``/usr`` and the few ``/etc`` files a runtime
needs; ``/work`` (the files, the only writable place besides ``/tmp``) as a size-limited
tmpfs the host copies the files into, so the host never opens a path inside a run;
a cgroup for memory (swap included), processes and CPU; rlimits; a seccomp deny-list;
and a host uid that is not root. The process adapter exists for machines without
bubblewrap (macOS laptops) and isolates nothing but rlimits; the app refuses it unless
``sandbox_allow_process`` says yes (see :mod:`.protections`).
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import selectors
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, TYPE_CHECKING, Protocol

from interviewkit.db import new_id
from interviewkit.execution.cgroups import Cgroups, RunCgroup, detect_cgroups
from interviewkit.execution.limits import Limits

if TYPE_CHECKING:
    from interviewkit.execution.warm import WarmPool

SANDBOX_UID = 1000
BUILD_DIR = "/build"
"""Where compiled artifacts live inside the sandbox (a cache entry, bound read-only)."""
SANDBOX_TMP = "/tmp"  # noqa: S108 - inside the sandbox: a private, size-limited tmpfs
PATH = "/usr/local/bin:/usr/bin:/bin"
POLL_SECONDS = 0.05
PRLIMIT = shutil.which("prlimit") or "/usr/bin/prlimit"
RESULT_CHANNEL_FACTOR = 64
"""The result channel (harness verdict lines) may carry this many times the stdout cap."""

PASSWD = b"sandbox:x:1000:1000:sandbox:/tmp:/usr/sbin/nologin\n"
GROUP = b"sandbox:x:1000:\n"
HOST_ETC_FILES = ("/etc/ld.so.cache", "/etc/localtime", "/etc/nsswitch.conf")


class SandboxUnavailable(RuntimeError):
    """The configured sandbox cannot run on this machine."""


@dataclass(frozen=True)
class Mount:
    """A host directory made visible inside the run (read-only unless ``writable``)."""

    source: Path
    target: str
    writable: bool = False


@dataclass(frozen=True)
class SandboxJob:
    """What to run. Paths in ``command`` use ``{work}``, ``{ik}`` and mount targets.

    ``files`` land under ``{work}`` (writable); ``data`` under ``{ik}`` (read-only, for the
    platform's own inputs such as test arguments, which the program must not rewrite).
    """

    command: Sequence[str]
    files: Mapping[str, bytes] = field(default_factory=dict)
    data: Mapping[str, bytes] = field(default_factory=dict)
    stdin: bytes = b""
    limits: Limits = field(default_factory=Limits)
    mounts: Sequence[Mount] = ()
    binds: Sequence[str] = ()
    env: Mapping[str, str] = field(default_factory=dict)
    result_channel: bool = False


@dataclass
class SandboxResult:
    """What happened. ``signal`` is set when the program died of one."""

    exit_code: int | None
    signal: int | None
    stdout: bytes
    stderr: bytes
    results: bytes
    stdout_truncated: bool
    stderr_truncated: bool
    cpu_ms: float
    wall_ms: float
    memory_kb: int
    timed_out: bool = False
    cpu_exceeded: bool = False
    memory_exceeded: bool = False
    output_exceeded: bool = False

    def result_lines(self) -> Iterator[dict[str, object]]:
        """Complete JSON lines of the result channel (a half-written last line is dropped)."""
        for line in self.results.split(b"\n"):
            with contextlib.suppress(ValueError):
                value = json.loads(line)
                if isinstance(value, dict):
                    yield value


class Sandbox(Protocol):
    name: str
    isolated: bool

    def paths(self) -> Mapping[str, str]: ...
    def run(self, job: SandboxJob) -> SandboxResult: ...
    def close(self) -> None: ...


# --------------------------------------------------------------------------------------
# the supervision loop both adapters share


@dataclass
class _Stream:
    name: str
    cap: int
    chunks: list[bytes] = field(default_factory=list)
    size: int = 0
    truncated: bool = False

    def take(self, data: bytes) -> bool:
        """Keep data up to the cap; True when the cap has been crossed."""
        room = self.cap - self.size
        if len(data) > room:
            self.chunks.append(data[: max(room, 0)])
            self.size = self.cap
            self.truncated = True
            return True
        self.chunks.append(data)
        self.size += len(data)
        return False

    def value(self) -> bytes:
        return b"".join(self.chunks)


@dataclass
class _Watch:
    timed_out: bool = False
    cpu_exceeded: bool = False
    output_exceeded: bool = False
    wall_ms: float = 0.0


def _supervise(
    pipes: Mapping[int, _Stream],
    deadline: float,
    cpu_limit_ms: float,
    cgroup: RunCgroup | None,
    kill: Callable[[], None],
    started: float,
) -> _Watch:
    """Read every pipe to EOF within the caps and the deadline, killing the run on a breach.

    Output is read incrementally and never held beyond its cap: a flood costs the server
    at most the cap, and the run is stopped the moment a cap is crossed.
    """
    watch = _Watch()
    selector = selectors.DefaultSelector()
    for fd in pipes:
        os.set_blocking(fd, False)
        selector.register(fd, selectors.EVENT_READ)
    open_fds = set(pipes)
    last_cpu_check = started
    try:
        while open_fds:
            now = time.monotonic()
            if now >= deadline:
                watch.timed_out = True
                kill()
                break
            if cgroup is not None and now - last_cpu_check >= POLL_SECONDS:
                last_cpu_check = now
                if cgroup.usage().cpu_ms > cpu_limit_ms:
                    watch.cpu_exceeded = True
                    kill()
                    break
            for key, _ in selector.select(min(POLL_SECONDS, deadline - now)):
                fd = int(key.fd)
                try:
                    data = os.read(fd, 65536)
                except BlockingIOError:
                    continue
                if not data:
                    selector.unregister(fd)
                    open_fds.discard(fd)
                elif pipes[fd].take(data):
                    watch.output_exceeded = True
                    kill()
                    open_fds.clear()
                    break
    finally:
        selector.close()
    return watch


def _exit_status(code: int | None) -> tuple[int | None, int | None]:
    """bwrap reports a child killed by signal N as exit 128+N; split the two back apart."""
    if code is None:
        return None, None
    if code < 0:
        return None, -code
    if 128 < code <= 128 + 64:
        return None, code - 128
    return code, None


def _memfd(name: str, content: bytes) -> int:
    fd = os.memfd_create(name, 0)
    view = memoryview(content)
    while view:
        written = os.write(fd, view)
        view = view[written:]
    os.lseek(fd, 0, os.SEEK_SET)
    return fd


def _rlimit_args(limits: Limits) -> list[str]:
    """``prlimit`` options: set before bwrap starts, inherited by everything inside."""
    cpu = max(1, math.ceil(limits.cpu_time_s))
    file_bytes = limits.file_size_mb * 1024 * 1024
    stack = limits.stack_mb * 1024 * 1024
    return [
        PRLIMIT,
        f"--cpu={cpu}:{cpu + 1}",
        f"--fsize={file_bytes}",
        f"--nofile={limits.open_files}",
        "--core=0",
        f"--stack={stack}",
        "--",
    ]


def _as_sandbox_user(uid: int) -> int | None:
    """Popen's ``user``/``group``: the sandbox's host ids when we are root, else unchanged."""
    return uid if os.geteuid() == 0 else None


# --------------------------------------------------------------------------------------
# bubblewrap


class BwrapSandbox:
    """Fresh namespaces, cgroup, seccomp and an unprivileged host uid for every run."""

    name = "bwrap"
    isolated = True

    def __init__(
        self,
        *,
        uid: int,
        gid: int,
        cgroups: Cgroups | None,
        seccomp_bpf: bytes | None,
        bwrap: str | None = None,
    ) -> None:
        found = bwrap or shutil.which("bwrap")
        if found is None:
            raise SandboxUnavailable("bubblewrap (bwrap) is not installed")
        if shutil.which("prlimit") is None:
            raise SandboxUnavailable("prlimit (util-linux) is not installed")
        self.bwrap = found
        self.uid = uid
        self.gid = gid
        self.cgroups = cgroups
        self.seccomp_bpf = seccomp_bpf
        self.root_layout = _root_layout()
        self.pool: WarmPool | None = None

    def start_warm_pool(self, python: str, limits: Limits, size: int) -> None:
        """Keep ``size`` Python sandboxes pre-started for runs with these limits."""
        from interviewkit.execution.warm import WarmPool

        if self.pool is None and size > 0:
            self.pool = WarmPool(self, python, limits, size)

    def close(self) -> None:
        if self.pool is not None:
            self.pool.close()
            self.pool = None

    def paths(self) -> Mapping[str, str]:
        return {"{work}": "/work", "{ik}": "/ik"}

    def run(self, job: SandboxJob) -> SandboxResult:
        if self.pool is not None and self.pool.accepts(job):
            warm = self.pool.run(job)
            if warm is not None:
                return warm
        fds: list[int] = []
        cgroup: RunCgroup | None = None
        try:
            args = self._arguments(job, fds)
            if self.cgroups is not None:
                cgroup = self.cgroups.create(
                    f"run-{new_id('')}",
                    memory_bytes=job.limits.memory_mb * 1024 * 1024,
                    processes=job.limits.processes,
                )
            return self._execute(job, args, fds, cgroup)
        finally:
            for fd in fds:
                with contextlib.suppress(OSError):
                    os.close(fd)
            if cgroup is not None:
                cgroup.remove()

    def _arguments(self, job: SandboxJob, fds: list[int], *, warm: bool = False) -> list[str]:
        limits = job.limits
        args = [
            self.bwrap,
            "--unshare-all",
            "--unshare-user",
            "--disable-userns",
            "--die-with-parent",
            "--new-session",
            "--cap-drop",
            "ALL",
            "--uid",
            str(SANDBOX_UID),
            "--gid",
            str(SANDBOX_UID),
            "--hostname",
            "sandbox",
            *self.root_layout,
            "--proc",
            "/proc",
            "--dev",
            "/dev",
            "--size",
            str(limits.tmpfs_mb * 1024 * 1024),
            "--tmpfs",
            SANDBOX_TMP,
            "--size",
            str(limits.tmpfs_mb * 1024 * 1024),
            "--tmpfs",
            "/work",
        ]
        for path, content in (("/etc/passwd", PASSWD), ("/etc/group", GROUP)):
            fds.append(_memfd("etc", content))
            args += ["--ro-bind-data", str(fds[-1]), path]
        for host_path in (*HOST_ETC_FILES, *job.binds):
            if Path(host_path).exists():
                args += ["--ro-bind", host_path, host_path]
        for mount in job.mounts:
            args += ["--bind" if mount.writable else "--ro-bind", str(mount.source), mount.target]
        args += _file_arguments("/work", job.files, fds, "--file")
        if warm:  # a warm sandbox receives its data and program later, from the inside
            size = str(limits.tmpfs_mb * 1024 * 1024)
            args += ["--size", size, "--tmpfs", "/ik", "--size", size, "--tmpfs", BUILD_DIR]
        elif job.data:
            args += ["--dir", "/ik", *_file_arguments("/ik", job.data, fds, "--ro-bind-data")]
        if self.seccomp_bpf is not None:
            fds.append(_memfd("seccomp", self.seccomp_bpf))
            args += ["--seccomp", str(fds[-1])]
        args += ["--chdir", "/work", "--remount-ro", "/", "--clearenv"]
        for name, value in _environment(job).items():
            args += ["--setenv", name, value]
        return args

    def _execute(
        self, job: SandboxJob, args: list[str], fds: list[int], cgroup: RunCgroup | None
    ) -> SandboxResult:
        running = self._spawn(job, args, fds, cgroup)
        return _collect(job, running, cgroup, running.started)

    def _spawn(
        self,
        job: SandboxJob,
        args: list[str],
        fds: list[int],
        cgroup: RunCgroup | None,
        keep_open: Sequence[int] = (),
    ) -> _Running:
        """Start bwrap, put it in the cgroup, release it; ``fds`` keeps what stays ours."""
        info_read, info_write = os.pipe()
        block_read, block_write = os.pipe()
        result_read, result_write = os.pipe() if job.result_channel else (-1, -1)
        if job.result_channel and os.geteuid() == 0:
            # the JVM can only open the channel by path (/proc/self/fd/N), which checks the
            # pipe's owner: make it the sandbox user's
            os.fchown(result_write, self.uid, self.gid)
        stdin = _memfd("stdin", job.stdin)
        fds += [info_read, info_write, block_read, block_write, stdin]
        if job.result_channel:
            fds += [result_read, result_write]
        env_args = ["--setenv", "IK_RESULT_FD", str(result_write)] if job.result_channel else []
        command = [_substitute(part, self.paths()) for part in job.command]
        options = [*args[1:], *env_args]
        options += ["--info-fd", str(info_write), "--block-fd", str(block_read)]
        # through a memfd, so /proc/1/cmdline inside shows no host paths
        fds.append(_memfd("args", b"".join(part.encode() + b"\0" for part in options)))
        argv = [*_rlimit_args(job.limits), args[0], "--args", str(fds[-1]), "--", *command]
        ours = (info_read, block_write, result_read, stdin, *keep_open)
        passed = [fd for fd in fds if fd not in ours]
        started = time.monotonic()
        process = subprocess.Popen(
            argv,
            stdin=stdin,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            pass_fds=passed,
            close_fds=True,
            start_new_session=True,
            env={},  # bwrap's own environment is readable inside as /proc/1/environ
            user=_as_sandbox_user(self.uid),
            group=_as_sandbox_user(self.gid),
            extra_groups=[] if os.geteuid() == 0 else None,
        )
        for fd in passed:
            os.close(fd)
            fds.remove(fd)
        child_pid = self._start(process, info_read, block_write, cgroup)
        return _Running(process, child_pid, result_read, cgroup, started, result_fd=result_write)

    def _start(
        self,
        process: subprocess.Popen[bytes],
        info_read: int,
        block_write: int,
        cgroup: RunCgroup | None,
    ) -> int | None:
        """Put bwrap and the sandbox's init into the cgroup, then let the program start.

        bwrap waits on ``--block-fd`` after creating the namespaces and before running the
        command, so every process the program ever starts is born inside the cgroup.
        """
        with os.fdopen(os.dup(info_read), "rb") as info_stream:
            info = _read_info(info_stream)
        child_pid = info.get("child-pid") if info else None
        if cgroup is not None:
            # only the sandbox's init, which forks the program: bwrap's outer monitor runs
            # nothing of the candidate's, and each cgroup v1 move costs about half a ms
            for pid in (child_pid,):
                if isinstance(pid, int):
                    with contextlib.suppress(ProcessLookupError, OSError):
                        cgroup.attach(pid)
        with contextlib.suppress(BrokenPipeError):
            os.write(block_write, b"x")
        return child_pid if isinstance(child_pid, int) else None


@dataclass
class _Running:
    """A started process tree and how to stop all of it."""

    process: subprocess.Popen[bytes]
    child_pid: int | None
    result_read: int
    cgroup: RunCgroup | None
    started: float
    result_fd: int = -1
    """The result channel's descriptor number inside the sandbox."""
    process_group: bool = False
    """Without namespaces, the run is its process group (the process backend)."""

    def kill(self) -> None:
        if self.process_group:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.process.pid, signal.SIGKILL)
        for pid in (self.child_pid, self.process.pid):
            if pid:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, signal.SIGKILL)
        if self.cgroup is not None:
            self.cgroup.kill_all()


def _read_info(stream: IO[bytes]) -> dict[str, object] | None:
    """bwrap's ``--info-fd`` JSON, or None if bwrap failed before writing it."""
    data = stream.read()
    try:
        info = json.loads(data) if data else None
    except ValueError:
        return None
    return info if isinstance(info, dict) else None


def _collect(
    job: SandboxJob,
    running: _Running,
    cgroup: RunCgroup | None,
    started: float,
    cpu_before_ms: float = 0.0,
) -> SandboxResult:
    process, result_read, kill = running.process, running.result_read, running.kill
    limits = job.limits
    assert process.stdout is not None
    assert process.stderr is not None
    stdout = _Stream("stdout", limits.output_bytes)
    stderr = _Stream("stderr", limits.output_bytes)
    pipes = {process.stdout.fileno(): stdout, process.stderr.fileno(): stderr}
    results = _Stream("results", limits.output_bytes * RESULT_CHANNEL_FACTOR)
    if result_read >= 0:
        pipes[result_read] = results
    watch = _supervise(
        pipes,
        deadline=started + limits.wall_time_s,
        cpu_limit_ms=limits.cpu_time_s * 1000,
        cgroup=cgroup,
        kill=kill,
        started=started,
    )
    code, child_cpu_ms, child_rss_kb, late = _wait(process, started + limits.wall_time_s, kill)
    watch.timed_out = watch.timed_out or late
    wall_ms = (time.monotonic() - started) * 1000
    process.stdout.close()
    process.stderr.close()
    usage = cgroup.usage() if cgroup is not None else None
    exit_code, died_of = _exit_status(code)
    cpu_ms = (usage.cpu_ms - cpu_before_ms) if usage else child_cpu_ms
    return SandboxResult(
        exit_code=exit_code,
        signal=died_of,
        stdout=stdout.value(),
        stderr=stderr.value(),
        results=results.value(),
        stdout_truncated=stdout.truncated,
        stderr_truncated=stderr.truncated,
        cpu_ms=round(cpu_ms, 3),
        wall_ms=round(wall_ms, 3),
        memory_kb=usage.memory_peak_kb if usage else child_rss_kb,
        timed_out=watch.timed_out,
        cpu_exceeded=watch.cpu_exceeded
        or died_of == signal.SIGXCPU
        or cpu_ms > limits.cpu_time_s * 1000,
        memory_exceeded=bool(usage and usage.oom_killed),
        output_exceeded=watch.output_exceeded or results.truncated,
    )


def _wait(
    process: subprocess.Popen[bytes], deadline: float, kill: Callable[[], None]
) -> tuple[int, float, int, bool]:
    """Reap the child with its resource usage; kill it if it outlives the deadline.

    The pipes may close long before the process exits (a program can close its stdout and
    sleep), so this waits against the same deadline instead of blocking.
    """
    timed_out = False
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            break
        if time.monotonic() >= deadline and not timed_out:
            timed_out = True
            kill()
        time.sleep(0.001)
    code = os.waitstatus_to_exitcode(status)
    process.returncode = code
    cpu_ms = (usage.ru_utime + usage.ru_stime) * 1000
    return code, cpu_ms, usage.ru_maxrss, timed_out


def _substitute(part: str, paths: Mapping[str, str]) -> str:
    for placeholder, real in paths.items():
        part = part.replace(placeholder, real)
    return part


def _environment(job: SandboxJob) -> dict[str, str]:
    """A clean environment: no server secrets, no ``INTERVIEWKIT_*``, nothing inherited."""
    env = {"PATH": PATH, "HOME": SANDBOX_TMP, "LANG": "C.UTF-8", "TMPDIR": SANDBOX_TMP}
    env.update(job.env)
    return env


def _file_arguments(
    root: str, files: Mapping[str, bytes], fds: list[int], option: str
) -> list[str]:
    """``--dir`` for each parent folder, then one memfd-backed copy per file."""
    args: list[str] = []
    made: set[str] = set()
    for relative in sorted(files):
        target = PurePosixPath(root, relative)
        for parent in reversed(target.parents):
            folder = str(parent)
            if len(folder) > len(root) and folder not in made:
                made.add(folder)
                args += ["--dir", folder]
        fds.append(_memfd("file", files[relative]))
        args += [option, str(fds[-1]), str(target)]
    return args


def _root_layout() -> list[str]:
    """Read-only ``/usr`` plus the top-level links (or folders) a merged-/usr system has."""
    args = ["--ro-bind", "/usr", "/usr"]
    for top in ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"):
        path = Path(top)
        if path.is_symlink():
            args += ["--symlink", str(path.readlink()), top]
        elif path.is_dir():
            args += ["--ro-bind", top, top]
    return args


# --------------------------------------------------------------------------------------
# the unsafe fallback


class ProcessSandbox:
    """rlimits and a private temporary folder: no isolation. For development machines only."""

    name = "process"
    isolated = False

    def __init__(self, *, uid: int, gid: int) -> None:
        self.uid = uid
        self.gid = gid
        self._paths: dict[str, str] = {}

    def paths(self) -> Mapping[str, str]:
        return self._paths

    def close(self) -> None:
        """Nothing is kept between runs."""

    def run(self, job: SandboxJob) -> SandboxResult:
        with tempfile.TemporaryDirectory(prefix="ik-run-") as root:
            work = Path(root, "work")
            ik = Path(root, "ik")
            _materialise(work, job.files)
            _materialise(ik, job.data)
            paths = {"{work}": str(work), "{ik}": str(ik)}
            for mount in job.mounts:
                paths[mount.target] = str(mount.source)
            command = [_substitute(part, paths) for part in job.command]
            env = {name: _substitute(value, paths) for name, value in _environment(job).items()}
            return self._execute(job, command, env, work)

    def _execute(
        self, job: SandboxJob, command: list[str], env: dict[str, str], work: Path
    ) -> SandboxResult:
        result_read, result_write = os.pipe() if job.result_channel else (-1, -1)
        if job.result_channel:
            env["IK_RESULT_FD"] = str(result_write)
        stdin = _memfd("stdin", job.stdin)
        memory = job.limits.memory_mb * 1024 * 1024
        started = time.monotonic()
        try:
            process = subprocess.Popen(
                [*_rlimit_args(job.limits)[:-1], f"--as={memory}", "--", *command],
                stdin=stdin,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                pass_fds=[result_write] if job.result_channel else [],
                cwd=work,
                env=env,
                start_new_session=True,
            )
        finally:
            os.close(stdin)
            if job.result_channel:
                os.close(result_write)

        running = _Running(process, None, result_read, None, started, process_group=True)
        try:
            return _collect(job, running, None, started)
        finally:
            running.kill()
            if result_read >= 0:
                os.close(result_read)


def _materialise(root: Path, files: Mapping[str, bytes]) -> None:
    root.mkdir(parents=True, exist_ok=True)
    for relative, content in files.items():
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)


def create_sandbox(kind: str, *, uid: int, gid: int) -> Sandbox:
    """The configured adapter; bwrap gets cgroups and seccomp when the machine has them."""
    if kind == "process":
        return ProcessSandbox(uid=uid, gid=gid)
    from interviewkit.execution.seccomp import deny_list_bpf

    cgroups = detect_cgroups() if os.geteuid() == 0 else None
    try:
        bpf: bytes | None = deny_list_bpf()
    except (ImportError, OSError, RuntimeError):
        bpf = None
    return BwrapSandbox(uid=uid, gid=gid, cgroups=cgroups, seccomp_bpf=bpf)
