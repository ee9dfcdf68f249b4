"""Process supervision both adapters (and the warm pool) share.

A run is watched, not trusted: every pipe is read incrementally against its cap, the wall
clock and (with a cgroup) the CPU clock are checked while it runs, and any breach kills
the whole process tree at once. The host never holds more output than the caps allow.
"""

from __future__ import annotations

import contextlib
import math
import os
import resource
import select
import selectors
import shutil
import signal
import subprocess
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from interviewkit.execution.limits import Limits
from interviewkit.execution.sandbox.cgroups import RunCgroup
from interviewkit.execution.sandbox.port import SandboxJob, SandboxResult

POLL_SECONDS = 0.05
PRLIMIT = shutil.which("prlimit") or "/usr/bin/prlimit"
RESULT_CHANNEL_FACTOR = 64
"""The result channel (harness verdict lines) may carry this many times the stdout cap."""


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


@dataclass
class Running:
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


def memfd(name: str, content: bytes) -> int:
    """An anonymous in-memory file holding ``content``, rewound: nothing touches the disk."""
    fd = os.memfd_create(name, 0)
    view = memoryview(content)
    while view:
        written = os.write(fd, view)
        view = view[written:]
    os.lseek(fd, 0, os.SEEK_SET)
    return fd


def rlimits(limits: Limits) -> dict[int, tuple[int, int]]:
    """The resource limits of a run, ``(soft, hard)`` by ``RLIMIT_*``: set before bwrap
    starts and inherited by every process inside, which can lower them but never raise them.
    (Not set later with ``prlimit(2)`` on the sandbox's pid: that needs ``CAP_SYS_RESOURCE``
    over another uid's process, which a container's root often lacks.)"""
    cpu = max(1, math.ceil(limits.cpu_time_s))
    file_bytes = limits.file_size_mb * 1024 * 1024
    stack = limits.stack_mb * 1024 * 1024
    return {
        resource.RLIMIT_CPU: (cpu, cpu + 1),
        resource.RLIMIT_FSIZE: (file_bytes, file_bytes),
        resource.RLIMIT_NOFILE: (limits.open_files, limits.open_files),
        resource.RLIMIT_CORE: (0, 0),
        resource.RLIMIT_STACK: (stack, stack),
    }


def rlimit_args(limits: Limits) -> list[str]:
    """:func:`rlimits` as ``prlimit`` options: the command prefix that sets them and execs."""
    options = {
        resource.RLIMIT_CPU: "--cpu",
        resource.RLIMIT_FSIZE: "--fsize",
        resource.RLIMIT_NOFILE: "--nofile",
        resource.RLIMIT_CORE: "--core",
        resource.RLIMIT_STACK: "--stack",
    }
    args = [f"{options[kind]}={soft}:{hard}" for kind, (soft, hard) in rlimits(limits).items()]
    return [PRLIMIT, *args, "--"]


def collect(
    job: SandboxJob,
    running: Running,
    cgroup: RunCgroup | None,
    started: float,
    cpu_before_ms: float = 0.0,
) -> SandboxResult:
    """Supervise a started run to its end and measure it (``cpu_before_ms``: a warm start)."""
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
        cpu_limit_ms=limits.cpu_time_s * 1000 + cpu_before_ms,
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


class _ExitWatch:
    """Sleeps until a child exits or a timeout passes: on its pidfd, or in 1 ms naps
    where the kernel has no pidfds (before Linux 5.3)."""

    def __init__(self, pid: int) -> None:
        self._poll: select.poll | None = None
        self._fd = -1
        with contextlib.suppress(OSError, AttributeError):
            self._fd = os.pidfd_open(pid)
            self._poll = select.poll()
            self._poll.register(self._fd, select.POLLIN)

    def __call__(self, timeout_s: float) -> None:
        if self._poll is None:
            time.sleep(min(timeout_s, 0.001))
            return
        self._poll.poll(max(1, math.ceil(timeout_s * 1000)))

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1


def _exit_status(code: int | None) -> tuple[int | None, int | None]:
    """bwrap reports a child killed by signal N as exit 128+N; split the two back apart."""
    if code is None:
        return None, None
    if code < 0:
        return None, -code
    if 128 < code <= 128 + 64:
        return None, code - 128
    return code, None


def _wait(
    process: subprocess.Popen[bytes], deadline: float, kill: Callable[[], None]
) -> tuple[int, float, int, bool]:
    """Reap the child with its resource usage; kill it if it outlives the deadline.

    The pipes may close long before the process exits (a program can close its stdout and
    sleep), so this waits against the same deadline instead of blocking: on a pidfd, which
    becomes readable when the process exits, so the wait costs no CPU and no polling delay.
    """
    timed_out = False
    exited = _ExitWatch(process.pid)
    try:
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            remaining = deadline - time.monotonic()
            if remaining <= 0 and not timed_out:
                timed_out = True
                kill()
            exited(max(remaining, 0.0) if not timed_out else POLL_SECONDS)
    finally:
        exited.close()
    code = os.waitstatus_to_exitcode(status)
    process.returncode = code
    cpu_ms = (usage.ru_utime + usage.ru_stime) * 1000
    return code, cpu_ms, usage.ru_maxrss, timed_out
