"""Background tasks: the port, its two backends, and the factory that picks one.

Celery is an optional extra (``interviewkit[celery]``): its module is imported only when
``task_backend=celery`` is chosen.
"""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from interviewkit.config import Settings
from interviewkit.tasks.database import DatabaseTaskQueue
from interviewkit.tasks.port import (
    GiveUpHandler,
    JobInfo,
    JobState,
    Payload,
    PermanentTaskError,
    TaskHandler,
    TaskQueue,
    UnknownTaskKind,
)

__all__ = [
    "DatabaseTaskQueue",
    "GiveUpHandler",
    "JobInfo",
    "JobState",
    "Payload",
    "PermanentTaskError",
    "TaskHandler",
    "TaskQueue",
    "UnknownTaskKind",
    "create_task_queue",
]


def create_task_queue(settings: Settings, factory: sessionmaker[Session]) -> TaskQueue:
    """The backend ``settings.task_backend`` names."""
    if settings.task_backend == "celery":
        from interviewkit.tasks.celery import CeleryTaskQueue

        return CeleryTaskQueue(settings)
    return DatabaseTaskQueue(factory, settings)
