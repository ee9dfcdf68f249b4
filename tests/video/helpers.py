"""Helpers for the video domain's tests: the app with the video API, a candidate, uploads
through the presigned URLs as a browser makes them, and running the queued jobs.

``python -m tests.video.helpers worker SETTINGS_JSON`` runs the database queue's worker
with the video pipeline in a process of its own (the crash test SIGKILLs it).
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx2 import Response  # what starlette's TestClient returns once httpx2 is installed

from interviewkit.app import Container
from interviewkit.config import Settings
from interviewkit.tasks import DatabaseTaskQueue
from interviewkit.video import media
from interviewkit.video.pipeline import VideoPipeline
from tests.conftest import Keys

API = "/api/v1/video"
MIB = 1 << 20
WAIT_S = 600.0
"""How long a test waits for a job that should finish (a bound, never an assertion)."""


def pipeline_of(container: Container) -> VideoPipeline:
    return container.video_pipeline


def queue_of(container: Container) -> DatabaseTaskQueue:
    queue = container.tasks
    assert isinstance(queue, DatabaseTaskQueue)
    return queue


def run_jobs(container: Container) -> int:
    """Run every due job in this thread (the database queue's ``run_one``); how many ran."""
    ran = 0
    while queue_of(container).run_one():
        ran += 1
    return ran


# ---- the API as the pages use it -------------------------------------------------------------


def question(text: str = "Tell me about a project you led.", **extra: Any) -> dict[str, Any]:
    return {"text": text, "thinking_s": 5, "max_answer_s": 60, **extra}


def create_interview(client: TestClient, **body: Any) -> dict[str, Any]:
    payload = {
        "title": "Backend engineer",
        "candidate_name": "Ada Lovelace",
        "candidate_email": "ada@example.com",
        "questions": [question(keywords=["project", "team"])],
        **body,
    }
    response = client.post(f"{API}/interviews", json=payload)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def candidate(client: TestClient, app: FastAPI, interview_id: str) -> TestClient:
    """A client holding the candidate token of the interview's invite link."""
    response = client.post(f"{API}/interviews/{interview_id}/invite", json={})
    assert response.status_code == 201, response.text
    token = response.json()["token"]
    return TestClient(app, raise_server_exceptions=False, headers=Keys.bearer(token))


def put_url(client: TestClient, url: str, content: bytes, headers: dict[str, str]) -> int:
    """PUT to a presigned URL: the local store's through the app, S3's over HTTP."""
    base = str(client.app.state.container.settings.effective_public_url).rstrip("/")  # type: ignore[attr-defined]
    if url.startswith(base + "/"):
        plain = TestClient(client.app, raise_server_exceptions=False)  # no credentials
        response = plain.put(url[len(base) :], content=content, headers=headers)
    else:
        sent = httpx.put(url, content=content, headers=headers, timeout=60)
        assert sent.status_code == 200, sent.text
        return sent.status_code
    assert response.status_code == 200, response.text
    return response.status_code


def start_upload(
    client: TestClient,
    interview_id: str,
    index: int,
    size: int,
    *,
    content_type: str = "video/webm",
    duration_s: float = 9.0,
) -> Response:
    return client.post(
        f"{API}/interviews/{interview_id}/answers/{index}/uploads",
        json={"content_type": content_type, "size_bytes": size, "duration_s": duration_s},
    )


def upload(
    client: TestClient,
    interview_id: str,
    index: int,
    data: bytes,
    *,
    content_type: str = "video/webm",
    duration_s: float = 9.0,
    skip_parts: frozenset[int] = frozenset(),
) -> dict[str, Any]:
    """Start an upload and send the file (one PUT, or every part not in ``skip_parts``);
    the start's answer (``answer_id``, ``mode``…). Not completed."""
    response = start_upload(
        client, interview_id, index, len(data), content_type=content_type, duration_s=duration_s
    )
    assert response.status_code == 201, response.text
    started: dict[str, Any] = response.json()
    if started["mode"] == "single":
        put_url(client, started["url"], data, {"Content-Type": started["content_type"]})
        return started
    send_parts(client, interview_id, index, started, data, skip=skip_parts)
    return started


def send_parts(
    client: TestClient,
    interview_id: str,
    index: int,
    started: dict[str, Any],
    data: bytes,
    *,
    skip: frozenset[int] = frozenset(),
    only: frozenset[int] | None = None,
) -> list[int]:
    """PUT the parts (all but ``skip``, or ``only`` those); the numbers sent."""
    size = started["part_bytes"]
    count = math.ceil(len(data) / size)
    assert count == started["part_count"]
    numbers = [n for n in range(1, count + 1) if n not in skip and (only is None or n in only)]
    if not numbers:
        return []
    path = f"{API}/interviews/{interview_id}/answers/{index}/uploads/{started['answer_id']}/parts"
    response = client.post(path, json={"numbers": numbers})
    assert response.status_code == 200, response.text
    urls = response.json()["urls"]
    for number in reversed(numbers):  # out of order on purpose: completion orders them
        put_url(client, urls[str(number)], data[(number - 1) * size : number * size], {})
    return numbers


def complete(client: TestClient, interview_id: str, index: int, answer_id: str) -> Response:
    return client.post(
        f"{API}/interviews/{interview_id}/answers/{index}/uploads/{answer_id}/complete"
    )


def large_mp4(source: Path, target: Path) -> Path:
    """The clip re-encoded as a big H.264 MP4 (about 13 MB for the short clip: three 5 MiB
    parts), still a real recording with the clip's faces and speech: light sensor-like
    noise keeps x264 from compressing the still background away."""
    if target.exists():
        return target
    command = [
        media.ffmpeg_exe(),
        "-nostdin",
        "-loglevel",
        "error",
        "-y",
        "-i",
        str(source),
        "-vf",
        "noise=alls=6:allf=t",
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        "-qp",
        "17",
        "-c:a",
        "aac",
        "-movflags",
        "+faststart",
        str(target.with_suffix(".tmp.mp4")),
    ]
    subprocess.run(command, check=True, timeout=300)
    target.with_suffix(".tmp.mp4").replace(target)
    return target


def wait_for(condition: Callable[[], bool], timeout: float = WAIT_S) -> bool:
    """Poll until ``condition`` holds; False when it never did (callers assert on it)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


# ---- a worker process ---------------------------------------------------------------------------


def main(argv: list[str]) -> int:
    """``worker SETTINGS_JSON``: the configured queue's worker with the video pipeline
    (the database backend's threads, or a Celery worker as ``interviewkit worker`` runs)."""
    if argv[1:2] != ["worker"]:
        print("usage: python -m tests.video.helpers worker SETTINGS_JSON", file=sys.stderr)
        return 2
    settings = Settings(_env_file=None, **json.loads(argv[2]))
    container = Container.build(settings)
    if settings.task_backend == "celery":
        from interviewkit.tasks.celery import CeleryTaskQueue, run_worker

        assert isinstance(container.tasks, CeleryTaskQueue)
        print("worker started", flush=True)
        return run_worker(container.tasks, concurrency=1, loglevel="WARNING")
    queue_of(container).start()
    print("worker started", flush=True)
    threading.Event().wait()  # until killed
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
