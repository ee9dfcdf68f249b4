"""Alembic environment: migrates the engine handed over in ``config.attributes``."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine

from interviewkit.assistant import models as _assistant_models  # noqa: F401
from interviewkit.auth import models as _auth_models  # noqa: F401  (registers tables)
from interviewkit.db import Base
from interviewkit.execution import models as _execution_models  # noqa: F401
from interviewkit.problems import models as _problem_models  # noqa: F401
from interviewkit.recording import models as _recording_models  # noqa: F401
from interviewkit.sessions import models as _session_models  # noqa: F401
from interviewkit.tasks import models as _task_models  # noqa: F401
from interviewkit.video import models as _video_models  # noqa: F401

engine: Engine = context.config.attributes["engine"]

with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
