"""video: interviews, their answers and each answer's pipeline steps

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "video_interviews",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("session_id", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("candidate_name", sa.String(length=200), nullable=True),
        sa.Column("candidate_email", sa.String(length=320), nullable=True),
        sa.Column("questions", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('invited', 'in_progress', 'submitted', 'analyzed')",
            name=op.f("ck_video_interviews_status"),
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["sessions.id"],
            name=op.f("fk_video_interviews_session_id_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_video_interviews")),
    )
    op.create_index("ix_video_interviews_created", "video_interviews", ["created_at", "id"])
    op.create_index(
        "ix_video_interviews_email_created", "video_interviews", ["candidate_email", "created_at"]
    )
    op.create_index(op.f("ix_video_interviews_session_id"), "video_interviews", ["session_id"])
    op.create_table(
        "video_answers",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("interview_id", sa.String(length=32), nullable=False),
        sa.Column("question_index", sa.Integer(), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("step", sa.String(length=32), nullable=True),
        sa.Column("progress", sa.Float(), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("declared_duration_s", sa.Float(), nullable=False),
        sa.Column("upload_mode", sa.String(length=16), nullable=False),
        sa.Column("upload_id", sa.String(length=1024), nullable=True),
        sa.Column("original_key", sa.String(length=1024), nullable=False),
        sa.Column("duration_s", sa.Float(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('uploading', 'queued', 'processing', 'analyzed', 'failed')",
            name=op.f("ck_video_answers_status"),
        ),
        sa.CheckConstraint(
            "upload_mode IN ('single', 'multipart')", name=op.f("ck_video_answers_upload_mode")
        ),
        sa.ForeignKeyConstraint(
            ["interview_id"],
            ["video_interviews.id"],
            name=op.f("fk_video_answers_interview_id_video_interviews"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_video_answers")),
        sa.UniqueConstraint(
            "interview_id", "question_index", "attempt", name="uq_video_answers_attempt"
        ),
    )
    op.create_index(
        "ix_video_answers_interview",
        "video_answers",
        ["interview_id", "question_index", "attempt"],
    )
    op.create_index("ix_video_answers_created", "video_answers", ["created_at", "id"])
    op.create_table(
        "video_steps",
        sa.Column("answer_id", sa.String(length=32), nullable=False),
        sa.Column("step", sa.String(length=32), nullable=False),
        sa.Column("output", sa.JSON(), nullable=False),
        sa.Column("files", sa.JSON(), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["answer_id"],
            ["video_answers.id"],
            name=op.f("fk_video_steps_answer_id_video_answers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("answer_id", "step", name=op.f("pk_video_steps")),
    )


def downgrade() -> None:
    op.drop_table("video_steps")
    op.drop_index("ix_video_answers_created", table_name="video_answers")
    op.drop_index("ix_video_answers_interview", table_name="video_answers")
    op.drop_table("video_answers")
    op.drop_index(op.f("ix_video_interviews_session_id"), table_name="video_interviews")
    op.drop_index("ix_video_interviews_email_created", table_name="video_interviews")
    op.drop_index("ix_video_interviews_created", table_name="video_interviews")
    op.drop_table("video_interviews")
