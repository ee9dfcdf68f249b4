"""A local HTTP server speaking the Anthropic Messages and OpenAI Chat Completions protocols.

Meant for end-to-end tests of code that uses the official ``anthropic`` and ``openai`` SDKs
over real HTTP::

    with FakeLLM() as server:
        server.script(reply("Hello there"), fail(429, retry_after=3), cut("a b c", after_chunks=2))
        client = anthropic.Anthropic(base_url=server.base_url, api_key="test", max_retries=0)
        ...
        path, body, headers = server.requests[0]

Endpoints: ``POST /v1/messages`` (Anthropic, JSON or SSE when ``"stream": true``),
``POST /v1/messages/count_tokens`` (Anthropic), ``POST /v1/chat/completions`` (OpenAI, JSON or
SSE), ``GET /v1/models`` (a list both SDKs parse). The OpenAI SDK needs ``base_url`` ending in
``/v1``; the Anthropic SDK takes the bare ``server.base_url``.

Scripted behaviours are consumed one per generation request (``/v1/messages`` and
``/v1/chat/completions`` share the queue); ``/v1/models`` and ``count_tokens`` never consume
one. With an empty queue the server answers with :func:`default_text` of the request.

Streams use HTTP/1.1 chunked transfer encoding, one chunk per SSE event, so a :func:`cut`
(connection closed before the terminating zero-length chunk) is seen by the client as an
incomplete body, like a dropped connection to the real API. Every response carries
``Connection: close``.
"""

from __future__ import annotations

import json
import re
import socket
import sys
import threading
from collections import deque
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, NamedTuple, Self

ANTHROPIC_MESSAGES = "/v1/messages"
ANTHROPIC_COUNT_TOKENS = "/v1/messages/count_tokens"
OPENAI_CHAT = "/v1/chat/completions"
MODELS = "/v1/models"

DEFAULT_MODELS = ("fake-claude", "fake-gpt")
CREATED = 1_735_689_600  # 2025-01-01T00:00:00Z, a fixed timestamp keeps answers deterministic

# ---- behaviours ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Reply:
    """Answer ``text``; token counts default to word counts of the request and the text."""

    text: str
    input_tokens: int | None = None
    output_tokens: int | None = None
    stop_reason: str = "end_turn"
    chunk_delay: float = 0.0


@dataclass(frozen=True)
class Fail:
    """Answer HTTP ``status`` with an error body in the protocol's format."""

    status: int
    retry_after: str | None = None
    body: Mapping[str, Any] | str | None = None
    message: str | None = None


@dataclass(frozen=True)
class Cut:
    """Stream ``after_chunks`` chunks of ``text``, then close the connection abruptly."""

    text: str
    after_chunks: int = 1


@dataclass(frozen=True)
class Delay:
    """Wait ``seconds`` before answering, then behave as ``then`` (a default reply if None)."""

    seconds: float
    then: Behaviour | None = None


@dataclass(frozen=True, eq=False)
class Hold:
    """Wait until ``release`` is set, then behave as ``then`` (a default reply if None).

    Lets a test hold requests at the provider for as long as it needs (e.g. until every
    concurrent request was either admitted or refused) without guessing a duration;
    ``timeout`` seconds bound the wait so that a broken test cannot hang the run.
    """

    release: threading.Event
    then: Behaviour | None = None
    timeout: float = 30.0


Behaviour = Reply | Fail | Cut | Delay | Hold


def reply(
    text: str,
    *,
    input_tokens: int | None = None,
    output_tokens: int | None = None,
    stop_reason: str = "end_turn",
    chunk_delay: float = 0.0,
) -> Reply:
    """Answer ``text`` (split into :func:`split_chunks` when streaming).

    ``stop_reason`` is Anthropic's (``end_turn``, ``max_tokens``, ...); OpenAI gets the matching
    ``finish_reason`` (``max_tokens`` -> ``length``, anything else -> ``stop``).
    ``chunk_delay`` seconds pass between streamed chunks.
    """
    return Reply(text, input_tokens, output_tokens, stop_reason, chunk_delay)


def fail(
    status: int,
    retry_after: float | str | None = None,
    body: Mapping[str, Any] | str | None = None,
    *,
    message: str | None = None,
) -> Fail:
    """Answer HTTP ``status``; ``body`` (a mapping sent as JSON, or raw text) replaces the
    protocol's standard error body; ``retry_after`` adds a ``retry-after`` header."""
    header = None if retry_after is None else _retry_after_header(retry_after)
    return Fail(status, header, body, message)


def cut(text: str, after_chunks: int = 1) -> Cut:
    """Stream the first ``after_chunks`` chunks of ``text`` then drop the connection without
    the terminating events. A non-streaming request is dropped before any response."""
    if after_chunks < 0:
        raise ValueError("after_chunks must be >= 0")
    return Cut(text, after_chunks)


def delay(seconds: float, then: Behaviour | str | None = None) -> Delay:
    """Wait ``seconds`` before answering, then behave as ``then`` (default reply if None)."""
    return Delay(seconds, _as_behaviour(then) if then is not None else None)


def hold(release: threading.Event, then: Behaviour | str | None = None) -> Hold:
    """Answer only once ``release`` is set, then behave as ``then`` (default reply if None)."""
    return Hold(release, _as_behaviour(then) if then is not None else None)


def split_chunks(text: str) -> list[str]:
    """How replies are streamed: one chunk per word, each with its trailing whitespace."""
    return re.findall(r"\s*\S+\s*", text) or [text]


def words(text: str) -> int:
    return len(text.split())


def _retry_after_header(value: float | str) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _as_behaviour(value: Behaviour | str) -> Behaviour:
    return reply(value) if isinstance(value, str) else value


# ---- request inspection -------------------------------------------------------------------


class RecordedRequest(NamedTuple):
    """One request as received: unpacks as ``path, body, headers``.

    ``body`` is the parsed JSON object (``{}`` for a request without one); ``headers`` has
    lower-cased names.
    """

    path: str
    body: dict[str, Any]
    headers: dict[str, str]


def _content_text(content: Any) -> str:
    """The text of a message ``content``: a string or a list of text blocks/parts."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        texts = [
            str(part.get("text", ""))
            for part in content
            if isinstance(part, dict) and isinstance(part.get("text"), str)
        ]
        return " ".join(texts)
    return ""


def request_text(body: Mapping[str, Any]) -> str:
    """All prompt text in a request of either protocol (system prompt plus messages)."""
    parts = [_content_text(body.get("system"))]
    messages = body.get("messages")
    if isinstance(messages, list):
        parts += [_content_text(m.get("content")) for m in messages if isinstance(m, dict)]
    return " ".join(part for part in parts if part)


def last_user_text(body: Mapping[str, Any]) -> str:
    messages = body.get("messages")
    if isinstance(messages, list):
        for message in reversed(messages):
            if isinstance(message, dict) and message.get("role") == "user":
                return _content_text(message.get("content"))
    return ""


def default_text(body: Mapping[str, Any]) -> str:
    """The reply when nothing is scripted: echoes the last user message."""
    said = " ".join(last_user_text(body).split())
    return f"You said: {said}" if said else "Hello from FakeLLM."


# ---- the server ---------------------------------------------------------------------------


class _ClientGone(Exception):
    """The client closed the connection while we were answering."""


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    fake: FakeLLM

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Record instead of printing a traceback; FakeLLM.errors makes them assertable.
        error = sys.exc_info()[1]
        if error is not None and not isinstance(error, ConnectionError | _ClientGone):
            self.fake.errors.append(error)


class FakeLLM:
    """A scripted fake of the Anthropic and OpenAI HTTP APIs on ``127.0.0.1:<free port>``.

    Attributes: ``base_url`` (``http://127.0.0.1:PORT``, set by :meth:`start`/``with``),
    ``requests`` (every request received, in order, as :class:`RecordedRequest`),
    ``errors`` (unexpected exceptions raised in handler threads; a healthy run leaves it
    empty), ``models`` (the ids ``GET /v1/models`` lists; the default response model).
    """

    def __init__(self, *, models: tuple[str, ...] = DEFAULT_MODELS) -> None:
        self.models = models
        self.requests: list[RecordedRequest] = []
        self.errors: list[BaseException] = []
        self._queue: deque[Behaviour] = deque()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._counter = 0
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.base_url = ""

    # -- lifecycle --

    def start(self) -> Self:
        httpd = _HTTPServer(("127.0.0.1", 0), _Handler)
        httpd.fake = self
        self._httpd = httpd
        self.base_url = f"http://127.0.0.1:{httpd.server_address[1]}"
        self._stopping.clear()
        self._thread = threading.Thread(
            target=httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # interrupts delays so handler threads finish promptly
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()  # joins the handler threads
            self._httpd = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- scripting --

    def script(self, *behaviours: Behaviour | str) -> None:
        """Queue behaviours for the next generation requests (a str means ``reply(str)``)."""
        with self._lock:
            self._queue.extend(_as_behaviour(b) for b in behaviours)

    @property
    def pending(self) -> int:
        """How many scripted behaviours are still queued."""
        with self._lock:
            return len(self._queue)

    def reset(self) -> None:
        """Forget queued behaviours, recorded requests and errors."""
        with self._lock:
            self._queue.clear()
            self.requests.clear()
            self.errors.clear()

    @property
    def last_request(self) -> RecordedRequest:
        return self.requests[-1]

    # -- used by the handler --

    def _next_behaviour(self, body: Mapping[str, Any]) -> Behaviour:
        with self._lock:
            if self._queue:
                return self._queue.popleft()
        return reply(default_text(body))

    def _record(self, request: RecordedRequest) -> int:
        with self._lock:
            self.requests.append(request)
            self._counter += 1
            return self._counter

    def _sleep(self, seconds: float) -> None:
        if seconds > 0 and self._stopping.wait(seconds):
            raise _ClientGone  # server stopping: abandon the answer

    def _hold(self, release: threading.Event, timeout: float) -> None:
        waited = 0.0
        while not release.wait(0.05):
            waited += 0.05
            if self._stopping.is_set() or waited >= timeout:
                raise _ClientGone  # server stopping (or the test gave up): abandon the answer


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "FakeLLM/1.0"
    sys_version = ""
    timeout = 10  # socket timeout: a stalled client cannot hang shutdown forever
    _number = 0

    @property
    def fake(self) -> FakeLLM:
        assert isinstance(self.server, _HTTPServer)
        return self.server.fake

    def log_message(self, format: str, *args: Any) -> None:
        pass

    # -- plumbing --

    def _path(self) -> str:
        return self.path.split("?", 1)[0].rstrip("/") or "/"

    def _read_body(self) -> tuple[dict[str, Any], bool]:
        length = int(self.headers.get("content-length") or 0)
        raw = self.rfile.read(length) if length else b""
        if not raw:
            return {}, True
        try:
            parsed = json.loads(raw)
        except ValueError:
            return {}, False
        return (parsed, True) if isinstance(parsed, dict) else ({}, False)

    def _start(self, status: int, content_type: str, extra: Mapping[str, str]) -> None:
        self.close_connection = True
        self.send_response(status)
        self.send_header("content-type", content_type)
        self.send_header("connection", "close")
        self.send_header("request-id", f"req_fake_{self._number:04d}")
        self.send_header("x-request-id", f"req_fake_{self._number:04d}")
        for name, value in extra.items():
            self.send_header(name, value)

    def _send_json(
        self, status: int, payload: Mapping[str, Any] | str, extra: Mapping[str, str] | None = None
    ) -> None:
        data = (payload if isinstance(payload, str) else json.dumps(payload)).encode()
        self._start(status, "application/json", extra or {})
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self._write(data)

    def _write(self, data: bytes) -> None:
        try:
            self.wfile.write(data)
            self.wfile.flush()
        except OSError as error:
            raise _ClientGone from error

    def _start_stream(self) -> None:
        self._start(200, "text/event-stream; charset=utf-8", {"cache-control": "no-cache"})
        self.send_header("transfer-encoding", "chunked")
        self.end_headers()
        self._write(b"")  # end_headers already flushed; keeps error handling in one place

    def _send_chunk(self, data: str) -> None:
        encoded = data.encode()
        self._write(f"{len(encoded):x}\r\n".encode() + encoded + b"\r\n")

    def _end_stream(self) -> None:
        self._write(b"0\r\n\r\n")

    def _drop(self) -> None:
        """Close the connection now, without finishing the response."""
        self.close_connection = True
        try:
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    # -- dispatch --

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def _handle(self, method: str) -> None:
        path = self._path()
        body, valid = self._read_body() if method == "POST" else ({}, True)
        headers = {name.lower(): value for name, value in self.headers.items()}
        self._number = self.fake._record(RecordedRequest(path, body, headers))
        protocol = "openai" if path.startswith(OPENAI_CHAT) else "anthropic"
        try:
            if not valid:
                self._send_json(400, _error_body(protocol, 400, "Request body is not JSON"))
            elif method == "GET" and path == MODELS:
                self._send_json(200, self._models())
            elif method == "POST" and path == ANTHROPIC_COUNT_TOKENS:
                self._send_json(200, {"input_tokens": max(1, words(request_text(body)))})
            elif method == "POST" and path in (ANTHROPIC_MESSAGES, OPENAI_CHAT):
                self._generate(protocol, body, self.fake._next_behaviour(body))
            else:
                self._send_json(404, _error_body(protocol, 404, f"No route {method} {path}"))
        except _ClientGone:
            self.close_connection = True

    def _models(self) -> dict[str, Any]:
        data = [
            {
                "id": model,
                "type": "model",
                "object": "model",
                "display_name": model,
                "created_at": "2025-01-01T00:00:00Z",
                "created": CREATED,
                "owned_by": "fake-llm",
            }
            for model in self.fake.models
        ]
        return {
            "object": "list",
            "data": data,
            "has_more": False,
            "first_id": data[0]["id"] if data else None,
            "last_id": data[-1]["id"] if data else None,
        }

    def _generate(self, protocol: str, body: dict[str, Any], behaviour: Behaviour) -> None:
        while isinstance(behaviour, Delay | Hold):
            if isinstance(behaviour, Hold):
                self.fake._hold(behaviour.release, behaviour.timeout)
            else:
                self.fake._sleep(behaviour.seconds)
            behaviour = behaviour.then or reply(default_text(body))
        if isinstance(behaviour, Fail):
            self._fail(protocol, behaviour)
            return
        stream = body.get("stream") is True
        complete = isinstance(behaviour, Reply)
        if isinstance(behaviour, Cut):
            if not stream:
                self._drop()
                return
            chunks = split_chunks(behaviour.text)[: behaviour.after_chunks]
            answer = reply(behaviour.text)
        else:
            chunks = split_chunks(behaviour.text)
            answer = behaviour
        prompt_tokens = answer.input_tokens
        if prompt_tokens is None:
            prompt_tokens = max(1, words(request_text(body)))
        output_tokens = answer.output_tokens
        if output_tokens is None:
            output_tokens = words(answer.text)
        model = str(body.get("model") or self.fake.models[0])
        tokens = (prompt_tokens, output_tokens)
        if protocol == "anthropic":
            if not stream:
                self._send_json(200, _anthropic_message(self._number, model, answer, tokens))
                return
            events = _anthropic_events(self._number, model, answer, tokens, chunks, complete)
        else:
            if not stream:
                self._send_json(200, _openai_completion(self._number, model, answer, tokens))
                return
            usage = isinstance(body.get("stream_options"), dict) and bool(
                body["stream_options"].get("include_usage")
            )
            events = _openai_events(self._number, model, answer, tokens, chunks, complete, usage)
        self._stream(events, answer.chunk_delay, complete=complete)

    def _stream(self, events: Iterator[tuple[str, bool]], pause: float, *, complete: bool) -> None:
        """Send ``(sse_text, is_delta)`` events, pausing between deltas; then end the chunked
        body, or (``complete=False``) drop the connection without ending it."""
        self._start_stream()
        first = True
        for event, is_delta in events:
            if is_delta and not first:
                self.fake._sleep(pause)
            first = first and not is_delta
            self._send_chunk(event)
        if complete:
            self._end_stream()
        else:
            self._drop()

    def _fail(self, protocol: str, behaviour: Fail) -> None:
        extra = {} if behaviour.retry_after is None else {"retry-after": behaviour.retry_after}
        payload: Mapping[str, Any] | str
        if behaviour.body is not None:
            payload = behaviour.body
        else:
            payload = _error_body(protocol, behaviour.status, behaviour.message)
        self._send_json(behaviour.status, payload, extra)


# ---- wire formats -------------------------------------------------------------------------

ANTHROPIC_ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    402: "billing_error",
    403: "permission_error",
    404: "not_found_error",
    413: "request_too_large",
    429: "rate_limit_error",
    500: "api_error",
    504: "timeout_error",
    529: "overloaded_error",
}


def _openai_error_type(status: int) -> tuple[str, str | None]:
    if status == 429:
        return "requests", "rate_limit_exceeded"
    if status == 401:
        return "invalid_request_error", "invalid_api_key"
    if status >= 500:
        return "server_error", None
    return "invalid_request_error", None


def _error_body(protocol: str, status: int, message: str | None) -> dict[str, Any]:
    text = message or f"FakeLLM scripted error {status}"
    if protocol == "openai":
        kind, code = _openai_error_type(status)
        return {"error": {"message": text, "type": kind, "param": None, "code": code}}
    kind = ANTHROPIC_ERROR_TYPES.get(
        status, "api_error" if status >= 500 else "invalid_request_error"
    )
    return {"type": "error", "error": {"type": kind, "message": text}}


def _sse(event: str, **fields: Any) -> str:
    """An Anthropic SSE event: the ``event:`` name is repeated as the data's ``type``."""
    return f"event: {event}\ndata: {json.dumps({'type': event, **fields})}\n\n"


def _anthropic_usage(input_tokens: int, output_tokens: int) -> dict[str, Any]:
    return {
        "input_tokens": input_tokens,
        "output_tokens": output_tokens,
        "cache_creation_input_tokens": 0,
        "cache_read_input_tokens": 0,
    }


def _anthropic_message(
    number: int, model: str, answer: Reply, tokens: tuple[int, int]
) -> dict[str, Any]:
    return {
        "id": f"msg_fake_{number:04d}",
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": [{"type": "text", "text": answer.text}],
        "stop_reason": answer.stop_reason,
        "stop_sequence": None,
        "usage": _anthropic_usage(*tokens),
    }


def _anthropic_events(
    number: int,
    model: str,
    answer: Reply,
    tokens: tuple[int, int],
    chunks: list[str],
    complete: bool,
) -> Iterator[tuple[str, bool]]:
    start = _anthropic_message(number, model, answer, tokens)
    start.update(content=[], stop_reason=None, usage=_anthropic_usage(tokens[0], 1))
    yield _sse("message_start", message=start), False
    block = {"type": "text", "text": ""}
    yield _sse("content_block_start", index=0, content_block=block), False
    for chunk in chunks:
        delta = {"type": "text_delta", "text": chunk}
        yield _sse("content_block_delta", index=0, delta=delta), True
    if not complete:
        return
    yield _sse("content_block_stop", index=0), False
    stop = {"stop_reason": answer.stop_reason, "stop_sequence": None}
    yield _sse("message_delta", delta=stop, usage={"output_tokens": tokens[1]}), False
    yield _sse("message_stop"), False


def _finish_reason(stop_reason: str) -> str:
    return "length" if stop_reason == "max_tokens" else "stop"


def _openai_usage(prompt_tokens: int, completion_tokens: int) -> dict[str, int]:
    return {
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
        "total_tokens": prompt_tokens + completion_tokens,
    }


def _openai_completion(
    number: int, model: str, answer: Reply, tokens: tuple[int, int]
) -> dict[str, Any]:
    message = {"role": "assistant", "content": answer.text, "refusal": None}
    choice = {
        "index": 0,
        "message": message,
        "logprobs": None,
        "finish_reason": _finish_reason(answer.stop_reason),
    }
    return {
        "id": f"chatcmpl-fake-{number:04d}",
        "object": "chat.completion",
        "created": CREATED,
        "model": model,
        "choices": [choice],
        "usage": _openai_usage(*tokens),
        "system_fingerprint": None,
    }


def _openai_events(
    number: int,
    model: str,
    answer: Reply,
    tokens: tuple[int, int],
    chunks: list[str],
    complete: bool,
    include_usage: bool,
) -> Iterator[tuple[str, bool]]:
    def chunk(choices: list[dict[str, Any]], usage: dict[str, int] | None = None) -> str:
        data: dict[str, Any] = {
            "id": f"chatcmpl-fake-{number:04d}",
            "object": "chat.completion.chunk",
            "created": CREATED,
            "model": model,
            "system_fingerprint": None,
            "choices": choices,
        }
        if include_usage:
            data["usage"] = usage
        return f"data: {json.dumps(data)}\n\n"

    def choice(delta: dict[str, Any], finish_reason: str | None = None) -> dict[str, Any]:
        return {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}

    yield chunk([choice({"role": "assistant", "content": "", "refusal": None})]), False
    for text in chunks:
        yield chunk([choice({"content": text})]), True
    if not complete:
        return
    yield chunk([choice({}, _finish_reason(answer.stop_reason))]), False
    if include_usage:
        yield chunk([], _openai_usage(*tokens)), False
    yield "data: [DONE]\n\n", False


__all__ = [
    "DEFAULT_MODELS",
    "Behaviour",
    "Cut",
    "Delay",
    "Fail",
    "FakeLLM",
    "RecordedRequest",
    "Reply",
    "cut",
    "default_text",
    "delay",
    "fail",
    "last_user_text",
    "reply",
    "request_text",
    "split_chunks",
    "words",
]
