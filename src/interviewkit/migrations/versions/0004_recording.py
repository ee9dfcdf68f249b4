"""recording: the event log, keyframes and recordings

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _session_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["session_id"],
        ["sessions.id"],
        name=op.f(f"fk_{table}_session_id_sessions"),
        ondelete="CASCADE",
    )


def upgrade() -> None:
    op.create_table(
        "recording_events",
        sa.Column("session_id", sa.String(length=32), nullable=False),
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=True),
        sa.Column("type", sa.String(length=32), nullable=False),
        sa.Column("client_ts", sa.BigInteger(), nullable=True),
        sa.Column("t_ms", sa.BigInteger(), nullable=False),
        sa.Column("server_ms", sa.BigInteger(), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        _session_fk("recording_events"),
        sa.PrimaryKeyConstraint("session_id", "seq", name=op.f("pk_recording_events")),
        sa.UniqueConstraint("session_id", "client_id", name="uq_recording_events_client_id"),
    )
    op.create_index("ix_recording_events_session_t", "recording_events", ["session_id", "t_ms"])
    op.create_table(
        "recording_keyframes",
        sa.Column("session_id", sa.String(length=32), nullable=False),
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("t_ms", sa.BigInteger(), nullable=False),
        _session_fk("recording_keyframes"),
        sa.PrimaryKeyConstraint("session_id", "seq", name=op.f("pk_recording_keyframes")),
    )
    op.create_table(
        "recordings",
        sa.Column("session_id", sa.String(length=32), nullable=False),
        sa.Column("last_seq", sa.BigInteger(), nullable=False),
        sa.Column("last_t_ms", sa.BigInteger(), nullable=False),
        sa.Column("keyframe_seq", sa.BigInteger(), nullable=False),
        sa.Column("keyframe_t_ms", sa.BigInteger(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("archive_key", sa.String(length=1024), nullable=True),
        sa.Column("archive_format", sa.String(length=8), nullable=True),
        sa.Column("archive_bytes", sa.BigInteger(), nullable=False),
        sa.Column("raw_bytes", sa.BigInteger(), nullable=False),
        sa.Column("index", sa.JSON(), nullable=False),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("pruned", sa.Boolean(), nullable=False),
        sa.Column("events", sa.Integer(), nullable=False),
        _session_fk("recordings"),
        sa.PrimaryKeyConstraint("session_id", name=op.f("pk_recordings")),
    )


def downgrade() -> None:
    op.drop_table("recordings")
    op.drop_table("recording_keyframes")
    op.drop_index("ix_recording_events_session_t", table_name="recording_events")
    op.drop_table("recording_events")
