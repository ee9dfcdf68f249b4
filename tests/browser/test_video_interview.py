"""The issue's "done when": staff create a video interview in the browser, a candidate
records and uploads an answer per question in Chromium, and the report shows what the
analysis computed.

The candidate's camera and microphone are Chromium's fake devices playing a ground-truth
clip (a real face photo facing the camera, Piper speech); the server is ``interviewkit
serve`` with its database task queue, real ffmpeg, Whisper and the face analysis: nothing
is mocked. The second answer goes up in parts (the single-PUT limit is set below its
size) and its first part request is cut once: the page retries it and completes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Locator,
    Request,
    Response,
    Route,
    expect,
    sync_playwright,
)

from tests.browser.chromium import CHROMIUM
from tests.browser.conftest import VIEWPORT, Console, Room, failed, keep_artifacts, serving_room
from tests.browser.staff import sign_in
from tests.browser.video_fixture import (
    QuestionForm,
    chromium_args,
    create_interview,
    fake_capture,
    make_invite,
    on_base,
    record_answer,
    wait_analyzed,
)
from tests.conftest import unavailable
from tests.fakes.llm_server import FakeLLM

SINGLE_UPLOAD_BYTES = 500_000
"""Answers above this go up in parts: the 5 s answer below it, the 20 s answer above it
(measured here: a 10 s answer is ~680 KB, about 0.55 Mbit/s, where the page lets
MediaRecorder use up to 1 Mbit/s)."""
PLAYABLE = """(video) => new Promise((done) => {
    if (video.readyState >= 1) return done(video.duration);
    video.addEventListener('loadedmetadata', () => done(video.duration));
    video.addEventListener('error', () => done(-1));
    setTimeout(() => done(-2), 20000);
})"""
"""The video's length once its metadata loaded; -1 refused, -2 never loaded."""
QUESTIONS = [
    QuestionForm("Tell me about a project you led.", max_answer_s=5, keywords=["team", "billing"]),
    QuestionForm("What was the result?", max_answer_s=20, keywords=["payments"]),
]


@pytest.fixture(scope="module")
def room(tmp_path_factory: pytest.TempPathFactory, llm: FakeLLM) -> Iterator[Room]:
    """The server with the video pages, its task queue in the database, small uploads."""
    settings = {
        "INTERVIEWKIT_TASK_BACKEND": "database",
        "INTERVIEWKIT_VIDEO_SINGLE_UPLOAD_BYTES": str(SINGLE_UPLOAD_BYTES),
        "INTERVIEWKIT_VIDEO_PART_BYTES": str(5 * 1024 * 1024),
        "INTERVIEWKIT_VIDEO_GRADE_WITH_LLM": "false",
    }
    with serving_room(tmp_path_factory.mktemp("video-room"), llm, settings) as serving:
        yield serving


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    """Chromium whose camera and microphone play the ground-truth clip."""
    if not CHROMIUM.exists():
        unavailable("Chromium", f"{CHROMIUM} is missing (apt-get install chromium)")
    y4m, wav = fake_capture(tmp_path_factory.mktemp("capture"))
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=chromium_args(y4m, wav), headless=True
        )
        yield launched
        launched.close()


def _context(
    browser: Browser, room: Room, console: Console, request: pytest.FixtureRequest, allow: bool
) -> Iterator[BrowserContext]:
    permissions = ["camera", "microphone"] if allow else []
    made = browser.new_context(viewport=VIEWPORT, permissions=permissions)  # type: ignore[arg-type]
    made.on("page", console.watch)
    try:
        yield made
    finally:
        if failed(request):
            keep_artifacts(request.node.nodeid, made, console, room)
        made.close()


@pytest.fixture
def allowed(
    browser: Browser, room: Room, console: Console, request: pytest.FixtureRequest
) -> Iterator[BrowserContext]:
    yield from _context(browser, room, console, request, allow=True)


@pytest.fixture
def candidate_side(
    browser: Browser, room: Room, console: Console, request: pytest.FixtureRequest
) -> Iterator[BrowserContext]:
    """The candidate's own browser profile (no staff cookie), camera allowed."""
    yield from _context(browser, room, console, request, allow=True)


@pytest.fixture
def refused(
    browser: Browser, room: Room, console: Console, request: pytest.FixtureRequest
) -> Iterator[BrowserContext]:
    yield from _context(browser, room, console, request, allow=False)


def staff_api(room: Room) -> httpx.Client:
    return room.staff.http


def canvas_drawn(scope: Locator, testid: str) -> bool:
    """Whether the chart's canvas has ink on it (uPlot drew lines, not just a frame)."""
    return bool(
        scope.get_by_test_id(testid)
        .first.locator("canvas")
        .evaluate(
            """(canvas) => {
                const { width, height } = canvas;
                const data = canvas.getContext('2d').getImageData(0, 0, width, height).data;
                let inked = 0;
                for (let i = 3; i < data.length; i += 4) if (data[i] > 0) inked++;
                return canvas.width > 0 && inked > 500;
            }"""
        )
    )


def test_staff_create_a_video_interview_a_candidate_records_it_and_the_report_shows_metrics(
    room: Room, allowed: BrowserContext, candidate_side: BrowserContext
) -> None:
    admin_key = room.server.create_key("video-staff")
    staff = allowed.new_page()
    sign_in(staff, room.base_url, admin_key, "/staff/video")
    interview_id = create_interview(
        staff, "Behavioural screen", "Ada Lovelace", "ada@example.com", QUESTIONS
    )
    expect(staff.get_by_test_id("video-detail-title")).to_have_text("Behavioural screen")
    invite_url = on_base(make_invite(staff), room.base_url)
    staff.get_by_test_id("nav-video").click()
    row = staff.locator(f'[data-testid=video-row][data-interview-id="{interview_id}"]')
    expect(row.get_by_test_id("video-row-status")).to_have_text("invited")
    row.get_by_role("link").click()
    expect(staff.get_by_test_id("video-detail-title")).to_have_text("Behavioural screen")

    candidate = candidate_side.new_page()
    uploads: list[dict[str, Any]] = []

    def seen(response: Response) -> None:
        if response.request.method == "POST" and re.search(r"/uploads$", response.url):
            sent = response.request.post_data_json or {}
            uploads.append({**response.json(), "size_bytes": sent.get("size_bytes")})

    candidate.on("response", seen)
    candidate.goto(invite_url)
    expect(candidate.get_by_test_id("question-text")).to_have_text(QUESTIONS[0].text)
    assert "#token=" not in candidate.url  # moved out of the address bar
    page_html = candidate.content()
    for question in QUESTIONS:
        for keyword in question.keywords:
            assert keyword not in page_html

    record_answer(candidate, QUESTIONS[0].max_answer_s)
    candidate.get_by_test_id("next").click()
    expect(candidate.get_by_test_id("question-text")).to_have_text(QUESTIONS[1].text)

    cut: list[str] = []

    def cut_first_part(route: Route, request: Request) -> None:
        if request.method == "PUT" and not cut:
            cut.append(request.url)
            route.abort("connectionreset")
        else:
            route.continue_()

    candidate.route("**/*", cut_first_part)
    record_answer(candidate, QUESTIONS[1].max_answer_s)
    candidate.unroute("**/*")
    assert len(cut) == 1, "the second answer's first part was cut once"
    sizes = [(upload["mode"], upload["size_bytes"]) for upload in uploads]
    assert [mode for mode, _ in sizes] == ["single", "multipart"], sizes

    done = wait_analyzed(staff_api(room), interview_id, answers=2)
    assert [a["status"] for a in done["answers"]] == ["analyzed", "analyzed"], done
    expect(candidate.get_by_test_id("analysis")).to_have_attribute(
        "data-status", "analyzed", timeout=30_000
    )

    # the interviewer's page, open all along, followed on the session's live channel
    expect(staff.get_by_test_id("video-detail-page")).to_have_attribute("data-live", "open")
    rows = staff.get_by_test_id("video-answer-row")
    expect(rows).to_have_count(2)
    for i in range(2):
        expect(rows.nth(i)).to_have_attribute("data-status", "analyzed", timeout=15_000)
    expect(rows.first.get_by_test_id("video-answer-score")).to_have_text(re.compile(r"^\d+$"))
    staff.get_by_test_id("open-video-report").click()
    answers = staff.get_by_test_id("video-report-answer")
    expect(answers).to_have_count(2, timeout=30_000)
    expect(staff.locator("body")).to_have_attribute("data-charts-ready", "4", timeout=30_000)
    for i in range(2):
        answer = answers.nth(i)
        expect(answer.get_by_test_id("transcript").locator(".word").first).to_be_visible()
        face = answer.get_by_test_id("metric-face-present").inner_text()
        assert int(face.rstrip("%")) > 50, face
        expect(answer.get_by_test_id("metric-wpm")).to_have_text(re.compile(r"^\d+$"))
        expect(answer.get_by_test_id("answer-video")).to_be_visible()
        # the converted MP4 really loads (the page's policy lets media come from the store)
        duration = answer.get_by_test_id("answer-video").evaluate(PLAYABLE)
        assert 0 < duration <= QUESTIONS[i].max_answer_s + 1, duration
        assert canvas_drawn(answer, "chart-attention")
        assert canvas_drawn(answer, "chart-speech")
    # a word seeks the video to where it was said
    first = answers.first
    words = first.get_by_test_id("transcript").locator(".word")
    word = words.nth(min(3, words.count() - 1))
    word.click()
    seeked = first.get_by_test_id("answer-video").evaluate("(v) => v.currentTime")
    assert seeked > 0 or word.get_attribute("title", timeout=1000) == "0:00"
    # printed: no videos or buttons, the charts redrawn at the paper's width
    staff.emulate_media(media="print")
    canvases = staff.locator(".video-chart canvas")
    widths: list[float] = []
    for _ in range(50):  # the charts redraw on the media change, a frame or two later
        widths = canvases.evaluate_all("(all) => all.map((c) => c.getBoundingClientRect().width)")
        if widths == [678] * 4:
            break
        staff.wait_for_timeout(100)
    assert widths == [678] * 4, widths  # the print CSS's 680 px box less its border
    expect(first.get_by_test_id("answer-video")).to_be_hidden()
    expect(staff.get_by_test_id("video-report-print")).to_be_hidden()
    staff.emulate_media(media="screen")
    # the JSON the records API serves agrees with the page
    record = staff_api(room).get(f"/api/v1/video/records/{done['answers'][0]['answer_id']}").json()
    assert record["analysis"]["transcript"]["words"]
    assert record["analysis"]["video_metrics"]["face_present_ratio"] > 0.5


def test_a_template_fills_the_question_rows_which_stay_editable(
    room: Room, allowed: BrowserContext
) -> None:
    """Choosing "Start from a template" fills the rows from the API's template; an edited
    row is what the interview gets (it is created from the rows)."""
    staff = allowed.new_page()
    sign_in(staff, room.base_url, room.server.create_key("video-template"), "/staff/video")
    form = staff.get_by_test_id("new-video-form")
    form.get_by_test_id("video-template").select_option("new-grad-intro")
    rows = form.locator("#video-questions").get_by_test_id("question-row")
    expect(rows).to_have_count(4)
    expect(rows.first.get_by_test_id("question-text")).to_have_value(re.compile("^Introduce"))
    expect(rows.first.get_by_test_id("question-keywords")).to_have_value(re.compile("my part"))
    expect(form.get_by_test_id("video-title")).to_have_value("New graduate introduction")
    expect(form.get_by_test_id("video-template-description")).to_be_visible()
    rows.nth(3).get_by_test_id("question-text").fill("Why us?")
    form.get_by_test_id("create-video").click()
    staff.wait_for_url(re.compile(r"/staff/video/vid_\w+"))
    made = staff_api(room).get(f"/api/v1/video/interviews/{staff.url.split('/')[-1].split('?')[0]}")
    questions = made.json()["questions"]
    assert len(questions) == 4
    assert questions[3]["text"] == "Why us?"
    assert "my part" in questions[0]["keywords"]


def test_a_refused_camera_is_explained(room: Room, refused: BrowserContext) -> None:
    made = staff_api(room).post(
        "/api/v1/video/interviews",
        json={"title": "Refused", "questions": [{"text": "Hello?", "max_answer_s": 10}]},
    )
    assert made.status_code == 201, made.text
    invite = staff_api(room).post(f"/api/v1/video/interviews/{made.json()['id']}/invite", json={})
    page = refused.new_page()
    page.goto(on_base(invite.json()["url"], room.base_url))
    expect(page.get_by_test_id("question-text")).to_have_text("Hello?")
    page.get_by_test_id("ready").click()
    message = page.get_by_test_id("video-message")
    expect(message).to_be_visible()
    expect(message).to_contain_text("blocked")
    expect(page.get_by_test_id("video-app")).to_have_attribute("data-permission", "denied")
    expect(page.get_by_test_id("stop")).to_be_hidden()


def test_an_upload_cut_off_resumes_after_a_reload_without_recording_again(
    room: Room, candidate_side: BrowserContext
) -> None:
    made = staff_api(room).post(
        "/api/v1/video/interviews",
        json={
            "title": "Resume",
            "questions": [{"text": "Go on.", "thinking_s": 0, "max_answer_s": 12}],
        },
    )
    assert made.status_code == 201, made.text
    interview_id = made.json()["id"]
    invite = staff_api(room).post(f"/api/v1/video/interviews/{interview_id}/invite", json={})
    page = candidate_side.new_page()
    asked: list[str] = []
    page.on(
        "request",
        lambda request: asked.append(f"{request.method} {request.url.split('?')[0]}"),
    )
    page.route(
        "**/*",
        lambda route, request: (
            route.abort("internetdisconnected") if request.method == "PUT" else route.continue_()
        ),
    )
    page.goto(on_base(invite.json()["url"], room.base_url))
    page.get_by_test_id("ready").click()
    expect(page.get_by_test_id("review")).to_be_visible(timeout=40_000)
    page.get_by_test_id("submit").click()
    # every try fails: after its retries the page keeps the recording and offers a retry
    expect(page.get_by_test_id("retry-upload")).to_be_visible(timeout=60_000)
    expect(page.get_by_test_id("video-message")).to_contain_text("Your recording is kept")
    puts = [line for line in asked if line.startswith("PUT ")]
    assert len(puts) == 6, puts  # the first try and five retries
    page.unroute("**/*")
    asked.clear()
    page.reload()
    # the kept recording goes up after the reload: no new attempt, the server asked first
    expect(page.get_by_test_id("analysis")).to_be_visible(timeout=60_000)
    assert not [line for line in asked if line.startswith("POST ") and line.endswith("/uploads")]
    assert any(line.startswith("GET ") and "/uploads/" in line for line in asked), asked
    answer = staff_api(room).get(f"/api/v1/video/interviews/{interview_id}/answers/0").json()
    assert answer["attempt"] == 1
    assert answer["status"] in {"queued", "processing", "analyzed"}
