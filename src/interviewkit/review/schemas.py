"""The review domain's JSON: scorecards, the report a hiring panel reads, and compare.

These models are the contract the staff pages render (``/reports/{id}``) and the report's
charts read (``#report-data``): field names follow ``/tmp/briefs/contract.md`` section B.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from interviewkit.sessions.schemas import SafeNotes

Recommendation = Literal["strong_no", "no", "yes", "strong_yes"]
RECOMMENDATIONS: tuple[Recommendation, ...] = ("strong_no", "no", "yes", "strong_yes")
Rating = Annotated[int, Field(ge=1, le=4)]
CriterionName = Annotated[str, Field(min_length=1, max_length=100)]
ProblemKey = Annotated[str, Field(min_length=1, max_length=64)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


# ---- scorecards ---------------------------------------------------------------------------


class ScorecardIn(Strict):
    """One interviewer's card: a 1-4 rating per rubric item of each problem, notes and a
    recommendation. Saving again replaces the draft; ``submit`` freezes it."""

    ratings: dict[ProblemKey, dict[CriterionName, Rating]] = Field(
        default_factory=dict, max_length=20
    )
    notes: SafeNotes = Field("", max_length=20_000)
    recommendation: Recommendation | None = None
    submit: bool = False


class ScorecardOut(BaseModel):
    id: str
    session_id: str
    interviewer_id: str
    interviewer_name: str
    ratings: dict[str, dict[str, int]]
    notes: str
    recommendation: Recommendation | None
    status: Literal["draft", "submitted"]
    rubric_score: float | None
    """The weighted mean of the ratings scaled to 0..100 (1 -> 0, 4 -> 100); None unrated."""
    updated_at: str
    submitted_at: str | None


class RubricItemOut(BaseModel):
    criterion: str
    weight: float
    description: str


class RubricOut(BaseModel):
    problem_id: str
    title: str
    items: list[RubricItemOut]


class Scorecards(BaseModel):
    rubric: list[RubricOut]
    scorecards: list[ScorecardOut]


# ---- the report ---------------------------------------------------------------------------


class ReportSession(BaseModel):
    id: str
    candidate_name: str | None
    candidate_email: str | None
    template_id: str | None
    problem_id: str | None
    status: str
    language: str | None
    created_at: str
    ended_at: str | None
    duration_ms: int
    """Ended: from start to end; live: from start to now."""


class ReportScore(BaseModel):
    total: float | None
    """0..100: the mean of the parts' scores weighted by their minutes; None with no part."""
    explanation: str


class TestCounts(BaseModel):
    __test__ = False  # not a pytest class

    passed: int = 0
    total: int = 0
    visible_passed: int = 0
    visible_total: int = 0
    hidden_passed: int = 0
    hidden_total: int = 0
    large_passed: int = 0
    large_total: int = 0


class Breakdown(BaseModel):
    tests: float
    """0..1: tests passed, weighted visible 1, hidden 2, large 3."""
    speed: float
    """0..1: 1 accepted at once, falling linearly to 0 at the part's minutes (0 never)."""
    assistance: float
    """0..1: 1 with no help, less per hint and per assistant turn."""


class ReportPart(BaseModel):
    position: int
    label: str
    problem_id: str
    title: str
    difficulty: str
    path: str
    final_code: str | None
    """The part's file at the end of the part (None: the file was never written)."""
    verdict: str | None
    """The status of the part's judged (or last) submission; None when never run."""
    tests: TestCounts
    runs: int
    time_to_first_run_ms: int | None
    time_to_first_accepted_ms: int | None
    """From the part's start to its first accepted run (None: never accepted)."""
    hints_used: int
    assistant_turns: int
    score: float
    """0..100 (``scoring.part_score``)."""
    breakdown: Breakdown


class AdaptiveOut(BaseModel):
    attempt_id: str
    problem_id: str
    theta: float
    se: float
    explanation: str


class Moment(BaseModel):
    t_ms: int
    file: str | None
    size: int


class Span(BaseModel):
    start_ms: int
    end_ms: int


class Integrity(BaseModel):
    pastes: list[Moment]
    time_away_ms: int
    away: list[Span]
    large_inserts: list[Moment]


class AIUse(BaseModel):
    turns: int
    """Questions the candidate asked the assistant (its replies are not counted again)."""
    hints: int
    """Hints released: by the assistant, or (an adaptive question) by the hint route."""
    tokens_in: int
    tokens_out: int
    cost_usd: float


class ActivityPoint(BaseModel):
    minute: int
    edits: int
    runs: int
    ai: int


class TestsPoint(BaseModel):
    __test__ = False

    t_ms: int
    passed: int
    total: int
    position: int
    """The part (0-based) the run belongs to."""


class Charts(BaseModel):
    activity: list[ActivityPoint]
    tests_passing: list[TestsPoint]


class Report(BaseModel):
    session: ReportSession
    score: ReportScore
    parts: list[ReportPart]
    adaptive: list[AdaptiveOut]
    integrity: Integrity
    ai: AIUse
    scorecards: list[ScorecardOut]
    charts: Charts


# ---- compare ------------------------------------------------------------------------------


class ComparePart(BaseModel):
    score: float | None
    passed: int
    total: int
    time_to_first_accepted_ms: int | None


class CompareRow(BaseModel):
    session_id: str
    candidate_name: str | None
    status: str
    total: float | None
    parts: list[ComparePart]
    recommendations: list[str]


class Compare(BaseModel):
    template: dict[str, Any]
    rows: list[CompareRow]
