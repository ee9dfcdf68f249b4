"""The candidate's assistant: context, policy, streaming, usage, cost, budgets, recording."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncGenerator, AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import anyio
from prometheus_client import Counter, Histogram
from pydantic import SecretStr
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from interviewkit.ai import offline
from interviewkit.ai.context import AssistantContext, Policy
from interviewkit.ai.models import AssistantMessage, AssistantReservation
from interviewkit.ai.offline_provider import OfflineProvider
from interviewkit.ai.port import ChatMessage, LLMProvider, Usage
from interviewkit.ai.providers import AnthropicProvider, OpenAIProvider
from interviewkit.ai.resilience import (
    AllProvidersFailed,
    MidStreamFailure,
    ProviderChain,
    RetryPolicy,
)
from interviewkit.ai.tokens import count_tokens, trim_to_tokens
from interviewkit.config import Settings
from interviewkit.db import new_id, read_session, run_write, utcnow
from interviewkit.errors import ProblemError
from interviewkit.execution.schemas import ExecutionResult, candidate_view
from interviewkit.execution.service import ExecutionService
from interviewkit.observability import Metrics, request_id_var
from interviewkit.problems.bank import SOLUTION_FILES, Problem
from interviewkit.problems.service import ProblemService
from interviewkit.recording.service import RecordingService
from interviewkit.sessions.models import InterviewSession
from interviewkit.sessions.service import SessionService
from interviewkit.sessions.workspace import LockedWorkspace

POLICY_RULES: dict[str, str] = {
    "hints_only": (
        "Guide with questions and hints. Never write the solution or any part of it as code; "
        "at most one short line of code to illustrate syntax."
    ),
    "explain": (
        "You may explain concepts, algorithms and error messages, with small snippets of "
        "code (a few lines), but never a working solution to the problem."
    ),
    "full": "You may help fully, including code, as a pair programmer would.",
}
_TOKENS = select(
    func.coalesce(func.sum(AssistantMessage.tokens_in + AssistantMessage.tokens_out), 0)
)
"""Tokens used by the messages a ``where`` picks: a session's, or the day's."""
_RESERVED = select(func.count(), func.coalesce(func.sum(AssistantReservation.tokens), 0))
"""Turns admitted but not finished (and their reserved tokens) that a ``where`` picks."""
_DAILY_LOCK = 0x696B5F6169  # "ik_ai": PostgreSQL advisory lock serialising daily-budget checks
UNAVAILABLE = "the assistant is unavailable right now; please try again in a moment"
"""All a candidate learns of a provider failure: the provider's own text can hold key
fragments and internal host names, so it goes to the log (with the request id) only."""
log = logging.getLogger(__name__)
REFUSAL = (
    "I can't share that: it would give away most of the solution, which this interview's "
    "assistant policy does not allow. Ask me for a hint, or about the failing test instead."
)


def build_providers(settings: Settings) -> list[LLMProvider]:
    """The configured chain, in order; a provider without its key is left out."""
    chain: list[LLMProvider] = []
    for name in settings.llm_provider.split(","):
        if name == "anthropic" and settings.anthropic_api_key:
            chain.append(
                AnthropicProvider(
                    model=settings.anthropic_model,
                    api_key=settings.anthropic_api_key,
                    base_url=settings.anthropic_base_url,
                    timeout=settings.llm_timeout_s,
                )
            )
        elif name == "openai" and (settings.openai_api_key or settings.openai_base_url):
            chain.append(
                OpenAIProvider(
                    model=settings.openai_model,
                    api_key=settings.openai_api_key or SecretStr("none"),
                    base_url=settings.openai_base_url,
                    timeout=settings.llm_timeout_s,
                )
            )
        elif name == "offline":
            chain.append(OfflineProvider())
    return chain or [OfflineProvider()]


def leaks_solution(reply: str, reference: str, threshold: float = 0.5) -> bool:
    """True when the reply holds most of the reference's significant lines of code."""
    significant = {_code(line) for line in reference.splitlines() if len(_code(line)) >= 8}
    if not significant:
        return False
    said = {_code(line) for line in reply.splitlines()}
    return len(significant & said) / len(significant) >= threshold


def _code(line: str) -> str:
    return "".join(line.split())


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
class Turn:
    """The reservation of a turn in progress; ``settled`` once its messages are stored
    (which settles the reservation) or the reservation was released."""

    reservation: str | None
    settled: bool = False


@dataclass(frozen=True)
class Admitted:
    """A question that passed ``admit``: its session and the turn holding its reservation."""

    interview: InterviewSession
    turn: Turn


@dataclass(frozen=True)
class Event:
    """One server-sent event of a reply: ``delta``, ``done``, ``error`` or ``refused``."""

    name: str
    data: dict[str, Any]


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
        providers: Sequence[LLMProvider] | None = None,
    ) -> None:
        self.factory = factory
        self.settings = settings
        self.sessions = sessions
        self.executions = executions
        self.problems = problems
        self.recording = recording
        self.chain = ProviderChain(
            list(providers) if providers is not None else build_providers(settings),
            RetryPolicy(
                settings.llm_retry_attempts, settings.llm_retry_base_s, settings.llm_retry_max_s
            ),
            settings.llm_breaker_failures,
            settings.llm_breaker_cooldown_s,
        )
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

    def totals(self, rows: Sequence[AssistantMessage]) -> dict[str, Any]:
        return {
            "messages": len(rows),
            "tokens_in": sum(r.tokens_in for r in rows),
            "tokens_out": sum(r.tokens_out for r in rows),
            "cost_usd": round(sum(r.cost_usd for r in rows), 6),
            "budget_tokens": self.settings.ai_session_token_budget or None,
        }

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
            raise ProblemError(409, "session_ended", f"session is {interview.status}")
        reservation = AssistantReservation(
            id=new_id("rsv"),
            session_id=session_id,
            tokens=count_tokens(content) + self.settings.llm_max_tokens,
            created_at=utcnow(),
        )

        def reserve(db: Session) -> None:
            LockedWorkspace.lock(db, session_id)  # one admission per session at a time
            if self.settings.ai_daily_token_budget and db.get_bind().dialect.name != "sqlite":
                # SQLite has one writer already; PostgreSQL needs one lock across sessions
                db.execute(select(func.pg_advisory_xact_lock(_DAILY_LOCK)))
            self._check_limits(db, session_id, reservation.created_at)
            db.add(reservation)
            db.flush()
            db.expunge_all()

        run_write(self.factory, reserve)
        return Admitted(interview, Turn(reservation.id))

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

    def release(self, turn: Turn) -> None:
        """Give back the reservation of a turn that ended without storing its messages
        (an error, a client gone, a reply never started); a no-op once it is settled."""
        if turn.reservation is None or turn.settled:
            return

        def remove(db: Session) -> None:
            db.execute(
                delete(AssistantReservation).where(AssistantReservation.id == turn.reservation)
            )

        run_write(self.factory, remove)
        turn.settled = True

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
        policy: Policy = config.get("assistant_policy", "hints_only")
        if policy not in POLICY_RULES:
            policy = "hints_only"
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
            policy=policy,
        )

    def _problem(self, interview: InterviewSession) -> Problem | None:
        if interview.problem_id is None:
            return None
        return self.problems.bank.problems.get(interview.problem_id)

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
        parts = [
            "You are the assistant in a live technical interview. You help the candidate "
            "think, like a good interviewer would; the interviewer reads this conversation.",
            f"Policy: {POLICY_RULES[context.policy]}",
        ]
        if context.problem is not None:
            parts.append(f"## Problem: {context.problem.title}\n{context.problem.description}")
        if context.language:
            parts.append(f"Language: {context.language}")
        for path, text in context.files.items():
            active = path == context.active_file
            marker = " (the file the candidate is working on)" if active else ""
            parts.append(f"## File {path}{marker}\n```\n{text}\n```")
        if context.last_result is not None:
            result = context.last_result
            parts.append(
                f"## Last run: {result.status}, {result.passed}/{result.total} tests\n"
                + offline.explain_result(
                    result, context.language or result.language, context.files, context.problem
                )
            )
        return "\n\n".join(parts)

    # ---- a turn ---------------------------------------------------------------------------

    async def converse(
        self, interview: InterviewSession, content: str, turn: Turn | None = None
    ) -> AsyncGenerator[Event, None]:
        """Store the question, stream the answer, store it with its usage; events for SSE.

        The ``turn``'s reservation (from :meth:`admit`) is settled in the commit that
        stores the messages, or released if the turn ends without them (an error, or the
        client going away), shielded from the cancellation that may be ending it.
        """
        turn = turn or Turn(None)
        try:
            async for event in self._converse(interview, content, turn):
                yield event
        finally:
            if turn.reservation is not None and not turn.settled:
                with anyio.CancelScope(shield=True):
                    await run_in_threadpool(self.release, turn)

    async def _converse(
        self, interview: InterviewSession, content: str, turn: Turn
    ) -> AsyncIterator[Event]:
        context = await run_in_threadpool(self.context, interview)
        asked = self._message(interview.id, "user", content, {})
        system = self.system_prompt(context)
        history = [*context.conversation, ChatMessage("user", content)]
        started = time.perf_counter()
        first: float | None = None
        text = ""
        usage: Usage | None = None
        provider_name, model = "", ""
        reference = self._reference(context)
        failure: str | None = None
        refused = False
        try:
            async for served in self.chain.stream(
                history, system, max_tokens=self.settings.llm_max_tokens, context=context
            ):
                provider_name = served.provider.name
                model = served.chunk.model or served.provider.model
                if served.chunk.usage is not None:
                    usage = served.chunk.usage
                if not served.chunk.text:
                    continue
                if first is None:
                    first = time.perf_counter()
                text += served.chunk.text
                if reference and leaks_solution(text, reference):
                    refused = True
                    break
                yield Event("delta", {"text": served.chunk.text})
        except MidStreamFailure as exc:
            failure = str(exc.error)
            provider_name, model = exc.provider.name, exc.provider.model
        except AllProvidersFailed as exc:
            failure = str(exc)
        if refused:
            text = REFUSAL
            yield Event("refused", {"text": REFUSAL})
        latency = (time.perf_counter() - started) * 1000
        ttft = (first - started) * 1000 if first is not None else None
        if usage is None:
            usage = Usage(count_tokens(system + content), count_tokens(text))
        cost = self._cost(model, usage)
        fields = {
            "provider": provider_name or None,
            "model": model or None,
            "tokens_in": usage.input_tokens,
            "tokens_out": usage.output_tokens,
            "latency_ms": round(latency, 2),
            "ttft_ms": round(ttft, 2) if ttft else None,
            "cost_usd": cost,
            "complete": failure is None,
            "refused": refused,
            "hint": provider_name == "offline"
            and offline.wants_hint(content)
            and context.problem is not None
            and context.hints_released < len(context.problem.hints),
            "error": None if failure is None else UNAVAILABLE,
        }
        answer = {
            "type": "ai_interaction",
            "role": "assistant",
            "content": text,
            "model": model or None,
            "tokens_in": usage.input_tokens,
            "tokens_out": usage.output_tokens,
            "latency_ms": round(latency, 2),
            "cost_usd": cost,
        }
        row = self._message(interview.id, "assistant", text, fields)
        question = {"type": "ai_interaction", "role": "user", "content": content}
        await run_in_threadpool(self._store, interview.id, [(asked, question), (row, answer)], turn)
        self._count(provider_name, model, usage, cost, ttft)
        if failure is not None:
            log.warning(
                "assistant turn %s of session %s failed (request %s): %s",
                row.id,
                interview.id,
                request_id_var.get(),
                failure,
            )
            yield Event(
                "error",
                {
                    "code": "ai_unavailable",
                    "message": UNAVAILABLE,
                    "partial": text,
                    "message_id": row.id,
                },
            )
            return
        yield Event("done", message_json(row))

    def _reference(self, context: AssistantContext) -> str | None:
        if context.policy != "hints_only" or context.problem is None:
            return None
        return context.problem.solutions.get(context.language or "python")

    def _cost(self, model: str, usage: Usage) -> float:
        price_in, price_out = self.settings.llm_prices.get(model, (0.0, 0.0))
        return round((usage.input_tokens * price_in + usage.output_tokens * price_out) / 1e6, 8)

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
        progress: Turn | None = None,
    ) -> None:
        """The question and the answer with their recording events: one commit per turn.

        The turn is acknowledged (the ``done`` event) only after this commit, which also
        settles its reservation: the limits then count the stored usage instead.
        """

        def insert(db: Session) -> None:
            try:
                LockedWorkspace.lock(db, session_id)  # the recording's order; 409 if ended
                events = [{k: v for k, v in event.items() if v is not None} for _, event in turn]
                self.recording.record(db, session_id, events)
            except ProblemError as exc:
                if exc.code not in ("session_ended", "session_expired"):  # a served turn counts
                    raise
            for row, _ in turn:
                db.add(row)
            answers = [row for row, _ in turn if row.role == "assistant"]
            if answers:  # the turn counts toward the attempt's penalties, in this commit
                self.problems.count_turn(db, session_id, hint=any(r.hint for r in answers))
            if progress is not None and progress.reservation is not None:
                db.execute(
                    delete(AssistantReservation).where(
                        AssistantReservation.id == progress.reservation
                    )
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


def message_json(row: AssistantMessage) -> dict[str, Any]:
    return {
        "id": row.id,
        "role": row.role,
        "content": row.content,
        "provider": row.provider,
        "model": row.model,
        "usage": {"input_tokens": row.tokens_in, "output_tokens": row.tokens_out},
        "latency_ms": row.latency_ms,
        "ttft_ms": row.ttft_ms,
        "cost_usd": row.cost_usd,
        "complete": row.complete,
        "refused": row.refused,
        "error": row.error,
        "created_at": row.created_at.isoformat().replace("+00:00", "Z"),
    }
