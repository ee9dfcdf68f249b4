"""FastAPI dependencies that turn the ``Authorization`` header into a checked principal."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Path, Request
from starlette.concurrency import run_in_threadpool

from interviewkit.auth.service import AuthService, Principal, Role, unauthenticated
from interviewkit.db import ID_PATTERN
from interviewkit.errors import ProblemError, not_found

SessionId = Annotated[
    str, Path(pattern=ID_PATTERN, max_length=64, description="A session id such as ses_…")
]


async def authenticate(request: Request) -> Principal:
    """Async on purpose: candidate tokens and cached keys need no I/O, so only a key
    missing from the cache pays for a trip to the thread pool and the database."""
    header = request.headers.get("authorization", "")
    scheme, _, credential = header.partition(" ")
    if not header:
        raise unauthenticated("send 'Authorization: Bearer <API key or candidate token>'")
    if scheme.lower() != "bearer" or not credential.strip():
        raise unauthenticated("the Authorization header must be 'Bearer <token>'")
    auth: AuthService = request.app.state.container.auth
    credential = credential.strip()
    principal = auth.without_io(credential)
    if principal is None:
        principal = await run_in_threadpool(auth.authenticate, credential)
    auth.throttle(principal)
    request.state.principal = principal
    return principal


def ensure_staff(principal: Principal) -> Principal:
    if not principal.is_staff:
        raise ProblemError(403, "forbidden", "this route needs an interviewer or admin API key")
    return principal


def ensure_session_access(principal: Principal, session_id: str) -> Principal:
    """Staff reach every session; a candidate only the session its token names.

    Another session answers 404, exactly as a session that does not exist, so a
    candidate token cannot be used to learn which session ids are real.
    """
    if principal.is_staff or principal.session_id == session_id:
        return principal
    raise not_found("session_not_found", f"no session {session_id!r}")


@dataclass(frozen=True)
class SessionCaller:
    """Who calls a session-scoped route, and for which session: checked, so a route that
    takes it cannot forget the check (or do it differently from the others)."""

    principal: Principal
    session_id: str

    @property
    def is_staff(self) -> bool:
        return self.principal.is_staff

    @property
    def actor(self) -> str:
        """Who the session's record names for a change this caller makes."""
        return self.principal.actor


async def require_session_access(session_id: SessionId, request: Request) -> SessionCaller:
    """Staff, or the candidate whose token names this session (404 for another session).

    Flat on purpose (no nested dependency), and callable directly by a dependency that
    needs more than the caller, such as the workspace file routes' ``FileCall``.
    """
    principal = ensure_session_access(await authenticate(request), session_id)
    return SessionCaller(principal, session_id)


async def require_staff(request: Request) -> Principal:
    return ensure_staff(await authenticate(request))


async def require_admin(request: Request) -> Principal:
    principal = await authenticate(request)
    if principal.role != Role.admin:
        raise ProblemError(403, "forbidden", "this route needs an admin API key")
    return principal


# Each is one flat dependency: FastAPI's cost grows with every nested dependant.
Staff = Annotated[Principal, Depends(require_staff)]
Admin = Annotated[Principal, Depends(require_admin)]
SessionAccess = Annotated[SessionCaller, Depends(require_session_access)]
"""Every route under ``/sessions/{session_id}`` that staff or its candidate may call."""
