"""A pool of pre-started Python sandboxes: the interpreter's start-up off the request path.

Each warm sandbox is a complete, fresh bwrap sandbox (its own namespaces, cgroup, rlimits
and seccomp filter) in which CPython has already started and waits on a control pipe.
A run hands it the files, stdin, environment and argv, and the bootstrap becomes the
program. Every warm sandbox serves exactly one run and is then thrown away, so isolation is
what a cold run gets; only the ~15 ms of interpreter start-up moves out of the latency.

A run is served warm only when it looks exactly like a default Python run (same command
shape, same limits, no extra mounts); anything else runs cold.
"""

from __future__ import annotations

import base64
import contextlib
import json
import logging
import os
import stat
import threading
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

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
"""A warm sandbox idle this long is replaced (it holds a cgroup and ~10 MB)."""

BOOTSTRAP = r"""
import os, sys

def _ik_receive():
    import json
    from binascii import a2b_base64
    fd = int(sys.argv[1])
    chunks = []
    while True:
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            break
        chunks.append(chunk)
    os.close(fd)
    if not chunks:
        os._exit(0)
    job = json.loads(b"".join(chunks))
    for path, (content, mode) in job["files"].items():
        os.makedirs(os.path.dirname(path), exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
        os.write(descriptor, a2b_base64(content))
        os.close(descriptor)
    stdin = os.memfd_create("stdin")
    os.write(stdin, a2b_base64(job["stdin"]))
    os.lseek(stdin, 0, 0)
    os.dup2(stdin, 0)
    os.close(stdin)
    if job["exec"]:
        os.execve(job["argv"][0], job["argv"], job["env"])
    os.environ.clear()
    os.environ.update(job["env"])
    return job["argv"]

sys.argv = _ik_receive()
del _ik_receive
sys.path[0] = os.path.dirname(sys.argv[0])
import types as _ik_types
_ik_main = _ik_types.ModuleType("__main__")
_ik_main.__file__ = sys.argv[0]
_ik_main.__builtins__ = __builtins__
sys.modules["__main__"] = _ik_main
# a cold start imports the language environment's sitecustomize (on the job's PYTHONPATH)
# into __main__; this interpreter started before the job's env existed, so do it now
for _ik_dir in os.environ.get("PYTHONPATH", "").split(os.pathsep):
    _ik_site = os.path.join(_ik_dir, "sitecustomize.py") if _ik_dir else ""
    if _ik_site and os.path.isfile(_ik_site):
        sys.path.insert(1, os.path.abspath(_ik_dir))
        sys.modules.pop("sitecustomize", None)
        import sitecustomize
        break
with open(sys.argv[0], "rb") as _ik_handle:
    _ik_code = compile(_ik_handle.read(), sys.argv[0], "exec")
try:
    exec(_ik_code, _ik_main.__dict__)
except SystemExit:
    raise
except BaseException as _ik_error:
    import traceback
    traceback.print_exception(type(_ik_error), _ik_error, _ik_error.__traceback__.tb_next)
    sys.exit(1)
"""


@dataclass
class _Warm:
    running: Running
    control: int
    fds: list[int]
    born: float


class WarmPool:
    """Keeps ``size`` Python sandboxes started; a background thread refills after each use."""

    def __init__(self, sandbox: BwrapSandbox, python: str, limits: Limits, size: int) -> None:
        self.sandbox = sandbox
        self.python = python
        self.limits = limits
        self.size = size
        self._ready: deque[_Warm] = deque()
        self._used: list[_Warm] = []
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._closed = False
        self._filler = threading.Thread(target=self._fill_forever, name="warm-pool", daemon=True)
        self._filler.start()

    # -- serving a run ----------------------------------------------------------------

    def accepts(self, job: SandboxJob) -> bool:
        """A default Python run, or a compiled program from one read-only mount."""
        if job.limits != self.limits or job.binds:
            return False
        command = list(job.command)
        python = (
            len(command) == 3
            and command[:2] == [self.python, "-B"]
            and command[2].startswith("{work}/")
            and not job.mounts
        )
        return python or _executable_of(job) is not None

    def run(self, job: SandboxJob) -> SandboxResult | None:
        """Run ``job`` in a warm sandbox; None if none is ready (the caller runs it cold)."""
        warm = self._take()
        if warm is None:
            return None
        try:
            return self._hand_over(warm, job)
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

    def _hand_over(self, warm: _Warm, job: SandboxJob) -> SandboxResult:
        env = {**environment(job), "PWD": "/work"}  # as bwrap's --chdir sets it on a cold run
        if job.result_channel:
            env["IK_RESULT_FD"] = str(warm.running.result_fd)
        files = {f"/work/{path}": (_b64(data), 0o644) for path, data in job.files.items()}
        files.update({f"/ik/{path}": (_b64(data), 0o444) for path, data in job.data.items()})
        executable = _executable_of(job)
        if executable is not None:
            target, program = executable
            files[target] = (_b64(_read_program(program)), 0o755)
            argv = [target, *job.command[1:]]
        else:
            argv = list(job.command[2:])
        message = {
            "files": files,
            "stdin": _b64(job.stdin),
            "env": env,
            "exec": executable is not None,
            "argv": [part.replace("{work}", "/work") for part in argv],
        }
        cgroup: RunCgroup | None = warm.running.cgroup
        cpu_before = 0.0
        if cgroup is not None:
            cpu_before = cgroup.usage().cpu_ms
            cgroup.reset_peak()  # the waiting interpreter is not the program's memory
        started = time.monotonic()
        payload = json.dumps(message).encode()
        with contextlib.suppress(BrokenPipeError):
            view = memoryview(payload)
            while view:
                view = view[os.write(warm.control, view) :]
        os.close(warm.control)
        warm.fds.remove(warm.control)
        return collect(job, warm.running, cgroup, started, cpu_before_ms=cpu_before)

    # -- keeping the pool full ----------------------------------------------------------

    def _start_one(self) -> _Warm:
        control_read, control_write = os.pipe()
        fds: list[int] = [control_read, control_write]
        template = SandboxJob(
            command=[self.python, "-B", "-c", BOOTSTRAP, str(control_read)],
            limits=self.limits,
            result_channel=True,
        )
        cgroup = None
        try:
            args = self.sandbox.arguments(template, fds, warm=True)
            if self.sandbox.cgroups is not None:
                cgroup = self.sandbox.cgroups.create(
                    f"warm-{new_id('')}",
                    memory_bytes=self.limits.memory_mb * 1024 * 1024,
                    processes=self.limits.processes,
                )
            running = self.sandbox.spawn(template, args, fds, cgroup, keep_open=(control_write,))
        except BaseException:
            _close_all(fds)
            if cgroup is not None:
                cgroup.remove()
            raise
        return _Warm(running, control_write, fds, time.monotonic())

    def _fill_forever(self) -> None:
        while not self._closed:
            self._retire_idle()
            with self._lock:
                used, self._used = self._used, []
            for warm in used:
                self._discard(warm)
            try:
                while not self._closed and len(self._ready) < self.size:
                    warm = self._start_one()
                    with self._lock:
                        self._ready.append(warm)
            except Exception:
                log.exception("could not start a warm sandbox; retrying in a second")
                time.sleep(1.0)
                continue
            self._wake.wait(timeout=MAX_IDLE_SECONDS / 4)
            self._wake.clear()

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

    def cgroup_names(self) -> list[str]:
        """The cgroups of the sandboxes waiting now (for operators and tests)."""
        with self._lock:
            return [w.running.cgroup.name for w in self._ready if w.running.cgroup is not None]

    def close(self) -> None:
        self._closed = True
        self._wake.set()
        self._filler.join(timeout=10)
        with self._lock:
            ready, self._ready = [*self._ready, *self._used], deque()
            self._used = []
        for warm in ready:
            self._discard(warm)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _executable_of(job: SandboxJob) -> tuple[str, Path] | None:
    """``(/build/main, host path)`` when the job runs a program from its one mount."""
    if len(job.mounts) != 1 or job.mounts[0].writable:
        return None
    mount = job.mounts[0]
    program = job.command[0]
    if not program.startswith(mount.target + "/"):
        return None
    relative = program.removeprefix(mount.target + "/")
    if "/" in relative or relative in {"", ".", ".."}:
        return None
    return program, mount.source / relative


def _read_program(path: Path) -> bytes:
    """Read a compiled program from the cache without following a link planted there."""
    descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_PROGRAM_BYTES:
            raise OSError(f"{path.name} is not a regular file of a sane size")
        with os.fdopen(os.dup(descriptor), "rb") as handle:
            return handle.read()
    finally:
        os.close(descriptor)


def _close_all(fds: list[int]) -> None:
    for fd in list(fds):
        with contextlib.suppress(OSError):
            os.close(fd)
    fds.clear()
