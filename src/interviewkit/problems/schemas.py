"""Requests and responses of the problems API: every route's JSON, typed.

The candidate's problem view is an allow-list (``Problem.public_view``): these models
name its fields so the OpenAPI document shows them, and forbid extra keys so a field
added to the view without a place here fails the tests instead of leaking unseen.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from interviewkit.execution.harness import Signature
from interviewkit.problems.bank import BankTest, Problem, Template, TemplatePart, TemplateVoice
from interviewkit.problems.models import Attempt, Candidate
from interviewkit.problems.parts import PlannedPart
from interviewkit.problems.service import Assignment
from interviewkit.sessions.schemas import SafeText, SessionOut


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CandidateCreate(Strict):
    name: SafeText = Field(min_length=1, max_length=200)
    email: SafeText | None = Field(None, max_length=320, pattern=r"^[^@\s]+@[^@\s]+$")
    external_ref: SafeText | None = Field(None, min_length=1, max_length=200)


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


class CandidateList(BaseModel):
    candidates: list[CandidateOut]
    """Newest first, without their attempts (``GET /candidates/{id}`` has them)."""
    next_cursor: str | None = Field(description="Pass as ?cursor= for the next page")


class CandidateSessions(BaseModel):
    """A candidate's sessions (by email, any case, and by their attempts) and attempts."""

    sessions: list[SessionOut]
    attempts: list[AttemptOut]


class Question(BaseModel):
    attempt: AttemptOut
    problem: PublicProblem
    adapted_difficulty: str
    theta: float
    theta_se: float

    @classmethod
    def of(cls, assignment: Assignment) -> Question:
        return cls(
            attempt=AttemptOut.of(assignment.attempt),
            problem=PublicProblem.model_validate(assignment.problem.public_view()),
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


class CurrentPart(BaseModel):
    """The part in front of the candidate, as the problem view shows it."""

    number: int
    label: str
    minutes: float | None
    file: str
    has_next: bool

    @classmethod
    def at(cls, plan: list[PlannedPart], position: int) -> CurrentPart | None:
        """The part at ``position`` of the plan (None once every part is judged)."""
        if position >= len(plan):
            return None
        part = plan[position]
        return cls(
            number=position + 1,
            label=part.label,
            minutes=part.minutes,
            file=part.path,
            has_next=position + 1 < len(plan),
        )


class PublicProblem(BaseModel):
    """What a candidate may see of a problem (``Problem.public_view``)."""

    model_config = ConfigDict(extra="forbid")

    id: str
    title: str
    description: str
    difficulty: str
    tags: list[str]
    entry_point: str
    signature: Signature
    time_limit_s: float
    time_limits: dict[str, float] = Field(
        default_factory=dict, description="Seconds per language (the statement lists them)"
    )
    languages: list[str]
    starter: dict[str, str]
    examples: list[BankTest]


class CandidateSessionProblem(PublicProblem):
    part: CurrentPart | None


class StaffSessionProblem(Problem):
    """Everything (references, hidden tests, rubric, IRT) and the current part."""

    part: CurrentPart | None


class ProblemList(BaseModel):
    problems: list[ProblemSummary]


class TemplateOut(BaseModel):
    """A template as the bank holds it, with ``minutes``: the sum of its parts."""

    id: str
    title: str
    description: str
    parts: list[TemplatePart]
    languages: list[str]
    assistant_policy: str
    voice: TemplateVoice
    """How the voice interviewer sounds in this template's interviews."""
    minutes: int

    @classmethod
    def of(cls, template: Template) -> TemplateOut:
        return cls(
            id=template.id,
            title=template.title,
            description=template.description,
            parts=template.parts,
            languages=template.languages,
            assistant_policy=template.assistant_policy,
            voice=template.voice,
            minutes=template.minutes,
        )


class TemplateList(BaseModel):
    templates: list[TemplateOut]
