"""Tables of the sessions domain: interview sessions and their workspace files."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from interviewkit.db import Base, UTCDateTime, utcnow

# Byte-order comparison: folder listings scan the range ['/dir/', '/dir0'), which only
# works when '/' sorts right before '0' (PostgreSQL's default collations ignore punctuation).
WORKSPACE_PATH = String(1024).with_variant(String(1024, collation="C"), "postgresql")


class SessionStatus(StrEnum):
    active = "active"
    completed = "completed"
    terminated = "terminated"
    expired = "expired"
    """Ended by its time limit (``config.time_limit_minutes``), not by a person."""


class InterviewSession(Base):
    __tablename__ = "sessions"
    __table_args__ = (
        CheckConstraint(
            "status IN ('active', 'completed', 'terminated', 'expired')", name="status"
        ),
        Index("ix_sessions_created", "created_at", "id"),
        Index("ix_sessions_status_created", "status", "created_at", "id"),
        Index("ix_sessions_template_created", "template_id", "created_at", "id"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    template_id: Mapped[str | None] = mapped_column(String(64))
    problem_id: Mapped[str | None] = mapped_column(String(64))
    candidate_name: Mapped[str | None] = mapped_column(String(200))
    candidate_email: Mapped[str | None] = mapped_column(String(320), index=True)
    status: Mapped[str] = mapped_column(String(16), default=SessionStatus.active)
    config: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    file_count: Mapped[int] = mapped_column(Integer, default=0)
    workspace_bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    token_generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    """Candidate tokens of older generations are refused (``revoke_previous`` moves it on)."""
    deadline_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    """created_at + config.time_limit_minutes: writes after it are refused, a sweeper ends it."""

    @property
    def is_active(self) -> bool:
        return self.status == SessionStatus.active


class SessionFile(Base):
    __tablename__ = "session_files"
    __table_args__ = (UniqueConstraint("session_id", "path", name="uq_session_files_path"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    session_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("sessions.id", ondelete="CASCADE")
    )
    path: Mapped[str] = mapped_column(WORKSPACE_PATH)
    content: Mapped[str | None] = mapped_column(Text)
    storage_key: Mapped[str | None] = mapped_column(String(1024))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(32))
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
