"""Clarifying questions answered from the statement, offline.

"Can the input array be empty?" has its answer in the problem's own words: a constraint
(``2 <= nums.length``) or a sentence of the statement. With no model to read it, the
offline interviewer reads out the line that shares the most words with the question
(aliases bridge how people ask and how statements are written: "empty" and "length",
"repeat" and "twice"), constraints first on a tie, since that is what clarifying
questions are mostly about. Only the public statement is read: never examples' hidden
twins, tests, solutions or follow-ups.
"""

from __future__ import annotations

import re

from interviewkit.problems.bank import Problem
from interviewkit.voice.speakable import speak

ALIASES: dict[str, frozenset[str]] = {
    "empty": frozenset({"length", "least", "empty"}),
    "size": frozenset({"length", "size"}),
    "big": frozenset({"length", "size"}),
    "large": frozenset({"length", "size"}),
    "long": frozenset({"length"}),
    "many": frozenset({"length", "count"}),
    "repeat": frozenset({"twice", "same", "duplicate", "distinct", "unique"}),
    "duplicate": frozenset({"twice", "same", "distinct", "unique"}),
    "unique": frozenset({"twice", "same", "distinct", "exactly"}),
    "negative": frozenset({"nums", "integer", "value"}),
    "integer": frozenset({"int", "integer"}),
    "number": frozenset({"integer", "int", "nums"}),
    "sorted": frozenset({"sorted", "order", "ascending"}),
    "order": frozenset({"sorted", "order", "first", "smaller"}),
    "answer": frozenset({"answer", "exists", "return", "exactly"}),
    "solution": frozenset({"answer", "exists", "exactly"}),
    "return": frozenset({"return", "returns"}),
}
STOPWORDS = frozenset(
    {
        "a",
        "an",
        "the",
        "is",
        "are",
        "be",
        "can",
        "could",
        "will",
        "would",
        "should",
        "do",
        "does",
        "did",
        "i",
        "you",
        "we",
        "it",
        "its",
        "of",
        "to",
        "in",
        "on",
        "for",
        "and",
        "or",
        "if",
        "what",
        "which",
        "how",
        "when",
        "there",
        "this",
        "that",
        "with",
        "as",
        "at",
        "by",
        "my",
        "me",
        "your",
        "any",
        "always",
        "ever",
        "input",
        "given",
        "may",
        "might",
        "just",
        "so",
        "all",
    }
)
_WORD = re.compile(r"[a-z]+")
_CODE_BLOCK = re.compile(r"```.*?```", re.DOTALL)
_HEADING = re.compile(r"^\s*(\*\*[^*]+\*\*|#+\s.*)\s*$")
_CONSTRAINTS = re.compile(r"^\s*(\*\*|#+\s*)?constraints?\b", re.IGNORECASE)


SPECIFIC = 2.5
"""A match this strong answers even a question the tutor would answer by restating the
whole problem ("What should I return if there is no solution?": "exactly one answer
exists"), which is a dozen sentences spoken."""


def answer(problem: Problem, question: str, *, at_least: float = 1.0) -> list[str] | None:
    """The statement's line that answers ``question``, as sentences to say; None when no
    line matches it by ``at_least`` (the caller says it cannot tell, or asks the tutor)."""
    asked = _asked_words(question)
    if not asked:
        return None
    best: tuple[float, str, bool] | None = None
    for line, is_constraint in statement_lines(problem.statement):
        score = _score(asked, _words(line)) + (0.25 if is_constraint else 0.0)
        if score >= at_least and (best is None or score > best[0]):
            best = (score, line, is_constraint)
    if best is None:
        return None
    _, line, is_constraint = best
    lead = "The constraints say: " if is_constraint else "The statement says: "
    return speak(lead + line)


def statement_lines(description: str) -> list[tuple[str, bool]]:
    """The statement's sentences and constraint lines (``True`` for a constraint), without
    code blocks and headings."""
    lines: list[tuple[str, bool]] = []
    in_constraints = False
    for raw in _CODE_BLOCK.sub("", description).splitlines():
        text = raw.strip().removeprefix(">").strip()  # the differences callout
        if _CONSTRAINTS.match(text):
            in_constraints = True
            continue
        if not text or _HEADING.match(text):
            in_constraints = in_constraints and not _HEADING.match(text)
            continue
        if text.startswith(("- ", "* ")):
            lines.append((text[2:].strip(), in_constraints))
            continue
        lines.extend((s, in_constraints) for s in re.split(r"(?<=[.?!])\s+", text) if s)
    return _joined_paragraph_sentences(lines)


def _joined_paragraph_sentences(lines: list[tuple[str, bool]]) -> list[tuple[str, bool]]:
    """Sentences a paragraph's line breaks cut in two, made whole again."""
    joined: list[tuple[str, bool]] = []
    for text, is_constraint in lines:
        if joined and not is_constraint and not joined[-1][1]:
            previous = joined[-1][0]
            if not previous.endswith((".", "?", "!", ":")):
                joined[-1] = (f"{previous} {text}", False)
                continue
        joined.append((text, is_constraint))
    return joined


def _stem(word: str) -> str:
    for suffix in ("ies", "es", "s"):
        if word.endswith(suffix) and len(word) > len(suffix) + 2:
            return word[: -len(suffix)] + ("y" if suffix == "ies" else "")
    return word


_NEGATIVE_BOUND = re.compile(r"(?:^|[\s`(])-\d")


def _words(text: str) -> set[str]:
    words = {_stem(w) for w in _WORD.findall(text.lower()) if w not in STOPWORDS}
    if _NEGATIVE_BOUND.search(text):  # a bound like -10^9 says values can be negative
        words.add("negative")
    return words


def _asked_words(question: str) -> dict[str, float]:
    """The question's content words (weight 1) and their aliases (weight 1.5: an alias
    names how the statement says what was asked, a more specific match).

    "negative" asked is matched by a bound below zero (``-10^9 <= nums[i]``) at SPECIFIC
    weight: such a bound answers the question outright, while the aliases ("nums",
    "integer") also fill the statement's opening sentence, which says nothing about signs
    (a terse constraint line, as LeetCode writes them, lost to it)."""
    asked: dict[str, float] = {}
    for word in _words(question):
        asked[word] = max(asked.get(word, 0.0), 1.0)
        for alias in map(_stem, ALIASES.get(word, ())):
            asked[alias] = max(asked.get(alias, 0.0), 1.5)
    if "negative" in asked:
        asked["negative"] = SPECIFIC
    return asked


def _score(asked: dict[str, float], line_words: set[str]) -> float:
    return sum(weight for word, weight in asked.items() if word in line_words)
