"""A local OpenAI-compatible server that answers at once, for the assistant benchmark.

Only what ``ai_bench.py`` needs: ``GET /v1/models`` (the readiness probe) and streamed
``POST /v1/chat/completions`` (one chunk per word of "You said: <last user message>", then
the usage). The test suite has a fuller fake (errors, cuts, Anthropic) in ``tests/fakes``;
benchmarks do not import from ``tests/``.
"""

from __future__ import annotations

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self

MODEL = "fake-gpt"


def _answer(body: dict[str, Any]) -> str:
    users = [m for m in body.get("messages", []) if m.get("role") == "user"]
    said = " ".join(str(users[-1].get("content", "")).split()) if users else ""
    return f"You said: {said}" if said else "Hello from the stub."


def _chunk(choices: list[dict[str, Any]], usage: dict[str, int] | None = None) -> bytes:
    data = {
        "id": "chatcmpl-stub",
        "object": "chat.completion.chunk",
        "created": 0,
        "model": MODEL,
        "choices": choices,
        "usage": usage,
    }
    return f"data: {json.dumps(data)}\n\n".encode()


def _delta(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
    return {"index": 0, "delta": delta, "finish_reason": finish}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the benchmark prints its own progress."""

    def do_GET(self) -> None:
        models = {"object": "list", "data": [{"id": MODEL, "object": "model", "created": 0}]}
        payload = json.dumps(models).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def do_POST(self) -> None:
        length = int(self.headers.get("content-length", "0"))
        body = json.loads(self.rfile.read(length) or b"{}")
        answer = _answer(body)
        self.close_connection = True
        self.send_response(200)
        self.send_header("content-type", "text/event-stream; charset=utf-8")
        self.send_header("transfer-encoding", "chunked")
        self.send_header("connection", "close")
        self.end_headers()
        events = [_chunk([_delta({"role": "assistant", "content": ""})])]
        events += [_chunk([_delta({"content": w})]) for w in re.findall(r"\s*\S+\s*", answer)]
        events.append(_chunk([_delta({}, "stop")]))
        words = len(answer.split())
        usage = {"prompt_tokens": 10, "completion_tokens": words, "total_tokens": 10 + words}
        events += [_chunk([], usage), b"data: [DONE]\n\n"]
        for event in events:
            self.wfile.write(f"{len(event):x}\r\n".encode() + event + b"\r\n")
            self.wfile.flush()
        self.wfile.write(b"0\r\n\r\n")


class LLMStub:
    """``with LLMStub() as llm:`` serves on ``llm.base_url`` (append ``/v1``) until exit."""

    def __init__(self) -> None:
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.server.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Self:
        self.thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.server.shutdown()
        self.server.server_close()
