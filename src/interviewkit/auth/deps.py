"""FastAPI dependencies that turn the ``Authorization`` header (or a staff browser's
sign-in cookie) into a checked principal."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Path, Request
from starlette.concurrency import run_in_threadpool

from interviewkit.auth.service import AuthService, Principal, Role, unauthenticated
from interviewkit.auth.web import SESSION_COOKIE, WebIdentity, WebSessionService
from interviewkit.db import ID_PATTERN
from interviewkit.errors import ProblemError, not_found

SessionId = Annotated[
    str, Path(pattern=ID_PATTERN, max_length=64, description="A session id such as ses_…")
]


CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


async def authenticate(request: Request) -> Principal:
    """Async on purpose: candidate tokens and cached keys need no I/O, so only a key
    missing from the cache pays for a trip to the thread pool and the database.

    Without an Authorization header, a staff browser's ``ik_session`` cookie is the
    credential (see :func:`web_identity`); a bearer credential never needs a CSRF token,
    since no other site can make a browser send it.
    """
    header = request.headers.get("authorization", "")
    scheme, _, credential = header.partition(" ")
    if not header:
        identity = await web_identity(request)
        if identity is None:
            raise unauthenticated("send 'Authorization: Bearer <API key or candidate token>'")
        if request.method not in SAFE_METHODS:
            check_csrf(request.headers.get(CSRF_HEADER), identity.csrf_token)
        request.app.state.container.auth.throttle(identity.principal)
        request.state.principal = identity.principal
        return identity.principal
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


async def web_identity(request: Request) -> WebIdentity | None:
    """Who the request's sign-in cookie stands for; None without a valid one.

    Memoised on the request, so a page and the API dependency it shares look it up once.
    """
    if hasattr(request.state, "web_identity"):
        found: WebIdentity | None = request.state.web_identity
        return found
    cookie = request.cookies.get(SESSION_COOKIE)
    identity = None
    if cookie:
        web: WebSessionService = request.app.state.container.web
        identity = web.cached(cookie) or await run_in_threadpool(web.lookup, cookie)
    request.state.web_identity = identity
    return identity


def check_csrf(offered: str | None, expected: str) -> None:
    """A state-changing call riding the cookie must prove it comes from our own page:
    only a page of this origin can read the token (from its ``csrf-token`` meta tag)."""
    if not offered or not hmac.compare_digest(offered.encode(), expected.encode()):
        raise ProblemError(
            403,
            "csrf_failed",
            "a signed-in browser must send its page's CSRF token (header X-CSRF-Token, "
            "or the form's csrf_token field) with every change",
        )


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
