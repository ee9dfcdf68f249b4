"""One assistant turn: a question streamed through the chain into an answer and its facts.

A :class:`Turn` owns what happens while the reply streams (the first-token time, the text
so far, the leak guard, a failure mid-way) and then says what to store: the message's
fields and the recording event. Storing and counting stay with the service, which owns the
database and the metrics.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from interviewkit.assistant.context import AssistantContext
from interviewkit.assistant.policy import REFUSAL, guarded_reference, leaks_solution
from interviewkit.assistant.tutor import wants_hint
from interviewkit.llm.chain import AllProvidersFailed, MidStreamFailure, ProviderChain, Served
from interviewkit.llm.port import ChatMessage, Usage
from interviewkit.llm.tokens import count_tokens

UNAVAILABLE = "the assistant is unavailable right now; please try again in a moment"
"""All a candidate learns of a provider failure: the provider's own text can hold key
fragments and internal host names, so it goes to the log (with the request id) only."""


@dataclass(frozen=True)
class Event:
    """One server-sent event of a reply: ``delta``, ``done``, ``error`` or ``refused``."""

    name: str
    data: dict[str, Any]


@dataclass
class Turn:
    """The reply to ``question`` in ``context``, as it streams from ``chain``."""

    question: str
    context: AssistantContext
    system: str
    chain: ProviderChain
    text: str = ""
    usage: Usage | None = None
    provider: str = ""
    model: str = ""
    failure: str | None = None
    """The provider's own error text (for the log only), when the reply broke or never came."""
    refused: bool = False
    started: float = field(default_factory=time.perf_counter)
    first: float | None = None
    ended: float = 0.0

    async def stream(self, max_tokens: int) -> AsyncIterator[Event]:
        """``delta`` events as text arrives; ``refused`` (and stop) if it leaks the solution."""
        history = [*self.context.conversation, ChatMessage("user", self.question)]
        reference = guarded_reference(self.context)
        try:
            async for served in self.chain.stream(history, self.system, max_tokens=max_tokens):
                if not self._take(served):
                    continue
                if reference and leaks_solution(self.text, reference):
                    self.refused = True
                    break
                yield Event("delta", {"text": served.chunk.text})
        except MidStreamFailure as exc:
            self.failure = str(exc.error)
            self.provider, self.model = exc.provider.name, exc.provider.model
        except AllProvidersFailed as exc:
            self.failure = str(exc)
        if self.refused:
            self.text = REFUSAL
            yield Event("refused", {"text": REFUSAL})
        self.ended = time.perf_counter()
        if self.usage is None:  # the provider reported none: count what was sent and said
            self.usage = Usage(count_tokens(self.system + self.question), count_tokens(self.text))

    def _take(self, served: Served) -> bool:
        """Note who served the chunk and its usage; True when it carries text."""
        self.provider = served.provider.name
        self.model = served.chunk.model or served.provider.model
        if served.chunk.usage is not None:
            self.usage = served.chunk.usage
        if not served.chunk.text:
            return False
        if self.first is None:
            self.first = time.perf_counter()
        self.text += served.chunk.text
        return True

    @property
    def latency_ms(self) -> float:
        return (self.ended - self.started) * 1000

    @property
    def ttft_ms(self) -> float | None:
        return (self.first - self.started) * 1000 if self.first is not None else None

    @property
    def hint(self) -> bool:
        """The offline tutor released one of the problem's hints in this reply."""
        problem = self.context.problem
        return (
            self.provider == "offline"
            and wants_hint(self.question)
            and problem is not None
            and self.context.hints_released < len(problem.hints)
        )

    def fields(self, cost: float) -> dict[str, Any]:
        """The answer's columns besides its text."""
        usage = self.used
        ttft = self.ttft_ms
        return {
            "provider": self.provider or None,
            "model": self.model or None,
            "tokens_in": usage.input_tokens,
            "tokens_out": usage.output_tokens,
            "latency_ms": round(self.latency_ms, 2),
            "ttft_ms": round(ttft, 2) if ttft else None,
            "cost_usd": cost,
            "complete": self.failure is None,
            "refused": self.refused,
            "hint": self.hint,
            "error": None if self.failure is None else UNAVAILABLE,
        }

    def recorded(self, cost: float) -> list[dict[str, Any]]:
        """The question and the answer as recording events."""
        usage = self.used
        question = {"type": "ai_interaction", "role": "user", "content": self.question}
        answer = {
            "type": "ai_interaction",
            "role": "assistant",
            "content": self.text,
            "model": self.model or None,
            "tokens_in": usage.input_tokens,
            "tokens_out": usage.output_tokens,
            "latency_ms": round(self.latency_ms, 2),
            "cost_usd": cost,
        }
        return [question, answer]

    @property
    def used(self) -> Usage:
        """The usage once the stream ended (reported, else counted)."""
        assert self.usage is not None, "the turn has not streamed yet"
        return self.usage
