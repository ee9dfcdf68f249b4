"""The answer score: each component rises with the signal it rewards, and is None when
that signal was not measured."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from interviewkit.video.results import (
    AnswerGrade,
    CriterionGrade,
    KeywordCoverage,
    Span,
    StarResult,
    TextMetrics,
    VideoMetrics,
    VideoSeries,
)
from interviewkit.video.scoring import PACE_BAND, pace_score, score_answer

DURATION = 120.0


def text_metrics(
    *,
    wpm: float | None = 140.0,
    fillers_per_minute: float = 1.0,
    long_pauses: int = 0,
    star_parts: int = 2,
    found: int = 1,
    expected: int = 2,
) -> TextMetrics:
    parts = [i < star_parts for i in range(4)]
    keywords = [f"k{i}" for i in range(expected)]
    return TextMetrics(
        word_count=0 if wpm is None else int(wpm),
        speaking_time_s=0.0 if wpm is None else 60.0,
        words_per_minute=wpm,
        filler_count=int(fillers_per_minute),
        fillers={},
        fillers_per_minute=None if wpm is None else fillers_per_minute,
        pause_count=long_pauses,
        pause_min_s=1.0,
        longest_pause_s=4.0 if long_pauses else 0.0,
        silence_ratio=0.5,
        pauses=[Span(start=10.0 * i, end=10.0 * i + 4.0) for i in range(long_pauses)],
        star=StarResult(situation=parts[0], task=parts[1], action=parts[2], result=parts[3]),
        keywords=KeywordCoverage(
            expected=keywords,
            found=keywords[:found],
            missing=keywords[found:],
            coverage=found / expected if expected else None,
        ),
        sentiment=None,
        rate_series=[],
        speech_series=[],
    )


def video_metrics(attention: float = 0.8, lighting: str = "good") -> VideoMetrics:
    series: dict[str, Any] = {
        k: [] for k in ("face_present", "looking_at_camera", "faces", "yaw_deg", "pitch_deg")
    }
    return VideoMetrics(
        engine="haar",
        sample_fps=4.0,
        frames_analyzed=480,
        width=640,
        height=480,
        face_present_ratio=attention,
        looking_at_camera_ratio=attention,
        multiple_faces_ratio=0.0,
        attention_ratio=attention,
        away_spans=[],
        multiple_face_spans=[],
        mean_brightness=110.0,
        brightness_contrast=40.0,
        lighting=lighting,
        mean_motion=2.0,
        series=VideoSeries(**series, motion=[], brightness=[]),
    )


def grade(score: int) -> AnswerGrade:
    criterion = CriterionGrade(criterion="c", score=score, evidence=["a b c"], comment="")
    return AnswerGrade(score=score, criteria=[criterion], summary="", model="m")


def test_components_that_were_not_measured_are_none() -> None:
    assert score_answer(None, None, None, DURATION) is None
    only_video = score_answer(None, video_metrics(), None, DURATION)
    assert only_video is not None
    assert only_video.content is None
    assert only_video.delivery is None
    assert only_video.overall == only_video.presence
    silent = score_answer(text_metrics(wpm=None), None, None, DURATION)
    assert silent is not None
    assert silent.delivery is None
    assert silent.content is not None
    assert len(silent.explanation) == 3


def test_a_strong_answer_beats_a_weak_one() -> None:
    strong = score_answer(
        text_metrics(star_parts=4, found=2, fillers_per_minute=0.5),
        video_metrics(0.95),
        grade(5),
        DURATION,
    )
    weak = score_answer(
        text_metrics(wpm=70, star_parts=0, found=0, fillers_per_minute=9, long_pauses=5),
        video_metrics(0.2, "dark"),
        grade(1),
        DURATION,
    )
    assert strong is not None
    assert weak is not None
    assert strong.overall > 85 > 30 > weak.overall
    assert 0 <= weak.overall <= strong.overall <= 100


def test_pace_band() -> None:
    assert pace_score(PACE_BAND[0]) == pace_score(PACE_BAND[1]) == 100.0
    assert pace_score(30) == 0.0 == pace_score(300)
    assert 0 < pace_score(100) < 100
    assert 0 < pace_score(180) < 100


@settings(max_examples=150, deadline=None)
@given(
    st.floats(60, 240),
    st.floats(0, 15),
    st.integers(0, 8),
    st.integers(0, 4),
    st.integers(0, 5),
    st.floats(0, 1),
    st.integers(1, 5),
)
def test_monotone_in_each_good_signal(
    wpm: float, fpm: float, pauses: int, star: int, found: int, attention: float, llm: int
) -> None:
    def overall(**change: Any) -> float:
        values: dict[str, Any] = {
            "wpm": wpm,
            "fpm": fpm,
            "pauses": pauses,
            "star": star,
            "found": found,
            "attention": attention,
            "llm": llm,
        }
        values.update(change)
        result = score_answer(
            text_metrics(
                wpm=values["wpm"],
                fillers_per_minute=values["fpm"],
                long_pauses=values["pauses"],
                star_parts=values["star"],
                found=values["found"],
                expected=5,
            ),
            video_metrics(values["attention"]),
            grade(values["llm"]),
            DURATION,
        )
        assert result is not None
        assert 0.0 <= result.overall <= 100.0
        return result.overall

    base = overall()
    assert overall(fpm=max(0.0, fpm - 2)) >= base
    assert overall(pauses=max(0, pauses - 1)) >= base
    assert overall(star=min(4, star + 1)) >= base
    assert overall(found=min(5, found + 1)) >= base
    assert overall(attention=min(1.0, attention + 0.1)) >= base
    assert overall(llm=min(5, llm + 1)) >= base
    closer = wpm + (min(PACE_BAND[1], max(PACE_BAND[0], wpm)) - wpm) / 2
    assert overall(wpm=closer) >= base


@pytest.mark.parametrize(("lighting", "better"), [("dark", "good"), ("low_contrast", "good")])
def test_good_lighting_scores_higher(lighting: str, better: str) -> None:
    worse = score_answer(None, video_metrics(0.7, lighting), None, DURATION)
    good = score_answer(None, video_metrics(0.7, better), None, DURATION)
    assert worse is not None
    assert good is not None
    assert good.overall > worse.overall
