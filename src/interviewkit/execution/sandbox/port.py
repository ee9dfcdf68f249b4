"""The sandbox port: what a run is given, what it returns, and what every adapter offers.

One call runs one command on a set of files and returns what it printed and what it used.
The job's contract (placeholders in the command, a clean environment) lives here too, so
that every adapter, and the warm pool, interprets a job the same way.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from interviewkit.execution.limits import Limits

BUILD_DIR = "/build"
"""Where compiled artifacts live inside the sandbox (a cache entry, bound read-only)."""
SANDBOX_TMP = "/tmp"  # noqa: S108 - inside the sandbox: a private, size-limited tmpfs
PATH = "/usr/local/bin:/usr/bin:/bin"


class SandboxUnavailable(RuntimeError):
    """The configured sandbox cannot run on this machine."""


@dataclass(frozen=True)
class Mount:
    """A host directory made visible inside the run (read-only unless ``writable``)."""

    source: Path
    target: str
    writable: bool = False


@dataclass(frozen=True)
class SandboxJob:
    """What to run. Paths in ``command`` use ``{work}``, ``{ik}`` and mount targets.

    ``files`` land under ``{work}`` (writable); ``data`` under ``{ik}`` (read-only, for the
    platform's own inputs such as test arguments, which the program must not rewrite).
    """

    command: Sequence[str]
    files: Mapping[str, bytes] = field(default_factory=dict)
    data: Mapping[str, bytes] = field(default_factory=dict)
    stdin: bytes = b""
    limits: Limits = field(default_factory=Limits)
    mounts: Sequence[Mount] = ()
    binds: Sequence[str] = ()
    env: Mapping[str, str] = field(default_factory=dict)
    result_channel: bool = False


@dataclass
class SandboxResult:
    """What happened. ``signal`` is set when the program died of one."""

    exit_code: int | None
    signal: int | None
    stdout: bytes
    stderr: bytes
    results: bytes
    stdout_truncated: bool
    stderr_truncated: bool
    cpu_ms: float
    wall_ms: float
    memory_kb: int
    timed_out: bool = False
    cpu_exceeded: bool = False
    memory_exceeded: bool = False
    output_exceeded: bool = False
    warm: str | None = None
    """The warm runtime that served the run (``python``, ``javascript``, ``java``), or None
    for a cold sandbox started for it."""
    handover_ms: float = 0.0
    """Host time from asking the sandbox to run until the program was released: a cold
    sandbox's start-up, or a warm one's hand-over."""

    def result_lines(self) -> Iterator[dict[str, object]]:
        """Complete JSON lines of the result channel (a half-written last line is dropped)."""
        for line in self.results.split(b"\n"):
            with contextlib.suppress(ValueError):
                value = json.loads(line)
                if isinstance(value, dict):
                    yield value


class Sandbox(Protocol):
    """Runs one job at a time per call; ``isolated`` is False only for the process adapter."""

    name: str
    isolated: bool

    def paths(self) -> Mapping[str, str]: ...
    def run(self, job: SandboxJob) -> SandboxResult: ...
    def close(self) -> None: ...


def substitute(part: str, paths: Mapping[str, str]) -> str:
    """Replace the job's placeholders (``{work}``, ``{ik}``, mount targets) with real paths."""
    for placeholder, real in paths.items():
        part = part.replace(placeholder, real)
    return part


def environment(job: SandboxJob) -> dict[str, str]:
    """A clean environment: no server secrets, no ``INTERVIEWKIT_*``, nothing inherited."""
    env = {"PATH": PATH, "HOME": SANDBOX_TMP, "LANG": "C.UTF-8", "TMPDIR": SANDBOX_TMP}
    env.update(job.env)
    return env
