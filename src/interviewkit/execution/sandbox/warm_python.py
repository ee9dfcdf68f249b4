"""The warm CPython runtime: an interpreter started in its sandbox, waiting for its program.

Before its hand-over, the bootstrap imports what the likeliest next run imports anyway
(the language environment's modules, and the function-call harness's after harness runs),
so a run only binds names. The hand-over message (``marshal``: nothing to import to read
it) carries the files, stdin, environment and argv, and for the harness its code compiled
once by the server. The bootstrap writes the files, installs stdin from an in-memory file,
unloads the harness's modules again for a plain program (its ``sys.modules`` is then a
cold run's), imports the environment's ``sitecustomize`` as a cold start would, and runs
the entry as ``__main__``. A compiled program (C++) is served too: the bootstrap writes it
and ``execve``s it, so only the sandbox's own start-up (namespaces, cgroup, seccomp) is off
the request path.
"""

from __future__ import annotations

import importlib.util
import marshal
import os
import subprocess
from collections import Counter, deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path, PurePosixPath
from typing import Literal

from interviewkit.execution.harness.python import HARNESS_FILE, compiled_harness
from interviewkit.execution.limits import Limits
from interviewkit.execution.sandbox.port import SandboxJob
from interviewkit.execution.sandbox.warm import DATA_FILE_MODE, WORK_FILE_MODE, read_program
from interviewkit.languages.prelude.python import MODULES as PRELUDE_MODULES

PRELUDE_IMPORTS = ("__future__", "importlib", *PRELUDE_MODULES)
"""What the language environment's ``sitecustomize`` imports in every run, cold or warm
(``languages/prelude/python.py``): imported before the hand-over, so a run only binds them."""

HARNESS_IMPORTS = (
    "contextlib",
    "importlib.util",
    "inspect",
    "json",
    "numbers",
    "traceback",
)
"""What the function-call harness imports beyond the prelude (``threading`` stays out: it
registers a fork hook that unloading would leave behind). A run that is not the harness
gets these unloaded again, so its ``sys.modules`` is what a cold run's is. Imported only
when most recent runs were harness runs, and neither these nor the prelude's when most
were compiled programs (:class:`RecentRuns`)."""

BOOTSTRAP = r"""
import os, sys, marshal

_ik_name = None
for _ik_name in PRELUDE_IMPORTS if sys.argv[2] != "native" else ():
    __import__(_ik_name)
_ik_before_harness = set(sys.modules)
for _ik_name in HARNESS_IMPORTS if sys.argv[2] == "harness" else ():
    __import__(_ik_name)
_ik_harness_only = set(sys.modules) - _ik_before_harness
del _ik_before_harness, _ik_name

def _ik_receive():
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
    job = marshal.loads(b"".join(chunks))
    for path, (content, mode) in job["files"].items():
        os.makedirs(os.path.dirname(path), exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
        os.fchmod(descriptor, mode)  # the mode a cold sandbox gives it, whatever the umask
        view = memoryview(content)
        while view:
            view = view[os.write(descriptor, view):]
        os.close(descriptor)
    stdin = os.memfd_create("stdin")
    view = memoryview(job["stdin"])
    while view:
        view = view[os.write(stdin, view):]
    os.lseek(stdin, 0, 0)
    os.dup2(stdin, 0)
    os.close(stdin)
    if job["exec"]:
        import _signal  # the C module: signal.py would import enum for nothing
        # CPython ignores these two and an ignored signal survives execve: a compiled
        # program must start with a cold start's dispositions (a write past the file
        # size limit kills it with SIGXFSZ; a closed pipe, with SIGPIPE)
        for _ik_signal in (_signal.SIGPIPE, _signal.SIGXFSZ):
            _signal.signal(_ik_signal, _signal.SIG_DFL)
        os.execve(job["argv"][0], job["argv"], job["env"])
    os.environ.clear()
    os.environ.update(job["env"])
    if not job["harness"]:  # a plain run: what only the harness imports goes again
        for name in sorted(_ik_harness_only, reverse=True):
            module = sys.modules.pop(name, None)
            parent, _, child = name.rpartition(".")
            if parent and getattr(sys.modules.get(parent), child, None) is module:
                delattr(sys.modules[parent], child)
    return job["argv"], job["code"]

sys.argv, _ik_code = _ik_receive()
del _ik_receive, _ik_harness_only
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
if _ik_code is None:
    with open(sys.argv[0], "rb") as _ik_handle:
        _ik_code = compile(_ik_handle.read(), sys.argv[0], "exec")
else:  # the harness, compiled once by the server (see execution/harness/python.py)
    _ik_code = marshal.loads(_ik_code)
try:
    exec(_ik_code, _ik_main.__dict__)
except SystemExit:
    raise
except BaseException as _ik_error:
    import traceback
    traceback.print_exception(type(_ik_error), _ik_error, _ik_error.__traceback__.tb_next)
    sys.exit(1)
""".replace("PRELUDE_IMPORTS", repr(PRELUDE_IMPORTS)).replace(
    "HARNESS_IMPORTS", repr(HARNESS_IMPORTS)
)


@dataclass(frozen=True)
class PythonRuntime:
    """Serves default-shaped Python runs (compiled programs have :class:`NativeRuntime`)."""

    python: str
    name: str = "python"
    stdin_pipe: bool = False

    recent: RecentRuns = field(default_factory=lambda: RecentRuns(), compare=False)
    """The kinds of the last runs: what the next sandboxes prepare for."""

    def template(self, control_fd: int, limits: Limits) -> SandboxJob:
        expect = self.recent.likely()
        return SandboxJob(
            command=[self.python, "-B", "-c", BOOTSTRAP, str(control_fd), expect],
            limits=limits,
            result_channel=True,
        )

    def serves(self, job: SandboxJob) -> bool:
        command = list(job.command)
        return (
            not job.binds
            and not job.mounts
            and len(command) == 3
            and command[:2] == [self.python, "-B"]
            and command[2].startswith("{work}/")
        )

    def message(self, job: SandboxJob, env: dict[str, str]) -> bytes:
        """A ``marshal``led dict: the bootstrap reads it with no import (``json`` would pull
        in ``re`` before the program asks for it), and file contents travel as bytes."""
        files = _raw_files(job)
        executable = executable_of(job)
        code: bytes | None = None
        harness = False
        if executable is not None:
            self.recent.note("native")
            target, program = executable
            files[target] = (read_program(program), 0o755)
            argv = [target, *job.command[1:]]
        else:
            argv = [part.replace("{work}", "/work") for part in job.command[2:]]
            harness = PurePosixPath(argv[0]).name == HARNESS_FILE
            code = self._harness_code(job, argv[0]) if harness else None
            self.recent.note("harness" if harness else "plain")
        message = {
            "files": files,
            "stdin": bytes(job.stdin),
            "env": env,
            "exec": executable is not None,
            "argv": argv,
            "harness": harness,
            "code": code,
        }
        return marshal.dumps(message, MESSAGE_FORMAT)

    def _harness_code(self, job: SandboxJob, entry: str) -> bytes | None:
        """The entry's code object when it is our function-call harness and this server's
        Python writes the bytecode the sandbox's interpreter reads."""
        if not same_bytecode(self.python):
            return None
        source = job.files.get(HARNESS_FILE)
        if source is None:
            return None
        try:
            return compiled_harness(source.decode("utf-8"), entry)
        except (UnicodeDecodeError, SyntaxError, ValueError):
            return None


@dataclass(frozen=True)
class NativeRuntime(PythonRuntime):
    """Compiled programs (C++) in a pool of their own: the same bootstrap, which imports
    nothing and ``execve``s the program. Their own pool, because an interpreter that had
    imported the prelude for Python runs made every ``execve`` tear down a bigger address
    space (a cached C++ hello-world: 15 ms warm in a mixed pool, 7.4 ms in its own), and
    Python sandboxes then always prepare for Python."""

    name: str = "cpp"

    def template(self, control_fd: int, limits: Limits) -> SandboxJob:
        return SandboxJob(
            command=[self.python, "-B", "-c", BOOTSTRAP, str(control_fd), "native"],
            limits=limits,
            result_channel=True,
        )

    def serves(self, job: SandboxJob) -> bool:
        return not job.binds and executable_of(job) is not None


RunKind = Literal["native", "plain", "harness"]


class RecentRuns:
    """The kinds of the last runs served, so that a new sandbox prepares for the likeliest:
    a compiled program (``native``: nothing to import), a plain Python program (``plain``:
    the prelude's modules) or the function-call harness (``harness``: the harness's too).
    Importing ahead what the run then does not use costs CPU (the harness's modules ~8 ms,
    imported and unloaded again); any kind of run still runs exactly as cold in any kind
    of sandbox."""

    def __init__(self, window: int = 16) -> None:
        self._kinds: deque[RunKind] = deque(maxlen=window)

    def note(self, kind: RunKind) -> None:
        self._kinds.append(kind)

    def likely(self) -> RunKind:
        """The most frequent recent kind (``plain`` before any run, and on a tie)."""
        counts = Counter(self._kinds)
        return max(("plain", "harness", "native"), key=lambda kind: counts[kind])


MESSAGE_FORMAT = 4
"""``marshal``'s format for the hand-over: version 4 is read by every Python 3.4 and later."""


def _raw_files(job: SandboxJob) -> dict[str, tuple[bytes, int]]:
    """The job's files as the bootstrap writes them: absolute path -> (content, mode)."""
    files = {f"/work/{path}": (bytes(data), WORK_FILE_MODE) for path, data in job.files.items()}
    files.update({f"/ik/{path}": (bytes(data), DATA_FILE_MODE) for path, data in job.data.items()})
    return files


@lru_cache(maxsize=8)
def same_bytecode(python: str) -> bool:
    """Whether ``python`` reads the bytecode this server compiles (the same magic number),
    asked once per interpreter: a harness is shipped compiled only then."""
    probe = "import importlib.util, sys; sys.stdout.write(importlib.util.MAGIC_NUMBER.hex())"
    try:
        answer = subprocess.run(
            [python, "-I", "-S", "-c", probe], capture_output=True, timeout=30, check=True
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return answer.stdout.decode(errors="replace").strip() == importlib.util.MAGIC_NUMBER.hex()


def executable_of(job: SandboxJob) -> tuple[str, Path] | None:
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


def runtime(
    template: Sequence[str], executables: Mapping[str, str], cache_root: Path
) -> PythonRuntime | None:
    """The Python runtime for this toolchain (see :mod:`..warm_runtimes`)."""
    python = executables.get("python")
    if not python:
        return None
    same_bytecode(python)  # asked now, at start-up, rather than on a run's path
    return PythonRuntime(python)


SANDBOX_PYTHON = "/usr/bin/python3"
"""The interpreter a native pool's bootstrap runs on (the sandbox sees only /usr)."""


def native_runtime(
    template: Sequence[str], executables: Mapping[str, str], cache_root: Path
) -> NativeRuntime | None:
    """The pool for a compiled language's programs (see :mod:`..warm_runtimes`); None
    without a system Python to run the bootstrap."""
    if not os.access(SANDBOX_PYTHON, os.X_OK):
        return None
    return NativeRuntime(SANDBOX_PYTHON)
