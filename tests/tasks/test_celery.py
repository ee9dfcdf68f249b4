"""What only the Celery backend does: a worker without the job's handler fails it visibly
(a Celery message cannot wait for a worker that has the code, as a database row can)."""

from __future__ import annotations

import pytest

from interviewkit.tasks import JobState
from tests.tasks.conftest import Backend
from tests.tasks.jobs import KIND


@pytest.mark.parametrize("backend", ["celery"], indirect=True)
def test_a_job_no_worker_handles_fails_with_the_reason(backend: Backend) -> None:
    job_id = backend.queue.enqueue("nobody.handles.this", {"x": 1})
    fine = backend.queue.enqueue(KIND, backend.payload("fine"))
    backend.start()

    info = backend.wait(job_id)
    assert info.state is JobState.failed
    assert info.last_error is not None
    assert "nobody.handles.this" in info.last_error
    assert backend.wait(fine).state is JobState.succeeded
