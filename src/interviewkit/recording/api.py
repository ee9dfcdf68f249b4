"""HTTP routes of the recording: ingest, replay, timeline, events, stats, archive, download."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from interviewkit.auth.deps import SessionAccess, SessionId, Staff
from interviewkit.errors import ProblemError
from interviewkit.recording.events import CANDIDATE
from interviewkit.recording.schemas import (
    Batch,
    EventPage,
    IngestResult,
    Outcome,
    RecordingOut,
    ReplayOut,
    Stats,
    Timeline,
)
from interviewkit.recording.service import RecordingService

router = APIRouter(prefix="/api/v1/sessions", tags=["recording"])

Moment = Annotated[int, Query(ge=0, le=10**12, description="Milliseconds since the start")]


def _service(request: Request) -> RecordingService:
    service: RecordingService = request.app.state.container.recording
    return service


@router.post(
    "/{session_id}/events",
    response_model=IngestResult,
    summary="Record a batch of events (idempotent by event id)",
)
async def ingest(access: SessionAccess, body: Batch, request: Request) -> Response:
    principal = access.principal
    source = f"staff:{principal.key_id}" if principal.is_staff else CANDIDATE
    service = _service(request)
    outcomes = await run_in_threadpool(service.ingest, access.session_id, body.events, source)
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


@router.get("/{session_id}/replay", response_model=ReplayOut, summary="The workspace at a moment")
async def replay_at(session_id: SessionId, at_ms: Moment, request: Request, _: Staff) -> ReplayOut:
    files, seq, source = await run_in_threadpool(_service(request).replay_at, session_id, at_ms)
    return ReplayOut(at_ms=at_ms, seq=seq, source=source, files=files)


@router.get(
    "/{session_id}/replay/diff",
    response_class=Response,
    responses={200: {"content": {"text/x-diff": {}}, "description": "A unified diff"}},
    summary="Unified diff of the workspace between moments",
)
async def replay_diff(
    session_id: SessionId, from_ms: Moment, to_ms: Moment, request: Request, _: Staff
) -> Response:
    text = await run_in_threadpool(_service(request).diff, session_id, from_ms, to_ms)
    return Response(text, 200, media_type="text/x-diff; charset=utf-8")


@router.get(
    "/{session_id}/timeline",
    response_model=Timeline,
    summary="Runs, pastes, time away, AI turns, notes, idle",
)
async def get_timeline(session_id: SessionId, request: Request, _: Staff) -> Timeline:
    found = await run_in_threadpool(_service(request).timeline, session_id)
    return Timeline.model_validate(found)


@router.get(
    "/{session_id}/events", response_model=EventPage, summary="The log, for a player to stream"
)
async def list_events(
    session_id: SessionId,
    request: Request,
    _: Staff,
    from_seq: Annotated[int, Query(ge=1)] = 1,
    limit: Annotated[int, Query(ge=1, le=5000)] = 1000,
    types: Annotated[
        str | None,
        Query(
            max_length=400,
            pattern=r"^[a-z_]{1,32}(,[a-z_]{1,32}){0,15}$",
            description="Only events of these types, comma-separated (e.g. transcript)",
        ),
    ] = None,
) -> EventPage:
    wanted = frozenset(types.split(",")) if types else None
    events = await run_in_threadpool(_service(request).events, session_id, from_seq, limit, wanted)
    following = events[-1]["seq"] + 1 if len(events) == limit else None
    return EventPage(events=events, next_from_seq=following)


@router.get(
    "/{session_id}/stats",
    response_model=Stats,
    summary="Counts, active and idle time, runs, AI usage",
)
async def get_stats(session_id: SessionId, request: Request, _: Staff) -> Stats:
    return Stats.model_validate(await run_in_threadpool(_service(request).stats, session_id))


@router.get(
    "/{session_id}/recording",
    response_model=RecordingOut,
    summary="The archive: sizes and a signed download URL",
)
async def get_recording(session_id: SessionId, request: Request, _: Staff) -> RecordingOut:
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
    _: Staff,
    fmt: Annotated[str | None, Query(alias="format", pattern="^(zstd|gzip)$")] = None,
) -> RecordingOut:
    row = await run_in_threadpool(_service(request).archive, session_id, fmt)
    return RecordingOut.of(row)
