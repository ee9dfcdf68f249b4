"""Fixtures of the voice tests: a candidate's spoken audio (the real Piper voice, cached for
the whole run) and a real ``interviewkit serve`` with a session to talk in."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.server import Server, create_key, running_server
from tests.voice.audio_fixtures import SpokenAudio


@pytest.fixture(scope="session")
def spoken(tmp_path_factory: pytest.TempPathFactory) -> SpokenAudio:
    """Piper-spoken utterances, synthesized once per test run (WAVs in a temp dir)."""
    return SpokenAudio(tmp_path_factory.mktemp("spoken-audio"))


@dataclass
class VoiceRoom:
    """A server, a session on a bank problem, and what the test needs to talk and check."""

    server: Server
    staff: httpx.Client
    session_id: str
    candidate_token: str

    @property
    def base_url(self) -> str:
        return self.server.base_url

    def events(self, *kinds: str) -> list[dict[str, Any]]:
        """The session's recorded events of ``kinds`` (all when none are named)."""
        page = self.staff.get(f"/api/v1/sessions/{self.session_id}/events", params={"limit": 5000})
        assert page.status_code == 200, page.text
        events: list[dict[str, Any]] = page.json()["events"]
        return [e for e in events if not kinds or e["type"] in kinds]


def open_voice_room(tmp_path: Path, **settings: str) -> Iterator[VoiceRoom]:
    """A real server with the offline speech defaults (plus ``settings`` as environment
    variables) and a two-sum session in Python with the candidate invited."""
    data_dir = tmp_path / "data"
    # WARNING: the server's output goes to a pipe nobody reads until it stops; a chatty
    # conversation at INFO fills the pipe and blocks the server mid-interview
    settings.setdefault("INTERVIEWKIT_LOG_LEVEL", "WARNING")
    with running_server(data_dir, port=None, **settings) as server:
        headers = {"Authorization": f"Bearer {create_key(data_dir)}"}
        with httpx.Client(base_url=server.base_url, headers=headers, timeout=60) as staff:
            created = staff.post(
                "/api/v1/sessions",
                json={"problem_id": "two-sum", "language": "python", "files": []},
            )
            assert created.status_code == 201, created.text
            session_id = created.json()["id"]
            invited = staff.post(f"/api/v1/sessions/{session_id}/invite", json={})
            assert invited.status_code == 201, invited.text
            yield VoiceRoom(server, staff, session_id, invited.json()["token"])
