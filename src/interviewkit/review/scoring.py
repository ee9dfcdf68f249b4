"""The automatic score of a part and of a session, and the ability line of an attempt.

Pure functions of what was measured (tests, times, help taken): the report computes the
facts, these turn them into numbers a panel can compare. ``docs/scoring.md`` gives the
formula with a worked example; the property tests hold these to their promises (bounds,
more tests passed never lowers a score, more help never raises it).
"""

from __future__ import annotations

from dataclasses import dataclass

VISIBLE_WEIGHT = 1.0
HIDDEN_WEIGHT = 2.0
"""A hidden test counts twice a visible one: passing only the examples is not solving it."""
LARGE_WEIGHT = 3.0
"""A large test counts three times: it is the one a slow solution fails."""

SPEED_SHARE = 0.2
"""Up to this share of the tests score is lost by accepting late (all of it at the limit)."""
ASSISTANCE_SHARE = 0.3
"""Up to this share of the tests score is lost by leaning on the assistant."""
HINT_COST = 0.25
"""Each released hint costs a quarter of the assistance component (a problem has three)."""
TURN_COST = 0.05
"""Each question to the assistant costs a twentieth of the assistance component."""


@dataclass(frozen=True)
class TestTally:
    """Passed and total tests of one judged run, by kind."""

    __test__ = False  # not a pytest class

    visible_passed: int = 0
    visible_total: int = 0
    hidden_passed: int = 0
    hidden_total: int = 0
    """Hidden tests that are not large ones."""
    large_passed: int = 0
    large_total: int = 0


@dataclass(frozen=True)
class PartScore:
    score: float
    """0..100."""
    tests: float
    speed: float
    assistance: float


def share_of_tests(tally: TestTally) -> float:
    """The weighted share of tests passed, in [0, 1] (0 when nothing was judged)."""
    weight = (
        VISIBLE_WEIGHT * tally.visible_total
        + HIDDEN_WEIGHT * tally.hidden_total
        + LARGE_WEIGHT * tally.large_total
    )
    if weight <= 0:
        return 0.0
    earned = (
        VISIBLE_WEIGHT * min(tally.visible_passed, tally.visible_total)
        + HIDDEN_WEIGHT * min(tally.hidden_passed, tally.hidden_total)
        + LARGE_WEIGHT * min(tally.large_passed, tally.large_total)
    )
    return max(0.0, min(1.0, earned / weight))


def speed_component(first_accepted_ms: int | None, minutes: float | None) -> float:
    """1 for a run accepted at once, falling linearly to 0 at the part's time; 0 when never
    accepted. A part without a time limit has no clock to measure against: accepted is 1."""
    if first_accepted_ms is None:
        return 0.0
    if minutes is None or minutes <= 0:
        return 1.0
    allotted = minutes * 60_000
    return max(0.0, min(1.0, 1.0 - max(0, first_accepted_ms) / allotted))


def assistance_component(hints: int, turns: int) -> float:
    """1 with no help; each hint and each question to the assistant takes some off, to 0."""
    return max(0.0, min(1.0, 1.0 - HINT_COST * max(0, hints) - TURN_COST * max(0, turns)))


def part_score(
    tally: TestTally,
    first_accepted_ms: int | None,
    minutes: float | None,
    hints: int,
    turns: int,
) -> PartScore:
    """``100 · tests · (1 - 0.2 · (1 - speed)) · (1 - 0.3 · (1 - assistance))``.

    Tests are the score; speed and independence only scale it down, so a part with no
    test passed scores 0 however fast or unaided, and the best score needs all three.
    """
    tests = share_of_tests(tally)
    speed = speed_component(first_accepted_ms, minutes)
    assistance = assistance_component(hints, turns)
    value = (
        100.0 * tests * (1 - SPEED_SHARE * (1 - speed)) * (1 - ASSISTANCE_SHARE * (1 - assistance))
    )
    return PartScore(
        score=round(max(0.0, min(100.0, value)), 2),
        tests=round(tests, 4),
        speed=round(speed, 4),
        assistance=round(assistance, 4),
    )


def session_total(parts: list[tuple[float, float | None]]) -> float | None:
    """The parts' scores ``(score, minutes)`` averaged, weighted by their minutes (equal
    weights when any part has none): a 30-minute part counts twice a 15-minute one."""
    if not parts:
        return None
    minutes = [m for _, m in parts]
    if all(m is not None and m > 0 for m in minutes):
        weights = [float(m or 0) for m in minutes]
    else:
        weights = [1.0] * len(parts)
    total = sum(score * w for (score, _), w in zip(parts, weights, strict=True)) / sum(weights)
    return round(max(0.0, min(100.0, total)), 2)


def ability_line(theta: float, se: float, answered: int, accepted: int) -> str:
    """One sentence a hiring manager reads, e.g. "Estimated ability +0.8 ± 0.4: above the
    bank's average candidate; 3 questions answered, 2 accepted".

    The bank's average candidate is θ = 0 (the prior's mean); "above" or "below" only when
    the estimate is more than one standard error away from it, else "about".
    """
    if theta - se > 1.0:
        where = "well above the bank's average candidate"
    elif theta - se > 0:
        where = "above the bank's average candidate"
    elif theta + se < -1.0:
        where = "well below the bank's average candidate"
    elif theta + se < 0:
        where = "below the bank's average candidate"
    else:
        where = "about the bank's average candidate"
    questions = "question" if answered == 1 else "questions"
    return (
        f"Estimated ability {theta:+.1f} ± {se:.1f}: {where}; "
        f"{answered} {questions} answered, {accepted} accepted"
    )


def rubric_score(
    ratings: dict[str, dict[str, int]], weights: dict[str, dict[str, float]]
) -> float | None:
    """The weighted mean of the 1-4 ratings scaled to 0..100 (1 is 0, 4 is 100).

    ``weights`` maps problem id to criterion to its rubric weight; each problem's weights
    sum to 1, so every problem counts the same however many criteria it has. Items not
    rated are left out (a draft scores what it rated); None when nothing is rated.
    """
    earned = total = 0.0
    for problem_id, given in ratings.items():
        known = weights.get(problem_id, {})
        for criterion, rating in given.items():
            weight = known.get(criterion)
            if weight is None:
                continue
            earned += weight * (min(4, max(1, rating)) - 1) / 3
            total += weight
    if total <= 0:
        return None
    return round(100.0 * earned / total, 2)
