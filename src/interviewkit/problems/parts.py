"""Parts and time limits: a session's plan, judging a part when it ends, the deadline sweep.

A session runs its template's parts in order (or its one problem as a single part). The
current part is the first one not judged; moving on or running out of time submits the
part's file as it is, stores the verdict and records it, in the commit that moves on.
Split from ``service.py`` so that the problem bank and the attempts read on their own;
``ProblemService`` stays the one entry point the other domains call.
"""

from __future__ import annotations

import asyncio
import logging
import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from interviewkit.config import Settings
from interviewkit.db import read_session, run_write, utcnow
from interviewkit.errors import ProblemError, conflict
from interviewkit.execution.limits import Limits
from interviewkit.execution.schemas import ExecutionResult, TestSuite
from interviewkit.execution.service import ExecutionService, Submission
from interviewkit.languages import DEFAULT_LANGUAGE
from interviewkit.languages.starters import starter_with_note
from interviewkit.problems.bank import SOLUTION_FILES, Problem
from interviewkit.problems.models import Attempt, SessionPart
from interviewkit.sessions.errors import SessionEnded
from interviewkit.sessions.models import InterviewSession
from interviewkit.sessions.service import NewFile, SessionService
from interviewkit.sessions.workspace import LockedWorkspace, expired_error, past_deadline

log = logging.getLogger(__name__)

HIDDEN_WEIGHT = 2.0
"""A hidden test counts twice a visible one: passing only the examples is not solving it."""


@dataclass(frozen=True)
class PlannedPart:
    """One part of a session's plan: a template part, or the one problem of the session."""

    position: int
    label: str
    minutes: float | None
    problem_id: str
    path: str
    """The workspace file the part's starter goes to and its automatic submission judges."""


def part_path(position: int, language: str) -> str:
    """The first part keeps ``/solution.py`` (single-problem sessions look the same); a
    later part gets a folder of its own, so moving on never overwrites earlier work."""
    name = SOLUTION_FILES.get(language, SOLUTION_FILES[DEFAULT_LANGUAGE])
    return f"/{name}" if position == 0 else f"/part{position + 1}/{name}"


def tests_score(result: ExecutionResult | None) -> float:
    """The share of the tests passed, a hidden test counting double a visible one."""
    if result is None:
        return 0.0
    visible = [t for t in result.tests if not t.hidden]
    hidden = [t for t in result.tests if t.hidden]
    weight = len(visible) + HIDDEN_WEIGHT * len(hidden)
    earned = sum(t.status == "accepted" for t in visible) + HIDDEN_WEIGHT * sum(
        t.status == "accepted" for t in hidden
    )
    return earned / weight if weight else 0.0


class Judging(Protocol):
    """What judging a part needs from the problems facade: the problem, the suite a
    ``submit`` runs, and completing the session's attempt when its time runs out."""

    def problem(self, problem_id: str) -> Problem: ...

    def submission(
        self, interview: InterviewSession, path: str, language: str
    ) -> tuple[TestSuite, Limits] | None: ...

    def complete(
        self, attempt_id: str, score: float | None, assistant_messages: int | None
    ) -> Attempt: ...


@dataclass
class SessionParts:
    """The parts of sessions and their deadlines (``ProblemService`` delegates here)."""

    factory: sessionmaker[Session]
    settings: Settings
    sessions: SessionService
    executions: ExecutionService
    problems: Judging

    def plan(self, interview: InterviewSession) -> list[PlannedPart]:
        """The session's parts: the template's, else its one problem as a single part."""
        config = interview.config or {}
        language = str(config.get("language") or DEFAULT_LANGUAGE)
        raw = config.get("parts")
        # config is staff-editable JSON (a merge patch): read it defensively
        listed = raw if isinstance(raw, list) else []
        parts = [p for p in listed if isinstance(p, dict) and p.get("problem")]
        if parts:
            return [
                PlannedPart(
                    position,
                    str(part.get("label") or f"part {position + 1}")[:100],
                    _number(part.get("minutes")),
                    str(part["problem"])[:64],
                    part_path(position, language),
                )
                for position, part in enumerate(parts)
            ]
        if interview.problem_id is None:
            return []
        minutes = _number(config.get("time_limit_minutes"))
        return [PlannedPart(0, "question", minutes, interview.problem_id, part_path(0, language))]

    def current_part(self, interview: InterviewSession) -> PlannedPart | None:
        """The part the candidate works on now: the first one not judged yet."""
        plan = self.plan(interview)
        if len(plan) <= 1:  # no parts to tell apart: no query on the assistant's turn path
            return plan[0] if plan else None
        position = len(self.finished_parts(interview.id))
        return plan[min(position, len(plan) - 1)]

    def finished_parts(self, session_id: str) -> list[SessionPart]:
        query = (
            select(SessionPart)
            .where(SessionPart.session_id == session_id)
            .order_by(SessionPart.position)
        )
        with read_session(self.factory) as db:
            rows = list(db.scalars(query))
            db.expunge_all()
        return rows

    async def next_part(
        self, session_id: str, requested_by: str
    ) -> tuple[InterviewSession, SessionPart]:
        """Judge the current part's last state, then move on: the next part's problem
        becomes the session's (``submit`` and the problem view follow it) and its starter
        file joins the workspace, in one commit with the part's verdict."""
        interview = await run_in_threadpool(self.sessions.get_session, session_id)
        if not interview.is_active:
            raise SessionEnded(interview.status)
        if past_deadline(interview.deadline_at):
            raise expired_error(session_id)
        plan = self.plan(interview)
        position = len(await run_in_threadpool(self.finished_parts, session_id))
        if position + 1 >= len(plan):
            raise conflict(
                "no_next_part",
                f"part {position + 1} of {len(plan)} is the last" if plan else "no parts",
            )
        coming = plan[position + 1]
        problem = self.problems.problem(coming.problem_id)
        language = str((interview.config or {}).get("language") or DEFAULT_LANGUAGE)
        starter = starter_with_note(language, problem.starter.get(language, ""))
        verdict = await self._judge(interview, plan[position], requested_by, "next")

        def advance(workspace: LockedWorkspace, now: datetime) -> SessionPart:
            db = workspace.db
            done = db.scalar(select(func.count()).where(SessionPart.session_id == session_id))
            if done != position:
                raise conflict("part_changed", "the session moved to another part meanwhile")
            db.add(verdict)
            self.sessions.set_problem_in(db, session_id, problem.id)
            self._record(db, session_id, _part_event(verdict, coming))
            db.flush()
            db.expunge(verdict)
            return verdict

        try:
            row = await run_in_threadpool(
                self.sessions.change, session_id, advance, [NewFile(coming.path, starter)]
            )
        except IntegrityError:  # a concurrent move (or the sweeper) judged this part first
            raise conflict("part_changed", "the session moved to another part meanwhile") from None
        return await run_in_threadpool(self.sessions.get_session, session_id), row

    async def expire(self, session_id: str) -> bool:
        """End a session whose time ran out: submit the current part's last state, end the
        session as ``expired`` and complete its attempt. False if someone else did."""
        interview = await run_in_threadpool(self.sessions.get_session, session_id)
        if not interview.is_active or not past_deadline(interview.deadline_at):
            return False
        plan = self.plan(interview)
        position = len(await run_in_threadpool(self.finished_parts, session_id))
        verdict = None
        if position < len(plan):
            try:
                verdict = await self._judge(interview, plan[position], "system", "expired")
            except ProblemError as exc:
                if exc.status == 429:  # the queue is full for now: the next sweep retries
                    raise
                # the sandbox refuses (or the file cannot run): the time limit still holds
                log.warning("session %s expired without its last submission: %s", session_id, exc)
                verdict = await run_in_threadpool(
                    self._verdict, interview, plan[position], "expired", None
                )

        def end(db: Session) -> bool:
            if verdict is not None:
                db.add(verdict)
                db.flush()  # a concurrent sweeper inserted the same part: IntegrityError
                self._record(db, session_id, _part_event(verdict, None))
            ended = self.sessions.end_in(db, session_id, "expired")
            return ended.status == "expired"

        try:
            expired = run_write(self.factory, end)
        except IntegrityError:
            return False
        attempt = self._open_attempt(session_id)
        if attempt is not None:
            try:
                await run_in_threadpool(self.problems.complete, attempt.id, None, None)
            except ProblemError as exc:  # completed meanwhile by an interviewer
                log.info("attempt %s of expired session %s: %s", attempt.id, session_id, exc)
        return expired

    async def sweep_deadlines(self) -> list[str]:
        """Expire every active session past its deadline; the ids it ended."""
        ended: list[str] = []
        for session_id in await run_in_threadpool(self.sessions.expired_sessions):
            try:
                if await self.expire(session_id):
                    ended.append(session_id)
            except Exception:  # one bad session must not stop the others (next sweep retries)
                log.exception("could not expire session %s", session_id)
        return ended

    async def sweep_forever(self) -> None:
        """The app's deadline sweeper: expire due sessions every interval until cancelled."""
        while True:
            try:
                await self.sweep_deadlines()
            except Exception:  # the database away for a moment: try again next interval
                log.exception("the deadline sweep failed")
            await asyncio.sleep(self.settings.deadline_sweep_interval_s)

    def _open_attempt(self, session_id: str) -> Attempt | None:
        query = select(Attempt).where(
            Attempt.session_id == session_id, Attempt.status != "completed"
        )
        with read_session(self.factory) as db:
            row = db.scalars(query.limit(1)).one_or_none()
            if row is not None:
                db.expunge(row)
            return row

    async def _judge(
        self, interview: InterviewSession, part: PlannedPart, requested_by: str, ended_by: str
    ) -> SessionPart:
        """Submit the part's file as it is now against its problem's full suite; a part
        whose file is gone scores 0 with no execution."""
        config = interview.config or {}
        language = str(config.get("language") or DEFAULT_LANGUAGE)
        _, workspace = await run_in_threadpool(self.sessions.workspace_snapshot, interview.id)
        result: ExecutionResult | None = None
        if part.path in workspace:
            current = InterviewSession(
                **{c.key: getattr(interview, c.key) for c in InterviewSession.__table__.columns}
            )
            current.problem_id = part.problem_id
            found = await run_in_threadpool(self.problems.submission, current, part.path, language)
            assert found is not None
            suite, limits = found
            job = self.executions.planner.job(
                files={name.lstrip("/"): text for name, text in workspace.items()},
                entry=part.path,
                language=language,
                stdin="",
                suite=suite,
                limits=limits,
            )
            submission = Submission(job, requested_by, session=interview, mode="submit")
            result = await self.executions.run(submission, wait=True)
        return await run_in_threadpool(self._verdict, interview, part, ended_by, result)

    def _verdict(
        self,
        interview: InterviewSession,
        part: PlannedPart,
        ended_by: str,
        result: ExecutionResult | None,
    ) -> SessionPart:
        finished = self.finished_parts(interview.id)
        started = finished[-1].ended_at if finished else interview.created_at
        return SessionPart(
            session_id=interview.id,
            position=part.position,
            problem_id=part.problem_id,
            label=part.label,
            minutes=float(part.minutes or 0),
            started_at=started,
            ended_at=utcnow(),
            ended_by=ended_by,
            execution_id=result.id if result else None,
            passed=result.passed if result else 0,
            total=result.total if result else 0,
            score=round(tests_score(result), 4),
        )

    def _record(self, db: Session, session_id: str, events: list[dict[str, Any]]) -> None:
        if self.sessions.recorder is not None:
            self.sessions.recorder.record(db, session_id, events)


def _number(value: Any) -> float | None:
    """A finite number from staff-editable config, else None."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        number = float(value)
    except OverflowError:  # an integer beyond any float
        return None
    return number if math.isfinite(number) else None


def _part_event(verdict: SessionPart, coming: PlannedPart | None) -> list[dict[str, Any]]:
    """The recording's server-only marker: which part ended, how, and which one began."""
    event: dict[str, Any] = {
        "type": "part_changed",
        "ended": verdict.position,
        "ended_by": verdict.ended_by,
        "execution_id": verdict.execution_id,
    }
    if coming is not None:
        event |= {"part": coming.position, "problem": coming.problem_id, "file": coming.path}
    return [event]
