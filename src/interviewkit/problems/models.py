"""Tables of the problems domain: candidates, their question attempts, generated problems."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from interviewkit.db import Base, UTCDateTime, utcnow


class Candidate(Base):
    __tablename__ = "candidates"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320), index=True)
    external_ref: Mapped[str | None] = mapped_column(String(200), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Attempt(Base):
    """One question put to a candidate: what was asked, how it went, what it scored."""

    __tablename__ = "attempts"
    __table_args__ = (
        CheckConstraint("status IN ('assigned', 'started', 'completed')", name="status"),
        Index("ix_attempts_candidate_assigned", "candidate_id", "assigned_at", "id"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    candidate_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("candidates.id", ondelete="CASCADE")
    )
    session_id: Mapped[str | None] = mapped_column(
        String(32), ForeignKey("sessions.id", ondelete="SET NULL")
    )
    problem_id: Mapped[str] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default="assigned")
    adapted_difficulty: Mapped[str] = mapped_column(String(16))
    theta_before: Mapped[float] = mapped_column(Float)
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hints_used: Mapped[int] = mapped_column(Integer, default=0)
    assistant_messages: Mapped[int] = mapped_column(Integer, default=0)
    score: Mapped[float | None] = mapped_column(Float)
    breakdown: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class GeneratedProblem(Base):
    """A problem an LLM wrote and the sandbox vetted (``source: generated``)."""

    __tablename__ = "generated_problems"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    difficulty: Mapped[str] = mapped_column(String(16))
    document: Mapped[str] = mapped_column(Text)
    """The problem as JSON, in the bank's format."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SessionPart(Base):
    """One finished part of a multi-part (template) session: what was judged, and its score.

    A row is written when the part ends (the candidate moves on, or time runs out), so the
    current part of a session is the number of its rows: a part is judged exactly once.
    """

    __tablename__ = "session_parts"

    session_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("sessions.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    problem_id: Mapped[str] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(String(100))
    minutes: Mapped[float] = mapped_column(Float)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_by: Mapped[str] = mapped_column(String(16))
    """``next`` (moved on), ``expired`` (time ran out) or ``completed`` (the session ended)."""
    execution_id: Mapped[str | None] = mapped_column(String(32))
    passed: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer, default=0)
    score: Mapped[float] = mapped_column(Float, default=0.0)
