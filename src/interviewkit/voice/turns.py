"""End of turn: when the candidate has started, paused, resumed and finished speaking.

Pure logic over a speech probability per VAD frame (Silero: 512 samples, 32 ms) and the
audio clock (milliseconds of microphone audio heard so far, not wall time: a client that
catches up after a stall is judged as it spoke, and tests replay probabilities without a
clock). The conversation feeds it; it answers with a :class:`TurnEvent`.

The silence that ends a turn depends on what was said (the draft transcript of the
utterance up to the pause, when it is ready): a complete sentence or question ends after
``voice_complete_hangover_ms``; a trailing "so", "and", "um", "because" or a comma waits
``voice_trailing_hangover_ms`` (the candidate is thinking aloud); anything else, or no
draft yet, ``voice_hangover_ms``. Push-to-talk ends a turn on release; an utterance longer
than ``voice_max_utterance_s`` is cut into turns.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from interviewkit.config import Settings

START_FRAMES = 3
"""Voiced frames in a row that start speech (~96 ms: a click or a cough is shorter)."""
RELEASE_MARGIN = 0.15
"""A frame stays voiced down to ``threshold - margin`` once speech runs (hysteresis)."""

TRAILING_WORDS = frozenset(
    {
        "so",
        "and",
        "but",
        "or",
        "um",
        "uh",
        "er",
        "erm",
        "hmm",
        "because",
        "like",
        "then",
        "if",
        "the",
        "a",
        "an",
        "to",
        "with",
        "of",
        "that",
        "which",
        "where",
        "when",
        "while",
        "is",
        "was",
        "i",
        "we",
        "my",
    }
)
"""Last words after which a speaker is still going (a conjunction, a filler, an article)."""
_WORD = re.compile(r"[a-z']+")


class TurnEvent(enum.Enum):
    START = "start"
    """Speech began (the candidate has the floor; the interviewer stops: barge-in)."""
    PAUSE = "pause"
    """Silence began: transcribe what was said so far (the draft) while waiting."""
    RESUME = "resume"
    """Speech again before the turn ended: the draft is stale."""
    END = "end"
    """The turn is over: answer it."""


class Ending(enum.Enum):
    COMPLETE = "complete"
    TRAILING = "trailing"
    UNCLEAR = "unclear"


def ending(text: str) -> Ending:
    """How a draft transcript ends: a finished sentence, a speaker still going, or unclear."""
    stripped = text.strip()
    if not stripped:
        return Ending.UNCLEAR
    if stripped.endswith((",", "...", "\u2026", "-", "\u2014", ";", ":")):
        return Ending.TRAILING
    words = _WORD.findall(stripped.lower())
    if words and words[-1] in TRAILING_WORDS:
        return Ending.TRAILING
    if stripped.endswith((".", "?", "!")):
        return Ending.COMPLETE
    return Ending.UNCLEAR


@dataclass(frozen=True)
class TurnConfig:
    threshold: float = 0.5
    frame_ms: float = 32.0
    hangover_ms: int = 500
    complete_ms: int = 250
    trailing_ms: int = 1200
    max_utterance_ms: float = 30_000.0

    @classmethod
    def from_settings(cls, settings: Settings, frame_ms: float = 32.0) -> TurnConfig:
        return cls(
            threshold=settings.vad_threshold,
            frame_ms=frame_ms,
            hangover_ms=settings.voice_hangover_ms,
            complete_ms=settings.voice_complete_hangover_ms,
            trailing_ms=settings.voice_trailing_hangover_ms,
            max_utterance_ms=settings.voice_max_utterance_s * 1000,
        )

    def hangover(self, draft: str | None) -> int:
        """The silence that ends a turn whose draft is ``draft`` (None: not known yet)."""
        if draft is None:
            return self.hangover_ms
        kind = ending(draft)
        if kind is Ending.COMPLETE:
            return self.complete_ms
        if kind is Ending.TRAILING:
            return self.trailing_ms
        return self.hangover_ms


class TurnDetector:
    """One speaker's turns. Times are milliseconds of audio: a frame pushed at ``now_ms``
    spans ``[now_ms - frame_ms, now_ms)``."""

    def __init__(self, config: TurnConfig) -> None:
        self.config = config
        self.speaking = False
        """Between START and END (pauses included)."""
        self.paused = False
        self.started_ms = 0.0
        """Where the speech began (the first of its starting frames)."""
        self.last_voiced_ms = 0.0
        """The end of the last voiced frame of the current (or last) utterance."""
        self.draft: str | None = None
        self._run = 0
        self._now = 0.0

    @property
    def now_ms(self) -> float:
        return self._now

    def push(self, probability: float, now_ms: float) -> TurnEvent | None:
        """The next frame's speech probability; the event it causes, if any."""
        self._now = now_ms
        if not self.speaking:
            return self._idle(probability, now_ms)
        voiced = probability >= self.config.threshold - RELEASE_MARGIN
        if voiced and self.paused:
            if probability < self.config.threshold:
                return self.tick(now_ms)  # a faint frame in a pause does not resume it
            self.paused, self.draft = False, None
            self.last_voiced_ms = now_ms
            return self._cut(now_ms) or TurnEvent.RESUME
        if voiced:
            self.last_voiced_ms = now_ms
            return self._cut(now_ms)
        if not self.paused:
            self.paused = True
            return TurnEvent.PAUSE
        return self.tick(now_ms)

    def tick(self, now_ms: float | None = None) -> TurnEvent | None:
        """END if the pause has lasted the hangover (call it when the draft arrives, too)."""
        now = self._now if now_ms is None else now_ms
        if not (self.speaking and self.paused):
            return None
        if now - self.last_voiced_ms >= self.config.hangover(self.draft):
            return self._end()
        return None

    def set_draft(self, text: str) -> TurnEvent | None:
        """The transcript of the utterance up to the pause: it sets the hangover."""
        if self.speaking and self.paused:
            self.draft = text
            return self.tick()
        return None

    def release(self) -> TurnEvent | None:
        """Push-to-talk released (or the microphone muted): the turn ends now."""
        return self._end() if self.speaking else None

    def reset(self) -> None:
        """Forget the current utterance (muted, or our own voice heard as speech)."""
        self.speaking = self.paused = False
        self.draft = None
        self._run = 0

    def _idle(self, probability: float, now_ms: float) -> TurnEvent | None:
        if probability < self.config.threshold:
            self._run = 0
            return None
        self._run += 1
        if self._run < START_FRAMES:
            return None
        self._run = 0
        self.speaking, self.paused, self.draft = True, False, None
        self.started_ms = max(0.0, now_ms - START_FRAMES * self.config.frame_ms)
        self.last_voiced_ms = now_ms
        return TurnEvent.START

    def _cut(self, now_ms: float) -> TurnEvent | None:
        if now_ms - self.started_ms >= self.config.max_utterance_ms:
            return self._end()
        return None

    def _end(self) -> TurnEvent:
        self.speaking = self.paused = False
        self._run = 0
        return TurnEvent.END
