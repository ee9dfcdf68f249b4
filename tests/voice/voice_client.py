"""A candidate's voice client of the live channel, for the end-to-end tests and the benches.

It does what the room's voice panel does, over a real WebSocket (the ``websockets``
library): join as the candidate, send ``voice start``, then stream a microphone as 20 ms
``audio-chunk`` frames (``>BBHI`` header, kind 1, PCM16 16 kHz), silence when nobody
speaks, and "play" the interviewer's audio as it arrives. Everything the server sends is
kept with the ``time.perf_counter()`` at which it arrived, so a bench can measure what a
listener would hear:

* voice-to-voice latency: the arrival of the first audio frame of the reply minus the
  moment the microphone sent the frame holding the utterance's last voiced sample
  (:func:`tests.voice.audio_fixtures.last_voiced_sample`, energy on the clean synthesis);
* when the interviewer has finished talking: the last frame of each speech has arrived
  and its audio has had time to play (a client plays a speech from its first frame on).

The microphone runs at ``speed`` times real time: 1.0 for the latency benches (the server
then sees exactly a live microphone's pacing), faster where only the pipeline's results
matter, since the server's turn taking counts frames, not wall-clock time.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed
from websockets.typing import Subprotocol

from interviewkit.live.protocol import (
    AUDIO_FROM_CLIENT,
    AUDIO_FROM_SERVER,
    AUDIO_LAST,
    AudioChunk,
    pack_audio,
    unpack_audio,
)
from tests.voice.audio_fixtures import FRAME_MS, FRAME_SAMPLES, Utterance, silence_frame

SUBPROTOCOL = "interviewkit.v1"
MAX_LAG_S = 0.1
"""A microphone that fell further behind its schedule (this process was stalled) resumes
at its pace instead of sending the backlog at once: the server meters audio at twice real
time with a 3 s burst, and a real microphone's backlog is never more than a few frames."""
PLAYBACK_MARGIN_S = 0.15
"""After a speech's audio would have finished playing, the client waits this much more
before talking, as a person leaves a beat before answering."""


@dataclass
class Heard:
    """One thing the server sent, and when it arrived."""

    at: float
    message: dict[str, Any] | None = None
    audio: AudioChunk | None = None

    @property
    def type(self) -> str:
        return "audio" if self.audio is not None else str((self.message or {}).get("type"))

    @property
    def body(self) -> dict[str, Any]:
        """The JSON message (for a heard message, not audio)."""
        assert self.message is not None, "audio has no JSON body"
        return self.message


@dataclass
class Speech:
    """One ``interviewer-speech`` and its audio as the client received it."""

    id: int
    text: str
    sample_rate: int
    command: str | None
    announced: float
    first_audio: float | None = None
    last_audio: float | None = None
    samples: int = 0
    pcm: bytearray = field(default_factory=bytearray)
    done: bool = False
    flushed_at: float | None = None

    @property
    def audio_s(self) -> float:
        return self.samples / self.sample_rate if self.sample_rate else 0.0

    @property
    def playback_end(self) -> float:
        """When a client playing from the first frame on would finish (or was flushed)."""
        if self.flushed_at is not None:
            return self.flushed_at
        start = self.first_audio if self.first_audio is not None else self.announced
        return start + self.audio_s


@dataclass
class Spoken:
    """When the microphone sent an utterance: its first frame, the frame holding the last
    voiced sample, and its last frame."""

    utterance: Utterance
    started: float
    voiced_end: float
    ended: float


class Microphone:
    """Streams queued audio (silence when the queue is empty) as 20 ms frames, paced at
    ``speed`` times real time on an absolute schedule (no drift over a long session)."""

    def __init__(self, ws: ClientConnection, speed: float = 1.0) -> None:
        self.ws = ws
        self.speed = speed
        self.seq = 0
        self.frames_sent = 0
        self._queue: deque[tuple[bytes, Callable[[float], None] | None]] = deque()
        self._silence = silence_frame()

    def say(self, utterance: Utterance) -> asyncio.Future[Spoken]:
        """Queue ``utterance``; the future resolves once its last frame is sent."""
        done: asyncio.Future[Spoken] = asyncio.get_running_loop().create_future()
        frames = list(utterance.frames())
        voiced_frame = max(0, (utterance.voiced_end - 1) // FRAME_SAMPLES)
        times: dict[str, float] = {}

        def mark(name: str, last: bool = False) -> Callable[[float], None]:
            def note(at: float) -> None:
                times[name] = at
                if last and not done.done():
                    started, voiced = times["started"], times.get("voiced", at)
                    done.set_result(Spoken(utterance, started, voiced, at))

            return note

        for index, pcm in enumerate(frames):
            marker = None
            if index == 0:
                marker = mark("started", last=len(frames) == 1)
            elif index == len(frames) - 1:
                marker = mark("ended", last=True)
            if index == voiced_frame:
                marker = _both(marker, mark("voiced"))
            self._queue.append((pcm, marker))
        return done

    @property
    def busy(self) -> bool:
        return bool(self._queue)

    async def run(self) -> None:
        period = FRAME_MS / 1000 / self.speed
        began = time.perf_counter()
        with contextlib.suppress(ConnectionClosed):
            while True:
                pcm, marker = self._queue.popleft() if self._queue else (self._silence, None)
                await self.ws.send(pack_audio(AUDIO_FROM_CLIENT, self.seq, pcm))
                if marker is not None:
                    marker(time.perf_counter())
                self.seq += 1
                self.frames_sent += 1
                delay = began + self.frames_sent * period - time.perf_counter()
                if delay < -MAX_LAG_S:  # stalled (a busy machine): go on at pace, no burst
                    began -= delay
                    delay = 0.0
                await asyncio.sleep(max(delay, 0))


def _both(
    first: Callable[[float], None] | None, second: Callable[[float], None]
) -> Callable[[float], None]:
    if first is None:
        return second

    def note(at: float) -> None:
        second(at)
        first(at)

    return note


class VoiceClient:
    """The candidate's connection: what it heard (``log``, ``speeches``) and its microphone."""

    def __init__(self, ws: ClientConnection, speed: float = 1.0) -> None:
        self.ws = ws
        self.log: list[Heard] = []
        self.speeches: dict[int, Speech] = {}
        self.microphone = Microphone(ws, speed)
        self._changed = asyncio.Condition()
        self._tasks: list[asyncio.Task[None]] = []
        self._ids = 0
        self.closed: tuple[int | None, str | None] | None = None
        """The close code and reason, once the server closed the connection."""

    @classmethod
    async def open(
        cls, base_url: str, session_id: str, token: str, *, speed: float = 1.0
    ) -> VoiceClient:
        """Connect as the candidate, say hello and read the welcome."""
        address = base_url.replace("http://", "ws://") + f"/api/v1/sessions/{session_id}/live"
        offered = [Subprotocol(SUBPROTOCOL), Subprotocol(f"bearer.{token}")]
        ws = await connect(address, subprotocols=offered, max_size=None)
        client = cls(ws, speed)
        client._tasks.append(asyncio.create_task(client._read()))
        await ws.send(json.dumps({"type": "hello"}))
        await client.wait_for(lambda h: h.type == "welcome", timeout=30)
        return client

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, ConnectionClosed):
                await task
        await self.ws.close()

    # ---- sending -------------------------------------------------------------------------

    def next_id(self, prefix: str) -> str:
        self._ids += 1
        return f"{prefix}{self._ids}"

    async def send(self, message: dict[str, Any]) -> None:
        await self.ws.send(json.dumps(message))

    async def voice(self, action: str, *, timeout: float = 60, **fields: Any) -> dict[str, Any]:
        """Send a ``voice`` control message; the ``voice`` state that answers it."""
        message_id = self.next_id("v")
        await self.send({"type": "voice", "id": message_id, "action": action, **fields})
        heard = await self.wait_for(
            lambda h: h.type in ("voice", "error") and (h.message or {}).get("re") == message_id,
            timeout=timeout,
        )
        return heard.body

    async def start(self, *, timeout: float = 60) -> dict[str, Any]:
        """``voice start``; once the server says it is on, the microphone starts streaming."""
        state = await self.voice("start", timeout=timeout)
        if state.get("status") == "on" and len(self._tasks) == 1:
            self._tasks.append(asyncio.create_task(self.microphone.run()))
        return state

    async def command(self, name: str) -> str:
        message_id = self.next_id("c")
        await self.send({"type": "voice-command", "id": message_id, "command": name})
        return message_id

    async def say(self, utterance: Utterance) -> Spoken:
        """Speak ``utterance`` into the running microphone; returns once it is all sent."""
        return await self.microphone.say(utterance)

    # ---- receiving -----------------------------------------------------------------------

    async def _read(self) -> None:
        with contextlib.suppress(ConnectionClosed):
            await self._receive()
        async with self._changed:
            self.closed = (self.ws.close_code, self.ws.close_reason)
            self._changed.notify_all()

    async def _receive(self) -> None:
        async for raw in self.ws:
            at = time.perf_counter()
            if isinstance(raw, bytes):
                heard = Heard(at, audio=unpack_audio(raw))
                self._audio(heard)
            else:
                heard = Heard(at, message=json.loads(raw))
                self._message(heard)
            async with self._changed:
                self.log.append(heard)
                self._changed.notify_all()

    def _message(self, heard: Heard) -> None:
        message = heard.message or {}
        if message.get("type") == "interviewer-speech":
            speech_id = int(message["speech"])
            self.speeches[speech_id] = Speech(
                speech_id,
                str(message["text"]),
                int(message["sample_rate"]),
                message.get("command"),
                heard.at,
            )
        elif message.get("type") == "flush":
            speech = self.speeches.get(int(message["speech"]))
            if speech is not None and speech.flushed_at is None:
                speech.flushed_at = heard.at

    def _audio(self, heard: Heard) -> None:
        chunk = heard.audio
        assert chunk is not None
        speech = self.speeches.get(chunk.speech)
        if chunk.kind != AUDIO_FROM_SERVER or speech is None:
            return
        if speech.first_audio is None and chunk.pcm:
            speech.first_audio = heard.at
        speech.last_audio = heard.at
        speech.samples += len(chunk.pcm) // 2
        speech.pcm.extend(chunk.pcm)
        if chunk.flags & AUDIO_LAST:
            speech.done = True

    async def wait_for(
        self, wanted: Callable[[Heard], bool], *, timeout: float, since: int = 0
    ) -> Heard:
        """The first thing heard (at log index ``since`` or later) that ``wanted`` accepts;
        on a timeout, an AssertionError that lists the messages heard since."""
        checked = since
        try:
            async with asyncio.timeout(timeout), self._changed:
                while True:
                    for heard in self.log[checked:]:
                        if wanted(heard):
                            return heard
                    checked = max(checked, len(self.log))
                    if self.closed is not None:
                        raise AssertionError(f"the server closed the connection: {self.closed}")
                    await self._changed.wait()
        except TimeoutError:
            raise AssertionError(
                f"not heard in {timeout} s; heard since: {self.summary(since)}"
            ) from None

    def summary(self, since: int = 0, limit: int = 40) -> list[str]:
        """The JSON messages heard since ``since``, shortened (audio frames counted)."""
        lines: list[str] = []
        frames = 0
        for heard in self.log[since:]:
            if heard.audio is not None:
                frames += 1
                continue
            lines.append(json.dumps(heard.message)[:160])
        return [*lines[-limit:], f"{frames} audio frames"]

    async def wait_message(
        self, kind: str, *, timeout: float, since: int = 0, **match: Any
    ) -> Heard:
        """The first message of type ``kind`` with the ``match`` field values."""

        def wanted(heard: Heard) -> bool:
            message = heard.message or {}
            return heard.type == kind and all(message.get(k) == v for k, v in match.items())

        return await self.wait_for(wanted, timeout=timeout, since=since)

    def position(self, heard: Heard) -> int:
        """Where ``heard`` is in the log (to wait for what came after it)."""
        return next(index for index, h in enumerate(self.log) if h is heard)

    def messages(self, kind: str, since: int = 0) -> list[dict[str, Any]]:
        return [h.message for h in self.log[since:] if h.type == kind and h.message is not None]

    def interviewer_busy(self) -> bool:
        """Whether the floor is not free yet: the candidate's turn has not ended, the
        interviewer is thinking or talking (until a ``flush`` cut it short), or its voice
        is still playing as the candidate hears it."""
        now = time.perf_counter()
        floor = [h for h in self.log if h.type in ("turn", "flush")]
        last = floor[-1] if floor else None
        if last is not None and last.type == "turn" and last.body["state"] != "listening":
            return True
        return any(
            (not s.done and s.flushed_at is None) or s.playback_end + PLAYBACK_MARGIN_S > now
            for s in self.speeches.values()
        )

    async def until_quiet(self, *, timeout: float, settle: float = 0.3) -> None:
        """Wait until the interviewer has finished talking and stayed quiet ``settle`` s."""
        async with asyncio.timeout(timeout):
            quiet_since: float | None = None
            while True:
                if self.interviewer_busy():
                    quiet_since = None
                elif quiet_since is None:
                    quiet_since = time.perf_counter()
                elif time.perf_counter() - quiet_since >= settle:
                    return
                await asyncio.sleep(0.02)

    def speeches_after(self, moment: float) -> list[Speech]:
        """The speeches announced after ``moment``, in order."""
        found = [s for s in self.speeches.values() if s.announced >= moment]
        return sorted(found, key=lambda s: s.announced)
