"""The unsafe fallback adapter: a bare process with rlimits and a private temporary folder.

It exists for machines without bubblewrap (macOS laptops) and isolates nothing but
rlimits; the app refuses it unless ``sandbox_allow_process`` says yes (see
:mod:`.protections`).
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path

from interviewkit.execution.sandbox.port import SandboxJob, SandboxResult, environment, substitute
from interviewkit.execution.sandbox.supervise import Running, collect, memfd, rlimit_args


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
            command = [substitute(part, paths) for part in job.command]
            env = {name: substitute(value, paths) for name, value in environment(job).items()}
            return self._execute(job, command, env, work)

    def _execute(
        self, job: SandboxJob, command: list[str], env: dict[str, str], work: Path
    ) -> SandboxResult:
        result_read, result_write = os.pipe() if job.result_channel else (-1, -1)
        if job.result_channel:
            env["IK_RESULT_FD"] = str(result_write)
        stdin = memfd("stdin", job.stdin)
        memory = job.limits.memory_mb * 1024 * 1024
        started = time.monotonic()
        try:
            process = subprocess.Popen(
                [*rlimit_args(job.limits)[:-1], f"--as={memory}", "--", *command],
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

        running = Running(process, None, result_read, None, started, process_group=True)
        try:
            return collect(job, running, None, started)
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
