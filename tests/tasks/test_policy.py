"""The retry schedule both backends share, and the payload check at enqueue."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from interviewkit.tasks.policy import checked_payload, jittered_delay, retry_delay

attempts = st.integers(min_value=1, max_value=200)
bases = st.floats(min_value=0.0, max_value=3600.0, allow_nan=False)
caps = st.floats(min_value=0.0, max_value=24 * 3600.0, allow_nan=False)
unit = st.floats(min_value=0.0, max_value=1.0, exclude_max=True)


@given(attempts, bases, caps)
def test_the_delay_doubles_until_the_cap_and_never_exceeds_it(
    attempt: int, base: float, cap: float
) -> None:
    delay = retry_delay(attempt, base, cap)
    after = retry_delay(attempt + 1, base, cap)

    assert math.isfinite(delay)
    assert 0.0 <= delay <= cap
    assert after >= delay  # monotone
    if base * 2.0 ** (attempt - 1) <= cap:
        assert delay == pytest.approx(base * 2.0 ** (attempt - 1))
    else:
        assert delay == cap


@given(attempts, bases, caps, unit)
def test_jitter_stays_between_half_the_delay_and_the_delay(
    attempt: int, base: float, cap: float, draw: float
) -> None:
    delay = retry_delay(attempt, base, cap)
    jittered = jittered_delay(attempt, base, cap, rng=lambda: draw)

    assert delay / 2 <= jittered <= delay


@given(attempts, bases, caps, unit, unit)
def test_below_the_cap_a_later_retry_never_waits_less_than_an_earlier_one(
    attempt: int, base: float, cap: float, early: float, late: float
) -> None:
    if retry_delay(attempt + 1, base, cap) < cap:
        first = jittered_delay(attempt, base, cap, rng=lambda: early)
        second = jittered_delay(attempt + 1, base, cap, rng=lambda: late)
        assert second >= first * (1 - 1e-12)


def test_attempts_count_from_one() -> None:
    with pytest.raises(ValueError, match="from 1"):
        retry_delay(0, 1.0, 10.0)


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**53), max_value=2**53)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)


@given(st.dictionaries(st.text(max_size=12), json_values, max_size=6))
def test_a_json_payload_is_kept_as_sent(payload: dict[str, Any]) -> None:
    assert checked_payload(payload) == payload
    assert json.loads(json.dumps(checked_payload(payload))) == payload


@pytest.mark.parametrize("value", [object(), {1, 2}, b"bytes", float("nan")])
def test_a_payload_that_json_cannot_carry_is_refused(value: Any) -> None:
    with pytest.raises(ValueError, match="JSON"):
        checked_payload({"value": value})
