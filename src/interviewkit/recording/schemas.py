"""Requests and responses of the recording API: every route's JSON, typed.

The timeline and the stats are computed as plain dicts (``stats.py``, shared by the
archive); these models name each field so the OpenAPI document shows them. Marker and
stats models forbid extra keys: a field added there without adding it here fails the
tests instead of vanishing from the response.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from interviewkit.recording.models import Recording


class Exact(BaseModel):
    """A response read from a computed dict: unknown keys are a bug, not data to drop."""

    model_config = ConfigDict(extra="forbid")


class Batch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    events: list[Any] = Field(description="Events; each is checked on its own")


class Outcome(BaseModel):
    index: int
    status: str
    seq: int | None = None
    reason: str | None = None
    version: int | None = Field(
        None, description="The file's version after a stored workspace event (base_version)"
    )


class IngestResult(BaseModel):
    stored: int
    duplicates: int
    rejected: int
    results: list[Outcome]


class RecordingOut(BaseModel):
    session_id: str
    state: str
    events: int
    last_seq: int
    duration_ms: int
    archive_format: str | None
    archive_bytes: int
    raw_bytes: int
    compression_ratio: float | None
    pruned: bool
    url: str | None = None
    expires_in: int | None = None

    @classmethod
    def of(cls, row: Recording, url: str | None = None, expires: int | None = None) -> RecordingOut:
        ratio = round(row.raw_bytes / row.archive_bytes, 2) if row.archive_bytes else None
        return cls(
            session_id=row.session_id,
            state=row.state,
            events=row.events,
            last_seq=row.last_seq,
            duration_ms=row.last_t_ms,
            archive_format=row.archive_format,
            archive_bytes=row.archive_bytes,
            raw_bytes=row.raw_bytes,
            compression_ratio=ratio,
            pruned=row.pruned,
            url=url,
            expires_in=expires,
        )


class ReplayOut(BaseModel):
    at_ms: int
    seq: int
    source: str | None = Field(description="Who wrote the last event applied")
    files: dict[str, str] = Field(description="Workspace path -> content at that moment")


class EventPage(BaseModel):
    events: list[dict[str, Any]] = Field(description="Events as recorded (each type its own)")
    next_from_seq: int | None = Field(description="Pass as ?from_seq= for the next page")


# ---- the timeline ----------------------------------------------------------------------


class Span(Exact):
    start_ms: int
    end_ms: int


class RunMarker(Exact):
    kind: Literal["run"]
    t_ms: int
    seq: int
    execution_id: str | None
    """``GET /api/v1/executions/{id}`` has the run's output and per-test verdicts."""
    status: str | None
    mode: str | None
    passed: int | None
    total: int | None


class PasteMarker(Exact):
    kind: Literal["paste"]
    t_ms: int
    seq: int
    size: int
    flagged: bool
    source: str | None


class DetectedPasteMarker(Exact):
    """A large insert or rewrite the server flagged (code that arrived without typing)."""

    kind: Literal["large_insert", "rewrite"]
    t_ms: int
    seq: int
    file: str | None
    size: int
    flagged: bool
    source: str | None


class AiMarker(Exact):
    kind: Literal["ai"]
    t_ms: int
    seq: int
    role: str


class NoteMarker(Exact):
    kind: Literal["note"]
    t_ms: int
    seq: int
    text: str
    source: str | None


class PartMarker(Exact):
    """A part of a template session ended (``ended``, how: ``ended_by``) and, unless it
    was the last, the next one began (``part``, 0-based positions)."""

    kind: Literal["part"]
    t_ms: int
    seq: int
    ended: int | None
    ended_by: str | None
    part: int | None
    problem: str | None


Marker = Annotated[
    RunMarker | PasteMarker | DetectedPasteMarker | AiMarker | NoteMarker | PartMarker,
    Field(discriminator="kind"),
]


class Timeline(Exact):
    duration_ms: int
    markers: list[Marker]
    away: list[Span]
    idle: list[Span]


# ---- the stats -------------------------------------------------------------------------


class Largest(Exact):
    count: int
    largest: int


class AiUsage(Exact):
    turns: int
    tokens_in: int
    tokens_out: int
    cost_usd: float


class VoiceUsage(Exact):
    """The voice interviewer's exchanges; ``median_ms`` per stage (end_of_turn,
    stt_final, first_token, first_audio), timed from the candidate's last voiced frame."""

    turns: int
    barge_ins: int
    commands: int
    median_ms: dict[str, float | None]


class Stats(Exact):
    events: int
    by_type: dict[str, int]
    duration_ms: int
    active_ms: int
    idle_ms: int
    keystrokes: int
    characters_typed: int
    pastes: Largest
    large_inserts: Largest
    rewrites: int
    flagged: int
    time_away_ms: int
    runs: int
    verdicts: dict[str, int]
    time_to_first_run_ms: int | None
    time_to_first_accepted_ms: int | None
    ai: AiUsage
    voice: VoiceUsage
