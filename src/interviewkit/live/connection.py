"""One client's connection: authenticate, welcome, then read, write and beat until it ends.

Three tasks run per connection, and the first to finish ends it:

- the *reader* parses each frame (size and rate limits first) and handles it in order, so
  a client's edits are ingested in the order it sent them; a run goes to a task of its own;
- the *writer* drains a bounded queue: a client that does not read fills it and is
  dropped (4408) instead of growing the server's memory;
- the *heartbeat* pings every ``live_heartbeat_s`` and closes a silent client (4409).

Every change goes through the services the HTTP API uses (the recording's ingest, the
execution service), so the workspace stays the replay of its log.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from dataclasses import dataclass
from functools import partial
from typing import Any, Literal
from urllib.parse import urlsplit

import anyio.to_thread
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from interviewkit.auth.deps import ensure_session_access
from interviewkit.auth.service import AuthService, Principal
from interviewkit.auth.web import SESSION_COOKIE, WebSessionService
from interviewkit.config import Settings
from interviewkit.db import new_id, run_write
from interviewkit.errors import ProblemError
from interviewkit.execution.runs import run_in_session
from interviewkit.execution.schemas import SessionExecuteRequest
from interviewkit.execution.service import ExecutionService
from interviewkit.live.hub import Hub, Room
from interviewkit.live.protocol import (
    BEARER_PREFIX,
    CLIENT_EVENT_TYPES,
    STAFF_EVENT_TYPES,
    SUBPROTOCOL,
    Ack,
    AckResult,
    CodeExecution,
    CodeExecutionProgress,
    ErrorMessage,
    EventBatch,
    FileOperation,
    FileState,
    Heartbeat,
    Hello,
    Ping,
    SessionInfo,
    VoiceCommandRequest,
    VoiceControl,
    Welcome,
    op_event,
    parse_client,
)
from interviewkit.live.status import session_info
from interviewkit.live.voice_port import AudioRefused, VoiceChannel, VoiceGateway
from interviewkit.problems.service import ProblemService
from interviewkit.ratelimit import RateLimiter
from interviewkit.recording.service import Outcome, RecordingService
from interviewkit.sessions.errors import SessionEnded, SessionNotFound
from interviewkit.sessions.models import InterviewSession
from interviewkit.sessions.service import SessionService

log = logging.getLogger("interviewkit.live")
_NOT_SENT_HERE = "not an event this client sends on the live channel"
_CLOSE_NOW = ""
"""Queued after the last message: the writer closes the socket when it gets here."""


class Closed(Exception):
    """End the connection with this close code."""

    def __init__(self, code: int, reason: str = "") -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason[:120]


@dataclass(frozen=True)
class LiveServices:
    """What a connection works with (the container's services)."""

    settings: Settings
    auth: AuthService
    sessions: SessionService
    recording: RecordingService
    executions: ExecutionService
    problems: ProblemService
    hub: Hub
    web: WebSessionService | None = None
    """Staff browsers' sign-ins (None: only bearer credentials open the channel)."""
    voice: VoiceGateway | None = None
    """The voice interviewer (None: ``voice start`` is answered unavailable)."""


class Connection:
    """One WebSocket client of one session."""

    def __init__(self, websocket: WebSocket, session_id: str, services: LiveServices) -> None:
        self.websocket = websocket
        self.session_id = session_id
        self.services = services
        self.settings = services.settings
        self.connection_id = new_id("con", 16)
        self.role: Literal["candidate", "staff"] = "candidate"
        self.source = "candidate"
        self.seq = 0
        self.principal: Principal | None = None
        self._token = ""
        self._cookie = ""
        self._queue: asyncio.Queue[str | bytes] = asyncio.Queue(self.settings.live_send_queue)
        self._code: int | None = None
        self._reason = ""
        self._stop = asyncio.Event()
        self._heard = time.monotonic()
        self._limit = RateLimiter(self.settings.live_rate_per_s, self.settings.live_rate_burst)
        self._runs: set[asyncio.Task[None]] = set()
        self.voice = VoiceChannel(self.settings, services.voice, session_id, self)

    # ---- the room's side (Member) ----------------------------------------------------------

    def deliver(self, seq: int, text: str | None) -> None:
        if seq <= self.seq:
            return
        if seq != self.seq + 1:
            log.warning("live: %s skips from %d to %d", self.connection_id, self.seq, seq)
        self.seq = seq
        if text is not None:
            self.send(text)

    async def backfill(self, seq: int, text: str | None) -> None:
        """Like :meth:`deliver` while catching up: waits for room in the queue (the writer
        runs already), so a long backfill is paced by the client rather than dropped."""
        if seq <= self.seq or self._code is not None:
            return
        self.seq = seq
        if text is None:
            return
        try:
            await asyncio.wait_for(self._queue.put(text), self.settings.live_idle_timeout_s)
        except TimeoutError:
            self._finish(4408, "too slow: the client did not read its backfill")
            raise Closed(4408) from None

    def room_left(self) -> int:
        return self._queue.maxsize - self._queue.qsize()

    def send(self, text: str | bytes) -> None:
        if self._code is not None:
            return
        try:
            self._queue.put_nowait(text)
        except asyncio.QueueFull:
            self._finish(4408, "too slow: the client did not read its messages")

    def send_text(self, text: str) -> None:
        """The voice conversation's JSON messages (:class:`VoiceSink`)."""
        self.send(text)

    def send_bytes(self, data: bytes) -> None:
        """The interviewer's audio-chunk frames (:class:`VoiceSink`)."""
        self.send(data)

    def end(self, code: int, last: str | None = None) -> None:
        """Close after what is queued (and ``last``); at once if the queue is full."""
        if self._code is not None:
            return
        if last is not None:
            self.send(last)
        if self._code is not None:
            return
        self._code, self._reason = code, ""
        try:
            self._queue.put_nowait(_CLOSE_NOW)
        except asyncio.QueueFull:
            self._stop.set()

    def _finish(self, code: int, reason: str = "") -> None:
        """Close now, dropping what is queued."""
        if self._code is None:
            self._code, self._reason = code, reason[:120]
        self._stop.set()

    # ---- the lifecycle ---------------------------------------------------------------------

    async def serve(self) -> None:
        offered = list(self.websocket.scope.get("subprotocols", []))
        await self.websocket.accept(subprotocol=SUBPROTOCOL if SUBPROTOCOL in offered else None)
        try:
            hello = await self._authenticate(offered)
            interview = await self._check_session()
        except Closed as closed:
            await self._close(closed.code, closed.reason)
            return
        hub = self.services.hub
        if len(hub.rooms.get(self.session_id, _NO_ROOM).members) >= (
            self.settings.live_max_connections_per_session
        ):
            await self._close(1013, "too many connections to this session")
            return
        room = await hub.enter(self.session_id)
        writer = asyncio.create_task(self._writer())  # the welcome and backfill go out now
        try:
            await self._welcome(room, hello, interview)
            await room.admit(self)
            await self._run(writer)
        except Closed as closed:
            self._finish(closed.code, closed.reason)
        finally:
            writer.cancel()
            await hub.leave(room, self)
            for task in self._runs:
                task.cancel()
            with contextlib.suppress(Exception):  # the conversation ends with its connection
                await self.voice.close()
        await self._close(self._code or 1000, self._reason)

    async def _run(self, writer: asyncio.Task[None]) -> None:
        tasks = [
            asyncio.create_task(self._reader()),
            writer,
            asyncio.create_task(self._heartbeat()),
            asyncio.create_task(self._stop.wait()),
        ]
        try:
            await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task

    async def _close(self, code: int, reason: str = "") -> None:
        if self.websocket.application_state == WebSocketState.DISCONNECTED:
            return
        if self.websocket.client_state == WebSocketState.DISCONNECTED:
            return
        with contextlib.suppress(Exception):
            await self.websocket.close(code, reason)

    # ---- authentication ---------------------------------------------------------------------

    async def _authenticate(self, offered: list[str]) -> Hello:
        try:
            first = await asyncio.wait_for(
                self.websocket.receive(), self.settings.live_auth_timeout_s
            )
        except TimeoutError:
            raise Closed(4401, "no hello in time") from None
        hello = self._parse(first)
        if not isinstance(hello, Hello):  # an invalid hello was answered with error, too
            raise Closed(4400, "the first message must be hello")
        bearer = [p[len(BEARER_PREFIX) :] for p in offered if p.startswith(BEARER_PREFIX)]
        token = hello.token or (bearer[0] if bearer else None)
        cookie = self.websocket.cookies.get(SESSION_COOKIE, "")
        if token:
            principal = await self._principal(token)
            self._token = token
        elif cookie and self.services.web is not None:
            if not same_origin(self.websocket, self.settings.public_url):
                raise Closed(4403, "a signed-in browser connects from this server's own pages")
            principal = await self._signed_in(cookie)
            self._cookie = cookie
        else:
            raise Closed(4401, "no credential: bearer.<token> subprotocol or hello.token")
        self.principal = principal
        self.role = "staff" if principal.is_staff else "candidate"
        self.source = principal.actor
        return hello

    async def _principal(self, token: str) -> Principal:
        """Who ``token`` is, if it may open this session's channel (else Closed)."""
        auth = self.services.auth
        try:
            principal = auth.without_io(token)
            if principal is None:
                principal = await anyio.to_thread.run_sync(auth.authenticate, token)
            return ensure_session_access(principal, self.session_id)
        except ProblemError as exc:
            if exc.code == "session_ended_token":
                raise Closed(4410, "the session has ended") from None
            raise Closed(4404 if exc.status == 404 else 4401, exc.detail) from None

    async def _signed_in(self, cookie: str) -> Principal:
        """The staff principal of a browser's sign-in cookie (else Closed 4401)."""
        web = self.services.web
        assert web is not None
        identity = web.cached(cookie) or await anyio.to_thread.run_sync(web.lookup, cookie)
        if identity is None:
            raise Closed(4401, "signed out: sign in again")
        return identity.principal

    async def _check_session(self) -> InterviewSession:
        try:
            interview = await anyio.to_thread.run_sync(
                self.services.sessions.get_session, self.session_id
            )
        except SessionNotFound:
            raise Closed(4404, "no such session") from None
        if not interview.is_active:
            raise Closed(4410, "the session has ended")
        return interview

    # ---- welcome ---------------------------------------------------------------------------

    async def _welcome(self, room: Room, hello: Hello, interview: InterviewSession) -> None:
        info = await anyio.to_thread.run_sync(self._session_info, interview)
        last = hello.last_seq
        if last is not None and room.seq - self.settings.live_resume_max_events <= last <= room.seq:
            self.seq = last
            welcome = Welcome(
                connection_id=self.connection_id,
                role=self.role,
                seq=room.seq,
                session=info,
                resumed=True,
            )
        else:
            seq, files = await anyio.to_thread.run_sync(self._snapshot)
            self.seq = seq
            welcome = Welcome(
                connection_id=self.connection_id,
                role=self.role,
                seq=seq,
                session=info,
                workspace=files,
            )
        self.send(welcome.model_dump_json(exclude_none=True))

    def _snapshot(self) -> tuple[int, dict[str, FileState]]:
        """The workspace and the log's seq, read under the session's lock: consistent."""
        sessions, recording = self.services.sessions, self.services.recording

        def read(db: Session) -> tuple[int, dict[str, FileState]]:
            workspace = sessions.lock(db, self.session_id, allow_ended=True, server=True)
            versions = {path: row.version for path, row in workspace.metadata().items()}
            contents = sessions.workspace_in(db, self.session_id)
            files = {
                path: FileState(content=text, version=versions.get(path, 1))
                for path, text in contents.items()
            }
            return recording.last_seq_in(db, self.session_id), files

        return run_write(sessions.factory, read)

    def _session_info(self, interview: InterviewSession) -> SessionInfo:
        return session_info(self.services.problems, interview)

    # ---- the three loops ---------------------------------------------------------------------

    async def _reader(self) -> None:
        while True:
            try:
                frame = await self.websocket.receive()
            except (WebSocketDisconnect, RuntimeError):
                return
            if frame["type"] == "websocket.disconnect":
                return
            self._heard = time.monotonic()
            try:
                if frame.get("bytes") is not None:  # audio: metered by duration, not count
                    self._audio(frame["bytes"])
                    continue
                if self._limit.wait_time("c") > 0:
                    raise Closed(4429, "too many messages")
                message = self._parse(frame)
                if message is not None:
                    await self._handle(message)
            except Closed as closed:
                self._finish(closed.code, closed.reason)
                return

    def _audio(self, data: bytes) -> None:
        try:
            self.voice.binary(data)
        except AudioRefused as exc:
            raise Closed(4429, str(exc)) from None

    async def _writer(self) -> None:
        while True:
            item = await self._queue.get()
            if item is _CLOSE_NOW or item == _CLOSE_NOW:
                self._stop.set()
                return
            try:
                if isinstance(item, bytes):
                    await self.websocket.send_bytes(item)
                else:
                    await self.websocket.send_text(item)
            except Exception:  # the client went away
                self._finish(1006)
                return

    async def _heartbeat(self) -> None:
        ping = Heartbeat(type="ping").model_dump_json(exclude_none=True)
        beat = self.settings.live_heartbeat_s
        idle = self.settings.live_idle_timeout_s
        while True:
            await asyncio.sleep(min(beat, idle / 2))
            if time.monotonic() - self._heard > idle:
                self._finish(4409, "heartbeat lost")
                return
            self.send(ping)
            try:  # a credential revoked or expired meanwhile (or a sign-out) ends it too
                if self._cookie:
                    await self._signed_in(self._cookie)
                else:
                    await self._principal(self._token)
            except Closed as closed:
                self._finish(closed.code, closed.reason)
                return

    # ---- messages --------------------------------------------------------------------------

    def _parse(self, frame: Any) -> Any:
        text = frame.get("text")
        if text is None:
            if frame.get("type") == "websocket.disconnect":
                raise Closed(1000)
            raise Closed(4400, "the first message must be hello (text), not a binary frame")
        limit = self.settings.live_max_message_bytes
        if len(text) > limit or (len(text) * 4 > limit and len(text.encode()) > limit):
            raise Closed(4413, f"a message is at most {limit} bytes")
        try:
            return parse_client(text)
        except ValidationError as exc:
            self._invalid(text, exc)
            return None

    def _invalid(self, text: str, exc: ValidationError) -> None:
        """Not JSON, no known type: a protocol error (4400). A known message with a bad
        field is answered with ``error`` and the connection stays."""
        try:
            raw = json.loads(text)
        except ValueError:
            raise Closed(4400, "not JSON") from None
        known = {"hello", "file-operation", "event", "code-execution", "ping", "pong"}
        known |= {"voice", "voice-command"}
        if not isinstance(raw, dict) or raw.get("type") not in known:
            raise Closed(4400, "unknown message type")
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        message_id = raw.get("id") if isinstance(raw.get("id"), str) else None
        error = ErrorMessage(
            code="invalid_message", detail=f"{where}: {first['msg']}"[:500], re=message_id
        )
        self.send(error.model_dump_json(exclude_none=True))

    async def _handle(self, message: Any) -> None:
        if isinstance(message, FileOperation):
            events = [op_event(message.id, i, op) for i, op in enumerate(message.ops)]
            await self._ingest(message.id, events, chained=True)
        elif isinstance(message, EventBatch):
            await self._ingest(message.id, self._client_events(message))
        elif isinstance(message, CodeExecution):
            task = asyncio.create_task(self._execute(message))
            self._runs.add(task)
            task.add_done_callback(self._runs.discard)
        elif isinstance(message, Ping):
            self.send(Heartbeat(type="pong", re=message.id).model_dump_json(exclude_none=True))
        elif isinstance(message, VoiceControl):
            assert self.principal is not None
            await self.voice.control(message, self.principal)
        elif isinstance(message, VoiceCommandRequest):
            self.voice.command(message)
        elif isinstance(message, Hello):
            self._error("already_welcomed", "hello is the first message only", None)

    def _client_events(self, message: EventBatch) -> list[Any]:
        allowed = STAFF_EVENT_TYPES if self.role == "staff" else CLIENT_EVENT_TYPES
        events: list[Any] = []
        for index, event in enumerate(message.events):
            if event.get("type") in allowed:
                events.append({**event, "id": f"{message.id}:{index}"})
            else:
                events.append(None)  # the recording rejects it, so the ack has its place
        return events

    async def _ingest(self, message_id: str, events: list[Any], *, chained: bool = False) -> None:
        ingest = partial(self.services.recording.ingest, chained=chained)
        try:
            outcomes: list[Outcome] = await anyio.to_thread.run_sync(
                ingest, self.session_id, events, self.source
            )
        except SessionEnded as exc:
            status = "expired" if exc.code == "session_expired" else "ended"
            self.end(4410, SessionInfo(status=status, seconds_left=0).model_dump_json())
            return
        except ProblemError as exc:
            self._error(exc.code, exc.detail, message_id)
            return
        results = [
            AckResult(
                status=o.status,
                seq=o.seq,
                version=o.version,
                reason=o.reason
                if events[o.index] is not None
                else "not an event a client sends here",
            )
            for o in outcomes
        ]
        self.send(Ack(re=message_id, results=results).model_dump_json(exclude_none=True))

    async def _execute(self, message: CodeExecution) -> None:
        principal = self.principal
        assert principal is not None
        progress = CodeExecutionProgress(re=message.id, phase="queued")
        self.send(progress.model_dump_json(exclude_none=True))
        try:
            body = SessionExecuteRequest(
                file=message.file or await self._default_file(),
                language=message.language,
                stdin=message.stdin,
                mode=message.mode,
            )
            self.send(
                CodeExecutionProgress(re=message.id, phase="running").model_dump_json(
                    exclude_none=True
                )
            )
            result = await run_in_session(
                self.services.executions, principal, self.session_id, body
            )
        except ProblemError as exc:
            self._error(exc.code, exc.detail, message.id)
            return
        except ValidationError as exc:
            self._error("invalid_message", str(exc.errors()[0]["msg"]), message.id)
            return
        shown = result if principal.is_staff else result.for_candidate()
        done = CodeExecutionProgress(re=message.id, phase="result", result=shown.model_dump())
        self.send(done.model_dump_json(exclude_none=True))

    async def _default_file(self) -> str:
        """The current part's file (a single-problem session's solution file)."""
        interview = await anyio.to_thread.run_sync(
            self.services.sessions.get_session, self.session_id
        )
        info = await anyio.to_thread.run_sync(self._session_info, interview)
        if info.current_part is None:
            raise ProblemError(422, "file_required", "name the file to run")
        return info.current_part.file

    def _error(self, code: str, detail: str, message_id: str | None) -> None:
        error = ErrorMessage(code=code, detail=detail[:500], re=message_id)
        self.send(error.model_dump_json(exclude_none=True))


def same_origin(websocket: WebSocket, public_url: str | None) -> bool:
    """Whether the page that opened ``websocket`` is one of this server's.

    Browsers send cookies with a WebSocket handshake from any site and the same-origin
    policy does not apply to WebSockets, so a cookie-authenticated channel checks the
    ``Origin`` header itself (against the Host the browser connected to, or the
    configured public URL); without that, any page a signed-in interviewer visits could
    open the channel as them (cross-site WebSocket hijacking).
    """
    origin = websocket.headers.get("origin", "").strip().lower().rstrip("/")
    if not origin or origin == "null":
        return False
    allowed: set[str] = set()
    host = websocket.headers.get("host", "").strip().lower()
    if host:
        allowed |= {f"http://{host}", f"https://{host}"}
    if public_url:
        parts = urlsplit(public_url.strip().lower())
        if parts.scheme and parts.netloc:
            allowed.add(f"{parts.scheme}://{parts.netloc}")
    return origin in allowed


class _NoRoom:
    members: dict[str, Any] = {}


_NO_ROOM: Any = _NoRoom()
