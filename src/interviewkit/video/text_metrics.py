"""What the words of an answer say about how it was spoken and what it covered.

Every number comes from the timed words of the transcript (:class:`~.results.TranscriptResult`)
and the answer's duration; docs/video-analysis.md explains each one and its limits.

Timing. Speech is the union of the words' spans where gaps shorter than
:data:`PAUSE_MIN_S` are closed (people breathe between words; Whisper's word ends are
0.1-0.3 s loose). A gap of at least that long between two words is a pause; the silence
before the first word and after the last is silence, not a pause (the candidate was
reading the question or stopping the recording).

Fillers. Hesitation sounds (um, uh, er, ah, hmm and their spellings) always count.
Words that are fillers only sometimes are decided from their neighbours and the commas
Whisper writes, erring towards *not* counting (a candidate is never marked down for
"what kind of cache"):

- "like" when set off by a comma ("it was, like, slow" / "like, we") or next to another
  filler ("um like");
- "you know" when it ends a clause ("you know," / "you know.") and is not a question or
  a clause object ("do you know", "as you know", "if you know");
- "I mean" when followed by a comma or another filler ("I mean, the cache...");
- "sort of" / "kind of" unless a determiner makes it a noun phrase ("a kind of", "what
  sort of", "this kind of").

Whisper is trained on cleaned-up transcripts and drops many hesitations: the counts are a
floor, not the truth (docs/video-analysis.md has the measured share it keeps).
"""

from __future__ import annotations

import itertools
import math
import re
import threading
from collections import Counter
from collections.abc import Sequence
from typing import Any

import snowballstemmer  # type: ignore[import-untyped]

from interviewkit.video.results import (
    KeywordCoverage,
    Sentiment,
    Span,
    StarResult,
    TextMetrics,
    TimedWord,
    TranscriptResult,
)

PAUSE_MIN_S = 1.0
"""A silence between two words at least this long is a pause (shorter: a breath)."""
RATE_WINDOW_S = 5.0
"""The rate series counts words in a window this long centred on each second."""

_HESITATIONS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^u+h*m+$"), "um"),
    (re.compile(r"^u+h+$"), "uh"),
    (re.compile(r"^e+r+m*$|^e+h+$"), "er"),
    (re.compile(r"^a+h+$"), "ah"),
    (re.compile(r"^h+m+$|^m{2,}$|^mhm$"), "hmm"),
)
_DETERMINERS = frozenset(
    [
        "a",
        "an",
        "the",
        "this",
        "that",
        "these",
        "those",
        "what",
        "which",
        "some",
        "any",
        "every",
        "each",
        "one",
        "same",
        "different",
        "another",
        "no",
        "my",
        "our",
        "your",
        "their",
        "his",
        "her",
        "its",
        "all",
    ]
)
_NOT_FILLER_BEFORE_YOU_KNOW = frozenset(
    [
        "do",
        "did",
        "does",
        "don't",
        "didn't",
        "if",
        "as",
        "what",
        "would",
        "i",
        "you",
        "we",
        "they",
        "who",
        "whether",
    ]
)
_CLAUSE_END = (",", ".", "?", "!", ";", ":", "...", "\u2026", "\u2014")
_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_SENTENCE_SPLIT = re.compile(r"(?<=[.!?\u2026])\s+")

STAR_CUES: dict[str, tuple[str, ...]] = {
    "situation": (
        r"when i was",
        r"at my (?:last|previous|former|old|current) (?:job|company|team|role|employer)",
        r"in my (?:last|previous|former|current) (?:job|company|team|role|position)",
        r"(?:a|one|two|three|few|couple of) (?:years?|months?) ago",
        r"back (?:in|when)",
        r"while (?:i was )?working",
        r"the situation",
        r"the context",
        r"there was a",
        r"we had a",
        r"our (?:team|product|system|service|customer)s? (?:was|were|had)",
        r"i (?:was )?work(?:ed|ing) (?:at|for|on)",
    ),
    "task": (
        r"my (?:task|job|goal|role|responsibility|assignment) was",
        r"i was (?:responsible|in charge|asked|tasked|supposed)",
        r"(?:i|we) (?:needed|had|wanted) to",
        r"the (?:goal|task|challenge|problem|objective) was",
        r"(?:i|we) (?:were|was) (?:asked|told) to",
        r"it was (?:up to me|my job)",
    ),
    "action": (
        r"i (?:decided|started|implemented|built|wrote|created|organi[sz]ed|proposed|led|"
        r"designed|introduced|added|refactored|analy[sz]ed|investigated|set up|reached out|"
        r"talked|spoke|met|measured|profiled|rewrote|migrated|automated|tested|fixed|"
        r"changed|moved|split|suggested|convinced|scheduled|trained|prioriti[sz]ed)",
        r"(?:so|then|first|next|after that|finally),? (?:i|we) ",
        r"what i did",
        r"my approach",
        r"we (?:decided|implemented|built|rewrote|migrated|introduced|added|designed)",
    ),
    "result": (
        r"as a result",
        r"in the end",
        r"the (?:result|outcome|impact) (?:was|is)",
        r"result(?:ed|s) in",
        r"(?:which|that|this) (?:led|lead) to",
        r"(?:we|i|it) (?:reduced|increased|improved|cut|saved|doubled|halved|shipped|"
        r"delivered|launched|won|finished|completed)",
        r"\d+ ?(?:%|percent)|per ?cent",
        r"ultimately",
        r"(?:i|we) learned",
        r"went (?:down|up) (?:from|by|to)",
    ),
}
"""Phrases that show each STAR part, matched in a lower-cased sentence at word bounds."""

_STAR_PATTERNS = {
    part: re.compile(r"\b(?:" + "|".join(cues) + r")", re.IGNORECASE)
    for part, cues in STAR_CUES.items()
}
_stemmer_local = threading.local()
_vader: Any = None
_vader_lock = threading.Lock()


# ---- words ----------------------------------------------------------------------------------


def norm(word: str) -> str:
    """A word as fillers and keywords compare it: lower case, outer punctuation dropped."""
    return word.lower().replace("\u2019", "'").strip(".,?!;:\"'()[]{}\u2026\u2014-")


def _ends_clause(word: str) -> bool:
    return word.rstrip("\"')").endswith(_CLAUSE_END)


def hesitation(word: str) -> str | None:
    """The canonical hesitation sound ``word`` is (um, uh, er, ah, hmm), or None."""
    token = norm(word)
    for pattern, name in _HESITATIONS:
        if pattern.match(token):
            return name
    return None


def detect_fillers(words: Sequence[TimedWord]) -> list[tuple[int, int, str]]:
    """The fillers in ``words`` as (first index, index after the last, canonical name).

    The rules are in the module docstring; phrases are matched before single words so
    that "you know" is one filler, not two.
    """
    texts = [w.text for w in words]
    tokens = [norm(t) for t in texts]
    found: list[tuple[int, int, str]] = []
    i = 0
    while i < len(tokens):
        phrase = _phrase_filler(texts, tokens, i)
        if phrase is not None:
            found.append((i, i + 2, phrase))
            i += 2
            continue
        single = hesitation(texts[i])
        if single is None and tokens[i] == "like" and _like_is_filler(texts, i):
            single = "like"
        if single is not None:
            found.append((i, i + 1, single))
        i += 1
    return found


def _phrase_filler(texts: Sequence[str], tokens: Sequence[str], i: int) -> str | None:
    if i + 1 >= len(tokens):
        return None
    pair = (tokens[i], tokens[i + 1])
    before = tokens[i - 1] if i > 0 else ""
    after = texts[i + 2] if i + 2 < len(texts) else ""
    if pair == ("you", "know"):
        at_end = i + 2 == len(tokens) or _ends_clause(texts[i + 1])
        if at_end and before not in _NOT_FILLER_BEFORE_YOU_KNOW and not texts[i].endswith(","):
            return "you know"
    elif pair == ("i", "mean"):
        if texts[i + 1].endswith(",") or (after and hesitation(after) is not None):
            return "I mean"
    elif pair in (("sort", "of"), ("kind", "of")) and before not in _DETERMINERS:
        return f"{pair[0]} of"
    return None


def _like_is_filler(texts: Sequence[str], i: int) -> bool:
    if texts[i].rstrip().endswith(","):
        return True
    previous = texts[i - 1] if i > 0 else ""
    following = texts[i + 1] if i + 1 < len(texts) else ""
    if previous.endswith(",") and (not following or following.endswith(",")):
        return True
    neighbours = [t for t in (previous, following) if t]
    return any(hesitation(t) is not None or norm(t) == "like" for t in neighbours)


def mark_fillers(transcript: TranscriptResult) -> TranscriptResult:
    """A copy of ``transcript`` whose filler words have ``filler=True`` (the others False)."""
    flags = [False] * len(transcript.words)
    for start, end, _name in detect_fillers(transcript.words):
        for index in range(start, end):
            flags[index] = True
    words = [
        w.model_copy(update={"filler": flag})
        for w, flag in zip(transcript.words, flags, strict=True)
    ]
    return transcript.model_copy(update={"words": words})


# ---- timing -------------------------------------------------------------------------------


def speech_spans(
    words: Sequence[TimedWord], duration_s: float, pause_min_s: float = PAUSE_MIN_S
) -> list[Span]:
    """The stretches with speech: word spans joined across gaps shorter than a pause,
    clipped to [0, duration_s]."""
    spans: list[Span] = []
    for word in sorted(words, key=lambda w: w.start):
        start = min(max(word.start, 0.0), duration_s)
        end = min(max(word.end, start), duration_s)
        if spans and start - spans[-1].end < pause_min_s:
            if end > spans[-1].end:
                spans[-1] = Span(start=spans[-1].start, end=end)
        else:
            spans.append(Span(start=start, end=end))
    return spans


def _overlap(spans: Sequence[Span], start: float, end: float) -> float:
    return sum(max(0.0, min(s.end, end) - max(s.start, start)) for s in spans)


def rate_series(words: Sequence[TimedWord], duration_s: float) -> list[float]:
    """Words per minute around each second: words whose middle falls in a
    :data:`RATE_WINDOW_S` window centred on the second, over the window's length."""
    seconds = math.ceil(duration_s) if duration_s > 0 else 0
    middles = sorted((w.start + w.end) / 2 for w in words)
    half = RATE_WINDOW_S / 2
    series: list[float] = []
    for i in range(seconds):
        centre = i + 0.5
        lo, hi = max(0.0, centre - half), min(duration_s, centre + half)
        count = sum(1 for m in middles if lo <= m < hi)
        series.append(round(count * 60.0 / (hi - lo), 1) if hi > lo else 0.0)
    return series


def speech_series(spans: Sequence[Span], duration_s: float) -> list[float]:
    """The share of each second [i, i+1) (the last one as long as the answer) with speech."""
    seconds = math.ceil(duration_s) if duration_s > 0 else 0
    series: list[float] = []
    for i in range(seconds):
        end = min(float(i + 1), duration_s)
        length = end - i
        share = _overlap(spans, float(i), end) / length if length > 0 else 0.0
        series.append(round(min(1.0, max(0.0, share)), 3))
    return series


# ---- content --------------------------------------------------------------------------------


def sentences(text: str) -> list[str]:
    """``text`` cut after . ? ! (what Whisper writes at the ends of sentences)."""
    return [s.strip() for s in _SENTENCE_SPLIT.split(" ".join(text.split())) if s.strip()]


def detect_star(text: str) -> StarResult:
    """Which STAR parts the answer shows, each with the first sentence that shows it."""
    evidence: dict[str, str] = {}
    for sentence in sentences(text):
        for part, pattern in _STAR_PATTERNS.items():
            if part not in evidence and pattern.search(sentence.lower()):
                evidence[part] = sentence
    return StarResult(
        situation="situation" in evidence,
        task="task" in evidence,
        action="action" in evidence,
        result="result" in evidence,
        evidence=evidence,
    )


def stems(text: str) -> list[str]:
    """The Snowball (Porter 2) stems of the words of ``text``, in order."""
    stemmer = getattr(_stemmer_local, "stemmer", None)
    if stemmer is None:  # Snowball stemmers keep state: one per thread
        stemmer = _stemmer_local.stemmer = snowballstemmer.stemmer("english")
    tokens = _TOKEN.findall(text.lower().replace("\u2019", "'"))
    return [str(s) for s in stemmer.stemWords(tokens)]


def keyword_coverage(words: Sequence[TimedWord], keywords: Sequence[str]) -> KeywordCoverage:
    """Which rubric keywords the answer says: a keyword of several words must appear as
    that run of stems ("load balancer" matches "load balancing"); fillers in between are
    skipped ("hash, um, map" still says "hash map")."""
    said = stems(" ".join(w.text for w in words if not w.filler))
    expected: list[str] = []
    seen: set[tuple[str, ...]] = set()
    found: list[str] = []
    for keyword in keywords:
        key = tuple(stems(keyword))
        if not key or key in seen:
            continue
        seen.add(key)
        expected.append(keyword.strip())
        n = len(key)
        if any(tuple(said[i : i + n]) == key for i in range(len(said) - n + 1)):
            found.append(keyword.strip())
    missing = [k for k in expected if k not in found]
    coverage = len(found) / len(expected) if expected else None
    return KeywordCoverage(expected=expected, found=found, missing=missing, coverage=coverage)


def sentiment(text: str) -> Sentiment | None:
    """VADER over each sentence, averaged (VADER's compound saturates on long texts).

    The shares are the sentences' mean positive/neutral/negative, rescaled to sum to 1
    (VADER rounds each to three decimals). None for a text without words.
    """
    parts = sentences(text)
    if not parts:
        return None
    analyzer = _analyzer()
    scores = [analyzer.polarity_scores(s) for s in parts]
    compound = sum(float(s["compound"]) for s in scores) / len(scores)
    shares = [sum(float(s[k]) for s in scores) / len(scores) for k in ("pos", "neu", "neg")]
    total = sum(shares)
    pos, neu, neg = (x / total for x in shares) if total > 0 else (0.0, 1.0, 0.0)
    return Sentiment(
        compound=round(max(-1.0, min(1.0, compound)), 4),
        positive=pos,
        neutral=neu,
        negative=neg,
    )


def _analyzer() -> Any:
    global _vader
    with _vader_lock:
        if _vader is None:
            from vaderSentiment.vaderSentiment import (  # type: ignore[import-untyped]
                SentimentIntensityAnalyzer,
            )

            _vader = SentimentIntensityAnalyzer()
        return _vader


# ---- all of it ------------------------------------------------------------------------------


def measure_text(
    transcript: TranscriptResult,
    duration_s: float,
    keywords: Sequence[str],
    *,
    pause_min_s: float = PAUSE_MIN_S,
) -> TextMetrics:
    """Every text metric of one answer (``duration_s``: the answer's length, from the probe)."""
    duration = max(0.0, duration_s)
    marked = mark_fillers(transcript)
    words = marked.words
    spans = speech_spans(words, duration, pause_min_s)
    speaking = sum(s.duration for s in spans)
    pauses = [
        Span(start=a.end, end=b.start)
        for a, b in itertools.pairwise(spans)
        if b.start - a.end >= pause_min_s
    ]
    fillers = Counter(name for _s, _e, name in detect_fillers(words))
    filler_count = sum(fillers.values())
    minutes = speaking / 60.0
    return TextMetrics(
        word_count=len(words),
        speaking_time_s=min(round(speaking, 3), duration),
        words_per_minute=round(len(words) / minutes, 1) if minutes > 0 else None,
        filler_count=filler_count,
        fillers=dict(fillers),
        fillers_per_minute=round(filler_count / minutes, 2) if minutes > 0 else None,
        pause_count=len(pauses),
        pause_min_s=pause_min_s,
        longest_pause_s=round(max((p.duration for p in pauses), default=0.0), 3),
        silence_ratio=(
            round(min(1.0, max(0.0, 1.0 - speaking / duration)), 4) if duration > 0 else None
        ),
        pauses=pauses,
        star=detect_star(marked.text),
        keywords=keyword_coverage(words, keywords),
        sentiment=sentiment(marked.text),
        rate_series=rate_series(words, duration),
        speech_series=speech_series(spans, duration),
    )
