"""executions: small results stored in the row

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06

A finished run's result JSON up to ``exec_inline_result_kb`` is kept in the execution row,
written by the commit that finishes the run, instead of an object of its own (a file, its
fsync, a rename, on every run). Bigger results stay in the object store (``result_key``);
rows from before this revision keep theirs there and read as before.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # a nullable column: no table rewrite on either database, existing rows read NULL
    op.add_column("executions", sa.Column("result_json", sa.Text(), nullable=True))


def downgrade() -> None:
    # the column holds the only copy of those results: refuse rather than lose them
    inline = op.get_bind().execute(
        sa.text("SELECT count(*) FROM executions WHERE result_json IS NOT NULL")
    )
    if inline.scalar_one():
        raise RuntimeError(
            "executions hold results in their rows (result_json); downgrading would "
            "lose them: set INTERVIEWKIT_EXEC_INLINE_RESULT_KB=0 and export them first"
        )
    with op.batch_alter_table("executions") as batch:
        batch.drop_column("result_json")
