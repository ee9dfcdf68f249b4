"""Restating the problem: the statement's summary, signature, constraints and examples,
and what the input size allows. Only what a candidate may see is used."""

from __future__ import annotations

import re

from interviewkit.assistant.tutor.text import arguments_text, brief
from interviewkit.problems.bank import Problem
from interviewkit.problems.statement import DIFFERENCE_LEAD, LANGUAGE_NAMES, time_limit_line

_CONSTRAINT_WORDS = re.compile(
    r"\bconstraints?\b|\binput size\b|\bhow (big|large|long)\b|\bbounds?\b|\brange of\b",
    re.IGNORECASE,
)
_EXAMPLE_WORDS = re.compile(r"\bexamples?\b", re.IGNORECASE)


def problem_answer(problem: Problem | None, question: str = "", language: str | None = None) -> str:
    """Restate the statement: what to compute, the signature, the constraints, examples.

    ``language`` (the session's) picks the time limit to state: limits are per language."""
    if problem is None:
        return "This session has no problem attached, so I have no statement to restate."
    constraints = constraints_section(problem.statement)
    if _CONSTRAINT_WORDS.search(question) and constraints:
        return "\n\n".join([_constraints_block(constraints), _signature_line(problem, language)])
    if _EXAMPLE_WORDS.search(question):
        return "\n\n".join([_signature_line(problem, language), _examples_block(problem)])
    parts = [
        f"**{problem.title}** ({problem.difficulty}): {_summary(problem.description)}",
        *(f"{DIFFERENCE_LEAD} {line.strip()}" for line in problem.differences),
        _signature_line(problem, language),
        _constraints_block(constraints),
        _examples_block(problem),
    ]
    return "\n\n".join(part for part in parts if part)


def _summary(description: str) -> str:
    """The first paragraph, joined into one line (it says what to compute)."""
    paragraph = description.strip().split("\n\n", 1)[0]
    return " ".join(line.strip() for line in paragraph.splitlines())


def signature_text(problem: Problem) -> str:
    params = ", ".join(f"{p.name}: {p.type}" for p in problem.signature.params)
    return f"{problem.entry_point}({params}) -> {problem.signature.returns}"


def _time_limit(problem: Problem, language: str | None) -> str:
    """The session language's limit; without one, every language's when they differ."""
    if language is not None and language in problem.languages:
        name = LANGUAGE_NAMES.get(language, language)
        return f"time limit {problem.time_limit(language):g} s per run in {name}"
    every = time_limit_line(problem)
    if every is not None:
        return f"time limits per run: {every}"
    return f"time limit {problem.time_limit_s:g} s per run"


def _signature_line(problem: Problem, language: str | None = None) -> str:
    limit = _time_limit(problem, language)
    return f"**Signature:** `{signature_text(problem)}`; {limit}."


_SECTION = re.compile(r"^\s*(\*\*|#+\s*)?constraints?\b[^\n]*$", re.IGNORECASE | re.MULTILINE)
_NEXT_SECTION = re.compile(r"^\s*(\*\*[^*]+\*\*\s*:?\s*$|#+\s)", re.MULTILINE)


def constraints_section(description: str) -> str | None:
    """The **Constraints** section verbatim (without its heading), if the statement has one."""
    found = _SECTION.search(description)
    if found is None:
        return None
    rest = description[found.end() :]
    end = _NEXT_SECTION.search(rest)
    text = (rest[: end.start()] if end else rest).strip()
    return text or None


def _constraints_block(constraints: str | None) -> str:
    if constraints is None:
        return "The statement lists no explicit constraints."
    budget = size_budget(constraints)
    note = f"\n\n{budget}" if budget else ""
    return f"**Constraints**\n\n{constraints}{note}"


def _examples_block(problem: Problem) -> str:
    lines = [
        f"- `{problem.entry_point}({arguments_text(problem, test.input)})`"
        f" -> `{brief(test.expected)}`"
        for test in problem.tests
    ]
    return "**Examples**\n\n" + "\n".join(lines)


_NUMBER = (
    r"(?:(?P<mul>\d+)\s*\*\s*)?10\s*(?:\^|\*\*)\s*(?P<exp>\d+)"
    r"|(?P<e1>\d+)[eE](?P<e2>\d+)|(?P<num>\d[\d_]*)"
)
_SIZE_BOUND = re.compile(
    r"(?:\blength\)?|\bsize(?:\(\))?|\b[nNmMV]|\bnumber of \w+|\bnum[A-Z]\w*|\brows|\bcols"
    r"|\bcount)\s*<=?\s*(?:" + _NUMBER + ")"
)
_RANGE_BOUND = re.compile(r"\bnumber of \w+[^\[\n]*\[\s*-?\d+\s*,\s*(?:" + _NUMBER + r")\s*\]")
"""A size written LeetCode's way for trees and lists: "The number of nodes in `root` (tree)
is in the range `[0, 10^4]`" (how the statement renders a ListNode/TreeNode's length)."""


def _bound_value(match: re.Match[str]) -> int:
    if match.group("exp"):
        return int(match.group("mul") or 1) * int(10 ** int(match.group("exp")))
    if match.group("e1"):
        return int(match.group("e1")) * int(10 ** int(match.group("e2")))
    return int(match.group("num").replace("_", ""))


def _largest_size(constraints: str) -> int | None:
    """The largest bound the constraints put on an input size (a length, n, a count)."""
    found = [*_SIZE_BOUND.finditer(constraints), *_RANGE_BOUND.finditer(constraints)]
    return max((_bound_value(m) for m in found), default=None)


def size_budget(constraints: str) -> str | None:
    """What the input size allows, at roughly 10^8 simple steps per second."""
    size = _largest_size(constraints)
    if size is None:
        return None
    other = " (check the other bounds, such as values or amounts, too)"
    if size <= 20:
        fits = "the length alone allows even O(2^n)" + other
    elif size <= 500:
        fits = "O(n^3) still fits" + other
    elif size <= 5_000:
        fits = "O(n^2) fits" + other
    elif size <= 1_000_000:
        fits = f"O(n^2) is about {_power(size * size)} steps, too slow: aim for O(n log n) or O(n)"
    else:
        fits = "only O(n) or better (O(log n) per query) fits"
    return f"Input size: up to {size:,} elements, so {fits}."


def _power(value: int) -> str:
    digits = len(str(value)) - 1
    return f"10^{digits}"
