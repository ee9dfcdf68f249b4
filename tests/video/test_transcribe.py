"""Transcribing a long answer with real Whisper: cut only in pauses, timings on the
answer's clock, hesitations heard after the first 30 seconds too."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from interviewkit.config import Settings
from interviewkit.speech.audio import resample, to_float
from interviewkit.speech.engines import build_stt, build_tts
from interviewkit.speech.ports import SAMPLE_RATE, Samples
from interviewkit.speech.text import word_error_rate
from interviewkit.video.transcribe import CHUNK_MAX_S, chunk_bounds, transcribe

SENTENCES = (
    "In my last role I looked after the billing service for a small team.",
    "Every Friday the nightly export failed and somebody had to restart it by hand.",
    "I was asked to find out why it failed and to make it reliable.",
    "I traced the failures to a lock that the reporting job held for too long.",
    "Um, I moved the reports to a replica, uh, and split the export into batches.",
    "After that change the export has not failed once in six months.",
)
GAP_S = 2.0


@pytest.fixture(scope="module")
def long_answer() -> tuple[Samples, list[tuple[float, float]]]:
    """About 40 s: the sentences spoken by Piper with 2 s of silence after each; the
    spoken spans."""
    tts = build_tts(Settings(_env_file=None), "piper")
    pieces: list[Samples] = []
    spans: list[tuple[float, float]] = []
    clock = 0.5
    pieces.append(np.zeros(round(0.5 * SAMPLE_RATE), np.float32))
    for sentence in SENTENCES:
        pcm = np.concatenate(list(tts.synthesize(sentence)))
        speech = to_float(resample(pcm, tts.sample_rate, SAMPLE_RATE))
        spans.append((clock, clock + len(speech) / SAMPLE_RATE))
        pieces += [speech, np.zeros(round(GAP_S * SAMPLE_RATE), np.float32)]
        clock = spans[-1][1] + GAP_S
    return np.concatenate(pieces).astype(np.float32), spans


def test_a_long_answer_is_cut_in_its_pauses_and_heard_whole(
    long_answer: tuple[Samples, list[tuple[float, float]]],
) -> None:
    samples, spans = long_answer
    assert len(samples) / SAMPLE_RATE > CHUNK_MAX_S + 5
    bounds = chunk_bounds(samples)
    assert len(bounds) >= 2
    for _start, cut in bounds[:-1]:
        at = cut / SAMPLE_RATE
        assert not any(a - 0.05 < at < b + 0.05 for a, b in spans), f"cut at {at:.2f} s"

    seen: list[float] = []
    result = transcribe(
        samples, build_stt(Settings(_env_file=None), "whisper"), progress=seen.append
    )
    assert seen == sorted(seen)
    assert seen[-1] == 1.0
    assert result.engine == "whisper:tiny.en"
    assert word_error_rate(" ".join(SENTENCES), result.text) <= 0.2
    starts = [w.start for w in result.words]
    assert starts == sorted(starts)
    # every word is heard while its sentence is said (timings on the answer's clock)
    for word in result.words:
        middle = (word.start + word.end) / 2
        assert any(a - 0.6 <= middle <= b + 0.6 for a, b in spans), word
    # the hesitations of the fifth sentence (after the first 30 s window) are written down
    fifth = spans[4]
    hesitations = [w for w in result.words if w.filler and fifth[0] - 0.6 <= w.start <= fifth[1]]
    assert hesitations, result.text


def test_silence_is_not_transcribed() -> None:
    silence = np.zeros(10 * SAMPLE_RATE, np.float32)
    result = transcribe(silence, build_stt(Settings(_env_file=None), "whisper"))
    assert result.words == []
    assert result.text == ""


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 200 * SAMPLE_RATE), st.integers(0, 2**32 - 1))
def test_pieces_tile_the_audio(length: int, seed: int) -> None:
    samples = np.random.default_rng(seed).normal(0, 0.1, length).astype(np.float32)
    bounds = chunk_bounds(samples)
    assert [b for b in bounds if b[1] <= b[0]] == []
    assert (bounds[0][0] if bounds else 0) == 0
    assert (bounds[-1][1] if bounds else 0) == length
    assert all(a[1] == b[0] for a, b in itertools.pairwise(bounds))
    assert all(end - start <= CHUNK_MAX_S * SAMPLE_RATE for start, end in bounds)
