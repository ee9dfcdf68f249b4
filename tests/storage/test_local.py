"""The local directory adapter: atomic writes, containment under its root, signed-URL routes."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from fastapi.testclient import TestClient

from interviewkit.app import Container, create_app
from interviewkit.storage import LocalObjectStore, ObjectStoreError, create_object_store
from interviewkit.storage.port import InvalidKeyError, ObjectNotFoundError
from tests.conftest import assert_problem, make_settings
from tests.storage.conftest import assert_every_operation_refuses

UPLOAD_LIMIT = 1024
SECRET = b"TOP SECRET, outside the store"


class FailingReader(io.BytesIO):
    """A file object that hands out ``good`` bytes, then runs ``midway`` and raises."""

    def __init__(self, good: bytes, midway: Callable[[], None] | None = None) -> None:
        super().__init__()
        self.good = good
        self.reads = 0
        self.midway = midway

    def read(self, size: int | None = -1, /) -> bytes:
        self.reads += 1
        if self.reads == 1:
            return self.good
        if self.midway is not None:
            self.midway()
        raise OSError("disk unplugged mid-upload")


def all_entries(root: Path) -> list[str]:
    """Every file, folder and link under ``root`` (hidden ones too), relative, sorted."""
    return sorted(path.relative_to(root).as_posix() for path in root.rglob("*"))


def listed(store: LocalObjectStore, prefix: str = "") -> list[str]:
    return [info.key for info in store.list(prefix)]


@pytest.fixture
def local(tmp_path: Path) -> LocalObjectStore:
    store = create_object_store(make_settings(tmp_path))
    assert isinstance(store, LocalObjectStore)
    return store


# ---- atomic writes ------------------------------------------------------------------------


def test_a_failed_overwrite_keeps_the_old_object_and_leaves_no_temp_file(
    local: LocalObjectStore,
) -> None:
    local.put("files/main.py", b"old contents")
    with pytest.raises(OSError, match="disk unplugged"):
        local.put("files/main.py", FailingReader(b"new partial contents"))
    assert local.get("files/main.py") == b"old contents"
    assert local.head("files/main.py").size == len(b"old contents")
    assert all_entries(local.root) == ["files", "files/main.py"]


def test_readers_see_the_old_object_while_a_write_is_in_flight(local: LocalObjectStore) -> None:
    local.put("a/b.txt", b"old")
    seen: list[object] = []

    def look() -> None:
        seen.append(local.get("a/b.txt"))
        seen.append(listed(local))

    with pytest.raises(OSError, match="disk unplugged"):
        local.put("a/b.txt", FailingReader(b"half of the new", midway=look))
    assert seen == [b"old", ["a/b.txt"]]


def test_a_failed_first_write_leaves_nothing_that_blocks_later_keys(
    local: LocalObjectStore,
) -> None:
    with pytest.raises(OSError, match="disk unplugged"):
        local.put("new/deep/key", FailingReader(b"partial"))
    assert not local.exists("new/deep/key")
    assert listed(local) == []
    assert all_entries(local.root) == []
    local.put("new", b"a leaf where the failed write's folder was")
    assert local.get("new") == b"a leaf where the failed write's folder was"


def test_temp_files_of_a_crashed_writer_are_invisible(local: LocalObjectStore) -> None:
    local.put("a/real", b"1")
    (local.root / "a" / ".tmp-crashed").write_bytes(b"half")
    (local.root / ".tmp-dir").mkdir()
    (local.root / ".tmp-dir" / "x").write_bytes(b"half")
    assert listed(local) == ["a/real"]
    assert listed(local, "a/") == ["a/real"]


@pytest.mark.parametrize("key", [".tmp-abc", "a/.tmp-abc", ".tmp-dir/x"])
def test_keys_that_look_like_temp_files_are_refused(local: LocalObjectStore, key: str) -> None:
    with pytest.raises(InvalidKeyError):
        local.put(key, b"x")
    with pytest.raises(InvalidKeyError):
        local.get(key)
    assert all_entries(local.root) == []


def test_put_under_an_existing_object_or_over_a_folder_fails_cleanly(
    local: LocalObjectStore,
) -> None:
    local.put("a", b"leaf")
    local.put("b/c", b"nested")
    with pytest.raises(ObjectStoreError):
        local.put("a/x", b"under a leaf")
    with pytest.raises(ObjectStoreError):
        local.put("b", b"over a folder")
    assert local.get("a") == b"leaf"
    assert local.get("b/c") == b"nested"
    assert listed(local) == ["a", "b/c"]
    assert not any(".tmp-" in entry for entry in all_entries(local.root))


def test_delete_prunes_empty_folders_but_not_the_root(local: LocalObjectStore) -> None:
    local.put("x/y/z", b"1")
    local.put("x/keep", b"2")
    local.delete("x/y/z")
    assert all_entries(local.root) == ["x", "x/keep"]
    local.delete("x/keep")
    assert all_entries(local.root) == []
    assert local.root.is_dir()


# ---- containment --------------------------------------------------------------------------


@pytest.fixture
def outside(tmp_path: Path, local: LocalObjectStore) -> Path:
    """A folder beside the store with a secret, and links to it planted inside the store."""
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "secret").write_bytes(SECRET)
    (local.root / "dir-link").symlink_to(folder, target_is_directory=True)
    (local.root / "file-link").symlink_to(folder / "secret")
    (local.root / "dangling-link").symlink_to(folder / "not-yet")
    return folder


ESCAPING_KEYS = [
    "dir-link/secret",
    "dir-link/new",
    "dir-link/sub/new",
    "file-link",
    "dangling-link",
]


@pytest.mark.parametrize("key", ESCAPING_KEYS)
def test_symlinks_planted_in_the_root_cannot_lead_outside(
    local: LocalObjectStore, outside: Path, key: str
) -> None:
    assert_every_operation_refuses(local, key, presign=False)
    assert all_entries(outside) == ["secret"]
    assert (outside / "secret").read_bytes() == SECRET


def test_listing_does_not_reveal_what_planted_links_point_at(
    local: LocalObjectStore, outside: Path
) -> None:
    local.put("real", b"1")
    assert listed(local) == ["real"]
    assert listed(local, "file-link") == []
    assert listed(local, "dir-link/") == []


def test_listing_a_prefix_never_walks_outside_the_root(
    local: LocalObjectStore, tmp_path: Path
) -> None:
    (tmp_path / "beside.txt").write_bytes(b"not an object")
    local.put("a/b", b"1")
    for prefix in ["../", "../beside", "a/../../", "/", str(tmp_path) + "/", "a/../"]:
        assert listed(local, prefix) == [], prefix


# ---- signed-URL routes --------------------------------------------------------------------


@dataclass
class ServedStore:
    store: LocalObjectStore
    http: TestClient


@pytest.fixture
def served(tmp_path: Path) -> Iterator[ServedStore]:
    """The app (on SQLite) with a local store and a small upload limit, through TestClient."""
    container = Container.build(
        make_settings(tmp_path, public_url="http://objects.test", max_upload_bytes=UPLOAD_LIMIT)
    )
    store = container.object_store
    assert isinstance(store, LocalObjectStore)
    yield ServedStore(store, TestClient(create_app(container=container)))
    container.engine.dispose()


def relative(url: str) -> str:
    """The path and query of a signed URL, for the TestClient."""
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}" == "http://objects.test"
    return f"{parts.path}?{parts.query}"


def with_query(url: str, **changes: str) -> str:
    """The URL with some query parameters replaced."""
    parts = urlsplit(url)
    query = {name: values[0] for name, values in parse_qs(parts.query).items()}
    return f"{parts.path}?{urlencode({**query, **changes})}"


def test_signed_get_downloads_the_object(served: ServedStore) -> None:
    served.store.put("outputs/run 1/stdout.txt", b"hello\n")
    response = served.http.get(relative(served.store.presign_get("outputs/run 1/stdout.txt", 60)))
    assert response.status_code == 200
    assert response.content == b"hello\n"
    assert response.headers["content-length"] == "6"


def test_signed_put_uploads_the_object(served: ServedStore) -> None:
    url = relative(served.store.presign_put("files/up.bin", 60, "application/octet-stream"))
    response = served.http.put(
        url, content=b"\x00\x01payload", headers={"Content-Type": "application/octet-stream"}
    )
    assert response.status_code == 200
    assert served.store.get("files/up.bin") == b"\x00\x01payload"


def test_a_tampered_signature_is_refused(served: ServedStore) -> None:
    served.store.put("k", b"data")
    url = served.store.presign_get("k", 60)
    signature = parse_qs(urlsplit(url).query)["signature"][0]
    flipped = signature[:-1] + ("0" if signature[-1] != "0" else "1")
    assert_problem(served.http.get(with_query(url, signature=flipped)), 403, "invalid_signature")


def test_a_url_for_one_object_cannot_fetch_another(served: ServedStore) -> None:
    served.store.put("public", b"shared")
    served.store.put("private", b"not shared")
    url = relative(served.store.presign_get("public", 60)).replace("/public?", "/private?")
    assert_problem(served.http.get(url), 403, "invalid_signature")


def test_an_expired_url_is_refused(served: ServedStore) -> None:
    served.store.put("k", b"data")
    assert_problem(
        served.http.get(relative(served.store.presign_get("k", -1))), 403, "invalid_signature"
    )
    expired_put = relative(served.store.presign_put("k", -1))
    assert_problem(served.http.put(expired_put, content=b"new"), 403, "invalid_signature")
    assert served.store.get("k") == b"data"


def test_an_extended_expiry_is_refused(served: ServedStore) -> None:
    served.store.put("k", b"data")
    url = served.store.presign_get("k", -1)
    expires = int(parse_qs(urlsplit(url).query)["expires"][0])
    extended = with_query(url, expires=str(expires + 3600))
    assert_problem(served.http.get(extended), 403, "invalid_signature")


def test_a_download_url_cannot_upload(served: ServedStore) -> None:
    served.store.put("k", b"original")
    url = relative(served.store.presign_get("k", 60))
    assert_problem(served.http.put(url, content=b"overwrite"), 403, "invalid_signature")
    relabelled = with_query(served.store.presign_get("k", 60), method="PUT")
    assert_problem(served.http.put(relabelled, content=b"overwrite"), 403, "invalid_signature")
    assert served.store.get("k") == b"original"


def test_an_upload_url_cannot_download(served: ServedStore) -> None:
    served.store.put("k", b"private")
    url = relative(served.store.presign_put("k", 60))
    assert_problem(served.http.get(url), 403, "invalid_signature")


def test_an_upload_url_with_another_content_type_is_refused(served: ServedStore) -> None:
    served.store.put("doc", b"original")
    url = served.store.presign_put("doc", 60, "text/plain")
    retyped = with_query(url, content_type="text/html")
    response = served.http.put(retyped, content=b"<script>", headers={"Content-Type": "text/html"})
    assert_problem(response, 403, "invalid_signature")
    untyped = with_query(url)
    wrong_header = served.http.put(
        untyped, content=b"<script>", headers={"Content-Type": "text/html"}
    )
    assert_problem(wrong_header, 403, "invalid_signature")
    assert served.store.get("doc") == b"original"


def test_a_missing_object_is_404(served: ServedStore) -> None:
    response = served.http.get(relative(served.store.presign_get("nothing/here", 60)))
    assert_problem(response, 404, "object_not_found")


def test_an_invalid_key_in_the_url_is_400(served: ServedStore) -> None:
    response = served.http.get("/api/v1/objects/a%5Cb?expires=9999999999&signature=00")
    assert_problem(response, 400, "invalid_object_key")


def test_an_upload_over_the_limit_is_413_and_stores_nothing(served: ServedStore) -> None:
    served.store.put("big", b"previous")
    url = relative(served.store.presign_put("big", 60))
    response = served.http.put(url, content=b"x" * (UPLOAD_LIMIT + 1))
    assert_problem(response, 413, "upload_too_large")
    assert served.store.get("big") == b"previous"
    at_limit = served.http.put(url, content=b"y" * UPLOAD_LIMIT)
    assert at_limit.status_code == 200
    assert served.store.get("big") == b"y" * UPLOAD_LIMIT


def test_a_chunked_upload_over_the_limit_is_413(served: ServedStore) -> None:
    url = relative(served.store.presign_put("streamed", 60))

    def body() -> Iterator[bytes]:
        for _ in range(4):
            yield b"z" * (UPLOAD_LIMIT // 2)

    response = served.http.put(url, content=body())
    assert_problem(response, 413, "upload_too_large")
    with pytest.raises(ObjectNotFoundError):
        served.store.get("streamed")
