"""What the camera saw during an answer: presence, attention, other people, motion, light.

Every number is measured on the answer's own frames, sampled at ``sample_fps`` (4 a second
by default, settings.video_sample_fps) by :mod:`.frames` and read by a face engine from
:mod:`.faces`:

- a frame has a *face* when the engine finds one; *looking at the camera* when the largest
  face (the candidate: the nearest person) has yaw and pitch within the limits (BlazeFace
  + mesh) or is found by the frontal cascade (Haar);
- *motion* is the mean absolute difference of consecutive sampled frames, grey and
  downscaled to 160x120 (camera noise and compression flicker stay below ~2, a person
  shifting in their seat is 5-20, walking out of frame more);
- *brightness* is the mean luma, *contrast* its standard deviation within the frame.

Each sampled frame stands for the time until the next one, so ratios are shares of the
answer's time, not of a frame count, and spans start and end at sample times (within
``1 / sample_fps`` of the truth). Summaries:

- ``attention_ratio``: the share of the answer not inside an *away span*: no face or not
  looking for at least :data:`AWAY_MIN_S` (1 s). Glancing at notes for half a second is
  forgiven; ``looking_at_camera_ratio`` is the unforgiving frame share.
- ``multiple_face_spans``: two or more faces for at least :data:`MULTIPLE_MIN_S` (0.5 s),
  for integrity review (someone else in the room).
- ``lighting``: from the mean luma and contrast over the answer (thresholds below).
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, cast

import cv2
import numpy as np
import numpy.typing as npt

from interviewkit.video.faces import FaceAnalyzer, build_face_analyzer
from interviewkit.video.frames import Frame, sample_frames
from interviewkit.video.media import MediaError
from interviewkit.video.results import ProbeResult, Span, VideoMetrics, VideoSeries

AWAY_MIN_S = 1.0
MULTIPLE_MIN_S = 0.5
MOTION_SIZE = (160, 120)

DARK_BELOW = 60.0
"""Mean luma (0-255) under which a room is dark. A webcam's auto-exposure aims at mid grey
(~110-130); under ~60 it has run out of gain, faces lose their features (the detectors
still find ours at ~25, people reviewing the video struggle) and noise dominates."""
OVEREXPOSED_ABOVE = 200.0
"""Mean luma above which the picture is washed out (a window behind, a lamp in front)."""
LOW_CONTRAST_BELOW = 25.0
"""Luma standard deviation under which the picture is flat (fog, a lens smudge, a face
lit from behind against a bright wall): a normally lit room with a person in it is 40-60."""


@dataclass(frozen=True)
class Sample:
    """What one sampled frame showed."""

    t: float
    faces: int
    looking: bool
    yaw_deg: float | None
    pitch_deg: float | None
    motion: float | None
    brightness: float
    contrast: float


def measure_video(
    path: Path,
    probe: ProbeResult,
    *,
    sample_fps: float,
    engine: str,
    yaw_limit_deg: float,
    pitch_limit_deg: float,
    threads: int,
    progress: Callable[[float], None] | None = None,
) -> VideoMetrics:
    """Sample ``path`` and summarise it. Raises :class:`~.media.MediaError` when the file
    has no video stream or no frame can be decoded."""
    if probe.video_codec is None:
        raise MediaError("no video stream")
    analyzer = build_face_analyzer(cast(Literal["blazeface", "haar"], engine))
    frames = sample_frames(
        path, sample_fps, threads=threads, duration_s=probe.duration_s, progress=progress
    )
    # OpenCV's own thread pool (process-wide) is set to one thread while we run: the nets
    # are small (128-192 px), so splitting one across cores costs more in hand-offs than it
    # saves (measured on 60 s of 640x480: 2.8 s CPU with one thread, 3.8 s with two, and
    # no faster), and transcription wants the other core at the same time.
    previous_threads = cv2.getNumThreads()
    cv2.setNumThreads(1)
    try:
        samples = list(
            observe(frames, analyzer, yaw_limit_deg=yaw_limit_deg, pitch_limit_deg=pitch_limit_deg)
        )
    finally:
        cv2.setNumThreads(previous_threads)
    if not samples:
        raise MediaError("no video frame could be decoded")
    width, height = probe.width or 0, probe.height or 0
    metrics = summarise(samples, max(probe.duration_s, samples[-1].t), sample_fps=sample_fps)
    if progress is not None:
        progress(1.0)
    return metrics.model_copy(update={"engine": analyzer.name, "width": width, "height": height})


def observe(
    frames: Iterable[tuple[float, Frame]],
    analyzer: FaceAnalyzer,
    *,
    yaw_limit_deg: float,
    pitch_limit_deg: float,
) -> Iterable[Sample]:
    """One :class:`Sample` per frame."""
    previous: npt.NDArray[Any] | None = None
    for t, frame in frames:
        gray = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
        small = cv2.resize(gray, MOTION_SIZE, interpolation=cv2.INTER_AREA)
        motion = None if previous is None else float(np.mean(cv2.absdiff(small, previous)))
        previous = small
        mean, std = cv2.meanStdDev(small)
        faces = analyzer.analyze(frame)
        main = faces[0] if faces else None
        yaw = main.yaw_deg if main is not None else None
        pitch = main.pitch_deg if main is not None else None
        yield Sample(
            t=t,
            faces=len(faces),
            looking=main is not None and main.looking(yaw_limit_deg, pitch_limit_deg),
            yaw_deg=yaw if yaw is not None and math.isfinite(yaw) else None,
            pitch_deg=pitch if pitch is not None and math.isfinite(pitch) else None,
            motion=motion,
            brightness=float(mean[0][0]),
            contrast=float(std[0][0]),
        )


def _weights(samples: list[Sample], duration: float) -> list[float]:
    """How long each sample stands for: until the next sample (the last: the end)."""
    ends = [s.t for s in samples[1:]] + [max(duration, samples[-1].t)]
    return [max(end - s.t, 0.0) for s, end in zip(samples, ends, strict=True)]


def runs(
    samples: list[Sample], duration: float, predicate: Callable[[Sample], bool], min_s: float
) -> list[Span]:
    """Stretches where ``predicate`` holds for at least ``min_s`` seconds."""
    spans: list[Span] = []
    start: float | None = None
    for sample in samples:
        if predicate(sample):
            if start is None:
                start = sample.t
        elif start is not None:
            spans.append(Span(start=round(start, 3), end=round(sample.t, 3)))
            start = None
    if start is not None:
        spans.append(Span(start=round(start, 3), end=round(max(duration, start), 3)))
    return [span for span in spans if span.duration >= min_s - 1e-9]


def lighting(mean_luma: float, contrast: float) -> str:
    if mean_luma < DARK_BELOW:
        return "dark"
    if mean_luma > OVEREXPOSED_ABOVE:
        return "overexposed"
    if contrast < LOW_CONTRAST_BELOW:
        return "low_contrast"
    return "good"


def summarise(samples: list[Sample], duration: float, *, sample_fps: float) -> VideoMetrics:
    """The ratios, spans, lighting and 1 Hz series of a list of samples."""
    weights = _weights(samples, duration)
    total = sum(weights) or 1.0

    def share(predicate: Callable[[Sample], bool]) -> float:
        return sum(w for s, w in zip(samples, weights, strict=True) if predicate(s)) / total

    away = runs(samples, duration, lambda s: not s.looking, AWAY_MIN_S)
    multiple = runs(samples, duration, lambda s: s.faces >= 2, MULTIPLE_MIN_S)
    away_time = sum(span.duration for span in away)
    brightness = sum(s.brightness * w for s, w in zip(samples, weights, strict=True)) / total
    contrast = sum(s.contrast * w for s, w in zip(samples, weights, strict=True)) / total
    motions = [s.motion for s in samples if s.motion is not None]
    return VideoMetrics(
        engine="",
        sample_fps=sample_fps,
        frames_analyzed=len(samples),
        width=0,
        height=0,
        face_present_ratio=round(share(lambda s: s.faces > 0), 4),
        looking_at_camera_ratio=round(share(lambda s: s.looking), 4),
        multiple_faces_ratio=round(share(lambda s: s.faces >= 2), 4),
        attention_ratio=round(max(1.0 - away_time / max(duration, 1e-9), 0.0), 4),
        away_spans=away,
        multiple_face_spans=multiple,
        mean_brightness=round(brightness, 2),
        brightness_contrast=round(contrast, 2),
        lighting=lighting(brightness, contrast),
        mean_motion=round(statistics.fmean(motions), 3) if motions else 0.0,
        series=series(samples, duration),
    )


def series(samples: list[Sample], duration: float) -> VideoSeries:
    """1 Hz: second i summarises the samples taken in [i, i + 1); a second without a
    sample (a gap in a variable-frame-rate recording) repeats the last frame shown."""
    seconds = max(math.ceil(duration - 1e-6), 1)
    buckets: list[list[Sample]] = [[] for _ in range(seconds)]
    for sample in samples:
        buckets[min(int(sample.t), seconds - 1)].append(sample)
    out = VideoSeries(
        face_present=[],
        looking_at_camera=[],
        faces=[],
        yaw_deg=[],
        pitch_deg=[],
        motion=[],
        brightness=[],
    )
    last: list[Sample] = samples[:1]
    for bucket in buckets:
        chosen = bucket or last
        last = bucket[-1:] or last
        yaws = [s.yaw_deg for s in chosen if s.yaw_deg is not None]
        pitches = [s.pitch_deg for s in chosen if s.pitch_deg is not None]
        motions = [s.motion for s in chosen if s.motion is not None]
        out.face_present.append(round(sum(s.faces > 0 for s in chosen) / len(chosen), 3))
        out.looking_at_camera.append(round(sum(s.looking for s in chosen) / len(chosen), 3))
        out.faces.append(max(s.faces for s in chosen))
        out.yaw_deg.append(round(statistics.median(yaws), 1) if yaws else None)
        out.pitch_deg.append(round(statistics.median(pitches), 1) if pitches else None)
        out.motion.append(round(statistics.fmean(motions), 2) if motions else 0.0)
        out.brightness.append(round(statistics.fmean(s.brightness for s in chosen), 1))
    return out
