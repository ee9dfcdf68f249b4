"""``interviewkit problems list|show|validate``: the bank from a terminal."""

from __future__ import annotations

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
from interviewkit.problems.runner import Check, ProblemRunner, validate

problems_app = typer.Typer(help="The problem bank: list, show and validate problems.")
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
    console.print(Markdown(problem.description))
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
) -> None:
    """Run every reference in every language against all tests; starters must fail."""
    settings = _settings(ctx)
    problems = _pick(_bank(settings), ids or [])
    languages = language or list(LANGUAGES)
    failures = run_validation(
        settings, problems, languages, no_cache=no_cache, jobs=jobs or os.cpu_count() or 1
    )
    raise typer.Exit(1 if failures else 0)


def run_validation(
    settings: Settings,
    problems: list[Problem],
    languages: list[str],
    *,
    no_cache: bool = False,
    jobs: int = 1,
) -> list[Check]:
    """Validate with a progress bar; prints failures and returns them."""
    registry = LanguageRegistry()
    missing = [lang for lang in languages if lang not in registry.available()]
    if missing:
        console.print(f"[red]not installed here:[/] {', '.join(missing)}")
        raise typer.Exit(2)
    engine = build_engine(settings)
    scratch = None
    if no_cache:  # an empty cache of our own: every compilation is a miss
        scratch = Path(tempfile.mkdtemp(prefix="interviewkit-validate-"))
        scratch.chmod(0o711)
        cache = CompileCache(scratch / "cache", 10_000, settings.sandbox_uid, settings.sandbox_gid)
        engine = Engine(engine.sandbox, cache)
    runner = ProblemRunner(engine, JobPlanner(registry, settings), default_limits(settings))
    failures: list[Check] = []
    steps = len(problems) * (2 * len(languages) + 1)
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
