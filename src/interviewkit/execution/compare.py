"""How an answer is judged: stdout text and structured (JSON) return values.

Text ignores trailing whitespace on each line and trailing blank lines, as judges do; with a
float tolerance, tokens that both parse as numbers compare within it. Values compare
structurally: ``True`` is not ``1``, an int equals a float only within the tolerance, and
``unordered`` ignores the order of the top-level list (any order of the answers).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Comparison:
    float_tolerance: float | None = None
    unordered: bool = False


def normalise_output(text: str) -> list[str]:
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").split("\n")]
    while lines and not lines[-1]:
        lines.pop()
    return lines


def _close(a: float, b: float, tolerance: float) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return math.isclose(a, b, rel_tol=tolerance, abs_tol=tolerance)


def _as_number(token: str) -> float | None:
    try:
        return float(token)
    except ValueError:
        return None


def _tokens_match(expected: str, actual: str, tolerance: float) -> bool:
    if expected == actual:
        return True
    wanted, got = _as_number(expected), _as_number(actual)
    return wanted is not None and got is not None and _close(wanted, got, tolerance)


def output_matches(expected: str, actual: str, rule: Comparison) -> bool:
    wanted, got = normalise_output(expected), normalise_output(actual)
    if rule.float_tolerance is None:
        return wanted == got
    if len(wanted) != len(got):
        return False
    tolerance = rule.float_tolerance
    for line_wanted, line_got in zip(wanted, got, strict=True):
        tokens_wanted, tokens_got = line_wanted.split(), line_got.split()
        if len(tokens_wanted) != len(tokens_got):
            return False
        if not all(
            _tokens_match(a, b, tolerance) for a, b in zip(tokens_wanted, tokens_got, strict=True)
        ):
            return False
    return True


def values_match(expected: Any, actual: Any, rule: Comparison) -> bool:
    if rule.unordered and isinstance(expected, list) and isinstance(actual, list):
        return _unmatched(expected, actual, rule) is None
    return _equal(expected, actual, rule)


def _unmatched(expected: list[Any], actual: list[Any], rule: Comparison) -> Any:
    """An expected element no actual element can stand for (the multisets differ), else None.

    Sorting both sides pairs equal answers in linear time. With a tolerance "equal" is not
    transitive, so when sorted pairing fails on a list of modest size, a maximum bipartite
    matching decides (augmenting paths), and no permutation of a right answer is refused.
    """
    if len(expected) != len(actual):
        return _Length(len(expected), len(actual))
    key = _sort_key
    wanted, got = sorted(expected, key=key), sorted(actual, key=key)
    if all(_equal(a, b, rule) for a, b in zip(wanted, got, strict=True)):
        return None
    if len(expected) > MATCHING_LIMIT:
        return next(a for a, b in zip(wanted, got, strict=True) if not _equal(a, b, rule))
    partner: dict[int, int] = {}
    candidates = [
        [j for j, other in enumerate(actual) if _equal(item, other, rule)] for item in expected
    ]

    def augment(i: int, seen: set[int]) -> bool:
        for j in candidates[i]:
            if j not in seen:
                seen.add(j)
                if j not in partner or augment(partner[j], seen):
                    partner[j] = i
                    return True
        return False

    for i, item in enumerate(expected):
        if not augment(i, set()):
            return _Missing(item)
    return None


MATCHING_LIMIT = 500
"""Beyond this many elements an unordered comparison trusts the sorted pairing alone."""


@dataclass(frozen=True)
class _Length:
    expected: int
    actual: int


@dataclass(frozen=True)
class _Missing:
    item: Any


def _sort_key(value: Any) -> tuple[int, Any]:
    """Numbers by value (so near-equal floats sit side by side), the rest by their JSON."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return (0, float(value))
    return (1, _canonical(value))


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True)


def _equal(expected: Any, actual: Any, rule: Comparison) -> bool:
    if isinstance(expected, bool) or isinstance(actual, bool):
        return isinstance(expected, bool) and isinstance(actual, bool) and expected == actual
    if isinstance(expected, int | float) and isinstance(actual, int | float):
        if isinstance(expected, int) and isinstance(actual, int):
            return expected == actual
        tolerance = rule.float_tolerance if rule.float_tolerance is not None else 1e-9
        return _close(float(expected), float(actual), tolerance)
    if isinstance(expected, list) and isinstance(actual, list):
        return len(expected) == len(actual) and all(
            _equal(a, b, rule) for a, b in zip(expected, actual, strict=True)
        )
    if isinstance(expected, dict) and isinstance(actual, dict):
        return expected.keys() == actual.keys() and all(
            _equal(expected[key], actual[key], rule) for key in expected
        )
    return type(expected) is type(actual) and bool(expected == actual)


def first_difference(expected: Any, actual: Any, rule: Comparison | None = None) -> str | None:
    """Where two values first differ, for the message a candidate reads."""
    rule = rule or Comparison()
    if rule.unordered and isinstance(expected, list) and isinstance(actual, list):
        found = _unmatched(expected, actual, rule)
        if isinstance(found, _Length):
            return f"length: expected {found.expected}, got {found.actual}"
        if found is None:
            return None
        item = found.item if isinstance(found, _Missing) else found
        return f"expected {json.dumps(item)} among the answers (in any order); it is missing"
    if isinstance(expected, list) and isinstance(actual, list):
        for index, (a, b) in enumerate(zip(expected, actual, strict=False)):
            if not _equal(a, b, rule):
                inner = first_difference(a, b, Comparison(rule.float_tolerance)) or ""
                separator = "" if inner.startswith("[") else ": "
                return f"[{index}]{separator}{inner}"
        if len(expected) != len(actual):
            return f"length: expected {len(expected)}, got {len(actual)}"
        return None
    if not _equal(expected, actual, rule):
        return f"expected {json.dumps(expected)}, got {json.dumps(actual)}"
    return None
