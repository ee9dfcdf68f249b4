"""The offline tutor behind the LLM port: bound to a turn's context, never to a shared one."""

from __future__ import annotations

import asyncio

from interviewkit.assistant.context import AssistantContext
from interviewkit.assistant.tutor.provider import OfflineProvider
from interviewkit.llm.chain import ProviderChain, RetryPolicy
from interviewkit.llm.port import ChatMessage, LLMProvider
from interviewkit.problems.bank import load_bank

TWO_SUM = load_bank().problems["two-sum"]


def context(problem: bool) -> AssistantContext:
    return AssistantContext(
        session_id="ses_x",
        language="python",
        files={},
        active_file=None,
        problem=TWO_SUM if problem else None,
    )


def answer(provider: LLMProvider, question: str) -> str:
    async def collect() -> str:
        chunks = provider.stream([ChatMessage("user", question)], "system", max_tokens=100)
        return "".join([chunk.text async for chunk in chunks])

    return asyncio.run(collect())


def test_a_bound_tutor_answers_from_its_own_turns_context() -> None:
    shared = OfflineProvider()
    with_problem, without = shared.bind(context(True)), shared.bind(context(False))
    assert answer(with_problem, "hint please").startswith("**Hint 1 of")
    assert "no problem with hints" in answer(without, "hint please")
    assert "no problem with hints" in answer(shared, "hint please")  # the shared one is unbound


def test_a_turns_chain_shares_the_breakers_of_the_assistants_chain() -> None:
    chain = ProviderChain([OfflineProvider()], RetryPolicy())
    turn = chain.with_providers([OfflineProvider().bind(context(True))])
    assert turn.breakers is chain.breakers
    assert turn.breaker(turn.providers[0]) is chain.breaker(chain.providers[0])
