"""What the browser tests drive: a real server process, the staff API, and the room's page.

The server is ``interviewkit serve`` in a subprocess (SQLite in its data dir, the fake LLM
server as its Anthropic provider) that a test may kill and start again on the same port
and data dir, as a crash and a restart would. The browser reaches it through a
:class:`~tests.browser.proxy.TcpProxy`, so a test can also cut the network alone.
"""

from __future__ import annotations

import json
import re
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit, urlunsplit

import httpx
from playwright.sync_api import Locator, Page, expect

from tests.conftest import TEST_SECRET
from tests.server import INTERVIEWKIT, clean_env, free_port

STARTUP_SECONDS = 60.0
# what the room shows (docs/live-protocol.md; the data-testid hooks)
SAVED = "Saved"
OFFLINE = "Offline"
EDITOR_CONTENT = "[data-testid=editor] .cm-content, .cm-content[data-testid=editor]"
# the text of a CodeMirror document, line by line (textContent skips the <br> of empty lines)
DOCUMENT_TEXT = """(element) => Array.from(element.querySelectorAll('.cm-line'))
    .map((line) => line.textContent).join('\\n')"""


@dataclass
class RoomServer:
    """``interviewkit serve`` on a fixed port and data dir; :meth:`kill` + :meth:`start`
    is a crash and a restart."""

    data_dir: Path
    log_path: Path
    env: dict[str, str]
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    _log: IO[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def command(self, *args: str) -> list[str]:
        return [str(INTERVIEWKIT), "--data-dir", str(self.data_dir), *args]

    def environment(self) -> dict[str, str]:
        return clean_env(INTERVIEWKIT_SECRET_KEY=TEST_SECRET, **self.env)

    def admin_key(self) -> str:
        """An admin API key from the CLI, as the README bootstraps one."""
        subprocess.run(
            self.command("db", "upgrade"), env=self.environment(), check=True, capture_output=True
        )
        done = subprocess.run(
            self.command("keys", "create", "--name", "browser", "--role", "admin", "--quiet"),
            env=self.environment(),
            capture_output=True,
            text=True,
            check=True,
        )
        return done.stdout.strip()

    def create_key(self, name: str, role: str = "interviewer") -> str:
        """Another API key from the CLI (the database is migrated by :meth:`admin_key`)."""
        done = subprocess.run(
            self.command("keys", "create", "--name", name, "--role", role, "--quiet"),
            env=self.environment(),
            capture_output=True,
            text=True,
            check=True,
        )
        return done.stdout.strip()

    def start(self) -> None:
        self._log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            self.command("serve", "--host", "127.0.0.1", "--port", str(self.port)),
            env=self.environment(),
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        self._wait_until_healthy()

    def kill(self) -> None:
        """SIGKILL: no graceful close of any connection, as a crash."""
        self._end(signal.SIGKILL)

    def stop(self) -> None:
        self._end(signal.SIGTERM)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def _end(self, how: signal.Signals) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(how)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self._log is not None:
            self._log.close()
            self._log = None

    def _wait_until_healthy(self) -> None:
        assert self.process is not None
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited early:\n{self.log()[-4000:]}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"the server did not become healthy:\n{self.log()[-4000:]}")


@dataclass
class Invite:
    session_id: str
    token: str
    url: str | None
    """The room's URL as the invite answered it (None if the server gave none)."""

    def room_url(self, base_url: str) -> str:
        """The invite's room URL moved onto ``base_url`` (the proxy); built from the
        documented shape ``/room/{id}#token=…`` when the invite had no ``url``."""
        if self.url is None:
            return f"{base_url}/room/{self.session_id}#token={self.token}"
        parts = urlsplit(self.url)
        base = urlsplit(base_url)
        return urlunsplit((base.scheme, base.netloc, parts.path, parts.query, parts.fragment))


class Staff:
    """The interviewer-facing HTTP API, with an admin key: what the tests check against."""

    def __init__(self, base_url: str, key: str) -> None:
        self.http = httpx.Client(
            base_url=base_url, headers={"Authorization": f"Bearer {key}"}, timeout=30
        )

    def close(self) -> None:
        self.http.close()

    def _ok(self, response: httpx.Response) -> Any:
        assert response.is_success, f"{response.url}: {response.status_code} {response.text}"
        return response.json()

    def create_session(self, **body: Any) -> str:
        """A session (e.g. ``problem_id="two-sum", language="python"`` or ``template_id``)."""
        body.setdefault("config", {"time_limit_minutes": 30})
        created = self._ok(self.http.post("/api/v1/sessions", json=body))
        return str(created["id"])

    def invite(self, session_id: str) -> Invite:
        answer = self._ok(
            self.http.post(f"/api/v1/sessions/{session_id}/invite", json={"ttl_seconds": 3600})
        )
        return Invite(session_id, answer["token"], answer.get("url"))

    def files(self, session_id: str) -> dict[str, str]:
        """Every file's content, as the files API shows them to the interviewer."""
        listing = self._ok(self.http.get(f"/api/v1/sessions/{session_id}/files"))
        return {item["path"]: self.file(session_id, item["path"]) for item in listing["files"]}

    def file(self, session_id: str, path: str) -> str:
        answer = self._ok(self.http.get(f"/api/v1/sessions/{session_id}/files{path}"))
        return str(answer["content"])

    def events(self, session_id: str) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        following: int | None = 1
        while following is not None:
            page = self._ok(
                self.http.get(f"/api/v1/sessions/{session_id}/events?from_seq={following}")
            )
            found += page["events"]
            following = page["next_from_seq"]
        return found

    def replay_final(self, session_id: str) -> dict[str, str]:
        """The workspace the recording replays to at its last moment."""
        answer = self._ok(
            self.http.get(f"/api/v1/sessions/{session_id}/replay", params={"at_ms": 10**12 - 1})
        )
        return dict(answer["files"])

    def wait_for_file(self, session_id: str, path: str, content: str, timeout: float = 15) -> str:
        """Poll the files API until ``path`` holds ``content`` (the room saves asynchronously);
        return what it held last, so a failing assertion shows the difference."""
        deadline = time.monotonic() + timeout
        seen = self.file(session_id, path)
        while seen != content and time.monotonic() < deadline:
            time.sleep(0.1)
            seen = self.file(session_id, path)
        return seen


# ---- the room's page ------------------------------------------------------------------------


def editor(page: Page) -> Locator:
    """The editable CodeMirror content element inside ``data-testid=editor``."""
    return page.locator(EDITOR_CONTENT).first


def editor_text(page: Page) -> str:
    return str(editor(page).evaluate(DOCUMENT_TEXT))


def wait_for_text(page: Page, expected: str, timeout_ms: float = 15_000) -> None:
    """Wait until the editor's document is exactly ``expected`` (others' edits are pushed)."""
    page.wait_for_function(
        f"""(expected) => {{
            const content = document.querySelector({json.dumps(EDITOR_CONTENT)});
            return content !== null && ({DOCUMENT_TEXT})(content) === expected;
        }}""",
        arg=expected,
        timeout=timeout_ms,
    )


def wait_saved(page: Page, timeout: float = 15_000) -> None:
    expect(page.get_by_test_id("connection-status")).to_have_text(
        re.compile(rf"^\s*{SAVED}\s*$"), timeout=timeout
    )


def open_room(page: Page, url: str) -> None:
    """Open the invite link and wait until the editor is there and everything is saved."""
    page.goto(url)
    expect(editor(page)).to_be_visible(timeout=15_000)
    wait_saved(page)


def replace_document(page: Page, text: str) -> None:
    """Select everything in the editor and put ``text`` in its place in one input (as an
    IME or a fast typist would): no auto-indent or bracket closing gets in between."""
    editor(page).click()
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.insert_text(text)


def type_at_end(page: Page, text: str, delay_ms: float = 20) -> None:
    """Real keystrokes at the end of the document, one key at a time."""
    editor(page).click()
    page.keyboard.press("ControlOrMeta+End")
    page.keyboard.type(text, delay=delay_ms)


def pretty(value: Any) -> str:
    return json.dumps(value, indent=2, default=str)
