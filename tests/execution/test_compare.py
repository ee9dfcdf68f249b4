"""How answers are judged (``compare.py``): examples, then properties over wide inputs."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from interviewkit.execution.compare import (
    Comparison,
    first_difference,
    normalise_output,
    output_matches,
    values_match,
)

EXACT = Comparison()
LOOSE = Comparison(float_tolerance=1e-6)
ANY_ORDER = Comparison(unordered=True)

# ---------------------------------------------------------------------------- stdout


@pytest.mark.parametrize(
    ("expected", "actual"),
    [
        ("3\n", "3"),
        ("3", "3\n\n\n"),
        ("a b\nc\n", "a b   \nc\t\n"),
        ("a\r\nb\r\n", "a\nb\n"),
        ("", ""),
        ("", "\n\n  \n"),
        ("x\n\n", "x"),
    ],
)
def test_trailing_whitespace_and_blank_lines_are_ignored(expected: str, actual: str) -> None:
    assert output_matches(expected, actual, EXACT)
    assert output_matches(actual, expected, EXACT)


@pytest.mark.parametrize(
    ("expected", "actual"),
    [
        ("3", "4"),
        ("a b", "a  b"),
        ("a\nb", "a\n\nb"),
        (" a", "a"),
        ("a\nb", "b\na"),
        ("1.0", "1"),
        ("", "x"),
    ],
)
def test_inner_and_leading_differences_count(expected: str, actual: str) -> None:
    assert not output_matches(expected, actual, EXACT)


def test_float_tolerance_on_stdout_compares_numeric_tokens() -> None:
    rule = Comparison(float_tolerance=1e-3)
    assert output_matches("3.1416 2\n", "3.14159 2.0", rule)
    assert output_matches("1e3 abc", "1000.0004 abc", rule)
    assert not output_matches("3.1416 2", "3.2 2", rule)
    assert not output_matches("abc", "abd", rule)
    assert not output_matches("1 2", "1 2 3", rule)
    assert not output_matches("1\n2", "1", rule)
    assert output_matches("nan", "NaN", rule)
    assert not output_matches("nan", "1", rule)


def test_normalise_output() -> None:
    assert normalise_output("a  \nb\n\n") == ["a", "b"]
    assert normalise_output("") == []
    assert normalise_output("\r\n") == []


# ---------------------------------------------------------------------------- values


@pytest.mark.parametrize(
    ("expected", "actual", "rule", "same"),
    [
        ([0, 1], [0, 1], EXACT, True),
        ([0, 1], [1, 0], EXACT, False),
        ([0, 1], [1, 0], ANY_ORDER, True),
        ([[1, 2], [3]], [[3], [1, 2]], ANY_ORDER, True),
        ([[1, 2], [3]], [[3], [2, 1]], ANY_ORDER, False),  # only the top level is unordered
        ([1, 1, 2], [1, 2, 2], ANY_ORDER, False),  # a multiset, not a set
        ([1, 2], [1, 2, 2], ANY_ORDER, False),
        (True, 1, EXACT, False),
        (1, True, EXACT, False),
        (False, 0, EXACT, False),
        (True, True, EXACT, True),
        (1, 1.0, EXACT, True),
        (0.1 + 0.2, 0.3, EXACT, True),  # a default tolerance of 1e-9 for floats
        (1.0, 1.001, EXACT, False),
        (1.0, 1.0000001, LOOSE, True),
        (2**53 + 1, 2**53, EXACT, False),  # ints compare exactly
        ("1", 1, EXACT, False),
        (None, None, EXACT, True),
        (None, 0, EXACT, False),
        ({"a": 1, "b": [1]}, {"b": [1], "a": 1}, EXACT, True),
        ({"a": 1}, {"a": 1, "b": 2}, EXACT, False),
        ({"a": True}, {"a": 1}, EXACT, False),
        ([1.0, 2.0], [1.0000001, 2.0], LOOSE, True),
        (float("nan"), float("nan"), EXACT, True),
        (float("nan"), 1.0, EXACT, False),
        (float("inf"), float("inf"), EXACT, True),
        (float("inf"), -float("inf"), EXACT, False),
        ([], [], ANY_ORDER, True),
        ("abc", "abc", ANY_ORDER, True),
    ],
)
def test_values_match_examples(expected: Any, actual: Any, rule: Comparison, same: bool) -> None:
    assert values_match(expected, actual, rule) is same


def test_unordered_tolerates_floats_in_any_order() -> None:
    rule = Comparison(float_tolerance=1e-6, unordered=True)
    assert values_match([1.0, 2.5, 3.0], [3.0000001, 1.0, 2.5000001], rule)
    assert not values_match([1.0, 2.5], [1.0, 2.6], rule)


def test_unordered_with_mixed_element_types() -> None:
    assert values_match([1, "a", None, [2]], [[2], None, "a", 1], ANY_ORDER)
    assert not values_match([1, "a"], ["a", True], ANY_ORDER)


@pytest.mark.parametrize(
    ("expected", "actual", "message"),
    [
        ([0, 1], [0, 2], "[1]: expected 1, got 2"),
        ([[1, 2], [3]], [[1, 2], [4]], "[1][0]: expected 3, got 4"),
        ([1, 2], [1, 2, 3], "length: expected 2, got 3"),
        ([1, 2], [1], "length: expected 2, got 1"),
        (5, 6, "expected 5, got 6"),
        ("a", None, 'expected "a", got null'),
        ([1], "x", 'expected [1], got "x"'),
        ([1, 2], [1, 2], None),
    ],
)
def test_first_difference_names_where(expected: Any, actual: Any, message: str | None) -> None:
    assert first_difference(expected, actual) == message


# ---------------------------------------------------------------------------- properties

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False, width=64)
    | st.text(max_size=8)
)
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=4), inner, max_size=4)
    ),
    max_leaves=20,
)
line_text = st.text(
    alphabet=st.characters(blacklist_categories=["Cc", "Zl", "Zp", "Cs"]), max_size=10
)
lines = st.lists(line_text, max_size=6)
PROPERTY = settings(max_examples=200, deadline=None)


@PROPERTY
@given(value=json_values)
def test_a_value_matches_itself_and_its_json_round_trip(value: Any) -> None:
    assert values_match(value, value, EXACT)
    assert values_match(value, json.loads(json.dumps(value)), EXACT)
    assert values_match(value, value, Comparison(float_tolerance=0.0, unordered=True))
    assert first_difference(value, value) is None


@PROPERTY
@given(expected=json_values, actual=json_values)
def test_matching_is_symmetric_without_unordered(expected: Any, actual: Any) -> None:
    for rule in (EXACT, LOOSE):
        assert values_match(expected, actual, rule) == values_match(actual, expected, rule)


@PROPERTY
@given(items=st.lists(json_values, max_size=6), data=st.data())
def test_unordered_accepts_every_permutation(items: list[Any], data: st.DataObject) -> None:
    shuffled = data.draw(st.permutations(items))
    assert values_match(items, shuffled, ANY_ORDER)
    assert values_match(shuffled, items, ANY_ORDER)


@PROPERTY
@given(items=st.lists(st.integers(-5, 5), min_size=1, max_size=6), data=st.data())
def test_unordered_refuses_a_changed_multiset(items: list[int], data: st.DataObject) -> None:
    index = data.draw(st.integers(0, len(items) - 1))
    changed = [*items[:index], items[index] + 100, *items[index + 1 :]]
    assert not values_match(items, data.draw(st.permutations(changed)), ANY_ORDER)
    assert not values_match(items, items[:index] + items[index + 1 :], ANY_ORDER)


@PROPERTY
@given(
    a=st.floats(-1e6, 1e6, allow_nan=False),
    b=st.floats(-1e6, 1e6, allow_nan=False),
    tolerance=st.sampled_from([0.0, 1e-9, 1e-6, 1e-3, 0.5]),
)
def test_float_tolerance_is_symmetric(a: float, b: float, tolerance: float) -> None:
    rule = Comparison(float_tolerance=tolerance)
    assert values_match(a, b, rule) == values_match(b, a, rule)
    assert output_matches(repr(a), repr(b), rule) == output_matches(repr(b), repr(a), rule)
    close = math.isclose(a, b, rel_tol=tolerance, abs_tol=tolerance)
    assert values_match(a, b, rule) == close


@PROPERTY
@given(value=st.floats(-1e9, 1e9, allow_nan=False), tolerance=st.sampled_from([1e-6, 1e-3]))
def test_a_float_within_the_tolerance_matches(value: float, tolerance: float) -> None:
    rule = Comparison(float_tolerance=tolerance)
    nudged = value + tolerance / 2
    assert values_match(value, nudged, rule)
    assert output_matches(f"{value!r}\n", f"{nudged!r}", rule)
    far = value + max(abs(value), 1.0) * tolerance * 4
    assert not values_match(value, far, rule)


@PROPERTY
@given(flag=st.booleans(), number=st.integers(-2, 2) | st.floats(-2, 2, allow_nan=False))
def test_a_bool_is_never_a_number(flag: bool, number: float) -> None:
    for rule in (EXACT, LOOSE, ANY_ORDER):
        assert not values_match(flag, number, rule)
        assert not values_match(number, flag, rule)
        assert not values_match([flag], [number], rule)


@PROPERTY
@given(
    text=lines.map("\n".join),
    line_padding=st.lists(st.sampled_from([" ", "\t"]), max_size=3).map("".join),
    end_padding=st.lists(st.sampled_from([" ", "\t", "\n", "\r\n"]), max_size=4).map("".join),
)
def test_trailing_whitespace_never_changes_the_verdict(
    text: str, line_padding: str, end_padding: str
) -> None:
    padded = "\n".join(line + line_padding for line in text.split("\n")) + end_padding
    assert output_matches(text, padded, EXACT)
    assert output_matches(padded, text, EXACT)
    assert output_matches(text, padded, LOOSE)


@PROPERTY
@given(expected=lines, actual=lines)
def test_output_matching_agrees_with_normalised_lines(
    expected: list[str], actual: list[str]
) -> None:
    left, right = "\n".join(expected), "\n".join(actual)
    same = normalise_output(left) == normalise_output(right)
    assert output_matches(left, right, EXACT) == same
    assert output_matches(right, left, EXACT) == same


def contains_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return True
    if isinstance(value, list):
        return any(contains_bool(item) for item in value)
    if isinstance(value, dict):
        return any(contains_bool(item) for item in value.values())
    return False


@PROPERTY
@given(expected=json_values, actual=json_values)
def test_a_wrong_value_always_has_a_difference_to_show(expected: Any, actual: Any) -> None:
    """Bools are left to the example test below (a known bug)."""
    assume(not contains_bool(expected) and not contains_bool(actual))
    if not values_match(expected, actual, EXACT):
        assert first_difference(expected, actual) is not None
    assert first_difference(expected, expected) is None


@pytest.mark.parametrize(
    ("expected", "actual"), [(True, 1), ([0, False], [0, 0]), ({"ok": True}, {"ok": 1})]
)
def test_a_bool_where_a_number_came_back_has_a_message(expected: Any, actual: Any) -> None:
    """KNOWN BUG (compare.py ``first_difference``): it compares with ``!=``, for which
    ``True == 1``, so this wrong answer (``values_match`` says so) gets no message."""
    assert not values_match(expected, actual, EXACT)
    assert first_difference(expected, actual) is not None


def test_unordered_accepts_a_permutation_of_values_within_the_tolerance() -> None:
    """KNOWN BUG (compare.py ``values_match``): unordered matching is greedy, and with a
    tolerance "equal" is not transitive. 0.0 takes 0.5 (within 0.5), 0.5 takes 1.0, and
    1.0 is left with 0.0: a mere permutation of the expected answer is refused."""
    rule = Comparison(float_tolerance=0.5, unordered=True)
    assert values_match([0.0, 0.5, 1.0], [0.0, 0.5, 1.0], rule)
    assert values_match([0.0, 0.5, 1.0], [0.5, 1.0, 0.0], rule)
