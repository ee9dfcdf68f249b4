"""The typed frames a conversation's stages pass to it (pipecat's style, our own size).

Each stage of :mod:`interviewkit.voice.pipeline` runs on its own (the ear hears the
microphone, the transcriber runs speech to text, the mouth speaks) and reports what
happened as a frame into the conversation's inbox; the conversation handles its frames
one at a time, in order, so no two stages ever race on its state. An interruption
(barge-in, "stop talking") cancels the task the mouth speaks in, which stops synthesis
within a clause, and tells the client to drop what it buffered (``flush``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from interviewkit.speech.ports import Samples, Transcript
from interviewkit.voice.turns import TurnEvent


@dataclass(frozen=True)
class Utterance:
    """A finished utterance as the ear held it at END (it forgets older audio right after,
    so the conversation must not read it from the ear later)."""

    audio: Samples
    """From the pre-roll before the start to a short tail after the last voiced frame."""
    started_ms: float
    last_voiced_ms: float
    audio_started: float
    """Monotonic arrival of the audio's first frame (words count from there)."""
    started: float
    """Monotonic arrival of the frame where speech started."""


@dataclass(frozen=True)
class Heard:
    """The ear's verdict on the microphone: a turn event at ``audio_ms`` of audio (None:
    more of a running utterance was heard, which may make a partial transcript due).

    ``wall`` is the ``time.monotonic()`` at which the frame carrying the candidate's last
    voiced audio arrived (what voice-to-voice latency is measured from).
    """

    event: TurnEvent | None
    audio_ms: float
    wall: float
    utterance: Utterance | None = None
    """With END: what was said."""


@dataclass(frozen=True)
class Transcribed:
    """Speech to text of the utterance's audio up to ``covered_ms`` (audio clock)."""

    kind: Literal["partial", "draft", "final"]
    utterance: int
    covered_ms: float
    transcript: Transcript
    seconds: float
    """How long the transcription took."""


@dataclass(frozen=True)
class Spoke:
    """The mouth sent the first (``started``) or the last frame of a speech."""

    speech: int
    text: str
    started: bool
    wall: float


Frame = Heard | Transcribed | Spoke
