"""Tables of the review domain: interviewers' scorecards."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from interviewkit.db import Base, UTCDateTime, utcnow


class Scorecard(Base):
    """One interviewer's (API key's) card for one session: ratings, notes, recommendation.

    Unique per (session, key), so two interviewers never overwrite each other's card and
    one interviewer saving twice edits the same card.
    """

    __tablename__ = "scorecards"
    __table_args__ = (
        UniqueConstraint("session_id", "interviewer_id", name="uq_scorecards_session_interviewer"),
        CheckConstraint("status IN ('draft', 'submitted')", name="status"),
        CheckConstraint(
            "recommendation IS NULL OR recommendation IN ('strong_no', 'no', 'yes', 'strong_yes')",
            name="recommendation",
        ),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    session_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("sessions.id", ondelete="CASCADE")
    )
    interviewer_id: Mapped[str] = mapped_column(String(32))
    """The API key's id (its name is read from the auth domain when shown)."""
    ratings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    notes: Mapped[str] = mapped_column(Text, default="")
    recommendation: Mapped[str | None] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="draft")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
