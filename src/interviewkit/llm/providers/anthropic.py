"""Claude through the official ``anthropic`` SDK (the Messages API, streamed).

The SDK's own retries are off (``max_retries=0``): retries, backoff, the circuit breaker
and fallback live in :mod:`interviewkit.llm.chain`, the same for every provider. This
adapter only translates: messages in, text chunks and usage out, SDK errors out as
:class:`ProviderError`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence

import anthropic
from pydantic import SecretStr

from interviewkit.llm.port import ChatMessage, Chunk, ProviderError, Usage
from interviewkit.llm.providers.errors import translate


def _anthropic_message(message: ChatMessage) -> anthropic.types.MessageParam:
    if message.role == "user":
        return {"role": "user", "content": message.content}
    return {"role": "assistant", "content": message.content}


class AnthropicProvider:
    """Claude through the official ``anthropic`` SDK (Messages API, streamed)."""

    def __init__(
        self, *, model: str, api_key: SecretStr, base_url: str | None, timeout: float
    ) -> None:
        self.name = "anthropic"
        self.model = model
        self.client = anthropic.AsyncAnthropic(
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
        try:
            async with self.client.messages.stream(
                model=self.model,
                system=system,
                max_tokens=max_tokens,
                messages=[_anthropic_message(m) for m in messages],
            ) as stream:
                async for text in stream.text_stream:
                    sent += text
                    yield Chunk(text=text)
                final = await stream.get_final_message()
        except ProviderError:
            raise
        except Exception as exc:
            raise translate(self.name, exc, sent) from exc
        usage = Usage(final.usage.input_tokens, final.usage.output_tokens)
        yield Chunk(usage=usage, model=final.model)

    async def check(self) -> tuple[bool, str]:
        try:
            await self.client.models.list(limit=1)
        except Exception as exc:
            return False, str(translate(self.name, exc))
        return True, f"{self.model} reachable"
