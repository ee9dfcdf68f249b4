"""Structured logs, request ids, Prometheus metrics and the request-body limit.

One pure-ASGI middleware does all per-request bookkeeping (Starlette's BaseHTTPMiddleware
costs a task per request). Logs carry the request id and never headers, query strings or
bodies, so tokens, signed-URL signatures and file contents stay out of them.
"""

from __future__ import annotations

import logging
import re
import sys
import time
import uuid
from contextvars import ContextVar
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram
from pythonjsonlogger.json import JsonFormatter
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


def configure_logging(level: str = "INFO", fmt: str = "json") -> None:
    """JSON lines on stderr (or plain lines for a console), each with its request id."""
    handler = logging.StreamHandler(sys.stderr)
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
