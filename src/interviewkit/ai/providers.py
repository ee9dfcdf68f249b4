"""Adapters of the LLM port: Anthropic and OpenAI(-compatible) through their official SDKs.

The SDKs' own retries are off (``max_retries=0``): retries, backoff, the circuit breaker
and fallback live in :mod:`interviewkit.ai.resilience`, the same for every provider. Each
adapter only translates: messages in, text chunks and usage out, and the SDK's errors into
:class:`ProviderError` with ``retryable`` and the server's ``Retry-After``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Any

import anthropic
import httpx
import openai
from pydantic import SecretStr

try:  # the SDKs moved to httpx2; a dropped stream surfaces as its transport error
    import httpx2

    TRANSPORT_ERRORS: tuple[type[Exception], ...] = (httpx.TransportError, httpx2.TransportError)
except ImportError:  # pragma: no cover - older SDKs on httpx
    TRANSPORT_ERRORS = (httpx.TransportError,)

from interviewkit.ai.context import AssistantContext
from interviewkit.ai.port import ChatMessage, Chunk, ProviderError, Usage


def _retry_after(response: Any) -> float | None:
    if response is None:
        return None
    value = response.headers.get("retry-after")
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None


def _translate(provider: str, exc: Exception, partial: str = "") -> ProviderError:
    """The SDK's exception as a ProviderError: 429, 5xx and connection errors may be retried."""
    if isinstance(exc, anthropic.APIStatusError | openai.APIStatusError):
        status = exc.status_code
        return ProviderError(
            provider,
            f"HTTP {status}: {exc.message}",
            retryable=status == 429 or status >= 500,
            status=status,
            retry_after=_retry_after(exc.response),
            partial=partial,
        )
    connection: tuple[type[Exception], ...] = (
        anthropic.APIConnectionError,
        openai.APIConnectionError,
        *TRANSPORT_ERRORS,
    )
    if isinstance(exc, connection):
        return ProviderError(provider, f"connection failed: {exc}", True, partial=partial)
    return ProviderError(provider, f"{type(exc).__name__}: {exc}", False, partial=partial)


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
        context: AssistantContext | None = None,
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
            raise _translate(self.name, exc, sent) from exc
        usage = Usage(final.usage.input_tokens, final.usage.output_tokens)
        yield Chunk(usage=usage, model=final.model)

    async def check(self) -> tuple[bool, str]:
        try:
            await self.client.models.list(limit=1)
        except Exception as exc:
            return False, str(_translate(self.name, exc))
        return True, f"{self.model} reachable"


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
        context: AssistantContext | None = None,
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
            raise _translate(self.name, exc, sent) from exc
        yield Chunk(usage=usage or Usage(0, 0), model=model)

    async def check(self) -> tuple[bool, str]:
        try:
            await self.client.models.list()
        except Exception as exc:
            return False, str(_translate(self.name, exc))
        return True, f"{self.model} reachable"
