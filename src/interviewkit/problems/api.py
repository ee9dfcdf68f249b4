"""HTTP routes of the problem bank, candidates and adaptive questions."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from interviewkit.auth.deps import SessionAccess, require_staff
from interviewkit.auth.service import Principal
from interviewkit.db import ID_PATTERN
from interviewkit.errors import not_found
from interviewkit.problems.attempts import Performance
from interviewkit.problems.bank import PROBLEM_ID, Problem
from interviewkit.problems.schemas import (
    AttemptOut,
    CandidateCreate,
    CandidateList,
    CandidateOut,
    CandidateSessionProblem,
    CandidateSessions,
    CompleteRequest,
    CurrentPart,
    HintOut,
    NextQuestionRequest,
    PartOut,
    PartsOut,
    ProblemList,
    ProblemSummary,
    Question,
    StaffSessionProblem,
    TemplateList,
    TemplateOut,
)
from interviewkit.problems.service import ProblemService
from interviewkit.sessions.models import InterviewSession
from interviewkit.sessions.schemas import SafeText, SessionOut

router = APIRouter(prefix="/api/v1", tags=["problems"])

RowId = Annotated[str, Path(pattern=ID_PATTERN, max_length=64)]
ProblemId = Annotated[str, Path(pattern=PROBLEM_ID, max_length=64)]
Staff = Annotated[Principal, Depends(require_staff)]


def _service(request: Request) -> ProblemService:
    service: ProblemService = request.app.state.container.problems
    return service


def _summary(problem: Problem) -> ProblemSummary:
    return ProblemSummary(
        id=problem.id,
        title=problem.title,
        difficulty=problem.difficulty,
        tags=problem.tags,
        languages=problem.languages,
        irt=problem.irt.model_dump(),
    )


def _json(body: BaseModel) -> Response:
    """A finished response: the route's ``response_model`` documents it, and FastAPI
    neither re-validates it nor picks a member of a union by guessing."""
    return Response(body.model_dump_json(), media_type="application/json")


# ---- the bank -------------------------------------------------------------------------


@router.get("/problems", response_model=ProblemList, summary="The problem bank (interviewers)")
async def list_problems(
    request: Request,
    _: Staff,
    difficulty: Literal["easy", "medium", "hard"] | None = None,
    tag: Annotated[str | None, Query(max_length=50)] = None,
) -> ProblemList:
    service = _service(request)
    if tag is not None:
        service.check_tags([tag])
    problems = service.bank.problems.values()
    shown = [
        _summary(p)
        for p in problems
        if (difficulty is None or p.difficulty == difficulty) and (tag is None or tag in p.tags)
    ]
    return ProblemList(problems=shown)


@router.get(
    "/problems/{problem_id}",
    response_model=Problem,
    summary="One problem, with references and hidden tests",
)
async def get_problem(problem_id: ProblemId, request: Request, _: Staff) -> Response:
    """Everything, for interviewers: references, hidden tests, rubric, IRT parameters."""
    return _json(_service(request).problem(problem_id))


@router.get("/templates", response_model=TemplateList, summary="Interview templates")
async def list_templates(request: Request, _: Staff) -> TemplateList:
    templates = _service(request).bank.templates.values()
    return TemplateList(templates=[TemplateOut.of(t) for t in templates])


@router.get("/templates/{template_id}", response_model=TemplateOut, summary="One template")
async def get_template(template_id: ProblemId, request: Request, _: Staff) -> TemplateOut:
    return TemplateOut.of(_service(request).template(template_id))


@router.get(
    "/sessions/{session_id}/problem",
    response_model=StaffSessionProblem | CandidateSessionProblem,
    summary="The session's problem: the statement for candidates, everything for staff",
)
async def session_problem(access: SessionAccess, request: Request) -> Response:
    session_id = access.session_id
    container = request.app.state.container
    interview = await run_in_threadpool(container.sessions.get_session, session_id)
    if interview.problem_id is None:
        raise not_found("no_problem", f"session {session_id} has no problem attached")
    service = _service(request)
    problem = service.problem(interview.problem_id)
    finished = await run_in_threadpool(service.finished_parts, session_id)
    part = CurrentPart.at(service.plan(interview), len(finished))
    if access.is_staff:
        fields = {name: getattr(problem, name) for name in Problem.model_fields}
        return _json(StaffSessionProblem(**fields, part=part))
    return _json(CandidateSessionProblem(**problem.public_view(), part=part))


def _parts(service: ProblemService, interview: InterviewSession, staff: bool) -> PartsOut:
    plan = service.plan(interview)
    finished = service.finished_parts(interview.id)
    open_at = len(finished) if interview.is_active and len(finished) < len(plan) else None
    shown: list[PartOut] = []
    for part in plan:
        done = finished[part.position] if part.position < len(finished) else None
        if done is None and part.position != open_at and not staff:
            continue  # upcoming parts stay the interviewer's
        out = PartOut(
            number=part.position + 1, label=part.label, minutes=part.minutes, file=part.path
        )
        if done is not None:
            out.ended_at = done.ended_at.isoformat()
            out.ended_by = done.ended_by
        if staff:
            out.problem_id = part.problem_id
            if done is not None:
                out.execution_id = done.execution_id
                out.passed, out.total, out.score = done.passed, done.total, done.score
        shown.append(out)
    current = next((p for p in shown if p.number - 1 == open_at), None)
    return PartsOut(
        session_id=interview.id,
        status=interview.status,
        current=current,
        has_next=open_at is not None and open_at + 1 < len(plan),
        deadline_at=interview.deadline_at.isoformat() if interview.deadline_at else None,
        parts=shown,
    )


@router.get(
    "/sessions/{session_id}/parts",
    response_model=PartsOut,
    summary="The session's parts: finished, current (and, for staff, upcoming with scores)",
)
async def session_parts(access: SessionAccess, request: Request) -> PartsOut:
    container = request.app.state.container
    interview = await run_in_threadpool(container.sessions.get_session, access.session_id)
    return await run_in_threadpool(_parts, _service(request), interview, access.is_staff)


@router.post(
    "/sessions/{session_id}/parts/next",
    response_model=PartsOut,
    summary="Submit the current part as it is and move to the next (staff or the candidate)",
)
async def next_part(access: SessionAccess, request: Request) -> PartsOut:
    principal, service = access.principal, _service(request)
    who = principal.key_id or f"candidate:{principal.session_id}"
    interview, _ = await service.next_part(access.session_id, who)
    return await run_in_threadpool(_parts, service, interview, access.is_staff)


# ---- candidates and attempts ------------------------------------------------------------


@router.get(
    "/candidates",
    response_model=CandidateList,
    summary="Candidates, newest first: search by name or email, or look up an external_ref",
)
async def list_candidates(
    request: Request,
    _: Staff,
    q: Annotated[
        SafeText | None, Query(max_length=200, description="Part of the name or email")
    ] = None,
    external_ref: Annotated[SafeText | None, Query(min_length=1, max_length=200)] = None,
    limit: Annotated[int, Query(ge=1)] = 20,
    cursor: Annotated[str | None, Query(max_length=512)] = None,
) -> Response:
    service = _service(request)
    limit = min(limit, service.settings.max_page_size)
    rows, next_cursor = await run_in_threadpool(
        lambda: service.list_candidates(q=q, external_ref=external_ref, limit=limit, cursor=cursor)
    )
    return _json(
        CandidateList(candidates=[CandidateOut.of(r, []) for r in rows], next_cursor=next_cursor)
    )


@router.get(
    "/candidates/{candidate_id}/sessions",
    response_model=CandidateSessions,
    summary="A candidate's sessions (by email and by attempts) and attempts",
)
async def candidate_sessions(candidate_id: RowId, request: Request, _: Staff) -> Response:
    sessions, attempts = await run_in_threadpool(_service(request).candidate_sessions, candidate_id)
    return _json(
        CandidateSessions(
            sessions=[SessionOut.of(s) for s in sessions],
            attempts=[AttemptOut.of(a) for a in attempts],
        )
    )


@router.post(
    "/candidates",
    status_code=201,
    response_model=CandidateOut,
    responses={409: {"description": "The email is taken: ``existing_id`` names its candidate"}},
)
async def create_candidate(body: CandidateCreate, request: Request, _: Staff) -> CandidateOut:
    service = _service(request)
    row = await run_in_threadpool(
        service.create_candidate, body.name, body.email, body.external_ref
    )
    return CandidateOut.of(row, [])


@router.get("/candidates/{candidate_id}", response_model=CandidateOut)
async def get_candidate(candidate_id: RowId, request: Request, _: Staff) -> CandidateOut:
    service = _service(request)
    row = await run_in_threadpool(service.candidate, candidate_id)
    attempts = await run_in_threadpool(service.attempts, candidate_id)
    return CandidateOut.of(row, attempts)


@router.post(
    "/candidates/{candidate_id}/next-question",
    status_code=201,
    response_model=Question,
    summary="Pick the most informative unseen problem and open a session for it",
)
async def next_question(
    candidate_id: RowId, body: NextQuestionRequest, request: Request, _: Staff
) -> Question:
    service = _service(request)
    assignment = await run_in_threadpool(
        lambda: service.next_question(
            candidate_id, body.language, body.tags, auto_generate=body.auto_generate
        )
    )
    return Question.of(assignment)


@router.get("/candidates/{candidate_id}/performance", response_model=Performance)
async def performance(candidate_id: RowId, request: Request, _: Staff) -> Performance:
    return await run_in_threadpool(_service(request).performance, candidate_id)


@router.get("/attempts/{attempt_id}", response_model=AttemptOut)
async def get_attempt(attempt_id: RowId, request: Request, _: Staff) -> AttemptOut:
    return AttemptOut.of(await run_in_threadpool(_service(request).attempt, attempt_id))


@router.post("/attempts/{attempt_id}/start", response_model=AttemptOut)
async def start_attempt(attempt_id: RowId, request: Request, _: Staff) -> AttemptOut:
    return AttemptOut.of(await run_in_threadpool(_service(request).start, attempt_id))


@router.post("/attempts/{attempt_id}/hint", response_model=HintOut, summary="Next graded hint")
async def next_hint(attempt_id: RowId, request: Request, _: Staff) -> HintOut:
    attempt, hint = await run_in_threadpool(_service(request).hint, attempt_id)
    return HintOut(attempt=AttemptOut.of(attempt), hint=hint, number=attempt.hints_used)


@router.post("/attempts/{attempt_id}/complete", response_model=AttemptOut)
async def complete_attempt(
    attempt_id: RowId, request: Request, _: Staff, body: CompleteRequest | None = None
) -> AttemptOut:
    body = body or CompleteRequest()
    attempt = await run_in_threadpool(
        _service(request).complete, attempt_id, body.score, body.assistant_messages
    )
    return AttemptOut.of(attempt)
