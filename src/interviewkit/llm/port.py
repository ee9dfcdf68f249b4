"""The LLM provider port: what every adapter (Anthropic, OpenAI-compatible, offline) offers.

A provider streams text for a list of messages and a system prompt; it knows nothing about
interviews. An adapter that needs more (the offline tutor reads the session) is bound to
it before the turn starts, so the signature here never carries a caller's own context.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, TypeVar

import anyio.from_thread

T = TypeVar("T")


def call_async(function: Callable[..., Coroutine[Any, Any, T]], *args: Any) -> T:
    """Run a provider coroutine from blocking code: on the server's event loop when called
    from one of its worker threads (the SDK clients belong to that loop), else in a loop of
    its own (the CLI)."""
    try:
        return anyio.from_thread.run(function, *args)
    except RuntimeError:  # not on a server's worker thread
        return asyncio.run(function(*args))


@dataclass(frozen=True)
class ChatMessage:
    role: Literal["user", "assistant"]
    content: str


@dataclass(frozen=True)
class Usage:
    input_tokens: int
    output_tokens: int


@dataclass(frozen=True)
class Chunk:
    """A piece of a streamed reply: text, or (last) the usage the provider reported."""

    text: str = ""
    usage: Usage | None = None
    model: str | None = None


@dataclass(frozen=True)
class Completion:
    text: str
    usage: Usage
    model: str


@dataclass
class ProviderError(Exception):
    """A provider call failed; ``retryable`` for 429, 5xx and connection errors."""

    provider: str
    message: str
    retryable: bool
    status: int | None = None
    retry_after: float | None = None
    partial: str = field(default="")

    def __str__(self) -> str:
        return f"{self.provider}: {self.message}"


class LLMProvider(Protocol):
    name: str
    model: str

    def stream(
        self,
        messages: Sequence[ChatMessage],
        system: str,
        *,
        max_tokens: int,
    ) -> AsyncIterator[Chunk]:
        """Yield text chunks, then one chunk with the usage; raise ProviderError on failure."""
        ...

    async def check(self) -> tuple[bool, str]:
        """Can this provider be reached (and is it configured)? (ok, detail)"""
        ...
