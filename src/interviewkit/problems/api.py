"""HTTP routes of the problem bank, candidates and adaptive questions."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from interviewkit.auth.deps import authenticate, ensure_session_access, require_staff
from interviewkit.auth.service import Principal
from interviewkit.db import ID_PATTERN
from interviewkit.errors import not_found
from interviewkit.problems.bank import PROBLEM_ID, Problem
from interviewkit.problems.models import Attempt, Candidate
from interviewkit.problems.service import Assignment, Performance, PlannedPart, ProblemService
from interviewkit.sessions.models import InterviewSession

router = APIRouter(prefix="/api/v1", tags=["problems"])

RowId = Annotated[str, Path(pattern=ID_PATTERN, max_length=64)]
ProblemId = Annotated[str, Path(pattern=PROBLEM_ID, max_length=64)]
Staff = Annotated[Principal, Depends(require_staff)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CandidateCreate(Strict):
    name: str = Field(min_length=1, max_length=200)
    email: str | None = Field(None, max_length=320, pattern=r"^[^@\s]+@[^@\s]+$")
    external_ref: str | None = Field(None, min_length=1, max_length=200)


class NextQuestionRequest(Strict):
    language: str = Field(min_length=1, max_length=32)
    tags: list[Annotated[str, Field(min_length=1, max_length=50)]] = Field(
        default_factory=list, max_length=10
    )
    auto_generate: bool = False


class CompleteRequest(Strict):
    score: float | None = Field(None, ge=0, le=1, description="Default: from the last submit")
    assistant_messages: int | None = Field(
        None,
        ge=0,
        le=10_000,
        description="Assistant use to count; never below the turns this server's assistant "
        "served in the attempt's session (those are counted as they happen)",
    )


class AttemptOut(BaseModel):
    id: str
    candidate_id: str
    session_id: str | None
    problem_id: str
    language: str
    status: Literal["assigned", "started", "completed"]
    adapted_difficulty: str
    theta_before: float
    assigned_at: str
    started_at: str | None
    finished_at: str | None
    hints_used: int
    assistant_messages: int
    """Assistant turns in the attempt's session (each counts toward the penalty)."""
    score: float | None
    breakdown: dict[str, Any]

    @classmethod
    def of(cls, row: Attempt) -> AttemptOut:
        return cls(
            id=row.id,
            candidate_id=row.candidate_id,
            session_id=row.session_id,
            problem_id=row.problem_id,
            language=row.language,
            status=row.status,
            adapted_difficulty=row.adapted_difficulty,
            theta_before=row.theta_before,
            assigned_at=row.assigned_at.isoformat(),
            started_at=row.started_at.isoformat() if row.started_at else None,
            finished_at=row.finished_at.isoformat() if row.finished_at else None,
            hints_used=row.hints_used,
            assistant_messages=row.assistant_messages,
            score=row.score,
            breakdown=row.breakdown or {},
        )


class CandidateOut(BaseModel):
    id: str
    name: str
    email: str | None
    external_ref: str | None
    created_at: str
    attempts: list[AttemptOut] = Field(default_factory=list)

    @classmethod
    def of(cls, row: Candidate, attempts: list[Attempt]) -> CandidateOut:
        return cls(
            id=row.id,
            name=row.name,
            email=row.email,
            external_ref=row.external_ref,
            created_at=row.created_at.isoformat(),
            attempts=[AttemptOut.of(a) for a in attempts],
        )


class Question(BaseModel):
    attempt: AttemptOut
    problem: dict[str, Any]
    adapted_difficulty: str
    theta: float
    theta_se: float

    @classmethod
    def of(cls, assignment: Assignment) -> Question:
        return cls(
            attempt=AttemptOut.of(assignment.attempt),
            problem=assignment.problem.public_view(),
            adapted_difficulty=assignment.attempt.adapted_difficulty,
            theta=round(assignment.theta, 4),
            theta_se=round(assignment.se, 4),
        )


class HintOut(BaseModel):
    attempt: AttemptOut
    hint: str
    number: int


class ProblemSummary(BaseModel):
    id: str
    title: str
    difficulty: str
    tags: list[str]
    languages: list[str]
    irt: dict[str, float]


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


def staff_view(problem: Problem) -> dict[str, Any]:
    """Everything, for interviewers: references, hidden tests, rubric, IRT parameters."""
    return problem.model_dump(mode="json")


# ---- the bank -------------------------------------------------------------------------


@router.get("/problems", summary="The problem bank (interviewers)")
async def list_problems(
    request: Request,
    _: Staff,
    difficulty: Literal["easy", "medium", "hard"] | None = None,
    tag: Annotated[str | None, Query(max_length=50)] = None,
) -> dict[str, list[ProblemSummary]]:
    service = _service(request)
    if tag is not None:
        service.check_tags([tag])
    problems = service.bank.problems.values()
    shown = [
        _summary(p)
        for p in problems
        if (difficulty is None or p.difficulty == difficulty) and (tag is None or tag in p.tags)
    ]
    return {"problems": shown}


@router.get("/problems/{problem_id}", summary="One problem, with references and hidden tests")
async def get_problem(problem_id: ProblemId, request: Request, _: Staff) -> dict[str, Any]:
    return staff_view(_service(request).problem(problem_id))


@router.get("/templates", summary="Interview templates")
async def list_templates(request: Request, _: Staff) -> dict[str, list[dict[str, Any]]]:
    templates = _service(request).bank.templates.values()
    return {"templates": [t.model_dump(mode="json") | {"minutes": t.minutes} for t in templates]}


@router.get("/templates/{template_id}", summary="One interview template")
async def get_template(template_id: ProblemId, request: Request, _: Staff) -> dict[str, Any]:
    template = _service(request).template(template_id)
    return template.model_dump(mode="json") | {"minutes": template.minutes}


@router.get(
    "/sessions/{session_id}/problem",
    summary="The session's problem: the statement for candidates, everything for staff",
)
async def session_problem(session_id: RowId, request: Request) -> dict[str, Any]:
    principal = ensure_session_access(await authenticate(request), session_id)
    container = request.app.state.container
    interview = await run_in_threadpool(container.sessions.get_session, session_id)
    if interview.problem_id is None:
        raise not_found("no_problem", f"session {session_id} has no problem attached")
    service = _service(request)
    problem = service.problem(interview.problem_id)
    shown = staff_view(problem) if principal.is_staff else problem.public_view()
    finished = await run_in_threadpool(service.finished_parts, session_id)
    return shown | {"part": _current_part(service.plan(interview), len(finished))}


class PartOut(BaseModel):
    """A part as a candidate may see it; staff also get the part's problem and verdict."""

    number: int
    label: str
    minutes: float | None
    file: str
    ended_at: str | None = None
    ended_by: str | None = None
    problem_id: str | None = None
    execution_id: str | None = None
    passed: int | None = None
    total: int | None = None
    score: float | None = None


class PartsOut(BaseModel):
    session_id: str
    status: str
    current: PartOut | None
    """None when no part is open (the session ended, or has no problem)."""
    has_next: bool
    deadline_at: str | None
    """When the session's time limit runs out (``config.time_limit_minutes``), if it has one."""
    parts: list[PartOut]
    """Finished parts then the current one; staff see the upcoming ones too."""


def _current_part(plan: list[PlannedPart], position: int) -> dict[str, Any] | None:
    if position >= len(plan):
        return None
    part = plan[position]
    return {
        "number": position + 1,
        "label": part.label,
        "minutes": part.minutes,
        "file": part.path,
        "has_next": position + 1 < len(plan),
    }


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
async def session_parts(session_id: RowId, request: Request) -> PartsOut:
    principal = ensure_session_access(await authenticate(request), session_id)
    container = request.app.state.container
    interview = await run_in_threadpool(container.sessions.get_session, session_id)
    return await run_in_threadpool(_parts, _service(request), interview, principal.is_staff)


@router.post(
    "/sessions/{session_id}/parts/next",
    response_model=PartsOut,
    summary="Submit the current part as it is and move to the next (staff or the candidate)",
)
async def next_part(session_id: RowId, request: Request) -> PartsOut:
    principal = ensure_session_access(await authenticate(request), session_id)
    service = _service(request)
    who = principal.key_id or f"candidate:{principal.session_id}"
    interview, _ = await service.next_part(session_id, who)
    return await run_in_threadpool(_parts, service, interview, principal.is_staff)


# ---- candidates and attempts ------------------------------------------------------------


@router.post("/candidates", status_code=201, response_model=CandidateOut)
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
