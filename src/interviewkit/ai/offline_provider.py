"""The offline provider: the rule-based tutor behind the same streaming and usage path."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Sequence

from interviewkit.ai import offline
from interviewkit.ai.context import AssistantContext
from interviewkit.ai.port import ChatMessage, Chunk, Usage
from interviewkit.ai.tokens import count_tokens

MODEL = "offline"


class OfflineProvider:
    """Deterministic, no network; always ready. Streams its answer a few words at a time."""

    def __init__(self) -> None:
        self.name = "offline"
        self.model = MODEL

    async def stream(
        self,
        messages: Sequence[ChatMessage],
        system: str,
        *,
        max_tokens: int,
        context: AssistantContext | None = None,
    ) -> AsyncIterator[Chunk]:
        question = messages[-1].content if messages else ""
        if context is None:
            context = AssistantContext(session_id="", language=None, files={}, active_file=None)
        answer = offline.reply(context, question)
        for piece in re.findall(r"\S+\s*|\s+", answer):
            yield Chunk(text=piece)
            await asyncio.sleep(0)  # let the server flush between pieces
        prompt = system + "".join(m.content for m in messages)
        yield Chunk(usage=Usage(count_tokens(prompt), count_tokens(answer)), model=MODEL)

    async def check(self) -> tuple[bool, str]:
        return True, "built in"
