"""A starter handed to a candidate opens with its language's ``starter_note``, once."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from interviewkit.languages import register, unregister
from interviewkit.languages.base import Environment
from interviewkit.languages.java import JAVA
from interviewkit.languages.python import PYTHON
from interviewkit.languages.starters import starter_with_note, starters_with_notes

NOTE = "// java.util.* and java.util.stream.* are imported for you"


@pytest.fixture(scope="module", autouse=True)
def _noted_language() -> Iterator[None]:
    """A language with a note and one without, registered as a plug-in would be."""
    register(replace(JAVA, name="noted", aliases=(), environment=Environment(starter_note=NOTE)))
    register(replace(PYTHON, name="plain", aliases=(), environment=Environment(starter_note="")))
    yield
    unregister("noted")
    unregister("plain")


@given(st.text())
def test_the_note_opens_the_starter_on_its_own_line_and_only_once(text: str) -> None:
    noted = starter_with_note("noted", text)
    if text.lstrip().startswith(NOTE):
        assert noted == text
    else:
        assert noted == f"{NOTE}\n{text}" or (not text and noted == f"{NOTE}\n")
        assert noted.splitlines()[0] == NOTE
    assert starter_with_note("noted", noted) == noted


@given(st.text())
def test_no_note_or_an_unknown_language_leaves_the_starter_alone(text: str) -> None:
    assert starter_with_note("plain", text) == text
    assert starter_with_note("cobol", text) == text


def test_a_problems_starters_each_get_their_own_languages_note() -> None:
    starters = {"noted": "class Solution {\n}\n", "plain": "class Solution:\n    pass\n"}
    assert starters_with_notes(starters) == {
        "noted": f"{NOTE}\nclass Solution {{\n}}\n",
        "plain": "class Solution:\n    pass\n",
    }
