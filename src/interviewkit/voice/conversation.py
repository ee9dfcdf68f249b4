"""One candidate's spoken interview on one live connection: the stages, glued.

The conversation owns an ear, a transcriber and a mouth (:mod:`.pipeline`) and an
interviewer (what to say), and handles the frames they report one at a time on its own
task. What it does with them, in order of a turn:

1. START: the candidate has the floor (``turn candidate``); if the interviewer is audible
   that is a barge-in: ``flush`` and the reply in flight is cancelled.
2. While they speak: a partial transcript every ``voice_partial_interval_ms`` of audio.
3. PAUSE: once it lasts DRAFT_AFTER_MS the whole utterance so far is transcribed (the
   draft); the draft sets the hangover (:mod:`.turns`), and the interviewer's opener
   (guessed from the last partial, then from the draft) is synthesized meanwhile.
4. END: the final text is the draft when no speech came after it (a new final otherwise),
   the opener plays at once if the final text asks for the same one, and the reply streams
   sentence by sentence into speech, the next synthesized while the previous plays.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Literal, Protocol

from interviewkit.config import Settings
from interviewkit.live.protocol import (
    AudioChunk,
    TranscriptLine,
    TurnState,
    VoiceCommandRequest,
    VoiceControl,
    VoiceState,
    WordTiming,
)
from interviewkit.live.voice_port import VoiceSink
from interviewkit.speech.audio import to_pcm16
from interviewkit.speech.ports import SAMPLE_RATE, Pcm16, Samples, Transcript
from interviewkit.voice.frames import Frame, Heard, Spoke, Transcribed
from interviewkit.voice.metrics import TurnTimes, VoiceMetrics
from interviewkit.voice.pipeline import (
    Ear,
    EngineSet,
    Mouth,
    Said,
    Transcriber,
    lines_of,
)
from interviewkit.voice.recorder import VoiceRecorder
from interviewkit.voice.turns import TurnConfig, TurnDetector, TurnEvent

log = logging.getLogger("interviewkit.voice")
ECHO_GUARD_S = 0.15
"""Speech that starts within 150 ms of the interviewer's first frame is taken for our own
voice coming back through the candidate's speakers (the browser's echo cancellation
converges in about that long), not a barge-in; it is ignored."""
DRAFT_AFTER_MS = 64.0
"""A pause shorter than this is a gap between words (traced: half of them are under
80 ms), not worth a draft that more speech makes stale at once."""
POLL_S = 2.0
"""How often the interviewer is asked for a proactive line while nobody speaks."""
NOISE = frozenset({"", "you", "thank you.", "thanks for watching!", "bye.", "."})
"""What Whisper hears in breath and noise: not an utterance."""


class InterviewerLike(Protocol):
    """``voice.interviewer.Interviewer``, as the conversation uses it."""

    phase: str

    def opener(self, text: str) -> str | None: ...

    def start(self) -> AsyncIterator[str]: ...

    def reply(
        self, text: str, *, utterance: int, opener_spoken: bool = False
    ) -> AsyncIterator[str]: ...

    def command(self, name: str) -> AsyncIterator[str]: ...

    async def poll(self) -> list[str]: ...


@dataclass(frozen=True)
class Toolkit:
    """What every conversation of the process shares (built by the voice service)."""

    settings: Settings
    engines: EngineSet
    ears: Executor
    """The VAD's pool: small jobs that must never wait behind a transcription."""
    work: Executor
    """Speech to text and synthesis."""
    metrics: VoiceMetrics
    parse_command: Callable[[str], str | None]


@dataclass
class _Turn:
    """One candidate turn as it ended: its audio and the moments it is measured by."""

    utterance: int
    audio: Samples
    covered_ms: float
    audio_started: float
    started: float
    last_voiced: float
    ended: float
    stt_final: float | None = None


@dataclass
class _Opener:
    text: str
    audio: asyncio.Task[list[Pcm16]]


class Conversation:
    """A :class:`~interviewkit.live.voice_port.VoiceLink` (see the module docstring)."""

    def __init__(
        self,
        kit: Toolkit,
        sink: VoiceSink,
        interviewer: InterviewerLike,
        recorder: VoiceRecorder,
        on_close: Callable[[], None],
        next_utterance: Callable[[], int],
    ) -> None:
        self.kit = kit
        self.sink = sink
        self.interviewer = interviewer
        self.recorder = recorder
        self._on_close = on_close
        self._next_utterance = next_utterance
        self.mode: Literal["push-to-talk", "hands-free"] = "hands-free"
        self.muted = False
        self.inbox: asyncio.Queue[Frame] = asyncio.Queue()
        vad = kit.engines.vad
        frame_ms = vad.frame_samples * 1000 / 16_000
        self.detector = TurnDetector(TurnConfig.from_settings(kit.settings, frame_ms))
        self.ear = Ear(
            vad.stream(), vad.frame_samples, self.detector, kit.ears, self.inbox.put_nowait
        )
        self.transcriber = Transcriber(kit.engines.stt, kit.work, self.inbox.put_nowait)
        self.mouth = Mouth(kit.engines.tts, kit.work, sink, self.inbox.put_nowait)
        self.utterance = 0
        self._draft: Transcribed | None = None
        self._draft_wanted = False
        self._heard_so_far = ""
        self._partial_at = 0.0
        self._partial_cost_ms = 0.0
        self._opener: _Opener | None = None
        self._reply: asyncio.Task[None] | None = None
        self._first_frame = 0.0
        self._tasks: list[asyncio.Task[None]] = []
        self._background: set[asyncio.Task[Transcript | None]] = set()
        self._closed = False
        self._begun = False
        self._stop_re: str | None = None

    # ---- VoiceLink ------------------------------------------------------------------------

    def _begin(self, start: VoiceControl) -> None:
        """Say ``voice on``, then greet: the loop, the poller and the greeting start.

        A ``start`` that names a mode starts in it: push-to-talk hears nothing until the
        first ``talk``."""
        self._begun = True
        if start.mode is not None:
            self._set_mode(start.mode)
        loop = asyncio.get_running_loop()
        self._tasks = [loop.create_task(self._loop()), loop.create_task(self._poll())]
        self._state(start.id)
        self._speak(self.interviewer.start(), utterance=self._next_utterance())

    def _set_mode(self, mode: Literal["push-to-talk", "hands-free"]) -> None:
        self.mode = mode
        if mode == "push-to-talk":
            self.ear.finish()
        else:
            self.ear.listen()

    def audio(self, chunk: AudioChunk) -> None:
        if self.muted or self._closed:
            return
        self.ear.hear(chunk.pcm, time.monotonic())

    def control(self, message: VoiceControl) -> None:
        action = message.action
        if action == "start":
            if not self._begun:
                self._begin(message)
                return
        elif action == "mode" and message.mode is not None:
            self._set_mode(message.mode)
        elif action == "talk":
            self.ear.listen()
        elif action == "release" and self.mode == "push-to-talk":
            self.ear.finish()
        elif action in ("mute", "unmute"):
            self.muted = action == "mute"
            if self.muted and self.detector.speaking:  # what was being said is dropped
                self.detector.reset()
                self._turn("listening")
        elif action == "stop":  # the channel closes the conversation next: off, with re
            self._stop_re = message.id
            return
        self._state(message.id)

    def command(self, message: VoiceCommandRequest) -> None:
        if message.command == "stop-talking":
            self._interrupt()
            self._record_command("stop-talking", None, "stopped talking")
            self._turn("listening")
            return
        self._interrupt()
        self._speak(
            self.interviewer.command(message.command),
            utterance=self._next_utterance(),
            command=message.command,
        )

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._on_close()  # the place is free at once, whatever the rest takes
        reply = self._reply
        self._interrupt(flush=False)
        if reply is not None:
            self._tasks.append(reply)
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        if self._background:  # the last turn's final line, recorded before the recorder stops
            await asyncio.wait(self._background, timeout=10)
        await self.ear.close()
        off = VoiceState(status="off", re=self._stop_re, mode=self.mode, muted=self.muted)
        self.sink.send_text(off.model_dump_json(exclude_none=True))
        await self.recorder.close()

    # ---- the frames ----------------------------------------------------------------------

    async def _loop(self) -> None:
        while True:
            frame = await self.inbox.get()
            try:
                self._handle(frame)
            except Exception:  # one bad frame must not end the conversation
                log.exception("voice: a %s frame failed", type(frame).__name__)

    def _handle(self, frame: Frame) -> None:
        if isinstance(frame, Heard):
            self._heard(frame)
        elif isinstance(frame, Transcribed):
            self._transcribed(frame)
        elif isinstance(frame, Spoke) and frame.started and self._first_frame == 0.0:
            self._first_frame = frame.wall
            self._turn("interviewer")

    def _heard(self, frame: Heard) -> None:
        if frame.event is None:
            self._maybe_partial(frame.audio_ms)
            self._maybe_draft()
        elif frame.event is TurnEvent.START:
            self._started()
        elif frame.event is TurnEvent.PAUSE:
            self._draft_wanted = True
            self._maybe_draft()
            if self._heard_so_far:  # the opener, guessed from the last partial already
                self._prepare_opener(self._heard_so_far)
        elif frame.event is TurnEvent.RESUME:
            self._draft, self._draft_wanted, self._opener = None, False, None
        elif frame.event is TurnEvent.END:
            self._ended(frame)

    def _started(self) -> None:
        now = time.monotonic()
        if self.mouth.audible and now - self._first_frame < ECHO_GUARD_S:
            self.detector.reset()  # our own voice, heard back
            return
        replying = self._reply is not None and not self._reply.done()
        if self.mouth.audible or replying:  # barge-in (or speaking on while it thinks)
            self._interrupt()
            first_voiced = self.ear.wall_at(self.detector.started_ms)
            self.kit.metrics.barge_ins.observe(time.monotonic() - first_voiced)
        self.utterance = self._next_utterance()
        self._draft, self._draft_wanted, self._opener = None, False, None
        self._heard_so_far = ""
        self._partial_at = self.detector.started_ms
        self._turn("candidate")

    def _maybe_partial(self, audio_ms: float) -> None:
        """A caption every voice_partial_interval_ms, or twice as long apart as the last
        took: on a busy machine partials ran back to back and slowed the draft beside them."""
        interval = max(self.kit.settings.voice_partial_interval_ms, 2 * self._partial_cost_ms)
        if self.detector.paused or self.transcriber.busy or self.transcriber.partial_busy:
            return
        if audio_ms - self._partial_at < interval:
            return
        self._partial_at = audio_ms
        self.transcriber.start("partial", self.utterance, self.ear.utterance(audio_ms), audio_ms)

    def _maybe_draft(self) -> None:
        """Transcribe the utterance so far once a pause has lasted DRAFT_AFTER_MS."""
        if not self._draft_wanted or not self.detector.paused or self.transcriber.full:
            return
        if self.detector.now_ms - self.detector.last_voiced_ms < DRAFT_AFTER_MS:
            return
        self._draft_wanted = False
        covered = self.detector.last_voiced_ms
        self.transcriber.start("draft", self.utterance, self.ear.utterance(covered), covered)

    def _transcribed(self, done: Transcribed) -> None:
        if done.kind == "partial":
            self._partial_cost_ms = done.seconds * 1000
        current = done.utterance == self.utterance and self.detector.speaking
        if current and done.transcript.text.strip():
            self._line(done.transcript, final=False)
            self._heard_so_far = done.transcript.text
        covers = done.covered_ms >= self.detector.last_voiced_ms
        if done.kind == "draft" and current and self.detector.paused and covers:
            self._draft = done
            self._prepare_opener(done.transcript.text)
            self.ear.judge_now(self.detector.set_draft(done.transcript.text))
        self._maybe_draft()

    def _prepare_opener(self, text: str) -> None:
        opener = self.interviewer.opener(text)
        if opener is None or (self._opener is not None and self._opener.text == opener):
            return
        task = asyncio.get_running_loop().create_task(self.mouth.prepare(opener))
        self._opener = _Opener(opener, task)

    def _ended(self, frame: Heard) -> None:
        said = frame.utterance
        if self.utterance == 0 or said is None:
            return
        draft = self._draft if self._draft and self._draft.utterance == self.utterance else None
        turn = _Turn(
            utterance=self.utterance,
            audio=said.audio,
            covered_ms=said.last_voiced_ms,
            audio_started=said.audio_started,
            started=said.started,
            last_voiced=frame.wall,
            ended=time.monotonic(),
        )
        self._turn("thinking")
        self._interrupt(flush=False)
        loop = asyncio.get_running_loop()
        # hearing the turn out (its final text, the record) survives a barge-in; the reply not
        heard = loop.create_task(self._hear_out(turn, draft))
        self._background.add(heard)
        heard.add_done_callback(self._background.discard)
        self._reply = loop.create_task(self._answer(turn, heard))

    # ---- answering -------------------------------------------------------------------------

    async def _hear_out(self, turn: _Turn, draft: Transcribed | None) -> Transcript | None:
        """The turn's final text, shown and recorded; None when it was only noise."""
        transcript = await self._final(turn.utterance, draft, turn.audio, turn.covered_ms)
        turn.stt_final = time.monotonic()
        text = transcript.text.strip()
        if text.lower() in NOISE:
            return None
        self._line(transcript, final=True, utterance=turn.utterance)
        self.recorder.line(
            "candidate",
            turn.utterance,
            text,
            turn.started,
            turn.last_voiced,
            transcript,
            audio_started=turn.audio_started,
        )
        pcm = [to_pcm16(turn.audio)]
        self.recorder.audio("candidate", turn.utterance, pcm, SAMPLE_RATE, turn.audio_started)
        return transcript

    async def _answer(self, turn: _Turn, heard: asyncio.Task[Transcript | None]) -> None:
        try:
            transcript = await asyncio.shield(heard)
        except Exception:
            log.exception("voice: transcribing utterance %d failed", turn.utterance)
            transcript = None
        if transcript is None:
            self._turn("listening")
            return
        text = transcript.text.strip()
        command = self.kit.parse_command(text)
        if command == "stop-talking":
            self._record_command(command, text, "stopped talking")
            self._turn("listening")
            return
        opener = self.interviewer.opener(text)
        prepared = await self._opener_audio(opener)
        spoken = prepared is not None
        lines = self.interviewer.reply(text, utterance=turn.utterance, opener_spoken=spoken)
        said = Said([], [], first_line=time.monotonic() if spoken else None)
        try:
            await self._say(lines, said, turn.utterance, prepared=prepared)
        finally:  # a reply cut short by a barge-in has its timings too
            self._timed(turn, said)

    def _timed(self, turn: _Turn, said: Said) -> None:
        if said.first_audio is None:
            return
        first_token = said.first_line or said.first_audio
        times = TurnTimes(
            turn.utterance,
            (turn.ended - turn.last_voiced) * 1000,
            ((turn.stt_final or turn.ended) - turn.last_voiced) * 1000,
            (first_token - turn.last_voiced) * 1000,
            (said.first_audio - turn.last_voiced) * 1000,
            barge_in=said.interrupted,
        )
        self.kit.metrics.observe(times)
        self.recorder.event(times.event())

    async def _final(
        self, utterance: int, draft: Transcribed | None, audio: Samples, covered_ms: float
    ) -> Transcript:
        """The draft when it covers the whole utterance, else what is still needed."""
        if draft is not None and draft.covered_ms >= covered_ms:
            return draft.transcript
        job = self.transcriber.covering(utterance, covered_ms)
        if job is not None:  # the draft of this very pause is on its way
            with contextlib.suppress(Exception):
                return (await asyncio.shield(job)).transcript
        finished = await self.transcriber.start("final", utterance, audio, covered_ms)
        return finished.transcript

    async def _opener_audio(self, opener: str | None) -> tuple[str, list[Pcm16]] | None:
        if opener is None:
            return None
        ready = self._opener
        self._opener = None
        try:
            if ready is not None and ready.text == opener:
                return opener, await ready.audio
            return opener, await self.mouth.prepare(opener)
        except Exception:  # no opener then: the reply itself still comes
            log.exception("voice: synthesizing the opener failed")
            return None

    def _speak(
        self, lines: AsyncIterator[str], *, utterance: int, command: str | None = None
    ) -> None:
        """Say an interviewer turn that answers no utterance (greeting, button, poll)."""
        self._interrupt(flush=False)
        self._reply = asyncio.get_running_loop().create_task(
            self._say(lines, Said([], []), utterance, command=command)
        )

    async def _say(
        self,
        lines: AsyncIterator[str],
        said: Said,
        utterance: int,
        *,
        command: str | None = None,
        prepared: tuple[str, list[Pcm16]] | None = None,
    ) -> None:
        started = time.monotonic()
        self._first_frame = 0.0
        try:
            await self.mouth.say(lines, said, command=command, prepared=prepared)
        except asyncio.CancelledError:
            said.interrupted = True
            raise
        except Exception:  # e.g. the opener's synthesis: the conversation goes on
            log.exception("voice: speaking to utterance %d failed", utterance)
        finally:
            self._said(said, utterance, started)
        self._turn("listening")

    def _said(self, said: Said, utterance: int, started: float) -> None:
        """Record what the interviewer said (as far as it got), and caption it."""
        text = " ".join(said.lines).strip()
        if not text:
            return
        line = TranscriptLine(speaker="interviewer", utterance=utterance, text=text, final=True)
        self.sink.send_text(line.model_dump_json())
        began = said.first_audio or started
        self.recorder.line("interviewer", utterance, text, began, time.monotonic())
        rate = self.kit.engines.tts.sample_rate
        self.recorder.audio("interviewer", utterance, said.audio, rate, said.first_audio or started)

    def _interrupt(self, *, flush: bool = True) -> None:
        """Stop the reply in flight; with ``flush``, the client drops what it buffered."""
        reply, self._reply = self._reply, None
        if reply is not None and not reply.done():
            reply.cancel()
        if flush:
            self.mouth.flush()

    async def _poll(self) -> None:
        while True:
            await asyncio.sleep(POLL_S)
            if self._reply is not None and not self._reply.done():
                continue
            if self.detector.speaking or self.mouth.audible:
                continue
            try:
                lines = await self.interviewer.poll()
            except Exception:
                log.exception("voice: the interviewer's poll failed")
                continue
            if lines and not self.detector.speaking:
                self._speak(lines_of(*lines), utterance=self._next_utterance())

    # ---- messages --------------------------------------------------------------------------

    def _line(self, transcript: Transcript, *, final: bool, utterance: int | None = None) -> None:
        words = [WordTiming(w=w.text.strip(), start=w.start, end=w.end) for w in transcript.words]
        line = TranscriptLine(
            speaker="candidate",
            utterance=utterance or self.utterance,
            text=transcript.text.strip(),
            final=final,
            words=words,
        )
        self.sink.send_text(line.model_dump_json())

    def _turn(self, state: Literal["listening", "candidate", "thinking", "interviewer"]) -> None:
        if self._closed:
            return
        message = TurnState(state=state, phase=self.interviewer.phase)
        self.sink.send_text(message.model_dump_json())

    def _state(self, re: str | None) -> None:
        engines = self.kit.engines
        state = VoiceState(
            status="on",
            re=re,
            mode=self.mode,
            muted=self.muted,
            recording_audio=self.recorder.keep_audio,
            engines={"stt": engines.stt.name, "tts": engines.tts.name, "vad": engines.vad.name},
        )
        self.sink.send_text(state.model_dump_json(exclude_none=True))

    def _record_command(self, command: str, said: str | None, outcome: str) -> None:
        event = {"type": "voice_command", "command": command, "outcome": outcome}
        if said is not None:
            event["said"] = said[:2000]
        self.recorder.event(event)
