"""A local OpenAI-compatible audio server backed by the real offline engines.

``POST /v1/audio/transcriptions`` decodes the uploaded file and transcribes it with Whisper;
``POST /v1/audio/speech`` synthesizes with Piper, resampled to the 24 kHz 16-bit PCM the
API's ``pcm`` format promises, and streams it one clause per HTTP chunk. This is what local
OpenAI-compatible servers (speaches, whisper.cpp's server, vLLM) do, so the OpenAI adapters
are tested over real HTTP, with the official SDK, on real speech: the same contract suites
as the offline adapters, not a canned reply.

``requests`` records each request's path and form fields (or JSON body) for assertions;
``fail_next(status)`` makes the next request answer an OpenAI error body.
"""

from __future__ import annotations

import email.parser
import email.policy
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, NamedTuple, Self

from interviewkit.speech.audio import AudioError, decode_bytes, resample
from interviewkit.speech.ports import SpeechToText, TextToSpeech

TRANSCRIPTIONS = "/v1/audio/transcriptions"
SPEECH = "/v1/audio/speech"
PCM_RATE = 24_000


class AudioRequest(NamedTuple):
    path: str
    fields: dict[str, Any]
    """Form fields (a repeated field such as ``timestamp_granularities[]`` as a list) or the
    JSON body; an uploaded file as ``{"filename", "content_type", "size"}``."""


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    fake: FakeOpenAIAudio


class FakeOpenAIAudio:
    """``with FakeOpenAIAudio(stt, tts) as server: openai.OpenAI(base_url=server.base_url)``."""

    def __init__(self, stt: SpeechToText, tts: TextToSpeech) -> None:
        self.stt = stt
        self.tts = tts
        self.requests: list[AudioRequest] = []
        self._failures: list[int] = []
        self._lock = threading.Lock()
        self._httpd: _Server | None = None
        self.base_url = ""

    def __enter__(self) -> Self:
        httpd = _Server(("127.0.0.1", 0), _Handler)
        httpd.fake = self
        self._httpd = httpd
        self.base_url = f"http://127.0.0.1:{httpd.server_address[1]}/v1"
        threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.02}).start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()

    def fail_next(self, status: int) -> None:
        with self._lock:
            self._failures.append(status)

    def _take_failure(self) -> int | None:
        with self._lock:
            return self._failures.pop(0) if self._failures else None


def parse_form(content_type: str, body: bytes) -> dict[str, Any]:
    """A multipart/form-data body as fields; files as their bytes under ``name + ":bytes"``."""
    head = f"Content-Type: {content_type}\r\n\r\n".encode()
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
    fields: dict[str, Any] = {}
    for part in message.iter_parts():
        name = str(part.get_param("name", header="content-disposition"))
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        filename = part.get_filename()
        if filename is not None:
            fields[name] = {
                "filename": filename,
                "content_type": part.get_content_type(),
                "size": len(data),
            }
            fields[name + ":bytes"] = data
        elif name.endswith("[]"):
            fields.setdefault(name, []).append(data.decode())
        else:
            fields[name] = data.decode()
    return fields


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    @property
    def fake(self) -> FakeOpenAIAudio:
        assert isinstance(self.server, _Server)
        return self.server.fake

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("content-length") or 0))
        path = self.path.split("?", 1)[0]
        content_type = self.headers.get("content-type", "")
        if content_type.startswith("multipart/form-data"):
            fields = parse_form(content_type, body)
        else:
            fields = json.loads(body or b"{}")
        shown = {k: v for k, v in fields.items() if not k.endswith(":bytes")}
        self.fake.requests.append(AudioRequest(path, shown))
        failure = self.fake._take_failure()
        if failure is not None:
            self._json(failure, {"error": {"message": "scripted", "type": "server_error"}})
        elif path == TRANSCRIPTIONS:
            self._transcribe(fields)
        elif path == SPEECH:
            self._speak(fields)
        else:
            self._json(404, {"error": {"message": f"no route {path}", "type": "not_found"}})

    def _transcribe(self, fields: dict[str, Any]) -> None:
        try:
            audio = decode_bytes(fields.get("file:bytes", b""))
        except AudioError as exc:
            self._json(400, {"error": {"message": str(exc), "type": "invalid_request_error"}})
            return
        result = self.fake.stt.transcribe(audio, prompt=fields.get("prompt"))
        words = [{"word": w.text, "start": w.start, "end": w.end} for w in result.words]
        if fields.get("response_format") != "verbose_json":
            self._json(200, {"text": result.text})
            return
        payload = {
            "task": "transcribe",
            "language": "english",
            "duration": result.duration_s,
            "text": result.text,
            "segments": [],
        }
        if "word" in fields.get("timestamp_granularities[]", []):
            payload["words"] = words
        self._json(200, payload)

    def _speak(self, fields: dict[str, Any]) -> None:
        if fields.get("response_format") != "pcm":
            self._json(400, {"error": {"message": "only pcm here", "type": "invalid_request"}})
            return
        self.send_response(200)
        self.send_header("content-type", "audio/pcm")
        self.send_header("transfer-encoding", "chunked")
        self.send_header("connection", "close")
        self.end_headers()
        for data in self._pcm(str(fields.get("input", ""))):
            self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
            self.wfile.flush()
        self.wfile.write(b"0\r\n\r\n")
        self.close_connection = True

    def _pcm(self, text: str) -> Iterator[bytes]:
        for chunk in self.fake.tts.synthesize(text):
            yield resample(chunk, self.fake.tts.sample_rate, PCM_RATE).astype("<i2").tobytes()

    def _json(self, status: int, payload: dict[str, Any]) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.send_header("connection", "close")
        self.end_headers()
        self.wfile.write(data)
        self.close_connection = True
