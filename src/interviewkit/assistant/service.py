"""The candidate's assistant: admission (rate and token budgets), the context of a turn,
and storing what a turn said, with its usage and cost. The turn itself (streaming, the
leak guard) is :mod:`interviewkit.assistant.turn`; the rules are in ``policy``."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import anyio
from prometheus_client import Counter, Histogram
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from interviewkit.assistant.context import AssistantContext
from interviewkit.assistant.models import AssistantMessage, AssistantReservation
from interviewkit.assistant.policy import session_policy
from interviewkit.assistant.prompts import system_prompt
from interviewkit.assistant.schemas import Totals, message_json
from interviewkit.assistant.turn import UNAVAILABLE, Event, Turn
from interviewkit.assistant.tutor.provider import OfflineProvider
from interviewkit.config import Settings
from interviewkit.db import new_id, read_session, run_write, utcnow
from interviewkit.errors import ProblemError
from interviewkit.execution.schemas import ExecutionResult, candidate_view
from interviewkit.execution.service import ExecutionService
from interviewkit.llm.chain import ProviderChain, RetryPolicy
from interviewkit.llm.port import ChatMessage, LLMProvider, Usage
from interviewkit.llm.prices import cost_usd
from interviewkit.llm.providers import configured_providers
from interviewkit.llm.tokens import count_tokens, trim_to_tokens
from interviewkit.observability import Metrics, request_id_var
from interviewkit.problems.bank import SOLUTION_FILES, Problem
from interviewkit.problems.service import ProblemService
from interviewkit.recording.service import RecordingService
from interviewkit.sessions.errors import SessionEnded
from interviewkit.sessions.models import InterviewSession
from interviewkit.sessions.service import SessionService

__all__ = ["UNAVAILABLE", "Admitted", "AssistantService", "Event", "Reservation"]

_TOKENS = select(
    func.coalesce(func.sum(AssistantMessage.tokens_in + AssistantMessage.tokens_out), 0)
)
"""Tokens used by the messages a ``where`` picks: a session's, or the day's."""
_RESERVED = select(func.count(), func.coalesce(func.sum(AssistantReservation.tokens), 0))
"""Turns admitted but not finished (and their reserved tokens) that a ``where`` picks."""
_DAILY_LOCK = 0x696B5F6169  # "ik_ai": PostgreSQL advisory lock serialising daily-budget checks
log = logging.getLogger(__name__)


def build_providers(settings: Settings) -> list[LLMProvider]:
    """The configured chain, in order, with the offline tutor as the fallback."""
    return configured_providers(settings, OfflineProvider)


def build_chain(
    settings: Settings, providers: Sequence[LLMProvider] | None = None
) -> ProviderChain:
    """The assistant's chain over ``providers`` (default: :func:`build_providers`) with the
    settings' retries and breaker. Built by the composition root, which also hands it,
    without the offline tutor, to problem generation: both then share its breakers."""
    return ProviderChain(
        list(providers) if providers is not None else build_providers(settings),
        RetryPolicy(
            settings.llm_retry_attempts, settings.llm_retry_base_s, settings.llm_retry_max_s
        ),
        settings.llm_breaker_failures,
        settings.llm_breaker_cooldown_s,
    )


@dataclass
class AIMetrics:
    tokens: Counter
    cost: Counter
    ttft: Histogram

    @classmethod
    def register(cls, metrics: Metrics) -> AIMetrics:
        registry = metrics.registry
        return cls(
            Counter(
                "interviewkit_ai_tokens",
                "LLM tokens",
                ["provider", "model", "direction"],
                registry=registry,
            ),
            Counter(
                "interviewkit_ai_cost_usd",
                "LLM cost in USD",
                ["provider", "model"],
                registry=registry,
            ),
            Histogram(
                "interviewkit_ai_ttft_seconds",
                "Time to the first token",
                ["provider"],
                registry=registry,
            ),
        )


@dataclass
class Reservation:
    """The reservation of a turn in progress; ``settled`` once its messages are stored
    (which settles the reservation) or the reservation was released."""

    id: str | None
    settled: bool = False


@dataclass(frozen=True)
class Admitted:
    """A question that passed ``admit``: its session and the reservation it holds."""

    interview: InterviewSession
    reservation: Reservation


class AssistantService:
    def __init__(
        self,
        factory: sessionmaker[Session],
        settings: Settings,
        sessions: SessionService,
        executions: ExecutionService,
        problems: ProblemService,
        recording: RecordingService,
        metrics: Metrics,
        chain: ProviderChain | None = None,
    ) -> None:
        self.factory = factory
        self.settings = settings
        self.sessions = sessions
        self.executions = executions
        self.problems = problems
        self.recording = recording
        self.chain = chain if chain is not None else build_chain(settings)
        self.metrics = AIMetrics.register(metrics)

    # ---- reading ------------------------------------------------------------------------

    def messages(self, session_id: str, *, check: bool = True) -> list[AssistantMessage]:
        if check:
            self.sessions.get_session(session_id)
        query = (
            select(AssistantMessage)
            .where(AssistantMessage.session_id == session_id)
            .order_by(AssistantMessage.created_at, AssistantMessage.id)
        )
        with read_session(self.factory) as db:
            rows = list(db.scalars(query))
            db.expunge_all()
        return rows

    def totals(self, rows: Sequence[AssistantMessage]) -> Totals:
        return Totals.of(rows, self.settings.ai_session_token_budget or None)

    # ---- admission ----------------------------------------------------------------------

    def admit(self, session_id: str, content: str) -> Admitted:
        """Refuse before any work: bad input, ended session, rate and token budgets.

        The checks and the reservation they admit are one locked transaction (the session
        row, and for the daily budget one lock for the server), and the checks count the
        reservations of turns still running: N concurrent questions against a limit of K
        admit exactly K, where checking finished turns alone let all N through.
        """
        if not content.strip():
            raise ProblemError(422, "empty_message", "the message is empty")
        if len(content) > self.settings.ai_max_message_chars:
            raise ProblemError(
                413,
                "message_too_large",
                f"{len(content)} characters; at most {self.settings.ai_max_message_chars}",
            )
        interview = self.sessions.get_session(session_id)
        if not interview.is_active:
            raise SessionEnded(interview.status)
        reservation = AssistantReservation(
            id=new_id("rsv"),
            session_id=session_id,
            tokens=count_tokens(content) + self.settings.llm_max_tokens,
            created_at=utcnow(),
        )

        def reserve(db: Session) -> None:
            self.sessions.lock(db, session_id)  # one admission per session at a time
            if self.settings.ai_daily_token_budget and db.get_bind().dialect.name != "sqlite":
                # SQLite has one writer already; PostgreSQL needs one lock across sessions
                db.execute(select(func.pg_advisory_xact_lock(_DAILY_LOCK)))
            self._check_limits(db, session_id, reservation.created_at)
            db.add(reservation)
            db.flush()
            db.expunge_all()

        run_write(self.factory, reserve)
        return Admitted(interview, Reservation(reservation.id))

    def _check_limits(self, db: Session, session_id: str, now: datetime) -> None:
        """429 when finished turns plus the live reservations reach a limit."""
        live = now - timedelta(seconds=self.settings.ai_reservation_ttl_s)
        db.execute(
            delete(AssistantReservation).where(
                AssistantReservation.session_id == session_id,
                AssistantReservation.created_at < live,
            )
        )
        recent = db.scalar(
            select(func.count()).where(
                AssistantMessage.session_id == session_id,
                AssistantMessage.role == "user",
                AssistantMessage.created_at >= now - timedelta(minutes=1),
            )
        )
        running, reserved = db.execute(
            _RESERVED.where(
                AssistantReservation.session_id == session_id,
                AssistantReservation.created_at >= live,
            )
        ).one()
        if (recent or 0) + running >= self.settings.ai_messages_per_minute:
            raise ProblemError(
                429,
                "rate_limited",
                f"at most {self.settings.ai_messages_per_minute} messages a minute",
                headers={"Retry-After": "60"},
                retry_after_seconds=60,
            )
        session_budget = self.settings.ai_session_token_budget
        if session_budget:
            used = db.scalar(_TOKENS.where(AssistantMessage.session_id == session_id)) or 0
            if used + reserved >= session_budget:
                raise ProblemError(
                    429,
                    "ai_budget_exceeded",
                    f"this session used its {session_budget} assistant tokens",
                    scope="session",
                )
        daily_budget = self.settings.ai_daily_token_budget
        if daily_budget:
            today = datetime(now.year, now.month, now.day, tzinfo=UTC)
            daily = db.scalar(_TOKENS.where(AssistantMessage.created_at >= today)) or 0
            _, pending = db.execute(_RESERVED.where(AssistantReservation.created_at >= live)).one()
            if daily + pending >= daily_budget:
                raise ProblemError(
                    429,
                    "ai_budget_exceeded",
                    f"the server used today's {daily_budget} assistant tokens",
                    scope="daily",
                )

    def release(self, reservation: Reservation) -> None:
        """Give back the reservation of a turn that ended without storing its messages
        (an error, a client gone, a reply never started); a no-op once it is settled."""
        if reservation.id is None or reservation.settled:
            return

        def remove(db: Session) -> None:
            db.execute(
                delete(AssistantReservation).where(AssistantReservation.id == reservation.id)
            )

        run_write(self.factory, remove)
        reservation.settled = True

    # ---- context --------------------------------------------------------------------------

    def context(self, interview: InterviewSession) -> AssistantContext:
        config = interview.config or {}
        language = config.get("language")
        problem = self._problem(interview)
        _, workspace = self.sessions.workspace_snapshot(interview.id)
        last = self._last_result(interview.id)
        part = self.problems.current_part(interview)
        if part is not None and part.path in workspace:
            active: str | None = part.path  # the current part's file, in a later part too
        else:
            active = self._active_file(workspace, language, last)
        history = self.messages(interview.id, check=False)
        # one counter: the attempt's (shared with the hint route), else the current part's
        taken = self.problems.hints_taken(interview.id, [(m.created_at, m.hint) for m in history])
        return AssistantContext(
            session_id=interview.id,
            language=language or (last.language if last else None),
            files=self._trimmed(workspace, active),
            active_file=active,
            problem=problem,
            last_result=last,
            conversation=[
                ChatMessage("user" if m.role == "user" else "assistant", m.content) for m in history
            ],
            hints_released=taken,
            policy=session_policy(config),
        )

    def _problem(self, interview: InterviewSession) -> Problem | None:
        """The session's problem through the problems service: a generated one (``gen-…``,
        stored in the database) too, so that its statement, hints and leak guard apply."""
        if interview.problem_id is None:
            return None
        try:
            return self.problems.problem(interview.problem_id)
        except ProblemError as exc:
            if exc.code != "problem_not_found":
                raise
            return None

    def _last_result(self, session_id: str) -> ExecutionResult | None:
        rows = self.executions.list_for_session(session_id, 1)
        if not rows or rows[0].state != "finished":
            return None
        # the candidate view: the tutor must never see (and so never quote) what a program
        # printed while a hidden test ran, nor a hidden test's input or expected value
        return candidate_view(self.executions.get(rows[0].id)[1])

    @staticmethod
    def _active_file(
        workspace: dict[str, str], language: str | None, last: ExecutionResult | None
    ) -> str | None:
        if language and f"/{SOLUTION_FILES.get(language, '')}" in workspace:
            return f"/{SOLUTION_FILES[language]}"
        return next(iter(sorted(workspace)), None)

    def _trimmed(self, workspace: dict[str, str], active: str | None) -> dict[str, str]:
        """The files within the token budget, the active file first."""
        budget = self.settings.ai_context_tokens
        order = sorted(workspace, key=lambda path: (path != active, path))
        kept: dict[str, str] = {}
        for path in order:
            if budget <= 0:
                break
            text = trim_to_tokens(workspace[path], budget)
            kept[path] = text
            budget -= count_tokens(text)
        return kept

    def system_prompt(self, context: AssistantContext) -> str:
        return system_prompt(context)

    # ---- a turn ---------------------------------------------------------------------------

    async def converse(
        self,
        interview: InterviewSession,
        content: str,
        reservation: Reservation | None = None,
        *,
        prompt: Callable[[AssistantContext], str] | None = None,
    ) -> AsyncGenerator[Event, None]:
        """Store the question, stream the answer, store it with its usage; events for SSE.

        The ``reservation`` (from :meth:`admit`) is settled in the commit that stores the
        messages, or released if the turn ends without them (an error, or the client going
        away), shielded from the cancellation that may be ending it. ``prompt`` makes the
        system prompt from the turn's context: the voice interviewer's persona uses its
        own, with the same policy, leak guard, budgets and hint count as the chat.
        """
        reservation = reservation or Reservation(None)
        try:
            turn_prompt = prompt or system_prompt
            async for event in self._converse(interview, content, reservation, turn_prompt):
                yield event
        finally:
            if reservation.id is not None and not reservation.settled:
                with anyio.CancelScope(shield=True):
                    await run_in_threadpool(self.release, reservation)

    async def _converse(
        self,
        interview: InterviewSession,
        content: str,
        reservation: Reservation,
        prompt: Callable[[AssistantContext], str],
    ) -> AsyncIterator[Event]:
        context = await run_in_threadpool(self.context, interview)
        asked = self._message(interview.id, "user", content, {})
        turn = Turn(content, context, prompt(context), self._chain_for(context))
        async for event in turn.stream(self.settings.llm_max_tokens):
            yield event
        cost = cost_usd(self.settings.llm_prices, turn.model, turn.used)
        row = self._message(interview.id, "assistant", turn.text, turn.fields(cost))
        question, answer = turn.recorded(cost)
        stored = [(asked, question), (row, answer)]
        await run_in_threadpool(self._store, interview.id, stored, reservation)
        self._count(turn.provider, turn.model, turn.used, cost, turn.ttft_ms)
        if turn.failure is not None:
            log.warning(
                "assistant turn %s of session %s failed (request %s): %s",
                row.id,
                interview.id,
                request_id_var.get(),
                turn.failure,
            )
            yield Event(
                "error",
                {
                    "code": "ai_unavailable",
                    "message": UNAVAILABLE,
                    "partial": turn.text,
                    "message_id": row.id,
                },
            )
            return
        yield Event("done", message_json(row))

    def _chain_for(self, context: AssistantContext) -> ProviderChain:
        """The chain for one turn: the offline tutor bound to this turn's context."""
        providers = [
            p.bind(context) if isinstance(p, OfflineProvider) else p for p in self.chain.providers
        ]
        return self.chain.with_providers(providers)

    def _count(
        self, provider: str, model: str, usage: Usage, cost: float, ttft: float | None
    ) -> None:
        labels = {"provider": provider or "none", "model": model or "none"}
        self.metrics.tokens.labels(**labels, direction="in").inc(usage.input_tokens)
        self.metrics.tokens.labels(**labels, direction="out").inc(usage.output_tokens)
        self.metrics.cost.labels(**labels).inc(cost)
        if ttft is not None:
            self.metrics.ttft.labels(provider=labels["provider"]).observe(ttft / 1000)

    def _message(
        self, session_id: str, role: str, content: str, fields: dict[str, Any]
    ) -> AssistantMessage:
        defaults: dict[str, Any] = {
            "tokens_in": 0,
            "tokens_out": 0,
            "latency_ms": 0.0,
            "cost_usd": 0.0,
            "complete": True,
            "refused": False,
            "hint": False,
        }
        return AssistantMessage(
            id=new_id("msg"),
            session_id=session_id,
            role=role,
            content=content,
            created_at=utcnow(),
            **(defaults | fields),
        )

    def _store(
        self,
        session_id: str,
        turn: list[tuple[AssistantMessage, dict[str, Any]]],
        progress: Reservation | None = None,
    ) -> None:
        """The question and the answer with their recording events: one commit per turn.

        The turn is acknowledged (the ``done`` event) only after this commit, which also
        settles its reservation: the limits then count the stored usage instead.
        """

        def insert(db: Session) -> None:
            with contextlib.suppress(SessionEnded):  # a served turn counts, ended or not
                self.sessions.lock(db, session_id)  # the recording's order
                events = [{k: v for k, v in event.items() if v is not None} for _, event in turn]
                self.recording.record(db, session_id, events)
            for row, _ in turn:
                db.add(row)
            answers = [row for row, _ in turn if row.role == "assistant"]
            if answers:  # the turn counts toward the attempt's penalties, in this commit
                self.problems.count_turn(db, session_id, hint=any(r.hint for r in answers))
            if progress is not None and progress.id is not None:
                db.execute(
                    delete(AssistantReservation).where(AssistantReservation.id == progress.id)
                )
            db.flush()
            db.expunge_all()

        run_write(self.factory, insert)
        if progress is not None:
            progress.settled = True

    async def check(self) -> list[tuple[str, bool, str]]:
        results = []
        for provider in self.chain.providers:
            ok, detail = await provider.check()
            state = self.chain.breaker(provider).state
            results.append((provider.name, ok, f"{detail}; circuit {state}"))
        return results
