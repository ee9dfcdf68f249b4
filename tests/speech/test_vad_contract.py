"""The voice-activity contract, passed by every adapter (silero, pocketsphinx).

What end-of-turn detection relies on: frames of speech (synthesized and really recorded)
score high, silence and a steady background noise score low, a stream carries state from
frame to frame (one speaker's history) and only its own, ``reset`` forgets it, and a frame
of the wrong size is refused rather than misread.
"""

from __future__ import annotations

import numpy as np
import pytest

from interviewkit.speech.ports import SAMPLE_RATE, Samples, VadStream, VoiceActivityDetector
from tests.speech.conftest import Speak

THRESHOLD = 0.5
SENTENCE = "I think the time complexity is linear in the length of the array."


def frames(audio: Samples, size: int) -> list[Samples]:
    return [audio[i : i + size] for i in range(0, len(audio) - size + 1, size)]


def scores(stream: VadStream, audio: Samples, size: int) -> list[float]:
    return [stream.probability(frame) for frame in frames(audio, size)]


def voiced_share(vad: VoiceActivityDetector, audio: Samples) -> float:
    """The share of frames a fresh stream calls speech."""
    found = scores(vad.stream(), audio, vad.frame_samples)
    return sum(p >= THRESHOLD for p in found) / len(found)


def noise(kind: str, seconds: float, rms: float, seed: int = 1) -> Samples:
    rng = np.random.default_rng(seed)
    white = rng.standard_normal(int(seconds * SAMPLE_RATE))
    if kind == "white":
        signal = white
    else:  # brown: integrated white noise, its drift removed
        walk = np.cumsum(white)
        signal = walk - np.convolve(walk, np.ones(400) / 400, mode="same")
    return (signal / np.std(signal) * rms).astype(np.float32)


def trimmed(audio: Samples) -> Samples:
    """The voiced part of a clean recording (from its first to its last loud sample)."""
    loud = np.flatnonzero(np.abs(audio) > 0.1 * np.max(np.abs(audio)))
    return audio[loud[0] : loud[-1]]


def test_speech_scores_high(vad: VoiceActivityDetector, speak: Speak) -> None:
    assert voiced_share(vad, trimmed(speak(SENTENCE))) >= 0.7


def test_real_recorded_speech_scores_high(
    vad: VoiceActivityDetector, recorded: list[tuple[Samples, str]]
) -> None:
    shares = [voiced_share(vad, trimmed(audio)) for audio, _ in recorded]
    assert np.mean(shares) >= 0.6, shares


def test_silence_scores_low(vad: VoiceActivityDetector) -> None:
    assert voiced_share(vad, np.zeros(2 * SAMPLE_RATE, dtype=np.float32)) == 0.0


@pytest.mark.parametrize("kind", ["white", "brown"])
def test_steady_background_noise_scores_low(vad: VoiceActivityDetector, kind: str) -> None:
    """A fan or a hum at -40 dBFS, there from the start, is not someone speaking."""
    assert voiced_share(vad, noise(kind, 3.0, rms=0.01)) <= 0.1


def test_a_stream_carries_state_between_frames(vad: VoiceActivityDetector, speak: Speak) -> None:
    size = vad.frame_samples
    speech = trimmed(speak(SENTENCE))
    quiet = noise("white", 0.5, rms=0.003)
    fresh = scores(vad.stream(), quiet, size)
    after_speech = vad.stream()
    scores(after_speech, speech, size)
    assert scores(after_speech, quiet, size) != fresh  # the history changed the answers


def test_reset_forgets_and_streams_are_independent(
    vad: VoiceActivityDetector, speak: Speak
) -> None:
    size = vad.frame_samples
    audio = np.concatenate([trimmed(speak(SENTENCE)), noise("brown", 0.5, rms=0.005)])
    alone = scores(vad.stream(), audio, size)

    reused = vad.stream()
    scores(reused, speak("Run my code."), size)
    reused.reset()
    assert scores(reused, audio, size) == alone

    # two speakers' frames interleaved: each stream answers as if it were alone
    first, second = vad.stream(), vad.stream()
    other = noise("white", len(audio) / SAMPLE_RATE, rms=0.05, seed=7)
    mine: list[float] = []
    for frame, other_frame in zip(frames(audio, size), frames(other, size), strict=True):
        mine.append(first.probability(frame))
        second.probability(other_frame)
    assert mine == alone


@pytest.mark.parametrize("delta", [-1, 1, -100])
def test_a_frame_of_the_wrong_size_is_refused(vad: VoiceActivityDetector, delta: int) -> None:
    with pytest.raises(ValueError, match="samples"):
        vad.stream().probability(np.zeros(vad.frame_samples + delta, dtype=np.float32))


def test_frame_sizes() -> None:
    from interviewkit.speech.vad import PocketsphinxVAD, SileroVAD

    assert SileroVAD.frame_samples == 512  # 32 ms
    assert PocketsphinxVAD().frame_samples == 480  # 30 ms


def test_silero_hears_speech_through_loud_noise(speak: Speak) -> None:
    """Speech at 5 dB above brown noise (a loud room) is still mostly found."""
    from interviewkit.speech.vad import SileroVAD

    speech = trimmed(speak(SENTENCE))
    rms = float(np.sqrt(np.mean(speech**2)))
    noisy = speech + noise("brown", len(speech) / SAMPLE_RATE, rms=rms / 10 ** (5 / 20))
    vad = SileroVAD()
    assert voiced_share(vad, noisy) >= 0.6
    assert voiced_share(vad, noise("brown", 3.0, rms=rms / 10 ** (5 / 20))) <= 0.1
