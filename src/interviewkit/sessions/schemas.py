"""Request and response bodies of the sessions API."""

from __future__ import annotations

import unicodedata
from datetime import datetime
from typing import Annotated, Any, Literal, Self

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from interviewkit.sessions.models import InterviewSession, SessionFile, SessionStatus

REFERENCE_ID = r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$"
EMAIL = r"^[^@\s]{1,64}@[^@\s]{1,255}$"


def _printable(value: str) -> str:
    """Refuse control characters and lone surrogates (PostgreSQL cannot store NUL)."""
    if any(unicodedata.category(char) in {"Cc", "Cs"} for char in value):
        raise ValueError("control characters are not allowed")
    return value


SafeText = Annotated[str, AfterValidator(_printable)]

_LINE_BREAKS = frozenset("\t\n\r")


def has_control_characters(value: str) -> bool:
    """Control characters other than tab and line breaks, or lone surrogates: nothing a
    person types, and PostgreSQL cannot store NUL."""
    return any(
        unicodedata.category(char) in {"Cc", "Cs"} and char not in _LINE_BREAKS for char in value
    )


def _writable(value: str) -> str:
    if has_control_characters(value):
        raise ValueError("control characters other than tabs and line breaks are not allowed")
    return value


SafeNotes = Annotated[str, AfterValidator(_writable)]
"""Free text a person writes over several lines (notes): :data:`SafeText` plus line breaks."""


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FileIn(Strict):
    path: str = Field(max_length=4096, examples=["/solution.py"])
    content: str = Field(examples=["print('hello')\n"])


class SessionCreate(Strict):
    template_id: str | None = Field(None, pattern=REFERENCE_ID)
    problem_id: str | None = Field(None, pattern=REFERENCE_ID)
    language: str | None = Field(
        None, max_length=32, description="Starter code language (default: the template's first)"
    )
    candidate_name: SafeText | None = Field(None, min_length=1, max_length=200)
    candidate_email: SafeText | None = Field(None, pattern=EMAIL, max_length=320)
    config: dict[str, Any] = Field(default_factory=dict)
    files: list[FileIn] = Field(default_factory=list, max_length=200)


class SessionPatch(Strict):
    candidate_name: SafeText | None = Field(None, min_length=1, max_length=200)
    candidate_email: SafeText | None = Field(None, pattern=EMAIL, max_length=320)
    config: dict[str, Any] | None = Field(
        None,
        description="A JSON merge patch (RFC 7386) of the config: objects merge "
        "recursively, null deletes a key, arrays and other values replace",
        examples=[{"time_limit_minutes": 60, "notes": None}],
    )
    status: Literal["completed", "terminated"] | None = None


class SessionOut(BaseModel):
    id: str
    status: SessionStatus
    template_id: str | None
    problem_id: str | None
    candidate_name: str | None
    candidate_email: str | None
    config: dict[str, Any]
    file_count: int
    workspace_bytes: int
    created_at: datetime
    updated_at: datetime
    ended_at: datetime | None
    deadline_at: datetime | None = None
    """When the time limit ends the session (null: no limit)."""

    @classmethod
    def of(cls, row: InterviewSession) -> SessionOut:
        return cls(
            id=row.id,
            status=SessionStatus(row.status),
            template_id=row.template_id,
            problem_id=row.problem_id,
            candidate_name=row.candidate_name,
            candidate_email=row.candidate_email,
            config=row.config,
            file_count=row.file_count,
            workspace_bytes=row.workspace_bytes,
            created_at=row.created_at,
            updated_at=row.updated_at,
            ended_at=row.ended_at,
            deadline_at=row.deadline_at,
        )


class CandidateSessionOut(BaseModel):
    """What a candidate sees of their own session: an allow-list, never the config.

    The config holds what the candidate must not know (the problems of later parts, the
    seed of the fresh hidden tests, the assistant policy, interviewer notes, and whatever
    keys staff add later), so this view names each field it shows and derives each one
    from the config by hand; a new config key stays hidden until someone adds it here.
    """

    id: str
    status: SessionStatus
    candidate_name: str | None
    language: str | None = Field(description="Language of the starter code")
    time_limit_minutes: float | None
    deadline_at: datetime | None = Field(description="Writes after it are refused")
    problem_id: str | None = Field(description="The current part's problem")
    problem_title: str | None
    part_index: int | None = Field(description="0-based position of the current part")
    part_count: int | None
    part_label: str | None
    part_minutes: float | None = Field(description="Time budget of the current part")
    file_count: int
    workspace_bytes: int
    created_at: datetime
    updated_at: datetime
    ended_at: datetime | None

    @classmethod
    def of(cls, row: InterviewSession, problem_title: str | None = None) -> CandidateSessionOut:
        config = row.config if isinstance(row.config, dict) else {}
        parts = [part for part in config.get("parts") or [] if isinstance(part, dict)]
        index = next(
            (i for i, part in enumerate(parts) if part.get("problem") == row.problem_id), None
        )
        current = parts[index] if index is not None else {}
        language = config.get("language")
        label = current.get("label")
        return cls(
            id=row.id,
            status=SessionStatus(row.status),
            candidate_name=row.candidate_name,
            language=language if isinstance(language, str) else None,
            time_limit_minutes=_number(config.get("time_limit_minutes")),
            deadline_at=row.deadline_at,
            problem_id=row.problem_id,
            problem_title=problem_title,
            part_index=index,
            part_count=len(parts) if parts else None,
            part_label=label if isinstance(label, str) else None,
            part_minutes=_number(current.get("minutes")),
            file_count=row.file_count,
            workspace_bytes=row.workspace_bytes,
            created_at=row.created_at,
            updated_at=row.updated_at,
            ended_at=row.ended_at,
        )


def _number(value: Any) -> float | None:
    """A config value shown as a number only when it is one (never echo other shapes)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


class SessionList(BaseModel):
    items: list[SessionOut]
    next_cursor: str | None = Field(description="Pass as ?cursor= for the next page")


class FileMeta(BaseModel):
    path: str
    size: int
    sha256: str
    language: str
    version: int
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, row: SessionFile, **extra: Any) -> Self:
        return cls(
            path=row.path,
            size=row.size,
            sha256=row.sha256,
            language=row.language,
            version=row.version,
            created_at=row.created_at,
            updated_at=row.updated_at,
            **extra,
        )


class FileOut(FileMeta):
    content: str


class TreeNode(BaseModel):
    name: str
    path: str
    type: Literal["file", "folder"]
    size: int
    children: list[TreeNode] | None = None


class FileListing(BaseModel):
    session_id: str
    file_count: int
    total_bytes: int
    read_only: bool
    files: list[FileMeta]
    tree: TreeNode


class FileWrite(Strict):
    content: str


class MoveRequest(Strict):
    to: str = Field(max_length=4096, examples=["/src/solution.py"])
    overwrite: bool = False


class MoveResult(BaseModel):
    moved: list[FileMeta]


class InviteRequest(Strict):
    ttl_seconds: int | None = Field(
        None,
        ge=60,
        description="Token lifetime; above INTERVIEWKIT_CANDIDATE_TOKEN_MAX_TTL_SECONDS "
        "is 422 token_ttl_too_long",
    )
    revoke_previous: bool = Field(
        False, description="Make every token minted earlier for this session stop working"
    )


class InviteOut(BaseModel):
    session_id: str
    token: str
    expires_at: datetime
    url: str = Field(
        description="The room link to send the candidate. The token rides in the fragment "
        "(after #), which browsers never send, so it stays out of server and proxy logs"
    )
