"""FastAPI dependencies that turn the ``Authorization`` header into a checked principal."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from interviewkit.auth.service import Principal, Role, unauthenticated
from interviewkit.errors import ProblemError, not_found


def current_principal(request: Request) -> Principal:
    header = request.headers.get("authorization", "")
    scheme, _, credential = header.partition(" ")
    if not header:
        raise unauthenticated("send 'Authorization: Bearer <API key or candidate token>'")
    if scheme.lower() != "bearer" or not credential.strip():
        raise unauthenticated("the Authorization header must be 'Bearer <token>'")
    principal: Principal = request.app.state.container.auth.authenticate(credential.strip())
    request.state.principal = principal
    return principal


AnyPrincipal = Annotated[Principal, Depends(current_principal)]


def require_staff(principal: AnyPrincipal) -> Principal:
    if not principal.is_staff:
        raise ProblemError(403, "forbidden", "this route needs an interviewer or admin API key")
    return principal


def require_admin(principal: AnyPrincipal) -> Principal:
    if principal.role != Role.admin:
        raise ProblemError(403, "forbidden", "this route needs an admin API key")
    return principal


def session_reader(session_id: str, principal: AnyPrincipal) -> Principal:
    """Staff reach every session; a candidate only the session its token names.

    Another session answers 404, exactly as a session that does not exist, so a
    candidate token cannot be used to learn which session ids are real.
    """
    if principal.is_staff or principal.session_id == session_id:
        return principal
    raise not_found("session_not_found", f"no session {session_id!r}")


Staff = Annotated[Principal, Depends(require_staff)]
Admin = Annotated[Principal, Depends(require_admin)]
SessionAccess = Annotated[Principal, Depends(session_reader)]
