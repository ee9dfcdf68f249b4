"""Explaining a run: one explainer per verdict, each naming where, why and what next.

Hidden tests are only ever named as "a hidden test": their inputs, expected values and
messages are never shown, even if a caller passes a result that still carries them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from interviewkit.assistant.tutor.compiler import explain_compile
from interviewkit.assistant.tutor.complexity import complexity_targets, nested_loops_in
from interviewkit.assistant.tutor.diagnostics import DIAGNOSTICS
from interviewkit.assistant.tutor.failures import edge_cases, failing_tests, where_failed
from interviewkit.assistant.tutor.problem import constraints_section, size_budget
from interviewkit.assistant.tutor.runtime import explain_runtime
from interviewkit.assistant.tutor.text import scan_lines
from interviewkit.assistant.tutor.wrong import explain_wrong
from interviewkit.execution.schemas import ExecutionResult
from interviewkit.problems.bank import Problem


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
    lines += [f"- this problem's target: {t};" for t in complexity_targets(problem)]
    lines.append("- edge cases the tests may not cover: " + ", ".join(edge_cases(problem)) + ";")
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


def _explain_time(
    result: ExecutionResult, language: str, files: dict[str, str], problem: Problem | None
) -> str:
    test = next((t for t in failing_tests(result) if t.status == "time_limit_exceeded"), None)
    where = where_failed(test)
    limit = f" ({test.message})" if test is not None and test.message and not test.hidden else ""
    lines = [
        f"**Time limit exceeded**{where}{limit}: your solution is too slow for the input "
        "size, or it never finishes.",
        "",
    ]
    targets = complexity_targets(problem)
    lines += [f"- Aim for {target}." for target in targets]
    constraints = constraints_section(problem.statement) if problem else None
    budget = size_budget(constraints) if constraints else None
    if budget:
        lines.append(f"- {budget}")
    loops = nested_loops_in(files, language)
    lines.append(f"- {loops}" if loops else _NESTED_ADVICE)
    spec = DIAGNOSTICS.get(language)
    if spec is not None:
        lines.append(f"- Hidden inner loops in {spec.name}: {spec.hidden_loops}.")
    lines.append(
        "- Or an infinite loop: check that every while loop moves toward its exit "
        "condition on every path."
    )
    return "\n".join(lines)


_NESTED_ADVICE = (
    "- The usual culprit is a loop over the input nested inside another one (O(n^2)): "
    "replace the inner search with a lookup."
)


def _explain_memory(
    result: ExecutionResult, language: str, files: dict[str, str], problem: Problem | None
) -> str:
    test = next((t for t in failing_tests(result) if t.status == "memory_limit_exceeded"), None)
    tags = set(problem.tags) if problem else set()
    lines = [f"**Memory limit exceeded**{where_failed(test)}: your code uses too much memory.", ""]
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


def _debug_prints(files: Mapping[str, str], language: str) -> str | None:
    spec = DIAGNOSTICS.get(language)
    if spec is None:
        return None
    found = scan_lines(files, spec.suffixes, spec.debug_print)
    if not found:
        return None
    return ", ".join(f"line {line} of `{path}`" for path, line, _ in found[:5])


_EXPLAINERS: Mapping[str, Explainer] = {
    "accepted": _explain_accepted,
    "wrong_answer": explain_wrong,
    "runtime_error": explain_runtime,
    "compilation_error": explain_compile,
    "time_limit_exceeded": _explain_time,
    "memory_limit_exceeded": _explain_memory,
    "output_limit_exceeded": _explain_output,
    "internal_error": _explain_internal,
}
