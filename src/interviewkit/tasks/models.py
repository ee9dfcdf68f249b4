"""The table of the database task backend: one row per job, its whole life.

Workers claim rows (state ``running`` with a lease), so the table is the queue, the lock
and the history at once: nothing is lost when a process dies, because a lease that runs
out makes the row claimable again.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from interviewkit.db import Base, UTCDateTime, utcnow


class TaskJob(Base):
    """One job of the database backend.

    ``dedupe_key`` is unique while the job is queued or running and cleared when it
    finishes: a nullable unique column (NULLs never collide) does on SQLite and PostgreSQL
    alike what a partial unique index would, and keeps enqueue-by-key one INSERT.
    """

    __tablename__ = "task_jobs"
    __table_args__ = (
        CheckConstraint("state IN ('queued', 'running', 'succeeded', 'failed')", name="state"),
        # the claim reads the due jobs of one state in run_after order
        Index("ix_task_jobs_state_run_after", "state", "run_after"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    state: Mapped[str] = mapped_column(String(16), default="queued")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    """Claims so far: a worker lost mid-job counts as an attempt too."""
    run_after: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    lease_owner: Mapped[str | None] = mapped_column(String(100))
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
