"""The live channel's side of the voice interviewer: a port, and the per-connection glue.

``live`` sits below ``voice`` in the layers, so a connection cannot import the voice
pipeline: it talks to a :class:`VoiceGateway` (the voice service, wired in ``app.py``)
that opens a :class:`VoiceLink` per connection. :class:`VoiceChannel` is what the
connection owns: it turns binary frames and voice messages into calls on the link, and
keeps the audio budget (the JSON rate limit is 50 messages/s, which 20 ms microphone
frames alone would use up, so audio is metered by its duration instead).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Protocol

from interviewkit.auth.service import Principal
from interviewkit.config import Settings
from interviewkit.live.protocol import (
    AUDIO_FROM_CLIENT,
    MIC_SAMPLE_RATE,
    AudioChunk,
    ErrorMessage,
    VoiceCommandRequest,
    VoiceControl,
    VoiceState,
    unpack_audio,
)

AUDIO_BUDGET_RATE = 2.0
"""Seconds of microphone audio a client may send per second (2x real time: a client that
catches up after a network stall sends faster than it records, never twice as fast)."""
AUDIO_BUDGET_BURST_S = 3.0
"""...and this much at once (a 3 s stall's backlog)."""
MIN_FRAME_COST_S = 0.01
"""A frame costs at least 10 ms of budget, so tiny frames cannot flood the reader."""


class VoiceSink(Protocol):
    """Where a conversation writes: the connection's bounded send queue (non-blocking)."""

    def send_text(self, text: str) -> None: ...

    def send_bytes(self, data: bytes) -> None: ...


class VoiceLink(Protocol):
    """One open conversation, as the connection drives it. Every call returns at once."""

    def audio(self, chunk: AudioChunk) -> None: ...

    def control(self, message: VoiceControl) -> None: ...

    def command(self, message: VoiceCommandRequest) -> None: ...

    async def close(self) -> None: ...


@dataclass(frozen=True)
class VoiceRefusal:
    """Why no conversation was opened (disabled, at capacity, engines missing)."""

    detail: str
    engines: dict[str, str] | None = None


class VoiceGateway(Protocol):
    """The voice service, as the live channel sees it."""

    async def open(
        self, session_id: str, principal: Principal, sink: VoiceSink
    ) -> VoiceLink | VoiceRefusal: ...


class AudioBudget:
    """A token bucket counted in seconds of audio (see :data:`AUDIO_BUDGET_RATE`)."""

    def __init__(self, rate: float = AUDIO_BUDGET_RATE, burst: float = AUDIO_BUDGET_BURST_S):
        self.rate = rate
        self.burst = burst
        self._tokens = burst
        self._updated = time.monotonic()

    def take(self, seconds: float) -> bool:
        now = time.monotonic()
        self._tokens = min(self.burst, self._tokens + (now - self._updated) * self.rate)
        self._updated = now
        cost = max(seconds, MIN_FRAME_COST_S)
        if self._tokens < cost:
            return False
        self._tokens -= cost
        return True


class AudioRefused(Exception):
    """The client sent more audio than its budget: the connection closes (4429)."""


class VoiceChannel:
    """A connection's voice: at most one link, opened by ``voice start``.

    Binary frames before ``start`` (or after ``stop``) are dropped without a word: a
    browser's microphone worklet may run a moment longer than the conversation. A frame
    that is not an audio-chunk, or one longer than ``voice_max_chunk_ms``, is answered
    with ``error`` ``invalid_audio`` and the connection stays.
    """

    def __init__(
        self,
        settings: Settings,
        gateway: VoiceGateway | None,
        session_id: str,
        sink: VoiceSink,
    ) -> None:
        self.settings = settings
        self.gateway = gateway
        self.session_id = session_id
        self.sink = sink
        self.link: VoiceLink | None = None
        self.budget = AudioBudget()
        self._max_bytes = 2 * MIC_SAMPLE_RATE * settings.voice_max_chunk_ms // 1000

    def binary(self, frame: bytes) -> None:
        """One binary frame from the client (raises :class:`AudioRefused` over budget)."""
        try:
            chunk = unpack_audio(frame)
            if chunk.kind != AUDIO_FROM_CLIENT:
                raise ValueError("a client sends microphone audio (kind 1) only")
            if len(chunk.pcm) > self._max_bytes:
                raise ValueError(
                    f"an audio-chunk holds at most {self.settings.voice_max_chunk_ms} ms "
                    f"({self._max_bytes} bytes of 16 kHz PCM16)"
                )
        except ValueError as exc:
            self._error("invalid_audio", str(exc), None)
            return
        if not self.budget.take(len(chunk.pcm) / 2 / MIC_SAMPLE_RATE):
            raise AudioRefused("more audio than real time allows")
        if self.link is not None:
            self.link.audio(chunk)

    async def control(self, message: VoiceControl, principal: Principal) -> None:
        if message.action == "start":
            await self._start(message, principal)
            return
        if self.link is None:
            state = VoiceState(status="off", re=message.id, detail="voice is not started")
            self.sink.send_text(state.model_dump_json(exclude_none=True))
            return
        self.link.control(message)
        if message.action == "stop":
            await self.close()

    def command(self, message: VoiceCommandRequest) -> None:
        if self.link is None:
            self._error("voice_not_started", "start voice before giving it commands", message.id)
            return
        self.link.command(message)

    async def close(self) -> None:
        link, self.link = self.link, None
        if link is not None:
            await link.close()

    async def _start(self, message: VoiceControl, principal: Principal) -> None:
        if self.link is not None:  # already on: the link answers with its state
            self.link.control(message)
            return
        refusal = self._refusal(principal)
        if refusal is None:
            assert self.gateway is not None
            opened = await self.gateway.open(self.session_id, principal, self.sink)
            if isinstance(opened, VoiceRefusal):
                refusal = opened
            else:
                self.link = opened
                opened.control(message)
                return
        state = VoiceState(
            status="unavailable",
            re=message.id,
            detail=refusal.detail,
            engines=refusal.engines or {},
        )
        self.sink.send_text(state.model_dump_json(exclude_none=True))

    def _refusal(self, principal: Principal) -> VoiceRefusal | None:
        if principal.is_staff:
            return VoiceRefusal(
                "voice is the candidate's: staff follow the transcript in the live view"
            )
        if self.gateway is None or not self.settings.voice_enabled:
            return VoiceRefusal("the voice interviewer is turned off on this server")
        return None

    def _error(self, code: str, detail: str, message_id: str | None) -> None:
        error = ErrorMessage(code=code, detail=detail[:500], re=message_id)
        self.sink.send_text(error.model_dump_json(exclude_none=True))
