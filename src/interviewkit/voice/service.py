"""The voice service: one per process, it opens a conversation per live connection.

It is the live channel's :class:`~interviewkit.live.voice_port.VoiceGateway`. It holds
what conversations share: the engines (loaded on the first ``voice start``, not at
start-up: a server that never hears a voice never pays the ~1 s and ~200 MB of loading
them, nor does every test app), two thread pools (the VAD's, small and never behind a
transcription; and speech to text and synthesis), the metrics, and the count of open
conversations against ``voice_max_sessions``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import anyio.to_thread

from interviewkit.auth.service import Principal
from interviewkit.config import Settings
from interviewkit.live.protocol import TurnState
from interviewkit.live.voice_port import VoiceLink, VoiceRefusal, VoiceSink
from interviewkit.observability import Metrics
from interviewkit.recording.service import RecordingService
from interviewkit.sessions.service import SessionService
from interviewkit.speech.ports import EngineUnavailable
from interviewkit.storage import ObjectStore
from interviewkit.voice.conversation import Conversation, InterviewerLike, Toolkit
from interviewkit.voice.metrics import VoiceMetrics
from interviewkit.voice.pipeline import EngineSet
from interviewkit.voice.recorder import VoiceRecorder

log = logging.getLogger("interviewkit.voice")
VAD_THREADS = 2


class VoiceService:
    def __init__(
        self,
        settings: Settings,
        engines: Callable[[], EngineSet],
        interviewer: Callable[[str, Principal], InterviewerLike],
        parse_command: Callable[[str], str | None],
        *,
        recording: RecordingService,
        sessions: SessionService,
        store: ObjectStore,
        metrics: Metrics,
    ) -> None:
        self.settings = settings
        self._load = engines
        self._interviewer = interviewer
        self._parse_command = parse_command
        self.recording = recording
        self.sessions = sessions
        self.store = store
        self.metrics = VoiceMetrics.register(metrics)
        self.open_conversations = 0
        self._kit: Toolkit | None = None
        self._loading = asyncio.Lock()
        self._utterances: dict[str, int] = {}

    async def open(
        self, session_id: str, principal: Principal, sink: VoiceSink
    ) -> VoiceLink | VoiceRefusal:
        """A conversation for this candidate's connection, or why not."""
        if not self.settings.voice_enabled:
            return VoiceRefusal("the voice interviewer is turned off on this server")
        if self.open_conversations >= self.settings.voice_max_sessions:
            return VoiceRefusal(
                f"this server holds {self.settings.voice_max_sessions} voice conversations "
                "at once and all are in use: try again in a few minutes"
            )
        self.open_conversations += 1  # held while loading, so a burst cannot overshoot
        try:
            return await self._open(session_id, principal, sink)
        except EngineUnavailable as exc:
            self.open_conversations -= 1
            return VoiceRefusal(f"the speech engines cannot run here: {exc}")
        except BaseException:
            self.open_conversations -= 1
            raise

    async def _open(self, session_id: str, principal: Principal, sink: VoiceSink) -> Conversation:
        kit = await self._toolkit(sink)
        recorder = await VoiceRecorder.open(
            self.recording, self.sessions, self.store, session_id, self.settings.voice_record_audio
        )
        interviewer = self._interviewer(session_id, principal)
        conversation = Conversation(
            kit,
            sink,
            interviewer,
            recorder,
            on_close=self._closed,
            next_utterance=lambda: self._next_utterance(session_id),
        )
        self.metrics.conversations.inc()
        return conversation

    async def _toolkit(self, sink: VoiceSink) -> Toolkit:
        """The shared engines and pools, loaded once (the first start says it waits)."""
        async with self._loading:
            if self._kit is None:
                waiting = TurnState(state="thinking", phase="greet")
                sink.send_text(waiting.model_dump_json())
                engines = await anyio.to_thread.run_sync(self._load)
                self._kit = Toolkit(
                    self.settings,
                    engines,
                    ThreadPoolExecutor(VAD_THREADS, "voice-vad"),
                    ThreadPoolExecutor(self.settings.stt_workers + 2, "voice-speech"),
                    self.metrics,
                    self._parse_command,
                )
            return self._kit

    def _next_utterance(self, session_id: str) -> int:
        """Utterance numbers are per session (a reconnect continues them), from 1."""
        number = self._utterances.get(session_id, 0) + 1
        self._utterances[session_id] = number
        return number

    def _closed(self) -> None:
        self.open_conversations -= 1
        self.metrics.conversations.dec()

    def close(self) -> None:
        """At shutdown: stop the pools (conversations have ended with their connections);
        a later start (the app served again, as tests do) builds them anew."""
        kit, self._kit = self._kit, None
        self._loading = asyncio.Lock()
        if kit is not None:
            kit.ears.shutdown(wait=False, cancel_futures=True)
            kit.work.shutdown(wait=False, cancel_futures=True)
