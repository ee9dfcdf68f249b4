"""Which tests failed and how to name them; a failure on a hidden test (never its input)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from interviewkit.assistant.tutor.diagnostics import DIAGNOSTICS
from interviewkit.assistant.tutor.problem import constraints_section
from interviewkit.execution.schemas import ExecutionResult, TestResult
from interviewkit.problems.bank import Problem


def failing_tests(result: ExecutionResult) -> list[TestResult]:
    """The tests that did not pass, in the run's order."""
    return [test for test in result.tests if test.status != "accepted"]


def first_visible(tests: Iterable[TestResult], status: str | None = None) -> TestResult | None:
    """The first test the candidate may see (optionally with ``status``): only its input
    and values may be quoted."""
    return next((t for t in tests if not t.hidden and (status is None or t.status == status)), None)


def failed_summary(result: ExecutionResult) -> str:
    """How many tests failed and how many of them are hidden, as a candidate reads it."""
    failing = failing_tests(result)
    hidden = sum(1 for test in failing if test.hidden)
    text = f"{len(failing)} of {result.total} test{'s' if result.total != 1 else ''} failed"
    if hidden:
        text += ", all hidden" if hidden == len(failing) else f", {hidden} of them hidden"
    return text


def where_failed(test: TestResult | None) -> str:
    """Which test failed, for a headline; a hidden test is never named."""
    if test is None:
        return ""
    return " on a hidden test" if test.hidden else f" on test `{test.name}`"


def hidden_failure(
    result: ExecutionResult, what: str, language: str, problem: Problem | None
) -> str:
    """A hidden test failed: say so, suggest edge cases, never show its input."""
    lines = [
        f"**A hidden test {what}** ({failed_summary(result)}). Hidden inputs are not shown, but "
        "your visible tests pass, so think about cases the examples do not cover:",
        "",
    ]
    lines += [f"- {case}" for case in edge_cases(problem)]
    overflow = overflow_note(problem, language)
    if overflow:
        lines.append(f"- {overflow}")
    constraints = constraints_section(problem.statement) if problem else None
    if constraints:
        lines += ["", "Check the extremes the constraints allow:", "", constraints]
    return "\n".join(lines)


def edge_cases(problem: Problem | None) -> list[str]:
    """Edge cases worth a test, from the parameter types (all of them without a problem)."""
    types = {p.type for p in problem.signature.params} if problem else {"int[]", "int"}
    cases: list[str] = []
    if any(t.endswith("[]") for t in types):
        cases += ["empty input", "a single element", "duplicates", "all elements equal"]
        cases.append("already sorted or reverse-sorted input")
    if any(t.startswith(("int", "long", "double")) for t in types):
        cases += ["negative numbers and zero", "very large values"]
    if any(t.startswith("string") for t in types):
        cases += ["an empty string", "a single character", "repeated characters"]
    return cases or ["the smallest and the largest inputs the constraints allow"]


_BIG_VALUES = re.compile(r"10\s*\^\s*(9|1\d)|\b[1-9]\d{9,}\b|2\s*\^\s*31|2\*\*31")


def overflow_note(problem: Problem | None, language: str) -> str | None:
    spec = DIAGNOSTICS.get(language)
    wide = spec.wide_integer if spec is not None else None
    if problem is None or wide is None:
        return None
    constraints = constraints_section(problem.statement) or ""
    if not _BIG_VALUES.search(constraints):
        return None
    return (
        "overflow: values near 10^9 overflow a 32-bit int when added or multiplied; "
        f"use `{wide}` for sums and products"
    )
