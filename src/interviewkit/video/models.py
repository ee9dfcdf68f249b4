"""Tables of the video domain: interviews, the recorded answers, and each answer's steps.

An interview is backed by a session (``session_id``): its candidate tokens, revocation and
live channel are the session's. An answer row exists from the moment its upload starts
(``uploading``) and counts as an attempt once completed; the latest completed attempt of a
question is the answer that counts. Step rows are the pipeline's memory: a step with a
row is finished and is skipped when the job runs again (see ``video/steps.py``).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from interviewkit.db import Base, UTCDateTime, utcnow


class InterviewStatus(StrEnum):
    invited = "invited"
    """No answer submitted yet."""
    in_progress = "in_progress"
    """Some questions answered."""
    submitted = "submitted"
    """Every question has an answer; some are still being analysed."""
    analyzed = "analyzed"
    """Every question's answer has finished its analysis (analysed or failed)."""


class AnswerStatus(StrEnum):
    uploading = "uploading"
    """The upload started and has not been completed: not an attempt yet."""
    queued = "queued"
    processing = "processing"
    analyzed = "analyzed"
    failed = "failed"


SUBMITTED = (
    AnswerStatus.queued,
    AnswerStatus.processing,
    AnswerStatus.analyzed,
    AnswerStatus.failed,
)
"""An answer in one of these states was completed: it is an attempt and may count."""
FINISHED = (AnswerStatus.analyzed, AnswerStatus.failed)


class VideoInterview(Base):
    __tablename__ = "video_interviews"
    __table_args__ = (
        CheckConstraint(
            "status IN ('invited', 'in_progress', 'submitted', 'analyzed')", name="status"
        ),
        Index("ix_video_interviews_created", "created_at", "id"),
        Index("ix_video_interviews_email_created", "candidate_email", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    session_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("sessions.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    candidate_name: Mapped[str | None] = mapped_column(String(200))
    candidate_email: Mapped[str | None] = mapped_column(String(320))
    questions: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    """A copy, never a reference: editing a template later leaves this interview as it was."""
    template_id: Mapped[str | None] = mapped_column(String(64))
    """The template the questions were copied from (``video/templates.py``), if any."""
    status: Mapped[str] = mapped_column(String(16), default=InterviewStatus.invited)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class VideoAnswer(Base):
    __tablename__ = "video_answers"
    __table_args__ = (
        CheckConstraint(
            "status IN ('uploading', 'queued', 'processing', 'analyzed', 'failed')",
            name="status",
        ),
        CheckConstraint("upload_mode IN ('single', 'multipart')", name="upload_mode"),
        UniqueConstraint(
            "interview_id", "question_index", "attempt", name="uq_video_answers_attempt"
        ),
        Index("ix_video_answers_interview", "interview_id", "question_index", "attempt"),
        Index("ix_video_answers_created", "created_at", "id"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    interview_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("video_interviews.id", ondelete="CASCADE")
    )
    question_index: Mapped[int] = mapped_column(Integer)
    attempt: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default=AnswerStatus.uploading)
    step: Mapped[str | None] = mapped_column(String(32))
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    content_type: Mapped[str] = mapped_column(String(100))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    declared_duration_s: Mapped[float] = mapped_column(Float)
    upload_mode: Mapped[str] = mapped_column(String(16))
    upload_id: Mapped[str | None] = mapped_column(String(1024))
    original_key: Mapped[str] = mapped_column(String(1024))
    duration_s: Mapped[float | None] = mapped_column(Float)
    """Measured by the probe when the upload completed (never the client's word)."""
    error: Mapped[str | None] = mapped_column(Text)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    """Deleted by staff: objects and steps gone, the row kept so the attempt still counts."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class VideoStep(Base):
    __tablename__ = "video_steps"

    answer_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("video_answers.id", ondelete="CASCADE"), primary_key=True
    )
    step: Mapped[str] = mapped_column(String(32), primary_key=True)
    output: Mapped[dict[str, Any]] = mapped_column(JSON)
    files: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    """File name -> object key, stored before the row (a row never names missing files)."""
    finished_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
