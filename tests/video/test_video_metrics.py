"""Video metrics against the ground truth of built clips, and the summaries' invariants.

Tolerances: ratios within 0.08 of the truth, span boundaries within 0.75 s (three samples
at 4 per second): what a reviewer reading the report can rely on.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from interviewkit.video.media import MediaError, extract_audio, probe
from interviewkit.video.results import Span, VideoMetrics
from interviewkit.video.video_metrics import (
    DARK_BELOW,
    Sample,
    measure_video,
    summarise,
)
from tests.video.clips import ClipSpec, GroundTruth, Kind, Segment
from tests.video.conftest import ClipFactory

RATIO_TOLERANCE = 0.08
SPAN_TOLERANCE_S = 0.75

SCRIPTED = ClipSpec(
    script=(
        Segment("present", 2.0),
        Segment("absent", 2.0),
        Segment("away", 2.0),
        Segment("two", 2.0),
        Segment("dark", 2.0),
        Segment("present", 2.0),
    ),
    face="hopper",
)


def measure(clip: GroundTruth, engine: str = "blazeface", fps: float = 4.0) -> VideoMetrics:
    return measure_video(
        clip.path,
        probe(clip.path),
        sample_fps=fps,
        engine=engine,
        yaw_limit_deg=25.0,
        pitch_limit_deg=20.0,
        threads=1,
    )


def assert_spans_match(measured: list[Span], expected: tuple[Span, ...]) -> None:
    assert len(measured) == len(expected), (measured, expected)
    for got, want in zip(measured, expected, strict=True):
        assert got.start == pytest.approx(want.start, abs=SPAN_TOLERANCE_S)
        assert got.end == pytest.approx(want.end, abs=SPAN_TOLERANCE_S)


def assert_ratios_match(metrics: VideoMetrics, clip: GroundTruth) -> None:
    assert metrics.face_present_ratio == pytest.approx(clip.face_present_ratio, abs=RATIO_TOLERANCE)
    assert metrics.looking_at_camera_ratio == pytest.approx(clip.looking_ratio, abs=RATIO_TOLERANCE)
    assert metrics.multiple_faces_ratio == pytest.approx(
        clip.multiple_faces_ratio, abs=RATIO_TOLERANCE
    )


@pytest.fixture(scope="module")
def scripted(clip_factory: ClipFactory) -> tuple[GroundTruth, VideoMetrics]:
    clip = clip_factory(SCRIPTED)
    return clip, measure(clip)


def test_ratios_and_spans_match_the_script(scripted: tuple[GroundTruth, VideoMetrics]) -> None:
    clip, metrics = scripted
    assert_ratios_match(metrics, clip)
    assert_spans_match(metrics.away_spans, clip.away_spans())
    assert_spans_match(metrics.multiple_face_spans, clip.spans["two"])
    # Absent 2 s and turned away 2 s: 4 s of the 12 are not attention.
    assert metrics.attention_ratio == pytest.approx(8 / 12, abs=RATIO_TOLERANCE)
    assert metrics.engine == "blazeface"
    assert (metrics.width, metrics.height) == (640, 480)
    assert metrics.frames_analyzed == pytest.approx(12 * 4, abs=2)


def test_the_1hz_series_follow_the_script(scripted: tuple[GroundTruth, VideoMetrics]) -> None:
    clip, metrics = scripted
    series = metrics.series
    # One value per started second of the file (the text series count the same way), and
    # the encoded file may run a few ms past the script (the last audio packet).
    seconds = math.ceil(probe(clip.path).duration_s)
    for values in (
        series.face_present,
        series.looking_at_camera,
        series.faces,
        series.yaw_deg,
        series.pitch_deg,
        series.motion,
        series.brightness,
    ):
        assert len(values) == seconds
    for second in range(int(clip.duration_s)):
        kind = clip.kind_at(second + 0.5)
        if kind == "absent":
            assert series.face_present[second] == 0
            assert series.yaw_deg[second] is None
        else:
            assert series.face_present[second] == 1
        if kind == "two":
            assert series.faces[second] == 2
        if kind == "away":
            assert series.looking_at_camera[second] == 0
        if kind in ("present", "two", "dark"):
            assert series.looking_at_camera[second] == 1
        if kind == "dark":
            assert series.brightness[second] < DARK_BELOW
        else:
            assert series.brightness[second] > DARK_BELOW
    # The person walking out of frame moves more pixels than sitting and swaying.
    assert max(series.motion[1:4]) > 3 * min(series.motion[0], series.motion[11])


def test_a_glance_away_is_forgiven_by_attention_but_not_by_the_frame_share(
    clip_factory: ClipFactory,
) -> None:
    clip = clip_factory(
        ClipSpec(
            script=(
                Segment("present", 2.5),
                Segment("away", 0.5),
                Segment("present", 2.5),
                Segment("absent", 0.5),
                Segment("present", 2.0),
            ),
            width=320,
            height=240,
            fps=10,
        )
    )
    metrics = measure(clip)
    assert metrics.away_spans == []
    assert metrics.attention_ratio == 1.0
    assert metrics.looking_at_camera_ratio == pytest.approx(7 / 8, abs=RATIO_TOLERANCE)


def test_a_dark_room_is_called_dark_and_a_lit_one_good(
    clip_factory: ClipFactory, short_clip: GroundTruth, scripted: tuple[GroundTruth, VideoMetrics]
) -> None:
    dark = measure(clip_factory(ClipSpec(script=(Segment("dark", 2.0),), width=320, height=240)))
    assert dark.lighting == "dark"
    assert dark.mean_brightness < DARK_BELOW
    assert dark.face_present_ratio == 1.0
    assert scripted[1].lighting == "good"


def test_haar_fallback_on_the_short_clip(short_clip: GroundTruth) -> None:
    metrics = measure(short_clip, engine="haar")
    assert metrics.engine == "haar"
    assert_ratios_match(metrics, short_clip)
    assert_spans_match(metrics.away_spans, short_clip.away_spans())
    assert all(value is None for value in metrics.series.yaw_deg)


def test_a_file_without_video_is_a_media_error(short_clip: GroundTruth, tmp_path: Path) -> None:
    wav = tmp_path / "audio.wav"
    extract_audio(short_clip.path, wav)
    with pytest.raises(MediaError):
        measure_video(
            wav,
            probe(wav),
            sample_fps=4,
            engine="blazeface",
            yaw_limit_deg=25,
            pitch_limit_deg=20,
            threads=1,
        )


KINDS: tuple[Kind, ...] = ("present", "absent", "away", "two", "dark")


@settings(
    max_examples=4,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    script=st.lists(
        st.tuples(st.sampled_from(KINDS), st.sampled_from([1.5, 2.0])),
        min_size=2,
        max_size=4,
    )
)
def test_any_script_is_measured_within_tolerance(
    clip_factory: ClipFactory, script: list[tuple[Kind, float]]
) -> None:
    """Any sequence of states, small clips (320x240, 10 fps) so each example stays cheap;
    every state lasts 1.5 s or more, so no true away span sits on the 1 s threshold."""
    spec = ClipSpec(
        script=tuple(Segment(kind, seconds) for kind, seconds in script),
        width=320,
        height=240,
        fps=10,
        face="astronaut",
    )
    clip = clip_factory(spec)
    metrics = measure(clip)
    assert_ratios_match(metrics, clip)
    assert_spans_match(metrics.away_spans, clip.away_spans())


samples_strategy = st.lists(
    st.tuples(
        st.integers(0, 3),
        st.booleans(),
        st.floats(0, 255, allow_nan=False),
        st.floats(0.05, 1.0, allow_nan=False),
    ),
    min_size=1,
    max_size=80,
)


@given(rows=samples_strategy, tail=st.floats(0, 2, allow_nan=False))
def test_summaries_are_consistent_for_any_samples(
    rows: list[tuple[int, bool, float, float]], tail: float
) -> None:
    """Whatever the frames showed: shares in [0, 1], attention never below the frame share
    of looking, away spans at least a second, ordered, disjoint and inside the answer."""
    samples: list[Sample] = []
    t = 0.0
    for faces, looking, luma, step in rows:
        samples.append(
            Sample(
                t=t,
                faces=faces,
                looking=looking and faces > 0,
                yaw_deg=None,
                pitch_deg=None,
                motion=None if not samples else luma / 10,
                brightness=luma,
                contrast=20.0,
            )
        )
        t += step
    duration = samples[-1].t + tail
    metrics = summarise(samples, duration, sample_fps=4)
    for share in (
        metrics.face_present_ratio,
        metrics.looking_at_camera_ratio,
        metrics.multiple_faces_ratio,
        metrics.attention_ratio,
    ):
        assert 0.0 <= share <= 1.0
    assert metrics.looking_at_camera_ratio <= metrics.face_present_ratio + 1e-3
    assert metrics.multiple_faces_ratio <= metrics.face_present_ratio + 1e-3
    assert metrics.attention_ratio >= metrics.looking_at_camera_ratio - 1e-3
    previous_end = 0.0
    for span in metrics.away_spans:
        assert span.duration >= 1.0 - 1e-6
        assert previous_end <= span.start < span.end <= duration + 1e-3  # ms rounding
        previous_end = span.end
    assert len(metrics.series.faces) == max(math.ceil(duration - 1e-6), 1)
