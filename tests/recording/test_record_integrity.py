"""The record cannot be forged: server-set sources, who may record what, canonical paths,
one source of truth for code (events apply to the workspace), pastes found by the server,
large files, and per-session quotas."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from interviewkit.app import Container
from tests.conftest import Keys, assert_problem, invite, new_session

SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def post(client: TestClient, sid: str, events: list[dict[str, Any]]) -> dict[str, Any]:
    response = client.post(f"/api/v1/sessions/{sid}/events", json={"events": events})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def log(client: TestClient, sid: str) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = client.get(
        f"/api/v1/sessions/{sid}/events", params={"limit": 5000}
    ).json()["events"]
    return events


def replayed(client: TestClient, sid: str) -> dict[str, str]:
    files: dict[str, str] = client.get(
        f"/api/v1/sessions/{sid}/replay", params={"at_ms": 10**12}
    ).json()["files"]
    return files


def read(client: TestClient, sid: str, path: str) -> dict[str, Any]:
    response = client.get(f"/api/v1/sessions/{sid}/files{path}")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def workspace(client: TestClient, sid: str) -> dict[str, str]:
    """The workspace as the files API serves it."""
    listing = client.get(f"/api/v1/sessions/{sid}/files").json()
    return {f["path"]: read(client, sid, f["path"])["content"] for f in listing["files"]}


# ---- 1. who recorded what ------------------------------------------------------------------


def test_every_event_carries_the_source_the_server_set(
    client: TestClient, app: FastAPI, container: Container, keys: Keys
) -> None:
    sid = new_session(client, files=[{"path": "/a.py", "content": ""}])["id"]
    candidate = invite(client, app, sid)
    post(candidate, sid, [{"type": "edit", "file": "/a.py", "offset": 0, "insert": "x"}])
    post(client, sid, [{"type": "note", "text": "clear naming"}])
    client.put(f"/api/v1/sessions/{sid}/files/b.py", json={"content": "y"})
    candidate.put(f"/api/v1/sessions/{sid}/files/c.py", json={"content": "z"})
    candidate.post(f"/api/v1/sessions/{sid}/files/c.py:move", json={"to": "/d.py"})
    candidate.delete(f"/api/v1/sessions/{sid}/files/d.py")
    client.post(f"/api/v1/sessions/{sid}/files", json={"path": "/e.py", "content": ""})
    forged = candidate.post(
        f"/api/v1/sessions/{sid}/events",
        json={"events": [{"type": "focus", "source": "staff:key_admin"}]},
    )
    assert_problem(forged, 422, "invalid_events")
    staff_key = container.auth.authenticate(keys.interviewer).key_id
    sources = [(e["type"], e["source"]) for e in log(client, sid)]
    assert sources == [
        ("session_started", "system"),
        ("edit", "candidate"),
        ("note", f"staff:{staff_key}"),
        # files-API changes name their writer too, not the server that stored them
        ("file_written", f"staff:{staff_key}"),
        ("file_written", "candidate"),
        ("file_moved", "candidate"),
        ("file_deleted", "candidate"),
        ("file_written", f"staff:{staff_key}"),
    ]
    at = client.get(f"/api/v1/sessions/{sid}/replay", params={"at_ms": 10**12}).json()
    assert (at["seq"], at["source"]) == (8, f"staff:{staff_key}")
    markers = client.get(f"/api/v1/sessions/{sid}/timeline").json()["markers"]
    assert markers == [
        {
            "kind": "note",
            "t_ms": markers[0]["t_ms"],
            "seq": 3,
            "text": "clear naming",
            "source": f"staff:{staff_key}",
        }
    ]


def test_a_candidate_records_only_what_a_candidate_does(client: TestClient, app: FastAPI) -> None:
    sid = new_session(client, files=[{"path": "/a.py", "content": ""}])["id"]
    candidate = invite(client, app, sid)
    line = {"type": "transcript", "text": "I would use a heap", "start_ms": 0, "end_ms": 900}
    attempts: list[dict[str, Any]] = [
        {"type": "note", "text": "I am brilliant"},
        {"type": "ai_interaction", "role": "assistant", "content": "you pass"},
        {**line, "speaker": "interviewer"},
        {"type": "execution_result", "execution_id": "exe_1", "status": "accepted"},
        {"type": "file_written", "file": "/a.py", "content": "x"},
        {**line, "speaker": "candidate"},
        {"type": "blur"},
        {"type": "paste", "file": "/a.py", "size": 3},
        {"type": "cursor", "file": "/a.py", "offset": 0},
    ]
    results = post(candidate, sid, attempts)["results"]
    assert [r["status"] for r in results] == ["rejected"] * 5 + ["stored"] * 4
    reasons = [r["reason"] for r in results[:5]]
    assert "written by staff" in reasons[0]
    assert "written by the server" in reasons[1]
    assert "speaker 'candidate'" in reasons[2]
    assert "written by the server" in reasons[3]
    assert "written by the server" in reasons[4]
    staff = post(client, sid, [{**line, "speaker": "candidate"}, {"type": "note", "text": "ok"}])
    assert [r["status"] for r in staff["results"]] == ["rejected", "stored"]
    assert "note" in {e["type"] for e in log(client, sid) if e["source"].startswith("staff:")}


def test_staff_annotate_after_the_end_and_candidates_cannot(
    client: TestClient, app: FastAPI, container: Container
) -> None:
    sid = new_session(client, files=[{"path": "/a.py", "content": ""}])["id"]
    candidate = invite(client, app, sid)
    client.delete(f"/api/v1/sessions/{sid}")
    container.recording.wait_for_archives()
    late = candidate.post(f"/api/v1/sessions/{sid}/events", json={"events": [{"type": "blur"}]})
    assert late.status_code in (401, 409), late.text  # ended: the token or the recording
    edit = {"type": "edit", "file": "/a.py", "offset": 0, "insert": "x"}
    ended = client.post(f"/api/v1/sessions/{sid}/events", json={"events": [edit]})
    assert_problem(ended, 409, "session_ended")
    note = post(client, sid, [{"type": "note", "text": "strong on complexity"}])
    assert note["stored"] == 1
    container.recording.wait_for_archives()
    assert container.recording.prune(older_than_s=0) == [sid]
    texts = [e.get("text") for e in log(client, sid) if e["type"] == "note"]
    assert texts == ["strong on complexity"]  # the archive was rebuilt with it
    pruned = client.post(
        f"/api/v1/sessions/{sid}/events", json={"events": [{"type": "note", "text": "more"}]}
    )
    assert_problem(pruned, 409, "recording_pruned")


@pytest.mark.parametrize(
    "path",
    ["/../../etc/fake", "../x.py", "a//b.py", "/a/./b.py", "a\\b.py", "/a\x00.py", "x/" * 40],
)
def test_event_paths_follow_the_files_api_rules(client: TestClient, path: str) -> None:
    sid = new_session(client, files=[{"path": "/a.py", "content": ""}])["id"]
    body = client.post(
        f"/api/v1/sessions/{sid}/events",
        json={
            "events": [
                {"type": "file_created", "file": path, "content": "pwned"},
                {"type": "cursor", "file": path, "offset": 0},
                {"type": "file_moved", "file": "/a.py", "to": path},
                {"type": "file_created", "file": "b.py", "content": "fine"},
            ]
        },
    ).json()
    assert [r["status"] for r in body["results"]] == ["rejected"] * 3 + ["stored"]
    assert all("invalid path" in r["reason"] for r in body["results"][:3])
    assert replayed(client, sid) == {"/a.py": "", "/b.py": "fine"}
    assert workspace(client, sid) == {"/a.py": "", "/b.py": "fine"}


def test_lone_surrogates_are_rejected_per_event_never_a_500(
    client: TestClient, container: Container
) -> None:
    sid = new_session(client, files=[{"path": "/a.py", "content": ""}])["id"]
    events: list[dict[str, Any]] = [
        {"type": "edit", "file": "/a.py", "offset": 0, "insert": "\ud800"},
        {
            "type": "transcript",
            "speaker": "candidate",
            "text": "x\udfff",
            "start_ms": 0,
            "end_ms": 1,
        },
        {"type": "file_created", "file": "/b.py", "content": "\ud83d"},
        {"type": "edit", "file": "/a.py", "offset": 0, "insert": "ok \U0001f642"},
    ]
    outcomes = container.recording.ingest(sid, events)
    assert [o.status for o in outcomes] == ["rejected"] * 3 + ["stored"]
    reasons = [(o.reason or "").lower() for o in outcomes[:3]]
    assert all("surrogate" in r or "unicode" in r for r in reasons), reasons
    assert workspace(client, sid) == replayed(client, sid) == {"/a.py": "ok \U0001f642"}
    raw = '{"events": [{"type": "edit", "file": "/a.py", "offset": 0, "insert": "\\ud800"}]}'
    response = client.post(
        f"/api/v1/sessions/{sid}/events",
        content=raw.encode(),
        headers={"Content-Type": "application/json"},
    )
    assert 400 <= response.status_code < 500, response.text


# ---- 2. one source of truth for code -------------------------------------------------------


def test_edits_change_the_file_itself_with_versions_as_preconditions(client: TestClient) -> None:
    sid = new_session(client, files=[{"path": "/a.py", "content": "ab"}])["id"]
    assert read(client, sid, "/a.py")["version"] == 1
    body = post(
        client,
        sid,
        [
            {"type": "edit", "file": "/a.py", "offset": 2, "insert": "c", "base_version": 1},
            {"type": "edit", "file": "a.py", "offset": 3, "insert": "d"},
            {"type": "edit", "file": "/a.py", "offset": 0, "insert": "!", "base_version": 1},
            {"type": "edit", "file": "/a.py", "offset": 0, "delete": 1, "base_version": 3},
        ],
    )
    assert [(r["status"], r["version"]) for r in body["results"]] == [
        ("stored", 2),
        ("stored", 3),
        ("rejected", None),
        ("stored", 4),
    ]
    assert "version_mismatch" in body["results"][2]["reason"]
    file = read(client, sid, "/a.py")
    assert (file["content"], file["version"]) == ("bcd", 4)
    # the files API and the events agree on the version (If-Match after edits)
    stale = client.put(
        f"/api/v1/sessions/{sid}/files/a.py", json={"content": "z"}, headers={"If-Match": '"1"'}
    )
    assert_problem(stale, 412, "version_mismatch")
    fresh = client.put(
        f"/api/v1/sessions/{sid}/files/a.py", json={"content": "z"}, headers={"If-Match": '"4"'}
    )
    assert fresh.status_code == 200, fresh.text
    assert replayed(client, sid) == workspace(client, sid) == {"/a.py": "z"}


def test_file_events_create_move_and_delete_files(client: TestClient) -> None:
    sid = new_session(client, files=[{"path": "/a.py", "content": "a"}])["id"]
    body = post(
        client,
        sid,
        [
            {"type": "file_created", "file": "/pkg/b.py", "content": "b"},
            {"type": "file_created", "file": "/pkg/c.py", "content": "c"},
            {"type": "file_created", "file": "/a.py/x.py"},  # under a file
            {"type": "file_created", "file": "/pkg"},  # a folder
            {"type": "file_moved", "file": "/pkg", "to": "/lib"},
            {"type": "file_moved", "file": "/a.py", "to": "/lib/b.py"},  # taken
            {"type": "file_deleted", "file": "/lib/c.py", "base_version": 1},  # moved: v2
            {"type": "file_deleted", "file": "/lib/c.py", "base_version": 2},
            {"type": "edit", "file": "/lib/b.py", "offset": 1, "insert": "!"},
        ],
    )
    statuses = [r["status"] for r in body["results"]]
    created, moved, deleted = statuses[:4], statuses[4:6], statuses[6:8]
    assert created == ["stored", "stored", "rejected", "rejected"]
    assert moved == ["stored", "rejected"]
    assert deleted == ["rejected", "stored"]
    assert statuses[8] == "stored"
    assert "path_conflict" in body["results"][2]["reason"]
    assert "path_conflict" in body["results"][5]["reason"]
    expected = {"/a.py": "a", "/lib/b.py": "b!"}
    assert workspace(client, sid) == replayed(client, sid) == expected
    assert read(client, sid, "/lib/b.py")["version"] == 3
    listing = client.get(f"/api/v1/sessions/{sid}/files").json()
    assert (listing["file_count"], listing["total_bytes"]) == (2, 3)


@pytest.mark.parametrize(
    "settings_overrides", [{"max_file_bytes": 4096, "max_files_per_session": 3}]
)
def test_events_keep_the_files_api_limits(client: TestClient) -> None:
    sid = new_session(client, files=[{"path": "/a.py", "content": ""}])["id"]
    body = post(
        client,
        sid,
        [
            {"type": "edit", "file": "/a.py", "offset": 0, "insert": "x" * 5000},
            {"type": "edit", "file": "/a.py", "offset": 0, "insert": "nul\x00"},
            {"type": "file_created", "file": "/b.py"},
            {"type": "file_created", "file": "/c.py"},
            {"type": "file_created", "file": "/d.py"},
            {"type": "edit", "file": "/a.py", "offset": 0, "insert": "ok"},
        ],
    )
    statuses = [r["status"] for r in body["results"]]
    assert statuses == ["rejected", "rejected", "stored", "stored", "rejected", "stored"]
    assert "file_too_large" in body["results"][0]["reason"]
    assert "NUL" in body["results"][1]["reason"]
    assert "too_many_files" in body["results"][4]["reason"]
    assert workspace(client, sid) == replayed(client, sid)


# ---- 3. pastes the server finds ------------------------------------------------------------


def test_large_inserts_and_rewrites_are_flagged_by_the_server(
    client: TestClient, container: Container
) -> None:
    big = container.settings.recording_large_paste_chars
    original = "".join(f"line {i}\n" for i in range(100))
    sid = new_session(client, files=[{"path": "/a.py", "content": original}])["id"]
    post(
        client,
        sid,
        [
            {"type": "edit", "file": "/a.py", "offset": 0, "insert": "#"},
            {"type": "edit", "file": "/a.py", "offset": 0, "insert": "y" * big},
            {"type": "edit", "file": "/a.py", "offset": 0, "delete": big + 1},
        ],
    )
    url = f"/api/v1/sessions/{sid}/files/a.py"
    assert client.put(url, json={"content": original + "tweak\n"}).status_code == 200
    assert client.put(url, json={"content": "z" * (2 * big)}).status_code == 200
    markers = client.get(f"/api/v1/sessions/{sid}/timeline").json()["markers"]
    found = [(m["kind"], m["size"], m["flagged"]) for m in markers]
    assert found == [("large_insert", big, True), ("rewrite", 2 * big, True)]
    stats = client.get(f"/api/v1/sessions/{sid}/stats").json()
    assert stats["large_inserts"] == {"count": 1, "largest": big}
    assert stats["rewrites"] == 1
    assert stats["flagged"] == 2


# ---- 4. files up to the file limit ---------------------------------------------------------


@SQLITE_ONLY
def test_a_megabyte_file_records_replays_and_archives(
    client: TestClient, container: Container
) -> None:
    limit = container.settings.max_file_bytes
    content = "".join(f"row {i:07d} " + "é" * 5 + "\n" for i in range((limit - 100) // 23))
    assert limit - 1000 < len(content.encode()) <= limit
    sid = new_session(client, files=[{"path": "/big.txt", "content": content[:400_000]}])["id"]
    response = client.put(f"/api/v1/sessions/{sid}/files/big.txt", json={"content": content})
    assert response.status_code == 200, response.text
    post(client, sid, [{"type": "edit", "file": "/big.txt", "offset": 3, "insert": "!"}])
    expected = content[:3] + "!" + content[3:]
    assert read(client, sid, "/big.txt")["content"] == expected
    assert replayed(client, sid) == {"/big.txt": expected}
    built = client.post(f"/api/v1/sessions/{sid}/recording/archive")
    assert built.status_code == 200, built.text
    assert built.json()["archive_bytes"] < limit // 4  # the contents are by reference
    assert container.recording.prune(older_than_s=0) == [sid]
    assert replayed(client, sid) == {"/big.txt": expected}
    written = [e for e in log(client, sid) if e["type"] == "file_written"]
    assert written[0]["content"] == content


# ---- 5. quotas -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "settings_overrides", [{"recording_max_events": 6, "recording_max_bytes": 100_000}]
)
def test_recording_quotas_refuse_client_batches_but_keep_server_events(
    client: TestClient, container: Container
) -> None:
    sid = new_session(client, files=[{"path": "/a.py", "content": ""}])["id"]
    post(client, sid, [{"type": "focus"}] * 4)  # 5 events with the first keyframe
    over = client.post(
        f"/api/v1/sessions/{sid}/events", json={"events": [{"type": "blur"}, {"type": "focus"}]}
    )
    problem = assert_problem(over, 413, "recording_quota_exceeded")
    assert problem["limit"] == 6
    assert (
        client.put(f"/api/v1/sessions/{sid}/files/a.py", json={"content": "x"}).status_code == 200
    )
    client.delete(f"/api/v1/sessions/{sid}")
    types = [e["type"] for e in log(client, sid)]
    assert types[-2:] == ["file_written", "session_ended"]  # server events go beyond it
    sid = new_session(client, files=[{"path": "/a.py", "content": ""}])["id"]
    note = {"type": "note", "text": "n" * 15_000}
    post(client, sid, [note] * 3)
    assert_problem(
        client.post(f"/api/v1/sessions/{sid}/events", json={"events": [note] * 3}),
        413,
        "recording_quota_exceeded",
    )


@pytest.mark.parametrize("settings_overrides", [{"recording_keyframe_events": 2}])
def test_keyframes_of_a_large_file_store_its_content_once(
    client: TestClient, container: Container
) -> None:
    big = "x" * 200_000
    files = [{"path": "/big.txt", "content": big}, {"path": "/a.py", "content": ""}]
    sid = new_session(client, files=files)["id"]
    edits = [{"type": "edit", "file": "/a.py", "offset": i, "insert": "y"} for i in range(20)]
    post(client, sid, edits)
    snapshots = [e for e in log(client, sid) if e["type"] == "snapshot"]
    assert len(snapshots) >= 9
    assert all(s["files"]["/big.txt"] == big for s in snapshots)
    assert container.recording.recording(sid).bytes < 2 * len(big)  # one copy, by reference
