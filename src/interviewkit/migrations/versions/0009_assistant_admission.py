"""assistant: atomic turn reservations

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "assistant_reservations",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("session_id", sa.String(length=32), nullable=False),
        sa.Column("tokens", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["sessions.id"],
            name=op.f("fk_assistant_reservations_session_id_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assistant_reservations")),
    )
    op.create_index(
        "ix_assistant_reservations_session_created",
        "assistant_reservations",
        ["session_id", "created_at"],
    )
    op.create_index("ix_assistant_reservations_created", "assistant_reservations", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_assistant_reservations_created", table_name="assistant_reservations")
    op.drop_index("ix_assistant_reservations_session_created", table_name="assistant_reservations")
    op.drop_table("assistant_reservations")
