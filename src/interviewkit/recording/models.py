"""Tables of the recording domain: the event log, its keyframes, and one row per recording."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from interviewkit.db import Base, UTCDateTime


class RecordedEvent(Base):
    __tablename__ = "recording_events"
    __table_args__ = (
        UniqueConstraint("session_id", "client_id", name="uq_recording_events_client_id"),
        Index("ix_recording_events_session_t", "session_id", "t_ms"),
    )

    session_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("sessions.id", ondelete="CASCADE"), primary_key=True
    )
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    client_id: Mapped[str | None] = mapped_column(String(64))
    type: Mapped[str] = mapped_column(String(32))
    source: Mapped[str] = mapped_column(String(80), server_default="system")
    """Who wrote it, set by the server: ``candidate``, ``staff:<API key id>`` or ``system``."""
    client_ts: Mapped[int | None] = mapped_column(BigInteger)
    t_ms: Mapped[int] = mapped_column(BigInteger)
    server_ms: Mapped[int] = mapped_column(BigInteger)
    """When the server stored it, epoch ms (an integer: cheap to write 20,000 times a second)."""
    data: Mapped[str] = mapped_column(Text)
    """The event's own fields as JSON (without id, type, ts)."""


class Keyframe(Base):
    __tablename__ = "recording_keyframes"

    session_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("sessions.id", ondelete="CASCADE"), primary_key=True
    )
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    t_ms: Mapped[int] = mapped_column(BigInteger)


class Recording(Base):
    """Counters of a session's log (read and written under the session's lock), and its archive."""

    __tablename__ = "recordings"

    session_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("sessions.id", ondelete="CASCADE"), primary_key=True
    )
    last_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    last_t_ms: Mapped[int] = mapped_column(BigInteger, default=0)
    keyframe_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    keyframe_t_ms: Mapped[int] = mapped_column(BigInteger, default=0)
    state: Mapped[str] = mapped_column(String(16), default="live")
    archive_key: Mapped[str | None] = mapped_column(String(1024))
    archive_format: Mapped[str | None] = mapped_column(String(8))
    archive_bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    raw_bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    index: Mapped[list[Any]] = mapped_column(JSON, default=list)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    pruned: Mapped[bool] = mapped_column(Boolean, default=False)
    events: Mapped[int] = mapped_column(Integer, default=0)
    bytes: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    """Size of the log (events' JSON and the contents they reference): the byte quota."""
