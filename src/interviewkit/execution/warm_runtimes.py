"""Which languages run warm, and with what: the warm pools a server keeps, per toolchain.

Each runtime module in :mod:`.sandbox` offers ``runtime(template, executables, cache_root)``:
``template`` is the toolchain's run command for an entry named ``{entry}`` (so a job's
command can be matched against it), ``executables`` the toolchain's resolved tools and
``cache_root`` a private folder beside the compile cache for what a runtime builds once
(a compiled bootstrap, a class-data archive). It returns None when it cannot serve here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path

from interviewkit.config import Settings
from interviewkit.execution.limits import Limits, default_limits
from interviewkit.execution.sandbox import warm_java, warm_node, warm_python
from interviewkit.execution.sandbox.warm import WarmRuntime
from interviewkit.execution.toolchains import LanguageRegistry, Toolchain

RuntimeFactory = Callable[[Sequence[str], Mapping[str, str], Path], WarmRuntime | None]

RUNTIMES: dict[str, RuntimeFactory] = {
    "python": warm_python.runtime,
    "javascript": warm_node.runtime,
    "java": warm_java.runtime,
    "cpp": warm_python.native_runtime,
}
"""C++ programs are compiled: their pool's bootstrap (CPython's, importing nothing)
``execve``s the cached binary."""

ENTRY = "{entry}"
"""The entry's name in a runtime's command template (``{work}/{entry}``; Java's main class
is ``{entry}``)."""


def pool_limits(settings: Settings, chain: Toolchain) -> Limits:
    """The limits a warm sandbox is started with: the defaults a run gets, with the most
    CPU time any run may ask for as the rlimit (a job's own limit is enforced from the
    hand-over on by the supervisor, see :func:`.sandbox.warm.compatible`)."""
    base = default_limits(settings)
    cpu = max(settings.exec_max_cpu_time_s, base.cpu_time_s) + chain.spec.startup_allowance_s
    wall = max(settings.exec_max_wall_time_s, base.wall_time_s)
    limits = replace(base, cpu_time_s=cpu, wall_time_s=wall)
    return limits.with_memory_allowance(chain.spec.memory_allowance_mb)


def warm_runtimes(
    settings: Settings, registry: LanguageRegistry, cache_root: Path
) -> list[tuple[WarmRuntime, Limits]]:
    """Every runtime this machine can keep warm, with its pool's limits."""
    found: list[tuple[WarmRuntime, Limits]] = []
    for name, chain in registry.available().items():
        factory = RUNTIMES.get(name)
        if factory is None:
            continue
        template = chain.run_command(ENTRY, settings.exec_memory_mb)
        runtime = factory(template, chain.executables, cache_root)
        if runtime is not None:
            found.append((runtime, pool_limits(settings, chain)))
    return found
