"""A 0-100 score per answer from its measured metrics, with a line per component saying why.

Three components, each 0-100, each ``None`` when nothing it needs was measured (no audio:
no content or delivery; no video stream: no presence), and an overall score that is the
weighted mean of the components that exist (weights renormalised). The formula is
docs/video-analysis.md's; every part rises with the signal it rewards (the property tests
check that each is monotone):

- content = mean of rubric keyword coverage, STAR parts found / 4 and, when an LLM graded
  the answer, (grade - 1) / 4, weighted 0.3 / 0.2 / 0.5 (keywords only when the question
  has some);
- delivery = 0.4 pace + 0.3 fillers + 0.3 pauses, where pace is 100 inside
  :data:`PACE_BAND` words per minute and falls linearly to 0 at :data:`PACE_LIMITS`,
  fillers is 100 - 100 x fillers per minute / :data:`FILLERS_ZERO`, pauses is 100 - 100 x
  long pauses (>= :data:`LONG_PAUSE_S`) per minute / :data:`LONG_PAUSES_ZERO`;
- presence = 0.8 x attention share + 0.2 x lighting (:data:`LIGHTING`).
"""

from __future__ import annotations

from interviewkit.video.results import (
    AnswerGrade,
    AnswerScore,
    TextMetrics,
    VideoMetrics,
)

PACE_BAND = (120.0, 160.0)
"""Words per minute people find comfortable in a spoken answer."""
PACE_LIMITS = (60.0, 220.0)
"""Below or above these the pace scores 0."""
FILLERS_ZERO = 10.0
"""Fillers per minute of speech at which the filler part reaches 0."""
LONG_PAUSE_S = 3.0
LONG_PAUSES_ZERO = 3.0
"""Long pauses per minute of answer at which the pause part reaches 0."""
LIGHTING = {"good": 100.0, "low_contrast": 60.0, "dark": 30.0, "overexposed": 30.0}
WEIGHTS = {"content": 0.5, "delivery": 0.25, "presence": 0.25}
CONTENT_WEIGHTS = {"keywords": 0.3, "star": 0.2, "grade": 0.5}


def _clamp(value: float) -> float:
    return max(0.0, min(100.0, value))


def _weighted(parts: dict[str, float], weights: dict[str, float]) -> float | None:
    total = sum(weights[name] for name in parts)
    if total == 0:
        return None
    return sum(value * weights[name] for name, value in parts.items()) / total


def pace_score(wpm: float) -> float:
    """100 inside :data:`PACE_BAND`, linear to 0 at :data:`PACE_LIMITS`."""
    low, high = PACE_BAND
    floor, ceiling = PACE_LIMITS
    if wpm < low:
        return _clamp(100.0 * (wpm - floor) / (low - floor))
    if wpm > high:
        return _clamp(100.0 * (ceiling - wpm) / (ceiling - high))
    return 100.0


def content_score(text: TextMetrics | None, grade: AnswerGrade | None) -> tuple[float | None, str]:
    if text is None:
        return None, "content: no speech to judge (no audio track)"
    parts: dict[str, float] = {"star": 100.0 * text.star.parts_found / 4}
    seen = [f"STAR {text.star.parts_found}/4"]
    if text.keywords.coverage is not None:
        parts["keywords"] = 100.0 * text.keywords.coverage
        seen.append(f"keywords {len(text.keywords.found)}/{len(text.keywords.expected)}")
    if grade is not None:
        parts["grade"] = 100.0 * (grade.score - 1) / 4
        seen.append(f"LLM grade {grade.score}/5")
    score = _weighted(parts, CONTENT_WEIGHTS)
    return score, "content: " + ", ".join(seen)


def delivery_score(text: TextMetrics | None, duration_s: float) -> tuple[float | None, str]:
    if text is None or text.words_per_minute is None:
        return None, "delivery: no words to judge"
    pace = pace_score(text.words_per_minute)
    fillers = _clamp(100.0 - 100.0 * (text.fillers_per_minute or 0.0) / FILLERS_ZERO)
    long_pauses = sum(1 for p in text.pauses if p.duration >= LONG_PAUSE_S)
    per_minute = long_pauses / (duration_s / 60.0) if duration_s > 0 else 0.0
    pauses = _clamp(100.0 - 100.0 * per_minute / LONG_PAUSES_ZERO)
    score = 0.4 * pace + 0.3 * fillers + 0.3 * pauses
    return score, (
        f"delivery: {text.words_per_minute:.0f} words/min, "
        f"{text.fillers_per_minute or 0.0:.1f} fillers/min, "
        f"{long_pauses} pauses of {LONG_PAUSE_S:.0f} s or more"
    )


def presence_score(video: VideoMetrics | None) -> tuple[float | None, str]:
    if video is None:
        return None, "presence: no video to judge"
    if video.frames_analyzed == 0:
        return None, "presence: no frame could be analysed"
    lighting = LIGHTING.get(video.lighting, 60.0)
    score = 0.8 * 100.0 * video.attention_ratio + 0.2 * lighting
    return score, (
        f"presence: looking at the camera {video.attention_ratio:.0%} of the answer, "
        f"lighting {video.lighting}"
    )


def score_answer(
    text: TextMetrics | None,
    video: VideoMetrics | None,
    grade: AnswerGrade | None,
    duration_s: float,
) -> AnswerScore | None:
    """The answer's score, or None when no component could be measured."""
    content, content_line = content_score(text, grade)
    delivery, delivery_line = delivery_score(text, duration_s)
    presence, presence_line = presence_score(video)
    parts = {
        name: value
        for name, value in (("content", content), ("delivery", delivery), ("presence", presence))
        if value is not None
    }
    overall = _weighted(parts, WEIGHTS)
    if overall is None:
        return None

    def rounded(value: float | None) -> float | None:
        return None if value is None else round(value, 1)

    return AnswerScore(
        overall=round(overall, 1),
        content=rounded(content),
        delivery=rounded(delivery),
        presence=rounded(presence),
        explanation=[content_line, delivery_line, presence_line],
    )
