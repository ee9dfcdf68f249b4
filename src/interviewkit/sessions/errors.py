"""The sessions domain's typed refusals, for other domains to catch by type.

Each keeps the status and ``code`` clients branch on; a caller that tolerates an ended
session (a server event after the end, a served assistant turn) catches
:class:`SessionEnded` instead of comparing code strings, which silently broke whenever a
new way of ending (the time limit) got its own code.
"""

from __future__ import annotations

from interviewkit.errors import ProblemError


class SessionNotFound(ProblemError):
    """404 ``session_not_found``: no session has this id."""

    def __init__(self, session_id: str) -> None:
        super().__init__(404, "session_not_found", f"no session {session_id!r}")


class SessionEnded(ProblemError):
    """409 ``session_ended``: the session is no longer active, so nothing may change it."""

    def __init__(self, status: str, what: str | None = None) -> None:
        detail = f"session is {status}; {what}" if what else f"session is {status}"
        super().__init__(409, "session_ended", detail)


class SessionExpired(SessionEnded):
    """409 ``session_expired``: the time limit elapsed (a way of ending, hence the base
    class), whether or not the sweeper has marked the session ended yet."""

    def __init__(self, session_id: str) -> None:
        ProblemError.__init__(
            self,
            409,
            "session_expired",
            f"session {session_id} ran out of time; its workspace is read-only",
        )
