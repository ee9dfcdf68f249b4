"""The assistant conversation: one row per message, with its usage and cost."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from interviewkit.db import Base, UTCDateTime, utcnow


class AssistantMessage(Base):
    __tablename__ = "assistant_messages"
    __table_args__ = (
        Index("ix_assistant_messages_session_created", "session_id", "created_at", "id"),
        Index("ix_assistant_messages_created", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    session_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("sessions.id", ondelete="CASCADE")
    )
    role: Mapped[str] = mapped_column(String(16))
    content: Mapped[str] = mapped_column(Text)
    provider: Mapped[str | None] = mapped_column(String(32))
    model: Mapped[str | None] = mapped_column(String(100))
    tokens_in: Mapped[int] = mapped_column(Integer, default=0)
    tokens_out: Mapped[int] = mapped_column(Integer, default=0)
    latency_ms: Mapped[float] = mapped_column(Float, default=0.0)
    ttft_ms: Mapped[float | None] = mapped_column(Float)
    cost_usd: Mapped[float] = mapped_column(Float, default=0.0)
    complete: Mapped[bool] = mapped_column(Boolean, default=True)
    refused: Mapped[bool] = mapped_column(Boolean, default=False)
    hint: Mapped[bool] = mapped_column(Boolean, default=False)
    """The offline tutor released one of the problem's hints in this reply."""
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AssistantReservation(Base):
    """A turn admitted but not yet finished.

    ``admit`` checks the rate limit and the token budgets and inserts this row in one
    locked transaction, and the checks count these rows, so N concurrent questions cannot
    all pass a limit that only finished turns would show. The turn deletes its row in the
    transaction that stores its messages (settled with the real usage) or when it fails
    (released); a row older than ``ai_reservation_ttl_s`` (a crashed server) is ignored.
    """

    __tablename__ = "assistant_reservations"
    __table_args__ = (
        Index("ix_assistant_reservations_session_created", "session_id", "created_at"),
        Index("ix_assistant_reservations_created", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    session_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("sessions.id", ondelete="CASCADE")
    )
    tokens: Mapped[int] = mapped_column(Integer)
    """The most the turn is expected to use: its question and the longest reply."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
