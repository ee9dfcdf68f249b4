"""the interview lifecycle: parts, deadlines, expiry

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

OLD_STATUS = "status IN ('active', 'completed', 'terminated')"
NEW_STATUS = "status IN ('active', 'completed', 'terminated', 'expired')"


def upgrade() -> None:
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("deadline_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f("ix_sessions_deadline_at"), ["deadline_at"], unique=False)
        batch_op.drop_constraint(batch_op.f("ck_sessions_status"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_sessions_status"), NEW_STATUS)
    op.create_table(
        "session_parts",
        sa.Column("session_id", sa.String(length=32), nullable=False),
        sa.Column("position", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("problem_id", sa.String(length=64), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=False),
        sa.Column("minutes", sa.Float(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_by", sa.String(length=16), nullable=False),
        sa.Column("execution_id", sa.String(length=32), nullable=True),
        sa.Column("passed", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["sessions.id"],
            name=op.f("fk_session_parts_session_id_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("session_id", "position", name=op.f("pk_session_parts")),
    )


def downgrade() -> None:
    op.drop_table("session_parts")
    op.execute(sa.text("UPDATE sessions SET status = 'terminated' WHERE status = 'expired'"))
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_sessions_status"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_sessions_status"), OLD_STATUS)
        batch_op.drop_index(batch_op.f("ix_sessions_deadline_at"))
        batch_op.drop_column("deadline_at")
