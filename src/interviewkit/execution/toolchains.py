"""Languages bound to this machine: which toolchains exist here, and their commands.

A :class:`~interviewkit.languages.LanguageSpec` is data; a :class:`Toolchain` is that data
with the executables resolved under ``/usr`` and the version they report. Probing happens
once per :class:`LanguageRegistry` (a JVM compiler takes half a second to say its version).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath

from interviewkit import languages
from interviewkit.execution.sandbox import BUILD_DIR
from interviewkit.languages import LanguageSpec

SYSTEM_PATH = "/usr/local/bin:/usr/bin:/bin"


@dataclass(frozen=True)
class Toolchain:
    """A spec bound to this machine: resolved executables and the version they report."""

    spec: LanguageSpec
    executables: dict[str, str]
    version: str

    @property
    def name(self) -> str:
        return self.spec.name

    def _expand(
        self, template: tuple[str, ...], entry: str, sources: list[str], memory_mb: int
    ) -> list[str]:
        values = {
            "{entry}": f"{{work}}/{entry}",
            "{main}": PurePosixPath(entry).stem,
            "{memory_mb}": str(memory_mb),
            "{build}": BUILD_DIR,
            **{f"{{{name}}}": path for name, path in self.executables.items()},
        }
        command: list[str] = []
        for part in template:
            if part == "{sources}":
                command += [f"{{work}}/{source}" for source in sources]
                continue
            for placeholder, value in values.items():
                part = part.replace(placeholder, value)
            command.append(part)
        return command

    def run_command(self, entry: str, memory_mb: int) -> list[str]:
        return self._expand(self.spec.run, entry, [], memory_mb)

    def compile_command(self, entry: str, sources: list[str]) -> list[str]:
        assert self.spec.compile is not None
        return self._expand(self.spec.compile, entry, sources, 0)


def resolve(spec: LanguageSpec) -> Toolchain | None:
    """Find the spec's tools under /usr (the only tree a sandbox sees) and their version."""
    executables: dict[str, str] = {}
    for name, command in spec.tools.items():
        found = shutil.which(command, path=SYSTEM_PATH)
        if found is None:
            return None
        real = os.path.realpath(found)
        if not real.startswith("/usr/"):
            return None
        executables[name] = real
    probe = [executables.get(part.strip("{}"), part) for part in spec.version]
    try:
        done = subprocess.run(probe, capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    match = re.search(spec.version_pattern, done.stdout + done.stderr)
    if done.returncode != 0 or match is None:
        return None
    return Toolchain(spec, executables, match.group(1))


class LanguageRegistry:
    """The registered languages whose toolchains this machine has, probed once and kept."""

    def __init__(self, specs: Sequence[LanguageSpec] | None = None) -> None:
        chosen = languages.all() if specs is None else specs
        self.specs = {spec.name: spec for spec in chosen}
        self._found: dict[str, Toolchain] | None = None
        self._lock = threading.Lock()

    def available(self) -> dict[str, Toolchain]:
        with self._lock:
            if self._found is None:
                found = (resolve(spec) for spec in self.specs.values())
                self._found = {chain.name: chain for chain in found if chain is not None}
            return self._found

    def canonical(self, name: str) -> str:
        return languages.canonical(name)

    def for_file(self, path: str) -> LanguageSpec | None:
        return languages.for_path(path, self.specs.values())


__all__ = ["LanguageRegistry", "Toolchain", "resolve"]
