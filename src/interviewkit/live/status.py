"""The ``session`` message: a session's status, deadline and current part, as shown live."""

from __future__ import annotations

import time

from interviewkit.errors import ProblemError
from interviewkit.live.protocol import PartInfo, SessionInfo
from interviewkit.problems.service import ProblemService
from interviewkit.sessions.models import InterviewSession
from interviewkit.sessions.service import SessionService


def session_info(problems: ProblemService, interview: InterviewSession) -> SessionInfo:
    """What a client shows of the session: the timer counts down from ``deadline_at``."""
    deadline = interview.deadline_at
    left = max(0, int(deadline.timestamp() - time.time())) if deadline is not None else None
    try:
        found = problems.current_part(interview)
    except ProblemError:  # a problem missing from the bank: show no part rather than fail
        found = None
    part = None
    if found is not None:
        part = PartInfo(number=found.position + 1, label=found.label, file=found.path)
    return SessionInfo(
        status=str(interview.status),
        deadline_at=deadline.isoformat() if deadline else None,
        seconds_left=left,
        current_part=part,
    )


def describe(sessions: SessionService, problems: ProblemService, session_id: str) -> SessionInfo:
    """:func:`session_info` of the session as stored now (blocking: call from a thread)."""
    return session_info(problems, sessions.get_session(session_id))
