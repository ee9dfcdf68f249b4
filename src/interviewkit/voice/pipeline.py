"""The stages of a conversation: the ear, the transcriber and the mouth.

Each stage works on its own and reports to the conversation through ``emit`` (a frame
into its inbox, :mod:`interviewkit.voice.frames`). The compute (VAD, speech to text,
synthesis) runs on the voice service's thread pools, never on the event loop: the ear's
VAD on a small pool of its own, so a long transcription never delays hearing that the
candidate started speaking (barge-in) or stopped (end of turn).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from collections import deque
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Literal, Protocol

import numpy as np

from interviewkit.live.protocol import (
    AUDIO_FROM_SERVER,
    AUDIO_LAST,
    Flush,
    InterviewerSpeech,
    pack_audio,
)
from interviewkit.live.voice_port import VoiceSink
from interviewkit.speech.ports import (
    SAMPLE_RATE,
    Pcm16,
    Samples,
    SpeechToText,
    TextToSpeech,
    Transcript,
    VadStream,
    VoiceActivityDetector,
)
from interviewkit.voice.frames import Frame, Heard, Spoke, Transcribed, Utterance
from interviewkit.voice.turns import START_FRAMES, TurnDetector, TurnEvent

log = logging.getLogger("interviewkit.voice")

PREROLL_MS = 250.0
"""Audio kept before the detected start: Whisper misses a first word cut at its onset."""
TAIL_MS = 150.0
"""Audio kept after the last voiced frame for speech to text (the word's decay)."""
OUT_FRAME_MS = 100
"""The interviewer's audio goes out in 100 ms frames: 10 messages a second per listener
instead of 50, and one AudioBufferSourceNode per frame in the browser. It costs no
latency (synthesis hands over a whole clause at once) and no barge-in precision (``flush``
drops whatever the client has buffered)."""
LEAD_S = 0.4
"""How far ahead of the client's playback the mouth sends (absorbs network jitter) and
no further: the server then knows when the interviewer is still audible, and a long
answer does not fill the connection's send queue."""


class EngineSet(Protocol):
    """The engines a conversation uses (``speech.engines.Engines`` is one)."""

    @property
    def stt(self) -> SpeechToText: ...

    @property
    def tts(self) -> TextToSpeech: ...

    @property
    def vad(self) -> VoiceActivityDetector: ...


Emit = Callable[[Frame], None]


@dataclass
class _Heard:
    samples: Samples
    end_ms: float
    wall: float


class Ear:
    """The microphone, framed for the VAD, judged by the :class:`TurnDetector`.

    Keeps the current utterance's audio (from ``PREROLL_MS`` before its start) for speech
    to text, and the wall-clock arrival of each frame so the end of turn can be measured
    from when the candidate's last voiced audio reached the server.
    """

    def __init__(
        self, vad: VadStream, frame_samples: int, detector: TurnDetector, pool: Executor, emit: Emit
    ) -> None:
        self.vad = vad
        self.frame_samples = frame_samples
        self.frame_ms = frame_samples * 1000 / SAMPLE_RATE
        self.detector = detector
        self.pool = pool
        self.emit = emit
        self.listening = True
        self.audio_ms = 0.0
        self._pending = np.zeros(0, dtype=np.float32)
        self._pending_wall = 0.0
        self._frames: deque[_Heard] = deque()
        self._queue: deque[_Heard] = deque()
        self._task: asyncio.Task[None] | None = None
        self.last_voiced_wall = 0.0
        self._finishing = False

    def hear(self, pcm: bytes, wall: float) -> None:
        """One chunk of microphone PCM16 (any length): framed, then judged off the loop."""
        if not self.listening or not pcm:
            return
        samples = np.frombuffer(pcm, dtype="<i2").astype(np.float32) / 32768.0
        joined = np.concatenate((self._pending, samples))
        whole = len(joined) // self.frame_samples * self.frame_samples
        for start in range(0, whole, self.frame_samples):
            self.audio_ms += self.frame_ms
            frame = joined[start : start + self.frame_samples]
            self._queue.append(_Heard(frame, self.audio_ms, wall))
        self._pending = joined[whole:]
        if self._queue and (self._task is None or self._task.done()):
            self._task = asyncio.get_running_loop().create_task(self._judge())

    def stop_listening(self) -> None:
        """Muted: nothing more is heard until :meth:`listen`."""
        self.listening = False
        self._queue.clear()
        self._pending = np.zeros(0, dtype=np.float32)

    def finish(self) -> None:
        """Push-to-talk released: hear no more, judge what arrived, then end the turn."""
        self.listening = False
        self._pending = np.zeros(0, dtype=np.float32)
        if self._task is None or self._task.done():
            self.judge_now(self.detector.release())
        else:
            self._finishing = True

    def listen(self) -> None:
        self.listening = True

    def utterance(self, until_ms: float | None = None) -> Samples:
        """The current utterance's audio, from its pre-roll to ``until_ms`` plus a tail."""
        start = self.detector.started_ms - PREROLL_MS
        end = (until_ms if until_ms is not None else self.audio_ms) + TAIL_MS
        kept = [f.samples for f in self._frames if start < f.end_ms <= end]
        return np.concatenate(kept) if kept else np.zeros(0, dtype=np.float32)

    def wall_at(self, audio_ms: float) -> float:
        """When the frame ending at ``audio_ms`` (or the first after it) arrived."""
        for frame in self._frames:
            if frame.end_ms >= audio_ms:
                return frame.wall
        return time.monotonic()

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _judge(self) -> None:
        loop = asyncio.get_running_loop()
        while self._queue:
            batch = list(self._queue)
            self._queue.clear()
            probabilities = await loop.run_in_executor(self.pool, self._probabilities, batch)
            for frame, probability in zip(batch, probabilities, strict=True):
                self._keep(frame)
                self._push(frame, probability)
            if self.detector.speaking:
                self.emit(Heard(None, self.audio_ms, self.last_voiced_wall))
        if self._finishing:
            self._finishing = False
            self.judge_now(self.detector.release())

    def _probabilities(self, batch: list[_Heard]) -> list[float]:
        return [self.vad.probability(frame.samples) for frame in batch]

    def _keep(self, frame: _Heard) -> None:
        self._frames.append(frame)
        # not speaking: keep enough that a start found START_FRAMES later has its pre-roll
        back = PREROLL_MS + (START_FRAMES + 1) * self.frame_ms
        horizon = (
            self.detector.started_ms - PREROLL_MS if self.detector.speaking else frame.end_ms - back
        )
        while self._frames and self._frames[0].end_ms <= horizon:
            self._frames.popleft()

    def _push(self, frame: _Heard, probability: float) -> None:
        before = self.detector.last_voiced_ms
        event = self.detector.push(probability, frame.end_ms)
        if self.detector.last_voiced_ms != before or event is TurnEvent.START:
            self.last_voiced_wall = frame.wall
        if event is not None:
            self._report(event, frame.end_ms)

    def judge_now(self, event: TurnEvent | None) -> None:
        """Report an event the conversation caused (a draft that ends the turn, a release)."""
        if event is not None:
            self._report(event, self.detector.now_ms)

    def _report(self, event: TurnEvent, audio_ms: float) -> None:
        """Emit ``event``; an END carries its utterance, taken now, before more is heard."""
        said = None
        if event is TurnEvent.END:
            detector = self.detector
            said = Utterance(
                self.utterance(detector.last_voiced_ms),
                detector.started_ms,
                detector.last_voiced_ms,
                self.wall_at(detector.started_ms - PREROLL_MS),
                self.wall_at(detector.started_ms),
            )
        self.emit(Heard(event, audio_ms, self.last_voiced_wall, said))


class Transcriber:
    """Speech to text: at most one partial and two drafts-or-finals in flight.

    Measured (tests/voice, traced): each transcription costs about as much whatever the
    utterance's length (Whisper's encoder reads a padded 30 s window), 0.5 s alone and
    1-1.5 s on a busy two-core machine. So:

    - a draft never waits behind a partial (the final text came 1.2-1.4 s after the
      last voiced frame when it did, about 0.6 s when it did not);
    - a draft made stale by more speech (a pause between words) does not block the next
      one: a second runs beside it (before, the turn's real draft queued behind a stale
      one and the final text came up to 1.5 s later);
    - no partial starts while a draft or final runs: partials are captions only.
    """

    MAX_MAIN = 2

    def __init__(self, stt: SpeechToText, pool: Executor, emit: Emit) -> None:
        self.stt = stt
        self.pool = pool
        self.emit = emit
        self.jobs: list[tuple[int, float, asyncio.Future[Transcribed]]] = []
        """Drafts and finals in flight: (utterance, covered_ms, job)."""
        self.partial: asyncio.Future[Transcribed] | None = None
        self.prompt: str | None = None

    @property
    def busy(self) -> bool:
        """A draft or a final is running."""
        return bool(self._running())

    @property
    def full(self) -> bool:
        """As many drafts and finals run as one conversation may have."""
        return len(self._running()) >= self.MAX_MAIN

    @property
    def partial_busy(self) -> bool:
        return self.partial is not None and not self.partial.done()

    def covering(self, utterance: int, covered_ms: float) -> asyncio.Future[Transcribed] | None:
        """A running draft or final of ``utterance`` that covers up to ``covered_ms``."""
        for number, covered, job in self._running():
            if number == utterance and covered >= covered_ms:
                return job
        return None

    def start(
        self,
        kind: Literal["partial", "draft", "final"],
        utterance: int,
        audio: Samples,
        covered_ms: float,
    ) -> asyncio.Future[Transcribed]:
        """Transcribe ``audio`` off the loop; a partial or draft is also emitted as a frame."""
        loop = asyncio.get_running_loop()
        job = loop.create_task(self._run(kind, utterance, audio, covered_ms))
        if kind == "partial":
            self.partial = job
        else:
            self.jobs = [*self._running(), (utterance, covered_ms, job)]
        return job

    def _running(self) -> list[tuple[int, float, asyncio.Future[Transcribed]]]:
        return [entry for entry in self.jobs if not entry[2].done()]

    async def _run(
        self, kind: Literal["partial", "draft", "final"], utterance: int, audio: Samples, at: float
    ) -> Transcribed:
        loop = asyncio.get_running_loop()
        started = time.monotonic()
        transcript: Transcript = await loop.run_in_executor(self.pool, self._transcribe, audio)
        done = Transcribed(kind, utterance, at, transcript, time.monotonic() - started)
        if kind != "final":
            self.emit(done)
        return done

    def _transcribe(self, audio: Samples) -> Transcript:
        if len(audio) < SAMPLE_RATE // 10:
            return Transcript(text="", duration_s=len(audio) / SAMPLE_RATE)
        return self.stt.transcribe(audio, prompt=self.prompt)


@dataclass
class Said:
    """What one interviewer turn actually said: the lines begun, and their audio."""

    lines: list[str]
    audio: list[Pcm16]
    first_line: float | None = None
    first_audio: float | None = None
    interrupted: bool = False


_END = object()


class Mouth:
    """Speaks lines: synthesis streamed clause by clause, the next line synthesized while
    the previous one plays, frames paced at most :data:`LEAD_S` ahead of playback."""

    def __init__(self, tts: TextToSpeech, pool: Executor, sink: VoiceSink, emit: Emit) -> None:
        self.tts = tts
        self.pool = pool
        self.sink = sink
        self.emit = emit
        self.speech = 0
        self.playing_until = 0.0
        """When the client will have played everything sent (monotonic seconds)."""
        self._audible: dict[int, float] = {}
        self._frame = tts.sample_rate * OUT_FRAME_MS // 1000

    @property
    def audible(self) -> bool:
        return time.monotonic() < self.playing_until

    def flush(self) -> list[int]:
        """Tell the client to drop every speech it may still be playing or has been told
        of without its last frame yet; which ones."""
        now = time.monotonic()
        flushed = [speech for speech, until in self._audible.items() if until > now]
        for speech in flushed:
            self.sink.send_text(Flush(speech=speech).model_dump_json())
        self._audible.clear()
        self.playing_until = now
        return flushed

    async def prepare(self, text: str) -> list[Pcm16]:
        """The whole audio of ``text`` (a short opener synthesized during the hangover)."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.pool, lambda: list(self.tts.synthesize(text)))

    async def say(
        self,
        lines: AsyncIterator[str],
        said: Said,
        *,
        command: str | None = None,
        prepared: tuple[str, list[Pcm16]] | None = None,
    ) -> None:
        """Speak ``lines`` (and first ``prepared``, an opener's text and audio) into
        ``said``; cancelling the task stops it within one clause."""
        queue: asyncio.Queue[object] = asyncio.Queue(2)
        producer = asyncio.get_running_loop().create_task(self._synthesize(lines, queue, said))
        try:
            if prepared is not None:
                await self._play(prepared[0], _ready(prepared[1]), said, command)
            while (item := await queue.get()) is not _END:
                assert isinstance(item, tuple)
                text, chunks = item
                await self._play(text, chunks, said, command)
            await producer
        finally:
            producer.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await producer

    async def _synthesize(
        self, lines: AsyncIterator[str], queue: asyncio.Queue[object], said: Said
    ) -> None:
        """Each line's clauses, synthesized ahead of playback (one line in advance)."""
        loop = asyncio.get_running_loop()
        chunks: asyncio.Queue[Pcm16 | None] = asyncio.Queue()
        try:
            async for line in lines:
                if not line.strip():
                    continue
                if said.first_line is None:
                    said.first_line = time.monotonic()
                chunks = asyncio.Queue()
                await queue.put((line, _drain(chunks)))
                clauses = iter(self.tts.synthesize(line))
                while (chunk := await loop.run_in_executor(self.pool, _next, clauses)) is not None:
                    chunks.put_nowait(chunk)
                chunks.put_nowait(None)
        except Exception:  # the interviewer or the engine failed mid-reply: stop there
            log.exception("voice: a reply failed while it was being spoken")
            chunks.put_nowait(None)
        await queue.put(_END)

    async def _play(
        self, text: str, chunks: AsyncIterator[Pcm16], said: Said, command: str | None
    ) -> None:
        self.speech = self.speech % 0xFFFF + 1
        speech, seq = self.speech, 0
        start = InterviewerSpeech(
            speech=speech, text=text, sample_rate=self.tts.sample_rate, command=command
        )
        self.sink.send_text(start.model_dump_json(exclude_none=True))
        self._audible[speech] = math.inf  # announced: a flush covers it until its last frame
        said.lines.append(text)
        async for chunk in chunks:
            said.audio.append(chunk)
            for offset in range(0, len(chunk), self._frame):
                await self._pace()
                frame = chunk[offset : offset + self._frame]
                self.sink.send_bytes(
                    pack_audio(AUDIO_FROM_SERVER, seq, frame.astype("<i2").tobytes(), speech=speech)
                )
                seq += 1
                self._played(len(frame))
                if said.first_audio is None:
                    said.first_audio = time.monotonic()
                    self.emit(Spoke(speech, text, True, said.first_audio))
        self.sink.send_bytes(
            pack_audio(AUDIO_FROM_SERVER, seq, b"", speech=speech, flags=AUDIO_LAST)
        )
        self._audible[speech] = self.playing_until
        self.emit(Spoke(speech, text, False, time.monotonic()))

    async def _pace(self) -> None:
        ahead = self.playing_until - time.monotonic()
        if ahead > LEAD_S:
            await asyncio.sleep(ahead - LEAD_S)

    def _played(self, samples: int) -> None:
        now = time.monotonic()
        self.playing_until = max(self.playing_until, now) + samples / self.tts.sample_rate


def _next(clauses: Iterator[Pcm16]) -> Pcm16 | None:
    return next(clauses, None)


async def _drain(chunks: asyncio.Queue[Pcm16 | None]) -> AsyncIterator[Pcm16]:
    while (chunk := await chunks.get()) is not None:
        yield chunk


async def _ready(chunks: list[Pcm16]) -> AsyncIterator[Pcm16]:
    for chunk in chunks:
        yield chunk


async def lines_of(*texts: str) -> AsyncIterator[str]:
    """Fixed lines as the async stream :meth:`Mouth.say` takes."""
    for text in texts:
        yield text
