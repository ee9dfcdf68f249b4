"""Resource limits of one sandboxed run, and how a request's wishes meet the admin's maxima."""

from __future__ import annotations

from dataclasses import dataclass, replace

from pydantic import BaseModel, ConfigDict, Field

from interviewkit.config import Settings
from interviewkit.errors import ProblemError


@dataclass(frozen=True)
class Limits:
    """Hard limits the sandbox enforces on one process tree."""

    cpu_time_s: float = 5.0
    wall_time_s: float = 10.0
    memory_mb: int = 128
    processes: int = 64
    file_size_mb: int = 10
    tmpfs_mb: int = 50
    output_bytes: int = 64 * 1024
    open_files: int = 256
    stack_mb: int = 64

    def with_memory_allowance(self, extra_mb: int) -> Limits:
        """The cgroup budget for runtimes (JVM, V8) that need room beyond the program's heap."""
        return replace(self, memory_mb=self.memory_mb + extra_mb)


class LimitsRequest(BaseModel):
    """Per-request overrides; each must stay within the configured maximum."""

    model_config = ConfigDict(extra="forbid")

    cpu_time_s: float | None = Field(None, gt=0)
    wall_time_s: float | None = Field(None, gt=0)
    memory_mb: int | None = Field(None, ge=16)
    processes: int | None = Field(None, ge=1)
    file_size_mb: int | None = Field(None, ge=1)
    output_kb: int | None = Field(None, ge=1)


def default_limits(settings: Settings) -> Limits:
    return Limits(
        cpu_time_s=settings.exec_cpu_time_s,
        wall_time_s=settings.exec_wall_time_s,
        memory_mb=settings.exec_memory_mb,
        processes=settings.exec_processes,
        file_size_mb=settings.exec_file_size_mb,
        tmpfs_mb=settings.exec_tmpfs_mb,
        output_bytes=settings.exec_output_kb * 1024,
    )


def resolve_limits(
    settings: Settings, wanted: LimitsRequest | None, *, candidate: bool = False
) -> Limits:
    """Apply a request's overrides, refusing any above the admin-set maximum (422).

    A candidate may lower a limit (a quick feedback loop) but never raise one above the
    session's defaults (403 ``limit_above_default``): a bigger budget per run is the
    interviewer's call, and a candidate's runs share the server with everyone else's.
    """
    limits = default_limits(settings)
    if wanted is None:
        return limits
    if candidate:
        defaults: dict[str, float] = {
            "cpu_time_s": limits.cpu_time_s,
            "wall_time_s": limits.wall_time_s,
            "memory_mb": limits.memory_mb,
            "processes": limits.processes,
            "file_size_mb": limits.file_size_mb,
            "output_kb": limits.output_bytes / 1024,
        }
        for name, value in wanted.model_dump(exclude_none=True).items():
            if value > defaults[name]:
                raise ProblemError(
                    403,
                    "limit_above_default",
                    f"limits.{name} = {value} is above this session's default of "
                    f"{defaults[name]:g}; only an interviewer may raise it",
                )
    maxima: dict[str, float] = {
        "cpu_time_s": settings.exec_max_cpu_time_s,
        "wall_time_s": settings.exec_max_wall_time_s,
        "memory_mb": settings.exec_max_memory_mb,
        "processes": settings.exec_max_processes,
        "file_size_mb": settings.exec_max_file_size_mb,
        "output_kb": settings.exec_max_output_kb,
    }
    changes: dict[str, float] = {}
    for name, value in wanted.model_dump(exclude_none=True).items():
        if value > maxima[name]:
            raise ProblemError(
                422,
                "limit_too_high",
                f"limits.{name} = {value} is above this server's maximum of {maxima[name]}",
            )
        changes[name] = value
    if "output_kb" in changes:
        changes["output_bytes"] = int(changes.pop("output_kb") * 1024)
    return replace(limits, **changes)  # type: ignore[arg-type]
