"""The warm JVM: a JVM started in its sandbox with the run's own options, waiting for its program.

A cold run is ``java <options> -cp /build <Main>``. A warm sandbox starts the same JVM, with
the same options, but with ``/build`` (an empty tmpfs until the hand-over) followed by the
bootstrap's jar on the class path and the bootstrap (``jvm/Boot.java``) as its main class.
The bootstrap loads and initialises the JDK classes a run typically needs, then waits on the
control pipe. The hand-over message carries the run's files, its test data and the class
files of its compile-cache entry; the bootstrap writes them (the classes into ``/build``, so
the application class loader finds them as on a cold run), sets ``java.class.path`` and
``sun.java.command`` to their cold values, and does what the java launcher does: it loads
the main class, checks ``main`` with the launcher's own messages and calls it on the
``main`` thread. An exception escaping ``main`` is rethrown without the bootstrap's frames,
so the JVM itself prints ``Exception in thread "main" ...``, waits for non-daemon threads and
exits 1, exactly as cold.

The JVM's environment is fixed when it starts: it starts with the job's base environment
(``IK_RESULT_FD`` removed by ``env -u``, since a plain cold run has none), and the run's own
``IK_*`` variables reach the harness as ``interviewkit.env.*`` system properties, which
``IkHarness`` reads before the environment.

What still differs from a cold run: stdin is a pipe, ``/ikwarm`` (the bootstrap's jar)
exists, ``/build`` is a private tmpfs rather than a read-only mount, the control descriptor
stays open, ``Thread.getStackTrace()`` inside the program shows the bootstrap's two frames
below ``main``, and identity hash codes (``Object.hashCode``/``toString`` of objects without
their own, so also the iteration order of hash sets of such objects) are other values than a
cold run's. HotSpot derives a thread's hash seed from a global random sequence that every new
symbol advances, so any class the bootstrap loads shifts it; both modes are deterministic
run to run, and no judged value may depend on identity hashes anyway.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import re
import shutil
import stat
import struct
import subprocess
import tempfile
import threading
import zipfile
from collections import OrderedDict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from interviewkit.execution.limits import Limits
from interviewkit.execution.sandbox.port import BUILD_DIR, Mount, SandboxJob
from interviewkit.execution.sandbox.warm import DATA_FILE_MODE, WORK_FILE_MODE
from interviewkit.languages.java import JAVA

log = logging.getLogger(__name__)

BOOT_SOURCE = Path(__file__).resolve().parent / "jvm" / "Boot.java"
BOOT_CLASS = "interviewkit.warm.Boot"
BOOT_MOUNT = "/ikwarm"
BOOT_JAR = "boot.jar"
MAGIC = 0x494B4A31
HARNESS_VARIABLES = frozenset({"IK_TESTS", "IK_START", "IK_STDOUT_LIMIT"})
"""The only per-run variables a warm JVM can take (as properties): the harness's settings."""
MAX_CLASS_BYTES = 64 * 1024 * 1024
"""The most a compile-cache entry may hold to be handed over (a cold run has no such cap,
so a larger entry is simply run cold)."""
MAX_CLASS_FILES = 4096
_MAIN_CLASS = re.compile(r"[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*")


class TooLarge(OSError):
    """A compile-cache entry too big (or too deep) to hand over."""


@dataclass(frozen=True)
class JavaRuntime:
    """Serves java runs whose command, build mount, binds and environment fit the template."""

    command: tuple[str, ...]
    """The cold run command with ``{entry}`` as its main class."""
    boot: Path
    """The folder holding the compiled bootstrap jar (root-owned, bound read-only)."""
    env_tool: str = "/usr/bin/env"
    name: str = "java"
    stdin_pipe: bool = True

    @property
    def entry_at(self) -> int:
        return self.command.index("{entry}")

    def template(self, control_fd: int, limits: Limits) -> SandboxJob:
        class_path = self.command.index("-cp") + 1
        java = list(self.command[: self.entry_at])
        java[class_path] = f"{BUILD_DIR}:{BOOT_MOUNT}/{BOOT_JAR}"
        return SandboxJob(
            command=[
                self.env_tool,
                "-u",
                "IK_RESULT_FD",
                *java,
                BOOT_CLASS,
                str(control_fd),
                "warm",
            ],
            limits=limits,
            mounts=[Mount(self.boot, BOOT_MOUNT)],
            binds=JAVA.binds,
            env=dict(JAVA.env),
            result_channel=True,
        )

    def serves(self, job: SandboxJob) -> bool:
        command = list(job.command)
        if len(command) != len(self.command) or len(job.mounts) != 1:
            return False
        mount = job.mounts[0]
        if mount.writable or mount.target != BUILD_DIR or tuple(job.binds) != tuple(JAVA.binds):
            return False
        same = all(
            mine == theirs
            for at, (mine, theirs) in enumerate(zip(self.command, command, strict=True))
            if at != self.entry_at
        )
        if not same or not _MAIN_CLASS.fullmatch(command[self.entry_at]):
            return False
        return all(
            JAVA.env.get(name, value) == value and (name in JAVA.env or name in HARNESS_VARIABLES)
            for name, value in job.env.items()
        )

    def message(self, job: SandboxJob, env: dict[str, str]) -> bytes:
        files: list[tuple[str, int, bytes]] = [
            (f"/work/{path}", WORK_FILE_MODE, data) for path, data in job.files.items()
        ]
        files += [(f"/ik/{path}", DATA_FILE_MODE, data) for path, data in job.data.items()]
        files += [
            (f"{BUILD_DIR}/{path}", 0o444, data) for path, data in class_files(job.mounts[0].source)
        ]
        parts = [struct.pack(">II", MAGIC, len(files))]
        for path, mode, data in files:
            parts += [_text(path), struct.pack(">I", mode), _blob(data)]
        parts.append(struct.pack(">I", len(env)))
        for name, value in env.items():
            parts += [_text(name), _text(value)]
        parts += [_text(job.command[self.entry_at]), struct.pack(">I", 0)]
        return b"".join(parts)


def _blob(data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + data


def _text(value: str) -> bytes:
    return _blob(value.encode("utf-8"))


_recent: OrderedDict[tuple[str, int, int], list[tuple[str, bytes]]] = OrderedDict()
_recent_lock = threading.Lock()
RECENT_ENTRIES = 16
RECENT_ENTRY_BYTES = 1024 * 1024


def class_files(root: Path) -> list[tuple[str, bytes]]:
    """Every regular file under a compile-cache entry, as (relative path, content).

    Read through descriptors: no symlink is followed (``O_NOFOLLOW`` on every component),
    only regular files and folders are taken, and the total is capped. A committed entry
    never changes (a cache entry is content-addressed and only ever bound read-only), so the
    last few small ones are kept by folder identity: a submission's runs read it once.
    """
    top = os.open(root, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
    try:
        info = os.fstat(top)
        identity = (str(root), info.st_dev, info.st_ino)
        with _recent_lock:
            kept = _recent.get(identity)
            if kept is not None:
                _recent.move_to_end(identity)
                return kept
        found: list[tuple[str, bytes]] = []
        total = 0
        for relative, data in _walk(top, "", depth=0):
            total += len(data)
            if total > MAX_CLASS_BYTES or len(found) >= MAX_CLASS_FILES:
                raise TooLarge(f"{root.name} is too large to hand over")
            found.append((relative, data))
    finally:
        os.close(top)
    if total <= RECENT_ENTRY_BYTES:
        with _recent_lock:
            _recent[identity] = found
            while len(_recent) > RECENT_ENTRIES:
                _recent.popitem(last=False)
    return found


def _walk(folder: int, prefix: str, depth: int) -> Iterator[tuple[str, bytes]]:
    if depth > 32:
        raise TooLarge("compile-cache entry nested too deeply")
    for name in sorted(os.listdir(folder)):
        flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK
        try:
            descriptor = os.open(name, flags, dir_fd=folder)
        except OSError:
            continue  # a symlink (ELOOP) or something unreadable: a cold run would not use it
        try:
            info = os.fstat(descriptor)
            if stat.S_ISDIR(info.st_mode):
                yield from _walk(descriptor, f"{prefix}{name}/", depth + 1)
            elif stat.S_ISREG(info.st_mode):
                if info.st_size > MAX_CLASS_BYTES:
                    raise TooLarge(f"{name} is too large to hand over")
                with os.fdopen(os.dup(descriptor), "rb") as handle:
                    yield f"{prefix}{name}", handle.read(MAX_CLASS_BYTES + 1)
        finally:
            os.close(descriptor)


# -- building the bootstrap once ----------------------------------------------------------


def jdk_key(java: str) -> str:
    """What the compiled bootstrap depends on: the JDK (its ``release`` file and binary) and
    the bootstrap's source."""
    real = Path(java).resolve()
    release = real.parent.parent / "release"
    digest = hashlib.sha256(BOOT_SOURCE.read_bytes())
    digest.update(str(real).encode())
    with contextlib.suppress(OSError):
        digest.update(release.read_bytes())
    info = real.stat()
    digest.update(f"{info.st_size}:{info.st_mtime_ns}".encode())
    return digest.hexdigest()[:24]


def build_boot(javac: str, java: str, cache_root: Path) -> Path:
    """The bootstrap's jar folder under ``cache_root``, compiled once per JDK (atomically:
    built in a temporary folder, then renamed into place)."""
    final = cache_root / f"jvm-{jdk_key(java)}"
    if (final / BOOT_JAR).is_file():
        return final
    cache_root.mkdir(parents=True, exist_ok=True)
    cache_root.chmod(0o755)  # bwrap opens the bind source as the sandbox's uid
    staging = Path(tempfile.mkdtemp(prefix=".jvm-", dir=cache_root))
    try:
        classes = staging / "classes"
        subprocess.run(
            [
                javac,
                "-J-Xshare:auto",
                "-J-XX:TieredStopAtLevel=1",
                "-nowarn",
                "-d",
                str(classes),
                str(BOOT_SOURCE),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
        with zipfile.ZipFile(staging / BOOT_JAR, "w") as jar:
            for path in sorted(classes.rglob("*.class")):
                jar.write(path, path.relative_to(classes).as_posix())
        shutil.rmtree(classes)
        (staging / BOOT_JAR).chmod(0o444)
        staging.chmod(0o755)
        try:
            staging.rename(final)
        except OSError:  # another process built it first
            if not (final / BOOT_JAR).is_file():
                raise
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return final


def runtime(
    template: Sequence[str], executables: Mapping[str, str], cache_root: Path
) -> JavaRuntime | None:
    """The warm JVM for this toolchain, or None if its bootstrap cannot be built here."""
    java, javac = executables.get("java"), executables.get("javac")
    env_tool = shutil.which("env", path="/usr/bin:/bin")
    if not java or not javac or env_tool is None or "{entry}" not in template:
        return None
    if "-cp" not in template:
        return None
    try:
        boot = build_boot(javac, java, cache_root)
    except (OSError, subprocess.SubprocessError):
        log.exception("could not build the warm JVM's bootstrap; java runs cold")
        return None
    return JavaRuntime(tuple(template), boot, env_tool=os.path.realpath(env_tool))
