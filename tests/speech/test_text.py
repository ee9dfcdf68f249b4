"""Clause splitting for streamed speech, word normalisation and word error rate.

Properties (Hypothesis) where inputs are wide: splitting never loses, adds or reorders a
word; WER is a distance scaled by the reference length. Examples where the behaviour is
a choice a listener notices (where a reply is cut, how numbers are compared).
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from interviewkit.speech.text import (
    LONG_SENTENCE_WORDS,
    MIN_CLAUSE_WORDS,
    normalise_words,
    number_words,
    split_clauses,
    word_error_rate,
    word_errors,
)

WORD = st.sampled_from(
    [
        "run",
        "my",
        "code",
        "the",
        "tests",
        "pass",
        "fail",
        "hint",
        "array",
        "list",
        "empty",
        "time",
        "left",
        "yes",
        "no",
    ]
)
PUNCT = st.sampled_from(["", "", "", ",", ";", ":", ".", "?", "!", " --", " \u2014"])
TEXT = st.lists(st.tuples(WORD, PUNCT), max_size=60).map(
    lambda pairs: " ".join(word + mark for word, mark in pairs)
)
SENTENCE = st.lists(WORD, min_size=0, max_size=25).map(" ".join)


@given(TEXT)
def test_clauses_keep_every_word_in_order(text: str) -> None:
    clauses = split_clauses(text)
    assert normalise_words(" ".join(clauses)) == normalise_words(text)
    assert all(clause.strip() == clause and clause for clause in clauses)


@given(TEXT)
def test_clauses_are_whole_sentences_or_phrases_of_a_few_words(text: str) -> None:
    for clause in split_clauses(text)[:-1]:
        assert clause[-1] in ".?!" or len(clause.split()) >= MIN_CLAUSE_WORDS, clause


def test_quotes_stay_with_their_sentence() -> None:
    assert split_clauses('He said "run it." Then (twice.) Done') == [
        'He said "run it."',
        "Then (twice.)",
        "Done",
    ]


def test_a_reply_starts_with_a_short_clause() -> None:
    reply = (
        "Sure, running your tests now. Two of your five tests fail, the empty list and the "
        "single element, so check those cases first; then run them again."
    )
    assert split_clauses(reply) == [
        "Sure, running your tests now.",
        "Two of your five tests fail,",
        "the empty list and the single element,",
        "so check those cases first;",
        "then run them again.",
    ]


def test_short_sentences_stay_whole() -> None:
    sentence = "Yes, that works, go on."
    assert len(sentence.split()) <= LONG_SENTENCE_WORDS
    assert split_clauses(sentence) == [sentence]


def test_abbreviations_and_decimals_do_not_end_a_sentence() -> None:
    assert split_clauses("Use a heap, e.g. a min heap. It costs 2.5 ms.") == [
        "Use a heap, e.g. a min heap.",
        "It costs 2.5 ms.",
    ]


@pytest.mark.parametrize(
    ("value", "words"),
    [
        (0, "zero"),
        (13, "thirteen"),
        (40, "forty"),
        (64, "sixty four"),
        (100, "one hundred"),
        (1204, "one thousand two hundred four"),
        (3_000_000, "three million"),
    ],
)
def test_numbers_are_spelled(value: int, words: str) -> None:
    assert number_words(value) == words.split()


def test_normalising_ignores_case_punctuation_and_digits() -> None:
    assert normalise_words("Press 1, then #; don't PANIC! 1,000") == normalise_words(
        "press one then don't panic one thousand"
    )
    assert word_error_rate("You have 12 minutes left.", "you have twelve minutes left") == 0


@given(SENTENCE)
def test_a_perfect_transcript_has_no_errors(text: str) -> None:
    assert word_error_rate(text, text) == 0.0


@given(SENTENCE.filter(lambda s: bool(s.split())))
def test_an_empty_transcript_misses_every_word(text: str) -> None:
    assert word_error_rate(text, "") == 1.0


@given(SENTENCE, SENTENCE)
def test_errors_are_a_bounded_symmetric_distance(ref: str, hyp: str) -> None:
    errors, words = word_errors(ref, hyp)
    assert errors == word_errors(hyp, ref)[0]
    assert abs(len(ref.split()) - len(hyp.split())) <= errors <= max(words, len(hyp.split()))
    assert word_error_rate(ref, hyp) == errors / max(words, 1)


@given(SENTENCE, SENTENCE, SENTENCE)
def test_errors_obey_the_triangle_inequality(a: str, b: str, c: str) -> None:
    assert word_errors(a, c)[0] <= word_errors(a, b)[0] + word_errors(b, c)[0]


def test_one_substitution_one_deletion_one_insertion() -> None:
    assert word_errors("run my code now", "run the code") == (2, 4)
    assert word_errors("run my code", "please run my code") == (1, 3)
