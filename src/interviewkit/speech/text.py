"""Text around speech: clauses for streaming synthesis, words for scoring recognition.

``split_clauses`` decides how soon the interviewer starts talking: Piper synthesizes a
20-word sentence in about a second on one core but a four-word clause in a fraction of
that, so a reply is cut at sentence ends and then, inside long sentences, at commas,
semicolons, colons and dashes, and each piece is synthesized as soon as the previous one
has been handed over. A comma pause sounds natural; a cut in the middle of a phrase does
not, so pieces are never cut anywhere else and very short fragments stay with a neighbour.

``normalise_words`` and ``word_error_rate`` score a transcript against what was said. The
normalisation is deliberately simple: lower case, punctuation dropped (apostrophes inside a
word kept, hyphens split words), and whole numbers written as digits spelled out as words
("42" -> "forty two"), because Whisper writes "press 1" where a reference says "press one".
Nothing else is rewritten (no spelling variants, no contractions), so the scores are a
little pessimistic and comparable between engines.
"""

from __future__ import annotations

import re

ABBREVIATIONS = frozenset(
    {"e.g.", "i.e.", "etc.", "vs.", "mr.", "mrs.", "ms.", "dr.", "prof.", "st.", "no."}
)
"""Words ending in a period that do not end a sentence."""

MIN_CLAUSE_WORDS = 3
"""A clause shorter than this joins its neighbour ("Yes, that works" stays whole)."""

LONG_SENTENCE_WORDS = 8
"""Sentences up to this many words are synthesized whole (fast enough, better prosody)."""

_SENTENCE_END = re.compile(r"(?:(?<=[.!?…])|(?<=[.!?…][\"')\]]))\s+")
_CLAUSE_END = re.compile(r"(?<=[,;:])\s+|\s+(?:\u2014|\u2013|--)\s+")


def split_clauses(text: str) -> list[str]:
    """``text`` as the pieces a TTS engine should synthesize one after another.

    Sentences first; a sentence longer than :data:`LONG_SENTENCE_WORDS` words is cut at its
    clause punctuation, merging pieces shorter than :data:`MIN_CLAUSE_WORDS` words into the
    next one. Joining the pieces with spaces gives back the text's words in order.
    """
    pieces: list[str] = []
    for sentence in _sentences(text):
        if len(sentence.split()) <= LONG_SENTENCE_WORDS:
            pieces.append(sentence)
        else:
            pieces.extend(_clauses(sentence))
    return pieces


def _sentences(text: str) -> list[str]:
    """Sentences of ``text``, not cut after an abbreviation or an initial."""
    sentences: list[str] = []
    current = ""
    position = 0
    for match in _SENTENCE_END.finditer(text):
        candidate = current + text[position : match.start()]
        position = match.end()
        last_word = candidate.split()[-1].lower() if candidate.split() else ""
        if last_word in ABBREVIATIONS or re.fullmatch(r"[a-z]\.", last_word):
            current = candidate + " "
            continue
        sentences.append(candidate)
        current = ""
    sentences.append(current + text[position:])
    return [" ".join(s.split()) for s in sentences if s.strip()]


def _clauses(sentence: str) -> list[str]:
    """One long sentence cut at clause punctuation, short pieces merged forward."""
    parts = [p.strip() for p in _CLAUSE_END.split(sentence) if p.strip()]
    merged: list[str] = []
    pending = ""
    for part in parts:
        pending = f"{pending} {part}".strip()
        if len(pending.split()) >= MIN_CLAUSE_WORDS:
            merged.append(pending)
            pending = ""
    if pending:
        if merged and len(pending.split()) < MIN_CLAUSE_WORDS:
            merged[-1] = f"{merged[-1]} {pending}"
        else:
            merged.append(pending)
    return merged


# ---- words and word error rate ------------------------------------------------------------

_ONES = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
_TENS = ["_", "_", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_SCALES = ((1_000_000_000, "billion"), (1_000_000, "million"), (1_000, "thousand"))
_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z0-9]+)*")
_GROUPED_NUMBER = re.compile(r"(?<=\d),(?=\d{3}\b)")


def number_words(value: int) -> list[str]:
    """A non-negative whole number as English words: 1204 -> one thousand two hundred four."""
    if value < 20:
        return [_ONES[value]]
    if value < 100:
        tens, ones = divmod(value, 10)
        return [_TENS[tens]] + ([_ONES[ones]] if ones else [])
    if value < 1000:
        hundreds, rest = divmod(value, 100)
        return [_ONES[hundreds], "hundred"] + (number_words(rest) if rest else [])
    for scale, name in _SCALES:
        if value >= scale:
            high, rest = divmod(value, scale)
            return number_words(high) + [name] + (number_words(rest) if rest else [])
    raise AssertionError("unreachable")  # pragma: no cover


def normalise_words(text: str) -> list[str]:
    """The words of ``text`` as they are compared: lower case, no punctuation, numbers spelled.

    Digit runs longer than 12 digits are kept as digits (not a number anyone says).
    """
    lowered = _GROUPED_NUMBER.sub("", text.lower().replace("\u2019", "'"))
    words: list[str] = []
    for token in _TOKEN.findall(lowered):
        if token.isdigit() and len(token) <= 12:
            words.extend(number_words(int(token)))
        else:
            words.append(token)
    return words


def word_errors(reference: str, hypothesis: str) -> tuple[int, int]:
    """(substitutions + deletions + insertions, reference word count), after normalising.

    A corpus WER is ``sum(errors) / sum(words)``: averaging per-utterance rates would let a
    one-word prompt weigh as much as a paragraph.
    """
    ref, hyp = normalise_words(reference), normalise_words(hypothesis)
    return _edit_distance(ref, hyp), len(ref)


def word_error_rate(reference: str, hypothesis: str) -> float:
    """Word error rate of ``hypothesis`` against ``reference``: edits / reference words.

    An empty reference has a rate equal to the number of inserted words (0.0 when both are
    empty), so the rate is never undefined. It can exceed 1.0 when words are inserted.
    """
    errors, words = word_errors(reference, hypothesis)
    return errors / max(words, 1)


def _edit_distance(ref: list[str], hyp: list[str]) -> int:
    """Levenshtein distance between two word lists (one row of the table at a time)."""
    previous = list(range(len(hyp) + 1))
    for i, word in enumerate(ref, start=1):
        current = [i]
        for j, other in enumerate(hyp, start=1):
            current.append(
                min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (word != other))
            )
        previous = current
    return previous[-1]
