"""The speech ports: what the voice pipeline and the video pipeline ask of an engine.

Audio crosses these ports as NumPy arrays: float32 mono in [-1, 1] at 16 kHz into speech
to text and voice activity (what Whisper, pocketsphinx and Silero all take), int16 mono at
the engine's own rate out of text to speech (what Piper and espeak-ng produce; the client
is told the rate). Every call is blocking and CPU-bound: callers run it in a worker
thread, never on the event loop.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt

SAMPLE_RATE = 16_000
"""The rate of every audio array that goes into speech to text and voice activity."""

Samples = npt.NDArray[np.float32]
"""Mono float32 audio in [-1, 1] at :data:`SAMPLE_RATE`."""
Pcm16 = npt.NDArray[np.int16]
"""Mono signed 16-bit audio."""


@dataclass(frozen=True)
class Word:
    """One recognised word and when it was said, in seconds from the audio's start."""

    text: str
    start: float
    end: float
    probability: float | None = None


@dataclass(frozen=True)
class Transcript:
    text: str
    words: tuple[Word, ...] = ()
    duration_s: float = 0.0
    engine: str = ""


class EngineUnavailable(RuntimeError):
    """The engine cannot run here (a package or model is missing): say which and why."""


class SpeechToText(Protocol):
    """Speech to text. ``prompt``: words the audio is likely to hold (problem terms)."""

    name: str

    def transcribe(self, audio: Samples, *, prompt: str | None = None) -> Transcript: ...


class TextToSpeech(Protocol):
    name: str
    sample_rate: int

    def synthesize(self, text: str) -> Iterator[Pcm16]:
        """The speech of ``text``, a chunk at a time (the first as early as possible)."""
        ...


class VadStream(Protocol):
    """One speaker's running voice activity: a probability per frame, state between."""

    def probability(self, frame: Samples) -> float:
        """Speech probability of one frame of exactly ``frame_samples`` samples."""
        ...

    def reset(self) -> None: ...


class VoiceActivityDetector(Protocol):
    name: str
    frame_samples: int
    """Samples per frame at :data:`SAMPLE_RATE` (Silero: 512, i.e. 32 ms)."""

    def stream(self) -> VadStream: ...
