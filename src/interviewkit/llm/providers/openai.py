"""OpenAI, or any OpenAI-compatible server (Ollama, vLLM, llama.cpp), through the ``openai`` SDK.

As for Anthropic, the SDK's retries are off: :mod:`interviewkit.llm.chain` retries. This
adapter only translates messages, streamed chunks, usage and errors.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Any

import openai
from pydantic import SecretStr

from interviewkit.llm.port import ChatMessage, Chunk, Usage
from interviewkit.llm.providers.errors import translate


class OpenAIProvider:
    """OpenAI, or any OpenAI-compatible server (Ollama, vLLM, llama.cpp) via ``base_url``."""

    def __init__(
        self, *, model: str, api_key: SecretStr, base_url: str | None, timeout: float
    ) -> None:
        self.name = "openai"
        self.model = model
        self.client = openai.AsyncOpenAI(
            api_key=api_key.get_secret_value(),  # unwrapped only here, for the SDK
            base_url=base_url,
            max_retries=0,
            timeout=timeout,
        )

    async def stream(
        self,
        messages: Sequence[ChatMessage],
        system: str,
        *,
        max_tokens: int,
    ) -> AsyncIterator[Chunk]:
        sent = ""
        usage: Usage | None = None
        model = self.model
        payload: list[Any] = [{"role": "system", "content": system}]
        payload += [{"role": m.role, "content": m.content} for m in messages]
        try:
            stream = await self.client.chat.completions.create(
                model=self.model,
                messages=payload,
                max_tokens=max_tokens,
                stream=True,
                stream_options={"include_usage": True},
            )
            async for chunk in stream:
                model = chunk.model or model
                if chunk.usage is not None:
                    usage = Usage(chunk.usage.prompt_tokens, chunk.usage.completion_tokens)
                for choice in chunk.choices:
                    if choice.delta.content:
                        sent += choice.delta.content
                        yield Chunk(text=choice.delta.content)
        except Exception as exc:
            raise translate(self.name, exc, sent) from exc
        yield Chunk(usage=usage or Usage(0, 0), model=model)

    async def check(self) -> tuple[bool, str]:
        try:
            await self.client.models.list()
        except Exception as exc:
            return False, str(translate(self.name, exc))
        return True, f"{self.model} reachable"
