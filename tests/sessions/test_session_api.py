"""What other domains get from the sessions domain: its lock, its start, typed refusals.

Recording and the assistant take a session's lock and read its start through
:class:`SessionService` (never its table), and tell an ended session by the type of the
error (never by comparing code strings); clients still see the same statuses and codes.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from interviewkit.app import Container
from interviewkit.db import run_write
from interviewkit.errors import ProblemError
from interviewkit.sessions.errors import SessionEnded, SessionExpired, SessionNotFound
from interviewkit.sessions.service import NewFile, SessionDraft

SQLITE = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def test_the_typed_refusals_keep_their_status_and_code() -> None:
    missing, ended, expired = (
        SessionNotFound("ses_x"),
        SessionEnded("completed", "recording closed"),
        SessionExpired("ses_x"),
    )
    assert (missing.status, missing.code) == (404, "session_not_found")
    assert (ended.status, ended.code, ended.detail) == (
        409,
        "session_ended",
        "session is completed; recording closed",
    )
    assert (expired.status, expired.code) == (409, "session_expired")
    assert isinstance(expired, SessionEnded)  # running out of time is a way of ending
    assert all(isinstance(error, ProblemError) for error in (missing, ended, expired))


@SQLITE
def test_the_lock_refuses_an_ended_session_by_type_unless_told(container: Container) -> None:
    sessions = container.sessions
    session = sessions.create_session(SessionDraft(files=[NewFile("/a.py", "x")]))
    sessions.end_session(session.id)
    with pytest.raises(SessionEnded):
        run_write(container.factory, lambda db: sessions.lock(db, session.id))
    locked = run_write(
        container.factory, lambda db: sessions.lock(db, session.id, allow_ended=True)
    )
    assert not locked.is_active
    with pytest.raises(SessionNotFound):
        run_write(container.factory, lambda db: sessions.lock(db, "ses_missing"))


@SQLITE
def test_started_at_is_the_sessions_creation_whether_locked_or_not(container: Container) -> None:
    sessions = container.sessions
    session = sessions.create_session(SessionDraft())

    def both(db: Session) -> list[datetime]:
        before = sessions.started_at(db, session.id)  # read from the row
        sessions.lock(db, session.id)
        return [before, sessions.started_at(db, session.id)]  # what the lock read

    for moment in run_write(container.factory, both):
        aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)  # SQLite: naive UTC
        assert abs(aware - session.created_at) < timedelta(milliseconds=1)
    with pytest.raises(SessionNotFound):
        run_write(container.factory, lambda db: sessions.started_at(db, "ses_missing"))


@SQLITE
def test_a_server_event_for_an_ended_or_unknown_session_is_dropped(
    container: Container,
) -> None:
    sessions = container.sessions
    session = sessions.create_session(SessionDraft())
    sessions.end_session(session.id)
    before = container.recording.recording(session.id).events
    container.recording.record_now(session.id, {"type": "note", "text": "late"})
    container.recording.record_now("ses_missing", {"type": "note", "text": "nowhere"})
    assert container.recording.recording(session.id).events == before
