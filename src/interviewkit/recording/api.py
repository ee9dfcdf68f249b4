"""HTTP routes of the recording: ingest, replay, timeline, events, stats, archive, download."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from interviewkit.auth.deps import authenticate, ensure_session_access, ensure_staff
from interviewkit.db import ID_PATTERN
from interviewkit.errors import ProblemError
from interviewkit.recording.events import CANDIDATE
from interviewkit.recording.models import Recording
from interviewkit.recording.service import RecordingService

router = APIRouter(prefix="/api/v1/sessions", tags=["recording"])

SessionId = Annotated[str, Path(pattern=ID_PATTERN, max_length=64)]
Moment = Annotated[int, Query(ge=0, le=10**12, description="Milliseconds since the start")]


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
    def of(cls, row: Recording, url: str | None = None, expires: int | None = None) -> Any:
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


def _service(request: Request) -> RecordingService:
    service: RecordingService = request.app.state.container.recording
    return service


@router.post(
    "/{session_id}/events",
    response_model=IngestResult,
    summary="Record a batch of events (idempotent by event id)",
)
async def ingest(session_id: SessionId, body: Batch, request: Request) -> Response:
    principal = ensure_session_access(await authenticate(request), session_id)
    source = f"staff:{principal.key_id}" if principal.is_staff else CANDIDATE
    outcomes = await run_in_threadpool(_service(request).ingest, session_id, body.events, source)
    shown = [Outcome(**vars(outcome)) for outcome in outcomes]
    result = IngestResult(
        stored=sum(o.status == "stored" for o in shown),
        duplicates=sum(o.status == "duplicate" for o in shown),
        rejected=sum(o.status == "rejected" for o in shown),
        results=shown,
    )
    if shown and result.rejected == len(shown):
        raise ProblemError(
            422,
            "invalid_events",
            f"all {len(shown)} events were rejected",
            errors=[{"index": o.index, "reason": o.reason} for o in shown],
        )
    return Response(result.model_dump_json(), 200, media_type="application/json")


@router.get("/{session_id}/replay", summary="The workspace at a moment")
async def replay_at(session_id: SessionId, at_ms: Moment, request: Request) -> dict[str, Any]:
    ensure_staff(await authenticate(request))
    files, seq, source = await run_in_threadpool(_service(request).replay_at, session_id, at_ms)
    return {"at_ms": at_ms, "seq": seq, "source": source, "files": files}


@router.get("/{session_id}/replay/diff", summary="Unified diff of the workspace between moments")
async def replay_diff(
    session_id: SessionId, from_ms: Moment, to_ms: Moment, request: Request
) -> Response:
    ensure_staff(await authenticate(request))
    text = await run_in_threadpool(_service(request).diff, session_id, from_ms, to_ms)
    return Response(text, 200, media_type="text/x-diff; charset=utf-8")


@router.get("/{session_id}/timeline", summary="Runs, pastes, time away, AI turns, notes, idle")
async def get_timeline(session_id: SessionId, request: Request) -> dict[str, Any]:
    ensure_staff(await authenticate(request))
    return await run_in_threadpool(_service(request).timeline, session_id)


@router.get("/{session_id}/events", summary="The log, for a player to stream")
async def list_events(
    session_id: SessionId,
    request: Request,
    from_seq: Annotated[int, Query(ge=1)] = 1,
    limit: Annotated[int, Query(ge=1, le=5000)] = 1000,
) -> dict[str, Any]:
    ensure_staff(await authenticate(request))
    events = await run_in_threadpool(_service(request).events, session_id, from_seq, limit)
    following = events[-1]["seq"] + 1 if len(events) == limit else None
    return {"events": events, "next_from_seq": following}


@router.get("/{session_id}/stats", summary="Counts, active and idle time, runs, AI usage")
async def get_stats(session_id: SessionId, request: Request) -> dict[str, Any]:
    ensure_staff(await authenticate(request))
    return await run_in_threadpool(_service(request).stats, session_id)


@router.get(
    "/{session_id}/recording",
    response_model=RecordingOut,
    summary="The archive: sizes and a signed download URL",
)
async def get_recording(session_id: SessionId, request: Request) -> Any:
    ensure_staff(await authenticate(request))
    row, url, expires = await run_in_threadpool(_service(request).download_url, session_id)
    return RecordingOut.of(row, url, expires)


@router.post(
    "/{session_id}/recording/archive",
    response_model=RecordingOut,
    summary="Build the archive now (it is built when the session ends)",
)
async def build_archive(
    session_id: SessionId,
    request: Request,
    fmt: Annotated[str | None, Query(alias="format", pattern="^(zstd|gzip)$")] = None,
) -> Any:
    ensure_staff(await authenticate(request))
    row = await run_in_threadpool(_service(request).archive, session_id, fmt)
    return RecordingOut.of(row)
