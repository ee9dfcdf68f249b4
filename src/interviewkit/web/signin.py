"""Staff sign-in pages (``/login``, ``/login/link``, ``/logout``) and what other staff
pages build on: :data:`StaffPage`, :class:`StaffView`, :func:`verify_csrf`, :func:`read_form`.

The browser never holds an API key: signing in trades one (or a login link) for the
``ik_session`` cookie (HttpOnly, SameSite=Lax, Secure over https). The sign-in forms
themselves carry a double-submit token (a random ``ik_login`` cookie repeated in the
form), so another site cannot sign a visitor's browser into its own account. A page that
needs a signed-in person answers ``303 /login?next=<its path>`` otherwise, and ``next`` is
only ever followed to a path on this server (an open redirect would be a phishing aid).
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import parse_qsl, quote, urlsplit

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile

from interviewkit.auth.deps import CSRF_HEADER, check_csrf, web_identity
from interviewkit.auth.service import Principal
from interviewkit.auth.web import SESSION_COOKIE, SignedIn, SignInFailed, WebSessionService
from interviewkit.errors import ProblemError
from interviewkit.web.api import templates

LOGIN_COOKIE = "ik_login"
DEFAULT_NEXT = "/sessions"
_LOGIN_COOKIE_SECONDS = 3600
_MAX_NEXT = 2000
_FORM_TYPE = "application/x-www-form-urlencoded"

router = APIRouter(include_in_schema=False)


@dataclass(frozen=True)
class StaffView:
    """The signed-in person a staff page is rendered for."""

    principal: Principal
    key_id: str
    name: str
    role: str
    csrf_token: str


class SignInRequired(Exception):
    """Raised by :data:`StaffPage` without a valid sign-in; answered with a redirect."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


def safe_next(value: str | None) -> str:
    """``value`` when it is a path on this server, else :data:`DEFAULT_NEXT`.

    Refused: anything with a scheme or a host (``https://x``, ``//x``), backslashes
    (browsers read ``/\\x`` as ``//x``), control characters and whitespace (browsers drop
    tabs and newlines from URLs, so ``/\\t/x`` would become ``//x``).
    """
    if not value or len(value) > _MAX_NEXT or not value.startswith("/"):
        return DEFAULT_NEXT
    if value.startswith("//") or "\\" in value:
        return DEFAULT_NEXT
    if any(ord(char) < 0x21 or ord(char) == 0x7F for char in value):
        return DEFAULT_NEXT
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return DEFAULT_NEXT
    return value


async def require_staff_page(request: Request) -> StaffView:
    identity = await web_identity(request)
    if identity is None or not identity.principal.is_staff:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise SignInRequired(target)
    request.app.state.container.auth.throttle(identity.principal)
    request.state.principal = identity.principal
    return StaffView(
        principal=identity.principal,
        key_id=identity.key_id,
        name=identity.name,
        role=identity.role,
        csrf_token=identity.csrf_token,
    )


StaffPage = Annotated[StaffView, Depends(require_staff_page)]
"""A page for signed-in staff; anyone else is sent to ``/login?next=<this page>``."""


async def read_form(request: Request) -> FormData:
    """The request's urlencoded form (read once per request, also by :func:`verify_csrf`).

    Parsed here rather than by FastAPI's ``Form()``, which needs python-multipart for
    what HTML forms without files send anyway; the body size is capped by the server's
    ``max_request_bytes`` before it gets here. Another content type is a 415.
    """
    cached = getattr(request.state, "form", None)
    if isinstance(cached, FormData):
        return cached
    kind = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    body = await request.body()
    if kind != _FORM_TYPE and body:
        raise ProblemError(
            415, "unsupported_media_type", f"this page takes a form sent as {_FORM_TYPE}"
        )
    text = body.decode("utf-8", errors="replace")
    try:
        pairs = parse_qsl(text, keep_blank_values=True, max_num_fields=1000)
    except ValueError:
        raise ProblemError(413, "request_too_large", "the form has too many fields") from None
    form = FormData(list[tuple[str, str | UploadFile]](pairs))
    request.state.form = form
    return form


async def verify_csrf(request: Request, view: StaffView) -> None:
    """403 ``csrf_failed`` unless the form's ``csrf_token`` field (or the X-CSRF-Token
    header) is this sign-in's token: call it first in every state-changing page route."""
    offered = request.headers.get(CSRF_HEADER)
    if offered is None:
        field = (await read_form(request)).get("csrf_token")
        offered = field if isinstance(field, str) else None
    check_csrf(offered, view.csrf_token)


# ---- cookies -------------------------------------------------------------------------------


def _secure(request: Request) -> bool:
    public_url = request.app.state.container.settings.public_url or ""
    return request.url.scheme == "https" or public_url.startswith("https")


def _set_session_cookie(request: Request, response: Response, signed: SignedIn) -> None:
    web: WebSessionService = request.app.state.container.web
    response.set_cookie(
        SESSION_COOKIE,
        signed.cookie,
        max_age=web.session_minutes * 60,
        path="/",
        secure=_secure(request),
        httponly=True,
        samesite="lax",
    )
    response.delete_cookie(LOGIN_COOKIE, path="/login", secure=_secure(request), httponly=True)


def _login_token(request: Request) -> str:
    """The browser's double-submit token: kept while its cookie is, else a new one."""
    current = request.cookies.get(LOGIN_COOKIE, "")
    if 20 <= len(current) <= 100 and current.isascii():
        return current
    return secrets.token_urlsafe(32)


def _login_token_ok(request: Request, form: FormData) -> bool:
    cookie = request.cookies.get(LOGIN_COOKIE, "")
    field = form.get("csrf_token")
    if not cookie or not isinstance(field, str) or not field:
        return False
    return hmac.compare_digest(cookie.encode(), field.encode())


def _render(
    request: Request,
    name: str,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
    **context: Any,
) -> HTMLResponse:
    token = _login_token(request)
    html = templates.get_template(name).render(csrf_token=token, **context)
    response = HTMLResponse(
        html,
        status_code=status_code,
        headers={"Cache-Control": "no-store", **(headers or {})},
    )
    response.set_cookie(
        LOGIN_COOKIE,
        token,
        max_age=_LOGIN_COOKIE_SECONDS,
        path="/login",
        secure=_secure(request),
        httponly=True,
        samesite="strict",
    )
    return response


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _failure_headers(failure: SignInFailed) -> dict[str, str]:
    return {"Retry-After": str(max(1, round(failure.retry_after)))} if failure.retry_after else {}


# ---- routes --------------------------------------------------------------------------------


@router.get("/login")
async def login_page(
    request: Request, next_path: Annotated[str | None, Query(alias="next")] = None
) -> Response:
    target = safe_next(next_path)
    if await web_identity(request) is not None:
        return RedirectResponse(target, status_code=303)
    return _render(request, "login.html", next=target, error=None)


@router.post("/login")
async def login(request: Request) -> Response:
    form = await read_form(request)
    raw_next = form.get("next")
    target = safe_next(raw_next if isinstance(raw_next, str) else None)
    if not _login_token_ok(request, form):
        return _render(
            request,
            "login.html",
            403,
            next=target,
            error="This sign-in form has expired. Please enter your key again.",
        )
    web: WebSessionService = request.app.state.container.web
    key = form.get("key")
    try:
        web.check_attempt(_client(request))
        signed = await run_in_threadpool(web.sign_in_with_key, key if isinstance(key, str) else "")
    except SignInFailed as failure:
        return _render(
            request,
            "login.html",
            failure.status,
            _failure_headers(failure),
            next=target,
            error=failure.message,
        )
    response = RedirectResponse(target, status_code=303)
    _set_session_cookie(request, response, signed)
    return response


@router.get("/login/link")
async def login_link_page(request: Request) -> Response:
    """The page a login link opens: its token is in the URL fragment, which browsers
    never send, so a small script posts it (and takes it out of the address bar)."""
    return _render(request, "login_link.html", error=None)


@router.post("/login/link")
async def login_with_link(request: Request) -> Response:
    form = await read_form(request)
    if not _login_token_ok(request, form):
        return _render(
            request,
            "login_link.html",
            403,
            error="This page expired before it could sign you in. Open the link again.",
        )
    web: WebSessionService = request.app.state.container.web
    token = form.get("token")
    try:
        web.check_attempt(_client(request))
        signed = await run_in_threadpool(
            web.sign_in_with_link, token if isinstance(token, str) else ""
        )
    except SignInFailed as failure:
        return _render(
            request,
            "login_link.html",
            failure.status,
            _failure_headers(failure),
            error=failure.message,
        )
    response = RedirectResponse(DEFAULT_NEXT, status_code=303)
    _set_session_cookie(request, response, signed)
    return response


@router.post("/logout")
async def logout(request: Request) -> Response:
    identity = await web_identity(request)
    cookie = request.cookies.get(SESSION_COOKIE)
    if identity is not None and cookie:
        form = await read_form(request)
        field = form.get("csrf_token")
        offered = request.headers.get(CSRF_HEADER) or (field if isinstance(field, str) else None)
        check_csrf(offered, identity.csrf_token)
        web: WebSessionService = request.app.state.container.web
        await run_in_threadpool(web.sign_out, cookie)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/", secure=_secure(request), httponly=True)
    return response


async def _sign_in_required(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, SignInRequired)
    return RedirectResponse(f"/login?next={quote(exc.next_path, safe='/')}", status_code=303)


def install(app: FastAPI) -> None:
    """Answer :class:`SignInRequired` (from :data:`StaffPage`) with the sign-in redirect."""
    app.add_exception_handler(SignInRequired, _sign_in_required)
