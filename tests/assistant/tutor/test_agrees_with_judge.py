"""The tutor names the difference the judge found, under the problem's comparison rule.

It used to walk the values itself with exact equality, so under a float tolerance it
pointed at an element the judge had accepted, and on an unordered problem it pointed at a
position although any order is right. It now asks :func:`execution.compare.first_difference`.
"""

from __future__ import annotations

import re
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from interviewkit.assistant.tutor import explain_result
from interviewkit.execution.compare import Comparison, first_difference
from interviewkit.execution.schemas import ExecutionResult, TestResult
from interviewkit.problems.bank import Problem, load_bank

TWO_SUM: Problem = load_bank().problems["two-sum"]


def explained(problem: Problem, expected: Any, actual: Any) -> str:
    test = TestResult(
        name="t1", status="wrong_answer", input=[[1], 1], expected=expected, actual=actual
    )
    result = ExecutionResult(
        id="exe_judge",
        language="python",
        language_version="0",
        status="wrong_answer",
        tests=[test],
        passed=0,
        total=1,
    )
    return explain_result(result, "python", {}, problem)


def test_under_a_float_tolerance_the_tutor_skips_what_the_judge_accepted() -> None:
    problem = TWO_SUM.model_copy(update={"float_tolerance": 1e-6})
    expected, actual = [0.1, 2.0], [0.1 + 1e-9, 3.0]
    judge = first_difference(expected, actual, Comparison(float_tolerance=1e-6))
    assert judge is not None
    assert judge.startswith("[1]")
    answer = explained(problem, expected, actual)
    assert "First difference at [1]: expected `2.0`, got `3.0`" in answer
    assert "at [0]" not in answer


def test_on_an_unordered_problem_the_tutor_names_the_missing_answer_not_a_position() -> None:
    problem = TWO_SUM.model_copy(update={"unordered": True})
    expected, actual = [[1, 2], [3, 4]], [[3, 4], [1, 5]]
    judge = first_difference(expected, actual, Comparison(unordered=True))
    assert judge is not None
    answer = explained(problem, expected, actual)
    assert judge in answer
    assert "at [0]" not in answer


@given(
    st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=1, max_size=8),
    st.data(),
)
def test_the_tutor_points_where_the_judge_does(expected: list[float], data: Any) -> None:
    tolerance = 1e-6
    problem = TWO_SUM.model_copy(update={"float_tolerance": tolerance})
    noise = st.sampled_from([0.0, 1e-12, 0.5, 10.0])
    actual = [value + value * data.draw(noise) + data.draw(noise) for value in expected]
    judge = first_difference(expected, actual, Comparison(float_tolerance=tolerance))
    answer = explained(problem, expected, actual)
    if judge is None:
        assert "First difference" not in answer
    else:
        index = re.match(r"\[(\d+)\]", judge)
        assert index is not None
        assert f"First difference at [{index.group(1)}]" in answer
