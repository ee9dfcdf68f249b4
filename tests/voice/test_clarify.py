"""Offline clarifying answers come from the statement's own lines and nothing else."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from interviewkit.problems.bank import Problem, load_bank
from interviewkit.voice.clarify import SPECIFIC, answer, statement_lines
from interviewkit.voice.speakable import speak

BANK = load_bank()
TWO_SUM = BANK.problems["two-sum"]
QUESTIONS = [
    "Can the input array be empty?",
    "Are there duplicates?",
    "Can the values be negative?",
    "Is the input sorted?",
    "What should I return?",
    "How large can the input be?",
]


@pytest.mark.parametrize(
    ("question", "said"),
    [
        (
            "Can the input array be empty?",
            "the length of nums is between 2 and 2 times 10 to the 5",
        ),
        ("Is there always an answer?", "exactly one pair of indices i less than j"),
        ("Can there be negative numbers?", "nums at i is between -10 to the 9 and 10 to the 9"),
        ("Should the smaller index come first?", "smaller index first"),
    ],
)
def test_the_line_that_answers_is_read(question: str, said: str) -> None:
    lines = answer(TWO_SUM, question)
    assert lines is not None
    assert said in " ".join(lines).lower()


def test_a_question_the_statement_does_not_touch_gets_nothing() -> None:
    assert answer(TWO_SUM, "What is the weather like today?") is None
    assert answer(TWO_SUM, "") is None


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z]+", text.lower()))


@pytest.mark.parametrize("problem", list(BANK.problems.values()), ids=lambda p: p.id)
def test_answers_never_hold_words_from_outside_the_statement(problem: Problem) -> None:
    """Hidden tests, solutions and follow-ups are not in the statement: an answer made only
    of the statement's words (and the lead-in) cannot reveal them."""
    # "`null`s" in the statement is the word "nulls" when read out
    allowed = (
        _words(problem.statement)
        | _words(problem.statement.replace("`", ""))
        | _words(
            "The constraints say the statement says is between and the length of at to times"
            " list lists plus minus gives not equal equals less greater than most least"
        )
    )
    for question in QUESTIONS:
        lines = answer(problem, question)
        if lines is not None:
            assert _words(" ".join(lines)) <= allowed, (problem.id, question)


@given(st.text(max_size=300))
def test_any_question_is_answered_or_not_without_error(question: str) -> None:
    lines = answer(TWO_SUM, question)
    assert lines is None or all(line.strip() for line in lines)


def test_statement_lines_skip_examples_and_keep_constraints_apart() -> None:
    lines = statement_lines(TWO_SUM.statement)
    assert TWO_SUM.constraints is not None
    assert (TWO_SUM.constraints.rules[0].text, True) in lines  # a rendered constraint
    assert ("`-10^9 <= nums[i] <= 10^9`", True) in lines
    assert (
        "Exactly one pair adds up to `target`, and you may not use the same element twice.",
        False,
    ) in lines
    assert all("->" not in text for text, _ in lines)  # the example block is not read


def test_a_question_about_the_problem_gets_one_line_only_when_one_clearly_answers() -> None:
    """Spoken, the tutor's restatement of the whole problem is a dozen sentences: a line
    that clearly answers is read instead; a broad question is left to the tutor."""
    no_pair = answer(TWO_SUM, "What should I return if there is no solution?", at_least=SPECIFIC)
    assert TWO_SUM.constraints is not None
    assert no_pair == speak("The constraints say: " + TWO_SUM.constraints.rules[0].text)
    assert answer(TWO_SUM, "What are the constraints on the input?", at_least=SPECIFIC) is None
