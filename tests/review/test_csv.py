"""A CSV cell never starts a spreadsheet formula, and only such cells change."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from interviewkit.review.api import FORMULA_STARTS, safe_cell


@given(st.text())
def test_no_cell_starts_a_formula_and_the_text_is_kept(value: str) -> None:
    shown = safe_cell(value)
    assert not shown.startswith(FORMULA_STARTS)
    if value.startswith(FORMULA_STARTS):
        assert shown == "'" + value
    else:
        assert shown == value


def test_the_usual_attacks_are_defused() -> None:
    for attack in ("=1+1", "+SUM(A1)", "-2+3", "@cmd", "\t=1", "\r=1"):
        assert safe_cell(attack).startswith("'")
    assert safe_cell("Ada = Lovelace") == "Ada = Lovelace"
