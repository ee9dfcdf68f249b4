"""Precompiled system headers, built once per compiler version and offered to every compile.

LeetCode-style C++ leans on ``bits/stdc++.h``, which the C++ environment includes for every
source; parsing it is most of a compile. GCC loads ``<dir>/bits/stdc++.h.gch`` instead when
``-I<dir>`` comes first and the ``.gch`` was made with the same options, so the engine
builds one per toolchain (trusted input only: a system header, on the host) into the
compile cache and binds it read-only into compile sandboxes. Without it (a build that
failed, a compiler that declines the ``.gch``) compiles still work, only slower.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import subprocess
import threading
from pathlib import Path

from interviewkit.execution.toolchains import Toolchain

log = logging.getLogger(__name__)

PCH_TARGET = "/pch"
"""Where the folder holding the precompiled header appears inside a compile sandbox."""
BUILD_TIMEOUT_S = 300.0


class PrecompiledHeaders:
    """Folders holding a language's precompiled header, by toolchain.

    The first compile of a toolchain starts the build in the background and goes on
    without it (a build takes seconds of CPU; no request waits for it); later compiles use
    the folder once it is ready. A build that failed is not retried in this process.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self._folders: dict[str, Path | None] = {}
        self._building: dict[str, threading.Thread] = {}
        self._lock = threading.Lock()

    def folder(self, toolchain: Toolchain) -> Path | None:
        """The folder to pass as ``-I`` for ``toolchain``'s compiles; ``None`` until built."""
        wanted = toolchain.spec.precompiled_header
        if wanted is None:
            return None
        key = hashlib.sha256(
            json.dumps([toolchain.name, toolchain.version, wanted.header, wanted.flags]).encode()
        ).hexdigest()[:32]
        with self._lock:
            if key in self._folders:
                return self._folders[key]
            if (self.root / key / ".ready").is_file():  # built by an earlier process
                self._folders[key] = self.root / key
                return self._folders[key]
            if key not in self._building:
                # found here, briefly: the build itself then holds no pipe of this process
                # (the sandbox tests count descriptors around every run)
                try:
                    header = _locate(self._compiler(toolchain), wanted.header, wanted.flags)
                except (OSError, subprocess.SubprocessError, ValueError) as exc:
                    log.warning("no precompiled header for %s: %s", toolchain.name, exc)
                    self._folders[key] = None
                    return None
                thread = threading.Thread(
                    target=self._build_in_background,
                    args=(toolchain, key, header),
                    name=f"pch-{toolchain.name}",
                    daemon=True,
                )
                self._building[key] = thread
                thread.start()
            return None

    def wait(self, toolchain: Toolchain, timeout: float = BUILD_TIMEOUT_S) -> Path | None:
        """Start the build if needed and wait for it (tools and tests that want it now)."""
        self.folder(toolchain)
        with self._lock:
            thread = next(iter(t for t in self._building.values() if t.is_alive()), None)
        if thread is not None:
            thread.join(timeout)
        return self.folder(toolchain)

    @staticmethod
    def _compiler(toolchain: Toolchain) -> str:
        return toolchain.compile_command("main", [])[0]

    def _build_in_background(self, toolchain: Toolchain, key: str, header: Path) -> None:
        try:
            folder: Path | None = self._build(toolchain, self.root / key, header)
        except (OSError, subprocess.SubprocessError, ValueError) as exc:
            log.warning("no precompiled header for %s: %s", toolchain.name, exc)
            folder = None
        with self._lock:
            self._folders[key] = folder
            self._building.pop(key, None)

    def _build(self, toolchain: Toolchain, folder: Path, header: Path) -> Path:
        wanted = toolchain.spec.precompiled_header
        assert wanted is not None
        compiler = self._compiler(toolchain)
        self.root.mkdir(parents=True, exist_ok=True)
        self.root.chmod(0o755)
        staging = self.root / f".staging-{folder.name[:12]}-{os.getpid()}-{threading.get_ident()}"
        shutil.rmtree(staging, ignore_errors=True)
        target = staging / wanted.header
        target.parent.mkdir(parents=True)
        # The header itself sits beside its .gch: once the .gch has served `-include`, a
        # second `#include <bits/stdc++.h>` (a candidate's) finds this folder first.
        shutil.copyfile(header, target)
        try:
            subprocess.run(
                [compiler, *wanted.flags, "-x", "c++-header", str(header), "-o", f"{target}.gch"],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                check=True,
                timeout=BUILD_TIMEOUT_S,
            )
            (staging / ".ready").touch()
            for path in (staging, *staging.rglob("*")):
                path.chmod(0o755 if path.is_dir() else 0o644)
            try:
                staging.rename(folder)
            except OSError:  # another process built it first
                if not (folder / ".ready").is_file():
                    raise
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        return folder


def _locate(compiler: str, header: str, flags: tuple[str, ...]) -> Path:
    """The system file ``#include <header>`` opens (``-H`` prints it first on stderr)."""
    done = subprocess.run(
        [compiler, *flags, "-H", "-E", "-x", "c++", "-"],
        input=f"#include <{header}>\n",
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    first = done.stderr.splitlines()[0] if done.stderr else ""
    path = Path(first.split()[-1]) if first.startswith(".") else None
    if path is None or not path.is_file():
        raise ValueError(f"cannot locate {header}: {first!r}")
    return path


def with_headers(command: list[str], folder: Path | None) -> list[str]:
    """``command`` with ``-I`` for the precompiled folder right after the compiler."""
    if folder is None:
        return command
    return [command[0], f"-I{PCH_TARGET}", *command[1:]]


__all__ = ["PCH_TARGET", "PrecompiledHeaders", "with_headers"]
