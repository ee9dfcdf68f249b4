"""``interviewkit exec``: the engine from a terminal, sharing the API's result JSON."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import ValidationError
from rich.console import Console
from rich.table import Table

from interviewkit.config import Settings
from interviewkit.errors import ProblemError
from interviewkit.execution.limits import LimitsRequest, resolve_limits
from interviewkit.execution.planner import JobPlanner, build_engine
from interviewkit.execution.schemas import ExecutionResult, TestSuite
from interviewkit.execution.toolchains import LanguageRegistry

STATUS_STYLE = {"accepted": "green", "wrong_answer": "red", "compilation_error": "yellow"}


def _load_suite(path: Path) -> TestSuite:
    try:
        return TestSuite.model_validate_json(path.read_bytes())
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise ProblemError(422, "invalid_tests", f"{path}: {where}: {first['msg']}") from None


def run_files(
    settings: Settings,
    files: list[Path],
    language: str | None,
    stdin: Path | None,
    tests: Path | None,
    time_limit: float | None,
    memory_limit: int | None,
) -> ExecutionResult:
    """Run local files: the first is the entry; the others keep their place relative to it."""
    sources = {
        _relative_to_entry(path, files[0]): path.read_text(encoding="utf-8") for path in files
    }
    if len(sources) != len(files):
        raise ValueError("a file was given twice")
    wanted = LimitsRequest(cpu_time_s=time_limit, memory_mb=memory_limit)
    if time_limit is not None:
        wanted.wall_time_s = min(max(2 * time_limit, settings.exec_wall_time_s), 30.0)
    limits = resolve_limits(settings, wanted)
    planner = JobPlanner(LanguageRegistry(), settings)
    job = planner.job(
        files=sources,
        entry=files[0].name,
        language=language,
        stdin=stdin.read_text(encoding="utf-8") if stdin else "",
        suite=_load_suite(tests) if tests else None,
        limits=limits,
    )
    return build_engine(settings).execute(job)


def _relative_to_entry(path: Path, entry: Path) -> str:
    """``utils/helper.py`` beside ``solution.py`` stays ``utils/helper.py`` in the sandbox."""
    base = entry.resolve().parent
    try:
        return path.resolve().relative_to(base).as_posix()
    except ValueError:
        raise ValueError(f"{path} is not inside {base}, the entry file's folder") from None


def print_result(console: Console, result: ExecutionResult) -> None:
    style = STATUS_STYLE.get(result.status or "", "red")
    console.print(
        f"[bold {style}]{result.status}[/] {result.language} {result.language_version}"
        + (f"  {result.passed}/{result.total} tests" if result.total else "")
    )
    if result.compile and result.compile.output.strip():
        console.print(result.compile.output.rstrip(), markup=False, highlight=False)
    if result.tests:
        table = Table("test", "status", "time ms", "detail")
        for test in result.tests:
            colour = STATUS_STYLE.get(test.status, "red")
            detail = test.message or ""
            if test.status == "wrong_answer" and not detail:
                wanted, got = json.dumps(test.expected)[:60], json.dumps(test.actual)[:60]
                detail = f"expected {wanted}, got {got}"
            status = f"[{colour}]{test.status}[/]"
            table.add_row(test.name, status, f"{test.time_ms or 0:.1f}", detail[:120])
        console.print(table)
    elif result.run is not None:
        if result.run.stdout:
            console.print(result.run.stdout.rstrip("\n"), markup=False, highlight=False)
        if result.run.stderr:
            stderr = result.run.stderr.rstrip("\n")
            console.print(stderr, markup=False, highlight=False, style="red")
        console.print(
            f"[dim]exit {result.run.exit_code}  cpu {result.run.time_ms:.0f} ms  "
            f"wall {result.run.wall_ms:.0f} ms  memory {result.run.memory_kb} KB[/]"
        )
