"""Per-run control groups: memory (swap included), process count and CPU accounting.

Detected once at start: cgroup v1 (one hierarchy per controller, ``memory.memsw`` for swap)
or v2 (one unified hierarchy, ``memory.swap.max = 0``), whichever this process can write.
Each run gets its own group, and the group is removed after the run even when it fails.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import signal
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

CGROUP_ROOT = Path("/sys/fs/cgroup")
PARENT_NAME = "interviewkit"

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CgroupUsage:
    cpu_ms: float
    memory_peak_kb: int
    oom_killed: bool


class RunCgroup(Protocol):
    @property
    def name(self) -> str: ...
    def attach(self, pid: int) -> None: ...
    def reset_peak(self) -> None: ...
    def usage(self) -> CgroupUsage: ...
    def kill_all(self) -> None: ...
    def remove(self) -> None: ...


class Cgroups(Protocol):
    version: str

    def create(self, name: str, memory_bytes: int, processes: int) -> RunCgroup: ...


def _write(path: Path, value: str) -> None:
    fd = os.open(path, os.O_WRONLY)
    try:
        os.write(fd, value.encode())
    finally:
        os.close(fd)


def _read_int(path: Path, default: int = 0) -> int:
    try:
        return int(path.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return default


def _read_keyed(path: Path) -> dict[str, int]:
    values: dict[str, int] = {}
    with contextlib.suppress(OSError):
        for line in path.read_text().splitlines():
            key, _, number = line.partition(" ")
            with contextlib.suppress(ValueError):
                values[key] = int(number)
    return values


def _kill_listed(procs_files: list[Path]) -> None:
    for procs in procs_files:
        with contextlib.suppress(OSError):
            for pid in procs.read_text().split():
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(int(pid), signal.SIGKILL)


def _try_rmdir(directory: Path) -> bool:
    """True once ``directory`` is gone; False while a process is still in it (EBUSY)."""
    try:
        directory.rmdir()
    except FileNotFoundError:
        return True
    except OSError as exc:
        if exc.errno != errno.EBUSY:
            raise
        _kill_listed([directory / "cgroup.procs"])
        return False
    return True


def _rmdir_when_empty(directories: list[Path]) -> None:
    """rmdir fails with EBUSY while a killed process is still being reaped; retry briefly.

    A group still busy after a second goes to the janitor: the sandbox's init, orphaned when
    its bwrap monitor is killed, is reaped by the host's init, which may take its time.
    """
    busy = []
    for directory in directories:
        for _ in range(200):
            if _try_rmdir(directory):
                break
            time.sleep(0.005)
        else:
            busy.append(directory)
    if busy:
        JANITOR.adopt(busy)


class _Janitor:
    """Removes groups that outlived their run, off the request path, for up to two minutes."""

    PATIENCE_S = 120.0

    def __init__(self) -> None:
        self._pending: dict[Path, float] = {}
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def adopt(self, directories: list[Path]) -> None:
        with self._lock:
            deadline = time.monotonic() + self.PATIENCE_S
            self._pending.update(dict.fromkeys(directories, deadline))
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._sweep, name="cgroup-janitor",
                                                daemon=True)  # fmt: skip
                self._thread.start()

    def pending(self) -> list[Path]:
        with self._lock:
            return list(self._pending)

    def _sweep(self) -> None:
        while True:
            time.sleep(0.1)
            with self._lock:
                pending = dict(self._pending)
            done = []
            for directory, deadline in pending.items():
                try:
                    gone = _try_rmdir(directory)
                except OSError:
                    gone = False
                if gone or time.monotonic() > deadline:
                    if not gone:
                        log.warning("cgroup %s stayed busy; leaving it", directory)
                    done.append(directory)
            with self._lock:
                for directory in done:
                    self._pending.pop(directory, None)
                if not self._pending:
                    self._thread = None
                    return


JANITOR = _Janitor()


class _V1Run:
    def __init__(self, dirs: dict[str, Path]) -> None:
        self.dirs = dirs

    @property
    def name(self) -> str:
        return self.dirs["memory"].name

    def attach(self, pid: int) -> None:
        for directory in self.dirs.values():
            _write(directory / "cgroup.procs", str(pid))

    def reset_peak(self) -> None:
        for name in ("memory.max_usage_in_bytes", "memory.memsw.max_usage_in_bytes"):
            with contextlib.suppress(OSError):
                _write(self.dirs["memory"] / name, "0")

    def usage(self) -> CgroupUsage:
        memory = self.dirs["memory"]
        oom = _read_keyed(memory / "memory.oom_control").get("oom_kill", 0) > 0
        failed = _read_int(memory / "memory.memsw.failcnt") > 0
        return CgroupUsage(
            cpu_ms=_read_int(self.dirs["cpuacct"] / "cpuacct.usage") / 1e6,
            memory_peak_kb=_read_int(memory / "memory.memsw.max_usage_in_bytes") // 1024,
            oom_killed=oom or failed,
        )

    def kill_all(self) -> None:
        _kill_listed([directory / "cgroup.procs" for directory in self.dirs.values()])

    def remove(self) -> None:
        self.kill_all()
        _rmdir_when_empty(list(self.dirs.values()))


ABANDONED_AFTER_S = 600.0
"""An empty run or warm group this old belongs to no live sandbox: a warm sandbox is
retired after 300 s idle, and a group is empty only for the instant between its creation
and the sandbox's move into it."""


def sweep_abandoned(parents: list[Path], older_than_s: float = ABANDONED_AFTER_S) -> int:
    """Remove the empty ``run-*``/``warm-*`` groups a process left when it died without
    closing its sandboxes (a crash, a kill during start-up); the kernel refuses to remove a
    group that still holds a process, so a live sandbox is never touched. Returns how many
    went."""
    removed = 0
    cutoff = time.time() - older_than_s
    for parent in parents:
        with contextlib.suppress(OSError):
            for group in parent.iterdir():
                if not group.name.startswith(("run-", "warm-")) or not group.is_dir():
                    continue
                with contextlib.suppress(OSError):  # EBUSY: a process is in it, leave it
                    if group.stat().st_mtime < cutoff:
                        group.rmdir()
                        removed += 1
    return removed


class CgroupsV1:
    version = "v1"

    def __init__(self, root: Path = CGROUP_ROOT) -> None:
        self.parents = {name: root / name / PARENT_NAME for name in ("memory", "pids", "cpuacct")}
        for parent in self.parents.values():
            parent.mkdir(exist_ok=True)
        sweep_abandoned(list(self.parents.values()))

    def create(self, name: str, memory_bytes: int, processes: int) -> RunCgroup:
        dirs = {controller: parent / name for controller, parent in self.parents.items()}
        run = _V1Run(dirs)
        try:
            for directory in dirs.values():
                directory.mkdir()
            memory = dirs["memory"]
            _write(memory / "memory.limit_in_bytes", str(memory_bytes))
            _write(memory / "memory.memsw.limit_in_bytes", str(memory_bytes))
            _write(dirs["pids"] / "pids.max", str(processes))
        except BaseException:
            run.remove()
            raise
        return run


class _V2Run:
    def __init__(self, directory: Path) -> None:
        self.directory = directory

    @property
    def name(self) -> str:
        return self.directory.name

    def attach(self, pid: int) -> None:
        _write(self.directory / "cgroup.procs", str(pid))

    def reset_peak(self) -> None:
        with contextlib.suppress(OSError):  # writable since Linux 6.12
            _write(self.directory / "memory.peak", "0")

    def usage(self) -> CgroupUsage:
        cpu = _read_keyed(self.directory / "cpu.stat").get("usage_usec", 0) / 1000
        events = _read_keyed(self.directory / "memory.events")
        return CgroupUsage(
            cpu_ms=cpu,
            memory_peak_kb=_read_int(self.directory / "memory.peak") // 1024,
            oom_killed=events.get("oom_kill", 0) > 0 or events.get("max", 0) > 0,
        )

    def kill_all(self) -> None:
        try:
            _write(self.directory / "cgroup.kill", "1")
        except OSError:
            _kill_listed([self.directory / "cgroup.procs"])

    def remove(self) -> None:
        self.kill_all()
        _rmdir_when_empty([self.directory])


class CgroupsV2:
    version = "v2"

    def __init__(self, root: Path) -> None:
        self.parent = root / PARENT_NAME
        self.parent.mkdir(exist_ok=True)
        sweep_abandoned([self.parent])
        with contextlib.suppress(OSError):
            _write(self.parent / "cgroup.subtree_control", "+memory +pids +cpu")

    def create(self, name: str, memory_bytes: int, processes: int) -> RunCgroup:
        directory = self.parent / name
        run = _V2Run(directory)
        try:
            directory.mkdir()
            _write(directory / "memory.max", str(memory_bytes))
            _write(directory / "memory.swap.max", "0")
            _write(directory / "pids.max", str(processes))
        except BaseException:
            run.remove()
            raise
        return run


def detect_cgroups(root: Path = CGROUP_ROOT) -> Cgroups | None:
    """The writable cgroup hierarchy with the controllers we need, or None."""
    v1_ready = all(
        (root / name / PARENT_NAME).is_dir() or os.access(root / name, os.W_OK)
        for name in ("memory", "pids", "cpuacct")
    )
    if v1_ready and (root / "memory" / "memory.memsw.limit_in_bytes").exists():
        with contextlib.suppress(OSError):
            return CgroupsV1(root)
    unified = root if (root / "cgroup.controllers").is_file() else None
    if unified is not None and os.access(unified, os.W_OK):
        controllers = (unified / "cgroup.controllers").read_text().split()
        if {"memory", "pids"} <= set(controllers):
            with contextlib.suppress(OSError):
                return CgroupsV2(unified)
    return None
