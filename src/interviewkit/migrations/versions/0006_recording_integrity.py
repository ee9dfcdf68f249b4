"""recording: who wrote each event (server-set source), recording quotas

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # events stored before sources existed were all accepted as the server's to vouch for
    # (a plain ADD COLUMN: no copy of the event log, also on SQLite)
    op.add_column(
        "recording_events",
        sa.Column("source", sa.String(length=80), server_default="system", nullable=False),
    )
    op.add_column(
        "recordings", sa.Column("bytes", sa.BigInteger(), server_default="0", nullable=False)
    )


def downgrade() -> None:
    with op.batch_alter_table("recordings") as batch:
        batch.drop_column("bytes")
    with op.batch_alter_table("recording_events") as batch:
        batch.drop_column("source")
