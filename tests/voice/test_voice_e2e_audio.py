"""The measuring tools of the voice benches and end-to-end tests are right.

Voice-to-voice latency is measured from the utterance's last voiced sample, the noise
conditions are stated as SNRs, and the microphone sends 20 ms frames: if any of these were
off, every latency and recognition figure would be off with it.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from interviewkit.live.protocol import AUDIO_FROM_CLIENT, pack_audio, unpack_audio
from interviewkit.speech.audio import to_pcm16
from tests.voice.audio_fixtures import (
    FRAME_SAMPLES,
    LEAD_MS,
    VOICED_WINDOW,
    SpokenAudio,
    add_noise,
    last_voiced_sample,
    pcm_frames,
)

RATE = 16_000
LEAD = RATE * LEAD_MS // 1000


def burst(before: int, length: int, after: int, level: float) -> np.ndarray:
    """Silence, a tone of ``length`` samples at ``level``, silence."""
    tone = level * np.sin(2 * np.pi * 220 * np.arange(length) / RATE)
    return np.concatenate([np.zeros(before), tone, np.zeros(after)]).astype(np.float32)


@settings(max_examples=60, deadline=None)
@given(
    before=st.integers(0, 8000),
    length=st.integers(VOICED_WINDOW * 2, 16_000),
    after=st.integers(0, 8000),
    level=st.floats(0.01, 1.0),
)
def test_the_last_voiced_sample_is_where_the_sound_stops(
    before: int, length: int, after: int, level: float
) -> None:
    end = before + length
    found = last_voiced_sample(burst(before, length, after, level))
    assert end - VOICED_WINDOW <= found <= end + VOICED_WINDOW


def test_silence_has_no_voiced_sample() -> None:
    assert last_voiced_sample(np.zeros(RATE, dtype=np.float32)) == 0


@settings(max_examples=40, deadline=None)
@given(
    kind=st.sampled_from(["white", "brown"]),
    snr=st.sampled_from([20.0, 10.0, 5.0]),
    seed=st.integers(1, 2**31),
)
def test_noise_is_added_at_the_stated_snr(kind: str, snr: float, seed: int) -> None:
    speech = burst(LEAD, RATE, RATE // 4, 0.1)
    end = LEAD + RATE
    noisy = add_noise(speech, end, kind, snr, seed)  # type: ignore[arg-type]
    noise = (noisy - speech)[LEAD:end].astype(np.float64)
    signal = speech[LEAD:end].astype(np.float64)
    measured = 10 * np.log10(np.mean(signal**2) / np.mean(noise**2))
    assert abs(measured - snr) < 1.0


@settings(max_examples=40, deadline=None)
@given(length=st.integers(0, 5000))
def test_frames_carry_the_audio_in_20_ms_pieces(length: int) -> None:
    samples = np.linspace(-0.9, 0.9, length, dtype=np.float32)
    frames = list(pcm_frames(samples))
    assert all(len(frame) == 2 * FRAME_SAMPLES for frame in frames)
    joined = np.frombuffer(b"".join(frames), dtype="<i2")
    assert len(joined) - length < FRAME_SAMPLES
    assert np.array_equal(joined[:length], to_pcm16(samples))
    assert not joined[length:].any()


def test_a_spoken_line_is_16_khz_speech_after_a_lead_of_silence(spoken: SpokenAudio) -> None:
    line = spoken.utterance("Run my code.")
    assert line.samples.dtype == np.float32
    assert not np.abs(line.samples[:LEAD]).any()
    assert LEAD < line.voiced_end <= len(line.samples)
    assert 0.6 < (line.voiced_end - LEAD) / RATE < 2.0  # three words, not a stretch of silence
    first = unpack_audio(pack_audio(AUDIO_FROM_CLIENT, 0, next(line.frames())))
    assert len(first.pcm) == 2 * FRAME_SAMPLES  # 20 ms, as the channel carries it
