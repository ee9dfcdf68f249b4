"""The chain's rules, with scripted providers: retry before the first token, never after."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence

import pytest

from interviewkit.llm.chain import (
    AllProvidersFailed,
    CircuitBreaker,
    MidStreamFailure,
    ProviderChain,
    RetryPolicy,
)
from interviewkit.llm.port import ChatMessage, Chunk, ProviderError, Usage


class Scripted:
    """A provider whose calls follow a script: "ok", "429", "500", "fatal" or "cut"."""

    def __init__(self, name: str, script: list[str]) -> None:
        self.name = name
        self.model = f"{name}-model"
        self.script = script
        self.calls = 0

    async def stream(
        self,
        messages: Sequence[ChatMessage],
        system: str,
        *,
        max_tokens: int,
    ) -> AsyncIterator[Chunk]:
        step = self.script[self.calls] if self.calls < len(self.script) else "ok"
        self.calls += 1
        if step in ("429", "500"):
            raise ProviderError(self.name, step, True, int(step), 1.5 if step == "429" else None)
        if step == "fatal":
            raise ProviderError(self.name, "bad request", False, 400)
        yield Chunk(text="Hello ")
        if step == "cut":
            raise ProviderError(self.name, "connection reset", True)
        yield Chunk(text="there")
        yield Chunk(usage=Usage(10, 2), model=self.model)

    async def check(self) -> tuple[bool, str]:
        return True, "scripted"


def run(chain: ProviderChain) -> tuple[str, str]:
    async def collect() -> tuple[str, str]:
        text, who = "", ""
        async for served in chain.stream([ChatMessage("user", "hi")], "system", max_tokens=10):
            text += served.chunk.text
            who = served.provider.name
        return text, who

    return asyncio.run(collect())


def chain_of(*providers: Scripted, attempts: int = 3) -> tuple[ProviderChain, list[float]]:
    pauses: list[float] = []
    chain = ProviderChain(list(providers), RetryPolicy(attempts, 0.01, 2.0), 2, 30.0)
    chain.sleep = pauses.append
    return chain, pauses


def test_retries_honour_retry_after_then_succeed() -> None:
    primary = Scripted("primary", ["429", "500", "ok"])
    chain, pauses = chain_of(primary)
    assert run(chain) == ("Hello there", "primary")
    assert primary.calls == 3
    assert pauses[0] == 1.5  # the server's Retry-After
    assert 0.01 <= pauses[1] <= 0.02 * 2  # backoff with jitter on the second try


def test_a_non_retryable_error_falls_back_at_once() -> None:
    primary, backup = Scripted("primary", ["fatal"]), Scripted("backup", [])
    chain, pauses = chain_of(primary, backup)
    assert run(chain) == ("Hello there", "backup")
    assert primary.calls == 1
    assert pauses == []


def test_exhausted_retries_fall_back_and_all_failing_raises() -> None:
    primary, backup = Scripted("primary", ["500"] * 3), Scripted("backup", ["fatal"])
    chain, _ = chain_of(primary, backup)
    with pytest.raises(AllProvidersFailed) as raised:
        run(chain)
    assert primary.calls == 3
    assert "backup: bad request" in str(raised.value)


def test_a_stream_cut_after_text_is_not_retried() -> None:
    primary = Scripted("primary", ["cut"])
    chain, _ = chain_of(primary, Scripted("backup", []))
    with pytest.raises(MidStreamFailure):
        run(chain)
    assert primary.calls == 1


def test_the_breaker_opens_and_lets_one_probe_through_after_the_cooldown() -> None:
    now = [0.0]
    breaker = CircuitBreaker(threshold=2, cooldown_s=30, clock=lambda: now[0])
    breaker.failed()
    assert breaker.allow()
    breaker.failed()
    assert breaker.state == "open"
    assert not breaker.allow()
    now[0] = 31
    assert breaker.state == "half_open"
    assert breaker.allow()
    assert not breaker.allow()  # one probe at a time
    breaker.failed()
    assert breaker.state == "open"  # the probe failed: open again for a cooldown
    now[0] = 62
    assert breaker.allow()
    breaker.succeeded()
    assert breaker.state == "closed"


def test_an_open_circuit_skips_the_provider() -> None:
    primary, backup = Scripted("primary", ["fatal", "fatal", "ok"]), Scripted("backup", [])
    chain, _ = chain_of(primary, backup)
    run(chain)
    run(chain)
    assert chain.breaker(primary).state == "open"
    assert run(chain) == ("Hello there", "backup")
    assert primary.calls == 2  # not asked while open
