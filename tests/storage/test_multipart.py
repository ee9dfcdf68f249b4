"""Multipart uploads, passed by every adapter: parts PUT over real HTTP to signed URLs.

The local store's part URLs hit the application on uvicorn, the S3 store's hit moto's
server; both are held to S3's rules (ascending parts, every part but the last >= 5 MiB),
so a client that works against one works against the other.
"""

from __future__ import annotations

import random
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx
import pytest

from interviewkit.storage import LocalObjectStore, ObjectStore
from interviewkit.storage.port import (
    MIN_PART_BYTES,
    InvalidUploadError,
    PartInfo,
    UploadNotFoundError,
)

KEY = "video-interviews/2026/12/06/vid_x/answers/0/ans_y/original.webm"


def payload(size: int, seed: int) -> bytes:
    return random.Random(seed).randbytes(size)


def send(store: ObjectStore, upload_id: str, number: int, data: bytes) -> httpx.Response:
    """PUT one part as a browser would: to its signed URL, with no credentials."""
    url = store.presign_part(KEY, upload_id, number, 60)
    return httpx.put(url, content=data, timeout=60)


def with_query(url: str, **changes: str) -> str:
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    query.update(changes)
    return urlunsplit(parts._replace(query=urlencode(query)))


def test_parts_sent_out_of_order_join_in_number_order(store: ObjectStore) -> None:
    first, second, last = (payload(MIN_PART_BYTES, 1), payload(MIN_PART_BYTES, 2), b"tail")
    upload_id = store.create_multipart(KEY, "video/webm")
    for number, data in [(3, last), (1, first), (2, second)]:
        response = send(store, upload_id, number, data)
        assert response.status_code == 200
        assert response.headers["ETag"].strip('"')
    parts = store.list_parts(KEY, upload_id)
    assert [(part.number, part.size) for part in parts] == [
        (1, MIN_PART_BYTES),
        (2, MIN_PART_BYTES),
        (3, 4),
    ]
    info = store.complete_multipart(KEY, upload_id, parts)
    assert info.size == 2 * MIN_PART_BYTES + 4
    assert store.get(KEY) == first + second + last
    with pytest.raises(UploadNotFoundError):
        store.list_parts(KEY, upload_id)  # a completed upload is gone


def test_the_etag_answered_for_a_part_is_the_one_listed(store: ObjectStore) -> None:
    upload_id = store.create_multipart(KEY)
    etag = send(store, upload_id, 1, b"only part").headers["ETag"]
    assert [part.etag.strip('"') for part in store.list_parts(KEY, upload_id)] == [etag.strip('"')]


def test_a_resent_part_replaces_the_old_one(store: ObjectStore) -> None:
    upload_id = store.create_multipart(KEY)
    assert send(store, upload_id, 1, payload(MIN_PART_BYTES, 3)).status_code == 200
    replacement = payload(MIN_PART_BYTES, 4)
    assert send(store, upload_id, 1, replacement).status_code == 200
    assert send(store, upload_id, 2, b"end").status_code == 200
    parts = store.list_parts(KEY, upload_id)
    assert [part.number for part in parts] == [1, 2]
    store.complete_multipart(KEY, upload_id, parts)
    assert store.get(KEY) == replacement + b"end"


def test_a_client_resumes_by_sending_only_the_missing_parts(store: ObjectStore) -> None:
    chunks = [payload(MIN_PART_BYTES, 5), payload(MIN_PART_BYTES, 6), payload(1000, 7)]
    upload_id = store.create_multipart(KEY, "video/webm")
    assert send(store, upload_id, 1, chunks[0]).status_code == 200
    # the connection drops here; the client asks what arrived and sends the rest
    received = {part.number for part in store.list_parts(KEY, upload_id)}
    assert received == {1}
    for number, data in enumerate(chunks, start=1):
        if number not in received:
            assert send(store, upload_id, number, data).status_code == 200
    store.complete_multipart(KEY, upload_id, store.list_parts(KEY, upload_id))
    assert store.get(KEY) == b"".join(chunks)


def test_a_new_upload_lists_no_parts(store: ObjectStore) -> None:
    upload_id = store.create_multipart(KEY)
    assert store.list_parts(KEY, upload_id) == []
    assert not store.exists(KEY)


def test_abort_drops_the_upload_and_is_idempotent(store: ObjectStore) -> None:
    upload_id = store.create_multipart(KEY)
    assert send(store, upload_id, 1, b"partial").status_code == 200
    store.abort_multipart(KEY, upload_id)
    with pytest.raises(UploadNotFoundError):
        store.list_parts(KEY, upload_id)
    # refused: S3 and the local store answer 404 NoSuchUpload, moto's server a 500
    assert send(store, upload_id, 2, b"late").status_code >= 400
    store.abort_multipart(KEY, upload_id)  # again: not an error
    assert not store.exists(KEY)
    assert list(store.list()) == []


def test_an_unknown_upload_is_not_found(store: ObjectStore) -> None:
    store.create_multipart(KEY)
    with pytest.raises(UploadNotFoundError):
        store.list_parts(KEY, "0" * 32)
    store.abort_multipart(KEY, "0" * 32)


def test_a_small_part_before_the_last_is_refused_and_the_upload_survives(
    store: ObjectStore,
) -> None:
    upload_id = store.create_multipart(KEY)
    assert send(store, upload_id, 1, b"too small").status_code == 200
    assert send(store, upload_id, 2, b"last").status_code == 200
    with pytest.raises(InvalidUploadError):
        store.complete_multipart(KEY, upload_id, store.list_parts(KEY, upload_id))
    assert not store.exists(KEY)
    assert [part.number for part in store.list_parts(KEY, upload_id)] == [1, 2]


def test_completing_with_a_part_never_sent_or_a_wrong_etag_is_refused(
    store: ObjectStore,
) -> None:
    upload_id = store.create_multipart(KEY)
    assert send(store, upload_id, 1, b"sent").status_code == 200
    sent = store.list_parts(KEY, upload_id)[0]
    with pytest.raises(InvalidUploadError):
        store.complete_multipart(KEY, upload_id, [PartInfo(2, 4, sent.etag)])
    with pytest.raises(InvalidUploadError):
        store.complete_multipart(KEY, upload_id, [PartInfo(1, 4, '"' + "0" * 32 + '"')])
    with pytest.raises(InvalidUploadError):
        store.complete_multipart(KEY, upload_id, [])
    assert store.complete_multipart(KEY, upload_id, [sent]).size == 4


def test_an_upload_of_one_empty_part_makes_an_empty_object(store: ObjectStore) -> None:
    upload_id = store.create_multipart(KEY)
    assert send(store, upload_id, 1, b"").status_code == 200
    assert store.complete_multipart(KEY, upload_id, store.list_parts(KEY, upload_id)).size == 0
    assert store.get(KEY) == b""


@pytest.mark.parametrize("number", [0, 10_001])
def test_part_numbers_outside_1_to_10000_are_refused(store: ObjectStore, number: int) -> None:
    upload_id = store.create_multipart(KEY)
    with pytest.raises(InvalidUploadError):
        store.presign_part(KEY, upload_id, number, 60)


# ---- the local store's signed part URLs -----------------------------------------------------


def test_a_part_url_cannot_be_moved_to_another_part_upload_or_key(
    local_store: LocalObjectStore,
) -> None:
    upload_id = local_store.create_multipart(KEY)
    other_upload = local_store.create_multipart(KEY)
    url = local_store.presign_part(KEY, upload_id, 1, 60)
    for tampered in [
        with_query(url, partNumber="2"),
        with_query(url, uploadId=other_upload),
        url.replace("original.webm", "original.mp4"),
        with_query(url, expires=str(int(dict(parse_qsl(urlsplit(url).query))["expires"]) + 60)),
    ]:
        response = httpx.put(tampered, content=b"sneaky", timeout=30)
        assert response.status_code == 403, tampered
        assert response.json()["code"] == "invalid_signature"
    for upload in (upload_id, other_upload):
        assert local_store.list_parts(KEY, upload) == []


def test_a_whole_object_url_cannot_upload_a_part_nor_a_part_url_the_object(
    local_store: LocalObjectStore,
) -> None:
    upload_id = local_store.create_multipart(KEY)
    put_url = local_store.presign_put(KEY, 60)
    as_part = with_query(put_url, uploadId=upload_id, partNumber="1")
    assert httpx.put(as_part, content=b"x", timeout=30).status_code == 403
    part_url = local_store.presign_part(KEY, upload_id, 1, 60)
    query = dict(parse_qsl(urlsplit(part_url).query))
    del query["uploadId"], query["partNumber"]
    as_object = urlunsplit(urlsplit(part_url)._replace(query=urlencode(query)))
    assert httpx.put(as_object, content=b"x", timeout=30).status_code == 403
    assert not local_store.exists(KEY)
    assert local_store.list_parts(KEY, upload_id) == []


def test_uploads_in_flight_are_invisible_to_list_and_leave_nothing_once_done(
    local_store: LocalObjectStore, tmp_path: Path
) -> None:
    local_store.put("kept", b"1")
    upload_id = local_store.create_multipart(KEY)
    assert send(local_store, upload_id, 1, b"part").status_code == 200
    assert [info.key for info in local_store.list()] == ["kept"]
    local_store.complete_multipart(KEY, upload_id, local_store.list_parts(KEY, upload_id))
    uploads = local_store.root / ".tmp-uploads"
    assert not uploads.exists() or list(uploads.iterdir()) == []
    assert [info.key for info in local_store.list()] == ["kept", KEY]


def test_an_upload_of_another_key_is_not_found(local_store: LocalObjectStore) -> None:
    other = local_store.create_multipart("other/key")
    with pytest.raises(UploadNotFoundError):
        local_store.list_parts(KEY, other)  # as S3 answers; moto's server does not check


@pytest.mark.parametrize("upload_id", ["../../etc", "", "A" * 32, "0" * 31])
def test_malformed_upload_ids_are_unknown_uploads(
    local_store: LocalObjectStore, upload_id: str
) -> None:
    with pytest.raises(UploadNotFoundError):
        local_store.list_parts(KEY, upload_id)
    with pytest.raises(UploadNotFoundError):
        local_store.presign_part(KEY, upload_id, 1, 60)


@pytest.mark.parametrize(
    ("name", "served_as"),
    [
        ("answer.mp4", "video/mp4"),
        ("original.webm", "video/webm"),
        ("captions.vtt", "text/vtt"),
        ("analysis.json", "application/json"),
        ("page.html", "application/octet-stream"),
        ("image.svg", "application/octet-stream"),
        ("script.js", "application/octet-stream"),
        ("no-extension", "application/octet-stream"),
    ],
)
def test_local_downloads_are_typed_for_players_but_never_as_pages(
    local_store: LocalObjectStore, name: str, served_as: str
) -> None:
    """A <video> and its <track> get their types; nothing stored renders as our page."""
    local_store.put(f"answers/{name}", b"<html><script>alert(1)</script></html>")
    response = httpx.get(local_store.presign_get(f"answers/{name}", 60), timeout=30)
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == served_as
