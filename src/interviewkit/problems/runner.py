"""Running bank problems in the sandbox: expected values for generated tests, and validation.

Expected values of large and per-candidate tests are never typed by hand: the python
reference computes them in the sandbox (the same engine a candidate's code meets), and
:func:`validate` then holds every other language's reference to them.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from interviewkit import languages
from interviewkit.config import create_private_file, ensure_private_dir
from interviewkit.execution.engine import Engine
from interviewkit.execution.limits import Limits
from interviewkit.execution.planner import JobPlanner
from interviewkit.execution.schemas import CallTest, ExecutionResult
from interviewkit.problems.bank import REFERENCE_LANGUAGE, SOLUTION_FILES, Problem


def problem_limits(problem: Problem, language: str, base: Limits) -> Limits:
    """The problem's time limit for the harness process, plus the runtime's start-up."""
    spec = languages.find(language)
    cpu = problem.time_limit(language) + (spec.startup_allowance_s if spec is not None else 0.0)
    return replace(base, cpu_time_s=cpu, wall_time_s=max(base.wall_time_s, 2 * cpu + 2))


class ReferenceFailure(RuntimeError):
    """The python reference failed on an input it should answer."""


@dataclass
class ProblemRunner:
    """Runs code for a problem through the real engine."""

    engine: Engine
    planner: JobPlanner
    base_limits: Limits
    cache_dir: Path | None = None
    _memo: dict[str, list[CallTest]] = field(default_factory=dict)

    def run(
        self, problem: Problem, language: str, source: str, tests: Iterable[CallTest]
    ) -> ExecutionResult:
        entry = SOLUTION_FILES[language]
        job = self.planner.job(
            files={entry: source},
            entry=entry,
            language=language,
            stdin="",
            suite=problem.suite(tests),
            limits=problem_limits(problem, language, self.base_limits),
        )
        return self.engine.execute(job)

    def expected(self, problem: Problem, name: str, inputs: list[list[Any]]) -> list[Any]:
        """The python reference's answers to ``inputs`` (one sandboxed run)."""
        tests = [CallTest(name=f"{name}-{i}", input=args) for i, args in enumerate(inputs)]
        result = self.run(problem, REFERENCE_LANGUAGE, problem.solutions[REFERENCE_LANGUAGE], tests)
        failed = [t for t in result.tests if t.status not in ("accepted", "wrong_answer")]
        if failed or len(result.tests) != len(tests):
            detail = failed[0].message if failed else result.status
            raise ReferenceFailure(f"{problem.id}: the python reference failed: {detail}")
        return [test.actual for test in result.tests]

    def large_tests(self, problem: Problem) -> list[CallTest]:
        """The problem's large tests with inputs generated and expected values computed."""
        key = f"{problem.id}-{problem.content_hash}"
        if key in self._memo:
            return self._memo[key]
        tests = self._cached(key)
        if tests is None:
            inputs = [problem.generate(t.size, t.seed) for t in problem.large_tests]
            answers = [
                self.expected(problem, t.name, [args])
                for t, args in zip(problem.large_tests, inputs, strict=True)
            ]
            tests = [
                CallTest(name=t.name, input=args, expected=answer[0], hidden=True)
                for t, args, answer in zip(problem.large_tests, inputs, answers, strict=True)
            ]
            self._store(key, tests)
        self._memo[key] = tests
        return tests

    def fresh_tests(self, problem: Problem, seed: int) -> list[CallTest]:
        """Per-candidate hidden tests: new inputs from ``seed``, answered by the reference."""
        if problem.generator is None or not problem.fresh_sizes:
            return []
        inputs = [
            problem.generate(size, seed * 1000 + i) for i, size in enumerate(problem.fresh_sizes)
        ]
        answers = self.expected(problem, "fresh", inputs)
        return [
            CallTest(name=f"fresh-{i + 1}", input=args, expected=answer, hidden=True)
            for i, (args, answer) in enumerate(zip(inputs, answers, strict=True))
        ]

    def _cached(self, key: str) -> list[CallTest] | None:
        if self.cache_dir is None:
            return None
        path = self.cache_dir / f"{key}.json"
        try:
            return [CallTest.model_validate(t) for t in json.loads(path.read_bytes())]
        except (OSError, ValueError):
            return None

    def _store(self, key: str, tests: list[CallTest]) -> None:
        if self.cache_dir is None:
            return
        ensure_private_dir(self.cache_dir)  # hidden tests: the server's user reads them only
        # unique per writer: two threads of one server may fill the same key at once
        partial = self.cache_dir / f".{key}.{os.getpid()}.{secrets.token_hex(8)}.tmp"
        create_private_file(partial)
        partial.write_text(json.dumps([t.model_dump() for t in tests]))
        partial.replace(self.cache_dir / f"{key}.json")


@dataclass
class Check:
    """One validation step of one problem."""

    problem: str
    language: str
    what: str
    ok: bool
    detail: str = ""
    time_ms: float = 0.0


def validate(
    runner: ProblemRunner,
    problem: Problem,
    languages: Iterable[str],
    progress: Callable[[Check], None] = lambda _: None,
) -> list[Check]:
    """Every reference passes every test; every starter fails; the brute force times out."""
    checks: list[Check] = []

    def note(check: Check) -> None:
        checks.append(check)
        progress(check)

    try:
        large = runner.large_tests(problem)
    except (ReferenceFailure, ValueError) as exc:
        note(Check(problem.id, REFERENCE_LANGUAGE, "large tests", False, str(exc)))
        return checks
    tests = [*problem.stored_tests(), *large]
    for language in languages:
        result = runner.run(problem, language, problem.solutions[language], tests)
        note(_reference_check(problem, language, result))
        starter = runner.run(problem, language, problem.starter[language], problem.stored_tests())
        fails = starter.status != "accepted"
        detail = "" if fails else "the starter code passes every test"
        note(Check(problem.id, language, "starter fails", fails, detail))
    if REFERENCE_LANGUAGE in problem.brute_force:
        note(_brute_force_check(runner, problem, large))
    return checks


def _reference_check(problem: Problem, language: str, result: ExecutionResult) -> Check:
    slowest = max((t.time_ms or 0.0 for t in result.tests), default=0.0)
    if result.status == "accepted":
        return Check(problem.id, language, "reference", True, time_ms=slowest)
    if result.compile is not None and result.compile.status != "accepted":
        return Check(problem.id, language, "reference", False, result.compile.output[-800:])
    failed = next((t for t in result.tests if t.status != "accepted"), None)
    detail = f"{failed.name}: {failed.status}: {failed.message or ''}"[:800] if failed else ""
    return Check(problem.id, language, "reference", False, detail or str(result.status))


def _brute_force_check(runner: ProblemRunner, problem: Problem, large: list[CallTest]) -> Check:
    """The slow solution passes the small tests and times out on the first large one."""
    brute_force = problem.brute_force[REFERENCE_LANGUAGE]
    small = runner.run(problem, REFERENCE_LANGUAGE, brute_force, problem.stored_tests())
    if small.status != "accepted":
        failed = next((t for t in small.tests if t.status != "accepted"), None)
        name = failed.name if failed else small.status
        return Check(
            problem.id, REFERENCE_LANGUAGE, "brute force", False, f"fails small test {name}"
        )
    slow = runner.run(problem, REFERENCE_LANGUAGE, brute_force, large[:1])
    verdicts = {t.name: t.status for t in slow.tests}
    if "time_limit_exceeded" in verdicts.values():
        return Check(problem.id, REFERENCE_LANGUAGE, "brute force", True)
    return Check(
        problem.id,
        REFERENCE_LANGUAGE,
        "brute force",
        False,
        f"the large tests do not separate it: {verdicts}",
    )
