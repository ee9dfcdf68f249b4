"""Recording over HTTP: ingest, idempotency, rejections, replay, timeline, stats, archive."""

from __future__ import annotations

import gzip
import io
import time
from typing import Any

import httpx
import pytest
import zstandard
from fastapi import FastAPI
from fastapi.testclient import TestClient

from interviewkit.app import Container
from tests.conftest import assert_problem, invite, new_session
from tests.recording.helpers import post, session_start_ms, stored, typing

SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    """Keyframes every 4 events, so that replay crosses several; small event limit."""
    return {"recording_keyframe_events": 4, "recording_max_event_bytes": 10_000}


def test_events_replay_to_the_workspace_at_each_moment(client: TestClient) -> None:
    session = new_session(client, files=[{"path": "/solution.py", "content": ""}])
    sid = session["id"]
    start = session_start_ms(client, sid) + 1000
    body = stored(client, sid, typing(start))
    assert body["stored"] == 10
    seqs = [r["seq"] for r in body["results"]]
    assert seqs == sorted(seqs)
    log = client.get(f"/api/v1/sessions/{sid}/events", params={"limit": 100}).json()["events"]
    assert [e["seq"] for e in log] == list(range(1, len(log) + 1))  # gap-free
    assert "snapshot" in {e["type"] for e in log}  # keyframes every 4 events here

    def at(ms: int) -> dict[str, Any]:
        url = f"/api/v1/sessions/{sid}/replay"
        replayed: dict[str, Any] = client.get(url, params={"at_ms": ms}).json()
        return replayed

    assert at(0)["files"] == {"/solution.py": ""}
    assert at(1000 + 300)["files"]["/solution.py"] == "def "
    assert at(1000 + 950)["files"]["/solution.py"] == "def f():x"
    assert at(10**9)["files"]["/solution.py"] == "def f():"
    diff = client.get(f"/api/v1/sessions/{sid}/replay/diff", params={"from_ms": 0, "to_ms": 10**9})
    assert diff.status_code == 200
    assert "+def f():" in diff.text


def test_a_retried_batch_is_not_duplicated(client: TestClient) -> None:
    sid = new_session(client, files=[{"path": "/solution.py", "content": ""}])["id"]
    events = typing(session_start_ms(client, sid))
    first = stored(client, sid, events)
    again = stored(client, sid, events)
    assert again["stored"] == 0
    assert again["duplicates"] == len(events)
    assert [r["seq"] for r in again["results"]] == [r["seq"] for r in first["results"]]
    listed = client.get(f"/api/v1/sessions/{sid}/events", params={"limit": 100}).json()
    assert [e["id"] for e in listed["events"] if e["type"] == "edit"] == [e["id"] for e in events]


def test_bad_events_are_rejected_one_by_one_and_the_rest_stored(client: TestClient) -> None:
    sid = new_session(client, files=[{"path": "/a.py", "content": "abc"}])["id"]
    body = stored(
        client,
        sid,
        [
            {"id": "1", "type": "edit", "file": "/a.py", "offset": 3, "insert": "d"},
            {"id": "2", "type": "edit", "file": "/a.py", "offset": 99, "insert": "x"},
            {"id": "3", "type": "nonsense"},
            {"id": "4", "type": "snapshot", "files": {"/a.py": "forged"}},
            {"id": "5", "type": "edit", "file": "/missing.py", "offset": 0, "insert": "x"},
            {"id": "6", "type": "edit", "file": "/a.py", "offset": 0, "delete": 9},
            {"id": "7", "type": "paste", "file": "/a.py", "size": 5000},
        ],
    )
    statuses = [r["status"] for r in body["results"]]
    assert statuses == [
        "stored",
        "rejected",
        "rejected",
        "rejected",
        "rejected",
        "rejected",
        "stored",
    ]
    reasons = [r["reason"] or "" for r in body["results"]]
    assert "past the end" in reasons[1]
    assert "written by the server" in reasons[3]
    assert "no file" in reasons[4]
    replayed = client.get(f"/api/v1/sessions/{sid}/replay", params={"at_ms": 10**9}).json()
    assert replayed["files"] == {"/a.py": "abcd"}
    problem = assert_problem(post(client, sid, [{"type": "nope"}]), 422, "invalid_events")
    assert problem["errors"][0]["index"] == 0


def test_limits_unknown_and_ended_sessions(client: TestClient, container: Container) -> None:
    sid = new_session(client)["id"]
    many = [{"type": "focus"}] * (container.settings.recording_max_batch_events + 1)
    assert_problem(post(client, sid, many), 413, "batch_too_large")
    huge = [{"type": "note", "text": "x" * 20_000}]
    assert_problem(post(client, sid, huge), 413, "event_too_large")
    assert_problem(post(client, "ses_unknown", [{"type": "focus"}]), 404, "session_not_found")
    client.delete(f"/api/v1/sessions/{sid}")
    assert_problem(post(client, sid, [{"type": "focus"}]), 409, "session_ended")


def test_file_api_writes_and_runs_are_recorded(client: TestClient) -> None:
    sid = new_session(client)["id"]
    client.put(f"/api/v1/sessions/{sid}/files/main.py", json={"content": "print(1)\n"})
    client.post(f"/api/v1/sessions/{sid}/files/main.py:move", json={"to": "app.py"})
    types = [e["type"] for e in client.get(f"/api/v1/sessions/{sid}/events").json()["events"]]
    assert types == ["session_started", "file_written", "file_moved"]
    replayed = client.get(f"/api/v1/sessions/{sid}/replay", params={"at_ms": 10**9}).json()
    assert replayed["files"] == {"/app.py": "print(1)\n"}


def test_timeline_and_stats(client: TestClient, app: FastAPI, container: Container) -> None:
    sid = new_session(client, files=[{"path": "/solution.py", "content": ""}])["id"]
    t0 = session_start_ms(client, sid)
    candidate = invite(client, app, sid)
    stored(
        candidate,
        sid,
        [
            *typing(t0 + 1000),
            {"type": "blur", "ts": t0 + 2000},
            {"type": "focus", "ts": t0 + 7000},
            {"type": "paste", "size": 900, "ts": t0 + 8000},
            {"type": "edit", "file": "/solution.py", "offset": 0, "insert": "#", "ts": t0 + 60000},
        ],
    )
    container.recording.record_now(  # the assistant's turns are the server's to record
        sid,
        {
            "type": "ai_interaction",
            "role": "assistant",
            "content": "hint",
            "tokens_in": 10,
            "tokens_out": 20,
            "cost_usd": 0.001,
            "ts": t0 + 61000,
        },
    )
    timeline = client.get(f"/api/v1/sessions/{sid}/timeline").json()
    assert timeline["away"] == [{"start_ms": 2000, "end_ms": 7000}]
    assert [m["kind"] for m in timeline["markers"]] == ["paste", "ai"]
    assert timeline["markers"][0]["flagged"] is True
    assert timeline["idle"] == [{"start_ms": 8000, "end_ms": 60_000}]
    stats = client.get(f"/api/v1/sessions/{sid}/stats").json()
    assert stats["keystrokes"] == 11
    assert stats["pastes"] == {"count": 1, "largest": 900}
    assert stats["time_away_ms"] == 5000
    assert stats["idle_ms"] == 52_000
    assert stats["ai"] == {"turns": 1, "tokens_in": 10, "tokens_out": 20, "cost_usd": 0.001}
    assert stats["voice"]["turns"] == 0
    assert stats["voice"]["median_ms"]["first_audio"] is None
    assert_problem(candidate.get(f"/api/v1/sessions/{sid}/stats"), 403, "forbidden")


def test_voice_exchanges_are_in_the_stats_and_the_log_reads_by_type(
    client: TestClient, container: Container
) -> None:
    """The report reads the voice interviewer's medians from the stats; the staff pages
    read the conversation alone from a long log with ``types``."""
    sid = new_session(client, files=[{"path": "/solution.py", "content": ""}])["id"]
    stored(client, sid, typing(session_start_ms(client, sid) + 1000))
    timings = [
        (400, 700, 720, 900, False),
        (300, 500, 510, 650, True),
        (500, 900, 905, 1100, False),
    ]
    for n, (eot, stt, token, audio, barged) in enumerate(timings):
        said = {"type": "transcript", "speaker": "candidate", "text": f"question {n}"}
        container.recording.record_now(sid, {**said, "start_ms": 0, "end_ms": 10})
        turn = {"type": "voice_turn", "utterance": n, "end_of_turn_ms": eot}
        turn |= {"stt_final_ms": stt, "first_token_ms": token, "first_audio_ms": audio}
        container.recording.record_now(sid, {**turn, "barge_in": barged})
    stats = client.get(f"/api/v1/sessions/{sid}/stats").json()
    assert stats["voice"] == {
        "turns": 3,
        "barge_ins": 1,
        "commands": 0,
        "median_ms": {
            "end_of_turn": 400.0,
            "stt_final": 700.0,
            "first_token": 720.0,
            "first_audio": 900.0,
        },
    }
    page = client.get(f"/api/v1/sessions/{sid}/events", params={"types": "transcript"}).json()
    assert [e["text"] for e in page["events"]] == ["question 0", "question 1", "question 2"]
    first = client.get(
        f"/api/v1/sessions/{sid}/events",
        params={"types": "transcript,voice_turn", "limit": 2},
    ).json()
    assert [e["type"] for e in first["events"]] == ["transcript", "voice_turn"]
    rest = client.get(
        f"/api/v1/sessions/{sid}/events",
        params={"types": "transcript,voice_turn", "from_seq": first["next_from_seq"]},
    ).json()
    assert len(rest["events"]) == 4
    assert rest["next_from_seq"] is None
    bad = client.get(f"/api/v1/sessions/{sid}/events", params={"types": "Transcript;drop"})
    assert_problem(bad, 400, "invalid_parameter")


@SQLITE_ONLY
@pytest.mark.parametrize("fmt", ["zstd", "gzip"])
def test_the_archive_replays_like_the_database(
    client: TestClient, container: Container, fmt: str
) -> None:
    sid = new_session(client, files=[{"path": "/solution.py", "content": ""}])["id"]
    t0 = session_start_ms(client, sid)
    stored(client, sid, typing(t0 + 1000))
    moments = [0, 1200, 1500, 1950, 2500]
    live = [
        client.get(f"/api/v1/sessions/{sid}/replay", params={"at_ms": m}).json() for m in moments
    ]
    stats = client.get(f"/api/v1/sessions/{sid}/stats").json()
    built = client.post(f"/api/v1/sessions/{sid}/recording/archive", params={"format": fmt})
    assert built.status_code == 200, built.text
    info = built.json()
    assert info["state"] == "archived"
    assert info["compression_ratio"] > 1
    assert container.recording.prune(older_than_s=0) == [sid]
    archived = [
        client.get(f"/api/v1/sessions/{sid}/replay", params={"at_ms": m}).json() for m in moments
    ]
    assert archived == live
    assert client.get(f"/api/v1/sessions/{sid}/stats").json() == stats
    link = client.get(f"/api/v1/sessions/{sid}/recording").json()
    assert link["expires_in"] == 3600
    assert link["url"]
    downloaded = client.get(link["url"].replace("http://127.0.0.1:8000", ""))
    assert downloaded.status_code == 200
    data = downloaded.content
    if fmt == "zstd":  # one frame per keyframe: the file is their concatenation
        reader = zstandard.ZstdDecompressor().stream_reader(
            io.BytesIO(data), read_across_frames=True
        )
        raw = reader.read()
    else:
        raw = gzip.decompress(data)
    assert raw.count(b"\n") == info["events"]


def test_ending_a_session_archives_it(client: TestClient, container: Container) -> None:
    sid = new_session(client, files=[{"path": "/solution.py", "content": ""}])["id"]
    stored(client, sid, typing(session_start_ms(client, sid)))
    assert_problem(client.get(f"/api/v1/sessions/{sid}/recording"), 409, "recording_not_archived")
    client.delete(f"/api/v1/sessions/{sid}")
    container.recording.wait_for_archives()
    info = client.get(f"/api/v1/sessions/{sid}/recording").json()
    assert info["state"] == "archived"
    assert info["archive_format"] == "zstd"
    last = client.get(f"/api/v1/sessions/{sid}/events", params={"from_seq": info["last_seq"]})
    assert last.json()["events"][0]["type"] == "session_ended"
    _ = (time, httpx)
