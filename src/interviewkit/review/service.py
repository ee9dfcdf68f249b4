"""The review domain: scorecards, the automatic scores, the report and compare.

A domain above sessions, problems, execution, recording and the assistant: it reads them
through their services only (never their tables) and owns one table, ``scorecards``.
"""

from __future__ import annotations

import copy
import dataclasses
import logging
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from interviewkit.assistant.service import AssistantService
from interviewkit.auth.service import AuthService, Principal
from interviewkit.caching import LRUCache
from interviewkit.config import Settings
from interviewkit.db import new_id, read_session, run_write, utcnow
from interviewkit.errors import ProblemError, bad_request, conflict
from interviewkit.execution.schemas import ExecutionResult
from interviewkit.execution.service import ExecutionService
from interviewkit.problems.bank import Problem
from interviewkit.problems.models import Attempt, SessionPart
from interviewkit.problems.parts import PlannedPart
from interviewkit.problems.service import ProblemService
from interviewkit.recording.service import RecordingService
from interviewkit.review import scoring
from interviewkit.review.models import Scorecard
from interviewkit.review.report import EventPass, PartFacts
from interviewkit.review.schemas import (
    AdaptiveOut,
    AIUse,
    Breakdown,
    Charts,
    Compare,
    ComparePart,
    CompareRow,
    Integrity,
    Report,
    ReportPart,
    ReportScore,
    ReportSession,
    RubricItemOut,
    RubricOut,
    ScorecardIn,
    ScorecardOut,
    Scorecards,
    TestCounts,
)
from interviewkit.sessions.models import InterviewSession
from interviewkit.sessions.service import SessionService

log = logging.getLogger(__name__)

PASSES_KEPT = 64
"""Reports' passes over the log kept in memory (a few KB each, whatever the log's size)."""
EXTEND_PAGE = 5000
COMPARE_MAX = 10
"""Sessions side by side at most (a panel compares a shortlist, not a cohort)."""


@dataclass
class ReviewService:
    factory: sessionmaker[Session]
    settings: Settings
    sessions: SessionService
    problems: ProblemService
    executions: ExecutionService
    recording: RecordingService
    assistant: AssistantService
    auth: AuthService
    _passes: LRUCache[str, EventPass] = field(default_factory=lambda: LRUCache(PASSES_KEPT))

    # ---- scorecards --------------------------------------------------------------------

    def rubric(self, interview: InterviewSession) -> list[RubricOut]:
        """The rubric of each distinct problem of the session, in the order of its parts."""
        shown: list[RubricOut] = []
        for part in self.problems.plan(interview):
            if any(r.problem_id == part.problem_id for r in shown):
                continue
            problem = self._problem(part.problem_id)
            if problem is None:
                continue
            items = [
                RubricItemOut(criterion=i.criterion, weight=i.weight, description=i.description)
                for i in problem.rubric
            ]
            shown.append(RubricOut(problem_id=problem.id, title=problem.title, items=items))
        return shown

    def scorecards(self, session_id: str) -> Scorecards:
        interview = self.sessions.get_session(session_id)
        rubric = self.rubric(interview)
        return Scorecards(rubric=rubric, scorecards=self._cards(session_id, rubric))

    def _cards(self, session_id: str, rubric: list[RubricOut]) -> list[ScorecardOut]:
        query = (
            select(Scorecard)
            .where(Scorecard.session_id == session_id)
            .order_by(Scorecard.created_at, Scorecard.id)
        )
        with read_session(self.factory) as db:
            rows = list(db.scalars(query))
            db.expunge_all()
        names = self.auth.key_names(row.interviewer_id for row in rows)
        weights = _weights(rubric)
        return [_card_out(row, names, weights) for row in rows]

    def save_scorecard(
        self, session_id: str, principal: Principal, body: ScorecardIn
    ) -> ScorecardOut:
        """Create or update the caller's own card; a submitted card is final (409)."""
        if principal.key_id is None or not principal.is_staff:
            raise ProblemError(403, "forbidden", "scorecards are written by interviewers")
        interview = self.sessions.get_session(session_id)
        rubric = self.rubric(interview)
        self._check_ratings(body.ratings, rubric)
        if body.submit and body.recommendation is None:
            raise ProblemError(
                422,
                "recommendation_required",
                "a scorecard is submitted with a recommendation (strong_no, no, yes, strong_yes)",
            )
        key_id = principal.key_id

        def upsert(db: Session) -> Scorecard:
            self.sessions.started_at(db, session_id)  # 404 if it went meanwhile
            query = select(Scorecard).where(
                Scorecard.session_id == session_id, Scorecard.interviewer_id == key_id
            )
            row = db.scalars(query.with_for_update()).one_or_none()
            now = utcnow()
            if row is None:
                row = Scorecard(
                    id=new_id("scr"),
                    session_id=session_id,
                    interviewer_id=key_id,
                    created_at=now,
                )
                db.add(row)
            elif row.status == "submitted":
                raise conflict(
                    "scorecard_submitted",
                    f"your scorecard for {session_id} was submitted and cannot change",
                    scorecard_id=row.id,
                )
            row.ratings = {p: dict(r) for p, r in body.ratings.items()}
            row.notes = body.notes
            row.recommendation = body.recommendation
            row.status = "submitted" if body.submit else "draft"
            row.updated_at = now
            row.submitted_at = now if body.submit else None
            db.flush()
            db.expunge(row)
            return row

        try:
            saved = run_write(self.factory, upsert)
        except IntegrityError:  # the same interviewer's first save twice at once
            raise conflict(
                "scorecard_changed", "your scorecard was created meanwhile; save again"
            ) from None
        names = self.auth.key_names([key_id])
        return _card_out(saved, names, _weights(rubric))

    @staticmethod
    def _check_ratings(ratings: dict[str, dict[str, int]], rubric: list[RubricOut]) -> None:
        known = {r.problem_id: {i.criterion for i in r.items} for r in rubric}
        unknown = [
            f"{problem_id}/{criterion}"
            for problem_id, given in ratings.items()
            for criterion in (given if problem_id in known else {"*": 0})
            if problem_id not in known or criterion not in known[problem_id]
        ]
        if unknown:
            raise ProblemError(
                422,
                "unknown_rubric_item",
                f"not in this session's rubric: {', '.join(sorted(unknown)[:10])}",
                unknown=sorted(unknown),
                rubric={p: sorted(c) for p, c in known.items()},
            )

    # ---- the report --------------------------------------------------------------------

    def report(self, session_id: str) -> Report:
        """Everything a hiring panel decides from; 404 only for an unknown session."""
        interview = self.sessions.get_session(session_id)
        plan = self.problems.plan(interview)
        finished = self.problems.finished_parts(session_id)
        facts = self._facts(session_id)
        now = utcnow()
        end = interview.ended_at or now
        duration = max(0, _ms(end - interview.created_at))
        messages = self.assistant.messages(session_id, check=False)
        hints_at = [
            _ms(m.created_at - interview.created_at)
            for m in messages
            if m.hint and m.role == "assistant"
        ]
        attempts = self.problems.session_attempts(session_id)
        parts = self._parts(interview, plan, finished, facts, hints_at, attempts)
        total = scoring.session_total(
            [(p.score, plan[p.position].minutes if p.position < len(plan) else None) for p in parts]
        )
        rubric = self.rubric(interview)
        return Report(
            session=ReportSession(
                id=interview.id,
                candidate_name=interview.candidate_name,
                candidate_email=interview.candidate_email,
                template_id=interview.template_id,
                problem_id=interview.problem_id,
                status=interview.status,
                language=_language(interview),
                created_at=interview.created_at.isoformat(),
                ended_at=interview.ended_at.isoformat() if interview.ended_at else None,
                duration_ms=duration,
            ),
            score=ReportScore(total=total, explanation=_explain(parts, total, interview)),
            parts=parts,
            adaptive=self._adaptive(attempts),
            integrity=Integrity(
                pastes=facts.pastes,
                time_away_ms=facts.time_away_ms,
                away=facts.away,
                large_inserts=facts.large_inserts,
            ),
            ai=AIUse(
                turns=sum(1 for m in messages if m.role == "user"),
                hints=max(len(hints_at), sum(p.hints_used for p in parts)),
                tokens_in=sum(m.tokens_in for m in messages),
                tokens_out=sum(m.tokens_out for m in messages),
                cost_usd=round(sum(m.cost_usd for m in messages), 6),
            ),
            scorecards=self._cards(session_id, rubric),
            charts=Charts(activity=facts.activity(duration), tests_passing=facts.tests_passing),
        )

    def _facts(self, session_id: str) -> EventPass:
        """The pass over the session's log up to its last event, from the cache when it
        saw them all, else extended from where the cached one stopped (a live session),
        else read from the start. Cached passes are never changed: an extension works on
        a copy, so concurrent reports share them safely."""
        idle_ms = int(self.settings.recording_idle_seconds * 1000)
        try:
            last_seq = self.recording.recording(session_id).last_seq
        except ProblemError as exc:
            if exc.code != "no_recording":
                raise
            return EventPass(idle_ms)  # a session that recorded nothing yet
        cached = self._passes.get(session_id)
        if cached is not None and cached.seq == last_seq:
            return cached
        if cached is not None and cached.seq < last_seq:
            facts = copy.deepcopy(cached)
            while True:
                page = self.recording.events(session_id, facts.seq + 1, EXTEND_PAGE)
                facts.feed(page)
                if len(page) < EXTEND_PAGE:
                    break
        else:
            facts = EventPass(idle_ms).feed(self.recording.all_events(session_id, resolve=False))
        self._passes.put(session_id, facts)
        return facts

    def _parts(
        self,
        interview: InterviewSession,
        plan: list[PlannedPart],
        finished: list[SessionPart],
        facts: EventPass,
        hints_at: list[int],
        attempts: list[Attempt],
    ) -> list[ReportPart]:
        reached = len(finished) + (1 if interview.is_active and len(finished) < len(plan) else 0)
        shown = plan if not interview.is_active else plan[: max(reached, 1 if plan else 0)]
        workspace: dict[str, str] | None = None
        out: list[ReportPart] = []
        for part in shown:
            done = finished[part.position] if part.position < len(finished) else None
            seen = facts.part(part.position)
            was_reached = seen is not None or done is not None or part.position == 0
            if seen is None:
                seen = PartFacts(part.position, facts.end_ms)
            execution_id = (
                (done.execution_id if done else None) or seen.last_submit or seen.last_run
            )
            if not was_reached:
                execution_id = None
            result = self._result(execution_id)
            problem = self._problem(part.problem_id)
            tally = _tally(result, problem)
            end_ms = seen.end_ms
            if done is not None and end_ms is not None:
                code = self._code_at(interview.id, part.path, end_ms)
            elif was_reached:
                if workspace is None:
                    workspace = self.sessions.workspace_snapshot(interview.id)[1]
                code = workspace.get(part.path)
            else:
                code = None
            start, stop = seen.start_ms, end_ms if end_ms is not None else 2**62
            hints = sum(1 for t in hints_at if start <= t < stop) if was_reached else 0
            if len(plan) == 1 and attempts:  # the hint route counts on the attempt too
                hints = max(hints, max(a.hints_used for a in attempts))
            scored = scoring.part_score(
                tally, seen.first_accepted_ms, part.minutes, hints, seen.turns
            )
            out.append(
                ReportPart(
                    position=part.position,
                    label=part.label,
                    problem_id=part.problem_id,
                    title=problem.title if problem else part.problem_id,
                    difficulty=problem.difficulty if problem else "",
                    path=part.path,
                    final_code=code,
                    verdict=result.status if result else None,
                    tests=TestCounts(
                        passed=result.passed if result else 0,
                        total=result.total if result else 0,
                        **dataclasses.asdict(tally),
                    ),
                    runs=seen.runs,
                    time_to_first_run_ms=seen.first_run_ms,
                    time_to_first_accepted_ms=seen.first_accepted_ms,
                    hints_used=hints,
                    assistant_turns=seen.turns,
                    score=scored.score,
                    breakdown=Breakdown(
                        tests=scored.tests, speed=scored.speed, assistance=scored.assistance
                    ),
                )
            )
        return out

    def _code_at(self, session_id: str, path: str, t_ms: int) -> str | None:
        try:
            files, _ = self.recording.workspace_at(session_id, t_ms)
        except ProblemError:
            return None
        return files.get(path)

    def _result(self, execution_id: str | None) -> ExecutionResult | None:
        if execution_id is None:
            return None
        try:
            return self.executions.get(execution_id)[1]
        except ProblemError:
            return None

    def _problem(self, problem_id: str) -> Problem | None:
        try:
            return self.problems.problem(problem_id)
        except ProblemError:  # gone from the bank: the report still shows the id
            return None

    def _adaptive(self, attempts: list[Attempt]) -> list[AdaptiveOut]:
        """θ ± SE after each of the session's attempts, from the candidate's attempts up
        to and including it (what the adaptive picker knew when it finished)."""
        out: list[AdaptiveOut] = []
        for attempt in attempts:
            history = [
                a
                for a in self.problems.attempts(attempt.candidate_id)
                if (a.assigned_at, a.id) <= (attempt.assigned_at, attempt.id)
            ]
            estimate = self.problems.ability(history)
            answered = [a for a in history if a.score is not None]
            accepted = [a for a in answered if (a.breakdown or {}).get("tests") == 1]
            out.append(
                AdaptiveOut(
                    attempt_id=attempt.id,
                    problem_id=attempt.problem_id,
                    theta=round(estimate.theta, 3),
                    se=round(estimate.se, 3),
                    explanation=scoring.ability_line(
                        estimate.theta, estimate.se, len(answered), len(accepted)
                    ),
                )
            )
        return out

    # ---- compare -----------------------------------------------------------------------

    def compare(self, template_id: str, session_ids: list[str] | None) -> Compare:
        """Sessions of one template side by side: the named ones (at most 10, each of this
        template), or the template's 10 latest ended sessions."""
        template = self.problems.template(template_id)
        if session_ids is not None:
            if len(session_ids) > COMPARE_MAX:
                raise bad_request(
                    "too_many_sessions", f"compare at most {COMPARE_MAX} sessions at once"
                )
            chosen = [self.sessions.get_session(s) for s in dict.fromkeys(session_ids)]
            others = [s.id for s in chosen if s.template_id != template_id]
            if others:
                raise ProblemError(
                    422,
                    "session_not_in_template",
                    f"not sessions of {template_id}: {', '.join(others)}",
                    sessions=others,
                )
        else:
            chosen = self.sessions.latest_ended(template_id, COMPARE_MAX)
        rows: list[CompareRow] = []
        for interview in chosen:
            report = self.report(interview.id)
            rows.append(
                CompareRow(
                    session_id=interview.id,
                    candidate_name=interview.candidate_name,
                    status=interview.status,
                    total=report.score.total,
                    parts=[
                        ComparePart(
                            score=p.score,
                            passed=p.tests.passed,
                            total=p.tests.total,
                            time_to_first_accepted_ms=p.time_to_first_accepted_ms,
                        )
                        for p in report.parts
                    ],
                    recommendations=[
                        c.recommendation
                        for c in report.scorecards
                        if c.status == "submitted" and c.recommendation
                    ],
                )
            )
        return Compare(template=template.model_dump(mode="json"), rows=rows)


def _weights(rubric: list[RubricOut]) -> dict[str, dict[str, float]]:
    return {r.problem_id: {i.criterion: i.weight for i in r.items} for r in rubric}


def _card_out(
    row: Scorecard, names: dict[str, str], weights: dict[str, dict[str, float]]
) -> ScorecardOut:
    return ScorecardOut(
        id=row.id,
        session_id=row.session_id,
        interviewer_id=row.interviewer_id,
        interviewer_name=names.get(row.interviewer_id, row.interviewer_id),
        ratings=row.ratings or {},
        notes=row.notes or "",
        recommendation=row.recommendation,
        status=row.status,
        rubric_score=scoring.rubric_score(row.ratings or {}, weights),
        updated_at=row.updated_at.isoformat(),
        submitted_at=row.submitted_at.isoformat() if row.submitted_at else None,
    )


def _tally(result: ExecutionResult | None, problem: Problem | None) -> scoring.TestTally:
    """Tests of a run by kind; large tests are the hidden ones named after the problem's
    ``large_tests`` (results carry a test's name and whether it was hidden)."""
    if result is None:
        return scoring.TestTally()
    large = {t.name for t in problem.large_tests} if problem else set()
    counts = {"visible": [0, 0], "hidden": [0, 0], "large": [0, 0]}
    for test in result.tests:
        kind = (
            "large"
            if test.hidden and test.name in large
            else "hidden"
            if test.hidden
            else "visible"
        )
        counts[kind][1] += 1
        counts[kind][0] += test.status == "accepted"
    return scoring.TestTally(
        visible_passed=counts["visible"][0],
        visible_total=counts["visible"][1],
        hidden_passed=counts["hidden"][0],
        hidden_total=counts["hidden"][1],
        large_passed=counts["large"][0],
        large_total=counts["large"][1],
    )


def _language(interview: InterviewSession) -> str | None:
    value = (interview.config or {}).get("language")
    return str(value) if value else None


def _ms(delta: Any) -> int:
    return int(delta.total_seconds() * 1000)


def _explain(parts: list[ReportPart], total: float | None, interview: InterviewSession) -> str:
    if total is None:
        return "No score: the session has no problem attached."
    pieces = ", ".join(f"{p.label} {p.score:.0f}" for p in parts)
    state = "so far: the session is live" if interview.is_active else ""
    weighting = "weighted by each part's minutes" if len(parts) > 1 else ""
    extra = "; ".join(x for x in (weighting, state) if x)
    return (
        f"{total:.0f}/100 from {pieces}{' (' + extra + ')' if extra else ''}. "
        "A part scores its tests passed (hidden x2, large x3), less up to 20% for a late "
        "first accepted run and up to 30% for hints and assistant questions."
    )
