"""The offline assistant: a rule-based tutor that answers from real signals, not a model.

It works with no network and no LLM, so every session has an assistant that is honest about
what it knows: the last execution result (tracebacks, compiler errors, failing tests,
verdicts), the problem's public statement, tags and graded hints, and the candidate's own
files. It never writes solution code: at most it quotes one line of the candidate's code or
one short expression, whatever the policy, because the interviewer reads the conversation
and the interview is about the candidate's work.

Only what a candidate may see is used: the statement, tags, signature, visible examples and
hints (released in order). Hidden tests' inputs, reference solutions, follow-ups and the
rubric never appear, even if a caller passes a result that still carries hidden inputs.

Public API: :func:`reply`, :func:`wants_hint`, :func:`explain_result`,
:func:`error_location` and the :data:`COMMON_ERRORS` table.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from interviewkit.ai.context import AssistantContext
from interviewkit.execution.schemas import ExecutionResult, TestResult
from interviewkit.problems.bank import Problem

__all__ = [
    "COMMON_ERRORS",
    "ErrorInfo",
    "error_location",
    "explain_result",
    "reply",
    "wants_hint",
]

Intent = Literal["hint", "solution", "complexity", "failure", "problem", "other"]

# ------------------------------------------------------------------------------- intents

_STRONG_HINT = re.compile(r"\b(hints?|nudge|stuck|clue)\b", re.IGNORECASE)
_WEAK_HINT = re.compile(
    r"\bhelp me\b|\bwhat should i do\b|\bwhere (do|should) i (start|begin)\b|\bno idea\b"
    r"|\bhow (do|should) i (start|approach|begin)\b|\bi'?m lost\b",
    re.IGNORECASE,
)
_SOLUTION = re.compile(
    r"\b(write|give|show|tell)\b.{0,30}\b(solution|answer|code|implementation)\b"
    r"|\bsolve (it|this)\b|\bfull (solution|code)\b",
    re.IGNORECASE,
)
_COMPLEXITY = re.compile(
    r"\bcomplexit|\bbig[- ]?o\b|\bo\(|\btoo slow\b|\bfaster\b|\bspeed (it )?up\b|\boptimi[sz]"
    r"|\befficien|\bperformance\b",
    re.IGNORECASE,
)
_FAILURE = re.compile(
    r"\bwhy\b|\bfail|\bwrong\b|\berrors?\b|\bbug|\bcrash|\bexception|\btraceback\b"
    r"|\bbroken\b|\bdoes ?n[o']t work|\bnot working\b|\bwhat happened\b|\bsegfault"
    r"|\bcompil|\bdebug|\bexplain (the|my|this) (run|result|output|error)|\bverdict\b"
    r"|\btime limit\b|\btimeout\b|\bmemory limit\b|\bpass(ed|ing)?\b|\bissue\b"
    r"|\bwhat'?s the problem with\b|\bwhat (went|is) wrong\b",
    re.IGNORECASE,
)
_PROBLEM = re.compile(
    r"\bconstraints?\b|\binput size\b|\bhow (big|large|long)\b|\bexamples?\b|\bstatement\b"
    r"|\bsignature\b|\brestate\b|\bproblem\b|\bquestion\b|\bwhat (do|does|should) .{0,20}"
    r"\b(ask|return|want|take|mean)|\brequirements?\b|\bbounds?\b|\brange of\b",
    re.IGNORECASE,
)
_CONSTRAINT_WORDS = re.compile(
    r"\bconstraints?\b|\binput size\b|\bhow (big|large|long)\b|\bbounds?\b|\brange of\b",
    re.IGNORECASE,
)
_EXAMPLE_WORDS = re.compile(r"\bexamples?\b", re.IGNORECASE)


_ORDERED: tuple[tuple[Intent, re.Pattern[str]], ...] = (
    ("complexity", _COMPLEXITY),
    ("failure", _FAILURE),
    ("problem", _PROBLEM),
)


def _intent(question: str) -> Intent:
    """What the candidate asks for; "help me" loses to a more specific request."""
    if _STRONG_HINT.search(question):
        return "hint"
    if _SOLUTION.search(question):
        return "solution"
    for intent, pattern in _ORDERED:
        if pattern.search(question):
            return intent
    return "hint" if _WEAK_HINT.search(question) else "other"


def wants_hint(question: str) -> bool:
    """True when :func:`reply` answers ``question`` by releasing the next hint.

    The caller counts released hints with it; :func:`reply` gives nothing new once all the
    problem's hints are out, so the count should stop at ``len(problem.hints)``.
    """
    return _intent(question) == "hint"


# --------------------------------------------------------------------------------- reply


def reply(context: AssistantContext, question: str) -> str:
    """The whole answer to ``question`` as Markdown, from the session's real signals."""
    intent = _intent(question)
    if intent == "hint":
        return _hint_answer(context)
    if intent == "solution":
        return _solution_refusal(context)
    if intent == "complexity":
        return _complexity_answer(context)
    if intent == "failure":
        return _failure_answer(context)
    if intent == "problem":
        return _problem_answer(context.problem, question)
    if _failed(context.last_result):
        return "Here is what happened in your last run.\n\n" + _failure_answer(context)
    return _capabilities()


def _failed(result: ExecutionResult | None) -> bool:
    return result is not None and result.status not in (None, "accepted")


_CAN_DO = (
    "- **explain your last run**: why it failed, which test, expected vs. actual, and the "
    "line an error points at (ask *why did it fail?*);\n"
    "- **give the problem's hints**, one at a time and in order (ask *hint*);\n"
    "- **restate the problem**, its signature, constraints and examples (ask *what are the "
    "constraints?*);\n"
    "- **discuss complexity**: what the input size and the problem's topics call for (ask "
    "*what complexity should I aim for?*)."
)


def _capabilities() -> str:
    return (
        "I am the offline assistant: I work without an AI model, so I cannot hold a free "
        f"conversation or write the solution for you. I can:\n\n{_CAN_DO}"
    )


def _solution_refusal(context: AssistantContext) -> str:
    left = _hints_left(context)
    offer = (
        f"If you are stuck, ask for a **hint** ({left} left)."
        if left
        else "Run your code and ask me why it fails, or ask about the complexity to aim for."
    )
    return (
        "I can't write the solution for you: the interview is about your approach and "
        f"your code. {offer} I can also:\n\n{_CAN_DO}"
    )


# --------------------------------------------------------------------------------- hints


def _hints_left(context: AssistantContext) -> int:
    if context.problem is None:
        return 0
    return max(0, len(context.problem.hints) - context.hints_released)


def _hint_answer(context: AssistantContext) -> str:
    """The next hint in order (hints are graded: each gives away more than the last)."""
    problem = context.problem
    if problem is None or not problem.hints:
        return (
            "This session has no problem with hints attached, so I have none to give. "
            "Describe your approach in a comment, run your code, and I can explain the result."
        )
    hints, given = problem.hints, max(0, context.hints_released)
    if given >= len(hints):
        return (
            f"You have had all {len(hints)} hints. Re-read the last one; it is the closest "
            f"to the approach:\n\n> {hints[-1]}\n\n"
            "Then run your code and ask me to explain the result."
        )
    after = (
        "Ask again if you want the next one."
        if given + 1 < len(hints)
        else "That was the last hint."
    )
    return f"**Hint {given + 1} of {len(hints)}:** {hints[given]}\n\n{after}"


# ------------------------------------------------------------------------------- problem


def _problem_answer(problem: Problem | None, question: str = "") -> str:
    """Restate the statement: what to compute, the signature, the constraints, examples."""
    if problem is None:
        return "This session has no problem attached, so I have no statement to restate."
    constraints = _constraints(problem.description)
    if _CONSTRAINT_WORDS.search(question) and constraints:
        return "\n\n".join([_constraints_block(constraints), _signature_line(problem)])
    if _EXAMPLE_WORDS.search(question):
        return "\n\n".join([_signature_line(problem), _examples_block(problem)])
    parts = [
        f"**{problem.title}** ({problem.difficulty}): {_summary(problem.description)}",
        _signature_line(problem),
        _constraints_block(constraints),
        _examples_block(problem),
    ]
    return "\n\n".join(part for part in parts if part)


def _summary(description: str) -> str:
    """The first paragraph, joined into one line (it says what to compute)."""
    paragraph = description.strip().split("\n\n", 1)[0]
    return " ".join(line.strip() for line in paragraph.splitlines())


def _signature(problem: Problem) -> str:
    params = ", ".join(f"{p.name}: {p.type}" for p in problem.signature.params)
    return f"{problem.entry_point}({params}) -> {problem.signature.returns}"


def _signature_line(problem: Problem) -> str:
    return f"**Signature:** `{_signature(problem)}`; time limit {problem.time_limit_s:g} s per run."


_SECTION = re.compile(r"^\s*(\*\*|#+\s*)?constraints?\b[^\n]*$", re.IGNORECASE | re.MULTILINE)
_NEXT_SECTION = re.compile(r"^\s*(\*\*[^*]+\*\*\s*:?\s*$|#+\s)", re.MULTILINE)


def _constraints(description: str) -> str | None:
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
    budget = _size_budget(constraints)
    note = f"\n\n{budget}" if budget else ""
    return f"**Constraints**\n\n{constraints}{note}"


def _examples_block(problem: Problem) -> str:
    lines = [
        f"- `{problem.entry_point}({_arguments(problem, test.input)})` -> `{_short(test.expected)}`"
        for test in problem.tests
    ]
    return "**Examples**\n\n" + "\n".join(lines)


# ---------------------------------------------------------------------------- complexity

GENERIC_TAGS = frozenset({"arrays", "strings", "matrices"})
COMPLEXITY_BY_TAG: Mapping[str, str] = {
    "hashing": "O(n) with a hash map or set: one pass, O(1) average lookups instead of an "
    "inner loop",
    "two-pointers": "O(n) with two indexes that only move inward (or forward); each element "
    "is looked at once",
    "sliding-window": "O(n) with a sliding window: each element enters and leaves the window once",
    "binary-search": "O(log n) per query with binary search (O(n log n) or O(n log range) "
    "when you binary-search the answer)",
    "heaps": "O(n log k) with a heap of size k (O(n log n) at most)",
    "dynamic-programming": "polynomial time by memoising or tabulating subproblems: never "
    "recompute a state (typically O(n) or O(n*m) states)",
    "graphs": "O(V+E): visit every node and edge once",
    "bfs": "O(V+E) with BFS (O(rows*cols) on a grid): mark nodes visited when you enqueue them",
    "dfs": "O(V+E) with DFS (O(rows*cols) on a grid): mark nodes visited so none is expanded twice",
    "shortest-paths": "O((V+E) log V) with Dijkstra and a binary heap",
    "topological-sort": "O(V+E) with Kahn's algorithm (a queue of in-degree-0 nodes) or DFS",
    "trees": "O(n): visit each node once; the recursion depth is the tree's height",
    "stacks": "O(n) with a stack: each element is pushed and popped at most once",
    "prefix-sums": "O(n): compute running totals once, then each range costs O(1)",
    "greedy": "O(n), or O(n log n) with one sort: a single pass making the locally best choice",
    "intervals": "O(n log n): sort by start, then one pass",
    "sorting": "O(n log n): sort once, then a linear pass",
    "linked-lists": "O(n) time and O(1) extra space by relinking nodes (O(N log k) to merge k "
    "lists with a heap)",
    "arrays": "O(n) or O(n log n): one or two passes over the array",
    "strings": "O(n) over the characters; avoid building new strings inside a loop",
    "matrices": "O(rows*cols): touch each cell a constant number of times",
}
"""The complexity a problem's topic calls for, in words a candidate can act on."""


def _complexity_targets(problem: Problem | None) -> list[str]:
    if problem is None:
        return []
    specific = [tag for tag in problem.tags if tag in COMPLEXITY_BY_TAG]
    chosen = [tag for tag in specific if tag not in GENERIC_TAGS] or specific
    return [f"{COMPLEXITY_BY_TAG[tag]} ({tag})" for tag in chosen]


def _complexity_answer(context: AssistantContext) -> str:
    problem = context.problem
    targets = _complexity_targets(problem)
    if problem is None or not targets:
        return (
            "Without a problem attached I can only give the rule of thumb: about 10^8 simple "
            "steps per second. n <= 20: exponential is fine; n <= 500: O(n^3); n <= 5,000: "
            "O(n^2); n <= 10^6: O(n log n) or O(n); beyond that, O(n) or O(log n)."
        )
    lines = [f"**Complexity to aim for** ({', '.join(problem.tags)}):", ""]
    lines += [f"- {target}" for target in targets]
    constraints = _constraints(problem.description)
    budget = _size_budget(constraints) if constraints else None
    if budget:
        lines += ["", budget]
    result = context.last_result
    if result is not None and result.status == "time_limit_exceeded":
        lines += ["", "Your last run exceeded the time limit: the current approach is too slow."]
    loops = _nested_loops_in(context.files, context.language or "")
    if loops:
        lines += ["", loops]
    return "\n".join(lines)


_NUMBER = (
    r"(?:(?P<mul>\d+)\s*\*\s*)?10\s*(?:\^|\*\*)\s*(?P<exp>\d+)"
    r"|(?P<e1>\d+)[eE](?P<e2>\d+)|(?P<num>\d[\d_]*)"
)
_SIZE_BOUND = re.compile(
    r"(?:\blength|\bsize(?:\(\))?|\b[nNmMV]|\bnumber of \w+|\bnum[A-Z]\w*|\brows|\bcols"
    r"|\bcount)\s*<=?\s*(?:" + _NUMBER + ")"
)


def _bound_value(match: re.Match[str]) -> int:
    if match.group("exp"):
        return int(match.group("mul") or 1) * int(10 ** int(match.group("exp")))
    if match.group("e1"):
        return int(match.group("e1")) * int(10 ** int(match.group("e2")))
    return int(match.group("num").replace("_", ""))


def _largest_size(constraints: str) -> int | None:
    """The largest bound the constraints put on an input size (a length, n, a count)."""
    return max((_bound_value(m) for m in _SIZE_BOUND.finditer(constraints)), default=None)


def _size_budget(constraints: str) -> str | None:
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


# -------------------------------------------------------------------------- the last run


def _failure_answer(context: AssistantContext) -> str:
    result = context.last_result
    if result is None:
        return (
            "You have not run your code yet in this session. Run it (or run the tests) and "
            "ask me again: I will explain what happened."
        )
    language = context.language or result.language
    return explain_result(result, language, context.files, context.problem)


def explain_result(
    result: ExecutionResult, language: str, files: dict[str, str], problem: Problem | None
) -> str:
    """Explain a run in plain language: the verdict, where, why, and what to check next.

    Hidden tests are only ever named as "a hidden test": their inputs, expected values and
    messages are never shown, even if ``result`` was not filtered with ``for_candidate``.
    """
    if result.state != "finished" or result.status is None:
        return "Your code is still running; ask again when the result is in."
    explain = _EXPLAINERS.get(result.status, _explain_internal)
    return explain(result, language or result.language, files, problem)


Explainer = Callable[[ExecutionResult, str, dict[str, str], Problem | None], str]


def _explain_accepted(
    result: ExecutionResult, language: str, files: dict[str, str], problem: Problem | None
) -> str:
    if not result.tests:
        return (
            "Your program ran without errors (exit code 0). No tests were checked, so run the "
            "tests to check the answers."
        )
    hidden = any(test.hidden for test in result.tests)
    scope = " including the hidden ones" if hidden else ""
    lines = [f"**Accepted**: all {result.total} tests passed{scope}. Well done!", ""]
    lines.append("Before moving on, be ready to discuss:")
    lines.append("- the time and space complexity of your solution;")
    lines += [f"- this problem's target: {t};" for t in _complexity_targets(problem)]
    lines.append("- edge cases the tests may not cover: " + ", ".join(_edge_cases(problem)) + ";")
    prints = _debug_prints(files, language)
    if prints:
        lines.append(f"- leftover debug output at {prints}: remove it for clean code.")
    else:
        lines.append("- names and structure: would a colleague read it easily?")
    return "\n".join(lines)


def _explain_internal(
    result: ExecutionResult, language: str, files: dict[str, str], problem: Problem | None
) -> str:
    return (
        "The platform failed to run your code (an internal error, not a problem with your "
        "code). Run it again; if it keeps failing, tell the interviewer."
    )


def _failing(result: ExecutionResult) -> list[TestResult]:
    return [test for test in result.tests if test.status != "accepted"]


def _first_visible(tests: Iterable[TestResult], status: str | None = None) -> TestResult | None:
    return next((t for t in tests if not t.hidden and (status is None or t.status == status)), None)


def _test_count(result: ExecutionResult) -> str:
    failing = _failing(result)
    hidden = sum(1 for test in failing if test.hidden)
    text = f"{len(failing)} of {result.total} test{'s' if result.total != 1 else ''} failed"
    if hidden:
        text += ", all hidden" if hidden == len(failing) else f", {hidden} of them hidden"
    return text


# ------------------------------------------------------------------------- wrong answers


def _explain_wrong(
    result: ExecutionResult, language: str, files: dict[str, str], problem: Problem | None
) -> str:
    test = _first_visible(_failing(result), "wrong_answer")
    if test is None:
        return _hidden_failure(result, "returned a wrong answer", language, problem)
    lines = [f"**Wrong answer** on test `{test.name}` ({_test_count(result)}).", ""]
    lines.append(f"- Input: `{_input_text(test.input, problem)}`")
    lines.append(f"- Expected: `{_short(test.expected)}`")
    lines.append(f"- Your answer: `{_short(test.actual)}`")
    if test.message:
        lines.append(f"- The checker says: {_first_line(test.message)}")
    lines += [f"- {note}" for note in _difference_notes(test.expected, test.actual)]
    if test.stdout and isinstance(test.input, list):
        lines.append(
            "- Your function also printed output; printing is not returning: only the "
            "returned value is checked."
        )
    return "\n".join(lines)


def _hidden_failure(
    result: ExecutionResult, what: str, language: str, problem: Problem | None
) -> str:
    """A hidden test failed: say so, suggest edge cases, never show its input."""
    lines = [
        f"**A hidden test {what}** ({_test_count(result)}). Hidden inputs are not shown, but "
        "your visible tests pass, so think about cases the examples do not cover:",
        "",
    ]
    lines += [f"- {case}" for case in _edge_cases(problem)]
    overflow = _overflow_note(problem, language)
    if overflow:
        lines.append(f"- {overflow}")
    constraints = _constraints(problem.description) if problem else None
    if constraints:
        lines += ["", "Check the extremes the constraints allow:", "", constraints]
    return "\n".join(lines)


def _edge_cases(problem: Problem | None) -> list[str]:
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


def _overflow_note(problem: Problem | None, language: str) -> str | None:
    if problem is None or language not in ("java", "cpp"):
        return None
    constraints = _constraints(problem.description) or ""
    if not _BIG_VALUES.search(constraints):
        return None
    wide = "long" if language == "java" else "long long"
    return (
        "overflow: values near 10^9 overflow a 32-bit int when added or multiplied; "
        f"use `{wide}` for sums and products"
    )


def _difference_notes(expected: Any, actual: Any) -> list[str]:
    """Plain-language observations about how the answer differs from the expected one."""
    if actual is None and expected is not None:
        return [
            "Your function returned nothing (null/None): is there a path that ends without "
            "a return?"
        ]
    notes = [_first_difference(expected, actual)]
    notes += _pattern_notes(expected, actual)
    return [note for note in notes if note]


def _first_difference(expected: Any, actual: Any, where: str = "") -> str:
    """Where the two values first differ: index for lists, character/line for strings."""
    if isinstance(expected, list) and isinstance(actual, list):
        return _list_difference(expected, actual, where)
    if isinstance(expected, str) and isinstance(actual, str):
        return _text_difference(expected, actual, where)
    at = f"at {where}: " if where else ""
    if type(expected) is not type(actual) and not _both_numbers(expected, actual):
        return (
            f"First difference {at}expected a {_kind(expected)} but got a {_kind(actual)} "
            f"(`{_short(actual)}`)."
        )
    return f"First difference {at}expected `{_short(expected)}`, got `{_short(actual)}`."


def _list_difference(expected: list[Any], actual: list[Any], where: str) -> str:
    for index, (want, got) in enumerate(zip(expected, actual, strict=False)):
        if want != got or type(want) is not type(got):
            return _first_difference(want, got, f"{where}[{index}]")
    label = where or "the answer"
    if len(actual) < len(expected):
        missing = _short(expected[len(actual)])
        return (
            f"{label} is too short: {len(actual)} elements instead of {len(expected)}; the "
            f"first missing one is `{missing}`."
        )
    extra = _short(actual[len(expected)])
    return (
        f"{label} is too long: {len(actual)} elements instead of {len(expected)}; the first "
        f"extra one is `{extra}`."
    )


def _text_difference(expected: str, actual: str, where: str) -> str:
    want_lines, got_lines = expected.rstrip("\n").split("\n"), actual.rstrip("\n").split("\n")
    if len(want_lines) > 1 or len(got_lines) > 1:
        for number, (want, got) in enumerate(zip(want_lines, got_lines, strict=False), 1):
            if want.rstrip() != got.rstrip():
                return f"Output line {number} differs: expected `{_cut(want)}`, got `{_cut(got)}`."
        return f"Expected {len(want_lines)} lines of output, got {len(got_lines)}."
    position = next(
        (i for i, (a, b) in enumerate(zip(expected, actual, strict=False)) if a != b),
        min(len(expected), len(actual)),
    )
    label = f" in {where}" if where else ""
    return (
        f"The strings{label} first differ at character {position} (0-based): expected "
        f"`{_cut(expected[position : position + 20]) or '(end)'}`, got "
        f"`{_cut(actual[position : position + 20]) or '(end)'}`."
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


# ------------------------------------------------------------------------ runtime errors


@dataclass(frozen=True)
class ErrorInfo:
    """What an error usually means, and what to check first."""

    cause: str
    fix: str


COMMON_ERRORS: Mapping[str, Mapping[str, ErrorInfo]] = {
    "python": {
        "IndexError": ErrorInfo(
            "an index past the end of a list or string",
            "check loop bounds (range(len(x)) vs range(len(x) + 1)), i + 1 / i - 1 at the "
            "ends, and empty input",
        ),
        "KeyError": ErrorInfo(
            "a dictionary lookup for a key that is not there",
            "check `key in d` first, or use `d.get(key)`",
        ),
        "TypeError": ErrorInfo(
            "a value of the wrong type, often None where a list or number was expected",
            "check what each function returns, especially paths that return nothing",
        ),
        "ValueError": ErrorInfo(
            "a value of the right type but an invalid content (e.g. int('') or list.index "
            "of a missing item)",
            "check the value before converting or searching",
        ),
        "ZeroDivisionError": ErrorInfo(
            "a division or modulo by zero",
            "guard the divisor: what if a count, length or difference is 0?",
        ),
        "AttributeError": ErrorInfo(
            "a method or field used on an object that does not have it, often None",
            "check for None before using the value, and the method's spelling",
        ),
        "NameError": ErrorInfo(
            "a name that is not defined: a typo, or a module that is not imported",
            "check the spelling and the imports",
        ),
        "UnboundLocalError": ErrorInfo(
            "a local variable read before it is assigned (on some path)",
            "assign it before the branch or loop that may skip the assignment",
        ),
        "RecursionError": ErrorInfo(
            "recursion too deep: a missing base case, or input too large for recursion",
            "check the base case; for large inputs use a loop with an explicit stack",
        ),
        "MemoryError": ErrorInfo(
            "more memory than allowed", "avoid building huge lists or n*n tables"
        ),
        "StopIteration": ErrorInfo(
            "next() on an exhausted iterator", "give next() a default: next(it, None)"
        ),
        "OverflowError": ErrorInfo(
            "a number too large for a float", "keep integers as int; avoid float('inf') math"
        ),
        "AssertionError": ErrorInfo("an assert that failed", "check the asserted condition"),
        "ModuleNotFoundError": ErrorInfo(
            "an import the sandbox does not have", "use only the standard library"
        ),
        "SyntaxError": ErrorInfo(
            "Python cannot parse the file", "check brackets, colons and quotes near the line"
        ),
        "IndentationError": ErrorInfo(
            "the indentation is inconsistent", "indent every block with the same 4 spaces"
        ),
        "TabError": ErrorInfo("tabs and spaces are mixed", "indent with spaces only"),
    },
    "javascript": {
        "TypeError": ErrorInfo(
            "a value of the wrong type, most often undefined or null: an index past the end "
            "of an array, a missing key, or a function that returned nothing",
            "check array bounds (i < arr.length) and that every path returns a value",
        ),
        "ReferenceError": ErrorInfo(
            "a variable that is not declared (a typo), or used before its let/const line",
            "check the spelling and declare variables before use",
        ),
        "RangeError": ErrorInfo(
            "a value out of range: recursion too deep (call stack), an invalid array length, "
            "or a BigInt division by zero",
            "check the base case of recursive functions and the sizes you allocate",
        ),
        "SyntaxError": ErrorInfo(
            "JavaScript cannot parse the file",
            "check brackets, commas and parentheses on this line and the line before",
        ),
        "Error": ErrorInfo("an error thrown by your code", "check the condition that throws"),
    },
    "java": {
        "ArrayIndexOutOfBoundsException": ErrorInfo(
            "an array index past the end (or negative)",
            "valid indexes are 0 to length - 1; check loop bounds and i + 1 / i - 1",
        ),
        "StringIndexOutOfBoundsException": ErrorInfo(
            "a string index past the end (or negative)",
            "check charAt/substring bounds against length()",
        ),
        "IndexOutOfBoundsException": ErrorInfo(
            "a list index past the end (or a get on an empty list)",
            "check list.size() before get/remove",
        ),
        "NullPointerException": ErrorInfo(
            "a method or field used on null (an unset object, a missing map key, an "
            "unboxed null Integer)",
            "check for null, e.g. map.get(key) returns null for a missing key",
        ),
        "ArithmeticException": ErrorInfo(
            "an integer division or modulo by zero", "guard the divisor before dividing"
        ),
        "NumberFormatException": ErrorInfo(
            "a string that is not a number passed to Integer.parseInt or similar",
            "trim the string and check it first",
        ),
        "ClassCastException": ErrorInfo(
            "a cast to a type the object does not have", "check generic types and casts"
        ),
        "ConcurrentModificationException": ErrorInfo(
            "a collection changed while it is being iterated",
            "collect changes and apply them after the loop, or use an Iterator's remove",
        ),
        "NoSuchElementException": ErrorInfo(
            "reading from an empty collection, queue or iterator",
            "check isEmpty() before remove/pop/next",
        ),
        "EmptyStackException": ErrorInfo("pop or peek on an empty Stack", "check isEmpty() first"),
        "UnsupportedOperationException": ErrorInfo(
            "changing an immutable list (List.of, Arrays.asList)",
            "copy it into a new ArrayList first",
        ),
        "NegativeArraySizeException": ErrorInfo(
            "an array created with a negative size", "check the size expression"
        ),
        "StackOverflowError": ErrorInfo(
            "recursion too deep: a missing base case, or input too large for recursion",
            "check the base case; for large inputs use a loop with an explicit stack",
        ),
        "OutOfMemoryError": ErrorInfo(
            "more memory than allowed", "avoid huge arrays or n*n tables"
        ),
        "IllegalArgumentException": ErrorInfo(
            "an invalid argument to a method (often your own throw)", "check the argument"
        ),
        "IllegalStateException": ErrorInfo(
            "an operation at the wrong time (often your own throw)", "check the state"
        ),
    },
    "cpp": {
        "SIGSEGV": ErrorInfo(
            "a segmentation fault: most likely an out-of-bounds access (v[i] with i >= "
            "v.size()), a null or dangling pointer, or recursion too deep",
            "check every index against size(), and pointers before dereferencing",
        ),
        "SIGFPE": ErrorInfo(
            "an arithmetic error: an integer division or modulo by zero (or INT_MIN / -1)",
            "guard every divisor",
        ),
        "SIGABRT": ErrorInfo(
            "the program aborted: an uncaught exception, a failed assert, or corrupted "
            "memory detected by the allocator",
            "look for out-of-bounds writes and unhandled exceptions",
        ),
        "SIGILL": ErrorInfo(
            "an illegal instruction: usually a non-void function that reaches its end "
            "without return (g++ -O2 traps there)",
            "make sure every path of every non-void function returns a value",
        ),
        "SIGKILL": ErrorInfo(
            "the program was killed from outside, usually for going over a resource limit",
            "look for runaway loops, recursion or allocations",
        ),
        "SIGBUS": ErrorInfo(
            "a bus error: a misaligned or invalid memory access", "check pointer arithmetic"
        ),
        "std::out_of_range": ErrorInfo(
            "an index past the end, caught by .at() (or a bad substr position)",
            "check the index against size() before .at()",
        ),
        "std::bad_alloc": ErrorInfo(
            "an allocation failed: too much memory, or a huge or negative size",
            "check the sizes you reserve or resize to",
        ),
        "std::length_error": ErrorInfo(
            "a container resized beyond its maximum, often from a negative size converted "
            "to size_t",
            "check the size expression",
        ),
        "std::invalid_argument": ErrorInfo(
            "an invalid argument, e.g. stoi on a non-number", "check the argument"
        ),
        "std::logic_error": ErrorInfo("a logic error thrown by your code", "check its condition"),
        "std::runtime_error": ErrorInfo(
            "a runtime error thrown by your code", "check its condition"
        ),
    },
}
"""The most common errors per language: what they usually mean and what to check first."""

SIGNALS: Mapping[int, str] = {
    4: "SIGILL",
    6: "SIGABRT",
    7: "SIGBUS",
    8: "SIGFPE",
    9: "SIGKILL",
    11: "SIGSEGV",
}

# Specific messages worth a more precise sentence than the exception type's.
_DETAILS: Mapping[str, tuple[tuple[re.Pattern[str], str], ...]] = {
    "python": (
        (re.compile(r"list index out of range"), "an index past the end of a list"),
        (re.compile(r"string index out of range"), "an index past the end of a string"),
        (
            re.compile(r"'NoneType' object has no attribute '(\w+)'"),
            "`.{0}` used on None: a variable or a function result is None (a function "
            "without return gives None)",
        ),
        (
            re.compile(r"'NoneType' object is not (subscriptable|iterable)"),
            "indexing or looping over None: a variable or a function result is None",
        ),
        (
            re.compile(r"name '(\w+)' is not defined"),
            "`{0}` is not defined: a typo, or a name from a module you did not import",
        ),
        (
            re.compile(r"(?:local variable|cannot access local variable) '(\w+)'"),
            "the local variable `{0}` is read before it is assigned",
        ),
        (re.compile(r"maximum recursion depth"), "recursion too deep (no base case reached?)"),
        (
            re.compile(r"unsupported operand type\(s\) for (\S+): '(\w+)' and '(\w+)'"),
            "`{0}` between a {1} and a {2}: the operands have incompatible types",
        ),
        (
            re.compile(r"missing (\d+) required positional argument"),
            "the function takes more parameters than it was called with: does the "
            "signature match the problem's?",
        ),
    ),
    "javascript": (
        (
            re.compile(r"Cannot read propert(?:y|ies) of (undefined|null) \(reading '([^']*)'\)"),
            "reading `.{1}` of {0}: often an index past the end of an array (arr[i] with "
            "i >= arr.length), a missing key, or a variable that was never assigned",
        ),
        (
            re.compile(r"Cannot set propert(?:y|ies) of (undefined|null)"),
            "writing a property of {0}: the object was never created",
        ),
        (re.compile(r"(\S+) is not a function"), "`{0}` is called but is not a function"),
        (re.compile(r"(\S+) is not iterable"), "looping over `{0}`, which is not iterable"),
        (
            re.compile(r"(\w+) is not defined"),
            "`{0}` is not declared: a typo, or a missing let/const",
        ),
        (
            re.compile(r"Cannot access '(\w+)' before initialization"),
            "`{0}` is used before its let/const line runs",
        ),
        (re.compile(r"Assignment to constant variable"), "a const variable is reassigned"),
        (re.compile(r"Maximum call stack size exceeded"), "recursion too deep"),
        (re.compile(r"Division by zero"), "a BigInt division by zero"),
        (re.compile(r"Invalid array length"), "an array created with a negative or huge size"),
    ),
    "java": (
        (
            re.compile(r"Index (-?\d+) out of bounds for length (\d+)"),
            "an index past the end: index {0} on an array, string or list of length {1}",
        ),
        (re.compile(r"/ by zero"), "an integer division or modulo by zero"),
        (
            re.compile(r'Cannot invoke "([^"]+)" because "(?!<local)([^"]+)" is null'),
            "`{1}` is null, so `{0}` cannot be called on it",
        ),
        (
            re.compile(r'Cannot invoke "([^"]+)"'),
            "`{0}` is called on a null reference (a variable that was never given an object)",
        ),
        (
            re.compile(r"Cannot (?:read|load from|store to|assign) (.+?) because"),
            "{0} of a null reference",
        ),
    ),
    "cpp": (
        (
            re.compile(r"__n \(which is (\d+)\) >= this->size\(\) \(which is (\d+)\)"),
            "an index past the end: index {0} on a vector of size {1}",
        ),
    ),
}


@dataclass(frozen=True)
class _Failure:
    """A runtime failure's parsed facts: type, message, and (if known) where."""

    kind: str
    message: str
    location: tuple[str, int] | None


def _explain_runtime(
    result: ExecutionResult, language: str, files: dict[str, str], problem: Problem | None
) -> str:
    test = _first_visible(_failing(result))
    text = _error_text(result, test)
    if test is None and _failing(result):
        return _hidden_failure(result, "crashed with a runtime error", language, problem)
    failure = _parse_failure(text, language, result)
    if failure.kind in _PARSE_ERRORS:
        return _explain_parse_error(failure, language, files)
    lines = [_runtime_headline(test, result, problem)]
    lines += _where(failure, language, files)
    lines += _runtime_meaning(failure, language)
    return "\n".join(lines)


def _error_text(result: ExecutionResult, test: TestResult | None) -> str:
    if test is not None:
        return "\n".join(part for part in (test.message, test.stderr) if part)
    return result.run.stderr if result.run is not None else ""


def _runtime_headline(
    test: TestResult | None, result: ExecutionResult, problem: Problem | None
) -> str:
    if test is None:
        return "**Runtime error**: your program crashed."
    given = _input_text(test.input, problem)
    return f"**Runtime error** on test `{test.name}` ({_test_count(result)}), input `{given}`:\n"


_PARSE_ERRORS = frozenset({"SyntaxError", "IndentationError", "TabError"})
_LOADING = re.compile(r"^error while loading [^:\n]+:\s*", re.MULTILINE)
_PY_EXCEPTION = re.compile(
    r"^(?P<kind>[A-Za-z_][\w.]*(?:Error|Exception|Exit|Interrupt|StopIteration|Warning))"
    r"(?::\s?(?P<message>.*))?$",
    re.MULTILINE,
)
_JS_EXCEPTION = re.compile(
    r"^(?:Uncaught\s+)?(?P<kind>[A-Z]\w*(?:Error|Exception)|Error)(?::\s?(?P<message>.*))?$",
    re.MULTILINE,
)
_JAVA_EXCEPTION = re.compile(
    r"^(?:Exception in thread \"[^\"]*\"\s+)?(?:Caused by:\s+)?"
    r"(?P<kind>(?:[a-z_$][\w$]*\.)*[A-Z][\w$]*(?:Exception|Error))(?::\s?(?P<message>.*))?$",
    re.MULTILINE,
)
_CPP_EXCEPTION = re.compile(
    r"(?:^|instance of ')(?P<kind>std::\w+|__gnu_cxx::\w+)'?(?::\s?(?P<message>.*))?$",
    re.MULTILINE,
)
_CPP_WHAT = re.compile(r"what\(\):\s*(?P<message>.*)")
_SIGNAL = re.compile(r"killed by signal (\d+)")
_EXIT = re.compile(r"exited with code (-?\d+)")


def _parse_failure(text: str, language: str, result: ExecutionResult) -> _Failure:
    text = _LOADING.sub("", text)
    location = error_location(text, language)
    kind, message = _exception(text, language)
    if kind is None:
        kind, message = _process_death(text, result)
    return _Failure(kind, message, location)


def _exception(text: str, language: str) -> tuple[str | None, str]:
    pattern = {
        "python": _PY_EXCEPTION,
        "javascript": _JS_EXCEPTION,
        "java": _JAVA_EXCEPTION,
        "cpp": _CPP_EXCEPTION,
    }.get(language, _PY_EXCEPTION)
    matches = list(pattern.finditer(text))
    if not matches:
        return None, ""
    found = matches[-1] if language == "python" else matches[0]
    message = found.group("message") or ""
    what = _CPP_WHAT.search(text)
    if language == "cpp" and what and not message:
        message = what.group("message")
    return found.group("kind"), message.strip()


def _process_death(text: str, result: ExecutionResult) -> tuple[str, str]:
    signal = _SIGNAL.search(text)
    number = int(signal.group(1)) if signal else None
    if number is None and result.run is not None:
        number = result.run.signal
    if number is not None:
        return SIGNALS.get(number, f"signal {number}"), f"killed by signal {number}"
    code = _EXIT.search(text)
    if code:
        return "exit", f"exited with code {code.group(1)}"
    return "error", _first_line(text)


def _info(kind: str, language: str) -> ErrorInfo | None:
    """The table row for an error; a signal means the same whatever the language."""
    short = _short_kind(kind)
    found = COMMON_ERRORS.get(language, {}).get(short)
    return found or (COMMON_ERRORS["cpp"].get(short) if short.startswith("SIG") else None)


def _short_kind(kind: str) -> str:
    """``java.lang.NullPointerException`` -> ``NullPointerException`` (std:: stays)."""
    return kind if kind.startswith("std::") else kind.rsplit(".", 1)[-1]


def _runtime_meaning(failure: _Failure, language: str) -> list[str]:
    """The error as printed, what it means (unless the line bullet said it) and what to check."""
    info = _info(failure.kind, language)
    said = f"{failure.kind}: {failure.message}" if failure.message else failure.kind
    lines = [f"- Error: `{_cut(said, 160)}`"]
    if failure.location is None:
        meaning = _detail(failure.message, language) or (info.cause if info else None)
        if meaning:
            lines.append(f"- What it usually means: {meaning}.")
    bounds = _bounds_note(failure.message)
    if bounds:
        lines.append(f"- {bounds}")
    if info is not None:
        lines.append(f"- To fix it: {info.fix}.")
    if failure.kind == "exit":
        lines.append(
            "- To fix it: look for an explicit exit (sys.exit, process.exit, System.exit, exit) "
            "or an error printed to stderr; the function should return its answer."
        )
    return lines


def _detail(message: str, language: str) -> str | None:
    for pattern, template in _DETAILS.get(language, ()):
        found = pattern.search(message)
        if found:
            return template.format(*found.groups())
    return None


_JAVA_BOUNDS = re.compile(r"Index (-?\d+) out of bounds for length (\d+)")
_CPP_BOUNDS = re.compile(r"__n \(which is (\d+)\) >= this->size\(\) \(which is (\d+)\)")


def _bounds_note(message: str) -> str | None:
    found = _JAVA_BOUNDS.search(message) or _CPP_BOUNDS.search(message)
    if found is None:
        return None
    index, length = int(found.group(1)), int(found.group(2))
    if length == 0:
        return f"The container was empty, so no index (not even 0, here {index}) is valid."
    return f"Valid indexes are 0 to {length - 1}; the code asked for {index}."


def _where(failure: _Failure, language: str, files: dict[str, str]) -> list[str]:
    """The candidate's line the error points at, or (C++) the lines that could cause it."""
    if failure.location is not None:
        path, line = failure.location
        meaning = _detail(failure.message, language) or _cause(failure, language)
        quoted = _quote_line(files, path, line)
        lines = [f"- **Line {line} of `{path}`**: {meaning}."]
        if quoted:
            lines.append(f"- That line: `{quoted}`")
        return lines
    if language == "cpp":
        return _cpp_suspects(failure, files)
    return ["- The error message does not point at a line of your code."]


def _cause(failure: _Failure, language: str) -> str:
    info = _info(failure.kind, language)
    return info.cause if info else f"`{_short_kind(failure.kind)}`"


_SUSPECT_PATTERNS: Mapping[str, re.Pattern[str]] = {
    "SIGFPE": re.compile(r"[^/*]/[^/*=]|%[^=]|/=|%="),
    "SIGSEGV": re.compile(r"\w\s*\[|->|(?:[^\w)\]\s]|\breturn)\s*\*\s*[A-Za-z_(]"),
    "std::out_of_range": re.compile(r"\.at\s*\(|\.substr\s*\("),
}


def _cpp_suspects(failure: _Failure, files: dict[str, str]) -> list[str]:
    """C++ crashes carry no line number: point at the lines that can cause this one."""
    pattern = _SUSPECT_PATTERNS.get(_short_kind(failure.kind))
    header = "- C++ does not report the line of a crash"
    if pattern is None:
        return [header + "."]
    found = _scan(files, (".cpp", ".cc", ".cxx", ".h", ".hpp"), pattern)[:3]
    if not found:
        return [header + "."]
    places = "; ".join(f"line {line} of `{path}` (`{text}`)" for path, line, text in found)
    return [f"{header}; where this can happen: {places}."]


def _scan(
    files: Mapping[str, str], suffixes: tuple[str, ...], pattern: re.Pattern[str]
) -> list[tuple[str, int, str]]:
    """Candidate lines (comments stripped) that match ``pattern``: (path, line, text)."""
    found: list[tuple[str, int, str]] = []
    for path, text in files.items():
        if not path.endswith(suffixes) or _is_harness(path):
            continue
        for number, line in enumerate(text.splitlines(), 1):
            code = _strip_comment(line)
            if code.strip() and pattern.search(code):
                found.append((path, number, _cut(code.strip())))
    return found


def _strip_comment(line: str) -> str:
    """A line without its ``//`` or ``#`` comment (strings are not parsed: a heuristic)."""
    for marker in ("//", "#"):
        at = line.find(marker)
        if at >= 0 and not (marker == "#" and line.lstrip().startswith("#include")):
            line = line[:at]
    return line


def _quote_line(files: Mapping[str, str], path: str, line: int) -> str | None:
    text = _find_file(files, path)
    if text is None:
        return None
    lines = text.splitlines()
    return _cut(lines[line - 1].strip()) if 0 < line <= len(lines) else None


def _find_file(files: Mapping[str, str], path: str) -> str | None:
    if path in files:
        return files[path]
    for name, text in files.items():
        if name.endswith("/" + path) or path.endswith("/" + name):
            return text
    return None


# -------------------------------------------------------------------- parse errors


_PARSE_CAUSES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"was never closed|unexpected EOF|end of input"), "an unclosed bracket"),
    (re.compile(r"expected ':'"), "a missing colon after if/for/while/def/class"),
    (re.compile(r"unindent does not match"), "the indentation does not match an outer block"),
    (re.compile(r"expected an indented block"), "an empty block: add its body (or `pass`)"),
    (re.compile(r"unexpected indent"), "a line indented more than the block it is in"),
    (re.compile(r"inconsistent use of tabs"), "tabs and spaces mixed in the indentation"),
    (re.compile(r"unmatched '(.)'"), "an extra closing bracket"),
    (re.compile(r"Unexpected token"), "a missing or extra bracket, comma or operator"),
    (re.compile(r"missing \) after argument list"), "a missing `)` in a call"),
    (re.compile(r"has already been declared"), "a variable declared twice"),
    (re.compile(r"Unexpected identifier"), "a missing comma, operator or semicolon"),
)


def _explain_parse_error(failure: _Failure, language: str, files: dict[str, str]) -> str:
    """Python/JavaScript syntax errors: the file does not even load, so no test ran."""
    name = _NAMES.get(language, language)
    cause = next(
        (text for pattern, text in _PARSE_CAUSES if pattern.search(failure.message)),
        COMMON_ERRORS.get(language, {}).get(failure.kind, ErrorInfo("a syntax error", "")).cause,
    )
    lines = [f"**{name} could not parse your code** (`{failure.kind}: {failure.message}`), "]
    lines[0] += "so no test ran.\n"
    if failure.location is not None:
        path, line = failure.location
        lines.append(f"- **Line {line} of `{path}`**: {cause}.")
        quoted = _quote_line(files, path, line)
        if quoted:
            lines.append(f"- That line: `{quoted}`")
    else:
        lines.append(f"- Cause: {cause}.")
    lines.append(
        "- The real mistake is sometimes on the line before (an unclosed bracket or a "
        "missing comma shows up where the parser gives up)."
    )
    return "\n".join(lines)


# ------------------------------------------------------------------ compilation errors


@dataclass(frozen=True)
class _Diagnostic:
    path: str
    line: int
    message: str
    details: tuple[str, ...]


_JAVAC = re.compile(r"^(?P<file>[^\s:][^:\n]*\.java):(?P<line>\d+): (?P<kind>error|warning): ")
_GCC = re.compile(
    r"^(?P<file>[^\s:][^:\n]*\.(?:cpp|cc|cxx|c\+\+|c|hpp|hh|hxx|h)):(?P<line>\d+):(?:\d+:)?\s*"
    r"(?P<kind>fatal error|error|warning|note|runtime error)?:?"
)

_COMPILE_CAUSES: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(r"expected '[,;]'( or '[,;]')? before|';' expected|expected ';'"),
        "a missing semicolon `;`: it belongs at the end of the statement just before this "
        "point (often the end of the previous line)",
    ),
    (
        re.compile(r"'([\w:]+)' was not declared in this scope"),
        "`{0}` is not declared here: a typo, a variable declared inside another block "
        "(a loop or if), or a missing #include / std::",
    ),
    (
        re.compile(r"'([\w:]+)' does not name a type|'([\w:]+)' has not been declared"),
        "an unknown type name: a typo, or a missing #include or std::",
    ),
    (
        re.compile(r"missing return statement|no return statement|control reaches end"),
        "missing return: some path through the function ends without returning a value",
    ),
    (
        re.compile(r"possible lossy conversion from (\w+) to (\w+)"),
        "a type mismatch: a {0} does not fit in an {1} without a cast",
    ),
    (
        re.compile(
            r"incompatible types|cannot convert|could not convert|invalid conversion"
            r"|no viable conversion|cannot be converted"
        ),
        "a type mismatch: the value's type is not the one the variable, parameter or "
        "return type needs",
    ),
    (
        re.compile(r"reached end of file while parsing|expected '}' at end of input"),
        "an unclosed brace `{`",
    ),
    (
        re.compile(
            r"class, interface, enum, or record expected|expected unqualified-id"
            r"|expected declaration"
        ),
        "code outside a class or function: often an extra closing brace `}` just before",
    ),
    (re.compile(r"might not have been initialized"), "a variable read before it is assigned"),
    (
        re.compile(r"already defined|redeclaration|conflicting declaration|redefinition"),
        "a name declared twice in the same scope",
    ),
    (re.compile(r"unreachable statement"), "code after a return, break or throw"),
    (
        re.compile(r"non-static .* cannot be referenced from a static context"),
        "an instance member used from a static method",
    ),
    (
        re.compile(
            r"no matching function for call|cannot be applied to given types"
            r"|no suitable method"
        ),
        "a call with the wrong number or types of arguments",
    ),
    (
        re.compile(r"has no member named|request for member|cannot find symbol"),
        "a name the compiler cannot find: check the spelling, the declaration and its scope",
    ),
    (
        re.compile(r"expected primary-expression|illegal start of expression"),
        "a malformed expression: a stray or missing bracket or operator",
    ),
    (re.compile(r"lvalue required|cannot assign"), "assigning to something that is not a variable"),
)


def _explain_compile(
    result: ExecutionResult, language: str, files: dict[str, str], problem: Problem | None
) -> str:
    output = result.compile.output if result.compile is not None else ""
    diagnostic = _first_error(output, language)
    if diagnostic is None:
        first = _first_line(output) or "(no compiler output)"
        return f"**Compilation error**: the compiler said `{_cut(first, 200)}`."
    if _is_harness(diagnostic.path):
        return _harness_compile_error(diagnostic, problem)
    lines = [
        "**Compilation error**, so no test ran. The first error (fix it first: later ones "
        "often follow from it):",
        "",
        f"- **Line {diagnostic.line} of `{diagnostic.path}`**: {_compile_cause(diagnostic)}.",
        f"- Compiler: `{_cut(diagnostic.message, 200)}`",
    ]
    quoted = _quote_line(files, diagnostic.path, diagnostic.line)
    if quoted:
        lines.append(f"- That line: `{quoted}`")
    lines += _semicolon_note(diagnostic, files)
    return "\n".join(lines)


def _semicolon_note(diagnostic: _Diagnostic, files: Mapping[str, str]) -> list[str]:
    """g++ reports a missing ``;`` on the next token's line: name the line that lacks it."""
    if not re.search(r"expected '[,;]'( or '[,;]')? before", diagnostic.message):
        return []
    text = _find_file(files, diagnostic.path)
    lines = text.splitlines()[: diagnostic.line - 1] if text is not None else []
    before = next((n for n in range(len(lines), 0, -1) if lines[n - 1].strip()), None)
    if before is None or before == diagnostic.line:
        return []
    missing = _cut(lines[before - 1].strip())
    return [f"- The `;` is probably missing at the end of line {before}: `{missing}`"]


def _harness_compile_error(diagnostic: _Diagnostic, problem: Problem | None) -> str:
    """An error inside the test harness means the function does not match the signature."""
    wanted = f" `{_signature(problem)}`" if problem else ""
    return (
        "**Compilation error** where the tests call your code: the test harness could not "
        f"call your function. Check that its name, parameter types and return type match "
        f"the signature{wanted}, and that it is a public method of `class Solution`.\n\n"
        f"- Compiler: `{_cut(diagnostic.message, 200)}`"
    )


def _first_error(output: str, language: str) -> _Diagnostic | None:
    """The first error the candidate can fix (in their own files when there is one)."""
    errors = _diagnostics(_plain_quotes(output), language)
    own = [d for d in errors if _is_candidate(d.path)]
    chosen = own or errors
    return chosen[0] if chosen else None


def _diagnostics(output: str, language: str) -> list[_Diagnostic]:
    pattern = _JAVAC if language == "java" else _GCC
    found: list[_Diagnostic] = []
    header: re.Match[str] | None = None
    details: list[str] = []
    for line in [*output.splitlines(), ""]:
        match = pattern.match(line)
        if match is None and line.strip() and header is not None:
            details.append(line.strip())
            continue
        if header is not None and header.group("kind") in ("error", "fatal error"):
            found.append(_diagnostic(header, details))
        header, details = match, []
    return found


def _diagnostic(header: re.Match[str], details: list[str]) -> _Diagnostic:
    message = header.string[header.end() :].strip()
    return _Diagnostic(
        _workspace_path(header.group("file")), int(header.group("line")), message, tuple(details)
    )


def _compile_cause(diagnostic: _Diagnostic) -> str:
    if "cannot find symbol" in diagnostic.message:
        symbol = next((d for d in diagnostic.details if d.startswith("symbol:")), None)
        words = symbol.split()[1:] if symbol is not None else []
        if len(words) >= 2:
            return (
                f"`{' '.join(words[1:])}` ({words[0]}) is not declared here (cannot find "
                "symbol): a typo, a name declared inside another block, or a missing import"
            )
    for pattern, text in _COMPILE_CAUSES:
        found = pattern.search(diagnostic.message)
        if found:
            return text.format(*(group or "" for group in found.groups()))
    return "the compiler rejected this line; read its message below"


def _plain_quotes(text: str) -> str:
    return text.translate({0x2018: "'", 0x2019: "'", 0x201C: '"', 0x201D: '"'})


# ---------------------------------------------------------------------- other verdicts


def _explain_time(
    result: ExecutionResult, language: str, files: dict[str, str], problem: Problem | None
) -> str:
    test = next((t for t in _failing(result) if t.status == "time_limit_exceeded"), None)
    where = _test_label(test)
    limit = f" ({test.message})" if test is not None and test.message and not test.hidden else ""
    lines = [
        f"**Time limit exceeded**{where}{limit}: your solution is too slow for the input "
        "size, or it never finishes.",
        "",
    ]
    targets = _complexity_targets(problem)
    lines += [f"- Aim for {target}." for target in targets]
    constraints = _constraints(problem.description) if problem else None
    budget = _size_budget(constraints) if constraints else None
    if budget:
        lines.append(f"- {budget}")
    loops = _nested_loops_in(files, language)
    lines.append(f"- {loops}" if loops else _NESTED_ADVICE)
    hidden = _HIDDEN_LOOPS.get(language)
    if hidden:
        lines.append(f"- Hidden inner loops in {_NAMES.get(language, language)}: {hidden}.")
    lines.append(
        "- Or an infinite loop: check that every while loop moves toward its exit "
        "condition on every path."
    )
    return "\n".join(lines)


_NESTED_ADVICE = (
    "- The usual culprit is a loop over the input nested inside another one (O(n^2)): "
    "replace the inner search with a lookup."
)
_NAMES: Mapping[str, str] = {
    "python": "Python",
    "javascript": "JavaScript",
    "java": "Java",
    "cpp": "C++",
}
_HIDDEN_LOOPS: Mapping[str, str] = {
    "python": "`x in some_list`, list.index, list.pop(0), list.insert(0, x), slicing or "
    "string += in a loop",
    "javascript": "indexOf / includes on arrays, shift(), splice, spreading arrays in a loop",
    "java": "ArrayList.contains / indexOf / remove(0), String += in a loop",
    "cpp": "std::find, vector::erase(begin()), copying vectors (pass by reference)",
}


def _test_label(test: TestResult | None) -> str:
    if test is None:
        return ""
    return " on a hidden test" if test.hidden else f" on test `{test.name}`"


def _explain_memory(
    result: ExecutionResult, language: str, files: dict[str, str], problem: Problem | None
) -> str:
    test = next((t for t in _failing(result) if t.status == "memory_limit_exceeded"), None)
    tags = set(problem.tags) if problem else set()
    lines = [f"**Memory limit exceeded**{_test_label(test)}: your code uses too much memory.", ""]
    if "dynamic-programming" in tags:
        lines.append(
            "- A full table may not be needed: keep only the previous row (O(n) instead of O(n*m))."
        )
    lines += [
        "- Avoid n*n structures, and copies of lists or strings inside loops or recursion "
        "(slices, concatenation).",
        "- A loop that never ends while appending to a list also runs out of memory.",
        "- Very deep recursion keeps every frame alive: use a loop with an explicit stack.",
    ]
    return "\n".join(lines)


def _explain_output(
    result: ExecutionResult, language: str, files: dict[str, str], problem: Problem | None
) -> str:
    prints = _debug_prints(files, language)
    where = f" Your code prints at {prints}." if prints else ""
    return (
        "**Output limit exceeded**: your program printed far too much, usually debug prints "
        f"inside a loop.{where} Remove them: the function's answer is its return value, "
        "not what it prints."
    )


_PRINTS: Mapping[str, re.Pattern[str]] = {
    "python": re.compile(r"^\s*print\s*\("),
    "javascript": re.compile(r"\bconsole\.(log|error|info)\s*\(|process\.stdout\.write"),
    "java": re.compile(r"\bSystem\.(out|err)\.print"),
    "cpp": re.compile(r"\b(cout|cerr)\s*<<|\bprintf\s*\(|\bputs\s*\("),
}
_SUFFIXES: Mapping[str, tuple[str, ...]] = {
    "python": (".py",),
    "javascript": (".js", ".cjs", ".mjs"),
    "java": (".java",),
    "cpp": (".cpp", ".cc", ".cxx", ".h", ".hpp"),
}


def _debug_prints(files: Mapping[str, str], language: str) -> str | None:
    pattern = _PRINTS.get(language)
    if pattern is None:
        return None
    found = _scan(files, _SUFFIXES[language], pattern)
    if not found:
        return None
    return ", ".join(f"line {line} of `{path}`" for path, line, _ in found[:5])


_EXPLAINERS: Mapping[str, Explainer] = {
    "accepted": _explain_accepted,
    "wrong_answer": _explain_wrong,
    "runtime_error": _explain_runtime,
    "compilation_error": _explain_compile,
    "time_limit_exceeded": _explain_time,
    "memory_limit_exceeded": _explain_memory,
    "output_limit_exceeded": _explain_output,
    "internal_error": _explain_internal,
}


# ---------------------------------------------------------------------- nested loops


_PY_LOOP = re.compile(r"^(?P<indent>\s*)(for|while)\b")
_BRACE_LOOP = re.compile(r"\b(for|while)\s*\(")


def _nested_loops_in(files: Mapping[str, str], language: str) -> str | None:
    """Where a loop sits inside another loop in the candidate's files (the O(n^2) suspect)."""
    for path, text in files.items():
        if not path.endswith(_SUFFIXES.get(language, ("",))) or _is_harness(path):
            continue
        found = _nested_python(text) if language == "python" else _nested_braces(text)
        if found is not None:
            outer, inner = found
            return (
                f"`{path}` has a loop inside a loop (line {outer}, then line {inner}): "
                "over the whole input that is O(n^2); replace the inner loop with a lookup "
                "or a smarter pass."
            )
    return None


def _nested_python(text: str) -> tuple[int, int] | None:
    open_loops: list[tuple[int, int]] = []  # (indent, line)
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        indent = len(line) - len(line.lstrip())
        open_loops = [(i, n) for i, n in open_loops if i < indent]
        if _PY_LOOP.match(line):
            if open_loops:
                return open_loops[-1][1], number
            open_loops.append((indent, number))
    return None


def _nested_braces(text: str) -> tuple[int, int] | None:
    open_loops: list[tuple[int, int]] = []  # (depth before the loop, line)
    depth = 0
    pending: int | None = None  # a loop whose body has no braces yet
    for number, raw in enumerate(text.splitlines(), 1):
        line = _strip_comment(raw)
        if not line.strip():
            continue
        loop = _BRACE_LOOP.search(line) is not None
        enclosing = [n for d, n in open_loops if d < depth] + ([pending] if pending else [])
        if loop and enclosing:
            return enclosing[-1], number
        pending = None
        if loop:
            open_loops.append((depth, number))
            if "{" not in line:
                pending = number
        depth += line.count("{") - line.count("}")
        open_loops = [(d, n) for d, n in open_loops if d < depth or n == number]
    return None


# --------------------------------------------------------------------- error locations


_PY_FRAME = re.compile(r'File "(?P<file>[^"]+)", line (?P<line>\d+)')
_JS_FRAME = re.compile(
    r"(?:^|[\s(])(?P<file>(?:file://)?[^\s():]+\.(?:js|cjs|mjs)):(?P<line>\d+)(?::\d+)?",
    re.MULTILINE,
)
_JAVA_FRAME = re.compile(r"\bat\s+(?P<where>[\w$.<>/-]+)\((?P<file>[\w$-]+\.java):(?P<line>\d+)\)")
_JAVA_LIBRARY = re.compile(r"^(?:[\w.-]+/)?(?:java|javax|jdk|sun|com\.sun)\.")
_HARNESS_NAMES = ("__ik_harness", "IkHarness", "harness.js")


def error_location(text: str, language: str) -> tuple[str, int] | None:
    """(file, line) of the candidate's frame nearest the error, or of the first diagnostic.

    Tracebacks: Python lists the innermost frame last, Node and Java first; the harness,
    the runtime's own files and libraries are skipped. Compiler output (javac, g++): the
    first error in a candidate file. Paths are relative to the workspace (``/work/``
    dropped). None when nothing in ``text`` points at the candidate's code.
    """
    finders: Mapping[str, Callable[[str], tuple[str, int] | None]] = {
        "python": _python_location,
        "javascript": _javascript_location,
        "java": _java_location,
        "cpp": _cpp_location,
    }
    finder = finders.get(language)
    if finder is not None:
        return finder(text)
    return next((found for f in finders.values() if (found := f(text))), None)


def _python_location(text: str) -> tuple[str, int] | None:
    frames = [
        (_workspace_path(m.group("file")), int(m.group("line"))) for m in _PY_FRAME.finditer(text)
    ]
    own = [frame for frame in frames if _is_candidate(frame[0])]
    return own[-1] if own else None


def _javascript_location(text: str) -> tuple[str, int] | None:
    for match in _JS_FRAME.finditer(text):
        path = _workspace_path(match.group("file"))
        if _is_candidate(path):
            return path, int(match.group("line"))
    return None


def _java_location(text: str) -> tuple[str, int] | None:
    first = _first_error(text, "java")
    if first is not None and _is_candidate(first.path):
        return first.path, first.line
    for match in _JAVA_FRAME.finditer(text):
        path = match.group("file")
        if _is_candidate(path) and not _JAVA_LIBRARY.match(match.group("where")):
            return path, int(match.group("line"))
    return None


def _cpp_location(text: str) -> tuple[str, int] | None:
    first = _first_error(text, "cpp")
    if first is not None and _is_candidate(first.path):
        return first.path, first.line
    for line in _plain_quotes(text).splitlines():
        match = _GCC.match(line)
        if match is not None:
            path = _workspace_path(match.group("file"))
            if _is_candidate(path):
                return path, int(match.group("line"))
    return None


def _workspace_path(path: str) -> str:
    """A path as the candidate knows it: relative to the workspace."""
    path = path.removeprefix("file://")
    for prefix in ("/work/", "./"):
        path = path.removeprefix(prefix)
    return path


def _is_harness(path: str) -> bool:
    name = path.rsplit("/", 1)[-1]
    return name.startswith(_HARNESS_NAMES) or name == "harness.js"


def _is_library(path: str) -> bool:
    return (
        path.startswith(("/usr/", "/opt/", "<", "node:", "internal/", "/lib"))
        or "site-packages" in path
        or "node_modules" in path
    )


def _is_candidate(path: str) -> bool:
    return not _is_harness(path) and not _is_library(path)


# ----------------------------------------------------------------------------- format


def _input_text(given: Any, problem: Problem | None) -> str:
    if isinstance(given, str):
        return _cut(given.replace("\n", "\\n"), 160)
    if isinstance(given, list):
        return (
            _arguments(problem, given)
            if problem is not None
            else _cut(", ".join(_short(value) for value in given), 160)
        )
    return _short(given)


def _arguments(problem: Problem | None, given: list[Any]) -> str:
    names = [p.name for p in problem.signature.params] if problem else []
    if len(names) != len(given):
        return _cut(", ".join(_short(value) for value in given), 160)
    return _cut(", ".join(f"{n} = {_short(v)}" for n, v in zip(names, given, strict=True)), 160)


def _short(value: Any, limit: int = 100) -> str:
    try:
        text = json.dumps(value, ensure_ascii=False, separators=(", ", ": "))
    except (TypeError, ValueError):
        text = repr(value)
    return _cut(text, limit)


def _cut(text: str, limit: int = 100) -> str:
    """One short line: inline code in an answer never grows into a block."""
    text = text.replace("`", "'").replace("\n", " ")
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), "")
