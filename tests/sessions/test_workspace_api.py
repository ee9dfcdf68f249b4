"""The workspace as a user drives it over HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from interviewkit.app import Container
from interviewkit.storage import session_key
from tests.conftest import assert_problem, new_session


def files_url(session: dict[str, Any], path: str = "") -> str:
    return f"/api/v1/sessions/{session['id']}/files" + (f"/{path.lstrip('/')}" if path else "")


def test_create_read_update_delete_a_nested_file(client: TestClient) -> None:
    session = new_session(client)
    created = client.post(files_url(session), json={"path": "/utils/helper.py", "content": "x=1\n"})
    assert created.status_code == 201
    assert created.json()["language"] == "python"
    assert created.headers["etag"] == '"1"'

    read = client.get(files_url(session, "/utils/helper.py"))
    assert read.status_code == 200
    body = read.json()
    assert body["content"] == "x=1\n"
    assert body["sha256"] == hashlib.sha256(b"x=1\n").hexdigest()
    assert body["size"] == 4
    assert body["version"] == 1

    updated = client.put(files_url(session, "utils/helper.py"), json={"content": "x=2\n"})
    assert updated.status_code == 200
    assert updated.json()["version"] == 2

    assert client.delete(files_url(session, "utils/helper.py")).status_code == 204
    assert_problem(client.get(files_url(session, "utils/helper.py")), 404, "file_not_found")


def test_put_creates_then_replaces_and_raw_text_bodies_work(client: TestClient) -> None:
    session = new_session(client)
    url = files_url(session, "main.cpp")
    first = client.put(url, content="int main(){}\n", headers={"content-type": "text/plain"})
    assert first.status_code == 201
    assert first.json()["language"] == "cpp"
    raw = client.get(url, headers={"accept": "text/plain"})
    assert raw.text == "int main(){}\n"
    assert raw.headers["etag"] == '"1"'
    second = client.put(url, json={"content": "int main(){return 0;}\n"})
    assert second.status_code == 200
    assert second.json()["version"] == 2


def test_stale_if_match_is_refused_and_nothing_is_overwritten(client: TestClient) -> None:
    session = new_session(client, files=[{"path": "a.py", "content": "v1"}])
    url = files_url(session, "a.py")
    assert client.put(url, json={"content": "v2"}, headers={"If-Match": '"1"'}).status_code == 200
    stale = client.put(url, json={"content": "lost"}, headers={"If-Match": '"1"'})
    assert assert_problem(stale, 412, "version_mismatch")["current_version"] == 2
    assert client.get(url).json()["content"] == "v2"
    weak = client.put(url, json={"content": "lost"}, headers={"If-Match": 'W/"2"'})
    assert_problem(weak, 412, "version_mismatch")
    star = client.put(url, json={"content": "v3"}, headers={"If-Match": "*"})
    assert star.json()["version"] == 3


def test_if_match_on_a_missing_file_and_if_none_match_star(client: TestClient) -> None:
    session = new_session(client)
    url = files_url(session, "new.py")
    assert_problem(
        client.put(url, json={"content": ""}, headers={"If-Match": '"1"'}), 412, "version_mismatch"
    )
    assert client.put(url, json={"content": ""}, headers={"If-None-Match": "*"}).status_code == 201
    again = client.put(url, json={"content": "x"}, headers={"If-None-Match": "*"})
    assert_problem(again, 412, "file_exists")


def test_conditional_get_answers_304(client: TestClient) -> None:
    session = new_session(client, files=[{"path": "a.py", "content": "v1"}])
    response = client.get(files_url(session, "a.py"), headers={"If-None-Match": '"1"'})
    assert response.status_code == 304


def test_listing_is_a_tree_with_sizes(client: TestClient) -> None:
    files = [
        {"path": "/main.py", "content": "12345"},
        {"path": "/utils/helper.py", "content": "123"},
        {"path": "/utils/deep/x.js", "content": "12"},
    ]
    session = new_session(client, files=files)
    listing = client.get(files_url(session)).json()
    assert listing["file_count"] == 3
    assert listing["total_bytes"] == 10
    assert [item["path"] for item in listing["files"]] == [
        "/main.py",
        "/utils/deep/x.js",
        "/utils/helper.py",
    ]
    tree = listing["tree"]
    assert tree["size"] == 10
    utils = next(node for node in tree["children"] if node["name"] == "utils")
    assert utils["type"] == "folder"
    assert utils["size"] == 5
    deep = next(node for node in utils["children"] if node["name"] == "deep")
    assert deep["children"][0]["path"] == "/utils/deep/x.js"


def test_duplicate_create_and_file_folder_conflicts(client: TestClient) -> None:
    session = new_session(client, files=[{"path": "/a/b.py", "content": ""}])
    assert_problem(
        client.post(files_url(session), json={"path": "a/b.py", "content": ""}), 409, "file_exists"
    )
    assert_problem(
        client.post(files_url(session), json={"path": "/a", "content": ""}), 409, "path_conflict"
    )
    assert_problem(
        client.put(files_url(session, "a/b.py/c.py"), json={"content": ""}), 409, "path_conflict"
    )


def test_move_a_file_and_a_folder(client: TestClient) -> None:
    session = new_session(
        client,
        files=[
            {"path": "/a.py", "content": "a"},
            {"path": "/pkg/x.py", "content": "x"},
            {"path": "/pkg/sub/y.py", "content": "y"},
        ],
    )
    moved = client.post(files_url(session, "a.py") + ":move", json={"to": "/src/a.java"})
    assert moved.status_code == 200
    assert moved.json()["moved"][0]["path"] == "/src/a.java"
    assert moved.json()["moved"][0]["language"] == "java"
    assert client.get(files_url(session, "src/a.java")).json()["content"] == "a"
    assert client.get(files_url(session, "a.py")).status_code == 404

    folder = client.post(files_url(session, "pkg") + ":move", json={"to": "/lib"})
    assert sorted(item["path"] for item in folder.json()["moved"]) == ["/lib/sub/y.py", "/lib/x.py"]
    paths = [item["path"] for item in client.get(files_url(session)).json()["files"]]
    assert paths == ["/lib/sub/y.py", "/lib/x.py", "/src/a.java"]


def test_move_conflicts_and_overwrite(client: TestClient) -> None:
    session = new_session(
        client, files=[{"path": "/a.py", "content": "a"}, {"path": "/b.py", "content": "bb"}]
    )
    url = files_url(session, "a.py") + ":move"
    assert_problem(client.post(url, json={"to": "/b.py"}), 409, "path_conflict")
    assert client.post(url, json={"to": "/b.py", "overwrite": True}).status_code == 200
    listing = client.get(files_url(session)).json()
    assert listing["file_count"] == 1
    assert listing["total_bytes"] == 1
    assert client.get(files_url(session, "b.py")).json()["content"] == "a"
    self_move = client.post(files_url(session, "b.py") + ":move", json={"to": "/b.py/c"})
    assert_problem(self_move, 400, "invalid_move")
    assert_problem(
        client.post(files_url(session, "nope") + ":move", json={"to": "/x"}), 404, "file_not_found"
    )


def test_delete_a_folder_needs_recursive(client: TestClient) -> None:
    session = new_session(
        client, files=[{"path": "/d/x.py", "content": "1"}, {"path": "/d/y.py", "content": "2"}]
    )
    assert_problem(client.delete(files_url(session, "d")), 409, "folder_not_empty")
    assert client.delete(files_url(session, "d") + "?recursive=true").status_code == 204
    listing = client.get(files_url(session)).json()
    assert listing["file_count"] == 0
    assert listing["total_bytes"] == 0


def test_delete_honours_if_match(client: TestClient) -> None:
    session = new_session(client, files=[{"path": "/x.py", "content": "1"}])
    stale = client.delete(files_url(session, "x.py"), headers={"If-Match": '"9"'})
    assert_problem(stale, 412, "version_mismatch")
    assert client.delete(files_url(session, "x.py"), headers={"If-Match": '"1"'}).status_code == 204


@pytest.mark.parametrize(
    "path",
    [
        "../etc/passwd",
        "/a/../../b",
        "a/./b",
        "a//b",
        "a/b/",
        "a\\b",
        "a\x00b",
        "a\nb",
        "a\x7fb",
        "",
        "/",
        "x" * 256,
        "/".join(["d"] * 17),
    ],
)
def test_unsafe_paths_are_rejected(client: TestClient, path: str) -> None:
    session = new_session(client)
    response = client.post(files_url(session), json={"path": path, "content": ""})
    assert_problem(response, 400, "invalid_path")


def test_traversal_through_the_url_is_rejected(client: TestClient) -> None:
    session = new_session(client)
    assert_problem(client.get(files_url(session) + "/a%2F..%2F..%2Fx"), 400, "invalid_path")
    assert_problem(client.get(files_url(session) + "/..%2Fx"), 400, "invalid_path")


def test_binary_content_is_415(client: TestClient) -> None:
    session = new_session(client)
    url = files_url(session, "blob.bin")
    raw = client.put(url, content=b"\xff\xfe\x00binary", headers={"content-type": "text/plain"})
    assert_problem(raw, 415, "binary_content")
    nul = client.put(url, json={"content": "a\u0000b"})
    assert_problem(nul, 415, "binary_content")
    surrogate = client.post(
        files_url(session),
        content=b'{"path": "/s.txt", "content": "\\ud800"}',
        headers={"content-type": "application/json"},
    )
    assert_problem(surrogate, 422, "invalid_unicode")  # refused for every JSON route
    other = client.put(url, content=b"x", headers={"content-type": "image/png"})
    assert_problem(other, 415, "unsupported_media_type")


class TestLimits:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, Any]:
        return {
            "max_file_bytes": 1000,
            "max_files_per_session": 3,
            "max_workspace_bytes": 2500,
            "max_request_bytes": 4096,
            "inline_content_max_bytes": 100,
        }

    def test_file_too_large_is_413(self, client: TestClient) -> None:
        session = new_session(client)
        big = client.put(files_url(session, "big.py"), json={"content": "x" * 1001})
        assert assert_problem(big, 413, "file_too_large")["limit"] == 1000
        multibyte = client.put(files_url(session, "big.py"), json={"content": "é" * 501})
        assert_problem(multibyte, 413, "file_too_large")

    def test_too_many_files(self, client: TestClient) -> None:
        session = new_session(client, files=[{"path": f"/{i}.py", "content": ""} for i in range(3)])
        assert_problem(
            client.post(files_url(session), json={"path": "/4.py", "content": ""}),
            409,
            "too_many_files",
        )
        # replacing an existing file is still allowed at the limit
        assert client.put(files_url(session, "0.py"), json={"content": "ok"}).status_code == 200

    def test_workspace_quota(self, client: TestClient) -> None:
        session = new_session(client)
        for name in ("a", "b"):
            assert client.put(files_url(session, name), json={"content": "x" * 1000}).is_success
        over = client.put(files_url(session, "c"), json={"content": "x" * 501})
        assert_problem(over, 413, "workspace_too_large")
        shrink = client.put(files_url(session, "a"), json={"content": "x"})
        assert shrink.status_code == 200
        assert client.put(files_url(session, "c"), json={"content": "x" * 1000}).is_success

    def test_request_body_limit(self, client: TestClient) -> None:
        session = new_session(client)
        response = client.put(
            files_url(session, "a"), content=b"x" * 5000, headers={"content-type": "text/plain"}
        )
        assert_problem(response, 413, "request_too_large")

    def test_too_many_initial_files_leaves_no_session(self, client: TestClient) -> None:
        files = [{"path": f"/{i}.py", "content": ""} for i in range(4)]
        assert_problem(
            client.post("/api/v1/sessions", json={"files": files}), 409, "too_many_files"
        )
        assert client.get("/api/v1/sessions").json()["items"] == []

    def test_large_files_live_in_the_object_store(
        self, client: TestClient, container: Container
    ) -> None:
        session = new_session(client)
        content = "long line\n" * 50
        assert client.put(files_url(session, "big.txt"), json={"content": content}).is_success
        keys = [info.key for info in container.object_store.list("interview-sessions/")]
        assert len(keys) == 1
        assert f"/{session['id']}/files/" in keys[0]
        assert client.get(files_url(session, "big.txt")).json()["content"] == content
        replacement = "other\n" * 40
        assert client.put(files_url(session, "big.txt"), json={"content": replacement}).is_success
        after = [info.key for info in container.object_store.list("interview-sessions/")]
        assert len(after) == 1, "the replaced version's object is removed"
        assert after != keys
        assert client.get(files_url(session, "big.txt")).json()["content"] == replacement
        assert client.delete(files_url(session, "big.txt")).status_code == 204
        assert list(container.object_store.list("interview-sessions/")) == []


def test_an_ended_session_is_read_only(client: TestClient) -> None:
    session = new_session(client, files=[{"path": "/a.py", "content": "1"}])
    ended = client.delete(f"/api/v1/sessions/{session['id']}")
    assert ended.json()["status"] == "completed"
    assert client.get(files_url(session, "a.py")).json()["content"] == "1"
    for response in (
        client.put(files_url(session, "a.py"), json={"content": "2"}),
        client.post(files_url(session), json={"path": "/b.py", "content": ""}),
        client.delete(files_url(session, "a.py")),
        client.post(files_url(session, "a.py") + ":move", json={"to": "/c.py"}),
    ):
        assert_problem(response, 409, "session_ended")
    assert client.get(files_url(session)).json()["read_only"] is True


def test_unknown_session_is_404(client: TestClient) -> None:
    missing = {"id": "ses_doesnotexist"}
    assert_problem(client.get(files_url(missing)), 404, "session_not_found")
    assert_problem(client.get(files_url(missing, "a.py")), 404, "session_not_found")
    assert_problem(
        client.put(files_url(missing, "a.py"), json={"content": ""}), 404, "session_not_found"
    )


def test_a_failing_object_store_is_503_and_changes_nothing(
    client: TestClient, container: Container, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    session = new_session(client, files=[{"path": "/big.txt", "content": "small"}])
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a file where the store's folders should be")
    monkeypatch.setattr(container.object_store, "root", blocker / "objects")
    large = "x" * (container.settings.inline_content_max_bytes + 1)
    response = client.put(files_url(session, "big.txt"), json={"content": large})
    assert_problem(response, 503, "storage_unavailable")
    kept = client.get(files_url(session, "big.txt")).json()
    assert kept["content"] == "small"
    assert kept["version"] == 1


def test_moving_a_folder_up_into_its_parent(client: TestClient) -> None:
    """Renames that take each other's paths (/x/a/a/f -> /x/a/f while /x/a/f -> /x/f)."""
    session = new_session(
        client,
        files=[{"path": "/x/a/f", "content": "outer"}, {"path": "/x/a/a/f", "content": "inner"}],
    )
    moved = client.post(files_url(session, "x/a") + ":move", json={"to": "/x"})
    assert moved.status_code == 200, moved.text
    assert client.get(files_url(session, "x/f")).json()["content"] == "outer"
    assert client.get(files_url(session, "x/a/f")).json()["content"] == "inner"
    listing = client.get(files_url(session)).json()
    assert [item["path"] for item in listing["files"]] == ["/x/a/f", "/x/f"]
    assert listing["file_count"] == 2


def test_openapi_documents_the_conditional_headers_and_raw_bodies(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    file_routes = spec["paths"]["/api/v1/sessions/{session_id}/files/{file_path}"]
    put = file_routes["put"]
    assert {"If-Match", "If-None-Match"} <= {param["name"] for param in put["parameters"]}
    assert {"application/json", "text/plain"} <= set(put["requestBody"]["content"])
    assert "If-Match" in {param["name"] for param in file_routes["delete"]["parameters"]}
    assert "If-None-Match" in {param["name"] for param in file_routes["get"]["parameters"]}


class TestOrphanBlobs:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, Any]:
        return {"inline_content_max_bytes": 10}

    def test_sweeping_deletes_only_unreferenced_old_blobs(
        self, client: TestClient, container: Container
    ) -> None:
        session = new_session(client, files=[{"path": "/big.txt", "content": "x" * 100}])
        created = datetime.fromisoformat(session["created_at"])
        stray = session_key(session["id"], created, "files", "blob_leftover")
        container.object_store.put(stray, b"left by a crash before the commit")
        service = container.sessions

        assert service.sweep_orphan_blobs(timedelta(hours=1)) == [], "too young to sweep"
        assert service.sweep_orphan_blobs(timedelta(0)) == [stray]
        assert not container.object_store.exists(stray)
        assert client.get(files_url(session, "big.txt")).json()["content"] == "x" * 100
