"""Retries with backoff, a circuit breaker per provider, and fallback along a chain.

Retrying is only safe before the first token: once text has reached the candidate, a
retry would repeat it, so a stream that breaks mid-way ends (the caller stores the partial
reply, marked incomplete) instead of being retried or handed to the next provider.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field

from interviewkit.llm.port import ChatMessage, Chunk, LLMProvider, ProviderError


@dataclass
class CircuitBreaker:
    """Open after ``threshold`` consecutive failures; after ``cooldown_s`` one probe goes."""

    threshold: int
    cooldown_s: float
    clock: Callable[[], float] = time.monotonic
    failures: int = 0
    opened_at: float | None = None
    probing: bool = False

    @property
    def state(self) -> str:
        if self.opened_at is None:
            return "closed"
        if self.clock() - self.opened_at >= self.cooldown_s:
            return "half_open"
        return "open"

    def allow(self) -> bool:
        state = self.state
        if state == "closed":
            return True
        if state == "half_open" and not self.probing:
            self.probing = True  # exactly one probe; the others keep falling back
            return True
        return False

    def succeeded(self) -> None:
        self.failures, self.opened_at, self.probing = 0, None, False

    def failed(self) -> None:
        self.failures += 1
        self.probing = False
        if self.failures >= self.threshold or self.opened_at is not None:
            self.opened_at = self.clock()


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 3
    base_delay_s: float = 0.25
    max_delay_s: float = 8.0

    def delay(self, attempt: int, error: ProviderError) -> float:
        """``Retry-After`` when the server sent one, else exponential backoff with jitter."""
        if error.retry_after is not None:
            return min(error.retry_after, self.max_delay_s)
        backoff = min(self.max_delay_s, self.base_delay_s * 2**attempt)
        return float(backoff * (0.5 + random.random() / 2))


@dataclass(frozen=True)
class Served:
    """A chunk and the provider that produced it."""

    provider: LLMProvider
    chunk: Chunk


class AllProvidersFailed(Exception):
    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors) or "no provider is available")
        self.errors = errors


class MidStreamFailure(Exception):
    """The reply broke after some of it was sent."""

    def __init__(self, error: ProviderError, provider: LLMProvider) -> None:
        super().__init__(str(error))
        self.error = error
        self.provider = provider


@dataclass
class ProviderChain:
    providers: Sequence[LLMProvider]
    retry: RetryPolicy
    breaker_threshold: int = 5
    breaker_cooldown_s: float = 30.0
    breakers: dict[str, CircuitBreaker] = field(default_factory=dict)
    sleep: Callable[[float], object] = asyncio.sleep

    def without(self, name: str) -> ProviderChain:
        """The same chain (sharing its breakers) minus one provider."""
        return self.with_providers([p for p in self.providers if p.name != name])

    def with_providers(self, providers: Sequence[LLMProvider]) -> ProviderChain:
        """The same rules and breakers over other providers (e.g. bound to one turn)."""
        return ProviderChain(
            list(providers),
            self.retry,
            self.breaker_threshold,
            self.breaker_cooldown_s,
            self.breakers,
            self.sleep,
        )

    def breaker(self, provider: LLMProvider) -> CircuitBreaker:
        if provider.name not in self.breakers:
            self.breakers[provider.name] = CircuitBreaker(
                self.breaker_threshold, self.breaker_cooldown_s
            )
        return self.breakers[provider.name]

    async def stream(
        self,
        messages: Sequence[ChatMessage],
        system: str,
        *,
        max_tokens: int,
    ) -> AsyncIterator[Served]:
        """Chunks from the first provider that answers; AllProvidersFailed if none does."""
        errors: list[str] = []
        for provider in self.providers:
            breaker = self.breaker(provider)
            if not breaker.allow():
                errors.append(f"{provider.name}: circuit open")
                continue
            for attempt in range(self.retry.attempts):
                started = False
                try:
                    async for chunk in provider.stream(messages, system, max_tokens=max_tokens):
                        started = started or bool(chunk.text)
                        yield Served(provider, chunk)
                except ProviderError as error:
                    if started:
                        breaker.failed()
                        raise MidStreamFailure(error, provider) from error
                    errors.append(str(error))
                    if error.retryable and attempt + 1 < self.retry.attempts:
                        await self._pause(self.retry.delay(attempt, error))
                        continue
                    breaker.failed()
                    break
                breaker.succeeded()
                return
        raise AllProvidersFailed(errors)

    async def _pause(self, seconds: float) -> None:
        result = self.sleep(seconds)
        if asyncio.iscoroutine(result):
            await result
