"""The offline provider: the rule-based tutor behind the same streaming and usage path.

The tutor answers from the session (its problem, files and last run), which the LLM port
does not carry: a turn binds the provider to its context when it starts (:meth:`bind`),
so the port's signature stays the same for every provider.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Sequence

from interviewkit.assistant.context import AssistantContext
from interviewkit.assistant.tutor.answers import reply
from interviewkit.llm.port import ChatMessage, Chunk, Usage
from interviewkit.llm.tokens import count_tokens

MODEL = "offline"


class OfflineProvider:
    """Deterministic, no network; always ready. Streams its answer a few words at a time."""

    def __init__(self, context: AssistantContext | None = None) -> None:
        self.name = "offline"
        self.model = MODEL
        self.context = context or AssistantContext(
            session_id="", language=None, files={}, active_file=None
        )

    def bind(self, context: AssistantContext) -> OfflineProvider:
        """The tutor for one turn: it answers from ``context``."""
        return OfflineProvider(context)

    async def stream(
        self,
        messages: Sequence[ChatMessage],
        system: str,
        *,
        max_tokens: int,
    ) -> AsyncIterator[Chunk]:
        question = messages[-1].content if messages else ""
        answer = reply(self.context, question)
        for piece in re.findall(r"\S+\s*|\s+", answer):
            yield Chunk(text=piece)
            await asyncio.sleep(0)  # let the server flush between pieces
        prompt = system + "".join(m.content for m in messages)
        yield Chunk(usage=Usage(count_tokens(prompt), count_tokens(answer)), model=MODEL)

    async def check(self) -> tuple[bool, str]:
        return True, "built in"
