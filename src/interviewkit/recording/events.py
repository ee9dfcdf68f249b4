"""The recording's event model (version 1) and the pure functions that replay it.

An event is flat JSON: ``{"id", "type", "ts", …fields of its type}``. ``id`` is the
client's event id (it makes ingest idempotent), ``ts`` the client's clock in epoch
milliseconds. The server adds ``seq`` (gap-free per session) and ``t_ms`` (milliseconds
since the session started, never decreasing in ``seq`` order), so "the workspace at a
moment" is "the last keyframe at or before it, plus the deltas after it".

Offsets in ``edit`` events count Unicode code points (Python string indices); an editor
that counts UTF-16 units converts before sending.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

EVENT_VERSION = 1
ClientId = Annotated[str, Field(min_length=1, max_length=64)]
FilePath = Annotated[str, Field(min_length=1, max_length=1024)]
BaseVersion = Annotated[
    int | None,
    Field(
        None,
        ge=1,
        le=2**31 - 1,
        description="The file's version the client saw (If-Match): a mismatch rejects the event",
    ),
]


class _Event(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: ClientId | None = None
    ts: int | None = Field(None, ge=0, le=2**53, description="Client clock, epoch ms")


class Edit(_Event):
    """An operational delta: at ``offset``, delete ``delete`` characters, insert ``insert``."""

    type: Literal["edit"]
    file: FilePath
    offset: int = Field(ge=0)
    delete: int = Field(0, ge=0)
    insert: str = ""
    base_version: BaseVersion = None


class Cursor(_Event):
    type: Literal["cursor", "selection"]
    file: FilePath
    offset: int = Field(ge=0)
    end: int | None = Field(None, ge=0)


class FileCreated(_Event):
    type: Literal["file_created"]
    file: FilePath
    content: str = ""


class FileDeleted(_Event):
    type: Literal["file_deleted"]
    file: FilePath
    base_version: BaseVersion = None


class FileMoved(_Event):
    type: Literal["file_moved"]
    file: FilePath
    to: FilePath
    base_version: BaseVersion = None


class FileWritten(_Event):
    """A whole-file write through the files API (recorded by the server)."""

    type: Literal["file_written"]
    file: FilePath
    content: str


class Snapshot(_Event):
    """The whole workspace: a keyframe (written by the server)."""

    type: Literal["snapshot", "session_started"]
    files: dict[str, str]


class ExecutionRequested(_Event):
    type: Literal["execution_requested"]
    execution_id: str
    file: str | None = None
    mode: str | None = None


class ExecutionFinished(_Event):
    type: Literal["execution_result"]
    execution_id: str
    status: str | None
    passed: int = 0
    total: int = 0
    mode: str | None = None


class AIInteraction(_Event):
    type: Literal["ai_interaction"]
    role: Literal["user", "assistant", "system"]
    content: str = Field(max_length=200_000)
    model: str | None = None
    tokens_in: int = Field(0, ge=0)
    tokens_out: int = Field(0, ge=0)
    latency_ms: float = Field(0, ge=0)
    cost_usd: float = Field(0, ge=0)


class SpokenWord(BaseModel):
    model_config = ConfigDict(extra="forbid")

    w: str = Field(max_length=200)
    start_ms: int = Field(ge=0)
    end_ms: int = Field(ge=0)


class Transcript(_Event):
    """A line of speech. ``start_ms``/``end_ms`` are session times (like ``t_ms``);
    the voice interviewer adds the utterance number and its words' timings."""

    type: Literal["transcript"]
    speaker: str = Field(min_length=1, max_length=100)
    text: str = Field(max_length=100_000)
    start_ms: int = Field(ge=0)
    end_ms: int = Field(ge=0)
    utterance: int | None = Field(None, ge=0)
    words: list[SpokenWord] | None = Field(None, max_length=10_000)


class VoiceCommand(_Event):
    """A command the candidate gave the voice interviewer, and what came of it."""

    type: Literal["voice_command"]
    command: Literal["run", "submit", "hint", "repeat", "time", "stop-talking"]
    said: str | None = Field(None, max_length=2000, description="The words, if spoken")
    outcome: str = Field("", max_length=2000)
    execution_id: str | None = None


class VoiceAudio(_Event):
    """One turn's audio, kept in the object store (``voice_record_audio``)."""

    type: Literal["voice_audio"]
    speaker: Literal["candidate", "interviewer"]
    utterance: int = Field(ge=0)
    key: str = Field(min_length=1, max_length=1024)
    content_type: str = "audio/ogg"
    start_ms: int = Field(ge=0)
    duration_ms: int = Field(ge=0)


class VoiceTurn(_Event):
    """The timing of one spoken exchange: where the reply's latency went (ms)."""

    type: Literal["voice_turn"]
    utterance: int = Field(ge=0)
    end_of_turn_ms: float = Field(ge=0)
    stt_final_ms: float = Field(ge=0)
    first_token_ms: float = Field(ge=0)
    first_audio_ms: float = Field(ge=0)
    barge_in: bool = False


class VideoAnswer(_Event):
    """A recorded video answer moved on (uploaded, a pipeline step, analysed, failed):
    the live channel tells the candidate's page and the staff's."""

    type: Literal["video_answer"]
    answer_id: str = Field(min_length=1, max_length=64)
    question_index: int = Field(ge=0)
    status: Literal["uploading", "queued", "processing", "analyzed", "failed"]
    step: str | None = Field(None, max_length=32)
    progress: float = Field(ge=0, le=1)
    error: str | None = Field(None, max_length=2000)


class Note(_Event):
    type: Literal["note"]
    text: str = Field(min_length=1, max_length=20_000)
    author: str | None = Field(None, max_length=200)


class Presence(_Event):
    """``blur``: the candidate left the tab; ``focus``: came back."""

    type: Literal["focus", "blur"]


class Paste(_Event):
    type: Literal["paste"]
    file: FilePath | None = None
    size: int = Field(ge=0)


class SessionEnded(_Event):
    type: Literal["session_ended"]
    status: str = "completed"


Event = Annotated[
    Edit
    | Cursor
    | FileCreated
    | FileDeleted
    | FileMoved
    | FileWritten
    | Snapshot
    | ExecutionRequested
    | ExecutionFinished
    | AIInteraction
    | Transcript
    | VoiceCommand
    | VoiceAudio
    | VoiceTurn
    | VideoAnswer
    | Note
    | Presence
    | Paste
    | SessionEnded,
    Field(discriminator="type"),
]
EVENT_ADAPTER: TypeAdapter[Event] = TypeAdapter(Event)

SERVER_ONLY = frozenset(
    {
        "snapshot",
        "session_started",
        "session_ended",
        "file_written",
        "execution_requested",
        "execution_result",
        "voice_command",
        "voice_audio",
        "voice_turn",
        "video_answer",
    }
)
"""Types only the server writes: a client cannot forge a keyframe or a verdict."""

CANDIDATE_TYPES = frozenset(
    {
        "edit",
        "cursor",
        "selection",
        "file_created",
        "file_deleted",
        "file_moved",
        "paste",
        "focus",
        "blur",
        "transcript",
    }
)
"""What a candidate does at the keyboard (and says: ``transcript`` of speaker ``candidate``)."""
STAFF_TYPES = (CANDIDATE_TYPES - {"transcript"}) | {"note"}
"""Staff may annotate (``note``) and work in the workspace; what the candidate said, what
the interviewer said and what the assistant answered is the server's to record."""
CANDIDATE_SPEAKER = "candidate"
WORKSPACE_EVENTS = frozenset({"edit", "file_created", "file_deleted", "file_moved"})
"""Client events that change the workspace itself (its files), not only the log."""

CHANGES_FILES = frozenset(
    {
        "edit",
        "file_created",
        "file_deleted",
        "file_moved",
        "file_written",
        "snapshot",
        "session_started",
    }
)
KEYFRAMES = frozenset({"snapshot", "session_started"})

Workspace = dict[str, str]


class EditRejected(ValueError):
    """The event does not apply to the workspace as it is at that point."""


def normalise_path(path: str) -> str:
    return "/" + path.strip("/")


def apply(files: Workspace, event: Mapping[str, Any]) -> None:
    """Apply one stored event (a dict) to ``files`` in place; EditRejected if it cannot."""
    kind = event["type"]
    if kind not in CHANGES_FILES:
        return
    if kind in KEYFRAMES:
        files.clear()
        files.update(event["files"])
        return
    path = normalise_path(event["file"])
    if kind == "edit":
        text = files.get(path)
        if text is None:
            raise EditRejected(f"no file {path!r} to edit")
        offset, delete = event["offset"], event.get("delete", 0)
        if offset > len(text):
            raise EditRejected(f"offset {offset} is past the end of {path!r} ({len(text)})")
        if offset + delete > len(text):
            raise EditRejected(f"deleting {delete} at {offset} runs past the end of {path!r}")
        files[path] = text[:offset] + event.get("insert", "") + text[offset + delete :]
    elif kind == "file_created":
        if path in files:
            raise EditRejected(f"{path!r} exists already")
        files[path] = event.get("content", "")
    elif kind == "file_written":
        files[path] = event["content"]
    elif kind == "file_deleted":
        doomed = [p for p in files if p == path or p.startswith(path + "/")]
        if not doomed:
            raise EditRejected(f"no file or folder {path!r} to delete")
        for name in doomed:
            del files[name]
    elif kind == "file_moved":
        target = normalise_path(event["to"])
        moving = [p for p in files if p == path or p.startswith(path + "/")]
        if not moving:
            raise EditRejected(f"no file or folder {path!r} to move")
        contents = {p: files.pop(p) for p in moving}
        for name, content in contents.items():
            files[target + name[len(path) :]] = content


def replay(files: Workspace, events: Iterable[Mapping[str, Any]]) -> Workspace:
    """``files`` after ``events`` (a copy; stored events always apply)."""
    state = dict(files)
    for event in events:
        apply(state, event)
    return state


SYSTEM = "system"
CANDIDATE = "candidate"


def refusal(event: Mapping[str, Any], source: str) -> str | None:
    """Why a client of ``source`` may not record ``event`` (None: it may).

    A record a hiring panel grades from must say who did what: a candidate records what a
    candidate does, staff annotate, and everything else (keyframes, runs, verdicts, the
    assistant's turns, the interviewer's words) is written by the server itself.
    """
    kind = event["type"]
    if kind in SERVER_ONLY or kind == "ai_interaction":
        return f"{kind} events are written by the server"
    if source == CANDIDATE:
        if kind == "note":
            return "note events are written by staff"
        if kind == "transcript" and event.get("speaker") != CANDIDATE_SPEAKER:
            return (
                f"a candidate records only their own transcript lines (speaker "
                f"{CANDIDATE_SPEAKER!r}); the interviewer's are written by the server"
            )
        return None if kind in CANDIDATE_TYPES else f"{kind} events are not a candidate's"
    if kind == "transcript":
        return "transcript lines are the candidate's own or written by the server"
    return None if kind in STAFF_TYPES else f"{kind} events are written by the server"
