"""Sessions and their workspaces: the domain logic, free of HTTP.

Every workspace write locks its session row first (``SELECT … FOR UPDATE`` on PostgreSQL,
``BEGIN IMMEDIATE`` on SQLite), so the file-count and byte quotas kept on the session row
are checked and updated atomically and two writers of one session never interleave.
Large files live in the object store under a fresh key per version; the database row is
written after the object, so an acknowledged write is never half-visible.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any, Literal, Protocol, TypeVar

from sqlalchemy import Select, and_, bindparam, func, or_, select
from sqlalchemy.orm import Session, object_session, sessionmaker

from interviewkit.auth.service import TokenAccess
from interviewkit.config import Settings
from interviewkit.db import (
    ID_PATTERN,
    new_id,
    on_commit,
    on_rollback,
    read_connection,
    read_session,
    run_write,
    utcnow,
)
from interviewkit.errors import ProblemError, bad_request, conflict, not_found
from interviewkit.sessions.models import InterviewSession, SessionFile, SessionStatus
from interviewkit.sessions.paths import PathRules, is_under, language_for, normalize_path
from interviewkit.sessions.workspace import FILE_BY_PATH, FileChange, LockedWorkspace
from interviewkit.storage import ObjectNotFoundError, ObjectStore, session_key

EndStatus = Literal["completed", "terminated", "expired"]
T = TypeVar("T")


_TOKEN_STATE = select(InterviewSession.status, InterviewSession.token_generation).where(
    InterviewSession.id == bindparam("session_id")
)
_TOKEN_STATE_LIMIT = 10_000


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
class SessionPage:
    items: list[InterviewSession]
    next_cursor: str | None


@dataclass
class NewFile:
    path: str
    content: str


@dataclass
class SessionDraft:
    template_id: str | None = None
    problem_id: str | None = None
    candidate_name: str | None = None
    candidate_email: str | None = None
    config: dict[str, Any] = field(default_factory=dict)
    files: list[NewFile] = field(default_factory=list)


UNSET: Any = object()


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


class SessionService:
    def __init__(
        self, factory: sessionmaker[Session], store: ObjectStore, settings: Settings
    ) -> None:
        self.factory = factory
        self.store = store
        self.settings = settings
        self.rules = PathRules(
            settings.max_path_bytes, settings.max_path_depth, settings.max_segment_bytes
        )
        self.recorder: WorkspaceRecorder | None = None
        # session id -> (trusted until, state) for candidate tokens; see token_access
        self._token_states: dict[str, tuple[float, TokenAccess]] = {}
        self._token_forgets = 0  # bumped by every forget: a lookup older than it is not kept
        self._token_lock = threading.Lock()

    # ---- sessions ----------------------------------------------------------------------

    def create_session(
        self,
        draft: SessionDraft,
        also: Callable[[Session, InterviewSession], None] | None = None,
    ) -> InterviewSession:
        """Create the session and its files; ``also`` adds rows in the same transaction."""
        self._check_config(draft.config)
        now = utcnow()
        values: dict[str, Any] = {
            "id": new_id("ses"),
            "template_id": draft.template_id,
            "problem_id": draft.problem_id,
            "candidate_name": draft.candidate_name,
            "candidate_email": draft.candidate_email,
            "status": SessionStatus.active.value,
            "config": draft.config,
            "file_count": 0,
            "workspace_bytes": 0,
            "created_at": now,
            "updated_at": now,
            "ended_at": None,
            "deadline_at": deadline_of(now, draft.config),
        }
        files = [(self.normalize(item.path), item.content) for item in draft.files]
        if len({path for path, _ in files}) != len(files):
            raise bad_request("duplicate_path", "the same path appears twice in files")
        payloads = [(path, self._check_content(content)) for path, content in files]

        def create(db: Session) -> InterviewSession:
            workspace = LockedWorkspace.create(db, values)
            for path, payload in payloads:
                self._put(workspace, path, payload, None, now)
            workspace.save(now)
            counters = {
                "file_count": workspace.file_count,
                "workspace_bytes": workspace.workspace_bytes,
            }
            created = InterviewSession(**values | counters)
            self._record(db, created.id, [])  # the first keyframe: the workspace as it starts
            if also is not None:
                also(db, created)
            return created

        return run_write(self.factory, create)

    def get_session(self, session_id: str) -> InterviewSession:
        with read_session(self.factory, single_statement=True) as db:
            return self._session(db, session_id)

    def list_sessions(
        self,
        *,
        status: SessionStatus | None = None,
        candidate: str | None = None,
        limit: int = 20,
        cursor: str | None = None,
    ) -> SessionPage:
        query: Select[InterviewSession] = select(InterviewSession)
        if status is not None:
            query = query.where(InterviewSession.status == status)
        if candidate:
            pattern = "%" + candidate.lower().replace("\\", "\\\\").replace("%", "\\%") + "%"
            pattern = pattern.replace("_", "\\_")
            query = query.where(
                or_(
                    func.lower(InterviewSession.candidate_name).like(pattern, escape="\\"),
                    func.lower(InterviewSession.candidate_email).like(pattern, escape="\\"),
                )
            )
        if cursor:
            created, session_id = _decode_cursor(cursor)
            query = query.where(
                or_(
                    InterviewSession.created_at < created,
                    and_(InterviewSession.created_at == created, InterviewSession.id < session_id),
                )
            )
        query = query.order_by(InterviewSession.created_at.desc(), InterviewSession.id.desc())
        with read_session(self.factory) as db:
            rows = list(db.scalars(query.limit(limit + 1)))
        next_cursor = _encode_cursor(rows[limit - 1]) if len(rows) > limit else None
        return SessionPage(rows[:limit], next_cursor)

    def update_session(
        self,
        session_id: str,
        *,
        candidate_name: str | None = UNSET,
        candidate_email: str | None = UNSET,
        config: dict[str, Any] = UNSET,
        status: SessionStatus = UNSET,
    ) -> InterviewSession:
        """Change the given fields; ``config`` is a JSON merge patch (RFC 7386) applied to
        the stored config under the session's lock, so two PATCHes of different keys
        both land and a key no one named is never lost."""

        def update(db: Session) -> InterviewSession:
            interview = self._locked_session(db, session_id)
            if candidate_name is not UNSET:
                interview.candidate_name = candidate_name
            if candidate_email is not UNSET:
                interview.candidate_email = candidate_email
            if config is not UNSET:
                interview.config = self._check_config(merge_patch(interview.config or {}, config))
                interview.deadline_at = deadline_of(interview.created_at, interview.config)
            if status is not UNSET and status != interview.status:
                self._transition(interview, status)
                if self.recorder is not None:
                    self.recorder.ended(db, session_id, status)
            interview.updated_at = utcnow()
            return interview

        return run_write(self.factory, update)

    def end_session(self, session_id: str, status: EndStatus = "completed") -> InterviewSession:
        """End a session; ending an ended session again changes nothing (idempotent)."""
        return run_write(self.factory, lambda db: self.end_in(db, session_id, status))

    def end_in(self, db: Session, session_id: str, status: EndStatus) -> InterviewSession:
        """End a session inside the caller's transaction (an attempt completes, time runs
        out: the session ends in the same commit); idempotent like :meth:`end_session`."""
        interview = self._locked_session(db, session_id)
        if interview.is_active:
            self._transition(interview, SessionStatus(status))
            if self.recorder is not None:
                self.recorder.ended(db, session_id, status)
        return interview

    def expired_sessions(self, limit: int = 100) -> list[str]:
        """Active sessions whose time limit has elapsed, oldest deadline first (the sweeper)."""
        query = (
            select(InterviewSession.id)
            .where(
                InterviewSession.status == SessionStatus.active,
                InterviewSession.deadline_at <= utcnow(),
            )
            .order_by(InterviewSession.deadline_at)
            .limit(limit)
        )
        with read_session(self.factory) as db:
            return list(db.scalars(query))

    def change(
        self,
        session_id: str,
        work: Callable[[LockedWorkspace, datetime], T],
        files: Sequence[NewFile] = (),
    ) -> T:
        """A server-side change of an active session in one transaction: ``work`` runs
        under the session's lock, then each of ``files`` not in the workspace yet is added
        (and recorded), as a move to a template's next part adds its starter file."""
        payloads = [
            (self.normalize(item.path), item.content, self._check_content(item.content))
            for item in files
        ]

        def unit(workspace: LockedWorkspace, now: datetime) -> T:
            result = work(workspace, now)
            for path, content, payload in payloads:
                if workspace.blocker(path) is None:
                    self._put(workspace, path, payload, None, now)
                    self._record(workspace.db, session_id, [_written(path, content)])
            return result

        return self._write(session_id, unit)

    def _transition(self, interview: InterviewSession, status: SessionStatus) -> None:
        if not interview.is_active:
            raise conflict(
                "invalid_status_transition",
                f"session is {interview.status}; an ended session cannot change status",
            )
        interview.status = status
        if status != SessionStatus.active:
            interview.ended_at = utcnow()
        db = object_session(interview)
        if db is not None:  # once ended for good, its candidate tokens stop at once
            on_commit(db, partial(self._forget_token_state, interview.id))

    # ---- what candidate tokens may do (the auth domain's TokenGate) --------------------

    def invite(self, session_id: str, *, revoke_previous: bool = False) -> int:
        """The token generation a new invitation carries (409 once the session ended).

        With ``revoke_previous`` the session moves to a new generation, so every token
        minted before this one stops working.
        """

        def issue(db: Session) -> int:
            interview = self._locked_session(db, session_id)
            if not interview.is_active:
                raise conflict(
                    "session_ended", f"session is {interview.status}; no new invitations"
                )
            if revoke_previous:
                interview.token_generation += 1
                on_commit(db, partial(self._forget_token_state, session_id))
            return interview.token_generation

        return run_write(self.factory, issue)

    def cached_token_access(self, session_id: str) -> TokenAccess | None:
        """The session's state for its tokens when fresh in memory; never does I/O."""
        cached = self._token_states.get(session_id)
        if cached is not None and cached[0] > time.monotonic():
            return cached[1]
        return None

    def token_access(self, session_id: str) -> TokenAccess | None:
        """Whether the session is open and which token generation it accepts; None when
        there is no such session. Kept ``candidate_token_cache_seconds``, so a session
        ended by another process refuses its tokens within that time (this process
        forgets the state when it ends a session or revokes tokens)."""
        cached = self.cached_token_access(session_id)
        if cached is not None:
            return cached
        started, forgets = time.monotonic(), self._token_forgets
        with read_connection(self.factory) as connection:
            found = connection.execute(_TOKEN_STATE, {"session_id": session_id}).one_or_none()
        if found is None:
            return None
        access = TokenAccess(found.status == SessionStatus.active, found.token_generation)
        with self._token_lock:
            if forgets == self._token_forgets:  # no end or revocation raced this read
                if len(self._token_states) >= _TOKEN_STATE_LIMIT:
                    self._token_states.clear()
                expires = started + self.settings.candidate_token_cache_seconds
                self._token_states[session_id] = (expires, access)
        return access

    def _forget_token_state(self, session_id: str) -> None:
        with self._token_lock:
            self._token_forgets += 1
            self._token_states.pop(session_id, None)

    def _session(self, db: Session, session_id: str) -> InterviewSession:
        interview = db.get(InterviewSession, session_id)
        if interview is None:
            raise not_found("session_not_found", f"no session {session_id!r}")
        return interview

    def _locked_session(self, db: Session, session_id: str) -> InterviewSession:
        query = select(InterviewSession).where(InterviewSession.id == session_id)
        interview = db.scalars(query.with_for_update()).one_or_none()
        if interview is None:
            raise not_found("session_not_found", f"no session {session_id!r}")
        return interview

    # ---- workspace reads ---------------------------------------------------------------

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
            self._record(workspace.db, session_id, [_written(path, content)], actor)
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
            self._record(workspace.db, session_id, [_written(path, content)], actor)
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

    def _remove(self, workspace: LockedWorkspace, files: list[SessionFile]) -> None:
        workspace.delete(files)
        workspace.file_count -= len(files)
        workspace.workspace_bytes -= sum(row.size for row in files)
        self._drop_blobs_on_commit(workspace.db, [row.storage_key for row in files])

    def apply_recorded(
        self,
        workspace: LockedWorkspace,
        rows: Mapping[str, SessionFile],
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

    def _check_config(self, config: dict[str, Any]) -> dict[str, Any]:
        minutes = config.get("time_limit_minutes")
        most = self.settings.max_time_limit_minutes
        if minutes is not None and (
            isinstance(minutes, bool)
            or not isinstance(minutes, int | float)
            or not 0 < minutes <= most
        ):
            raise ProblemError(
                422,
                "invalid_time_limit",
                f"config.time_limit_minutes must be a number above 0 and at most {most:g}",
                limit=most,
            )
        try:
            size = len(json.dumps(config, ensure_ascii=False).encode("utf-8"))
        except UnicodeEncodeError:
            raise ProblemError(422, "validation_error", "config holds invalid Unicode") from None
        limit = self.settings.max_session_config_bytes
        if size > limit:
            raise ProblemError(
                413,
                "config_too_large",
                f"config is {size} bytes; the limit is {limit}",
                limit=limit,
            )
        return config

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


def merge_patch(target: Any, patch: Any) -> Any:
    """``target`` with the JSON merge patch ``patch`` applied (RFC 7386, section 2).

    An object patch merges key by key, recursively, and a ``null`` value deletes its key;
    anything else (an array, a string, a number) replaces the target whole. Neither
    argument is modified: the result is a new value (the ORM only saves a JSON column
    that is assigned a new object).
    """
    if not isinstance(patch, dict):
        return patch
    merged = dict(target) if isinstance(target, dict) else {}
    for name, value in patch.items():
        if value is None:
            merged.pop(name, None)
        else:
            merged[name] = merge_patch(merged.get(name), value)
    return merged


def deadline_of(start: datetime, config: Mapping[str, Any]) -> datetime | None:
    """When a session's time runs out: ``start`` plus ``config.time_limit_minutes``
    (fractions allowed: 0.05 is three seconds); None without a limit."""
    minutes = config.get("time_limit_minutes")
    if isinstance(minutes, bool) or not isinstance(minutes, int | float) or minutes <= 0:
        return None
    return start + timedelta(minutes=minutes)


def _written(path: str, content: str) -> dict[str, Any]:
    return {"type": "file_written", "file": path, "content": content}


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


def _encode_cursor(row: InterviewSession) -> str:
    raw = f"{row.created_at.isoformat()}|{row.id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        created, session_id = raw.split("|", 1)
        if not re.fullmatch(ID_PATTERN, session_id):
            raise ValueError("malformed id")
        moment = datetime.fromisoformat(created)
        if moment.tzinfo is None:
            raise ValueError("naive time")
        # in UTC, as stored: a moment near year 1 or 9999 with an offset is out of range
        return moment.astimezone(UTC), session_id
    except (ValueError, OverflowError, binascii.Error, UnicodeDecodeError):
        raise bad_request("invalid_cursor", "the pagination cursor is malformed") from None


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
