"""Candidates and their attempts: hints, what the assistant did, scoring, performance.

An attempt is one question asked of a candidate in one session. Its score is the tests
(a hidden test counting double) less the hints and assistant turns it took; the hint
route and the assistant share one counter. Split from ``service.py`` so that the bank and
the sessions built from it read on their own; ``ProblemService`` stays the entry point.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, TypeVar

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from interviewkit.config import Settings
from interviewkit.db import read_session, run_write, utcnow
from interviewkit.errors import conflict, not_found
from interviewkit.execution.schemas import ExecutionResult
from interviewkit.execution.service import ExecutionService
from interviewkit.problems import adaptive
from interviewkit.problems.bank import Bank, Problem
from interviewkit.problems.models import Attempt, Candidate, SessionPart
from interviewkit.problems.parts import tests_score
from interviewkit.sessions.service import SessionService

Row = TypeVar("Row", Candidate, Attempt)

HINT_PENALTY = 0.1
ASSISTANT_PENALTY = 0.02
MAX_ASSISTANT_PENALTY = 0.1


@dataclass(frozen=True)
class Performance:
    completed_questions: int
    total_questions: int
    average_score: float | None
    time_spent_minutes: float
    theta: float
    theta_se: float
    tag_strengths: dict[str, float]
    done: bool


class ProblemLookup(Protocol):
    """What scoring needs from the problems facade: the bank and a problem by id
    (generated problems included)."""

    bank: Bank

    def problem(self, problem_id: str) -> Problem: ...


@dataclass
class CandidateAttempts:
    """Candidates, attempts and their scores (``ProblemService`` delegates here)."""

    factory: sessionmaker[Session]
    settings: Settings
    sessions: SessionService
    executions: ExecutionService
    problems: ProblemLookup

    @property
    def stop_rule(self) -> adaptive.StopRule:
        return adaptive.StopRule(self.settings.irt_max_se, self.settings.irt_max_questions)

    def candidate(self, candidate_id: str) -> Candidate:
        return self._row(Candidate, candidate_id, "candidate")

    def attempts(self, candidate_id: str) -> list[Attempt]:
        self.candidate(candidate_id)
        query = (
            select(Attempt)
            .where(Attempt.candidate_id == candidate_id)
            .order_by(Attempt.assigned_at, Attempt.id)
        )
        with read_session(self.factory) as db:
            rows = list(db.scalars(query))
            db.expunge_all()
        return rows

    def attempt(self, attempt_id: str) -> Attempt:
        return self._row(Attempt, attempt_id, "attempt")

    def _row(self, model: type[Row], row_id: str, noun: str) -> Row:
        """One row by id, detached; 404 ``{noun}_not_found`` when there is none."""
        with read_session(self.factory) as db:
            row = db.get(model, row_id)
            if row is None:
                raise not_found(f"{noun}_not_found", f"no {noun} {row_id!r}")
            db.expunge(row)
            return row

    def ability(self, attempts: list[Attempt]) -> adaptive.Estimate:
        problems = self.problems.bank.problems
        responses = [
            adaptive.Response(problems[a.problem_id].irt.a, problems[a.problem_id].irt.b, a.score)
            for a in attempts
            if a.score is not None and a.problem_id in problems
        ]
        return adaptive.estimate(responses)

    def start(self, attempt_id: str) -> Attempt:
        attempt = self.attempt(attempt_id)
        if attempt.status != "assigned":
            raise conflict("attempt_started", f"attempt {attempt_id} is already {attempt.status}")
        return self._update(attempt_id, {"status": "started", "started_at": utcnow()}, "assigned")

    def hint(self, attempt_id: str) -> tuple[Attempt, str]:
        """Release the next of the problem's three graded hints."""
        attempt = self.attempt(attempt_id)
        if attempt.status == "completed":
            raise conflict("attempt_completed", f"attempt {attempt_id} is completed")
        hints = self.problems.problem(attempt.problem_id).hints
        if attempt.hints_used >= len(hints):
            raise conflict("no_more_hints", f"all {len(hints)} hints were given")
        updated = self._update(
            attempt_id,
            {"hints_used": attempt.hints_used + 1},
            attempt.status,
            hints_used=attempt.hints_used,
        )
        return updated, hints[attempt.hints_used]

    def complete(
        self, attempt_id: str, score: float | None, assistant_messages: int | None
    ) -> Attempt:
        attempt = self.attempt(attempt_id)
        if attempt.status == "completed":
            raise conflict("attempt_completed", f"attempt {attempt_id} was completed already")
        # what the assistant counted is the floor: a given number may add outside help,
        # never hide the turns this platform served
        messages = max(attempt.assistant_messages, assistant_messages or 0)
        breakdown = self._score(attempt, messages)
        if score is not None:
            breakdown = {**breakdown, "given": score}
        final = score if score is not None else breakdown["score"]
        values = {
            "status": "completed",
            "finished_at": utcnow(),
            "score": final,
            "breakdown": breakdown,
            "assistant_messages": messages,
        }
        session_id = attempt.session_id

        def end_session(db: Session) -> None:  # the attempt and its session end together
            if session_id is not None:
                self.sessions.end_in(db, session_id, "completed")

        return self._update(attempt_id, values, attempt.status, also=end_session)

    def _score(self, attempt: Attempt, assistant_messages: int) -> dict[str, Any]:
        """Tests (hidden weighted double) less hint and assistant penalties, in [0, 1]."""
        result = self._last_submission(attempt.session_id)
        visible = [t for t in result.tests if not t.hidden] if result else []
        hidden = [t for t in result.tests if t.hidden] if result else []
        tests = tests_score(result)
        hints = HINT_PENALTY * attempt.hints_used
        assistant = min(MAX_ASSISTANT_PENALTY, ASSISTANT_PENALTY * assistant_messages)
        return {
            "submission": result.id if result else None,
            "visible_passed": sum(t.status == "accepted" for t in visible),
            "visible_total": len(visible),
            "hidden_passed": sum(t.status == "accepted" for t in hidden),
            "hidden_total": len(hidden),
            "tests": round(tests, 4),
            "hint_penalty": round(hints, 4),
            "assistant_penalty": round(assistant, 4),
            "score": round(max(0.0, min(1.0, tests - hints - assistant)), 4),
        }

    def _last_submission(self, session_id: str | None) -> ExecutionResult | None:
        return self.executions.last_finished(session_id, "submit") if session_id else None

    def _update(
        self,
        attempt_id: str,
        values: Mapping[str, Any],
        status: str,
        also: Callable[[Session], None] | None = None,
        **expected: Any,
    ) -> Attempt:
        """Compare-and-set on status (and ``expected``): a double complete is a 409.
        ``also`` runs in the same transaction (ending the attempt's session)."""

        def change(db: Session) -> Attempt:
            query = update(Attempt).where(Attempt.id == attempt_id, Attempt.status == status)
            for name, value in expected.items():
                query = query.where(getattr(Attempt, name) == value)
            if db.execute(query.values(**values)).rowcount != 1:  # type: ignore[attr-defined]
                raise conflict("attempt_changed", f"attempt {attempt_id} changed meanwhile")
            if also is not None:
                also(db)
            row = db.get(Attempt, attempt_id)
            assert row is not None
            db.flush()
            db.refresh(row)
            db.expunge(row)
            return row

        return run_write(self.factory, change)

    # ---- what the assistant did for an attempt --------------------------------------------

    def hints_taken(self, session_id: str, given: Sequence[tuple[datetime, bool]]) -> int:
        """The hints released for the problem in front of the candidate.

        With an open attempt, its counter (the hint route and the assistant share it);
        else the assistant's hints (``given``: each answer's time and whether it released
        one) since the current part began, so a new part starts from its first hint.
        """
        query = select(Attempt.hints_used).where(
            Attempt.session_id == session_id, Attempt.status != "completed"
        )
        last_part = (
            select(SessionPart.ended_at)
            .where(SessionPart.session_id == session_id)
            .order_by(SessionPart.position.desc())
        )
        with read_session(self.factory) as db:
            counter = db.scalar(query.limit(1))
            since = db.scalar(last_part.limit(1)) if counter is None else None
        if counter is not None:
            return counter
        return sum(hint for at, hint in given if since is None or at >= since)

    def count_turn(self, db: Session, session_id: str, *, hint: bool) -> None:
        """An assistant turn in the caller's transaction: one more message, and one more
        hint when it released one, on the session's open attempt (a no-op without one)."""
        db.execute(
            update(Attempt)
            .where(Attempt.session_id == session_id, Attempt.status != "completed")
            .values(
                assistant_messages=Attempt.assistant_messages + 1,
                hints_used=Attempt.hints_used + (1 if hint else 0),
            )
        )

    def performance(self, candidate_id: str) -> Performance:
        attempts = self.attempts(candidate_id)
        done = [a for a in attempts if a.status == "completed" and a.score is not None]
        current = self.ability(attempts)
        by_tag: dict[str, list[float]] = {}
        for attempt in done:
            if attempt.problem_id in self.problems.bank.problems:
                for tag in self.problems.problem(attempt.problem_id).tags:
                    by_tag.setdefault(tag, []).append(float(attempt.score or 0.0))
        return Performance(
            completed_questions=len(done),
            total_questions=len(attempts),
            average_score=round(sum(a.score or 0.0 for a in done) / len(done), 4) if done else None,
            time_spent_minutes=round(sum(_minutes(a) for a in done), 2),
            theta=round(current.theta, 4),
            theta_se=round(current.se, 4),
            tag_strengths={tag: round(sum(s) / len(s), 4) for tag, s in sorted(by_tag.items())},
            done=self.stop_rule.done(current, len(attempts)),
        )


def _minutes(attempt: Attempt) -> float:
    start: datetime = attempt.started_at or attempt.assigned_at
    end = attempt.finished_at or start
    return max(0.0, (end - start).total_seconds() / 60)
