"""The warm CPython runtime: an interpreter started in its sandbox, waiting for its program.

The bootstrap reads the hand-over message from the control pipe, writes the files, installs
stdin from an in-memory file, sets the environment and argv, imports the language
environment's ``sitecustomize`` as a cold start would, and runs the entry as ``__main__``.
A compiled program (C++) is served too: the bootstrap writes it and ``execve``s it, so only
the sandbox's own start-up (namespaces, cgroup, seccomp) is off the request path.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from interviewkit.execution.limits import Limits
from interviewkit.execution.sandbox.port import SandboxJob
from interviewkit.execution.sandbox.warm import b64, job_files, read_program

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


@dataclass(frozen=True)
class PythonRuntime:
    """Serves default-shaped Python runs and compiled programs from one read-only mount."""

    python: str
    name: str = "python"
    stdin_pipe: bool = False

    def template(self, control_fd: int, limits: Limits) -> SandboxJob:
        return SandboxJob(
            command=[self.python, "-B", "-c", BOOTSTRAP, str(control_fd)],
            limits=limits,
            result_channel=True,
        )

    def serves(self, job: SandboxJob) -> bool:
        if job.binds:
            return False
        command = list(job.command)
        python = (
            len(command) == 3
            and command[:2] == [self.python, "-B"]
            and command[2].startswith("{work}/")
            and not job.mounts
        )
        return python or executable_of(job) is not None

    def message(self, job: SandboxJob, env: dict[str, str]) -> bytes:
        files = job_files(job)
        executable = executable_of(job)
        if executable is not None:
            target, program = executable
            files[target] = (b64(read_program(program)), 0o755)
            argv = [target, *job.command[1:]]
        else:
            argv = list(job.command[2:])
        message = {
            "files": files,
            "stdin": b64(job.stdin),
            "env": env,
            "exec": executable is not None,
            "argv": [part.replace("{work}", "/work") for part in argv],
        }
        return json.dumps(message).encode()


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
    return PythonRuntime(python) if python else None
