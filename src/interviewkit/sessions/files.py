"""The files of session workspaces: reads, writes, moves, and recorded edits applied.

Every workspace write locks its session row first (``SELECT … FOR UPDATE`` on PostgreSQL,
``BEGIN IMMEDIATE`` on SQLite), so the file-count and byte quotas kept on the session row
are checked and updated atomically and two writers of one session never interleave.
Large files live in the object store under a fresh key per version; the database row is
written after the object, so an acknowledged write is never half-visible.

:class:`WorkspaceFiles` is the half of :class:`~interviewkit.sessions.service.SessionService`
that deals in files; the other half (``service.py``) deals in sessions: their lifecycle,
their tokens and their lock.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any, Protocol, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from interviewkit.config import Settings
from interviewkit.db import (
    new_id,
    on_commit,
    on_rollback,
    read_connection,
    read_session,
    run_write,
    utcnow,
)
from interviewkit.errors import ProblemError, bad_request, conflict, not_found
from interviewkit.sessions.errors import SessionNotFound
from interviewkit.sessions.models import InterviewSession, SessionFile
from interviewkit.sessions.paths import PathRules, is_under, language_for, normalize_path
from interviewkit.sessions.workspace import FILE_BY_PATH, FileChange, FileMeta, LockedWorkspace
from interviewkit.storage import ObjectNotFoundError, ObjectStore, session_key

T = TypeVar("T")


@dataclass(frozen=True)
class IfMatch:
    """An ``If-Match`` precondition: any version (``*``) or one of a set of versions."""

    versions: frozenset[int] = frozenset()
    any_version: bool = False

    def allows(self, current: int | None) -> bool:
        if current is None:
            return False
        return self.any_version or current in self.versions


@dataclass(frozen=True)
class FileRead:
    file: SessionFile
    content: str


@dataclass
class NewFile:
    path: str
    content: str


SYSTEM_ACTOR = "system"
"""Who the record names for a change the server made itself (starter files, parts)."""


class WorkspaceRecorder(Protocol):
    """Records workspace changes inside the transaction that makes them (the recording)."""

    def record(
        self,
        db: Session,
        session_id: str,
        events: Sequence[dict[str, Any]],
        source: str = SYSTEM_ACTOR,
    ) -> None: ...
    def ended(self, db: Session, session_id: str, status: str) -> None: ...


class WorkspaceFiles:
    """Reads and writes of the files of sessions' workspaces, each write one transaction
    under the session's lock; every change is recorded by ``recorder`` in that transaction."""

    def __init__(
        self,
        factory: sessionmaker[Session],
        store: ObjectStore,
        settings: Settings,
        recorder: WorkspaceRecorder | None = None,
    ) -> None:
        self.factory = factory
        self.store = store
        self.settings = settings
        self.rules = PathRules(
            settings.max_path_bytes, settings.max_path_depth, settings.max_segment_bytes
        )
        self.recorder = recorder

    # ---- sessions and workspace reads -------------------------------------------------

    def get_session(self, session_id: str) -> InterviewSession:
        with read_session(self.factory, single_statement=True) as db:
            return self._session(db, session_id)

    def _session(self, db: Session, session_id: str) -> InterviewSession:
        interview = db.get(InterviewSession, session_id)
        if interview is None:
            raise SessionNotFound(session_id)
        return interview

    def normalize(self, path: str) -> str:
        return normalize_path(path, self.rules)

    def list_files(self, session_id: str) -> tuple[InterviewSession, list[SessionFile]]:
        with read_session(self.factory) as db:
            interview = self._session(db, session_id)
            return interview, self._files(db, session_id)

    def workspace_snapshot(self, session_id: str) -> tuple[InterviewSession, dict[str, str]]:
        """Every file of the workspace with its content, for a code run."""
        interview, rows = self.list_files(session_id)
        return interview, {row.path: self._content_of(row) for row in rows}

    def workspace_in(self, db: Session, session_id: str) -> dict[str, str]:
        """The workspace as the caller's transaction sees it (the recording's first keyframe
        is written in the transaction that creates the files)."""
        return {row.path: self._content_of(row) for row in self._files(db, session_id)}

    @staticmethod
    def _files(db: Session, session_id: str) -> list[SessionFile]:
        query = select(SessionFile).where(SessionFile.session_id == session_id)
        return list(db.scalars(query.order_by(SessionFile.path)))

    def read_file(self, session_id: str, path: str) -> FileRead:
        """The hottest route of all: one indexed SELECT through Core, no ORM session."""
        path = self.normalize(path)
        with read_connection(self.factory) as connection:
            params = {"session_id": session_id, "path": path}
            found = connection.execute(FILE_BY_PATH, params).one_or_none()
        if found is None:
            self.get_session(session_id)
            raise not_found("file_not_found", f"no file {path!r} in session {session_id}")
        record = SessionFile(**found._mapping)  # transient: never added to a session
        return FileRead(record, self._content_of(record))

    def _content_of(self, row: SessionFile) -> str:
        if row.storage_key is None:
            return row.content or ""
        try:
            return self.store.get(row.storage_key).decode("utf-8")
        except ObjectNotFoundError:
            raise ProblemError(
                500, "file_content_missing", f"the stored content of {row.path!r} is missing"
            ) from None

    def sweep_orphan_blobs(self, older_than: timedelta = timedelta(hours=1)) -> list[str]:
        """Delete file blobs that no row points at: left by a crash between writing a large
        file's object and committing its row, or by a failed post-commit delete.

        Only blobs older than ``older_than`` go, so a write in flight (object stored, row
        not yet committed) keeps its blob. Returns the deleted keys.
        """
        cutoff = utcnow() - older_than
        with read_session(self.factory) as db:
            query = select(SessionFile.storage_key).where(SessionFile.storage_key.is_not(None))
            referenced = set(db.scalars(query))
        orphans = [
            info.key
            for info in self.store.list("interview-sessions/")
            if "/files/blob_" in info.key
            and info.key not in referenced
            and (info.modified is None or info.modified < cutoff)
        ]
        for key in orphans:
            self.store.delete(key)
        return orphans

    # ---- workspace writes --------------------------------------------------------------

    def create_file(
        self, session_id: str, path: str, content: str, *, actor: str = SYSTEM_ACTOR
    ) -> SessionFile:
        path = self.normalize(path)
        payload = self._check_content(content)

        def create(workspace: LockedWorkspace, now: datetime) -> SessionFile:
            row = self._put(workspace, path, payload, None, now)
            event = written_event(path, content, row.version)
            self._record(workspace.db, session_id, [event], actor)
            return row

        return self._write(session_id, create)

    def write_file(
        self,
        session_id: str,
        path: str,
        content: str,
        *,
        if_match: IfMatch | None = None,
        create_only: bool = False,
        actor: str = SYSTEM_ACTOR,
    ) -> tuple[SessionFile, bool]:
        """Create or replace a file; returns the row and whether it was created."""
        path = self.normalize(path)
        payload = self._check_content(content)

        def write(workspace: LockedWorkspace, now: datetime) -> tuple[SessionFile, bool]:
            existing = workspace.file(path)
            if if_match is not None and not if_match.allows(existing.version if existing else None):
                raise _stale(path, existing)
            if create_only and existing is not None:
                raise ProblemError(
                    412,
                    "file_exists",
                    f"{path!r} exists (If-None-Match: *)",
                    version=existing.version,
                )
            row = self._put(workspace, path, payload, existing, now)
            event = written_event(path, content, row.version)
            self._record(workspace.db, session_id, [event], actor)
            return row, existing is None

        return self._write(session_id, write)

    def delete_file(
        self,
        session_id: str,
        path: str,
        *,
        if_match: IfMatch | None = None,
        recursive: bool = False,
        actor: str = SYSTEM_ACTOR,
    ) -> int:
        """Delete a file, or with ``recursive`` a folder; returns how many files went."""
        path = self.normalize(path)

        def remove(workspace: LockedWorkspace, now: datetime) -> int:
            existing = workspace.file(path)
            if if_match is not None and not if_match.allows(existing.version if existing else None):
                raise _stale(path, existing)
            if existing is not None:
                doomed = [existing]
            else:
                doomed = workspace.files_under(path)
                if not doomed:
                    raise not_found("file_not_found", f"no file {path!r} in session {session_id}")
                if not recursive:
                    raise conflict(
                        "folder_not_empty",
                        f"{path!r} is a folder of {len(doomed)} files; add ?recursive=true",
                    )
            self._remove(workspace, doomed)
            deleted = [{"type": "file_deleted", "file": row.path} for row in doomed]
            self._record(workspace.db, session_id, deleted, actor)
            return len(doomed)

        return self._write(session_id, remove)

    def move(
        self,
        session_id: str,
        source: str,
        target: str,
        *,
        overwrite: bool = False,
        actor: str = SYSTEM_ACTOR,
    ) -> list[SessionFile]:
        """Rename a file or a whole folder; returns the moved files at their new paths."""
        source, target = self.normalize(source), self.normalize(target)
        if source == target:
            raise bad_request("invalid_move", "source and target are the same path")
        if is_under(target, source):
            raise bad_request("invalid_move", "a folder cannot move into itself")

        def rename(workspace: LockedWorkspace, now: datetime) -> list[SessionFile]:
            single = workspace.file(source)
            moving = [single] if single else workspace.files_under(source)
            if not moving:
                raise not_found("file_not_found", f"no file or folder {source!r}")
            new_paths = {row.id: target + row.path[len(source) :] for row in moving}
            renames = {row.path: new_paths[row.id] for row in moving}
            self._remove(workspace, self._files_in_the_way(workspace, renames, overwrite))
            moved = [{"type": "file_moved", "file": source, "to": target}]
            self._record(workspace.db, session_id, moved, actor)
            # two steps, so that no rename collides with a path another rename frees
            for row in moving:
                workspace.update(row, {"path": f"//moving/{row.id}"})
            return [
                workspace.update(
                    row,
                    {
                        "path": new_paths[row.id],
                        "language": language_for(new_paths[row.id]),
                        "version": row.version + 1,
                        "updated_at": now,
                    },
                )
                for row in moving
            ]

        return self._write(session_id, rename)

    def _files_in_the_way(
        self, workspace: LockedWorkspace, renames: dict[str, str], overwrite: bool
    ) -> list[SessionFile]:
        """Check that every new path is free; with ``overwrite`` a file at it may go."""
        in_the_way: list[SessionFile] = []
        for new_path in renames.values():
            blocker = workspace.blocker(new_path, ignore=renames)
            if blocker is None:
                continue
            if not overwrite or blocker.path != new_path:
                raise conflict(
                    "path_conflict", f"{new_path!r} is taken by {blocker.path!r}", path=blocker.path
                )
            in_the_way.append(blocker)
        return in_the_way

    def _remove(self, workspace: LockedWorkspace, files: Sequence[SessionFile | FileMeta]) -> None:
        workspace.delete(files)
        workspace.file_count -= len(files)
        workspace.workspace_bytes -= sum(row.size for row in files)
        self._drop_blobs_on_commit(workspace.db, [row.storage_key for row in files])

    def apply_recorded(
        self,
        workspace: LockedWorkspace,
        rows: Mapping[str, FileMeta],
        final: Mapping[str, FileChange],
        contents: Mapping[str, str],
        now: datetime,
    ) -> None:
        """Make the workspace rows ``final``: the files as a batch of recorded client
        events (edits, creates, deletes, moves) leaves them, in the transaction that
        stores those events, so the workspace always equals the replay of its log.

        The recording checked each event like the files API checks a write (paths,
        versions, conflicts, quotas); here each touched file is written once per batch.
        """
        kept = {change.row.id for change in final.values() if change.row is not None}
        self._remove(workspace, [row for row in rows.values() if row.id not in kept])
        moved = [
            change.row
            for path, change in final.items()
            if change.row is not None and change.row.path != path
        ]
        for row in moved:  # two steps, as in move: no rename collides with a freed path
            workspace.update(row, {"path": f"//moving/{row.id}"})
        moved_ids = {row.id for row in moved}
        for path, change in final.items():
            if change.row is not None and not change.changed and change.row.id not in moved_ids:
                continue
            values: dict[str, Any] = {"version": change.version, "updated_at": now}
            if change.row is None or change.changed:
                payload = contents[path].encode("utf-8")
                storage_key = self._store_blob(workspace, payload)
                values |= {
                    "content": None if storage_key else contents[path],
                    "storage_key": storage_key,
                    "size": len(payload),
                    "sha256": hashlib.sha256(payload).hexdigest(),
                }
            if change.row is None:
                workspace.file_count += 1
                workspace.workspace_bytes += values["size"]
                values |= {"path": path, "language": language_for(path), "created_at": now}
                workspace.insert(values)
                continue
            if change.changed:
                workspace.workspace_bytes += values["size"] - change.row.size
                self._drop_blobs_on_commit(workspace.db, [change.row.storage_key])
            if change.row.id in moved_ids:
                values |= {"path": path, "language": language_for(path)}
            workspace.update(change.row, values)
        workspace.save(now)

    # ---- helpers -----------------------------------------------------------------------

    def _write(self, session_id: str, work: Callable[[LockedWorkspace, datetime], T]) -> T:
        """Run ``work`` in a write transaction holding the lock of one active session,
        then save the session's counters and its time of change."""

        def unit(db: Session) -> T:
            workspace, now = LockedWorkspace.lock(db, session_id), utcnow()
            result = work(workspace, now)
            workspace.save(now)
            return result

        return run_write(self.factory, unit)

    def _record(
        self,
        db: Session,
        session_id: str,
        events: Sequence[dict[str, Any]],
        actor: str = SYSTEM_ACTOR,
    ) -> None:
        if self.recorder is not None:
            self.recorder.record(db, session_id, events, actor)

    def _drop_blobs_on_commit(self, db: Session, keys: Iterable[str | None]) -> None:
        """Once the commit makes them unreachable, remove these blobs."""
        for key in keys:
            if key:
                on_commit(db, partial(self.store.delete, key))

    def _check_content(self, content: str) -> bytes:
        try:
            payload = content.encode("utf-8")
        except UnicodeEncodeError:
            raise ProblemError(415, "binary_content", "file content must be UTF-8 text") from None
        if b"\x00" in payload:
            raise ProblemError(415, "binary_content", "file content must be text (found NUL)")
        if len(payload) > self.settings.max_file_bytes:
            raise ProblemError(
                413,
                "file_too_large",
                f"file is {len(payload)} bytes; the limit is {self.settings.max_file_bytes}",
                limit=self.settings.max_file_bytes,
            )
        return payload

    def _put(
        self,
        workspace: LockedWorkspace,
        path: str,
        payload: bytes,
        existing: SessionFile | None,
        now: datetime,
    ) -> SessionFile:
        """Insert or replace one file inside an open write transaction."""
        if existing is None:
            blocker = workspace.blocker(path)
            if blocker is not None and blocker.path == path:
                raise conflict("file_exists", f"{path!r} already exists", version=blocker.version)
            if blocker is not None:
                raise conflict(
                    "path_conflict", f"{path!r} conflicts with {blocker.path!r}", path=blocker.path
                )
        added_files = 0 if existing else 1
        added_bytes = len(payload) - (existing.size if existing else 0)
        self._check_quota(workspace, added_files, added_bytes)
        storage_key = self._store_blob(workspace, payload)
        values = {
            "content": None if storage_key else payload.decode("utf-8"),
            "storage_key": storage_key,
            "size": len(payload),
            "sha256": hashlib.sha256(payload).hexdigest(),
            "language": language_for(path),
            "updated_at": now,
        }
        workspace.file_count += added_files
        workspace.workspace_bytes += added_bytes
        if existing is None:
            return workspace.insert({"path": path, "version": 1, "created_at": now, **values})
        self._drop_blobs_on_commit(workspace.db, [existing.storage_key])
        return workspace.update(existing, {"version": existing.version + 1, **values})

    def _check_quota(self, workspace: LockedWorkspace, files: int, size: int) -> None:
        settings = self.settings
        if workspace.file_count + files > settings.max_files_per_session:
            raise conflict(
                "too_many_files",
                f"a session holds at most {settings.max_files_per_session} files",
                limit=settings.max_files_per_session,
            )
        if workspace.workspace_bytes + size > settings.max_workspace_bytes:
            raise ProblemError(
                413,
                "workspace_too_large",
                f"the workspace would exceed {settings.max_workspace_bytes} bytes",
                limit=settings.max_workspace_bytes,
            )

    def _store_blob(self, workspace: LockedWorkspace, payload: bytes) -> str | None:
        if len(payload) <= self.settings.inline_content_max_bytes:
            return None
        key = session_key(workspace.session_id, workspace.created_at, "files", new_id("blob"))
        self.store.put(key, payload, "text/plain; charset=utf-8")
        on_rollback(workspace.db, partial(self.store.delete, key))
        return key


def written_event(path: str, content: str, version: int | None = None) -> dict[str, Any]:
    """A whole-file write, with the file's version after it (for live clients)."""
    event: dict[str, Any] = {"type": "file_written", "file": path, "content": content}
    if version is not None:
        event["version"] = version
    return event


def _stale(path: str, existing: SessionFile | None) -> ProblemError:
    current = existing.version if existing else None
    return ProblemError(
        412,
        "version_mismatch",
        f"{path!r} is at version {current}; reload it before writing"
        if current
        else f"{path!r} does not exist",
        current_version=current,
    )


def file_tree(files: Sequence[SessionFile]) -> dict[str, Any]:
    """Nest a flat, path-sorted file list into folders with aggregated sizes."""
    root: dict[str, Any] = {"name": "", "path": "/", "type": "folder", "size": 0, "children": []}
    folders: dict[str, dict[str, Any]] = {"/": root}
    for row in files:
        parent = root
        parts = row.path.split("/")[1:]
        for depth in range(1, len(parts)):
            folder_path = "/" + "/".join(parts[:depth])
            folder = folders.get(folder_path)
            if folder is None:
                folder = {
                    "name": parts[depth - 1],
                    "path": folder_path,
                    "type": "folder",
                    "size": 0,
                    "children": [],
                }
                folders[folder_path] = folder
                parent["children"].append(folder)
            parent = folder
        parent["children"].append(
            {"name": parts[-1], "path": row.path, "type": "file", "size": row.size}
        )
        for depth in range(len(parts)):
            folders["/" + "/".join(parts[:depth]) if depth else "/"]["size"] += row.size
    return root
