"""A candidate talks to the voice interviewer in the room, through Chromium's microphone.

Chromium's fake capture device plays a WAV file as the microphone
(``--use-file-for-fake-audio-capture``): the candidate's words are synthesized at test
time with the Piper voice the project ships (no recording is committed), after a few
seconds of silence, and played once (``%noloop``). The page resamples them to 16 kHz in its
AudioWorklet and streams them over the live channel to the real server with its real
engines (Silero, Whisper, Piper): nothing is mocked. The microphone permission is granted
or refused through the browser context, as a person would in the prompt.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect, sync_playwright

from tests.browser.chromium import CHROMIUM, CHROMIUM_ARGS
from tests.browser.conftest import (
    VIEWPORT,
    Console,
    Room,
    failed,
    keep_artifacts,
    serving_room,
)
from tests.browser.harness import (
    editor,
    editor_text,
    open_room,
    replace_document,
    wait_saved,
)
from tests.browser.staff import sign_in
from tests.conftest import unavailable
from tests.fakes.llm_server import FakeLLM
from tests.voice.audio_fixtures import microphone_wav

SAID = "Could you repeat the question?"
LEAD_S = 6.0
"""Silence before the words: the greeting starts meanwhile (speaking over it is barge-in,
which works too, but the greeting's captions are asserted first)."""
TAIL_S = 3.0
SPOKEN_TIMEOUT_MS = 90_000
"""Engines load on the first start (a few seconds), then real-time speech and replies."""


def candidate_wav(folder: Path) -> Path:
    """The candidate's words as Chromium's microphone will play them (16 kHz PCM16 WAV)."""
    return microphone_wav(folder, SAID, LEAD_S, TAIL_S)


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    """Chromium whose microphone plays the candidate's words once (this module's only)."""
    if not CHROMIUM.exists():
        unavailable("Chromium", f"{CHROMIUM} is missing (apt-get install chromium)")
    wav = candidate_wav(tmp_path_factory.mktemp("voice"))
    args = [
        *CHROMIUM_ARGS,
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-audio-capture={wav}%noloop",
        "--autoplay-policy=no-user-gesture-required",
    ]
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=args, headless=True
        )
        yield launched
        launched.close()


def make_context(
    browser: Browser,
    room: Room,
    console: Console,
    request: pytest.FixtureRequest,
    permissions: list[str],
) -> Iterator[BrowserContext]:
    made = browser.new_context(viewport=VIEWPORT, permissions=permissions)  # type: ignore[arg-type]
    made.on("page", console.watch)
    try:
        yield made
    finally:
        if failed(request):
            keep_artifacts(request.node.nodeid, made, console, room)
        made.close()
        room.heal()


@pytest.fixture
def allowed(
    browser: Browser, room: Room, console: Console, request: pytest.FixtureRequest
) -> Iterator[BrowserContext]:
    """A candidate who allows the microphone."""
    yield from make_context(browser, room, console, request, ["microphone"])


@pytest.fixture
def refused(
    browser: Browser, room: Room, console: Console, request: pytest.FixtureRequest
) -> Iterator[BrowserContext]:
    """A candidate who refuses the microphone (no permission granted: the prompt is denied)."""
    yield from make_context(browser, room, console, request, [])


def recorded(room: Room, session_id: str, kind: str, timeout: float = 60) -> list[dict[str, Any]]:
    """The session's recorded events of ``kind``, waiting until there is one."""
    deadline = time.monotonic() + timeout
    while True:
        found = [e for e in room.staff.events(session_id) if e["type"] == kind]
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.5)


def captions(page: Page, speaker: str) -> Locator:
    return page.get_by_test_id("voice-captions").locator(f'[data-speaker="{speaker}"]')


@pytest.fixture
def staff(browser: Browser, room: Room, console: Console) -> Iterator[Page]:
    """An interviewer signed in, in a browser context of their own."""
    made = browser.new_context(viewport=VIEWPORT)  # type: ignore[arg-type]
    made.on("page", console.watch)
    page = made.new_page()
    sign_in(page, room.base_url, room.server.create_key("Grace Hopper", "interviewer"))
    try:
        yield page
    finally:
        made.close()


def test_a_candidate_talks_to_the_interviewer_and_a_spoken_command_works(
    room: Room, allowed: BrowserContext, staff: Page
) -> None:
    invite = room.new_session()
    # the interviewer watches live from the start
    staff.goto(f"{room.base_url}/sessions/{invite.session_id}/live")
    expect(staff.get_by_test_id("live-connection")).to_have_text("Live", timeout=15_000)
    page = allowed.new_page()
    open_room(page, invite.room_url(room.base_url))
    panel = page.get_by_test_id("voice-panel")
    expect(panel).to_contain_text("Voice interviewer")
    page.get_by_test_id("voice-toggle").click()

    # the microphone is live and says so, in red, while the interviewer greets
    expect(page.get_by_test_id("voice-recording")).to_have_text(
        re.compile(r"^Recording"), timeout=SPOKEN_TIMEOUT_MS
    )
    expect(page.get_by_test_id("voice-toggle")).to_have_text("Stop voice")
    expect(captions(page, "interviewer").first).to_be_visible(timeout=SPOKEN_TIMEOUT_MS)
    greeting = captions(page, "interviewer").first.inner_text()
    assert greeting.strip(), "the greeting has words"

    # the candidate's words, heard through the worklet at 16 kHz, come back as a final line
    said = captions(page, "candidate").filter(has_text=re.compile(r"repeat", re.I))
    expect(said.first).to_be_visible(timeout=SPOKEN_TIMEOUT_MS)
    expect(said.first).to_have_attribute("data-final", "true", timeout=SPOKEN_TIMEOUT_MS)
    assert re.search(r"repeat\W+the\W+question", said.first.inner_text(), re.I)
    # the words came while the interviewer was still presenting: it stopped (barge-in)
    cut = page.locator('[data-testid="voice-caption"].interviewer.interrupted')
    expect(cut.first).to_be_visible(timeout=15_000)

    # ... and act as the command they are: recorded, and the interviewer says the question again
    commands = recorded(room, invite.session_id, "voice_command")
    assert [c["command"] for c in commands] == ["repeat"], commands
    assert "repeat" in (commands[0]["said"] or "").lower(), "recorded with the words said"
    spoken = recorded(room, invite.session_id, "transcript")
    speakers = {e["speaker"] for e in spoken}
    assert speakers == {"candidate", "interviewer"}, spoken
    count = captions(page, "interviewer").count()
    assert count >= 2, "the interviewer answered the command with speech"

    page.get_by_test_id("voice-toggle").click()
    expect(page.get_by_test_id("voice-toggle")).to_have_text("Start voice")
    expect(page.get_by_test_id("voice-recording")).to_be_hidden()

    # the live view showed both speakers and the command as they were recorded
    live = staff.get_by_test_id("live-voice")
    expect(live.locator('[data-speaker="candidate"]')).to_contain_text(re.compile("repeat", re.I))
    expect(live.locator('[data-speaker="interviewer"]').first).to_be_visible()
    expect(live.locator('[data-kind="command"]')).to_contain_text("question again")
    # the replay lists them, on a Voice lane and in the conversation, each seeking to its moment
    staff.goto(f"{room.base_url}/sessions/{invite.session_id}/replay")
    conversation = staff.get_by_test_id("replay-voice")
    expect(conversation.locator('[data-speaker="candidate"]')).to_contain_text(
        re.compile("repeat", re.I), timeout=15_000
    )
    expect(staff.locator('.timeline .mark[data-kind="voice"]').first).to_be_visible()
    line = conversation.locator('[data-speaker="candidate"]').first
    line.click()
    moment = int(line.get_attribute("data-t") or "0")
    staff.wait_for_function(f"() => Math.abs(window.__replay.atMs - {moment}) < 1", timeout=15_000)


def test_a_refused_microphone_is_explained_and_the_room_keeps_working(
    room: Room, refused: BrowserContext
) -> None:
    invite = room.new_session()
    page = refused.new_page()
    open_room(page, invite.room_url(room.base_url))
    page.get_by_test_id("voice-toggle").click()

    message = page.get_by_test_id("voice-message")
    expect(message).to_be_visible(timeout=15_000)
    expect(message).to_contain_text(re.compile(r"denied", re.I))
    expect(page.get_by_test_id("voice-recording")).to_be_hidden()
    expect(page.get_by_test_id("voice-toggle")).to_have_text("Start voice")

    # the editor and the Run button work as before
    code = "class Solution:\n    def twoSum(self, nums, target):\n        return [0, 1]\n"
    replace_document(page, code)
    wait_saved(page)
    assert room.staff.file(invite.session_id, "/solution.py") == code
    page.get_by_test_id("run-button").click()
    expect(page.get_by_test_id("test-results")).to_contain_text("example-1", timeout=30_000)
    expect(editor(page)).to_be_visible()


def test_push_to_talk_sends_nothing_until_held(room: Room, allowed: BrowserContext) -> None:
    invite = room.new_session()
    page = allowed.new_page()
    open_room(page, invite.room_url(room.base_url))
    page.locator("label", has_text="Push to talk").click()
    expect(page.get_by_test_id("voice-mode-push-to-talk")).to_be_checked()
    page.get_by_test_id("voice-toggle").click()
    recording = page.get_by_test_id("voice-recording")
    expect(recording).to_have_text("Hold to talk", timeout=SPOKEN_TIMEOUT_MS)
    expect(recording).to_have_attribute("data-state", "paused")
    expect(page.get_by_test_id("voice-talk")).to_be_visible()
    expect(captions(page, "interviewer").first).to_be_visible(timeout=SPOKEN_TIMEOUT_MS)

    # the microphone plays the words meanwhile; nobody holds the key, so none reach the server
    page.wait_for_timeout((LEAD_S + TAIL_S + 2) * 1000)
    expect(captions(page, "candidate")).to_have_count(0)
    said = [
        e
        for e in room.staff.events(invite.session_id)
        if e["type"] == "transcript" and e["speaker"] == "candidate"
    ]
    assert said == [], said

    # Space outside the editor talks while held; in the editor it types a space
    page.get_by_test_id("problem").focus()
    page.keyboard.down(" ")
    expect(recording).to_have_text("Recording")
    expect(page.get_by_test_id("voice-talk")).to_have_attribute("aria-pressed", "true")
    page.keyboard.up(" ")
    expect(recording).to_have_text("Hold to talk")
    before = editor_text(page)
    editor(page).click()
    page.keyboard.press("End")
    page.keyboard.press(" ")
    expect(recording).to_have_text("Hold to talk")
    assert len(editor_text(page)) == len(before) + 1, "the space went into the code"


@pytest.fixture(scope="module")
def voiceless(tmp_path_factory: pytest.TempPathFactory, llm: FakeLLM) -> Iterator[Room]:
    """A second server, whose operator turned the voice interviewer off."""
    folder = tmp_path_factory.mktemp("voiceless")
    with serving_room(folder, llm, {"INTERVIEWKIT_VOICE_ENABLED": "false"}) as serving:
        yield serving


def test_voice_turned_off_on_the_server_says_why(voiceless: Room, allowed: BrowserContext) -> None:
    invite = voiceless.new_session()
    page = allowed.new_page()
    open_room(page, invite.room_url(voiceless.base_url))
    page.get_by_test_id("voice-toggle").click()
    message = page.get_by_test_id("voice-message")
    expect(message).to_contain_text("Voice is unavailable", timeout=15_000)
    expect(message).to_contain_text("turned off")  # the server's own detail
    expect(page.get_by_test_id("voice-recording")).to_be_hidden()
    expect(page.get_by_test_id("voice-toggle")).to_have_text("Start voice")
    page.get_by_test_id("run-button").click()
    expect(page.get_by_test_id("test-results")).to_contain_text("example-1", timeout=30_000)
