"""Checking test inputs against a problem's constraints (pure python, no sandbox).

A statement's constraints are a promise to the candidate: a solution that relies on them
must never meet an input that breaks them. ``problems validate`` and a fast pytest hold every
stored, large and fresh input to :class:`~interviewkit.problems.bank.Constraints`, so a
test and the statement cannot disagree. A violation names the test, the parameter (with
its index) and the limit as the statement writes it.
"""

from __future__ import annotations

import builtins
import json
import re
from collections.abc import Iterator
from typing import Any

from interviewkit.problems.bank import Bound, Interval, ParamConstraint, Problem, bound_value

FRESH_SEEDS: tuple[int, ...] = (1, 2)
"""The candidate seeds whose fresh inputs are checked (fresh inputs are per candidate, so a
couple of seeds stand for all of them; a generator is deterministic per seed)."""


def shown(bound: Bound) -> str:
    """A bound as the statement writes it: ``"10^9"`` stays, numbers print plainly."""
    return (
        bound
        if isinstance(bound, str)
        else f"{bound:g}"
        if isinstance(bound, float)
        else str(bound)
    )


def _base(type_name: str) -> tuple[str, int]:
    """``"int[][]"`` -> ``("int", 2)``."""
    dims = type_name.count("[]")
    return type_name.replace("[]", ""), dims


def _node_values(base: str, value: Any) -> list[Any]:
    """The values of a ``ListNode`` (its list) or ``TreeNode`` (level order without nulls)."""
    if not isinstance(value, list):
        return []
    return [v for v in value if v is not None] if base == "TreeNode" else list(value)


def _elements(base: str, dims: int, value: Any) -> list[Any]:
    """The outer elements whose count is the parameter's ``length``."""
    if base in ("ListNode", "TreeNode"):
        return value if dims else _node_values(base, value)
    if base == "string" and dims == 0:
        return list(value) if isinstance(value, str) else []
    return value if isinstance(value, list) else []


def _item_size(base: str, dims: int, item: Any) -> int | None:
    """``len(x[i])``: a row, a string, a list's or tree's node count (None: not sized)."""
    if base in ("ListNode", "TreeNode") and dims == 1:
        return len(_node_values(base, item))
    if isinstance(item, list | str):
        return len(item)
    return None


def _leaves(base: str, dims: int, value: Any, path: str) -> Iterator[tuple[str, Any]]:
    """Every scalar in ``value`` (every node value) with its path (``nums[3]``)."""
    if base in ("ListNode", "TreeNode"):
        if dims:
            for i, item in enumerate(value if isinstance(value, list) else []):
                yield from _leaves(base, 0, item, f"{path}[{i}]")
            return
        for i, item in enumerate(value if isinstance(value, list) else []):
            if item is not None:
                yield f"{path}[{i}]", item
        return
    if dims and isinstance(value, list):
        for i, item in enumerate(value):
            yield from _leaves(base, dims - 1, item, f"{path}[{i}]")
        return
    yield path, value


def _outside(interval: Interval, number: int | float) -> str | None:
    low, high = interval
    if number < bound_value(low):
        return f"is below {shown(low)}"
    if number > bound_value(high):
        return f"is above {shown(high)}"
    return None


def _number(value: Any) -> int | float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return value


def _brief(value: Any) -> str:
    text = json.dumps(value)
    return text if len(text) <= 40 else text[:37] + "..."


def param_violations(name: str, type_name: str, rule: ParamConstraint, value: Any) -> list[str]:
    """What ``value`` of parameter ``name`` breaks in ``rule`` (the first of each kind)."""
    base, dims = _base(type_name)
    found: list[str] = []
    elements = _elements(base, dims, value)
    sized = dims > 0 or base in ("string", "ListNode", "TreeNode")
    if rule.length is not None and sized:
        why = _outside(rule.length, len(elements))
        if why:
            found.append(f"{name}.length = {len(elements)} {why}")
    if rule.item_length is not None or rule.total_length is not None:
        sizes = [(i, _item_size(base, dims, item)) for i, item in enumerate(elements)]
        known = [(i, size) for i, size in sizes if size is not None]
        if rule.item_length is not None:
            for i, size in known:
                why = _outside(rule.item_length, size)
                if why:
                    found.append(f"{name}[{i}].length = {size} {why}")
                    break
        if rule.total_length is not None:
            total = sum(size for _, size in known)
            why = _outside(rule.total_length, total)
            if why:
                found.append(f"the total length of {name} = {total} {why}")
    leaves = list(_leaves(base, dims, value, name))
    if rule.values is not None:
        for path, leaf in leaves:
            number = _number(leaf)
            why = _outside(rule.values, number) if number is not None else None
            if why:
                found.append(f"{path} = {leaf} {why}")
                break
    if rule.alphabet is not None:
        allowed = re.compile(f"[{rule.alphabet}]")
        for path, leaf in leaves:
            text = leaf if isinstance(leaf, str) else ""
            bad = next((c for c in text if not allowed.fullmatch(c)), None)
            if bad is not None:
                found.append(f"{path} = {_brief(leaf)} has {bad!r}, not in [{rule.alphabet}]")
                break
    if rule.distinct:
        items = (
            [leaf for _, leaf in leaves]
            if base in ("ListNode", "TreeNode") and not dims
            else elements
        )
        seen: set[str] = set()
        for i, item in enumerate(items):
            key = json.dumps(item, sort_keys=True)
            if key in seen:
                found.append(f"{name}[{i}] = {_brief(item)} repeats an earlier element")
                break
            seen.add(key)
    return found


def input_violations(problem: Problem, args: list[Any]) -> list[str]:
    """What one input breaks: each parameter's limits, then each rule's ``check``."""
    constraints = problem.constraints
    if constraints is None:
        return []
    found: list[str] = []
    bound = {p.name: arg for p, arg in zip(problem.signature.params, args, strict=False)}
    for param in problem.signature.params:
        rule = constraints.params.get(param.name)
        if rule is not None and param.name in bound:
            found += param_violations(param.name, param.type, rule, bound[param.name])
    for item in constraints.rules:
        try:
            holds = eval(  # noqa: S307 - trusted bank code, like the generator
                compile(item.check, f"<{problem.id} rule>", "eval"),
                {"__builtins__": builtins, **bound},  # globals: comprehensions see them
            )
        except Exception as exc:  # any failure of the check is a finding
            found.append(f"the check of {item.text!r} raised {type(exc).__name__}: {exc}")
            continue
        if not holds:
            found.append(f"breaks {item.text!r}")
    return found


def coverage_gaps(problem: Problem) -> list[str]:
    """Constraints that are missing or name no parameter (a bank problem needs them all)."""
    if problem.constraints is None:
        return ["no constraints: every parameter needs its limits (`constraints.params`)"]
    names = [p.name for p in problem.signature.params]
    gaps = [
        f"parameter {n!r} has no constraint" for n in names if n not in problem.constraints.params
    ]
    gaps += [
        f"constraint for {n!r}, which is not a parameter"
        for n in problem.constraints.params
        if n not in names
    ]
    return gaps


def labelled_inputs(problem: Problem) -> Iterator[tuple[str, list[Any]]]:
    """Every input a candidate's code can meet: stored tests, large tests, fresh inputs."""
    for test in problem.tests:
        yield f"visible test {test.name!r}", test.input
    for test in problem.hidden_tests:
        yield f"hidden test {test.name!r}", test.input
    if problem.generator is None:
        return
    for large in problem.large_tests:
        yield f"large test {large.name!r}", problem.generate(large.size, large.seed)
    for seed in FRESH_SEEDS:  # the seeds ProblemRunner.fresh_tests uses
        for i, size in enumerate(problem.fresh_sizes):
            yield (
                f"fresh input (seed {seed}, size {size})",
                problem.generate(size, seed * 1000 + i),
            )


def check_problem(problem: Problem) -> list[str]:
    """Every finding for ``problem``: gaps in its constraints, then each violating input."""
    findings = coverage_gaps(problem)
    if problem.constraints is None:
        return findings
    try:
        for label, args in labelled_inputs(problem):
            findings += [f"{label}: {why}" for why in input_violations(problem, args)]
    except Exception as exc:  # a generator that fails is a finding too
        findings.append(f"the generator failed: {type(exc).__name__}: {exc}")
    return findings
