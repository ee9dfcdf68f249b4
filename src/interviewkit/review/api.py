"""HTTP routes of the review domain: scorecards, the report, compare, the sessions CSV."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from interviewkit.auth.deps import SessionId, Staff
from interviewkit.db import ID_PATTERN
from interviewkit.errors import bad_request
from interviewkit.problems.bank import PROBLEM_ID
from interviewkit.review.schemas import Compare, Report, ScorecardIn, ScorecardOut, Scorecards
from interviewkit.review.service import COMPARE_MAX, ReviewService
from interviewkit.sessions.api import Filters, json_response
from interviewkit.sessions.models import InterviewSession
from interviewkit.sessions.service import SessionService

router = APIRouter(prefix="/api/v1", tags=["review"])

CSV_COLUMNS = (
    "id",
    "status",
    "candidate_name",
    "candidate_email",
    "template_id",
    "problem_id",
    "language",
    "created_at",
    "ended_at",
    "deadline_at",
)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""A spreadsheet runs a cell that starts with one of these as a formula (CSV injection)."""
CSV_PAGE = 500
TemplateId = Annotated[str, Path(pattern=PROBLEM_ID, max_length=64)]


def _service(request: Request) -> ReviewService:
    service: ReviewService = request.app.state.container.review
    return service


@router.get(
    "/sessions/{session_id}/scorecards",
    response_model=Scorecards,
    summary="The session's rubric and every interviewer's scorecard",
)
async def list_scorecards(session_id: SessionId, request: Request, _: Staff) -> Response:
    return json_response(await run_in_threadpool(_service(request).scorecards, session_id))


@router.post(
    "/sessions/{session_id}/scorecards",
    response_model=ScorecardOut,
    summary="Save your own scorecard (a draft until submitted; submitted is final)",
)
async def save_scorecard(
    session_id: SessionId, body: ScorecardIn, request: Request, principal: Staff
) -> Response:
    saved = await run_in_threadpool(_service(request).save_scorecard, session_id, principal, body)
    return json_response(saved)


@router.get(
    "/sessions/{session_id}/report",
    response_model=Report,
    summary="The report a hiring panel decides from: parts, scores, integrity, AI use, charts",
)
async def session_report(session_id: SessionId, request: Request, _: Staff) -> Response:
    return json_response(await run_in_threadpool(_service(request).report, session_id))


@router.get(
    "/templates/{template_id}/compare",
    response_model=Compare,
    summary="Sessions of one template side by side (named, or the 10 latest ended)",
)
async def compare(
    template_id: TemplateId,
    request: Request,
    _: Staff,
    sessions: Annotated[
        str | None, Query(max_length=1000, description="Comma-separated session ids, at most 10")
    ] = None,
) -> Response:
    ids = None
    if sessions is not None:
        ids = [s.strip() for s in sessions.split(",") if s.strip()]
        if not ids or any(not _row_id(s) for s in ids):
            raise bad_request("invalid_parameter", "sessions: comma-separated session ids")
        if len(ids) > COMPARE_MAX:
            raise bad_request("too_many_sessions", f"compare at most {COMPARE_MAX} sessions")
    return json_response(await run_in_threadpool(_service(request).compare, template_id, ids))


@router.get(
    "/exports/sessions.csv",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/csv": {}}}},
    summary="The session list as CSV (the list's filters), streamed",
)
def export_sessions(request: Request, _: Staff, filters: Filters) -> StreamingResponse:
    sessions: SessionService = request.app.state.container.sessions
    first = sessions.list_sessions(**filters.given(), limit=CSV_PAGE)  # errors before 200
    return StreamingResponse(
        _csv_lines(sessions, filters.given(), first.items, first.next_cursor),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="sessions.csv"'},
    )


def _csv_lines(
    sessions: SessionService,
    filters: dict[str, object],
    items: list[InterviewSession],
    cursor: str | None,
) -> Iterator[str]:
    """The header, then a page of rows at a time: memory stays one page for any export."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow(CSV_COLUMNS)
    yield flush()
    while True:
        for row in items:
            writer.writerow([safe_cell(value) for value in _csv_row(row)])
        yield flush()
        if cursor is None:
            return
        page = sessions.list_sessions(**filters, limit=CSV_PAGE, cursor=cursor)  # type: ignore[arg-type]
        items, cursor = page.items, page.next_cursor


def _csv_row(row: InterviewSession) -> list[str]:
    language = (row.config or {}).get("language")
    return [
        row.id,
        str(row.status),
        row.candidate_name or "",
        row.candidate_email or "",
        row.template_id or "",
        row.problem_id or "",
        str(language) if language else "",
        row.created_at.isoformat(),
        row.ended_at.isoformat() if row.ended_at else "",
        row.deadline_at.isoformat() if row.deadline_at else "",
    ]


def safe_cell(value: str) -> str:
    """A cell a spreadsheet shows as text: one that would start a formula gets a leading
    apostrophe (OWASP's advice for CSV injection)."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _row_id(value: str) -> bool:
    return re.fullmatch(ID_PATTERN, value) is not None
