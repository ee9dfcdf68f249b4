"""Fixtures of the browser tests: a real server, a proxy in front of it, real Chromium.

One server (``interviewkit serve`` with SQLite, the fake LLM as its provider) and one
Chromium per test module, a fresh browser context per test. Debian's ``/usr/bin/chromium``
is launched by path (``playwright install`` downloads a browser and fails here); when it
is missing the tests skip, or fail under INTERVIEWKIT_REQUIRE_SERVICES=1.

A failing test leaves, in ``tests/browser/artifacts/``, a screenshot of each page it had
open, the pages' console output and the end of the server's log.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, sync_playwright

from tests.browser.chromium import CHROMIUM, launch
from tests.browser.harness import Invite, RoomServer, Staff
from tests.browser.proxy import TcpProxy
from tests.conftest import unavailable
from tests.fakes.llm_server import FakeLLM

ARTIFACTS = Path(__file__).parent / "artifacts"
VIEWPORT = {"width": 1280, "height": 800}


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Keep each phase's report on the item, so fixtures can tell that the test failed."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


def failed(request: pytest.FixtureRequest) -> bool:
    report = getattr(request.node, "report_call", None)
    return report is None or report.failed


# ---- the server ---------------------------------------------------------------------------


@dataclass
class Room:
    """The server, the proxy the browser goes through, and the staff API."""

    server: RoomServer
    proxy: TcpProxy
    staff: Staff
    llm: FakeLLM

    @property
    def base_url(self) -> str:
        """Where the browser goes: the proxy."""
        return self.proxy.url

    def new_session(self, **body: Any) -> Invite:
        """A Two Sum session in Python (unless ``body`` says otherwise) and its invite."""
        if not body:
            body = {"problem_id": "two-sum", "language": "python", "candidate_name": "Ada"}
        return self.staff.invite(self.staff.create_session(**body))

    def heal(self) -> None:
        """Undo what a failed test may have left: the network cut, the server down."""
        self.proxy.restore()
        if self.server.process is None or self.server.process.poll() is not None:
            self.server.start()


def server_settings(llm: FakeLLM, public_url: str) -> dict[str, str]:
    return {
        "INTERVIEWKIT_PUBLIC_URL": public_url,
        "INTERVIEWKIT_SQLITE_SYNCHRONOUS": "NORMAL",
        "INTERVIEWKIT_LOG_LEVEL": "INFO",  # access logs too: the token must not be in them
        "INTERVIEWKIT_LLM_PROVIDER": "anthropic",
        "INTERVIEWKIT_ANTHROPIC_API_KEY": "test-key",
        "INTERVIEWKIT_ANTHROPIC_BASE_URL": llm.base_url,
        "INTERVIEWKIT_ANTHROPIC_MODEL": "fake-claude",
        "INTERVIEWKIT_LLM_RETRY_BASE_S": "0.01",
        "INTERVIEWKIT_AI_MESSAGES_PER_MINUTE": "50",
    }


@contextmanager
def serving_room(
    folder: Path, llm: FakeLLM, extra_env: dict[str, str] | None = None
) -> Iterator[Room]:
    """A real server behind its proxy, its admin key's staff client, stopped afterwards;
    ``extra_env``: settings over :func:`server_settings` (a test module's own server)."""
    server = RoomServer(folder / "data", folder / "server.log", {})
    proxy = TcpProxy(server.port).start()
    server.env = {**server_settings(llm, proxy.url), **(extra_env or {})}
    key = server.admin_key()
    server.start()
    staff = Staff(server.url, key)
    try:
        yield Room(server, proxy, staff, llm)
    finally:
        staff.close()
        server.stop()
        proxy.stop()


@pytest.fixture(scope="module")
def room(tmp_path_factory: pytest.TempPathFactory, llm: FakeLLM) -> Iterator[Room]:
    with serving_room(tmp_path_factory.mktemp("room"), llm) as serving:
        yield serving


# ---- the browser --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        unavailable("Chromium", f"{CHROMIUM} is missing (apt-get install chromium)")
    with sync_playwright() as playwright:
        launched = launch(playwright)
        yield launched
        launched.close()


@dataclass
class Console:
    """What the pages of one test printed (kept for the failure artifacts)."""

    lines: list[str]

    def watch(self, page: Page) -> None:
        def log(message: ConsoleMessage) -> None:
            self.lines.append(f"{page.url} [{message.type}] {message.text}")

        page.on("console", log)
        page.on("pageerror", lambda error: self.lines.append(f"{page.url} [pageerror] {error}"))


@pytest.fixture
def console() -> Console:
    return Console([])


@pytest.fixture
def context(
    browser: Browser, room: Room, console: Console, request: pytest.FixtureRequest
) -> Iterator[BrowserContext]:
    """A fresh context (cold cache, no storage) per test; artifacts if the test failed."""
    made = browser.new_context(viewport=VIEWPORT)  # type: ignore[arg-type]
    made.on("page", console.watch)
    try:
        yield made
    finally:
        if failed(request):
            keep_artifacts(request.node.nodeid, made, console, room)
        made.close()
        room.heal()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


def keep_artifacts(nodeid: str, context: BrowserContext, console: Console, room: Room) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", nodeid.split("::", 1)[-1])
    for index, page in enumerate(context.pages):
        try:
            page.screenshot(path=str(ARTIFACTS / f"{stem}-{index}.png"), full_page=True)
        except Exception as exc:  # a crashed page must not hide the test's own failure
            console.lines.append(f"screenshot {index} failed: {exc}")
    (ARTIFACTS / f"{stem}-console.txt").write_text("\n".join(console.lines) + "\n")
    (ARTIFACTS / f"{stem}-server.log").write_text(room.server.log()[-200_000:])
