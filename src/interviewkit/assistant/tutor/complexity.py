"""Complexity advice: what the problem's topics and input size call for, and where the
candidate's code nests a loop inside a loop (the usual O(n^2) suspect)."""

from __future__ import annotations

import re
from collections.abc import Mapping

from interviewkit.assistant.context import AssistantContext
from interviewkit.assistant.tutor.diagnostics import DIAGNOSTICS
from interviewkit.assistant.tutor.problem import constraints_section, size_budget
from interviewkit.assistant.tutor.text import is_harness, strip_comment
from interviewkit.problems.bank import Problem

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


def complexity_targets(problem: Problem | None) -> list[str]:
    if problem is None:
        return []
    specific = [tag for tag in problem.tags if tag in COMPLEXITY_BY_TAG]
    chosen = [tag for tag in specific if tag not in GENERIC_TAGS] or specific
    return [f"{COMPLEXITY_BY_TAG[tag]} ({tag})" for tag in chosen]


def complexity_answer(context: AssistantContext) -> str:
    problem = context.problem
    targets = complexity_targets(problem)
    if problem is None or not targets:
        return (
            "Without a problem attached I can only give the rule of thumb: about 10^8 simple "
            "steps per second. n <= 20: exponential is fine; n <= 500: O(n^3); n <= 5,000: "
            "O(n^2); n <= 10^6: O(n log n) or O(n); beyond that, O(n) or O(log n)."
        )
    lines = [f"**Complexity to aim for** ({', '.join(problem.tags)}):", ""]
    lines += [f"- {target}" for target in targets]
    constraints = constraints_section(problem.statement)
    budget = size_budget(constraints) if constraints else None
    if budget:
        lines += ["", budget]
    result = context.last_result
    if result is not None and result.status == "time_limit_exceeded":
        lines += ["", "Your last run exceeded the time limit: the current approach is too slow."]
    loops = nested_loops_in(context.files, context.language or "")
    if loops:
        lines += ["", loops]
    return "\n".join(lines)


_INDENTED_LOOP = re.compile(r"^(?P<indent>\s*)(for|while)\b")
_BRACE_LOOP = re.compile(r"\b(for|while)\s*\(")


def nested_loops_in(files: Mapping[str, str], language: str) -> str | None:
    """Where a loop sits inside another loop in the candidate's files (the O(n^2) suspect)."""
    spec = DIAGNOSTICS.get(language)
    suffixes = spec.suffixes if spec is not None else ("",)
    by_indent = spec is not None and spec.loop_nesting == "indent"
    for path, text in files.items():
        if not path.endswith(suffixes) or is_harness(path):
            continue
        found = _nested_by_indent(text) if by_indent else _nested_braces(text)
        if found is not None:
            outer, inner = found
            return (
                f"`{path}` has a loop inside a loop (line {outer}, then line {inner}): "
                "over the whole input that is O(n^2); replace the inner loop with a lookup "
                "or a smarter pass."
            )
    return None


def _nested_by_indent(text: str) -> tuple[int, int] | None:
    open_loops: list[tuple[int, int]] = []  # (indent, line)
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        indent = len(line) - len(line.lstrip())
        open_loops = [(i, n) for i, n in open_loops if i < indent]
        if _INDENTED_LOOP.match(line):
            if open_loops:
                return open_loops[-1][1], number
            open_loops.append((indent, number))
    return None


def _nested_braces(text: str) -> tuple[int, int] | None:
    open_loops: list[tuple[int, int]] = []  # (depth before the loop, line)
    depth = 0
    pending: int | None = None  # a loop whose body has no braces yet
    for number, raw in enumerate(text.splitlines(), 1):
        line = strip_comment(raw)
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
