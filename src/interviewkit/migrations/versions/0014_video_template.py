"""video: the template an interview's questions were copied from

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06

A column of its own rather than a key in a JSON column: ``questions`` is a list with no
place for it, the session's ``config`` is another table the interview views do not read,
and a column can be filtered and indexed later ("interviews made from this template").
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # a nullable column: no table rewrite on either database, existing rows read NULL
    op.add_column("video_interviews", sa.Column("template_id", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("video_interviews") as batch:
        batch.drop_column("template_id")
