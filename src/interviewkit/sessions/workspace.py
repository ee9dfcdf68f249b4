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
from typing import Any, cast

from sqlalchemy import Connection, Table, and_, delete, insert, or_, select, update
from sqlalchemy.orm import Session

from interviewkit.errors import conflict, not_found
from interviewkit.sessions.models import InterviewSession, SessionFile, SessionStatus

SESSIONS = cast(Table, InterviewSession.__table__)
FILES = cast(Table, SessionFile.__table__)


def under(folder: str) -> Any:
    """Paths strictly inside ``folder``, as a range scan of the (session_id, path) index."""
    return and_(FILES.c.path >= folder + "/", FILES.c.path < folder + "0")  # '0' follows '/'


def ancestors_and_self(path: str) -> list[str]:
    parts = path.split("/")[1:]
    return ["/" + "/".join(parts[: depth + 1]) for depth in range(len(parts))]


@dataclass
class LockedWorkspace:
    """One active session's workspace inside a write transaction that holds its lock.

    The file count and byte total are read under the lock and written back by
    :meth:`save`, so quota checks against them cannot race.
    """

    db: Session
    session_id: str
    created_at: datetime
    file_count: int
    workspace_bytes: int

    @classmethod
    def lock(cls, db: Session, session_id: str) -> LockedWorkspace:
        """Lock the session row (FOR UPDATE; SQLite's writer lock is held already)."""
        query = (
            select(SESSIONS.c.status, SESSIONS.c.created_at, SESSIONS.c.file_count)
            .add_columns(SESSIONS.c.workspace_bytes)
            .where(SESSIONS.c.id == session_id)
            .with_for_update()
        )
        row = db.connection().execute(query).one_or_none()
        if row is None:
            raise not_found("session_not_found", f"no session {session_id!r}")
        if row.status != SessionStatus.active:
            raise conflict("session_ended", f"session is {row.status}; its workspace is read-only")
        return cls(db, session_id, row.created_at, row.file_count, row.workspace_bytes)

    @property
    def connection(self) -> Connection:
        return self.db.connection()

    def file(self, path: str) -> SessionFile | None:
        query = select(FILES).where(FILES.c.session_id == self.session_id, FILES.c.path == path)
        row = self.connection.execute(query).one_or_none()
        return None if row is None else SessionFile(**row._mapping)

    def files_under(self, folder: str) -> list[SessionFile]:
        query = select(FILES).where(FILES.c.session_id == self.session_id, under(folder))
        rows = self.connection.execute(query.order_by(FILES.c.path))
        return [SessionFile(**row._mapping) for row in rows]

    def blocker(self, path: str, ignore: Iterable[str] = ()) -> SessionFile | None:
        """A file at ``path``, at one of its ancestors, or inside it as a folder."""
        ignored = set(ignore)
        query = select(FILES).where(
            FILES.c.session_id == self.session_id,
            or_(FILES.c.path.in_(ancestors_and_self(path)), under(path)),
        )
        for row in self.connection.execute(query.limit(len(ignored) + 2)):
            if row.path not in ignored:
                return SessionFile(**row._mapping)
        return None

    def insert(self, values: dict[str, Any]) -> SessionFile:
        row = {"session_id": self.session_id, **values}
        new_id = self.connection.execute(insert(FILES).values(row)).inserted_primary_key
        return SessionFile(id=new_id[0] if new_id else None, **row)

    def update(self, file: SessionFile, values: dict[str, Any]) -> SessionFile:
        self.connection.execute(update(FILES).where(FILES.c.id == file.id).values(values))
        for name, value in values.items():
            setattr(file, name, value)
        return file

    def delete(self, files: Iterable[SessionFile]) -> None:
        ids = [file.id for file in files]
        if ids:
            self.connection.execute(delete(FILES).where(FILES.c.id.in_(ids)))

    def save(self, now: datetime) -> None:
        """Write the counters back and mark the session as just changed."""
        self.connection.execute(
            update(SESSIONS)
            .where(SESSIONS.c.id == self.session_id)
            .values(
                file_count=self.file_count, workspace_bytes=self.workspace_bytes, updated_at=now
            )
        )
