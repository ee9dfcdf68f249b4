"""Text metrics: fillers as people say them, pauses and pace from word timings, STAR parts,
stemmed rubric keywords, sentiment; properties over any list of timed words."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from interviewkit.video.results import TimedWord, TranscriptResult
from interviewkit.video.text_metrics import (
    PAUSE_MIN_S,
    detect_fillers,
    detect_star,
    keyword_coverage,
    mark_fillers,
    measure_text,
    sentiment,
)


def timed(text: str, start: float = 0.0, step: float = 0.4) -> list[TimedWord]:
    """One word every ``step`` seconds, each lasting 0.3 s."""
    return [
        TimedWord(text=w, start=start + i * step, end=start + i * step + 0.3)
        for i, w in enumerate(text.split())
    ]


def transcript(words: list[TimedWord]) -> TranscriptResult:
    return TranscriptResult(text=" ".join(w.text for w in words), words=words, engine="test")


def fillers_in(text: str) -> list[str]:
    return [name for _s, _e, name in detect_fillers(timed(text))]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Um, so I started with the cache.", ["um"]),
        ("I, uh, ummm, rewrote it. Hmm.", ["uh", "um", "hmm"]),
        ("It was, like, really slow.", ["like"]),
        ("Like, we never measured it.", ["like"]),
        ("I like profiling and it looks like a cache problem.", []),
        ("We shipped it, you know, on time.", ["you know"]),
        ("It just worked, you know.", ["you know"]),
        ("Do you know how a heap works? As you know, it is a tree.", []),
        ("I mean, the cache was cold.", ["I mean"]),
        ("That is what I mean by latency.", []),
        ("It was kind of slow and sort of fragile.", ["kind of", "sort of"]),
        ("What kind of cache? A sort of queue. This kind of bug.", []),
        ("So um like we waited.", ["um", "like"]),
    ],
)
def test_fillers_are_told_from_the_same_words_used_as_words(text: str, expected: list[str]) -> None:
    assert fillers_in(text) == expected


def test_filler_words_are_marked_in_the_transcript() -> None:
    marked = mark_fillers(transcript(timed("Well, you know, I kind of fixed it.")))
    flags = {w.text: w.filler for w in marked.words}
    assert flags == {
        "Well,": False,
        "you": True,
        "know,": True,
        "I": False,
        "kind": True,
        "of": True,
        "fixed": False,
        "it.": False,
    }


def test_pauses_pace_and_silence_from_timings() -> None:
    # 10 words in 4 s, a 3 s silence, 10 words in 4 s; the answer lasts 15 s
    words = timed("one two three four five six seven eight nine ten", start=1.0)
    words += timed("a b c d e f g h i j", start=words[-1].end + 3.0)
    metrics = measure_text(transcript(words), 15.0, [])
    assert metrics.word_count == 20
    assert metrics.pause_count == 1
    assert metrics.longest_pause_s == pytest.approx(3.0, abs=1e-6)
    assert metrics.pauses[0].start == pytest.approx(words[9].end)
    speaking = 2 * (words[9].end - words[0].start)
    assert metrics.speaking_time_s == pytest.approx(speaking, abs=1e-3)
    assert metrics.words_per_minute == pytest.approx(20 / speaking * 60, abs=0.1)
    assert metrics.silence_ratio == pytest.approx(1 - speaking / 15.0, abs=1e-3)
    assert len(metrics.rate_series) == len(metrics.speech_series) == 15
    assert metrics.speech_series[0] == 0.0  # before the first word
    assert metrics.speech_series[2] == 1.0
    assert metrics.rate_series[2] > 100
    assert metrics.rate_series[14] == 0.0


def test_a_silent_answer_measures_no_pace() -> None:
    metrics = measure_text(transcript([]), 7.5, ["cache"])
    assert metrics.word_count == 0
    assert metrics.words_per_minute is None
    assert metrics.fillers_per_minute is None
    assert metrics.silence_ratio == 1.0
    assert metrics.sentiment is None
    assert metrics.keywords.coverage == 0.0
    assert metrics.speech_series == [0.0] * 8


def test_star_parts_with_their_evidence() -> None:
    text = (
        "At my last job our checkout was timing out. "
        "I was responsible for the payment service. "
        "I profiled the queries and added an index. "
        "As a result the p99 latency went down by 60 percent."
    )
    star = detect_star(text)
    assert (star.situation, star.task, star.action, star.result) == (True, True, True, True)
    assert star.evidence["task"] == "I was responsible for the payment service."
    assert star.evidence["result"].startswith("As a result")
    assert detect_star("I think caching is good.").parts_found == 0


def test_keywords_are_stemmed_and_may_have_several_words() -> None:
    words = mark_fillers(
        transcript(timed("We put a load balancer in front and a hash, um, map for caching."))
    ).words
    coverage = keyword_coverage(words, ["load balancing", "Hash map", "cache", "sharding", ""])
    assert coverage.expected == ["load balancing", "Hash map", "cache", "sharding"]
    assert coverage.found == ["load balancing", "Hash map", "cache"]
    assert coverage.missing == ["sharding"]
    assert coverage.coverage == pytest.approx(0.75)
    assert keyword_coverage(words, []).coverage is None


def test_sentiment_follows_the_words() -> None:
    happy = sentiment("I loved that project. The team was great and we succeeded.")
    sad = sentiment("It was a terrible failure. I hated the awful deadlines.")
    assert happy is not None
    assert sad is not None
    assert happy.compound > 0.3 > -0.3 > sad.compound
    for result in (happy, sad):
        assert result.positive + result.neutral + result.negative == pytest.approx(1.0)


words_strategy = st.lists(
    st.tuples(
        st.sampled_from(["um", "like,", "you", "know,", "kind", "of", "cache", "I", "mean,", "a"]),
        st.floats(0, 3, allow_nan=False),  # gap before the word
        st.floats(0, 1.5, allow_nan=False),  # its length
    ),
    max_size=60,
)


@settings(max_examples=150, deadline=None)
@given(words_strategy, st.floats(0, 30, allow_nan=False), st.lists(st.text(max_size=12)))
def test_metrics_are_consistent_for_any_words(
    spec: list[tuple[str, float, float]], extra: float, keywords: list[str]
) -> None:
    words: list[TimedWord] = []
    clock = 0.0
    for text, gap, length in spec:
        clock += gap
        words.append(TimedWord(text=text, start=clock, end=clock + length))
        clock += length
    duration = clock + extra
    metrics = measure_text(transcript(words), duration, keywords)

    assert metrics.word_count == len(words)
    assert metrics.filler_count == sum(metrics.fillers.values())
    assert metrics.filler_count <= len(words)
    assert metrics.pause_count == len(metrics.pauses)
    assert all(p.duration >= PAUSE_MIN_S for p in metrics.pauses)
    assert metrics.longest_pause_s == pytest.approx(
        max((p.duration for p in metrics.pauses), default=0.0), abs=1e-3
    )
    assert 0.0 <= metrics.speaking_time_s <= duration + 1e-6
    if metrics.silence_ratio is not None:
        assert 0.0 <= metrics.silence_ratio <= 1.0
    assert len(metrics.rate_series) == len(metrics.speech_series) == math.ceil(duration)
    assert all(0.0 <= s <= 1.0 for s in metrics.speech_series)
    assert all(r >= 0 for r in metrics.rate_series)
    covered = sum(
        share * (min(i + 1.0, duration) - i) for i, share in enumerate(metrics.speech_series)
    )
    assert covered == pytest.approx(
        metrics.speaking_time_s, abs=0.01 * len(metrics.speech_series) + 1e-3
    )
    coverage = metrics.keywords.coverage
    assert coverage is None or 0.0 <= coverage <= 1.0
    assert len(metrics.keywords.found) + len(metrics.keywords.missing) == len(
        metrics.keywords.expected
    )
    flagged = sum(w.filler for w in mark_fillers(transcript(words)).words)
    phrase_words = sum(
        len(name.split()) for name in metrics.fillers for _ in range(metrics.fillers[name])
    )
    assert flagged == phrase_words
