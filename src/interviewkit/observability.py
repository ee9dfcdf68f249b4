"""Structured logs, request ids, Prometheus metrics and the request-body limit.

One pure-ASGI middleware does all per-request bookkeeping (Starlette's BaseHTTPMiddleware
costs a task per request). Logs carry the request id and never headers, query strings or
bodies, so tokens, signed-URL signatures and file contents stay out of them.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import re
import sys
import time
import uuid
from contextvars import ContextVar
from typing import Any
from urllib.parse import parse_qsl

from prometheus_client import CollectorRegistry, Counter, Histogram
from pythonjsonlogger.json import JsonFormatter
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from interviewkit.errors import problem_response

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)
access_logger = logging.getLogger("interviewkit.access")
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)


class _RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True


class _CurrentStderr(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever ``sys.stderr`` is when a record is emitted, not the stream it was
    at configuration: a CLI command run in-process (tests, embedding) swaps stderr and
    closes it afterwards, and a handler holding the old one fails on every later record."""

    def __init__(self) -> None:
        self._pinned: Any = None
        super().__init__()

    @property
    def stream(self) -> Any:
        return sys.stderr if self._pinned is None else self._pinned

    @stream.setter
    def stream(self, value: Any) -> None:
        """``setStream`` to another stream pins it (tests read the lines that way)."""
        self._pinned = None if value is sys.stderr else value


def configure_logging(level: str = "INFO", fmt: str = "json") -> None:
    """JSON lines on stderr (or plain lines for a console), each with its request id."""
    handler = _CurrentStderr()
    if fmt == "json":
        handler.setFormatter(
            JsonFormatter(
                "{asctime}{levelname}{name}{message}{request_id}",
                style="{",
                rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
                datefmt="%Y-%m-%dT%H:%M:%S%z",
            )
        )
    else:
        handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")
        )
    handler.addFilter(_RequestIdFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    logging.getLogger("uvicorn.access").disabled = True  # our access log replaces it


class Metrics:
    """The app's Prometheus registry; domains add their own collectors to ``registry``."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "interviewkit_http_requests",
            "HTTP requests by route template, method and status",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "interviewkit_http_request_duration_seconds",
            "HTTP request latency by route template",
            ["method", "route"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )


class RequestTooLargeError(HTTPException):
    """Raised while a body streams in; FastAPI turns any non-HTTPException it meets while
    parsing a body into a 400, so this must be an HTTPException to answer 413."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request body exceeds {limit} bytes")


class RequestContextMiddleware:
    """Request id, access log, metrics, and a cap on the request body size."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        metrics: Metrics,
        max_body_bytes: int,
        unlimited_prefixes: tuple[str, ...] = (),
    ) -> None:
        self.app = app
        self.metrics = metrics
        self.max_body_bytes = max_body_bytes
        self.unlimited_prefixes = unlimited_prefixes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _incoming_request_id(scope) or uuid.uuid4().hex
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        status = 500
        response_started = False
        failed = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                status = message["status"]
                response_started = True
                message.setdefault("headers", [])
                message["headers"] = [
                    *message["headers"],
                    (b"x-request-id", request_id.encode()),
                ]
            await send(message)

        try:
            limited = not scope["path"].startswith(self.unlimited_prefixes)
            if limited and _declared_length(scope) > self.max_body_bytes:
                limit = self.max_body_bytes
                await _send_problem(
                    send_with_id,
                    413,
                    "request_too_large",
                    f"the request body exceeds {limit} bytes",
                    limit=limit,
                )
                return
            capped = _capped_receive(receive, self.max_body_bytes) if limited else receive
            await self.app(scope, capped, send_with_id)
        except Exception:
            # The app's 500 handler answers from ServerErrorMiddleware, outside this
            # middleware, so its response would lack the request id: answer here instead
            # (it then only logs), and keep the id set so that log line carries it.
            failed = True
            if not response_started:
                await _send_problem(
                    send_with_id,
                    500,
                    "internal_error",
                    "An unexpected error occurred; it was logged.",
                )
            raise
        finally:
            self._record(scope, status, time.perf_counter() - started)
            if not failed:
                request_id_var.reset(token)

    def _record(self, scope: Scope, status: int, elapsed: float) -> None:
        route = getattr(scope.get("route"), "path", None) or "unmatched"
        method = scope["method"]
        self.metrics.requests.labels(method, route, str(status)).inc()
        self.metrics.latency.labels(method, route).observe(elapsed)
        if not access_logger.isEnabledFor(logging.INFO):
            return
        access_logger.info(
            "request",
            extra={
                "method": method,
                "route": route,
                "status": status,
                "duration_ms": round(elapsed * 1000, 2),
            },
        )


INT64_MAX = 2**63 - 1
_INTEGER = re.compile(r"^\s*[+-]?0*(\d+)\s*$")
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class InputGuardMiddleware:
    """Input no route can store or compare is refused here, once, for every route.

    * A JSON body whose strings hold a lone UTF-16 surrogate (``"\\ud800"`` is valid
      JSON, but no UTF-8 text: every later encode, database write or sandbox run would
      fail with a 500 or, worse, a half-done write): 422 ``invalid_unicode``, naming
      the field. A JSON body that is not UTF-8 (or the UTF-16/32 JSON allows) likewise.
    * A query parameter that is an integer beyond 64 bits (no column, cursor or limit
      can hold it; SQLite raised OverflowError): 400 ``invalid_parameter``.

    The body is held only for JSON requests, which FastAPI reads whole anyway; uploads
    and file writes stream through untouched. Only a body with a surrogate escape is
    parsed here, so the common case costs one regular-expression scan.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        name = _oversized_integer(scope.get("query_string", b""))
        if name is not None:
            await _send_problem(
                send,
                400,
                "invalid_parameter",
                f"query parameter {name!r} is out of range: integers lie within "
                f"-{INT64_MAX + 1} and {INT64_MAX}",
                parameter=name,
            )
            return
        if scope["method"] not in _BODY_METHODS or not _is_json(scope):
            await self.app(scope, receive, send)
            return
        try:
            messages = await _read_body(receive)
        except RequestTooLargeError as exc:
            await _send_problem(send, 413, "request_too_large", str(exc.detail))
            return
        body = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.request")
        problem = invalid_unicode(body)
        if problem is not None:
            await _send_problem(send, 422, "invalid_unicode", problem)
            return
        await self.app(scope, _replay(body, messages, receive), send)


def _is_json(scope: Scope) -> bool:
    for name, value in scope["headers"]:
        if name == b"content-type":
            media: bytes = value.split(b";", 1)[0].strip().lower()
            return media == b"application/json" or (
                media.startswith(b"application/") and media.endswith(b"+json")
            )
    return False


def _oversized_integer(query: bytes) -> str | None:
    """The first query parameter holding an integer that does not fit 64 bits."""
    if not query:
        return None
    for name, value in parse_qsl(query.decode("latin-1"), keep_blank_values=True):
        match = _INTEGER.match(value)
        if match and (len(match[1]) > 19 or int(match[1]) > INT64_MAX):
            return name
    return None


async def _read_body(receive: Receive) -> list[Message]:
    """Every message of the request body (ending early on a disconnect)."""
    messages: list[Message] = []
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request" or not message.get("more_body", False):
            return messages


def _replay(body: bytes, messages: list[Message], receive: Receive) -> Receive:
    """A receive that hands the held body to the app as one message, then carries on."""
    pending: list[Message] = [{"type": "http.request", "body": body, "more_body": False}]
    if messages[-1]["type"] != "http.request":
        pending.append(messages[-1])  # the client left mid-body: the app hears it too

    async def replayed() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()

    return replayed


def invalid_unicode(body: bytes) -> str | None:
    """Why ``body`` (JSON) is not Unicode text, or None when it is (or is not JSON at all:
    the route's own parsing then reports the syntax error)."""
    try:
        text = body.decode(json.detect_encoding(body))
    except UnicodeDecodeError as exc:
        return f"the JSON body is not valid UTF-8 (byte {exc.start})"
    if not _SURROGATE_ESCAPE.search(body):
        return None
    try:
        document = json.loads(text)
    except (ValueError, RecursionError):
        return None
    stack: list[tuple[str, Any]] = [("body", document)]
    while stack:
        where, value = stack.pop()
        if isinstance(value, str) and not _encodable(value):
            return f"{where}: a lone UTF-16 surrogate is not text; send valid Unicode"
        if isinstance(value, dict):
            for key, item in value.items():
                if not _encodable(key):
                    return f"{where}: a key holds a lone UTF-16 surrogate; send valid Unicode"
                stack.append((f"{where}.{key}", item))
        elif isinstance(value, list):
            stack.extend((f"{where}.{index}", item) for index, item in enumerate(value))
    return None


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


SECURITY_HEADERS = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
)
# Scripts: only our own files and the inline scripts of the page itself (by hash, added per
# response); styles may be inline (Swagger UI and ReDoc inject theirs at run time).
HTML_POLICY = (
    "default-src 'none'; script-src 'self'{hashes}; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'{origins}; "
    "media-src 'self' blob:{origins}; worker-src 'self' blob:; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)
_INLINE_SCRIPT = re.compile(rb"<script(\s[^>]*)?>(.*?)</script\s*>", re.DOTALL | re.IGNORECASE)
_SRC_ATTRIBUTE = re.compile(rb"\ssrc\s*=", re.IGNORECASE)


class SecurityHeadersMiddleware:
    """Browser hardening headers on every response, whoever produced it.

    ``nosniff``, ``no-referrer`` (a signed URL or a session id in a page's address never
    leaks to another site) and ``DENY`` framing everywhere; ``Cache-Control: no-store`` on
    API answers that do not choose their own caching, since some carry API keys or
    candidate tokens; and on HTML pages a strict Content-Security-Policy whose only
    allowed inline scripts are the page's own, by hash: the page body is held until
    complete to compute them (HTML pages are small, generated documentation pages).
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        no_store_prefixes: tuple[str, ...] = ("/api/",),
        object_origins: tuple[str, ...] = (),
    ) -> None:
        """``object_origins``: where the object store's signed URLs point (an S3 endpoint),
        which pages must reach to upload a recording and play a video."""
        self.app = app
        self.no_store_prefixes = no_store_prefixes
        self.object_origins = object_origins

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        no_store = scope["path"].startswith(self.no_store_prefixes)
        held: Message | None = None
        chunks: list[bytes] = []

        async def send_secured(message: Message) -> None:
            nonlocal held
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS:
                    headers.append(name.decode(), value.decode())
                if no_store and "cache-control" not in headers:
                    headers.append("Cache-Control", "no-store")
                if headers.get("content-type", "").startswith("text/html"):
                    held = message  # sent once the body, and so its scripts, is known
                    return
            elif held is not None and message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if message.get("more_body", False):
                    return
                body = b"".join(chunks)
                policy = html_policy(body, self.object_origins)
                MutableHeaders(scope=held)["Content-Security-Policy"] = policy
                await send(held)
                await send({"type": "http.response.body", "body": body})
                return
            await send(message)

        await self.app(scope, receive, send_secured)


def html_policy(page: bytes, object_origins: tuple[str, ...] = ()) -> str:
    """The Content-Security-Policy of an HTML page: its inline scripts allowed by hash,
    the object store's origins allowed for uploads (connect) and playback (media)."""
    hashes = []
    for attributes, script in _INLINE_SCRIPT.findall(page):
        if attributes and _SRC_ATTRIBUTE.search(attributes):
            continue  # an external file: 'self' covers it
        digest = base64.b64encode(hashlib.sha256(script).digest()).decode()
        hashes.append(f" 'sha256-{digest}'")
    origins = "".join(f" {origin}" for origin in object_origins)
    return HTML_POLICY.format(hashes="".join(dict.fromkeys(hashes)), origins=origins)


def _incoming_request_id(scope: Scope) -> str | None:
    for name, value in scope["headers"]:
        if name == b"x-request-id":
            text = value.decode("latin-1")
            return text if _VALID_REQUEST_ID.match(text) else None
    return None


def _declared_length(scope: Scope) -> int:
    for name, value in scope["headers"]:
        if name == b"content-length":
            return int(value) if value.isdigit() else 0
    return 0


def _capped_receive(receive: Receive, limit: int) -> Receive:
    """Count streamed body bytes (chunked uploads carry no Content-Length)."""
    received = 0

    async def capped() -> Message:
        nonlocal received
        message = await receive()
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            if received > limit:
                raise RequestTooLargeError(limit)
        return message

    return capped


async def _send_problem(send: Send, status: int, code: str, detail: str, **extra: Any) -> None:
    response = problem_response(status, code, detail, **extra)
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": response.raw_headers,
        }
    )
    await send({"type": "http.response.body", "body": response.body})
