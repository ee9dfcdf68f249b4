"""Routes of the video API (``/api/v1/video``): parse, authorise, call the service, shape.

Staff routes take an API key or the staff cookie (``Staff``). The candidate's routes take
the candidate token of the interview's backing session (staff may call them too); a token
of any other session gets 404, exactly as an interview that does not exist, so ids cannot
be probed.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from interviewkit.auth.deps import Staff, authenticate
from interviewkit.db import ID_PATTERN
from interviewkit.errors import not_found
from interviewkit.video.models import VideoAnswer, VideoInterview
from interviewkit.video.records import Record, RecordService, overall
from interviewkit.video.schemas import (
    AnswerOut,
    CandidateQuestionOut,
    CandidateVideoInterviewOut,
    InterviewReport,
    InterviewStatusName,
    InviteIn,
    PartsIn,
    PartUrlsOut,
    QuestionOut,
    ReceivedPart,
    RecordOut,
    RecordPage,
    RecordSummary,
    RecordUrls,
    UploadIn,
    UploadOut,
    UploadStateOut,
    VideoInterviewIn,
    VideoInterviewOut,
    VideoInterviewPage,
    VideoInviteOut,
    VideoTemplateList,
    VideoTemplateOut,
    VideoTemplateQuestionOut,
)
from interviewkit.video.service import VideoService, counted_answers

router = APIRouter(prefix="/api/v1/video", tags=["video"])

InterviewId = Annotated[
    str, Path(pattern=ID_PATTERN, max_length=64, description="A video interview id (vid_…)")
]
AnswerId = Annotated[str, Path(pattern=ID_PATTERN, max_length=64, description="ans_…")]
QuestionIndex = Annotated[int, Path(ge=0, le=10_000, description="The question, from 0")]
PageNumber = Annotated[int, Query(ge=1, le=100_000)]
PerPage = Annotated[int, Query(ge=1, le=200)]


def _videos(request: Request) -> VideoService:
    service: VideoService = request.app.state.container.video
    return service


def _records(request: Request) -> RecordService:
    service: RecordService = request.app.state.container.video_records
    return service


def _json(body: BaseModel, status_code: int = 200) -> Response:
    return Response(body.model_dump_json(), status_code, media_type="application/json")


async def _candidate_or_staff(interview_id: str, request: Request) -> None:
    """Staff, or the candidate of this interview's session (404 for anyone else)."""
    principal = await authenticate(request)
    if principal.is_staff:
        return
    session_id = await run_in_threadpool(_videos(request).session_of, interview_id)
    if principal.session_id != session_id:
        raise not_found("video_interview_not_found", f"no video interview {interview_id!r}")


# ---- shaping -------------------------------------------------------------------------------


def answer_out(answer: VideoAnswer) -> AnswerOut:
    return AnswerOut(
        answer_id=answer.id,
        question_index=answer.question_index,
        attempt=answer.attempt,
        status=answer.status,
        step=answer.step,
        progress=min(max(answer.progress, 0.0), 1.0),
        error=answer.error,
        duration_s=answer.duration_s,
        created_at=answer.created_at,
        completed_at=answer.completed_at,
    )


def interview_out(
    interview: VideoInterview, answers: list[VideoAnswer] | None, answer_count: int | None = None
) -> VideoInterviewOut:
    counted = counted_answers(answers or [])
    return VideoInterviewOut(
        id=interview.id,
        session_id=interview.session_id,
        title=interview.title,
        status=interview.status,
        candidate_name=interview.candidate_name,
        candidate_email=interview.candidate_email,
        questions=[QuestionOut.model_validate(question) for question in interview.questions],
        template_id=interview.template_id,
        answers=[answer_out(answer) for _, answer in sorted(counted.items())],
        answer_count=len(counted) if answer_count is None else answer_count,
        created_at=interview.created_at,
        updated_at=interview.updated_at,
    )


def summary_fields(record: Record) -> dict[str, Any]:
    answer = record.answer
    return {
        "answer_id": answer.id,
        "interview_id": answer.interview_id,
        "question_index": answer.question_index,
        "question": record.question,
        "attempt": answer.attempt,
        "candidate_name": record.interview.candidate_name,
        "candidate_email": record.interview.candidate_email,
        "status": answer.status,
        "step": answer.step,
        "progress": min(max(answer.progress, 0.0), 1.0),
        "error": answer.error,
        "duration_s": answer.duration_s,
        "score": record.score,
        "created_at": answer.created_at,
        "completed_at": answer.completed_at,
    }


def record_out(record: Record) -> RecordOut:
    assert record.urls is not None
    assert record.urls_expire is not None
    return RecordOut(
        **summary_fields(record),
        analysis=record.analysis,
        urls=RecordUrls(**record.urls, expires_at=record.urls_expire),
    )


def _next_page(page: int, per_page: int, total: int) -> int | None:
    return page + 1 if page * per_page < total else None


# ---- staff: interviews -------------------------------------------------------------------


@router.get("/templates", response_model=VideoTemplateList)
def list_templates(_: Staff, request: Request) -> Response:
    """The question templates an interview can start from (ours and the operator's)."""
    service = _videos(request)
    default_attempts = service.settings.video_max_attempts
    body = VideoTemplateList(
        [
            VideoTemplateOut(
                id=template.id,
                title=template.title,
                description=template.description,
                questions=[
                    VideoTemplateQuestionOut(
                        text=question.text,
                        thinking_s=question.thinking_s,
                        max_answer_s=question.max_answer_s,
                        attempts=question.attempts or default_attempts,
                        keywords=list(question.keywords),
                    )
                    for question in template.questions
                ],
            )
            for template in service.templates.values()
        ]
    )
    return _json(body)


@router.post("/interviews", response_model=VideoInterviewOut, status_code=201)
def create_interview(body: VideoInterviewIn, _: Staff, request: Request) -> Response:
    """A video interview for one candidate, backed by a new session (its invite link)."""
    interview = _videos(request).create(body)
    return _json(interview_out(interview, []), 201)


@router.get("/interviews", response_model=VideoInterviewPage)
def list_interviews(
    _: Staff,
    request: Request,
    candidate_email: Annotated[str | None, Query(max_length=320)] = None,
    status: InterviewStatusName | None = None,
    page: PageNumber = 1,
    per_page: PerPage = 50,
) -> Response:
    rows, counts, total = _videos(request).list_interviews(
        candidate_email=candidate_email, status=status, page=page, per_page=per_page
    )
    items = [interview_out(row, None, counts.get(row.id, 0)) for row in rows]
    body = VideoInterviewPage(
        items=items,
        page=page,
        per_page=per_page,
        total=total,
        next_page=_next_page(page, per_page, total),
    )
    return _json(body)


@router.get("/interviews/{interview_id}", response_model=VideoInterviewOut)
def get_interview(interview_id: InterviewId, _: Staff, request: Request) -> Response:
    interview, answers = _videos(request).get(interview_id)
    return _json(interview_out(interview, answers))


@router.post("/interviews/{interview_id}/invite", response_model=VideoInviteOut, status_code=201)
def invite_candidate(
    interview_id: InterviewId, _: Staff, request: Request, body: InviteIn | None = None
) -> Response:
    """A candidate link: ``{base}/video/{id}#token=…`` (the token stays in the fragment,
    which browsers never send to a server)."""
    body = body or InviteIn()
    minted = _videos(request).invite(
        interview_id, body.ttl_seconds, revoke_previous=body.revoke_previous
    )
    settings = request.app.state.container.settings
    base = (settings.public_url or str(request.base_url)).rstrip("/")
    url = f"{base}/video/{quote(interview_id, safe='')}#token={quote(minted.token, safe='')}"
    out = VideoInviteOut(
        interview_id=interview_id, token=minted.token, url=url, expires_at=minted.expires_at
    )
    return _json(out, 201)


@router.delete("/interviews/{interview_id}", status_code=204, response_class=Response)
def delete_interview(interview_id: InterviewId, _: Staff, request: Request) -> Response:
    """Delete the interview, every answer's objects and rows; its candidate link stops."""
    _records(request).delete_interview(interview_id)
    return Response(status_code=204)


@router.get("/interviews/{interview_id}/report", response_model=InterviewReport)
def interview_report(interview_id: InterviewId, _: Staff, request: Request) -> Response:
    interview, answers, records = _records(request).report(interview_id)
    body = InterviewReport(
        interview=interview_out(interview, answers),
        answers=[record_out(record) for record in records],
        overall=overall(records, len(interview.questions)),
    )
    return _json(body)


# ---- staff: records ------------------------------------------------------------------------


@router.get("/records", response_model=RecordPage)
def list_records(
    _: Staff,
    request: Request,
    candidate_email: Annotated[str | None, Query(max_length=320)] = None,
    interview_id: Annotated[str | None, Query(pattern=ID_PATTERN, max_length=64)] = None,
    page: PageNumber = 1,
    per_page: PerPage = 50,
) -> Response:
    """Submitted answers, newest first, by candidate and/or interview."""
    records, total = _records(request).list_records(
        candidate_email=candidate_email, interview_id=interview_id, page=page, per_page=per_page
    )
    body = RecordPage(
        items=[RecordSummary(**summary_fields(record)) for record in records],
        page=page,
        per_page=per_page,
        total=total,
        next_page=_next_page(page, per_page, total),
    )
    return _json(body)


@router.get("/records/{answer_id}", response_model=RecordOut)
def get_record(answer_id: AnswerId, _: Staff, request: Request) -> Response:
    """One answer with every metric, its time series and presigned downloads."""
    return _json(record_out(_records(request).record(answer_id)))


@router.delete("/records/{answer_id}", status_code=204, response_class=Response)
def delete_record(answer_id: AnswerId, _: Staff, request: Request) -> Response:
    _records(request).delete_record(answer_id)
    return Response(status_code=204)


# ---- the candidate ---------------------------------------------------------------------------


@router.get("/interviews/{interview_id}/candidate", response_model=CandidateVideoInterviewOut)
async def candidate_view(interview_id: InterviewId, request: Request) -> Response:
    """The interview as its candidate sees it: no rubric keywords."""
    await _candidate_or_staff(interview_id, request)
    interview, states = await run_in_threadpool(_videos(request).candidate_view, interview_id)
    settings = request.app.state.container.settings
    questions = [
        CandidateQuestionOut(
            index=state.index,
            text=str(state.question["text"]),
            thinking_s=int(state.question["thinking_s"]),
            max_answer_s=int(state.question["max_answer_s"]),
            attempts=int(state.question["attempts"]),
            attempts_used=state.attempts_used,
            attempts_left=state.attempts_left,
            answer=answer_out(state.answer) if state.answer is not None else None,
            answer_status=state.answer.status if state.answer is not None else None,
        )
        for state in states
    ]
    body = CandidateVideoInterviewOut(
        id=interview.id,
        title=interview.title,
        status=interview.status,
        candidate_name=interview.candidate_name,
        questions=questions,
        max_answer_bytes=settings.video_max_answer_bytes,
        content_types=list(settings.video_content_types),
    )
    return _json(body)


@router.post(
    "/interviews/{interview_id}/answers/{index}/uploads",
    response_model=UploadOut,
    status_code=201,
)
async def start_upload(
    interview_id: InterviewId, index: QuestionIndex, body: UploadIn, request: Request
) -> Response:
    """Where to upload a recording: one presigned PUT, or a multipart upload for large
    ones (413 answer_too_large, 415 unsupported_media_type, 422 answer_too_long, 409
    attempts_exhausted)."""
    await _candidate_or_staff(interview_id, request)
    upload = await run_in_threadpool(_videos(request).start_upload, interview_id, index, body)
    answer = upload.answer
    out = UploadOut(
        answer_id=answer.id,
        attempt=answer.attempt,
        mode="single" if upload.url is not None else "multipart",
        url=upload.url,
        content_type=answer.content_type,
        upload_id=answer.upload_id,
        part_bytes=upload.part_bytes,
        part_count=upload.part_count,
        expires_at=upload.expires_at,
    )
    return _json(out, 201)


@router.post(
    "/interviews/{interview_id}/answers/{index}/uploads/{answer_id}/parts",
    response_model=PartUrlsOut,
)
async def part_urls(
    interview_id: InterviewId,
    index: QuestionIndex,
    answer_id: AnswerId,
    body: PartsIn,
    request: Request,
) -> Response:
    """Presigned URLs for the parts named (the client PUTs each, in any order)."""
    await _candidate_or_staff(interview_id, request)
    urls, expires = await run_in_threadpool(
        _videos(request).part_urls, interview_id, index, answer_id, body.numbers
    )
    return _json(PartUrlsOut(urls={str(n): url for n, url in urls.items()}, expires_at=expires))


@router.get(
    "/interviews/{interview_id}/answers/{index}/uploads/{answer_id}",
    response_model=UploadStateOut,
)
async def upload_state(
    interview_id: InterviewId, index: QuestionIndex, answer_id: AnswerId, request: Request
) -> Response:
    """What arrived: a client resuming a failed upload sends only the missing parts."""
    await _candidate_or_staff(interview_id, request)
    state = await run_in_threadpool(_videos(request).upload_state, interview_id, index, answer_id)
    answer = state.answer
    out = UploadStateOut(
        answer_id=answer.id,
        status=answer.status,
        mode="single" if answer.upload_mode == "single" else "multipart",
        received=[ReceivedPart(number=p.number, size=p.size) for p in state.received],
        part_bytes=state.part_bytes,
        part_count=state.part_count,
        size_bytes=answer.size_bytes,
    )
    return _json(out)


@router.post(
    "/interviews/{interview_id}/answers/{index}/uploads/{answer_id}/complete",
    response_model=AnswerOut,
    status_code=202,
)
async def complete_upload(
    interview_id: InterviewId, index: QuestionIndex, answer_id: AnswerId, request: Request
) -> Response:
    """Check the uploaded file (422 invalid_video for anything but a video within the
    limits) and queue its analysis; completing again answers the same."""
    await _candidate_or_staff(interview_id, request)
    answer = await run_in_threadpool(_videos(request).complete, interview_id, index, answer_id)
    return _json(answer_out(answer), 202)


@router.get("/interviews/{interview_id}/answers/{index}", response_model=AnswerOut)
async def get_answer(interview_id: InterviewId, index: QuestionIndex, request: Request) -> Response:
    """The question's answer that counts and how far its analysis is (for polling)."""
    await _candidate_or_staff(interview_id, request)
    answer = await run_in_threadpool(_videos(request).answer, interview_id, index)
    return _json(answer_out(answer))
