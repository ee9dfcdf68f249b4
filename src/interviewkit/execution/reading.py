"""Reading executions back: one run's row and result, a session's runs, its last submit.

A finished result never changes, so results read back are kept in a small LRU; a result
lives in its row (small ones) or in the object store (see :mod:`.service`, which writes
them). The running half of :class:`.service.ExecutionService` builds on this class.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from interviewkit.caching import LRUCache
from interviewkit.config import Settings
from interviewkit.db import read_session, utcnow
from interviewkit.errors import not_found
from interviewkit.execution.models import Execution
from interviewkit.execution.schemas import ExecutionResult
from interviewkit.execution.toolchains import LanguageRegistry
from interviewkit.sessions.service import SessionService
from interviewkit.storage import ObjectStore


class ExecutionReader:
    """Reads executions; the service that runs them sets these attributes."""

    factory: sessionmaker[Session]
    store: ObjectStore
    settings: Settings
    sessions: SessionService
    registry: LanguageRegistry
    _results: LRUCache[str, ExecutionResult]
    """Finished results by execution id: a finished result never changes."""

    def get(self, execution_id: str) -> tuple[Execution, ExecutionResult]:
        with read_session(self.factory, single_statement=True) as db:
            row = db.get(Execution, execution_id)
            if row is None:
                raise not_found("execution_not_found", f"no execution {execution_id!r}")
            db.expunge(row)
        return row, self._result_of(row)

    def _result_of(self, row: Execution) -> ExecutionResult:
        if row.state == "finished" and (row.result_json or row.result_key):
            cached = self._results.get(row.id)
            if cached is None:
                stored = row.result_json or self.store.get(row.result_key or "")
                cached = ExecutionResult.model_validate_json(stored)
                self._results.put(row.id, cached)
            return cached.model_copy(deep=True)
        if row.state == "finished":  # finished without a stored result: it failed
            return ExecutionResult(
                id=row.id,
                language=row.language,
                language_version="",
                status="internal_error",
                session_id=row.session_id,
                mode=row.mode,
                created_at=row.created_at.isoformat(),
                finished_at=row.finished_at.isoformat() if row.finished_at else None,
            )
        stale = utcnow() - row.created_at > timedelta(
            seconds=2 * self.settings.exec_submission_wall_s + 300
        )
        version = self.registry.available().get(row.language)
        return ExecutionResult(
            id=row.id,
            language=row.language,
            language_version=version.version if version else "",
            state="finished" if stale else "running" if row.state == "running" else "queued",
            status="internal_error" if stale else None,
            session_id=row.session_id,
            mode=row.mode,
            created_at=row.created_at.isoformat(),
        )

    def last_finished(self, session_id: str, mode: str) -> ExecutionResult | None:
        """The session's newest finished run in ``mode`` (a submission, for scoring)."""
        query = (
            select(Execution.id)
            .where(
                Execution.session_id == session_id,
                Execution.mode == mode,
                Execution.state == "finished",
            )
            .order_by(Execution.created_at.desc(), Execution.id.desc())
            .limit(1)
        )
        with read_session(self.factory) as db:
            found = db.scalar(query)
        return self.get(found)[1] if found else None

    def list_for_session(self, session_id: str, limit: int) -> list[Execution]:
        self.sessions.get_session(session_id)
        query = (
            select(Execution)
            .where(Execution.session_id == session_id)
            .order_by(Execution.created_at.desc(), Execution.id.desc())
            .limit(limit)
        )
        with read_session(self.factory) as db:
            rows = list(db.scalars(query))
            db.expunge_all()
        return rows
