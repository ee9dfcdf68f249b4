"""What a browser does on the video interview pages, shared by the browser test and the
screenshots bench (``bench/video_screenshots.py``), so both drive the pages the same way.

The candidate's camera and microphone are Chromium's fake devices playing a ground-truth
clip (``tests/video/clips.py``: a real face photo on a background, Piper speech at known
times) written as ``.y4m`` and ``.wav``; Chromium loops both. Only Playwright, httpx and
the clip builder are imported: the bench imports this module without pytest.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
from playwright.sync_api import Page, expect

from tests.browser.chromium import CHROMIUM_ARGS
from tests.video.clips import SHORT_SPEECH, ClipSpec, Segment, write_fake_capture

CAPTURE_SPEC = ClipSpec(script=(Segment("present", 10.0),), speech=SHORT_SPEECH, fps=15)
"""The fake camera: a face facing the camera the whole time, two spoken sentences."""
ANALYSIS_TIMEOUT_S = 420.0
"""Conversion, Whisper and the frame analysis of two short answers on a shared 2-core box."""


@dataclass
class QuestionForm:
    text: str
    thinking_s: int = 1
    max_answer_s: int = 10
    attempts: int = 2
    keywords: list[str] = field(default_factory=list)


def fake_capture(folder: Path) -> tuple[Path, Path]:
    """The y4m and wav Chromium plays as the camera and the microphone."""
    return write_fake_capture(CAPTURE_SPEC, folder)


def chromium_args(y4m: Path, wav: Path) -> list[str]:
    """Fake devices from files; the permission itself is the browser context's."""
    return [
        *CHROMIUM_ARGS,
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-video-capture={y4m}",
        f"--use-file-for-fake-audio-capture={wav}",
        "--autoplay-policy=no-user-gesture-required",
    ]


def on_base(url: str, base_url: str) -> str:
    """``url`` moved onto ``base_url`` (the invite names the server; the browser may go
    through a proxy)."""
    parts, base = urlsplit(url), urlsplit(base_url)
    return urlunsplit((base.scheme, base.netloc, parts.path, parts.query, parts.fragment))


def create_interview(
    page: Page, title: str, name: str, email: str, questions: list[QuestionForm]
) -> str:
    """Fill the new-interview form on ``/staff/video`` and submit it; the new id."""
    form = page.get_by_test_id("new-video-form")
    form.get_by_test_id("video-title").fill(title)
    form.get_by_test_id("video-candidate-name").fill(name)
    form.get_by_test_id("video-candidate-email").fill(email)
    for i, question in enumerate(questions):
        if i:
            form.get_by_test_id("add-question").click()
        row = form.locator("#video-questions").get_by_test_id("question-row").nth(i)
        row.get_by_test_id("question-text").fill(question.text)
        row.get_by_test_id("question-thinking").fill(str(question.thinking_s))
        row.get_by_test_id("question-max-answer").fill(str(question.max_answer_s))
        row.get_by_test_id("question-attempts").fill(str(question.attempts))
        row.get_by_test_id("question-keywords").fill(", ".join(question.keywords))
    form.get_by_test_id("create-video").click()
    page.wait_for_url(re.compile(r"/staff/video/vid_[A-Za-z0-9_]+(\?.*)?$"))
    found = re.search(r"/staff/video/(vid_[A-Za-z0-9_]+)", page.url)
    assert found, page.url
    return found.group(1)


def make_invite(page: Page) -> str:
    """On an interview's page: a new invite link, as the page shows it for copying."""
    page.get_by_test_id("invite-make").click()
    field_ = page.get_by_test_id("invite-url")
    expect(field_).to_have_value(re.compile(r"/video/vid_\w+#token="))
    expect(page.get_by_test_id("invite-copy")).to_be_enabled()
    return str(field_.input_value())


def record_answer(page: Page, max_answer_s: float) -> None:
    """The current question: think, record until the page stops itself, review, submit
    (with the keyboard, where the page moved the focus)."""
    page.get_by_test_id("ready").click()
    expect(page.get_by_test_id("phase")).to_have_attribute("data-phase", "recording")
    # the recording stops itself at the question's longest answer
    expect(page.get_by_test_id("review")).to_be_visible(timeout=(max_answer_s + 15) * 1000)
    expect(page.get_by_test_id("phase")).to_have_attribute("data-phase", "review")
    # the keyboard follows: the pressed buttons hid, focus moved on to Submit
    expect(page.get_by_test_id("submit")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("analysis")).to_be_visible(timeout=120_000)


def wait_analyzed(api: httpx.Client, interview_id: str, answers: int) -> dict[str, Any]:
    """Poll the staff API until ``answers`` answers are analysed (or one failed)."""
    deadline = time.monotonic() + ANALYSIS_TIMEOUT_S
    while True:
        found: dict[str, Any] = api.get(f"/api/v1/video/interviews/{interview_id}").json()
        states = [answer["status"] for answer in found.get("answers", [])]
        assert "failed" not in states, found
        if states.count("analyzed") >= answers or time.monotonic() > deadline:
            return found
        time.sleep(2)
