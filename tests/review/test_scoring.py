"""The automatic score keeps its promises for every input: bounds, monotonicity, help."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from interviewkit.review.scoring import (
    TestTally,
    ability_line,
    part_score,
    rubric_score,
    session_total,
    share_of_tests,
)

counts = st.integers(min_value=0, max_value=500)
minutes = st.one_of(st.none(), st.floats(min_value=0.1, max_value=600))
moments = st.one_of(st.none(), st.integers(min_value=0, max_value=10 * 3_600_000))
helps = st.integers(min_value=0, max_value=50)


@st.composite
def tallies(draw: st.DrawFn) -> TestTally:
    totals = [draw(counts) for _ in range(3)]
    passed = [draw(st.integers(min_value=0, max_value=t)) for t in totals]
    return TestTally(passed[0], totals[0], passed[1], totals[1], passed[2], totals[2])


@given(tallies(), moments, minutes, helps, helps)
def test_a_part_scores_between_0_and_100(
    tally: TestTally, accepted: int | None, allotted: float | None, hints: int, turns: int
) -> None:
    scored = part_score(tally, accepted, allotted, hints, turns)
    assert 0 <= scored.score <= 100
    for component in (scored.tests, scored.speed, scored.assistance):
        assert 0 <= component <= 1


@given(tallies(), st.sampled_from(["visible", "hidden", "large"]), moments, minutes, helps, helps)
def test_one_more_test_passed_never_lowers_the_score(
    tally: TestTally,
    kind: str,
    accepted: int | None,
    allotted: float | None,
    hints: int,
    turns: int,
) -> None:
    passed, total = getattr(tally, f"{kind}_passed"), getattr(tally, f"{kind}_total")
    if passed == total:
        return
    better = TestTally(**{**tally.__dict__, f"{kind}_passed": passed + 1})
    before = part_score(tally, accepted, allotted, hints, turns)
    after = part_score(better, accepted, allotted, hints, turns)
    assert after.tests >= before.tests
    assert after.score >= before.score


@given(tallies(), moments, minutes, helps, helps, st.integers(1, 5), st.integers(0, 5))
def test_more_hints_or_assistant_turns_never_raise_the_score(
    tally: TestTally,
    accepted: int | None,
    allotted: float | None,
    hints: int,
    turns: int,
    more_hints: int,
    more_turns: int,
) -> None:
    base = part_score(tally, accepted, allotted, hints, turns)
    assert part_score(tally, accepted, allotted, hints + more_hints, turns).score <= base.score
    assert part_score(tally, accepted, allotted, hints, turns + more_turns).score <= base.score


@given(tallies(), st.integers(0, 3_600_000), st.integers(1, 3_600_000), minutes, helps, helps)
def test_accepting_later_never_raises_the_score(
    tally: TestTally, early: int, delay: int, allotted: float | None, hints: int, turns: int
) -> None:
    sooner = part_score(tally, early, allotted, hints, turns)
    later = part_score(tally, early + delay, allotted, hints, turns)
    never = part_score(tally, None, allotted, hints, turns)
    assert never.score <= later.score <= sooner.score


@given(moments, minutes, helps, helps)
def test_no_test_passed_scores_zero_however_fast_or_unaided(
    accepted: int | None, allotted: float | None, hints: int, turns: int
) -> None:
    assert part_score(TestTally(0, 3, 0, 10, 0, 1), accepted, allotted, hints, turns).score == 0


def test_the_weights_hidden_count_double_and_large_triple() -> None:
    only_visible = TestTally(3, 3, 0, 10, 0, 1)
    assert share_of_tests(only_visible) == pytest.approx(3 / (3 + 20 + 3))
    only_large = TestTally(0, 3, 0, 10, 1, 1)
    assert share_of_tests(only_large) == pytest.approx(3 / 26)
    assert share_of_tests(TestTally()) == 0


def test_the_worked_example_of_docs_scoring() -> None:
    """docs/scoring.md: 3/3 visible, 9/10 hidden, 1/1 large, accepted at minute 6 of 15,
    one hint and two assistant questions."""
    scored = part_score(TestTally(3, 3, 9, 10, 1, 1), 6 * 60_000, 15, 1, 2)
    assert scored.tests == pytest.approx(24 / 26, abs=1e-4)
    assert scored.speed == pytest.approx(0.6)
    assert scored.assistance == pytest.approx(0.65)
    assert scored.score == pytest.approx(100 * 24 / 26 * 0.92 * 0.895, abs=0.01)


@given(st.lists(st.tuples(st.floats(0, 100), minutes), min_size=1, max_size=6))
def test_the_session_total_lies_between_its_parts(parts: list[tuple[float, float | None]]) -> None:
    total = session_total(parts)
    assert total is not None
    scores = [score for score, _ in parts]
    assert min(scores) - 0.01 <= total <= max(scores) + 0.01


def test_a_longer_part_weighs_more_in_the_total() -> None:
    assert session_total([(100, 15), (40, 30)]) == 60
    assert session_total([]) is None


def test_the_rubric_score_maps_1_to_0_and_4_to_100_by_weight() -> None:
    weights = {"p": {"a": 0.75, "b": 0.25}}
    assert rubric_score({"p": {"a": 4, "b": 4}}, weights) == 100
    assert rubric_score({"p": {"a": 1, "b": 1}}, weights) == 0
    assert rubric_score({"p": {"a": 4, "b": 1}}, weights) == 75
    assert rubric_score({"p": {"b": 4}}, weights) == 100  # a draft scores what it rated
    assert rubric_score({}, weights) is None


@given(st.floats(-4, 4), st.floats(0.05, 1.5), st.integers(0, 20), st.integers(0, 20))
def test_the_ability_line_reads_as_a_sentence(
    theta: float, se: float, answered: int, accepted: int
) -> None:
    line = ability_line(theta, se, answered, min(accepted, answered))
    assert line.startswith(f"Estimated ability {theta:+.1f} ± {se:.1f}: ")
    assert "average candidate" in line
    assert f"{answered} question" in line


def test_the_ability_line_of_the_brief() -> None:
    assert ability_line(0.8, 0.4, 3, 2) == (
        "Estimated ability +0.8 ± 0.4: above the bank's average candidate; "
        "3 questions answered, 2 accepted"
    )
    assert "about the bank's average" in ability_line(0.2, 0.4, 1, 0)
    assert "below the bank's average" in ability_line(-0.9, 0.3, 2, 0)
