"""Pools of pre-started sandboxes: a runtime's start-up off the request path.

Each warm sandbox is a complete, fresh bwrap sandbox (its own namespaces, cgroup, rlimits
and seccomp filter) in which a language runtime (CPython, Node, a JVM) has already started
and waits on a control pipe. A run hands it the files, environment and argv in one message,
and the runtime's bootstrap becomes the program. Every warm sandbox serves exactly one run
and is then thrown away, so isolation is what a cold run gets; only the runtime's start-up
moves out of the latency.

What differs per language is a :class:`WarmRuntime`: the bootstrap command a sandbox is
started with, which jobs it can serve, and the message that hands one over. A job is served
warm only when everything fixed at sandbox start (command shape, binds, memory, process and
file limits) matches the pool; time and output limits are the supervisor's, enforced from
the hand-over on, so a problem's own time limit still runs warm.
"""

from __future__ import annotations

import base64
import contextlib
import logging
import os
import stat
import threading
import time
from collections import deque
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from interviewkit.db import new_id
from interviewkit.execution.limits import Limits
from interviewkit.execution.sandbox.cgroups import RunCgroup
from interviewkit.execution.sandbox.port import SandboxJob, SandboxResult, environment
from interviewkit.execution.sandbox.supervise import Running, collect

if TYPE_CHECKING:
    from interviewkit.execution.sandbox.bwrap import BwrapSandbox

log = logging.getLogger(__name__)

MAX_PROGRAM_BYTES = 256 * 1024 * 1024
MAX_IDLE_SECONDS = 300.0
"""A warm sandbox idle this long is replaced (it holds a cgroup and some memory)."""

MAX_FILLERS = 3
"""Threads starting sandboxes at once. A start is mostly waiting (bwrap creating the
namespaces, the cgroup v1 move's RCU grace period: ~20-40 ms of wall time for ~2 ms of
our CPU), so one thread alone caps a pool at ~25-50 starts a second, below what two
cores run; more threads than this only queue on the same kernel locks."""

SUPERVISED_LIMITS = ("cpu_time_s", "wall_time_s", "output_bytes")
"""Limits the supervisor enforces from the hand-over on; every other one is fixed at start."""


class WarmRuntime(Protocol):
    """One language runtime kept pre-started: how to start it, what it serves, how to hand over."""

    @property
    def name(self) -> str:
        """The language it serves (``python``, ``javascript``, ``java``): pools are keyed
        by it."""
        ...

    @property
    def stdin_pipe(self) -> bool:
        """True when the bootstrap cannot replace its own stdin (Node, the JVM): the pool then
        starts the sandbox with a pipe as stdin and writes the job's stdin into it after the
            hand-over. False when the bootstrap installs stdin itself from the message (CPython).
        """
        ...

    def template(self, control_fd: int, limits: Limits) -> SandboxJob:
        """The job each warm sandbox is started with: the bootstrap waiting on
        ``control_fd`` (a descriptor number valid inside the sandbox), ``limits``, and the
        binds and environment the jobs it will serve carry."""
        ...

    def serves(self, job: SandboxJob) -> bool:
        """Whether ``job``'s command, mounts, binds and environment are what a sandbox
        started from :meth:`template` can run (limits are the pool's business)."""
        ...

    def message(self, job: SandboxJob, env: dict[str, str]) -> bytes:
        """The hand-over: everything the bootstrap needs to become ``job`` (its files under
        ``/work``, its data under ``/ik``, its program, ``env`` and argv)."""
        ...


def compatible(job: Limits, pool: Limits) -> bool:
    """A job fits a pool when every limit fixed at sandbox start is the same and its CPU
    time is no more than the pool's rlimit (the cgroup clock enforces the job's own)."""
    if job.cpu_time_s > pool.cpu_time_s:
        return False
    fixed = {name: getattr(pool, name) for name in SUPERVISED_LIMITS}
    return replace(job, **fixed) == pool


@dataclass
class _Warm:
    running: Running
    control: int
    stdin: int
    """The write end of the sandbox's stdin pipe (``-1`` when the bootstrap installs it)."""
    fds: list[int]
    born: float


class WarmPool:
    """Keeps ``size`` sandboxes of one runtime started; a background thread refills them."""

    def __init__(
        self, sandbox: BwrapSandbox, runtime: WarmRuntime, limits: Limits, size: int
    ) -> None:
        self.sandbox = sandbox
        self.runtime = runtime
        self.limits = limits
        self.size = size
        self._ready: deque[_Warm] = deque()
        self._used: list[_Warm] = []
        self._starting = 0
        """Sandboxes a filler is starting now (they count towards ``size``)."""
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._closed = False
        self._fillers = [
            threading.Thread(
                target=self._fill_forever, name=f"warm-pool-{runtime.name}-{index}", daemon=True
            )
            for index in range(max(1, min(size, MAX_FILLERS)))
        ]
        for filler in self._fillers:
            filler.start()

    # -- serving a run ----------------------------------------------------------------

    def accepts(self, job: SandboxJob) -> bool:
        """Limits compatible with the pool's, and a job the runtime can become."""
        return compatible(job.limits, self.limits) and self.runtime.serves(job)

    def run(self, job: SandboxJob) -> SandboxResult | None:
        """Run ``job`` in a warm sandbox; None if none is ready (the caller runs it cold)."""
        asked = time.monotonic()
        warm = self._take()
        if warm is None:
            return None
        try:
            return self._hand_over(warm, job, asked)
        finally:
            with self._lock:
                self._used.append(warm)  # cleaned by the filler, off the request's path
            self._wake.set()

    def _take(self) -> _Warm | None:
        with self._lock:
            while self._ready:
                warm = self._ready.popleft()
                if warm.running.process.poll() is None:
                    self._wake.set()
                    return warm
                self._discard(warm)
        self._wake.set()
        return None

    def _hand_over(self, warm: _Warm, job: SandboxJob, asked: float) -> SandboxResult:
        env = {**environment(job), "PWD": "/work"}  # as bwrap's --chdir sets it on a cold run
        if job.result_channel:
            env["IK_RESULT_FD"] = str(warm.running.result_fd)
        payload = self.runtime.message(job, env)
        cgroup: RunCgroup | None = warm.running.cgroup
        cpu_before = 0.0
        if cgroup is not None:
            cpu_before = cgroup.usage().cpu_ms
            cgroup.reset_peak()  # the waiting runtime is not the program's memory
        started = time.monotonic()
        _write_all(warm.control, payload)
        os.close(warm.control)
        warm.fds.remove(warm.control)
        if warm.stdin >= 0:
            _feed(warm.stdin, job.stdin)
            warm.fds.remove(warm.stdin)
        handover_ms = (time.monotonic() - asked) * 1000
        result = collect(job, warm.running, cgroup, started, cpu_before_ms=cpu_before)
        result.warm = self.runtime.name
        result.handover_ms = round(handover_ms, 3)
        return result

    # -- keeping the pool full ----------------------------------------------------------

    def _start_one(self) -> _Warm:
        control_read, control_write = os.pipe()
        fds: list[int] = [control_read, control_write]
        stdin_read = stdin_write = -1
        if self.runtime.stdin_pipe:
            stdin_read, stdin_write = os.pipe()
            fds += [stdin_read, stdin_write]
        if os.geteuid() == 0:
            # a runtime that reopens a descriptor by path (/proc/self/fd/N, /dev/stdin) is
            # checked against the pipe's owner, as bwrap.spawn does for the result pipe
            for fd in (control_read, stdin_read):
                if fd >= 0:
                    os.fchown(fd, self.sandbox.uid, self.sandbox.gid)
        template = self.runtime.template(control_read, self.limits)
        cgroup = None
        try:
            args = self.sandbox.arguments(template, fds, warm=True)
            if self.sandbox.cgroups is not None:
                cgroup = self.sandbox.cgroups.create(
                    f"warm-{new_id('')}",
                    memory_bytes=self.limits.memory_mb * 1024 * 1024,
                    processes=self.limits.processes,
                )
            running = self.sandbox.spawn(
                template,
                args,
                fds,
                cgroup,
                keep_open=(control_write, stdin_write),
                stdin=stdin_read if stdin_read >= 0 else None,
            )
            if stdin_read >= 0:  # the sandbox holds its end: a dead reader fails our writes
                os.close(stdin_read)
                fds.remove(stdin_read)
        except BaseException:
            _close_all(fds)
            if cgroup is not None:
                cgroup.remove()
            raise
        return _Warm(running, control_write, stdin_write, fds, time.monotonic())

    def _fill_forever(self) -> None:
        """One of the fillers: start sandboxes while the pool is short, then throw used
        ones away (after the refill: a run waiting for a sandbox matters more)."""
        while not self._closed:
            try:
                while self._claim_start():
                    try:
                        warm = self._start_one()
                    finally:
                        with self._lock:
                            self._starting -= 1
                    with self._lock:
                        self._ready.append(warm)
            except Exception:
                log.exception("could not start a warm %s sandbox; retrying", self.runtime.name)
                time.sleep(1.0)
                continue
            self._retire_idle()
            with self._lock:
                used, self._used = self._used, []
            for warm in used:
                self._discard(warm)
            with self._lock:
                short = self._short()
            if not short:
                self._wake.wait(timeout=MAX_IDLE_SECONDS / 4)
                self._wake.clear()

    def _claim_start(self) -> bool:
        """Reserve one start if the pool (counting starts under way) is short."""
        with self._lock:
            if self._closed or not self._short():
                return False
            self._starting += 1
            return True

    def _short(self) -> bool:
        return len(self._ready) + self._starting < self.size

    def _retire_idle(self) -> None:
        now = time.monotonic()
        with self._lock:
            stale = [warm for warm in self._ready if now - warm.born > MAX_IDLE_SECONDS]
            for warm in stale:
                self._ready.remove(warm)
        for warm in stale:
            self._discard(warm)

    def _discard(self, warm: _Warm) -> None:
        warm.running.kill()
        with contextlib.suppress(ChildProcessError, OSError):
            warm.running.process.wait(timeout=5)
        for stream in (warm.running.process.stdout, warm.running.process.stderr):
            if stream is not None:
                stream.close()
        _close_all(warm.fds)
        if warm.running.cgroup is not None:
            warm.running.cgroup.remove()

    def ready(self) -> int:
        """How many sandboxes wait now (for operators, benches and tests)."""
        with self._lock:
            return len(self._ready)

    def cgroup_names(self) -> list[str]:
        """The cgroups of the sandboxes waiting now (for operators and tests)."""
        with self._lock:
            return [w.running.cgroup.name for w in self._ready if w.running.cgroup is not None]

    def close(self) -> None:
        self._closed = True
        self._wake.set()
        for filler in self._fillers:
            filler.join(timeout=10)
        with self._lock:
            ready, self._ready = [*self._ready, *self._used], deque()
            self._used = []
        for warm in ready:
            self._discard(warm)


# -- helpers the runtimes share ---------------------------------------------------------


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


WORK_FILE_MODE = 0o666
"""The mode a cold sandbox gives the job's files in ``/work`` (bwrap's ``--file``)."""
DATA_FILE_MODE = 0o600
"""The mode a cold sandbox gives the platform's data in ``/ik`` (``--ro-bind-data``)."""


def job_files(job: SandboxJob) -> dict[str, tuple[str, int]]:
    """The job's files as the bootstraps write them: absolute path -> (base64, mode), with
    the modes of a cold sandbox, so ``stat`` reads alike warm and cold."""
    files = {f"/work/{path}": (b64(data), WORK_FILE_MODE) for path, data in job.files.items()}
    files.update({f"/ik/{path}": (b64(data), DATA_FILE_MODE) for path, data in job.data.items()})
    return files


def read_program(path: Path) -> bytes:
    """Read a compiled artifact from the cache without following a link planted there."""
    descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_PROGRAM_BYTES:
            raise OSError(f"{path.name} is not a regular file of a sane size")
        with os.fdopen(os.dup(descriptor), "rb") as handle:
            return handle.read()
    finally:
        os.close(descriptor)


def _write_all(fd: int, payload: bytes) -> None:
    with contextlib.suppress(BrokenPipeError):
        view = memoryview(payload)
        while view:
            view = view[os.write(fd, view) :]


def _feed(fd: int, data: bytes) -> None:
    """Write stdin into the sandbox's pipe and close it; in a thread when it may block
    (more than a pipe holds, and the program may never read it)."""
    if len(data) <= 16 * 1024:
        _write_all(fd, data)
        os.close(fd)
        return

    def feed() -> None:
        try:
            _write_all(fd, data)
        except OSError:
            pass
        finally:
            with contextlib.suppress(OSError):
                os.close(fd)

    threading.Thread(target=feed, name="warm-stdin", daemon=True).start()


def _close_all(fds: list[int]) -> None:
    for fd in list(fds):
        with contextlib.suppress(OSError):
            os.close(fd)
    fds.clear()
