"""The voice benches' shared parts: a real server, candidate rooms, and the voice client.

A bench runs as ``python bench/<name>.py``, so only ``bench/`` is on ``sys.path``; the
repository root is added here so that the channel client (``tests/voice/voice_client.py``)
and the spoken audio (``tests/voice/audio_fixtures.py``) are the very code the end-to-end
tests use: one client, whose latency method is stated once, in its docstring.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = str(Path(__file__).resolve().parents[1])
if ROOT not in sys.path:
    sys.path.append(ROOT)

from tests.voice.audio_fixtures import (  # noqa: E402
    CLEAN,
    CONDITIONS,
    Condition,
    SpokenAudio,
    Utterance,
)
from tests.voice.voice_client import Speech, Spoken, VoiceClient  # noqa: E402

from live_bench import server  # noqa: E402

__all__ = [
    "CLEAN",
    "CONDITIONS",
    "Condition",
    "Room",
    "Speech",
    "Spoken",
    "SpokenAudio",
    "Utterance",
    "VoiceClient",
    "VoiceServer",
    "voice_server",
]

PROBLEM = {"problem_id": "two-sum", "language": "python", "files": []}
"""What each bench room interviews on: a bank problem, so the interviewer has a statement,
examples, hints and follow-ups to talk about."""


@dataclass(frozen=True)
class Room:
    session_id: str
    token: str


@dataclass(frozen=True)
class VoiceServer:
    """A running ``interviewkit serve``, its process id and an interviewer key for it."""

    url: str
    key: str
    log: Path
    pid: int

    def cpu_seconds(self) -> float:
        """CPU seconds (user + system, all threads) the server has used so far."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def room(self, **body: object) -> Room:
        """A new session (two-sum in Python unless ``body`` says otherwise) and its invite."""
        headers = {"Authorization": f"Bearer {self.key}"}
        with httpx.Client(base_url=self.url, headers=headers, timeout=60) as http:
            created = http.post("/api/v1/sessions", json={**PROBLEM, **body})
            created.raise_for_status()
            session_id = created.json()["id"]
            invited = http.post(f"/api/v1/sessions/{session_id}/invite", json={})
            invited.raise_for_status()
            return Room(session_id, invited.json()["token"])

    def events(self, session_id: str, kinds: set[str] | None = None) -> list[dict[str, object]]:
        """The session's recorded events (of ``kinds``), from the events API."""
        headers = {"Authorization": f"Bearer {self.key}"}
        found: list[dict[str, object]] = []
        following: int | None = 1
        with httpx.Client(base_url=self.url, headers=headers, timeout=60) as http:
            while following is not None:
                page = http.get(
                    f"/api/v1/sessions/{session_id}/events",
                    params={"from_seq": following, "limit": 5000},
                )
                page.raise_for_status()
                body = page.json()
                found.extend(body["events"])
                following = body["next_from_seq"]
        return [e for e in found if kinds is None or e.get("type") in kinds]


@contextmanager
def voice_server(settings: dict[str, str], keep: Path | None = None) -> Iterator[VoiceServer]:
    """A real server (one uvicorn worker, SQLite in a temporary data dir) with ``settings``
    over the offline defaults; its log is kept in ``keep`` if given."""
    with tempfile.TemporaryDirectory(prefix="voice-bench-") as temporary:
        data_dir = Path(temporary) / "data"
        log_path = (keep or Path(temporary)) / "server.log"
        with server(data_dir, None, log_path, settings) as (url, pid, key):
            yield VoiceServer(url, key, log_path, pid)
