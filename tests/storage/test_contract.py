"""The object-store contract: what callers rely on, passed by every adapter (local, S3).

Signed URLs are exercised over real HTTP with a plain client: the local store's URLs hit
the application on uvicorn, the S3 store's hit moto's server.
"""

from __future__ import annotations

import io
import random
from collections.abc import Callable
from datetime import UTC, datetime

import httpx
import pytest

from interviewkit.storage import ObjectNotFoundError, ObjectStore, session_key
from interviewkit.storage.port import MAX_KEY_BYTES, InvalidKeyError, session_prefix
from tests.storage.conftest import assert_every_operation_refuses

MIB = 1 << 20
# A key exactly at the limit: five 204-byte segments and four slashes.
LONGEST_KEY = "/".join(["s" * 204] * 5)
UNUSUAL_KEY = "dir with space/ünïcödé ☃ ?#%+&=;~'\"<>.txt"
# The longest segment a key may have: 255 bytes, what local filesystems allow.
LONGEST_SEGMENT_KEY = "seg/" + "é" * 127 + "x"

INVALID_KEYS = [
    pytest.param("", id="empty"),
    pytest.param("../x", id="parent"),
    pytest.param("a/../../x", id="parent-inside"),
    pytest.param("..", id="dotdot"),
    pytest.param("/abs", id="absolute"),
    pytest.param("a/", id="trailing-slash"),
    pytest.param("a//b", id="empty-segment"),
    pytest.param("a/./b", id="dot-segment"),
    pytest.param("a\\b", id="backslash"),
    pytest.param("..\\x", id="backslash-parent"),
    pytest.param("a\x00b", id="nul"),
    pytest.param("a\nb", id="newline"),
    pytest.param("a\x1fb", id="unit-separator"),
    pytest.param("a\x7fb", id="del"),
    pytest.param("a\ud800b", id="lone-surrogate"),
    pytest.param("x" * (MAX_KEY_BYTES + 1), id="1025-bytes"),
    pytest.param("é" * 513, id="1026-utf8-bytes"),
    pytest.param("a/" + "s" * 256, id="256-byte-segment"),
    pytest.param("é" * 128, id="256-byte-utf8-segment"),
]


def payload(size: int, seed: int = 0) -> bytes:
    return random.Random(seed).randbytes(size)


def keys(store: ObjectStore, prefix: str = "") -> list[str]:
    return [info.key for info in store.list(prefix)]


# ---- put / get ----------------------------------------------------------------------------


def test_put_then_get_returns_the_bytes_and_put_reports_the_size(store: ObjectStore) -> None:
    data = b"print('hello')\n"
    info = store.put("docs/hello.py", data, "text/x-python")
    assert info.key == "docs/hello.py"
    assert info.size == len(data)
    assert store.get("docs/hello.py") == data


def test_a_file_object_is_stored_from_its_current_position(store: ObjectStore) -> None:
    stream = io.BytesIO(b"skip:keep these bytes")
    stream.seek(5)
    info = store.put("from-file", stream)
    assert info.size == len(b"keep these bytes")
    assert store.get("from-file") == b"keep these bytes"


def test_a_multi_mib_file_object_round_trips_and_streams_in_chunks(store: ObjectStore) -> None:
    data = payload(9 * MIB + 123)  # above S3's multipart threshold (8 MiB)
    info = store.put("recordings/big.webm", io.BytesIO(data), "video/webm")
    assert info.size == len(data)
    assert store.head("recordings/big.webm").size == len(data)
    assert store.get("recordings/big.webm") == data
    chunks = list(store.iter_chunks("recordings/big.webm", chunk_size=MIB))
    assert b"".join(chunks) == data
    assert len(chunks) >= 10
    assert max(len(chunk) for chunk in chunks) <= MIB


def test_empty_objects_are_objects(store: ObjectStore) -> None:
    store.put("empty", b"")
    assert store.exists("empty")
    assert store.get("empty") == b""
    assert store.head("empty").size == 0
    assert list(store.iter_chunks("empty")) in ([], [b""])
    assert keys(store) == ["empty"]


def test_overwrite_replaces_the_whole_object(store: ObjectStore) -> None:
    store.put("notes.txt", b"a much longer first version")
    info = store.put("notes.txt", b"v2")
    assert info.size == 2
    assert store.get("notes.txt") == b"v2"
    assert store.head("notes.txt").size == 2
    assert keys(store) == ["notes.txt"]


def test_keys_at_the_length_limit_and_with_unusual_characters_round_trip(
    store: ObjectStore,
) -> None:
    assert len(LONGEST_KEY.encode()) == MAX_KEY_BYTES
    chosen = [
        LONGEST_KEY,
        LONGEST_SEGMENT_KEY,
        UNUSUAL_KEY,
        "😀/ünï",
        "...",
        "a..b/.hidden",
        "c1\x85 ls\u2028 nonchar\uffff",
    ]
    for index, key in enumerate(chosen):
        store.put(key, f"object {index}".encode())
    assert {key: store.get(key) for key in chosen} == {
        key: f"object {index}".encode() for index, key in enumerate(chosen)
    }
    assert keys(store) == sorted(chosen)


# ---- head / exists / delete ---------------------------------------------------------------


def test_head_reports_size_and_an_aware_modification_time(store: ObjectStore) -> None:
    store.put("a/b.bin", b"12345")
    info = store.head("a/b.bin")
    assert info.key == "a/b.bin"
    assert info.size == 5
    assert info.modified is not None
    assert info.modified.tzinfo is not None


def test_exists_tracks_put_and_delete(store: ObjectStore) -> None:
    assert not store.exists("x/y")
    store.put("x/y", b"1")
    assert store.exists("x/y")
    assert not store.exists("x")  # a key's folder is not an object
    store.delete("x/y")
    assert not store.exists("x/y")
    with pytest.raises(ObjectNotFoundError):
        store.get("x/y")


def test_delete_is_idempotent_and_leaves_other_objects(store: ObjectStore) -> None:
    store.put("keep/one", b"1")
    store.put("drop/two", b"2")
    store.delete("drop/two")
    store.delete("drop/two")
    store.delete("never/existed")
    assert keys(store) == ["keep/one"]
    assert store.get("keep/one") == b"1"


def test_a_deleted_key_can_be_written_again(store: ObjectStore) -> None:
    store.put("a/b/c", b"first")
    store.delete("a/b/c")
    store.put("a/b", b"now a leaf")
    assert store.get("a/b") == b"now a leaf"
    assert keys(store) == ["a/b"]


@pytest.mark.parametrize("operation", ["get", "head", "iter_chunks"])
def test_reading_a_missing_object_raises_object_not_found(
    store: ObjectStore, operation: str
) -> None:
    store.put("present", b"1")
    read: Callable[[str], object] = {
        "get": store.get,
        "head": store.head,
        "iter_chunks": lambda key: list(store.iter_chunks(key)),
    }[operation]
    with pytest.raises(ObjectNotFoundError):
        read("absent")


def test_object_not_found_is_a_key_error(store: ObjectStore) -> None:
    with pytest.raises(KeyError):
        store.get("absent")


# ---- list ---------------------------------------------------------------------------------


def test_list_returns_every_object_in_key_order_with_sizes(store: ObjectStore) -> None:
    for key in ["b", "a/z", "a/b/c", "A", "a-b", "ä", "a/b0"]:
        store.put(key, key.encode())
    listed = list(store.list())
    assert [info.key for info in listed] == sorted(["b", "a/z", "a/b/c", "A", "a-b", "ä", "a/b0"])
    assert {info.key: info.size for info in listed} == {
        key: len(key.encode()) for key in ["b", "a/z", "a/b/c", "A", "a-b", "ä", "a/b0"]
    }


def test_list_of_a_folder_prefix_excludes_sibling_prefixes(store: ObjectStore) -> None:
    for key in ["a/b/1", "a/b/2/3", "a/bc/4", "a/b.txt", "a/c", "ab/5", "z/a/b/6"]:
        store.put(key, b"x")
    assert keys(store, "a/b/") == ["a/b/1", "a/b/2/3"]
    assert keys(store, "a/") == ["a/b.txt", "a/b/1", "a/b/2/3", "a/bc/4", "a/c"]


def test_list_prefix_is_a_plain_string_prefix(store: ObjectStore) -> None:
    for key in ["a/b/1", "a/bc/2", "a/b.txt", "a/c", "report.txt", "reports/q1"]:
        store.put(key, b"x")
    assert keys(store, "a/b") == ["a/b.txt", "a/b/1", "a/bc/2"]
    assert keys(store, "rep") == ["report.txt", "reports/q1"]
    assert keys(store, "a/b/1") == ["a/b/1"]


def test_list_of_an_unknown_or_escaping_prefix_is_empty(store: ObjectStore) -> None:
    store.put("a/b", b"x")
    assert keys(store, "nothing/") == []
    assert keys(store, "a/b/c") == []
    assert keys(store, "../") == []
    assert keys(store, "a/../") == []


def test_list_survives_objects_deleted_while_it_is_consumed(store: ObjectStore) -> None:
    for key in ["k1", "k2", "k3"]:
        store.put(key, b"x")
    listing = store.list()
    first = next(listing)
    store.delete("k2")
    rest = [info.key for info in listing]
    assert first.key == "k1"
    assert rest[-1] == "k3"
    assert set(rest) <= {"k2", "k3"}


# ---- invalid keys -------------------------------------------------------------------------


@pytest.mark.parametrize("key", INVALID_KEYS)
def test_invalid_keys_are_refused_by_every_operation(store: ObjectStore, key: str) -> None:
    store.put("sentinel", b"s")
    assert_every_operation_refuses(store, key)
    assert keys(store) == ["sentinel"]


def test_an_invalid_key_is_a_400_problem() -> None:
    with pytest.raises(InvalidKeyError) as caught:
        session_key("s1", datetime(2024, 1, 2, tzinfo=UTC), "files", "../../etc/passwd")
    assert caught.value.status == 400
    assert caught.value.code == "invalid_object_key"


# ---- signed URLs over real HTTP -----------------------------------------------------------


def test_presigned_get_downloads_with_a_plain_http_client(store: ObjectStore) -> None:
    data = payload(3 * MIB + 7, seed=1)
    store.put("outputs/result.bin", data)
    response = httpx.get(store.presign_get("outputs/result.bin", 60), timeout=30)
    assert response.status_code == 200
    assert response.content == data


def test_presigned_get_of_an_unusual_key(store: ObjectStore) -> None:
    store.put(UNUSUAL_KEY, b"unusual")
    response = httpx.get(store.presign_get(UNUSUAL_KEY, 60), timeout=30)
    assert response.status_code == 200
    assert response.content == b"unusual"


def test_presigned_get_of_a_missing_object_is_404(store: ObjectStore) -> None:
    response = httpx.get(store.presign_get("absent", 60), timeout=30)
    assert response.status_code == 404


def test_presigned_put_uploads_with_a_plain_http_client(store: ObjectStore) -> None:
    data = payload(2 * MIB + 3, seed=2)
    response = httpx.put(store.presign_put("files/upload.bin", 60), content=data, timeout=30)
    assert response.status_code == 200
    assert store.get("files/upload.bin") == data
    assert store.head("files/upload.bin").size == len(data)


def test_presigned_put_overwrites_an_existing_object(store: ObjectStore) -> None:
    store.put("files/a.txt", b"old contents")
    response = httpx.put(store.presign_put("files/a.txt", 60), content=b"new", timeout=30)
    assert response.status_code == 200
    assert store.get("files/a.txt") == b"new"


def test_presigned_put_with_its_content_type(store: ObjectStore) -> None:
    url = store.presign_put(UNUSUAL_KEY, 60, "text/plain")
    response = httpx.put(url, content=b"typed", headers={"Content-Type": "text/plain"}, timeout=30)
    assert response.status_code == 200
    assert store.get(UNUSUAL_KEY) == b"typed"


def test_presigned_put_refuses_another_content_type(store: ObjectStore) -> None:
    url = store.presign_put("files/typed.txt", 60, "text/plain")
    response = httpx.put(
        url, content=b"sneaky", headers={"Content-Type": "application/json"}, timeout=30
    )
    assert response.status_code == 403
    assert not store.exists("files/typed.txt")
    missing = httpx.put(url, content=b"untyped", timeout=30)
    assert missing.status_code == 403
    assert not store.exists("files/typed.txt")


# ---- readiness and layout -----------------------------------------------------------------


def test_check_reports_ok_and_leaves_no_probe_behind(store: ObjectStore) -> None:
    store.put("existing", b"1")
    check = store.check()
    assert check.ok, check.detail
    assert check.name == "object_store"
    assert check.detail
    assert keys(store) == ["existing"]


def test_session_key_layout() -> None:
    created = datetime(2024, 3, 7, 23, 59, tzinfo=UTC)
    assert session_prefix("sess_1", created) == "interview-sessions/2024/03/07/sess_1"
    assert (
        session_key("sess_1", created, "files", "src/main.py")
        == "interview-sessions/2024/03/07/sess_1/files/src/main.py"
    )
    assert (
        session_key("sess_1", created, "outputs", "/run-1/stdout.txt")
        == "interview-sessions/2024/03/07/sess_1/outputs/run-1/stdout.txt"
    )
    assert (
        session_key("sess_1", created, "recordings", "audio.webm")
        == "interview-sessions/2024/03/07/sess_1/recordings/audio.webm"
    )


@pytest.mark.parametrize("area", ["file", "", "../files", "Files"])
def test_session_key_refuses_unknown_areas(area: str) -> None:
    with pytest.raises(ValueError, match="unknown session area"):
        session_key("sess_1", datetime(2024, 3, 7, tzinfo=UTC), area, "a.txt")


@pytest.mark.parametrize("name", ["../../x", "a/../../x", "a//b", "", "a\\b", "x\x00"])
def test_session_key_refuses_names_that_would_leave_the_session(name: str) -> None:
    with pytest.raises(InvalidKeyError):
        session_key("sess_1", datetime(2024, 3, 7, tzinfo=UTC), "files", name)


def test_session_objects_are_listed_under_their_session_only(store: ObjectStore) -> None:
    day = datetime(2024, 3, 7, 10, 0, tzinfo=UTC)
    mine = [
        session_key("sess_1", day, "files", "main.py"),
        session_key("sess_1", day, "outputs", "run-1.txt"),
        session_key("sess_1", day, "recordings", "audio.webm"),
    ]
    others = [
        session_key("sess_10", day, "files", "main.py"),
        session_key("sess_1", datetime(2024, 3, 8, tzinfo=UTC), "files", "main.py"),
    ]
    for key in mine + others:
        store.put(key, key.encode())
    assert keys(store, session_prefix("sess_1", day) + "/") == sorted(mine)
    assert keys(store, session_prefix("sess_1", day) + "/files/") == [mine[0]]
