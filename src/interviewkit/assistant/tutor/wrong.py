"""Wrong answers: the failing test's input, expected and actual values, where they first
differ (as the judge decides it) and the usual patterns (order, off by one, no return)."""

from __future__ import annotations

import json
import re
from typing import Any

from interviewkit.assistant.tutor.failures import (
    failed_summary,
    failing_tests,
    first_visible,
    hidden_failure,
)
from interviewkit.assistant.tutor.text import brief, clip, first_line, input_text
from interviewkit.execution.compare import Comparison, first_difference, output_matches
from interviewkit.execution.schemas import ExecutionResult
from interviewkit.problems.bank import Problem


def explain_wrong(
    result: ExecutionResult, language: str, files: dict[str, str], problem: Problem | None
) -> str:
    test = first_visible(failing_tests(result), "wrong_answer")
    if test is None:
        return hidden_failure(result, "returned a wrong answer", language, problem)
    lines = [f"**Wrong answer** on test `{test.name}` ({failed_summary(result)}).", ""]
    lines.append(f"- Input: `{input_text(test.input, problem)}`")
    lines.append(f"- Expected: `{brief(test.expected)}`")
    lines.append(f"- Your answer: `{brief(test.actual)}`")
    if test.message:
        lines.append(f"- The checker says: {first_line(test.message)}")
    rule = _rule(problem)
    lines += [f"- {note}" for note in _difference_notes(test.expected, test.actual, rule)]
    if test.stdout and isinstance(test.input, list):
        lines.append(
            "- Your function also printed output; printing is not returning: only the "
            "returned value is checked."
        )
    return "\n".join(lines)


def _difference_notes(expected: Any, actual: Any, rule: Comparison) -> list[str]:
    """Plain-language observations about how the answer differs from the expected one."""
    if actual is None and expected is not None:
        return [
            "Your function returned nothing (null/None): is there a path that ends without "
            "a return?"
        ]
    notes = [_first_difference(expected, actual, rule)]
    notes += _pattern_notes(expected, actual)
    return [note for note in notes if note]


_PATH = re.compile(r"^((?:\[\d+\])*):?\s*")


def _first_difference(expected: Any, actual: Any, rule: Comparison) -> str | None:
    """Where the answer first differs, as the judge sees it, in the candidate's words.

    The judge (:func:`interviewkit.execution.compare.first_difference`) decides whether
    and where two values differ under the problem's rule (a float tolerance, any order), so
    the tutor never points at a difference the judge accepted; it only words the place.
    """
    if isinstance(expected, str) and isinstance(actual, str):
        return _text_difference(expected, actual, "", rule)
    found = first_difference(expected, actual, rule)
    if found is None:
        return None
    if rule.unordered and isinstance(expected, list) and isinstance(actual, list):
        return f"First difference (any order is accepted): {found}."
    path = _PATH.match(found)
    want, got, where = expected, actual, ""
    for index in re.findall(r"\d+", path.group(1) if path else ""):
        want, got, where = want[int(index)], got[int(index)], f"{where}[{index}]"
    rest = found[path.end() :] if path else found
    if rest.startswith("length:") and isinstance(want, list) and isinstance(got, list):
        return _length_difference(want, got, where)
    return _leaf_difference(want, got, where, rule)


def _leaf_difference(expected: Any, actual: Any, where: str, rule: Comparison) -> str:
    if isinstance(expected, str) and isinstance(actual, str):
        return _text_difference(expected, actual, where, rule)
    at = f"at {where}: " if where else ""
    if type(expected) is not type(actual) and not _both_numbers(expected, actual):
        return (
            f"First difference {at}expected a {_kind(expected)} but got a {_kind(actual)} "
            f"(`{brief(actual)}`)."
        )
    return f"First difference {at}expected `{brief(expected)}`, got `{brief(actual)}`."


def _length_difference(expected: list[Any], actual: list[Any], where: str) -> str:
    label = where or "the answer"
    if len(actual) < len(expected):
        missing = brief(expected[len(actual)])
        return (
            f"{label} is too short: {len(actual)} elements instead of {len(expected)}; the "
            f"first missing one is `{missing}`."
        )
    extra = brief(actual[len(expected)])
    return (
        f"{label} is too long: {len(actual)} elements instead of {len(expected)}; the first "
        f"extra one is `{extra}`."
    )


def _text_difference(expected: str, actual: str, where: str, rule: Comparison) -> str:
    want_lines, got_lines = expected.rstrip("\n").split("\n"), actual.rstrip("\n").split("\n")
    if len(want_lines) > 1 or len(got_lines) > 1:
        for number, (want, got) in enumerate(zip(want_lines, got_lines, strict=False), 1):
            if not output_matches(want, got, rule):  # the judge's rule for a line of output
                return f"Output line {number} differs: expected `{clip(want)}`, got `{clip(got)}`."
        return f"Expected {len(want_lines)} lines of output, got {len(got_lines)}."
    position = next(
        (i for i, (a, b) in enumerate(zip(expected, actual, strict=False)) if a != b),
        min(len(expected), len(actual)),
    )
    label = f" in {where}" if where else ""
    return (
        f"The strings{label} first differ at character {position} (0-based): expected "
        f"`{clip(expected[position : position + 20]) or '(end)'}`, got "
        f"`{clip(actual[position : position + 20]) or '(end)'}`."
    )


def _pattern_notes(expected: Any, actual: Any) -> list[str]:
    if _reordered(expected, actual):
        return [
            "Same elements in a different order: check the order the problem asks for "
            "(e.g. smaller index first, sorted output)."
        ]
    return _number_notes(expected, actual) if _both_numbers(expected, actual) else []


def _reordered(expected: Any, actual: Any) -> bool:
    if not (isinstance(expected, list) and isinstance(actual, list)) or expected == actual:
        return False
    return sorted(map(json.dumps, expected)) == sorted(map(json.dumps, actual))


def _number_notes(expected: float, actual: float) -> list[str]:
    if abs(expected - actual) == 1:
        return ["Off by one: check loop bounds, < vs <=, and 0- vs 1-based counting."]
    if actual == -expected:
        return ["Right magnitude, wrong sign."]
    if actual < 0 < expected:
        return ["A negative result where a positive one is expected: integer overflow?"]
    return []


def _both_numbers(a: Any, b: Any) -> bool:
    return all(isinstance(v, int | float) and not isinstance(v, bool) for v in (a, b))


def _kind(value: Any) -> str:
    kinds = {bool: "boolean", int: "number", float: "number", str: "string", list: "list"}
    return kinds.get(type(value), "null" if value is None else type(value).__name__)


def _rule(problem: Problem | None) -> Comparison:
    """The judge's rule for the problem's answers (exact, in order, without a problem)."""
    if problem is None:
        return Comparison()
    return Comparison(float_tolerance=problem.float_tolerance, unordered=problem.unordered)
