"""The live channel's messages (protocol version 1, docs/live-protocol.md), typed.

Client messages forbid unknown fields and are told apart by ``type`` (and an op of a
``file-operation`` by ``op``), so one :data:`CLIENT_ADAPTER` parses any client frame and
anything it does not accept is a :class:`pydantic.ValidationError`, never another error.
Server messages are models too; the hot ones (stored events fanned out to every client)
are encoded once per event by :func:`stored_message`, not once per connection.
"""

from __future__ import annotations

import json
import struct
from typing import Annotated, Any, Literal, NamedTuple

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

PROTOCOL = 1
SUBPROTOCOL = "interviewkit.v1"
BEARER_PREFIX = "bearer."

MessageId = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:-]+$")]
FilePath = Annotated[str, Field(min_length=1, max_length=1024)]
Version = Annotated[int, Field(ge=1, le=2**31 - 1)]
MAX_OPS = 1000
"""Ops (or events) of one message: the recording's batch limit applies on top."""

FILE_EVENT_TYPES = frozenset(
    {
        "edit",
        "file_created",
        "file_moved",
        "file_deleted",
        "file_written",
        "snapshot",
        "session_started",
    }
)
"""Stored events pushed as ``file-operation``; every other stored event is an ``event``."""
CLIENT_EVENT_TYPES = frozenset({"cursor", "selection", "focus", "blur", "paste"})
STAFF_EVENT_TYPES = CLIENT_EVENT_TYPES | {"note"}
STAFF_ONLY_EVENT_TYPES = frozenset({"note"})
"""Stored events only staff connections receive (an interviewer's notes on the candidate)."""


def staff_only(stored: dict[str, Any]) -> bool:
    return stored.get("type") in STAFF_ONLY_EVENT_TYPES


class ClientMessage(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# ---- client -> server --------------------------------------------------------------------


class Hello(ClientMessage):
    type: Literal["hello"]
    token: str | None = Field(None, min_length=1, max_length=8192)
    last_seq: int | None = Field(None, ge=0, le=2**53)
    client_id: str | None = Field(None, min_length=1, max_length=64)


class EditOp(ClientMessage):
    op: Literal["edit"]
    file: FilePath
    offset: int = Field(ge=0, le=2**31 - 1)
    delete: int = Field(0, ge=0, le=2**31 - 1)
    insert: str = ""
    base_version: Version


class CreateOp(ClientMessage):
    op: Literal["create"]
    file: FilePath
    content: str = ""


class RenameOp(ClientMessage):
    op: Literal["rename"]
    file: FilePath
    to: FilePath
    base_version: Version | None = None


class DeleteOp(ClientMessage):
    op: Literal["delete"]
    file: FilePath
    base_version: Version | None = None


AnyOp = EditOp | CreateOp | RenameOp | DeleteOp
Op = Annotated[AnyOp, Field(discriminator="op")]


class FileOperation(ClientMessage):
    type: Literal["file-operation"]
    id: MessageId
    ops: list[Op] = Field(min_length=1, max_length=MAX_OPS)


class EventBatch(ClientMessage):
    """Recording events (cursor, selection, focus, blur, paste; staff also note): each
    is checked by the recording itself, this only bounds the batch."""

    type: Literal["event"]
    id: MessageId
    events: list[dict[str, Any]] = Field(min_length=1, max_length=MAX_OPS)


class CodeExecution(ClientMessage):
    type: Literal["code-execution"]
    id: MessageId
    action: Literal["request"]
    mode: Literal["run", "submit"] = "run"
    file: FilePath | None = None
    language: str | None = Field(None, max_length=32)
    stdin: str = Field("", max_length=1_000_000)


class Ping(ClientMessage):
    type: Literal["ping"]
    id: MessageId | None = None


class Pong(ClientMessage):
    """A client's answer to the server's heartbeat ``ping`` (any message keeps it alive)."""

    type: Literal["pong"]
    id: MessageId | None = None


VOICE_COMMANDS = ("run", "submit", "hint", "repeat", "time", "stop-talking")
"""What a candidate can ask the voice interviewer for, by voice or by button."""


class VoiceControl(ClientMessage):
    """Start or stop the voice interviewer for this connection, or change how it listens.

    ``start`` opens the conversation (the server answers ``voice``); ``talk``/``release``
    are push-to-talk's press and release (release ends the turn at once); ``mute`` keeps
    the conversation but ignores the microphone.
    """

    type: Literal["voice"]
    id: MessageId
    action: Literal["start", "stop", "mode", "talk", "release", "mute", "unmute"]
    mode: Literal["push-to-talk", "hands-free"] | None = None


class VoiceCommandRequest(ClientMessage):
    """A voice command given by button or keyboard instead of by voice."""

    type: Literal["voice-command"]
    id: MessageId
    command: Literal["run", "submit", "hint", "repeat", "time", "stop-talking"]


Client = Annotated[
    Hello
    | FileOperation
    | EventBatch
    | CodeExecution
    | Ping
    | Pong
    | VoiceControl
    | VoiceCommandRequest,
    Field(discriminator="type"),
]
CLIENT_ADAPTER: TypeAdapter[Client] = TypeAdapter(Client)


def parse_client(text: str | bytes) -> Client:
    """One client frame; raises only :class:`pydantic.ValidationError`."""
    return CLIENT_ADAPTER.validate_json(text)


def op_event(
    message_id: str, index: int, op: EditOp | CreateOp | RenameOp | DeleteOp
) -> dict[str, Any]:
    """The recording event one op becomes, with the id that makes a re-send a duplicate."""
    event_id = f"{message_id}:{index}"
    if isinstance(op, EditOp):
        return {
            "type": "edit",
            "id": event_id,
            "file": op.file,
            "offset": op.offset,
            "delete": op.delete,
            "insert": op.insert,
            "base_version": op.base_version,
        }
    if isinstance(op, CreateOp):
        return {"type": "file_created", "id": event_id, "file": op.file, "content": op.content}
    moved: dict[str, Any]
    if isinstance(op, RenameOp):
        moved = {"type": "file_moved", "id": event_id, "file": op.file, "to": op.to}
    else:
        moved = {"type": "file_deleted", "id": event_id, "file": op.file}
    if op.base_version is not None:
        moved["base_version"] = op.base_version
    return moved


# ---- server -> client --------------------------------------------------------------------


class ServerMessage(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FileState(ServerMessage):
    content: str
    version: int


class PartInfo(ServerMessage):
    number: int
    label: str
    file: str


class SessionInfo(ServerMessage):
    type: Literal["session"] = "session"
    status: str
    deadline_at: str | None = None
    seconds_left: int | None = None
    current_part: PartInfo | None = None


class Welcome(ServerMessage):
    type: Literal["welcome"] = "welcome"
    protocol: int = PROTOCOL
    connection_id: str
    role: Literal["candidate", "staff"]
    seq: int
    session: SessionInfo
    workspace: dict[str, FileState] | None = None
    resumed: bool = False


class AckResult(ServerMessage):
    status: Literal["stored", "duplicate", "rejected"]
    seq: int | None = None
    version: int | None = None
    reason: str | None = None


class Ack(ServerMessage):
    type: Literal["ack"] = "ack"
    re: str
    results: list[AckResult]


class CodeExecutionProgress(ServerMessage):
    type: Literal["code-execution"] = "code-execution"
    re: str
    phase: Literal["queued", "running", "result"]
    result: dict[str, Any] | None = None


class Participant(ServerMessage):
    connection_id: str
    role: Literal["candidate", "staff"]


class PresenceMessage(ServerMessage):
    type: Literal["presence"] = "presence"
    participants: list[Participant]


class ErrorMessage(ServerMessage):
    type: Literal["error"] = "error"
    code: str
    detail: str
    re: str | None = None


class Heartbeat(ServerMessage):
    type: Literal["ping", "pong"]
    re: str | None = None


class StoredMessage(ServerMessage):
    """A stored event, pushed: ``file-operation`` for workspace events, else ``event``."""

    type: Literal["file-operation", "event"]
    seq: int
    t_ms: int
    source: str
    event: dict[str, Any]


class WordTiming(ServerMessage):
    w: str
    start: float
    """Seconds from the start of the utterance."""
    end: float


class TranscriptLine(ServerMessage):
    """What one speaker said: ``final`` false for a running partial of the candidate."""

    type: Literal["transcript"] = "transcript"
    speaker: Literal["candidate", "interviewer"]
    utterance: int
    text: str
    final: bool
    words: list[WordTiming] = []


class InterviewerSpeech(ServerMessage):
    """The interviewer starts saying ``text``: ``audio-chunk`` frames of ``speech`` follow
    (PCM16 mono at ``sample_rate``), ending with one frame flagged last."""

    type: Literal["interviewer-speech"] = "interviewer-speech"
    speech: int
    text: str
    sample_rate: int
    command: str | None = None
    """The voice command this answers, if it answers one."""


class TurnState(ServerMessage):
    """Who has the floor, and where the interview is (greet, present, clarify, coding,
    hint, follow-up, wrap-up, done)."""

    type: Literal["turn"] = "turn"
    state: Literal["listening", "candidate", "thinking", "interviewer"]
    phase: str


class Flush(ServerMessage):
    """Stop playing ``speech`` now (the candidate barged in, or asked for quiet)."""

    type: Literal["flush"] = "flush"
    speech: int


class VoiceState(ServerMessage):
    """The voice conversation of this connection: on, off, or unavailable and why."""

    type: Literal["voice"] = "voice"
    status: Literal["on", "off", "unavailable"]
    re: str | None = None
    mode: Literal["push-to-talk", "hands-free"] = "hands-free"
    muted: bool = False
    recording_audio: bool = False
    """Whether the turns' audio itself is kept (transcripts always are)."""
    detail: str | None = None
    engines: dict[str, str] = {}
    """stt, tts and vad engine names."""


Server = Annotated[
    Welcome
    | Ack
    | CodeExecutionProgress
    | PresenceMessage
    | SessionInfo
    | ErrorMessage
    | Heartbeat
    | StoredMessage
    | TranscriptLine
    | InterviewerSpeech
    | TurnState
    | Flush
    | VoiceState,
    Field(discriminator="type"),
]
SERVER_ADAPTER: TypeAdapter[Server] = TypeAdapter(Server)
"""For clients written in Python (tests, the load generator): parse what the server sends."""

_ENVELOPE = frozenset({"seq", "t_ms", "source", "ts"})


def stored_message(stored: dict[str, Any]) -> str:
    """The JSON text of one stored event (``{seq, type, t_ms, source, id, …data}``), as
    every client of the session receives it; built once per event, shared by all."""
    event = {key: value for key, value in stored.items() if key not in _ENVELOPE}
    kind = "file-operation" if stored["type"] in FILE_EVENT_TYPES else "event"
    return json.dumps(
        {
            "type": kind,
            "seq": stored["seq"],
            "t_ms": stored["t_ms"],
            "source": stored["source"],
            "event": event,
        },
        separators=(",", ":"),
        ensure_ascii=False,
    )


# ---- binary frames: audio-chunk ----------------------------------------------------------

AUDIO_HEADER = struct.Struct(">BBHI")
"""kind, flags, speech, seq (network order), then little-endian PCM16 mono samples."""
AUDIO_FROM_CLIENT = 1
"""The candidate's microphone: 16 kHz; ``speech`` is 0."""
AUDIO_FROM_SERVER = 2
"""The interviewer's voice, at the ``sample_rate`` of its ``interviewer-speech``."""
AUDIO_LAST = 0x01
"""Flag: the last frame of this ``speech`` (its payload may be empty)."""
MIC_SAMPLE_RATE = 16_000


class AudioChunk(NamedTuple):
    kind: int
    flags: int
    speech: int
    seq: int
    pcm: bytes


def pack_audio(kind: int, seq: int, pcm: bytes, *, speech: int = 0, flags: int = 0) -> bytes:
    return AUDIO_HEADER.pack(kind, flags, speech & 0xFFFF, seq & 0xFFFFFFFF) + pcm


def unpack_audio(frame: bytes) -> AudioChunk:
    """One binary frame; ValueError if it is not an audio-chunk of whole samples."""
    if len(frame) < AUDIO_HEADER.size:
        raise ValueError("an audio-chunk frame starts with an 8-byte header")
    kind, flags, speech, seq = AUDIO_HEADER.unpack_from(frame)
    if kind not in (AUDIO_FROM_CLIENT, AUDIO_FROM_SERVER):
        raise ValueError(f"unknown binary frame kind {kind}")
    pcm = frame[AUDIO_HEADER.size :]
    if len(pcm) % 2:
        raise ValueError("PCM16 audio has an even number of bytes")
    return AudioChunk(kind, flags, speech, seq, pcm)
