"""What a language is to the engine: data, as in Piston's packages and DMOJ's executors.

A spec names the files it owns, how to compile (optional) and run, how to ask the toolchain
its version, and how much memory the runtime needs beyond the program's own budget.
Commands are templates: ``{entry}`` (the entry file inside the sandbox), ``{sources}``
(every source file, expanded to several arguments), ``{main}`` (the entry's stem, for
Java's main class), ``{memory_mb}`` (the program's memory budget), ``{build}`` (compiled
artifacts) and one ``{tool}`` per executable the spec resolves on the host.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from interviewkit.execution.sandbox import BUILD_DIR

SYSTEM_PATH = "/usr/local/bin:/usr/bin:/bin"


@dataclass(frozen=True)
class CompileSettings:
    """Limits for the compiler, which are not the program's limits: javac needs a JVM."""

    wall_time_s: float = 30.0
    cpu_time_s: float = 30.0
    memory_mb: int = 1024
    processes: int = 128


@dataclass(frozen=True)
class LanguageSpec:
    name: str
    title: str
    extensions: tuple[str, ...]
    default_entry: str
    tools: dict[str, str]
    run: tuple[str, ...]
    version: tuple[str, ...]
    version_pattern: str
    compile: tuple[str, ...] | None = None
    source_extensions: tuple[str, ...] = ()
    harness_includes_entry: bool = False
    """C++'s harness ``#include``s the entry file, so the entry is not compiled on its own."""
    memory_allowance_mb: int = 0
    binds: tuple[str, ...] = ()
    env: dict[str, str] = field(default_factory=dict)
    memory_error_markers: tuple[str, ...] = ()
    compile_limits: CompileSettings = field(default_factory=CompileSettings)

    @property
    def compiled(self) -> bool:
        return self.compile is not None

    def owns(self, path: str) -> bool:
        return PurePosixPath(path).suffix in self.extensions


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
