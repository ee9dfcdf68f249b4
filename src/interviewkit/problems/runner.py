"""Running bank problems in the sandbox: expected values for generated tests, and validation.

Expected values of large and per-candidate tests are never typed by hand: the python
reference computes them in the sandbox (the same engine a candidate's code meets), and
:func:`validate` then holds every other language's reference to them.
"""

from __future__ import annotations

import json
import math
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
from interviewkit.problems.constraints import check_problem


def problem_limits(
    problem: Problem, language: str, base: Limits, time_limit_s: float | None = None
) -> Limits:
    """The problem's time limit for the harness process, plus the runtime's start-up.

    ``time_limit_s`` replaces the problem's limit (``problems calibrate`` runs with a
    generous one to measure how slow a brute force really is)."""
    spec = languages.find(language)
    limit = problem.time_limit(language) if time_limit_s is None else time_limit_s
    cpu = limit + (spec.startup_allowance_s if spec is not None else 0.0)
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
        self,
        problem: Problem,
        language: str,
        source: str,
        tests: Iterable[CallTest],
        *,
        time_limit_s: float | None = None,
    ) -> ExecutionResult:
        entry = SOLUTION_FILES[language]
        job = self.planner.job(
            files={entry: source},
            entry=entry,
            language=language,
            stdin="",
            suite=problem.suite(tests),
            limits=problem_limits(problem, language, self.base_limits, time_limit_s),
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


HEADROOM = 0.5
"""A reference's slowest test may use at most this share of its language's time limit: a
busy grading machine must not turn a correct, efficient solution into a timeout."""
CALIBRATION_LIMIT_S = 20.0
"""The time limit ``problems calibrate`` runs with: long enough to time a brute force."""
SUGGESTION_FACTOR = 3.0
SUGGESTION_FLOOR_S = 0.3


@dataclass
class Check:
    """One validation step of one problem."""

    problem: str
    language: str
    what: str
    ok: bool
    detail: str = ""
    time_ms: float = 0.0


def steps_per_problem(languages: int) -> int:
    """Checks :func:`validate` reports per problem: constraints, then per language the
    reference, the starter and the brute force (the progress bar's count)."""
    return 1 + 3 * languages


def validate(
    runner: ProblemRunner,
    problem: Problem,
    languages: Iterable[str],
    progress: Callable[[Check], None] = lambda _: None,
) -> list[Check]:
    """Every test input meets the constraints; every reference passes every test with
    headroom; every starter fails; every language's brute force passes the small tests and
    times out on the first large one."""
    checks: list[Check] = []

    def note(check: Check) -> None:
        checks.append(check)
        progress(check)

    findings = check_problem(problem)
    detail = "; ".join(findings[:3]) + (
        f" (+{len(findings) - 3} more)" if len(findings) > 3 else ""
    )
    note(Check(problem.id, "-", "constraints", not findings, detail))
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
        note(_brute_force_check(runner, problem, language, large))
    return checks


def _reference_check(problem: Problem, language: str, result: ExecutionResult) -> Check:
    slowest = max(result.tests, key=lambda t: t.time_ms or 0.0, default=None)
    slowest_ms = (slowest.time_ms or 0.0) if slowest is not None else 0.0
    if result.status == "accepted":
        limit_ms = problem.time_limit(language) * 1000
        ratio = slowest_ms / limit_ms
        name = slowest.name if slowest is not None else "-"
        detail = (
            f"slowest test {name!r}: {slowest_ms:.0f} ms = {ratio:.2f} of the "
            f"{problem.time_limit(language):g} s limit"
        )
        if ratio > HEADROOM:
            detail += f" (at most {HEADROOM:g} allowed: raise time_limits.{language})"
        return Check(problem.id, language, "reference", ratio <= HEADROOM, detail, slowest_ms)
    if result.compile is not None and result.compile.status != "accepted":
        return Check(problem.id, language, "reference", False, result.compile.output[-800:])
    failed = next((t for t in result.tests if t.status != "accepted"), None)
    detail = f"{failed.name}: {failed.status}: {failed.message or ''}"[:800] if failed else ""
    return Check(problem.id, language, "reference", False, detail or str(result.status))


def _brute_force_check(
    runner: ProblemRunner, problem: Problem, language: str, large: list[CallTest]
) -> Check:
    """The slow solution passes the small tests and times out on the first large one."""
    brute_force = problem.brute_force.get(language)
    if brute_force is None:
        ok = problem.source != "bank"  # a bank problem separates the solutions in every language
        detail = "" if ok else f"no brute_force.{language}: the large tests are unproven here"
        return Check(problem.id, language, "brute force", ok, detail)
    small = runner.run(problem, language, brute_force, problem.stored_tests())
    if small.status != "accepted":
        failed = next((t for t in small.tests if t.status != "accepted"), None)
        if failed is not None:
            what = f"{failed.name}: {failed.status}: {failed.message or ''}"[:400]
        elif small.compile is not None and small.compile.status != "accepted":
            what = f"compilation: {small.compile.output[-400:]}"
        else:
            what = str(small.status)
        return Check(problem.id, language, "brute force", False, f"fails small test {what}")
    slow = runner.run(problem, language, brute_force, large[:1])
    verdicts = {t.name: t.status for t in slow.tests}
    if "time_limit_exceeded" in verdicts.values():
        return Check(problem.id, language, "brute force", True, "times out on the large test")
    return Check(
        problem.id,
        language,
        "brute force",
        False,
        f"the large tests do not separate it: {verdicts}",
    )


@dataclass
class Calibration:
    """How fast one language's reference and brute force are, and the limit that parts them."""

    problem: str
    language: str
    reference_ms: float | None
    """The reference's slowest test (None: it failed; see ``note``)."""
    brute_force_ms: float | None
    """The brute force on the first large test (None: none, it failed, or it ran out of
    even the generous calibration limit; see ``note``)."""
    limit_s: float
    suggested_s: float | None
    note: str = ""
    brute_force_over_s: float | None = None
    """Set when the brute force ran out of the calibration limit (it needs more than this)."""

    def as_dict(self) -> dict[str, object]:
        return {
            "problem": self.problem,
            "language": self.language,
            "reference_ms": self.reference_ms,
            "brute_force_ms": self.brute_force_ms,
            "limit_s": self.limit_s,
            "suggested_s": self.suggested_s,
            "brute_force_over_s": self.brute_force_over_s,
            "note": self.note,
        }


def suggested_limit(reference_ms: float) -> float:
    """``max(3 x reference, 0.3 s)`` rounded up to a tenth of a second."""
    seconds = max(SUGGESTION_FACTOR * reference_ms / 1000, SUGGESTION_FLOOR_S)
    return math.ceil(round(seconds * 10, 6)) / 10


def calibrate(
    runner: ProblemRunner,
    problem: Problem,
    language: str,
    generous_s: float = CALIBRATION_LIMIT_S,
) -> Calibration:
    """Time ``language``'s reference on every test and its brute force on the first large
    test, both with a generous limit, and suggest the limit that separates them."""
    limit = problem.time_limit(language)
    large = runner.large_tests(problem)
    tests = [*problem.stored_tests(), *large]
    result = runner.run(
        problem, language, problem.solutions[language], tests, time_limit_s=generous_s
    )
    notes: list[str] = []
    reference_ms: float | None = None
    if result.status == "accepted":
        reference_ms = max((t.time_ms or 0.0 for t in result.tests), default=0.0)
    else:
        notes.append(f"the reference fails: {_reference_check(problem, language, result).detail}")
    brute_force_ms: float | None = None
    over: float | None = None
    source = problem.brute_force.get(language)
    if source is None:
        notes.append("no brute force")
    elif large:
        slow = runner.run(problem, language, source, large[:1], time_limit_s=generous_s)
        test = slow.tests[0] if slow.tests else None
        if test is not None and test.status == "accepted":
            brute_force_ms = test.time_ms or 0.0
        elif test is not None and test.status == "time_limit_exceeded":
            over = generous_s
        else:
            status = test.status if test is not None else slow.status
            notes.append(f"the brute force fails the large test: {status}")
    suggested = suggested_limit(reference_ms) if reference_ms is not None else None
    if (
        suggested is not None
        and brute_force_ms is not None
        and suggested * 1000 > brute_force_ms / 2
    ):
        notes.append("the brute force is within 2x of the suggestion: make the large test larger")
    return Calibration(
        problem.id,
        language,
        reference_ms,
        brute_force_ms,
        limit,
        suggested,
        "; ".join(notes),
        over,
    )
