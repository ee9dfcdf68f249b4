"""The executions table: one row per run; the full result JSON in the row when small
(``result_json``), else in the object store (``result_key``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from interviewkit.db import Base, UTCDateTime, utcnow


class Execution(Base):
    __tablename__ = "executions"
    __table_args__ = (Index("ix_executions_session_created", "session_id", "created_at", "id"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    session_id: Mapped[str | None] = mapped_column(
        String(32), ForeignKey("sessions.id", ondelete="CASCADE")
    )
    requested_by: Mapped[str] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(32))
    mode: Mapped[str | None] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16), default="queued")
    status: Mapped[str | None] = mapped_column(String(32))
    passed: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer, default=0)
    result_key: Mapped[str | None] = mapped_column(String(1024))
    result_json: Mapped[str | None] = mapped_column(Text)
    """The result itself when it is at most ``exec_inline_result_kb`` (then no object)."""
    callback_url: Mapped[str | None] = mapped_column(String(2048))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
