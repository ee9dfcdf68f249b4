"""The object-store port: what every adapter (local directory, S3) must do.

Keys are ``/``-separated, relative, and form a tree: a key is never also the folder of
another key (``a`` and ``a/b`` cannot both exist). Our key layouts respect this, and the
local adapter relies on it. Every adapter passes ``tests/storage/test_contract.py``.
"""

from __future__ import annotations

import builtins
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import BinaryIO, Protocol

from interviewkit.errors import ProblemError

MAX_KEY_BYTES = 1024
MAX_SEGMENT_BYTES = 255  # a file name on common local filesystems (NAME_MAX)
MIN_PART_BYTES = 5 << 20  # S3's smallest part but the last; every adapter holds to it
MAX_PART_NUMBER = 10_000  # S3's part numbers run 1-10000
_FORBIDDEN_KEY_CHARS = re.compile(r"[\x00-\x1f\x7f\\]")


class ObjectStoreError(Exception):
    """The store failed (unreachable, misconfigured); not the caller's fault."""


class ObjectKeyConflictError(ObjectStoreError):
    """The key and an existing key would be a file and a folder at once (local store)."""


class ObjectNotFoundError(KeyError):
    """No object under that key."""


class InvalidKeyError(ProblemError):
    def __init__(self, key: str, reason: str) -> None:
        super().__init__(400, "invalid_object_key", f"invalid object key {key!r}: {reason}")


@dataclass(frozen=True)
class ObjectInfo:
    key: str
    size: int
    modified: datetime | None = None


@dataclass(frozen=True)
class PartInfo:
    """One uploaded part of a multipart upload (numbers start at 1, as in S3)."""

    number: int
    size: int
    etag: str


class UploadNotFoundError(KeyError):
    """No multipart upload with that id (never started, completed or aborted)."""


class InvalidUploadError(ObjectStoreError):
    """The parts named to complete an upload do not make one (missing, changed, too small).

    A subclass of :class:`ObjectStoreError` so that callers written before it existed
    still catch it; callers that can tell the client what went wrong catch it first.
    """


@dataclass(frozen=True)
class PortCheck:
    """Result of probing one port, for /readyz and ``interviewkit doctor``."""

    name: str
    ok: bool
    detail: str
    fix: str = ""
    latency_ms: float = 0.0


class ObjectStore(Protocol):
    """Blob storage behind one interface; see the module docstring for key rules."""

    name: str

    def put(self, key: str, data: bytes | BinaryIO, content_type: str | None = None) -> ObjectInfo:
        """Store an object atomically: readers see the old bytes or the new, never a mix."""
        ...

    def get(self, key: str) -> bytes: ...

    def iter_chunks(self, key: str, chunk_size: int = 1 << 20) -> Iterator[bytes]:
        """Stream an object without holding it all in memory."""
        ...

    def head(self, key: str) -> ObjectInfo: ...

    def exists(self, key: str) -> bool: ...

    def delete(self, key: str) -> None:
        """Remove an object; deleting a missing key is not an error."""
        ...

    def list(self, prefix: str = "") -> Iterator[ObjectInfo]:
        """Objects whose key starts with ``prefix``, in key order."""
        ...

    def presign_get(self, key: str, expires_in: int) -> str: ...

    def presign_put(self, key: str, expires_in: int, content_type: str | None = None) -> str: ...

    def check(self) -> PortCheck:
        """Write, read back and delete a probe object (the origin docs' testConnection)."""
        ...

    # --- multipart uploads: large objects in parts a client PUTs through signed URLs -------
    # A client that loses its connection asks which parts arrived (list_parts) and sends
    # only the rest; completing joins the parts in number order into one object.

    def create_multipart(self, key: str, content_type: str | None = None) -> str:
        """Start a multipart upload of ``key``; return its upload id."""
        ...

    def presign_part(self, key: str, upload_id: str, number: int, expires_in: int) -> str:
        """A URL a client PUTs part ``number`` (1-10000) to; the answer's ETag names it."""
        ...

    def list_parts(self, key: str, upload_id: str) -> builtins.list[PartInfo]:
        """The parts received so far, by number; :class:`UploadNotFoundError` if none."""
        ...

    def complete_multipart(
        self, key: str, upload_id: str, parts: builtins.list[PartInfo]
    ) -> ObjectInfo:
        """Join ``parts`` (as listed) into the object ``key``; the upload is then gone."""
        ...

    def abort_multipart(self, key: str, upload_id: str) -> None:
        """Drop an upload and its parts; aborting an unknown upload is not an error."""
        ...


def round_trip_check(store: ObjectStore, where: str, fix: str) -> PortCheck:
    """Write, read back and delete a probe object: the check every adapter runs.

    Each call probes its own key: with one shared key, concurrent checks (parallel
    /readyz calls, several workers on one store) deleted each other's probe mid-check
    and reported a healthy store as failing. The key sits at the top level so that no
    check prunes a folder another check is writing into.
    """
    probe = f".readyz-{uuid.uuid4().hex}"
    try:
        store.put(probe, b"ok")
        ok = store.get(probe) == b"ok"
        store.delete(probe)
    except (OSError, ObjectStoreError, ObjectNotFoundError) as exc:
        return PortCheck("object_store", False, f"{where}: {exc}", fix)
    return PortCheck("object_store", ok, where)


def validate_key(key: str) -> str:
    """Return ``key`` if it is a safe relative key, else raise :class:`InvalidKeyError`."""
    if not isinstance(key, str) or not key:
        raise InvalidKeyError(str(key), "empty")
    if len(key.encode("utf-8", "surrogatepass")) > MAX_KEY_BYTES:
        raise InvalidKeyError(key, f"longer than {MAX_KEY_BYTES} bytes")
    if _FORBIDDEN_KEY_CHARS.search(key):
        raise InvalidKeyError(key, "control character or backslash")
    if key.startswith("/") or key.endswith("/"):
        raise InvalidKeyError(key, "leading or trailing slash")
    try:
        key.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidKeyError(key, "not valid Unicode") from None
    for segment in key.split("/"):
        if segment in {"", ".", ".."}:
            raise InvalidKeyError(key, "empty, '.' or '..' segment")
        if len(segment.encode("utf-8")) > MAX_SEGMENT_BYTES:
            raise InvalidKeyError(key, f"a segment is longer than {MAX_SEGMENT_BYTES} bytes")
    return key


def session_prefix(session_id: str, created: datetime) -> str:
    """``interview-sessions/{yyyy}/{mm}/{dd}/{session_id}``, the origin docs' layout."""
    return f"interview-sessions/{created:%Y/%m/%d}/{session_id}"


def session_key(session_id: str, created: datetime, area: str, name: str) -> str:
    """Key of one object of a session: ``area`` is ``files``, ``outputs`` or ``recordings``."""
    if area not in {"files", "outputs", "recordings"}:
        raise ValueError(f"unknown session area {area!r}")
    return validate_key(f"{session_prefix(session_id, created)}/{area}/{name.lstrip('/')}")
