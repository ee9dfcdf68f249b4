"""The problems domain: the bank, sessions built from it, candidates and adaptive questions."""

from __future__ import annotations

import hashlib
import logging
import random
import secrets
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from interviewkit.caching import LRUCache
from interviewkit.config import Settings
from interviewkit.db import new_id, read_session, run_write, utcnow
from interviewkit.errors import ProblemError, conflict, not_found
from interviewkit.execution.limits import Limits, default_limits
from interviewkit.execution.schemas import CallTest, TestSuite
from interviewkit.execution.service import ExecutionService
from interviewkit.languages.starters import starter_with_note
from interviewkit.llm.chain import ProviderChain
from interviewkit.llm.port import call_async
from interviewkit.problems import adaptive, generate
from interviewkit.problems.attempts import CandidateAttempts, Performance
from interviewkit.problems.bank import SOLUTION_FILES, Bank, Difficulty, Problem, Template
from interviewkit.problems.models import Attempt, Candidate, GeneratedProblem, SessionPart
from interviewkit.problems.parts import PlannedPart, SessionParts
from interviewkit.problems.runner import ProblemRunner, ReferenceFailure, problem_limits
from interviewkit.sessions.models import InterviewSession
from interviewkit.sessions.service import (
    NewFile,
    SessionDraft,
    SessionService,
    after_cursor,
    contains_any_case,
    encode_cursor,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Assignment:
    attempt: Attempt
    problem: Problem
    theta: float
    se: float


@dataclass
class ProblemService:
    factory: sessionmaker[Session]
    settings: Settings
    bank: Bank
    sessions: SessionService
    executions: ExecutionService
    _runner: ProblemRunner | None = None
    _fresh: LRUCache[tuple[str, int], list[CallTest]] = field(default_factory=lambda: LRUCache(256))
    _lock: threading.Lock = field(default_factory=threading.Lock)
    chain: ProviderChain | None = None
    """The LLM providers that may write problems (never the offline tutor)."""
    _made: dict[str, Problem] = field(default_factory=dict)
    candidates: CandidateAttempts = field(init=False, repr=False)
    """Candidates, attempts and scores (``attempts.py``); the methods below delegate."""
    parts: SessionParts = field(init=False, repr=False)
    """Parts and deadlines (``parts.py``); the methods below delegate to it."""

    def __post_init__(self) -> None:
        self.parts = SessionParts(
            self.factory, self.settings, self.sessions, self.executions, problems=self
        )
        self.candidates = CandidateAttempts(
            self.factory, self.settings, self.sessions, self.executions, problems=self
        )

    # ---- the bank ------------------------------------------------------------------------

    def problem(self, problem_id: str) -> Problem:
        found = self.bank.problems.get(problem_id) or self._generated(problem_id)
        if found is None:
            raise not_found("problem_not_found", f"no problem {problem_id!r} in the bank")
        return found

    def _generated(self, problem_id: str) -> Problem | None:
        if not problem_id.startswith("gen-"):
            return None
        with self._lock:
            cached = self._made.get(problem_id)
        if cached is not None:
            return cached
        with read_session(self.factory) as db:
            row = db.get(GeneratedProblem, problem_id)
            document = row.document if row is not None else None
        if document is None:
            return None
        problem = Problem.model_validate_json(document)
        with self._lock:
            self._made[problem_id] = problem
        return problem

    def generate(self, difficulty: Difficulty, tags: list[str]) -> Problem | None:
        """A new vetted problem from the LLM chain, or None (offline, or it failed vetting)."""
        chain = self.chain
        if chain is None or not chain.providers:
            return None
        try:
            text = call_async(generate.ask, chain, difficulty, tags)
            problem = generate.vet(text, difficulty, tags, self.runner)
        except generate.Rejected as exc:
            log.info("a generated problem was rejected: %s", exc)
            return None
        row = GeneratedProblem(
            id=problem.id,
            difficulty=difficulty,
            document=problem.model_dump_json(),
            created_at=utcnow(),
        )

        def insert(db: Session) -> None:
            if db.get(GeneratedProblem, problem.id) is None:
                db.add(row)

        run_write(self.factory, insert)
        with self._lock:
            self._made[problem.id] = problem
        return problem

    def check_tags(self, tags: list[str]) -> None:
        """422 ``unknown_tag`` naming the known tags: a misspelt filter would otherwise
        look like an empty bank (or an exhausted candidate)."""
        known = self.bank.tags
        unknown = sorted(set(tags) - set(known))
        if unknown:
            raise ProblemError(
                422,
                "unknown_tag",
                f"unknown tag {', '.join(map(repr, unknown))}; known tags: {', '.join(known)}",
                unknown_tags=unknown,
                known_tags=known,
            )

    def template(self, template_id: str) -> Template:
        found = self.bank.templates.get(template_id)
        if found is None:
            raise not_found("template_not_found", f"no interview template {template_id!r}")
        return found

    @property
    def stop_rule(self) -> adaptive.StopRule:
        return self.candidates.stop_rule

    @property
    def runner(self) -> ProblemRunner:
        with self._lock:
            if self._runner is None:
                self._runner = ProblemRunner(
                    self.executions.engine,
                    self.executions.planner,
                    default_limits(self.settings),
                    self.settings.data_dir / "problem-cache",
                )
            return self._runner

    # ---- sessions from templates and problems ------------------------------------------

    def compose(self, draft: SessionDraft, language: str | None) -> SessionDraft:
        """Attach the template's or problem's questions and the starter files to a draft."""
        if draft.template_id is None and draft.problem_id is None:
            return draft
        template = self.template(draft.template_id) if draft.template_id else None
        rng = random.Random(secrets.randbits(64))
        if draft.problem_id is not None:
            chosen = [self.problem(draft.problem_id)]
        else:
            assert template is not None
            chosen = self._fill_parts(template, rng)
        first = chosen[0]
        offered = template.languages if template else first.languages
        language = language or offered[0]
        available = [lang for lang in offered if lang in first.languages]
        if language not in available:
            raise ProblemError(
                422,
                "language_not_offered",
                f"{first.id} is offered in {', '.join(available)}, not {language!r}",
            )
        config: dict[str, Any] = {
            **draft.config,
            "language": language,
            "test_seed": rng.randrange(1, 2**31),
            "problems": [p.id for p in chosen],
        }
        if template is not None:
            config["parts"] = [
                {"label": part.label, "minutes": part.minutes, "problem": problem.id}
                for part, problem in zip(template.parts, chosen, strict=True)
            ]
            config["assistant_policy"] = template.assistant_policy
            # the template's length is the session's time limit unless the draft set one
            config.setdefault("time_limit_minutes", template.minutes)
        starter = NewFile(
            f"/{SOLUTION_FILES[language]}", starter_with_note(language, first.starter[language])
        )
        given = {item.path.lstrip("/") for item in draft.files}
        files = draft.files if SOLUTION_FILES[language] in given else [starter, *draft.files]
        return SessionDraft(
            template_id=draft.template_id,
            problem_id=first.id,
            candidate_name=draft.candidate_name,
            candidate_email=draft.candidate_email,
            config=config,
            files=files,
        )

    def _fill_parts(self, template: Template, rng: random.Random) -> list[Problem]:
        chosen: list[Problem] = []
        for part in template.parts:
            if part.problem is not None:
                chosen.append(self.problem(part.problem))
                continue
            pool = [
                p
                for p in self.bank.problems.values()
                if p.difficulty == part.difficulty
                and set(part.tags) <= set(p.tags)
                and p not in chosen
            ]
            if not pool:
                raise ProblemError(
                    409, "template_unfillable", f"no {part.difficulty} problem left for a part"
                )
            chosen.append(rng.choice(pool))
        return chosen

    def submission(
        self, interview: InterviewSession, path: str, language: str
    ) -> tuple[TestSuite, Limits] | None:
        """The suite a ``submit`` runs: stored, large and this session's fresh hidden tests."""
        if interview.problem_id is None:
            return None
        problem = self.problem(interview.problem_id)
        if language not in problem.languages:
            raise ProblemError(
                422,
                "language_not_offered",
                f"{problem.id} is offered in {', '.join(problem.languages)}, not {language!r}",
            )
        seed = int((interview.config or {}).get("test_seed", 0))
        try:
            tests = [
                *problem.stored_tests(),
                *self.runner.large_tests(problem),
                *self._fresh_tests(problem, seed),
            ]
        except (ReferenceFailure, ValueError) as exc:
            # the bank's own code failed (a reference or a generator): nothing the candidate
            # sent is wrong, their file is kept, and staff need the reason in the log
            log.error("problem %s cannot build its tests: %s", problem.id, exc)
            raise ProblemError(
                503,
                "problem_tests_unavailable",
                f"the hidden tests of {problem.id} cannot be built right now (the problem's "
                "reference failed); your code is saved, and `problems validate` shows the fault",
            ) from None
        limits = problem_limits(problem, language, default_limits(self.settings))
        return problem.suite(tests), limits

    def _fresh_tests(self, problem: Problem, seed: int) -> list[CallTest]:
        key = (problem.content_hash, seed)
        cached = self._fresh.get(key)
        if cached is None:
            cached = self.runner.fresh_tests(problem, seed)
            self._fresh.put(key, cached)
        return cached

    # ---- candidates and attempts (see attempts.py) ---------------------------------------

    def create_candidate(self, name: str, email: str | None, external_ref: str | None) -> Candidate:
        """A new candidate; an email already used (in any case) is a 409
        ``candidate_exists`` naming the existing candidate's id."""
        row = Candidate(
            id=new_id("can"), name=name, email=email, external_ref=external_ref, created_at=utcnow()
        )

        def insert(db: Session) -> Candidate:
            if email is not None:
                if db.get_bind().dialect.name == "postgresql":
                    # two creates of one email at once: the second waits, then sees the first
                    # (SQLite runs one write transaction at a time already)
                    db.execute(select(func.pg_advisory_xact_lock(_email_lock(email))))
                existing = db.scalar(
                    select(Candidate.id)
                    .where(func.lower(Candidate.email) == email.lower())
                    .order_by(Candidate.created_at, Candidate.id)
                    .limit(1)
                )
                if existing is not None:
                    raise conflict(
                        "candidate_exists",
                        f"candidate {existing} already has the email {email}",
                        existing_id=existing,
                    )
            db.add(row)
            db.flush()
            db.expunge(row)
            return row

        return run_write(self.factory, insert)

    def list_candidates(
        self,
        *,
        q: str | None = None,
        external_ref: str | None = None,
        limit: int = 20,
        cursor: str | None = None,
    ) -> tuple[list[Candidate], str | None]:
        """Newest first; ``q`` searches name and email (a substring, any case),
        ``external_ref`` matches exactly (an ATS id). Keyset-paginated like sessions."""
        query = select(Candidate)
        if external_ref is not None:
            query = query.where(Candidate.external_ref == external_ref)
        if q:
            query = query.where(contains_any_case(q, Candidate.name, Candidate.email))
        if cursor:
            query = query.where(after_cursor(cursor, Candidate.created_at, Candidate.id))
        query = query.order_by(Candidate.created_at.desc(), Candidate.id.desc()).limit(limit + 1)
        with read_session(self.factory) as db:
            rows = list(db.scalars(query))
            db.expunge_all()
        last = rows[limit - 1] if len(rows) > limit else None
        return rows[:limit], encode_cursor(last.created_at, last.id) if last else None

    def candidate_sessions(self, candidate_id: str) -> tuple[list[InterviewSession], list[Attempt]]:
        """A candidate's sessions (by their email, any case, and their attempts' sessions)
        and attempts."""
        candidate = self.candidate(candidate_id)
        attempts = self.attempts(candidate_id)
        ids = {a.session_id for a in attempts if a.session_id}
        return self.sessions.sessions_of(candidate.email, ids), attempts

    def session_attempts(self, session_id: str) -> list[Attempt]:
        """The attempts asked in this session (an adaptive question opens one session)."""
        query = (
            select(Attempt)
            .where(Attempt.session_id == session_id)
            .order_by(Attempt.assigned_at, Attempt.id)
        )
        with read_session(self.factory) as db:
            rows = list(db.scalars(query))
            db.expunge_all()
        return rows

    def candidate(self, candidate_id: str) -> Candidate:
        return self.candidates.candidate(candidate_id)

    def attempts(self, candidate_id: str) -> list[Attempt]:
        return self.candidates.attempts(candidate_id)

    def attempt(self, attempt_id: str) -> Attempt:
        return self.candidates.attempt(attempt_id)

    def start(self, attempt_id: str) -> Attempt:
        return self.candidates.start(attempt_id)

    def hint(self, attempt_id: str) -> tuple[Attempt, str]:
        """Release the next of the problem's three graded hints."""
        return self.candidates.hint(attempt_id)

    def complete(
        self, attempt_id: str, score: float | None, assistant_messages: int | None
    ) -> Attempt:
        return self.candidates.complete(attempt_id, score, assistant_messages)

    def hints_taken(self, session_id: str, given: Sequence[tuple[datetime, bool]]) -> int:
        """The hints released for the problem in front of the candidate (attempts.py)."""
        return self.candidates.hints_taken(session_id, given)

    def count_turn(self, db: Session, session_id: str, *, hint: bool) -> None:
        """An assistant turn, counted in the caller's transaction (attempts.py)."""
        self.candidates.count_turn(db, session_id, hint=hint)

    def performance(self, candidate_id: str) -> Performance:
        return self.candidates.performance(candidate_id)

    # ---- adaptive selection ----------------------------------------------------------------

    def ability(self, attempts: list[Attempt]) -> adaptive.Estimate:
        return self.candidates.ability(attempts)

    def next_question(
        self,
        candidate_id: str,
        language: str,
        tags: list[str],
        rng: random.Random | None = None,
        *,
        auto_generate: bool = False,
    ) -> Assignment:
        """Pick, by maximum information at the current ability, and open a session for it."""
        self.check_tags(tags)
        attempts = self.attempts(candidate_id)
        open_ones = [a for a in attempts if a.status != "completed"]
        if open_ones:
            raise conflict("attempt_open", f"finish attempt {open_ones[0].id} first")
        current = self.ability(attempts)
        if self.stop_rule.done(current, len(attempts)):
            raise conflict(
                "assessment_complete",
                f"ability is known well enough (theta {current.theta:.2f} ± {current.se:.2f} "
                f"after {len(attempts)} questions)",
            )
        seen = {a.problem_id for a in attempts}
        eligible = [
            p
            for p in self.bank.problems.values()
            if p.id not in seen and language in p.languages and set(tags) <= set(p.tags)
        ]
        if not eligible:
            languages = sorted({lang for p in self.bank.problems.values() for lang in p.languages})
            if language not in languages:
                raise ProblemError(
                    422,
                    "language_not_offered",
                    f"no problem is offered in {language!r}; offered: {', '.join(languages)}",
                )
            raise conflict("bank_exhausted", "no unseen problem matches the language and tags")
        made = None
        if auto_generate:
            label = adaptive.difficulty_label(current.theta)
            made = self.generate(label, tags)  # type: ignore[arg-type]
        if made is not None and language in made.languages:
            problem = made
        else:  # offline, or the model's problem failed vetting: the bank never fails
            items = [adaptive.Item(p.id, p.irt.a, p.irt.b) for p in eligible]
            pick = adaptive.select(items, current.theta, top_k=self.settings.irt_top_k, rng=rng)
            assert pick is not None
            problem = self.problem(pick.id)
        candidate = self.candidate(candidate_id)
        draft = self.compose(
            SessionDraft(
                problem_id=problem.id,
                candidate_name=candidate.name,
                candidate_email=candidate.email,
            ),
            language,
        )
        row = Attempt(
            id=new_id("att"),
            candidate_id=candidate_id,
            problem_id=problem.id,
            language=language,
            status="assigned",
            adapted_difficulty=adaptive.difficulty_label(current.theta),
            theta_before=current.theta,
            assigned_at=utcnow(),
            hints_used=0,
            assistant_messages=0,
            breakdown={},
        )

        def add_attempt(db: Session, interview: InterviewSession) -> None:
            row.session_id = interview.id
            db.add(row)
            db.flush()
            db.expunge(row)

        self.sessions.create_session(draft, also=add_attempt)  # one commit for both
        return Assignment(row, problem, current.theta, current.se)

    # ---- parts and time limits (see parts.py) -----------------------------------------

    def plan(self, interview: InterviewSession) -> list[PlannedPart]:
        """The session's parts: the template's, else its one problem as a single part."""
        return self.parts.plan(interview)

    def current_part(self, interview: InterviewSession) -> PlannedPart | None:
        return self.parts.current_part(interview)

    def finished_parts(self, session_id: str) -> list[SessionPart]:
        return self.parts.finished_parts(session_id)

    async def next_part(
        self, session_id: str, requested_by: str
    ) -> tuple[InterviewSession, SessionPart]:
        return await self.parts.next_part(session_id, requested_by)

    async def expire(self, session_id: str) -> bool:
        return await self.parts.expire(session_id)

    async def sweep_deadlines(self) -> list[str]:
        return await self.parts.sweep_deadlines()

    async def sweep_forever(self) -> None:
        await self.parts.sweep_forever()


def _email_lock(email: str) -> int:
    """A PostgreSQL advisory lock key (a signed 64-bit integer) for one email, any case."""
    digest = hashlib.sha256(b"ik_candidate_email:" + email.lower().encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)
