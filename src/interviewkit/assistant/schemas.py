"""The assistant's request and response bodies, typed so that the API documents them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from interviewkit.assistant.models import AssistantMessage


class MessageIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    content: str = Field(min_length=1, max_length=100_000)
    stream: bool = True


class TokenUsage(BaseModel):
    input_tokens: int
    output_tokens: int


class MessageOut(BaseModel):
    """One message of the conversation, with what it cost."""

    id: str
    role: str
    content: str
    provider: str | None
    model: str | None
    usage: TokenUsage
    latency_ms: float
    ttft_ms: float | None
    cost_usd: float
    complete: bool
    refused: bool
    error: str | None
    created_at: str

    @classmethod
    def of(cls, row: AssistantMessage) -> MessageOut:
        return cls(
            id=row.id,
            role=row.role,
            content=row.content,
            provider=row.provider,
            model=row.model,
            usage=TokenUsage(input_tokens=row.tokens_in, output_tokens=row.tokens_out),
            latency_ms=row.latency_ms,
            ttft_ms=row.ttft_ms,
            cost_usd=row.cost_usd,
            complete=row.complete,
            refused=row.refused,
            error=row.error,
            created_at=row.created_at.isoformat().replace("+00:00", "Z"),
        )


class Totals(BaseModel):
    """What a conversation used so far, against the session's budget (None: no budget)."""

    messages: int
    tokens_in: int
    tokens_out: int
    cost_usd: float
    budget_tokens: int | None

    @classmethod
    def of(cls, rows: Sequence[AssistantMessage], budget_tokens: int | None) -> Totals:
        return cls(
            messages=len(rows),
            tokens_in=sum(r.tokens_in for r in rows),
            tokens_out=sum(r.tokens_out for r in rows),
            cost_usd=round(sum(r.cost_usd for r in rows), 6),
            budget_tokens=budget_tokens,
        )


class Conversation(BaseModel):
    messages: list[MessageOut]
    totals: Totals


def message_json(row: AssistantMessage) -> dict[str, Any]:
    """A message as the ``done`` event and the conversation carry it."""
    return MessageOut.of(row).model_dump()
