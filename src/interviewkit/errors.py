"""Errors as RFC 9457 ``application/problem+json`` with a stable ``code``.

Domain code raises :class:`ProblemError` (or a subclass); the handlers here turn it, and
every framework error, into the same shape, so a client can always branch on ``code``.
A 500 means a bug: it is logged with its traceback and answered without internals.
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

PROBLEM_JSON = "application/problem+json"
PROBLEM_TYPE_BASE = "https://interviewkit.dev/problems/"

logger = logging.getLogger("interviewkit.errors")


class ProblemError(Exception):
    """A client-facing error: HTTP status, stable code, human detail, optional extras."""

    def __init__(
        self,
        status: int,
        code: str,
        detail: str,
        *,
        title: str | None = None,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail
        self.title = title or HTTPStatus(status).phrase
        self.headers = headers or {}
        self.extra = extra


def not_found(code: str, detail: str) -> ProblemError:
    return ProblemError(404, code, detail)


def conflict(code: str, detail: str, **extra: Any) -> ProblemError:
    return ProblemError(409, code, detail, **extra)


def bad_request(code: str, detail: str, **extra: Any) -> ProblemError:
    return ProblemError(400, code, detail, **extra)


def problem_response(
    status: int,
    code: str,
    detail: str,
    *,
    title: str | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE_BASE + code.replace("_", "-"),
        "title": title or HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "code": code,
        **extra,
    }
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


_STATUS_CODES = {
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "request_too_large",
    415: "unsupported_media_type",
}


async def _problem_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ProblemError)
    return problem_response(
        exc.status, exc.code, exc.detail, title=exc.title, headers=exc.headers, **exc.extra
    )


async def _http_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = _STATUS_CODES.get(exc.status_code, f"http_{exc.status_code}")
    detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).phrase
    return problem_response(exc.status_code, code, detail, headers=dict(exc.headers or {}))


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [_describe(error) for error in exc.errors()]
    if (
        isinstance(exc.body, bytes)
        and exc.body
        and any(error["field"].startswith("body") for error in errors)
    ):
        # FastAPI hands a body over unparsed when its Content-Type is not JSON
        sent = request.headers.get("content-type")
        got = f"it was sent as {sent!r}" if sent else "it was sent without a Content-Type"
        return problem_response(
            415,
            "unsupported_media_type",
            f"this route takes a JSON body: send it with Content-Type: application/json ({got})",
        )
    malformed = any(error["type"] == "json_invalid" for error in errors)
    code = "malformed_json" if malformed else "validation_error"
    status = 422
    if any(error["field"].startswith("query") for error in errors):
        # the request line itself is wrong (a limit of -1, a huge number, an unknown status)
        status, code = 400, "invalid_parameter"
        errors = [error for error in errors if error["field"].startswith("query")]
    first = errors[0] if errors else {"field": "body", "message": "invalid"}
    detail = f"{first['field']}: {first['message']}"
    return problem_response(status, code, detail, errors=errors)


def _describe(error: Any) -> dict[str, Any]:
    location = [str(part) for part in error.get("loc", ())]
    return {
        "field": ".".join(location) or "body",
        "message": str(error.get("msg", "invalid")),
        "type": str(error.get("type", "invalid")),
    }


async def _unhandled(request: Request, exc: Exception) -> JSONResponse:
    logger.exception("unhandled error", extra={"route": request.url.path})
    return problem_response(500, "internal_error", "An unexpected error occurred; it was logged.")


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ProblemError, _problem_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(Exception, _unhandled)
