"""The bubblewrap adapter: the default sandbox.

The bubblewrap adapter gives every run fresh user, pid, net, ipc, uts, mount and cgroup
namespaces; a read-only root holding only ``/usr`` and the few ``/etc`` files a runtime
needs; ``/work`` (the files, the only writable place besides ``/tmp``) as a size-limited
tmpfs the host copies the files into, so the host never opens a path inside a run;
a cgroup for memory (swap included), processes and CPU; rlimits; a seccomp deny-list;
and a host uid that is not root. :mod:`.warm` reuses :meth:`BwrapSandbox.arguments` and
:meth:`BwrapSandbox.spawn` to start sandboxes ahead of their run.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from pathlib import Path, PurePosixPath
from typing import IO

from interviewkit.db import new_id
from interviewkit.execution.limits import Limits
from interviewkit.execution.sandbox.cgroups import Cgroups, RunCgroup
from interviewkit.execution.sandbox.port import (
    BUILD_DIR,
    SANDBOX_TMP,
    SandboxJob,
    SandboxResult,
    SandboxUnavailable,
    environment,
    substitute,
)
from interviewkit.execution.sandbox.supervise import Running, collect, memfd, rlimit_args
from interviewkit.execution.sandbox.warm import WarmPool, WarmRuntime

SANDBOX_UID = 1000
PASSWD = b"sandbox:x:1000:1000:sandbox:/tmp:/usr/sbin/nologin\n"
GROUP = b"sandbox:x:1000:\n"
HOST_ETC_FILES = ("/etc/ld.so.cache", "/etc/localtime", "/etc/nsswitch.conf")


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
        self.setpriv = shutil.which("setpriv") if os.geteuid() == 0 else None
        """util-linux's ``setpriv`` drops to the sandbox's host uid in the exec chain
        (``prlimit`` -> ``setpriv`` -> bwrap), so Popen can start it with ``vfork``: its own
        ``user=`` forces a ``fork``, which copies the server's page tables (about 10 ms of
        CPU and 20 ms of wall time per run for a 200 MB server, against ~1.5 ms for the
        extra exec)."""
        self.uid = uid
        self.gid = gid
        self.cgroups = cgroups
        self.seccomp_bpf = seccomp_bpf
        self.root_layout = _root_layout()
        self.pools: dict[str, WarmPool] = {}
        """Warm pools by runtime name (see :mod:`.warm`)."""

    def start_warm_pool(self, runtime: WarmRuntime, limits: Limits, size: int) -> None:
        """Keep ``size`` sandboxes of ``runtime`` pre-started for runs these limits fit."""
        if runtime.name not in self.pools and size > 0:
            self.pools[runtime.name] = WarmPool(self, runtime, limits, size)

    @property
    def pool(self) -> WarmPool | None:
        """The Python pool (which also serves compiled programs), if one runs."""
        return self.pools.get("python")

    def close(self) -> None:
        pools, self.pools = list(self.pools.values()), {}
        for pool in pools:
            pool.close()

    def paths(self) -> Mapping[str, str]:
        return {"{work}": "/work", "{ik}": "/ik"}

    def run(self, job: SandboxJob) -> SandboxResult:
        for pool in self.pools.values():
            if pool.accepts(job):
                warm = pool.run(job)
                if warm is not None:
                    return warm
                break
        fds: list[int] = []
        cgroup: RunCgroup | None = None
        try:
            args = self.arguments(job, fds)
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

    def arguments(self, job: SandboxJob, fds: list[int], *, warm: bool = False) -> list[str]:
        """bwrap's argv for ``job``; descriptors it opens are appended to ``fds``.

        ``warm`` leaves ``/ik`` and the build folder as empty tmpfs that the warm pool's
        bootstrap fills from the inside once a run is handed over.
        """
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
            fds.append(memfd("etc", content))
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
            fds.append(memfd("seccomp", self.seccomp_bpf))
            args += ["--seccomp", str(fds[-1])]
        args += ["--chdir", "/work", "--remount-ro", "/", "--clearenv"]
        for name, value in environment(job).items():
            args += ["--setenv", name, value]
        return args

    def _execute(
        self, job: SandboxJob, args: list[str], fds: list[int], cgroup: RunCgroup | None
    ) -> SandboxResult:
        asked = time.monotonic()
        running = self.spawn(job, args, fds, cgroup)
        handover_ms = (time.monotonic() - asked) * 1000
        result = collect(job, running, cgroup, running.started)
        result.handover_ms = round(handover_ms, 3)
        return result

    def spawn(
        self,
        job: SandboxJob,
        args: list[str],
        fds: list[int],
        cgroup: RunCgroup | None,
        keep_open: Sequence[int] = (),
        stdin: int | None = None,
    ) -> Running:
        """Start bwrap, put it in the cgroup, release it; ``fds`` keeps what stays ours.

        ``stdin`` (a descriptor in ``fds``) replaces the in-memory file of ``job.stdin``:
        a warm pool's pipe, written after the hand-over."""
        info_read, info_write = os.pipe()
        block_read, block_write = os.pipe()
        result_read, result_write = os.pipe() if job.result_channel else (-1, -1)
        if job.result_channel and os.geteuid() == 0:
            # the JVM can only open the channel by path (/proc/self/fd/N), which checks the
            # pipe's owner: make it the sandbox user's
            os.fchown(result_write, self.uid, self.gid)
        if stdin is None:
            stdin = memfd("stdin", job.stdin)
            fds.append(stdin)
        fds += [info_read, info_write, block_read, block_write]
        if job.result_channel:
            fds += [result_read, result_write]
        env_args = ["--setenv", "IK_RESULT_FD", str(result_write)] if job.result_channel else []
        command = [substitute(part, self.paths()) for part in job.command]
        options = [*args[1:], *env_args]
        options += ["--info-fd", str(info_write), "--block-fd", str(block_read)]
        # through a memfd, so /proc/1/cmdline inside shows no host paths
        fds.append(memfd("args", b"".join(part.encode() + b"\0" for part in options)))
        argv = [*self._launcher(job.limits), args[0], "--args", str(fds[-1]), "--", *command]
        ours = (info_read, block_write, result_read, stdin, *keep_open)
        passed = [fd for fd in fds if fd not in ours]
        as_user = _as_sandbox_user(self.uid) if self.setpriv is None else None
        as_group = _as_sandbox_user(self.gid) if self.setpriv is None else None
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
            user=as_user,
            group=as_group,
            extra_groups=[] if as_user is not None else None,
        )
        for fd in passed:
            os.close(fd)
            fds.remove(fd)
        child_pid = self._start(process, info_read, block_write, cgroup)
        return Running(process, child_pid, result_read, cgroup, started, result_fd=result_write)

    def _launcher(self, limits: Limits) -> list[str]:
        """What sets the rlimits and execs bwrap as the sandbox's host user."""
        if self.setpriv is None:
            return rlimit_args(limits)
        return [
            *rlimit_args(limits),
            self.setpriv,
            f"--reuid={self.uid}",
            f"--regid={self.gid}",
            "--clear-groups",
            "--",
        ]

    def _start(
        self,
        process: subprocess.Popen[bytes],
        info_read: int,
        block_write: int,
        cgroup: RunCgroup | None,
    ) -> int | None:
        """Put the sandbox's init into the cgroup, then let the program start.

        bwrap waits on ``--block-fd`` after creating the namespaces and before it forks or
        runs anything of the command, so every process the program ever starts is born
        inside the cgroup. If the move fails, the sandbox is killed while still blocked:
        nothing runs outside its limits.
        """
        with os.fdopen(os.dup(info_read), "rb") as info_stream:
            info = _read_info(info_stream)
        child_pid = info.get("child-pid") if info else None
        if not isinstance(child_pid, int):
            return None  # bwrap failed before the sandbox existed; its exit says why
        try:
            # only the sandbox's init, which forks the program: bwrap's outer monitor runs
            # nothing of the candidate's, and each cgroup v1 move costs about half a ms
            if cgroup is not None:
                cgroup.attach(child_pid)
        except OSError:
            for pid in (child_pid, process.pid):
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, signal.SIGKILL)
            return child_pid
        with contextlib.suppress(BrokenPipeError):
            os.write(block_write, b"x")
        return child_pid


def _as_sandbox_user(uid: int) -> int | None:
    """Popen's ``user``/``group``: the sandbox's host ids when we are root, else unchanged."""
    return uid if os.geteuid() == 0 else None


def _read_info(stream: IO[bytes]) -> dict[str, object] | None:
    """bwrap's ``--info-fd`` JSON, or None if bwrap failed before writing it."""
    data = stream.read()
    try:
        info = json.loads(data) if data else None
    except ValueError:
        return None
    return info if isinstance(info, dict) else None


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
        fds.append(memfd("file", files[relative]))
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
