"""``interviewkit problems list|show|validate|calibrate``: the bank from a terminal."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markdown import Markdown
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from interviewkit.config import Settings
from interviewkit.execution.engine import CompileCache, Engine
from interviewkit.execution.limits import default_limits
from interviewkit.execution.planner import JobPlanner, build_engine
from interviewkit.execution.toolchains import LanguageRegistry
from interviewkit.problems.bank import LANGUAGES, Bank, BankError, Problem, load_bank
from interviewkit.problems.runner import (
    CALIBRATION_LIMIT_S,
    Calibration,
    Check,
    ProblemRunner,
    calibrate,
    steps_per_problem,
    validate,
)

problems_app = typer.Typer(help="The problem bank: list, show, validate and calibrate problems.")
console = Console()


def _settings(ctx: typer.Context) -> Settings:
    """The settings with the root command's ``--data-dir``/``--database-url``.

    The root command leaves its settings loader in the context, so this group never
    imports the command above it (which imports this group: a cycle).
    """
    load: Callable[[], Settings] | None = ctx.obj
    return load() if load is not None else Settings()


def _bank(settings: Settings) -> Bank:
    try:
        return load_bank(settings.problems_dir)
    except BankError as exc:
        console.print(f"[red]bank error:[/] {exc}", markup=True, highlight=False)
        raise typer.Exit(2) from None


def _pick(bank: Bank, ids: list[str]) -> list[Problem]:
    unknown = [i for i in ids if i not in bank.problems]
    if unknown:
        console.print(f"[red]unknown problem(s):[/] {', '.join(unknown)}")
        raise typer.Exit(2)
    return [bank.problems[i] for i in ids] if ids else list(bank.problems.values())


@problems_app.command("list")
def list_problems(ctx: typer.Context) -> None:
    """One row per problem: id, difficulty, tags, IRT parameters."""
    bank = _bank(_settings(ctx))
    table = Table("id", "title", "difficulty", "tags", "a", "b", "tests")
    for p in bank.problems.values():
        tests = f"{len(p.tests)}+{len(p.hidden_tests)}+{len(p.large_tests)}"
        table.add_row(
            p.id, p.title, p.difficulty, ", ".join(p.tags), f"{p.irt.a:g}", f"{p.irt.b:g}", tests
        )
    console.print(table)
    console.print(f"{len(bank.problems)} problems, {len(bank.templates)} templates")


@problems_app.command("show")
def show(ctx: typer.Context, problem_id: Annotated[str, typer.Argument(metavar="ID")]) -> None:
    """The statement, signature and examples of one problem."""
    problem = _pick(_bank(_settings(ctx)), [problem_id])[0]
    console.rule(f"{problem.title} ({problem.difficulty}; {', '.join(problem.tags)})")
    console.print(Markdown(problem.statement))
    params = ", ".join(f"{p.name}: {p.type}" for p in problem.signature.params)
    console.print(f"[bold]{problem.entry_point}[/]({params}) -> {problem.signature.returns}")
    for test in problem.tests:
        console.print(f"  {test.name}: {test.input} -> {test.expected}", highlight=False)


@problems_app.command("validate")
def validate_command(
    ctx: typer.Context,
    ids: Annotated[
        list[str] | None, typer.Argument(metavar="[ID]...", help="Default: every problem")
    ] = None,
    language: Annotated[
        list[str] | None, typer.Option("--language", "-l", help="Only these (repeatable)")
    ] = None,
    no_cache: Annotated[bool, typer.Option(help="Compile everything afresh")] = False,
    jobs: Annotated[
        int, typer.Option(min=0, max=64, help="Problems validated at once (0: one per core)")
    ] = 0,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Print every check (timings too)")
    ] = False,
) -> None:
    """Check every problem in every language: test inputs meet the constraints, the
    reference passes every test within half the time limit, the starter fails, and the
    brute force passes the small tests but times out on the first large one."""
    settings = _settings(ctx)
    problems = _pick(_bank(settings), ids or [])
    languages = language or list(LANGUAGES)
    failures = run_validation(
        settings,
        problems,
        languages,
        no_cache=no_cache,
        jobs=jobs or os.cpu_count() or 1,
        verbose=verbose,
    )
    raise typer.Exit(1 if failures else 0)


def _registry(languages: list[str]) -> LanguageRegistry:
    registry = LanguageRegistry()
    missing = [lang for lang in languages if lang not in registry.available()]
    if missing:
        console.print(f"[red]not installed here:[/] {', '.join(missing)}")
        raise typer.Exit(2)
    return registry


def run_validation(
    settings: Settings,
    problems: list[Problem],
    languages: list[str],
    *,
    no_cache: bool = False,
    jobs: int = 1,
    verbose: bool = False,
) -> list[Check]:
    """Validate with a progress bar; prints failures and returns them."""
    registry = _registry(languages)
    engine = build_engine(settings)
    scratch = None
    if no_cache:  # an empty cache of our own: every compilation is a miss
        scratch = Path(tempfile.mkdtemp(prefix="interviewkit-validate-"))
        scratch.chmod(0o711)
        cache = CompileCache(scratch / "cache", 10_000, settings.sandbox_uid, settings.sandbox_gid)
        engine = Engine(engine.sandbox, cache)
    runner = ProblemRunner(engine, JobPlanner(registry, settings), default_limits(settings))
    failures: list[Check] = []
    steps = len(problems) * steps_per_problem(len(languages))
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console) as progress:
        task = progress.add_task("validating", total=steps)

        def seen(check: Check) -> None:
            progress.update(task, advance=1, description=f"{check.problem} {check.language}")
            if not check.ok:
                failures.append(check)
                progress.console.print(
                    f"[red]FAIL[/] {check.problem} {check.language} {check.what}: {check.detail}",
                    highlight=False,
                    soft_wrap=True,
                )
            elif verbose:
                progress.console.print(
                    f"[green]ok[/]   {check.problem} {check.language} {check.what}: {check.detail}",
                    highlight=False,
                    soft_wrap=True,
                )

        # each check is a sandboxed process: threads keep every core busy
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            list(pool.map(lambda problem: validate(runner, problem, languages, seen), problems))
    engine.sandbox.close()
    if scratch is not None:
        shutil.rmtree(scratch, ignore_errors=True)
    verdict = "[green]all good[/]" if not failures else f"[red]{len(failures)} failed[/]"
    console.print(f"{len(problems)} problems x {len(languages)} languages: {verdict}")
    return failures


@problems_app.command("calibrate")
def calibrate_command(
    ctx: typer.Context,
    problem_id: Annotated[str, typer.Argument(metavar="ID")],
    language: Annotated[
        list[str] | None, typer.Option("--language", "-l", help="Only these (repeatable)")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line")] = False,
    limit: Annotated[
        float, typer.Option(min=1, max=120, help="Seconds each run may take while measuring")
    ] = CALIBRATION_LIMIT_S,
) -> None:
    """Time each language's reference (every test) and brute force (first large test) and
    suggest a time limit: max(3 x reference, 0.3 s), which must stay well below the brute
    force. Set the result as ``time_limits`` and check it with ``problems validate``."""
    settings = _settings(ctx)
    problem = _pick(_bank(settings), [problem_id])[0]
    languages = language or list(problem.languages)
    registry = _registry(languages)
    engine = build_engine(settings)
    runner = ProblemRunner(engine, JobPlanner(registry, settings), default_limits(settings))
    results: list[Calibration] = []
    try:
        for lang in languages:
            if not as_json:
                console.print(f"[dim]timing {problem.id} in {lang}...[/]", highlight=False)
            results.append(calibrate(runner, problem, lang, limit))
    finally:
        engine.sandbox.close()
    if as_json:
        for item in results:
            typer.echo(json.dumps(item.as_dict()))
        return
    table = Table("language", "reference ms", "brute force ms", "limit s", "suggested s", "note")
    for item in results:
        table.add_row(
            item.language,
            _ms(item.reference_ms),
            (
                f"> {item.brute_force_over_s * 1000:.0f}"
                if item.brute_force_over_s is not None
                else _ms(item.brute_force_ms)
            ),
            f"{item.limit_s:g}",
            f"{item.suggested_s:g}" if item.suggested_s is not None else "-",
            item.note,
        )
    console.print(table)


def _ms(value: float | None) -> str:
    return f"{value:.0f}" if value is not None else "-"
