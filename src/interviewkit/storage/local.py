"""Object store on a local directory: the embedded default.

Writes go to a temporary file in the target folder, are fsynced, then renamed over the
key, so a crash leaves either the old object or the new one. Keys are validated and the
resolved path is checked to stay under the root, so no key can reach outside it.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from interviewkit.config import ensure_private_dir
from interviewkit.storage.port import (
    InvalidKeyError,
    ObjectInfo,
    ObjectKeyConflictError,
    ObjectNotFoundError,
    ObjectStoreError,
    PortCheck,
    round_trip_check,
    validate_key,
)
from interviewkit.storage.signing import UrlSigner

_TMP_PREFIX = ".tmp-"
_MKDIR_ATTEMPTS = 5


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
                if isinstance(data, bytes | bytearray | memoryview):
                    handle.write(data)
                else:
                    shutil.copyfileobj(data, handle, 1 << 20)
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
