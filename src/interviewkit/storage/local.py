"""Object store on a local directory: the embedded default.

Writes go to a temporary file in the target folder, are fsynced, then renamed over the
key, so a crash leaves either the old object or the new one. Keys are validated and the
resolved path is checked to stay under the root, so no key can reach outside it.

Multipart uploads live in ``{root}/.tmp-uploads/{upload_id}/`` (the ``.tmp-`` prefix
hides them from ``list`` and no key can name them): a ``upload.json`` saying which key
they are for, and one file per part named ``{number:05d}-{md5}``, the md5 being the part's
ETag as S3 reports it, so listing the parts never reads them. A re-sent part is written
beside the old one and then replaces it. Completing streams the parts in number order into
a temporary file, checking each against the ETag the client named, and publishes it with
the same fsync + rename as ``put``.
"""

from __future__ import annotations

import builtins
import hashlib
import json
import os
import re
import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, BinaryIO
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from interviewkit.config import ensure_private_dir
from interviewkit.storage.port import (
    MAX_PART_NUMBER,
    MIN_PART_BYTES,
    InvalidKeyError,
    InvalidUploadError,
    ObjectInfo,
    ObjectKeyConflictError,
    ObjectNotFoundError,
    ObjectStoreError,
    PartInfo,
    PortCheck,
    UploadNotFoundError,
    round_trip_check,
    validate_key,
)
from interviewkit.storage.signing import UrlSigner

_TMP_PREFIX = ".tmp-"
_MKDIR_ATTEMPTS = 5
_UPLOADS = _TMP_PREFIX + "uploads"
_UPLOAD_ID = re.compile(r"^[0-9a-f]{32}$")
_PART_FILE = re.compile(r"^(\d{5})-([0-9a-f]{32})$")
_COPY_BYTES = 1 << 20


def part_method(upload_id: str, number: int) -> str:
    """What a part URL's signature covers in place of the method: the upload and the part.

    Signed into the URL (never read back from it), so a URL for part 1 cannot upload part
    2, nor a part of another upload, nor a whole object.
    """
    return f"PUT-PART:{upload_id}:{number}"


def _fsync_dir(folder: Path) -> None:
    """Make a rename in ``folder`` durable (the entry, not just the file's bytes)."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class LocalObjectStore:
    name = "local"

    def __init__(self, root: Path, signer: UrlSigner) -> None:
        self.root = ensure_private_dir(root).resolve()
        self.signer = signer

    def _path(self, key: str) -> Path:
        validate_key(key)
        if any(part.startswith(_TMP_PREFIX) for part in key.split("/")):
            raise InvalidKeyError(key, f"segments may not start with {_TMP_PREFIX!r}")
        try:
            path = (self.root / key).resolve()
        except (RuntimeError, OSError):  # a symlink loop planted under the root
            raise InvalidKeyError(key, "cannot be resolved") from None
        if not path.is_relative_to(self.root) or path == self.root:
            raise InvalidKeyError(key, "resolves outside the store")
        return path

    def put(self, key: str, data: bytes | BinaryIO, content_type: str | None = None) -> ObjectInfo:
        def write(handle: IO[bytes]) -> None:
            if isinstance(data, bytes | bytearray | memoryview):
                handle.write(data)
            else:
                shutil.copyfileobj(data, handle, _COPY_BYTES)

        return self._publish(key, write)

    def _publish(self, key: str, write: Callable[[IO[bytes]], None]) -> ObjectInfo:
        """Write an object through ``write`` into a temporary file, fsync, rename over key."""
        path = self._path(key)
        for attempt in range(_MKDIR_ATTEMPTS):
            self._make_parents(key, path)
            if path.is_dir():
                raise ObjectKeyConflictError(f"key {key!r} is the folder of other objects")
            try:
                fd, tmp_name = tempfile.mkstemp(prefix=_TMP_PREFIX, dir=path.parent)
                break
            except FileNotFoundError:
                # a concurrent delete pruned the folder, now empty, between our mkdir and
                # mkstemp: make it again
                if attempt == _MKDIR_ATTEMPTS - 1:
                    raise
        try:
            with os.fdopen(fd, "wb") as handle:
                write(handle)
                handle.flush()
                os.fsync(handle.fileno())
            Path(tmp_name).replace(path)
        except BaseException:
            Path(tmp_name).unlink(missing_ok=True)
            self._prune_empty_parents(path.parent)  # folders made for this key would block others
            raise
        return self._info(key, path)

    def _make_parents(self, key: str, path: Path) -> None:
        try:
            ensure_private_dir(path.parent)
        except (FileExistsError, NotADirectoryError):
            if not self.root.is_dir():
                raise ObjectStoreError(f"the store root {self.root} is not a directory") from None
            raise ObjectKeyConflictError(f"key {key!r} lies under an existing object") from None

    def _info(self, key: str, path: Path) -> ObjectInfo:
        stat = path.stat()
        return ObjectInfo(key, stat.st_size, datetime.fromtimestamp(stat.st_mtime, UTC))

    def _existing(self, key: str) -> Path:
        path = self._path(key)
        if not path.is_file():
            raise ObjectNotFoundError(key)
        return path

    def get(self, key: str) -> bytes:
        return self._existing(key).read_bytes()

    def iter_chunks(self, key: str, chunk_size: int = 1 << 20) -> Iterator[bytes]:
        path = self._existing(key)
        with path.open("rb") as handle:
            while chunk := handle.read(chunk_size):
                yield chunk

    def head(self, key: str) -> ObjectInfo:
        return self._info(key, self._existing(key))

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def delete(self, key: str) -> None:
        path = self._path(key)
        if path.is_dir():
            return
        path.unlink(missing_ok=True)
        self._prune_empty_parents(path.parent)

    def _prune_empty_parents(self, folder: Path) -> None:
        while folder != self.root:
            try:
                folder.rmdir()
            except OSError:
                return
            folder = folder.parent

    def list(self, prefix: str = "") -> Iterator[ObjectInfo]:
        keys: list[str] = []
        start = (self.root / prefix.rpartition("/")[0]).resolve()
        if not start.is_relative_to(self.root):
            return
        for dirpath, dirnames, filenames in os.walk(start):
            dirnames[:] = [d for d in dirnames if not d.startswith(_TMP_PREFIX)]
            relative = Path(dirpath).relative_to(self.root).as_posix()
            for filename in filenames:
                if filename.startswith(_TMP_PREFIX):
                    continue
                link = Path(dirpath, filename)
                if link.is_symlink() and not link.resolve().is_relative_to(self.root):
                    continue  # planted link to outside: get() refuses it, so hide it
                key = filename if relative == "." else f"{relative}/{filename}"
                if key.startswith(prefix):
                    keys.append(key)
        for key in sorted(keys):
            try:
                info = self._info(key, self.root / key)
            except FileNotFoundError:
                continue  # deleted since the walk (or a dangling link)
            yield info

    def presign_get(self, key: str, expires_in: int) -> str:
        validate_key(key)
        return self.signer.sign("GET", key, expires_in)

    def presign_put(self, key: str, expires_in: int, content_type: str | None = None) -> str:
        validate_key(key)
        return self.signer.sign("PUT", key, expires_in, content_type)

    def check(self) -> PortCheck:
        fix = "make INTERVIEWKIT_DATA_DIR a writable directory"
        return round_trip_check(self, f"local directory {self.root}", fix)

    # --- multipart uploads (see the module docstring for the layout) -------------------

    def _upload_dir(self, upload_id: str) -> Path:
        if not isinstance(upload_id, str) or not _UPLOAD_ID.match(upload_id):
            raise UploadNotFoundError(upload_id)
        return self.root / _UPLOADS / upload_id

    def _open_upload(self, key: str, upload_id: str) -> Path:
        """The folder of a live upload of ``key``; UploadNotFoundError otherwise."""
        validate_key(key)
        folder = self._upload_dir(upload_id)
        try:
            meta = json.loads((folder / "upload.json").read_text())
        except (OSError, ValueError):
            raise UploadNotFoundError(upload_id) from None
        if meta.get("key") != key:
            raise UploadNotFoundError(upload_id)
        return folder

    def create_multipart(self, key: str, content_type: str | None = None) -> str:
        self._path(key)  # the key must be one put() would accept
        upload_id = uuid.uuid4().hex
        folder = ensure_private_dir(self.root / _UPLOADS / upload_id)
        meta = json.dumps({"key": key, "content_type": content_type}).encode()
        fd, tmp_name = tempfile.mkstemp(prefix=_TMP_PREFIX, dir=folder)
        with os.fdopen(fd, "wb") as handle:
            handle.write(meta)
            handle.flush()
            os.fsync(handle.fileno())
        Path(tmp_name).replace(folder / "upload.json")
        return upload_id

    def presign_part(self, key: str, upload_id: str, number: int, expires_in: int) -> str:
        validate_key(key)
        self._upload_dir(upload_id)
        _check_part_number(number)
        url = urlsplit(self.signer.sign(part_method(upload_id, number), key, expires_in))
        query = dict(parse_qsl(url.query))
        query.update(method="PUT", uploadId=upload_id, partNumber=str(number))
        return urlunsplit(url._replace(query=urlencode(query)))

    def upload_part(self, key: str, upload_id: str, number: int, data: BinaryIO) -> PartInfo:
        """Store one part (what the signed part URL's route calls); a re-sent part replaces.

        The part is hashed while it is written; its file is named after the hash, then any
        older copy of the same part is removed, so a reader sees one copy or the other.
        """
        _check_part_number(number)
        folder = self._open_upload(key, upload_id)
        digest = hashlib.md5(usedforsecurity=False)
        size = 0
        fd, tmp_name = tempfile.mkstemp(prefix=_TMP_PREFIX, dir=folder)
        try:
            with os.fdopen(fd, "wb") as handle:
                while chunk := data.read(_COPY_BYTES):
                    digest.update(chunk)
                    handle.write(chunk)
                    size += len(chunk)
                handle.flush()
                os.fsync(handle.fileno())
            name = f"{number:05d}-{digest.hexdigest()}"
            Path(tmp_name).replace(folder / name)
        except BaseException:
            Path(tmp_name).unlink(missing_ok=True)
            raise
        for old in folder.glob(f"{number:05d}-*"):
            if old.name != name:
                old.unlink(missing_ok=True)
        return PartInfo(number, size, f'"{digest.hexdigest()}"')

    def _parts(self, folder: Path) -> dict[int, tuple[Path, PartInfo]]:
        parts: dict[int, tuple[Path, PartInfo]] = {}
        for path in folder.iterdir():
            match = _PART_FILE.match(path.name)
            if not match:
                continue
            try:
                stat = path.stat()
            except FileNotFoundError:
                continue  # replaced by a re-sent copy since iterdir
            number = int(match.group(1))
            info = PartInfo(number, stat.st_size, f'"{match.group(2)}"')
            current = parts.get(number)
            if current is None or stat.st_mtime_ns > current[0].stat().st_mtime_ns:
                parts[number] = (path, info)
        return parts

    def list_parts(self, key: str, upload_id: str) -> builtins.list[PartInfo]:
        folder = self._open_upload(key, upload_id)
        return [info for _, (_, info) in sorted(self._parts(folder).items())]

    def complete_multipart(
        self, key: str, upload_id: str, parts: builtins.list[PartInfo]
    ) -> ObjectInfo:
        folder = self._open_upload(key, upload_id)
        stored = self._parts(folder)
        chosen = _check_completion(parts, stored)

        def write(handle: IO[bytes]) -> None:
            for number, path in chosen:
                digest = hashlib.md5(usedforsecurity=False)
                with path.open("rb") as part:
                    while chunk := part.read(_COPY_BYTES):
                        digest.update(chunk)
                        handle.write(chunk)
                if f'"{digest.hexdigest()}"' != stored[number][1].etag:
                    raise InvalidUploadError(f"part {number} changed on disk")

        try:
            info = self._publish(key, write)
        except FileNotFoundError:
            raise InvalidUploadError(
                "a part was replaced while completing; list and retry"
            ) from None
        shutil.rmtree(folder, ignore_errors=True)
        _fsync_dir(folder.parent)
        return info

    def abort_multipart(self, key: str, upload_id: str) -> None:
        try:
            folder = self._open_upload(key, upload_id)
        except UploadNotFoundError:
            return
        shutil.rmtree(folder, ignore_errors=True)


def _check_part_number(number: int) -> None:
    if not 1 <= number <= MAX_PART_NUMBER:
        raise InvalidUploadError(f"part numbers run 1-{MAX_PART_NUMBER}, not {number}")


def _check_completion(
    parts: list[PartInfo], stored: dict[int, tuple[Path, PartInfo]]
) -> list[tuple[int, Path]]:
    """The part files to join, as S3 checks them: ascending, present, same ETag, >= 5 MiB.

    Holding the local store to S3's rules means a client that works here works on S3.
    """
    if not parts:
        raise InvalidUploadError("an upload needs at least one part")
    numbers = [part.number for part in parts]
    if numbers != sorted(set(numbers)):
        raise InvalidUploadError("parts must be listed in ascending order, each once")
    chosen: list[tuple[int, Path]] = []
    for index, part in enumerate(parts):
        found = stored.get(part.number)
        if found is None or found[1].etag.strip('"') != part.etag.strip('"'):
            raise InvalidUploadError(f"part {part.number} was not uploaded with that ETag")
        if index < len(parts) - 1 and found[1].size < MIN_PART_BYTES:
            raise InvalidUploadError(f"part {part.number} is smaller than {MIN_PART_BYTES} bytes")
        chosen.append((part.number, found[0]))
    return chosen
