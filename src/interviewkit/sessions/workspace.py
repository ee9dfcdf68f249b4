"""A workspace locked for writing, and its statements in SQLAlchemy Core.

Editors autosave, so file writes are the most frequent write of the platform. Through
the ORM (load two entities, track them, flush a unit of work) a write cost about three
times what these few statements cost, and on SQLite every write holds the single writer
lock for that long, so the statements are written out here (see bench/api_bench.py).
File rows travel as transient ``SessionFile`` objects that never join an ORM session.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar, cast

from sqlalchemy import (
    Connection,
    Executable,
    Table,
    and_,
    bindparam,
    delete,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Session

from interviewkit.db import Prepared, utcnow
from interviewkit.sessions.errors import SessionEnded, SessionExpired, SessionNotFound
from interviewkit.sessions.models import InterviewSession, SessionFile, SessionStatus

SESSIONS = cast(Table, InterviewSession.__table__)
FILES = cast(Table, SessionFile.__table__)


# Statements are built once: building a Core expression and its cache key on every call
# cost more than executing it.
_LOCK = (
    select(SESSIONS.c.status, SESSIONS.c.created_at, SESSIONS.c.file_count)
    .add_columns(SESSIONS.c.workspace_bytes, SESSIONS.c.deadline_at)
    .where(SESSIONS.c.id == bindparam("session_id"))
    .with_for_update()
)
_IN_SESSION = FILES.c.session_id == bindparam("session_id")
_UNDER = and_(FILES.c.path >= bindparam("low"), FILES.c.path < bindparam("high"))
FILE_BY_PATH = select(FILES).where(_IN_SESSION, FILES.c.path == bindparam("path"))
_FILES_UNDER = select(FILES).where(_IN_SESSION, _UNDER).order_by(FILES.c.path)
_META_COLUMNS = (
    FILES.c.id,
    FILES.c.path,
    FILES.c.version,
    FILES.c.size,
    FILES.c.storage_key,
    FILES.c.created_at,
)
_METADATA = Prepared(select(*_META_COLUMNS).where(_IN_SESSION))
_METADATA_OF = Prepared(
    select(*_META_COLUMNS).where(_IN_SESSION, FILES.c.path == bindparam("path"))
)
# the hot path of every recorded edit runs these on the driver directly (see Prepared)
_LOCK_NOW = Prepared(_LOCK)
_UPDATE_NOW = Prepared(update(FILES).where(FILES.c.id == bindparam("file_id")))
_SAVE_NOW = Prepared(update(SESSIONS).where(SESSIONS.c.id == bindparam("session_id")))
_BLOCKERS = (
    select(FILES)
    .where(_IN_SESSION, or_(FILES.c.path.in_(bindparam("paths", expanding=True)), _UNDER))
    .limit(bindparam("limit"))
)
_INSERT = insert(FILES)
_DELETE = delete(FILES).where(FILES.c.id.in_(bindparam("ids", expanding=True)))
_INSERT_SESSION = insert(SESSIONS)


def past_deadline(deadline: datetime | None) -> bool:
    """Whether a session's time limit has elapsed (``deadline_at`` is None: no limit)."""
    return deadline is not None and deadline <= utcnow()


def expired_error(session_id: str) -> SessionExpired:
    return SessionExpired(session_id)


STARTED = "session_started_at"
"""Key of ``Session.info`` where a lock leaves each session's start (immutable), so other
domains writing in the same transaction need not read the row again."""


def under(folder: str) -> dict[str, str]:
    """Bounds of the paths strictly inside ``folder``: a range scan of the path index."""
    return {"low": folder + "/", "high": folder + "0"}  # '0' is the character after '/'


def ancestors_and_self(path: str) -> list[str]:
    parts = path.split("/")[1:]
    return ["/" + "/".join(parts[: depth + 1]) for depth in range(len(parts))]


@dataclass
class FileMeta:
    """A file row without its content: what recorded edits check and write back (a plain
    object, since building an ORM instance per row cost more than reading it). Like a
    row, :meth:`LockedWorkspace.update` sets what it writes on it."""

    id: int
    path: str
    version: int
    size: int
    storage_key: str | None
    created_at: datetime


Row = TypeVar("Row", SessionFile, FileMeta)


@dataclass(frozen=True)
class _LockRow:
    status: str
    created_at: datetime
    file_count: int
    workspace_bytes: int
    deadline_at: datetime | None


@dataclass(frozen=True)
class FileChange:
    """A file as a batch of recorded edits leaves it (its content is the recording's)."""

    row: FileMeta | None
    """The stored row it continues (moved or edited), or None for a new file."""
    version: int
    changed: bool
    """Whether its content differs from the row's."""


@dataclass
class LockedWorkspace:
    """One active session's workspace inside a write transaction that holds its lock.

    The file count and byte total are read under the lock and written back by
    :meth:`save`, so quota checks against them cannot race.
    """

    db: Session
    connection: Connection
    session_id: str
    created_at: datetime
    file_count: int
    workspace_bytes: int
    status: str = SessionStatus.active.value

    @property
    def is_active(self) -> bool:
        return self.status == SessionStatus.active

    def closed_error(self, what: str = "its workspace is read-only") -> SessionEnded:
        """Why a client may not write to this (locked with ``allow_ended``) session: 409
        ``session_expired`` once its time ran out, else ``session_ended``."""
        if self.status == SessionStatus.expired:
            return SessionExpired(self.session_id)
        return SessionEnded(self.status, what)

    @classmethod
    def lock(
        cls, db: Session, session_id: str, *, allow_ended: bool = False, server: bool = False
    ) -> LockedWorkspace:
        """Lock the session row (FOR UPDATE; SQLite's writer lock is held already).

        ``allow_ended`` locks an ended session too (staff annotate a finished interview);
        its workspace stays read-only, which the caller checks through :attr:`is_active`.
        ``server`` lets server events (the verdict of the last submission) land between the
        deadline and the sweeper's end of the session; everyone else gets 409
        ``session_expired`` from the deadline's first instant.
        """
        connection = db.connection()
        found = _LOCK_NOW.rows(connection, {"session_id": session_id})
        if not found:
            raise SessionNotFound(session_id)
        row = _LockRow(*found[0])
        if row.status != SessionStatus.active and not allow_ended:
            raise SessionEnded(row.status, "its workspace is read-only")
        status = str(row.status)
        if status == SessionStatus.active and past_deadline(row.deadline_at):
            # the time limit holds from its first instant, whether or not the sweeper has
            # ended the session yet: what was saved before it is the final state
            if not (allow_ended or server):
                raise SessionExpired(session_id)
            status = SessionStatus.expired.value
        db.info.setdefault(STARTED, {})[session_id] = row.created_at
        return cls(
            db,
            connection,
            session_id,
            row.created_at,
            row.file_count,
            row.workspace_bytes,
            status,
        )

    @classmethod
    def create(cls, db: Session, session: dict[str, Any]) -> LockedWorkspace:
        """Insert a new session row: no one else can see it before the commit."""
        connection = db.connection()
        connection.execute(_INSERT_SESSION, session)
        db.info.setdefault(STARTED, {})[session["id"]] = session["created_at"]
        return cls(db, connection, session["id"], session["created_at"], 0, 0)

    def _files(self, statement: Executable, **params: Any) -> list[SessionFile]:
        rows = self.connection.execute(statement, {"session_id": self.session_id, **params})
        return [SessionFile(**row._mapping) for row in rows]

    def file(self, path: str) -> SessionFile | None:
        found = self._files(FILE_BY_PATH, path=path)
        return found[0] if found else None

    def metadata(self, paths: Iterable[str] | None = None) -> dict[str, FileMeta]:
        """Every file of the workspace by path (or only those at ``paths``), without
        content: what a batch of recorded events checks, whose contents the recording
        already holds. A batch of edits reads only the files it edits."""
        params = {"session_id": self.session_id}
        if paths is None:
            found = _METADATA.rows(self.connection, params)
        else:
            found = [
                row
                for path in paths
                for row in _METADATA_OF.rows(self.connection, params | {"path": path})
            ]
        return {row[1]: FileMeta(*row) for row in found}

    def files_under(self, folder: str) -> list[SessionFile]:
        return self._files(_FILES_UNDER, **under(folder))

    def blocker(self, path: str, ignore: Iterable[str] = ()) -> SessionFile | None:
        """A file at ``path``, at one of its ancestors, or inside it as a folder."""
        ignored = set(ignore)
        limit = len(ignored) + 2
        candidates = self._files(
            _BLOCKERS, paths=ancestors_and_self(path), limit=limit, **under(path)
        )
        return next((row for row in candidates if row.path not in ignored), None)

    def insert(self, values: dict[str, Any]) -> SessionFile:
        row = {"session_id": self.session_id, **values}
        new_id = self.connection.execute(_INSERT, row).inserted_primary_key
        return SessionFile(id=new_id[0] if new_id else None, **row)

    def update(self, file: Row, values: dict[str, Any]) -> Row:
        _UPDATE_NOW.run(self.connection, {"file_id": file.id, **values}, set_keys=True)
        for name, value in values.items():
            setattr(file, name, value)
        return file

    def delete(self, files: Iterable[SessionFile | FileMeta]) -> None:
        ids = [file.id for file in files]
        if ids:
            self.connection.execute(_DELETE, {"ids": ids})

    def save(self, now: datetime) -> None:
        """Write the counters back and mark the session as just changed."""
        values = {
            "session_id": self.session_id,
            "file_count": self.file_count,
            "workspace_bytes": self.workspace_bytes,
            "updated_at": now,
        }
        _SAVE_NOW.run(self.connection, values, set_keys=True)
