"""Sessions: their lifecycle, what their candidate tokens may do, and their lock.

The other domains reach a session only through :class:`SessionService`: they read it with
:meth:`SessionService.get_session`, take its lock inside their own transaction with
:meth:`SessionService.lock` (the order every write of a session follows) and catch
:class:`~interviewkit.sessions.errors.SessionEnded` when it has ended. The files of its
workspace are the other half of the service (:mod:`interviewkit.sessions.files`).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import threading
import time
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any, Literal, TypeVar, cast

from sqlalchemy import (
    ColumnElement,
    Select,
    SQLColumnExpression,
    Table,
    and_,
    bindparam,
    func,
    or_,
    select,
)
from sqlalchemy.orm import Session, object_session, sessionmaker

from interviewkit.auth.service import TokenAccess
from interviewkit.caching import LRUCache
from interviewkit.config import Settings
from interviewkit.db import (
    ID_PATTERN,
    new_id,
    on_commit,
    read_connection,
    read_session,
    run_write,
    utcnow,
)
from interviewkit.errors import ProblemError, bad_request, conflict
from interviewkit.sessions.errors import SessionEnded, SessionExpired, SessionNotFound
from interviewkit.sessions.files import (
    SYSTEM_ACTOR,
    FileRead,
    IfMatch,
    NewFile,
    WorkspaceFiles,
    WorkspaceRecorder,
    file_tree,
    written_event,
)
from interviewkit.sessions.models import InterviewSession, SessionStatus
from interviewkit.sessions.workspace import STARTED, LockedWorkspace
from interviewkit.storage import ObjectStore

__all__ = [
    "SYSTEM_ACTOR",
    "UNSET",
    "FileRead",
    "IfMatch",
    "NewFile",
    "SessionDraft",
    "SessionEnded",
    "SessionExpired",
    "SessionNotFound",
    "SessionPage",
    "SessionService",
    "WorkspaceRecorder",
    "deadline_of",
    "decode_cursor",
    "encode_cursor",
    "file_tree",
    "merge_patch",
]

EndStatus = Literal["completed", "terminated", "expired"]
T = TypeVar("T")


_TOKEN_STATE = select(InterviewSession.status, InterviewSession.token_generation).where(
    InterviewSession.id == bindparam("session_id")
)
_TOKEN_STATE_LIMIT = 10_000
_STARTED = select(cast(Table, InterviewSession.__table__).c.created_at).where(
    InterviewSession.id == bindparam("session_id")
)


@dataclass
class SessionPage:
    items: list[InterviewSession]
    next_cursor: str | None


@dataclass
class SessionDraft:
    template_id: str | None = None
    problem_id: str | None = None
    candidate_name: str | None = None
    candidate_email: str | None = None
    config: dict[str, Any] = field(default_factory=dict)
    files: list[NewFile] = field(default_factory=list)


UNSET: Any = object()


class SessionService(WorkspaceFiles):
    """Sessions and their workspaces: the domain logic, free of HTTP."""

    def __init__(
        self,
        factory: sessionmaker[Session],
        store: ObjectStore,
        settings: Settings,
        recorder: WorkspaceRecorder | None = None,
    ) -> None:
        super().__init__(factory, store, settings, recorder)
        # session id -> (trusted until, state) for candidate tokens; see token_access
        self._token_states: LRUCache[str, tuple[float, TokenAccess]] = LRUCache(_TOKEN_STATE_LIMIT)
        self._token_forgets = 0  # bumped by every forget: a lookup older than it is not kept
        self._token_lock = threading.Lock()

    # ---- the session's lock, for other domains' transactions ----------------------------

    def lock(
        self, db: Session, session_id: str, *, allow_ended: bool = False, server: bool = False
    ) -> LockedWorkspace:
        """Take the session's lock in the caller's transaction (``db``), as every write of
        the session does first: 404 :class:`SessionNotFound`, 409 :class:`SessionEnded`
        (or :class:`SessionExpired`) unless ``allow_ended`` or, past the deadline only,
        ``server`` (see :meth:`LockedWorkspace.lock`)."""
        return LockedWorkspace.lock(db, session_id, allow_ended=allow_ended, server=server)

    def started_at(self, db: Session, session_id: str) -> datetime:
        """When the session started (its ``created_at``), as the caller's transaction sees
        it; free when this transaction locked or created the session (404 if none)."""
        known = db.info.get(STARTED, {}).get(session_id)
        if known is not None:
            return cast(datetime, known)
        found = db.connection().execute(_STARTED, {"session_id": session_id}).scalar()
        if found is None:
            raise SessionNotFound(session_id)
        return cast(datetime, found)

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

    def list_sessions(
        self,
        *,
        status: SessionStatus | None = None,
        candidate: str | None = None,
        template: str | None = None,
        created_after: datetime | None = None,
        created_before: datetime | None = None,
        limit: int = 20,
        cursor: str | None = None,
    ) -> SessionPage:
        """Newest first, keyset-paginated: each page is one index range however deep.

        ``candidate`` searches name and email (a substring, any case); ``created_after``
        is inclusive and ``created_before`` exclusive, so consecutive day ranges never
        show a session twice.
        """
        query = self._filtered(status, candidate, template, created_after, created_before)
        if cursor:
            query = query.where(
                after_cursor(cursor, InterviewSession.created_at, InterviewSession.id)
            )
        query = query.order_by(InterviewSession.created_at.desc(), InterviewSession.id.desc())
        with read_session(self.factory) as db:
            rows = list(db.scalars(query.limit(limit + 1)))
        next_cursor = _encode_cursor(rows[limit - 1]) if len(rows) > limit else None
        return SessionPage(rows[:limit], next_cursor)

    @staticmethod
    def _filtered(
        status: SessionStatus | None,
        candidate: str | None,
        template: str | None,
        created_after: datetime | None,
        created_before: datetime | None,
    ) -> Select[InterviewSession]:
        query: Select[InterviewSession] = select(InterviewSession)
        if status is not None:
            query = query.where(InterviewSession.status == status)
        if template is not None:
            query = query.where(InterviewSession.template_id == template)
        if created_after is not None:
            query = query.where(InterviewSession.created_at >= created_after)
        if created_before is not None:
            query = query.where(InterviewSession.created_at < created_before)
        if candidate:
            query = query.where(
                contains_any_case(
                    candidate, InterviewSession.candidate_name, InterviewSession.candidate_email
                )
            )
        return query

    def sessions_of(self, email: str | None, ids: Collection[str]) -> list[InterviewSession]:
        """A candidate's sessions: those for this email (any case) and those named in
        ``ids`` (their attempts' sessions), newest first."""
        matches = []
        if email:
            matches.append(func.lower(InterviewSession.candidate_email) == email.lower())
        if ids:
            matches.append(InterviewSession.id.in_(list(ids)))
        if not matches:
            return []
        query = (
            select(InterviewSession)
            .where(or_(*matches))
            .order_by(InterviewSession.created_at.desc(), InterviewSession.id.desc())
            .limit(self.settings.max_page_size)
        )
        with read_session(self.factory) as db:
            rows = list(db.scalars(query))
            db.expunge_all()
        return rows

    def latest_ended(self, template_id: str, limit: int) -> list[InterviewSession]:
        """The template's most recent sessions that have ended (what a panel compares)."""
        query = (
            select(InterviewSession)
            .where(
                InterviewSession.template_id == template_id,
                InterviewSession.status != SessionStatus.active,
            )
            .order_by(InterviewSession.created_at.desc(), InterviewSession.id.desc())
            .limit(limit)
        )
        with read_session(self.factory) as db:
            rows = list(db.scalars(query))
            db.expunge_all()
        return rows

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

    def set_problem_in(self, db: Session, session_id: str, problem_id: str) -> None:
        """Make ``problem_id`` the session's problem inside the caller's transaction, which
        holds the session lock (a move to the next part of a template)."""
        self._locked_session(db, session_id).problem_id = problem_id

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
                    row = self._put(workspace, path, payload, None, now)
                    event = written_event(path, content, row.version)
                    self._record(workspace.db, session_id, [event])
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
                raise SessionEnded(interview.status, "no new invitations")
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
                expires = started + self.settings.candidate_token_cache_seconds
                self._token_states.put(session_id, (expires, access))
        return access

    def _forget_token_state(self, session_id: str) -> None:
        with self._token_lock:
            self._token_forgets += 1
            self._token_states.pop(session_id)

    def _locked_session(self, db: Session, session_id: str) -> InterviewSession:
        query = select(InterviewSession).where(InterviewSession.id == session_id)
        interview = db.scalars(query.with_for_update()).one_or_none()
        if interview is None:
            raise SessionNotFound(session_id)
        return interview

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


def contains_any_case(text: str, *columns: SQLColumnExpression[Any]) -> ColumnElement[bool]:
    """Rows where one of ``columns`` contains ``text``, in any case; LIKE's wildcards and
    its escape character in ``text`` match themselves (a search for "a_b" is literal)."""
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    pattern = f"%{escaped}%"
    return or_(*(func.lower(column).like(pattern, escape="\\") for column in columns))


def after_cursor(
    cursor: str, created: SQLColumnExpression[datetime], row_id: SQLColumnExpression[str]
) -> ColumnElement[bool]:
    """Rows after ``cursor`` in newest-first keyset order (creation time, then id)."""
    created_at, last_id = decode_cursor(cursor)
    return or_(created < created_at, and_(created == created_at, row_id < last_id))


def _encode_cursor(row: InterviewSession) -> str:
    return encode_cursor(row.created_at, row.id)


def encode_cursor(created: datetime, row_id: str) -> str:
    """A keyset cursor (the last row's creation time and id) as an opaque URL-safe string;
    the candidates list pages the same way."""
    raw = f"{created.isoformat()}|{row_id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str]:
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
