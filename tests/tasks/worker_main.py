"""A task worker in a process of its own, for the crash tests (which SIGKILL it).

``python -m tests.tasks.worker_main database SETTINGS_JSON`` runs the database backend's
worker threads; ``python -m tests.tasks.worker_main celery SETTINGS_JSON QUEUE`` runs a
real Celery worker (``run_worker``, as ``interviewkit worker`` does). Both handle the
jobs of :mod:`tests.tasks.jobs` and run until killed.
"""

from __future__ import annotations

import json
import sys
import threading

from interviewkit.config import Settings
from interviewkit.db import create_db_engine, create_session_factory
from interviewkit.tasks import DatabaseTaskQueue
from tests.tasks.jobs import KIND, give_up, record


def main(argv: list[str]) -> int:
    backend, raw = argv[1], argv[2]
    settings = Settings(_env_file=None, **json.loads(raw))
    if backend == "celery":
        from interviewkit.tasks.celery import CeleryTaskQueue, run_worker

        celery_queue = CeleryTaskQueue(settings, queue_name=argv[3])
        celery_queue.register(KIND, record, give_up)
        return run_worker(celery_queue, concurrency=1, loglevel="WARNING")
    factory = create_session_factory(create_db_engine(settings))
    queue = DatabaseTaskQueue(factory, settings, workers=1)
    queue.register(KIND, record, give_up)
    queue.start()
    print("worker started", flush=True)
    threading.Event().wait()  # until killed
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
