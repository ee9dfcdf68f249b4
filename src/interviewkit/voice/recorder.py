"""What a conversation leaves in the session's recording.

Final transcript lines of both speakers (with each word's session time and the utterance
number), the timing of every exchange (``voice_turn``), and, when ``voice_record_audio``
is on, each turn's audio as Opus/OGG in the object store with a ``voice_audio`` event
pointing at it. Writes run in a worker thread, one conversation's in order, off the reply's
path: a slow database delays the record, never the interviewer's voice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import anyio.to_thread
import numpy as np

from interviewkit.recording.service import RecordingService
from interviewkit.sessions.errors import SessionNotFound
from interviewkit.sessions.service import SessionService
from interviewkit.speech.audio import encode_ogg_opus
from interviewkit.speech.ports import Pcm16, Transcript
from interviewkit.storage import ObjectNotFoundError, ObjectStore, ObjectStoreError
from interviewkit.storage.port import session_key

log = logging.getLogger("interviewkit.voice")
Speaker = Literal["candidate", "interviewer"]


def audio_key(session_id: str, created: datetime, utterance: int, speaker: Speaker) -> str:
    """Where one turn's audio is kept: under the session's recordings."""
    return session_key(session_id, created, "recordings", f"voice/{utterance}-{speaker}.ogg")


@dataclass(frozen=True)
class SessionClock:
    """Session time (ms since the session started, like ``t_ms``) of a monotonic moment."""

    created: datetime
    offset_ms: float
    """Session ms at monotonic 0."""

    @classmethod
    def of(cls, created: datetime) -> SessionClock:
        now_session = (time.time() - created.timestamp()) * 1000
        return cls(created, now_session - time.monotonic() * 1000)

    def ms(self, moment: float) -> int:
        return max(0, int(self.offset_ms + moment * 1000))


def words_in_session(transcript: Transcript, start_ms: int) -> list[dict[str, Any]]:
    """The transcript's words with session times (``start_ms``: the audio's start)."""
    return [
        {
            "w": word.text.strip()[:200],
            "start_ms": start_ms + int(word.start * 1000),
            "end_ms": start_ms + int(word.end * 1000),
        }
        for word in transcript.words
        if word.text.strip()
    ]


class VoiceRecorder:
    """One conversation's writer to the recording (see the module docstring)."""

    def __init__(
        self,
        recording: RecordingService,
        store: ObjectStore,
        session_id: str,
        clock: SessionClock,
        keep_audio: bool,
    ) -> None:
        self.recording = recording
        self.store = store
        self.session_id = session_id
        self.clock = clock
        self.keep_audio = keep_audio
        self._queue: asyncio.Queue[Callable[[], None] | None] = asyncio.Queue()
        self._task = asyncio.get_running_loop().create_task(self._drain())

    @classmethod
    async def open(
        cls,
        recording: RecordingService,
        sessions: SessionService,
        store: ObjectStore,
        session_id: str,
        keep_audio: bool,
    ) -> VoiceRecorder:
        interview = await anyio.to_thread.run_sync(sessions.get_session, session_id)
        return cls(recording, store, session_id, SessionClock.of(interview.created_at), keep_audio)

    def line(
        self,
        speaker: Speaker,
        utterance: int,
        text: str,
        started: float,
        ended: float,
        transcript: Transcript | None = None,
        *,
        audio_started: float | None = None,
    ) -> None:
        """A final transcript line; ``started``/``ended`` are monotonic moments, and
        ``audio_started`` where the transcribed audio began (its words count from it)."""
        start_ms, end_ms = self.clock.ms(started), self.clock.ms(ended)
        event: dict[str, Any] = {
            "type": "transcript",
            "speaker": speaker,
            "text": text[:100_000],
            "start_ms": start_ms,
            "end_ms": max(start_ms, end_ms),
            "utterance": utterance,
        }
        if transcript is not None and transcript.words:
            origin = self.clock.ms(audio_started if audio_started is not None else started)
            words = event["words"] = words_in_session(transcript, origin)
            if words:  # speech is detected a few frames after it begins: the words know
                event["start_ms"] = min(start_ms, words[0]["start_ms"])
                event["end_ms"] = max(event["end_ms"], words[-1]["end_ms"])
        self._event(event)

    def event(self, event: dict[str, Any]) -> None:
        """Any other server event of the conversation (``voice_turn``, ``voice_command``)."""
        self._event(event)

    def audio(
        self, speaker: Speaker, utterance: int, pcm: list[Pcm16], rate: int, started: float
    ) -> None:
        """A turn's audio, kept only when ``voice_record_audio`` is on."""
        if not self.keep_audio or not pcm:
            return
        self._queue.put_nowait(lambda: self._store_audio(speaker, utterance, pcm, rate, started))

    async def close(self) -> None:
        """Write what is queued, then stop."""
        self._queue.put_nowait(None)
        with contextlib.suppress(Exception):
            await asyncio.wait_for(asyncio.shield(self._task), 30)
        self._task.cancel()

    def _event(self, event: dict[str, Any]) -> None:
        self._queue.put_nowait(lambda: self.recording.record_now(self.session_id, event))

    def _store_audio(
        self, speaker: Speaker, utterance: int, pcm: list[Pcm16], rate: int, started: float
    ) -> None:
        joined = np.concatenate(pcm)
        key = audio_key(self.session_id, self.clock.created, utterance, speaker)
        self.store.put(key, encode_ogg_opus(joined, rate), "audio/ogg")
        self.recording.record_now(
            self.session_id,
            {
                "type": "voice_audio",
                "speaker": speaker,
                "utterance": utterance,
                "key": key,
                "content_type": "audio/ogg",
                "start_ms": self.clock.ms(started),
                "duration_ms": int(len(joined) * 1000 / rate),
            },
        )

    async def _drain(self) -> None:
        while (work := await self._queue.get()) is not None:
            try:
                await anyio.to_thread.run_sync(work)
            except (ObjectStoreError, SessionNotFound, OSError, ValueError) as exc:
                log.warning("voice: recording %s failed: %s", self.session_id, exc)


def read_audio(
    sessions: SessionService, store: ObjectStore, session_id: str, utterance: int, speaker: Speaker
) -> bytes | None:
    """One turn's OGG, or None when it was not kept (the session must exist: 404 else)."""
    interview = sessions.get_session(session_id)
    try:
        return store.get(audio_key(session_id, interview.created_at, utterance, speaker))
    except ObjectNotFoundError:
        return None
