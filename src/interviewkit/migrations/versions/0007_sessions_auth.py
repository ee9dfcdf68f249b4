"""sessions and auth: candidate token revocation

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # the generation of candidate tokens a session accepts; an invite with
    # revoke_previous moves it on, so every token minted before stops working
    # (a plain ADD COLUMN with a default: no table copy, also on SQLite)
    op.add_column(
        "sessions",
        sa.Column("token_generation", sa.Integer(), server_default="0", nullable=False),
    )


def downgrade() -> None:
    with op.batch_alter_table("sessions") as batch:
        batch.drop_column("token_generation")
