"""The recording scaled out: PostgreSQL for the log, S3 (moto over HTTP) for the archive."""

from __future__ import annotations

import io
import uuid
from typing import Any

import httpx
import pytest
import zstandard
from fastapi.testclient import TestClient

from interviewkit.app import Container
from tests.conftest import new_session
from tests.recording.helpers import session_start_ms, stored, typing
from tests.storage.conftest import moto_endpoint  # noqa: F401  (the session's moto server)

POSTGRES_ONLY = pytest.mark.parametrize(
    "database_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)


@pytest.fixture
def settings_overrides(moto_endpoint: str) -> dict[str, Any]:  # noqa: F811
    return {
        "object_store": "s3",
        "s3_bucket": f"ik-rec-{uuid.uuid4().hex}",
        "s3_endpoint_url": moto_endpoint,
        "s3_access_key_id": "testing",
        "s3_secret_access_key": "testing",
        "s3_create_bucket": True,
        "recording_keyframe_events": 3,
    }


@pytest.mark.s3
@POSTGRES_ONLY
def test_archive_on_s3_replays_after_pruning_and_downloads(
    client: TestClient, container: Container
) -> None:
    sid = new_session(client, files=[{"path": "/solution.py", "content": ""}])["id"]
    stored(client, sid, typing(session_start_ms(client, sid) + 1000))
    client.delete(f"/api/v1/sessions/{sid}")
    container.recording.wait_for_archives()
    moments = [0, 1250, 1950, 10**9]
    live = [
        client.get(f"/api/v1/sessions/{sid}/replay", params={"at_ms": m}).json() for m in moments
    ]
    timeline = client.get(f"/api/v1/sessions/{sid}/timeline").json()
    assert container.recording.prune(older_than_s=0) == [sid]
    again = [
        client.get(f"/api/v1/sessions/{sid}/replay", params={"at_ms": m}).json() for m in moments
    ]
    assert again == live
    assert client.get(f"/api/v1/sessions/{sid}/timeline").json() == timeline
    link = client.get(f"/api/v1/sessions/{sid}/recording").json()
    assert link["url"].startswith(container.settings.s3_endpoint_url or "")
    downloaded = httpx.get(link["url"], timeout=10)
    assert downloaded.status_code == 200
    reader = zstandard.ZstdDecompressor().stream_reader(
        io.BytesIO(downloaded.content), read_across_frames=True
    )
    lines = reader.read().splitlines()
    assert len(lines) == link["events"]
    assert b'"type":"session_ended"' in lines[-1]
