"""An interviewer's side of an interview, in the browser, as one journey: sign in with a
key, create a session from a template, send the invite, watch the candidate type live and
leave a private note, see their run's verdict, end the session, replay it (seek, play,
timeline), score it, and open and print the report. Plus what guards the pages: no page
without signing in, signing out ends the session cookie, no cookie write without CSRF.

Two browser contexts share one server: the interviewer's and the candidate's (no cookies,
storage or cache in common, as two people's browsers).
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote, urlsplit

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from interviewkit.problems.bank import load_bank
from tests.browser.conftest import ARTIFACTS, VIEWPORT, Console, Room, failed, keep_artifacts
from tests.browser.harness import open_room, replace_document, type_at_end, wait_saved
from tests.browser.pdf import pdf_text, squeeze
from tests.browser.staff import (
    LIVE_EDITOR,
    REPLAY_EDITOR,
    csrf_token,
    document_text,
    drag_seek,
    sign_in,
    wait_for_document,
    wait_for_document_containing,
)

INTERVIEWER = "Grace Hopper"
CANDIDATE = "Ada Lovelace"
EMAIL = "ada.lovelace@example.com"
TEMPLATE = "new-grad-30"
NOTE = "Private: jumped to brute force first, ask about complexity"
FIRST_IDEA = "# first idea: try every pair\n"
TYPED_LIVE = "# now a hash map"


@pytest.fixture(scope="module")
def staff_key(room: Room) -> str:
    """An interviewer's key made with the CLI, as an admin hands one out."""
    return room.server.create_key(INTERVIEWER, "interviewer")


@pytest.fixture
def candidate(
    browser: Browser, room: Room, console: Console, request: pytest.FixtureRequest
) -> Iterator[Page]:
    """The candidate's browser: a second context, nothing shared with the interviewer's."""
    made = browser.new_context(viewport=VIEWPORT)  # type: ignore[arg-type]
    made.on("page", console.watch)
    try:
        yield made.new_page()
    finally:
        if failed(request):
            keep_artifacts(request.node.nodeid + "-candidate", made, console, room)
        made.close()


def session_id_of(page: Page) -> str:
    found = re.search(r"/sessions/(ses_[A-Za-z0-9_-]+)", page.url)
    assert found, f"not a session's page: {page.url}"
    return found.group(1)


def wait_for_note(page: Page, room: Room, session_id: str, tries: int = 50) -> list[str]:
    """The session's recorded notes, once there is one (a note is sent over the channel)."""
    notes: list[str] = []
    for _ in range(tries):
        notes = [e.get("text", "") for e in room.staff.events(session_id) if e["type"] == "note"]
        if notes:
            break
        page.wait_for_timeout(100)
    return notes


def choose_speed(page: Page, speed: int) -> None:
    """Pick ``speed`` times in the replay's speed control, whatever its option values are."""
    control = page.get_by_test_id("replay-speed")
    values = control.locator("option").evaluate_all(
        "(options) => options.map((option) => [option.value, option.textContent.trim()])"
    )
    wanted = [value for value, label in values if re.fullmatch(rf"{speed}\s*[\u00d7x]?", label)]
    assert wanted, f"no {speed}x among {values}"
    control.select_option(wanted[0])


def moment_of_last_edit(events: list[dict[str, Any]]) -> int:
    edits = [event for event in events if event["type"] in {"edit", "file_written"}]
    assert edits, "the candidate's typing is recorded"
    return int(edits[-1]["t_ms"])


# ---- the journey ---------------------------------------------------------------------------


def test_an_interviewer_runs_an_interview_from_invite_to_printed_report(
    room: Room, context: BrowserContext, candidate: Page, staff_key: str
) -> None:
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=room.base_url)
    page = context.new_page()

    # signed in through the login form, the sessions list is the home page
    sign_in(page, room.base_url, staff_key)
    expect(page.get_by_text(INTERVIEWER).first).to_be_visible()

    # a session from a template, for a named candidate
    form = page.get_by_test_id("new-session")
    form.get_by_test_id("new-session-choice").select_option(f"template:{TEMPLATE}")
    form.get_by_test_id("new-session-name").fill(CANDIDATE)
    form.get_by_test_id("new-session-email").fill(EMAIL)
    form.get_by_test_id("new-session-language").select_option("python")
    form.get_by_test_id("new-session-submit").click()
    page.wait_for_url(re.compile(r"/sessions/ses_"))
    session_id = session_id_of(page)
    created = room.staff.http.get(f"/api/v1/sessions/{session_id}").json()
    assert created["template_id"] == TEMPLATE
    assert created["candidate_name"] == CANDIDATE
    problem = load_bank().problems[created["problem_id"]]

    # the invite link, copied with one click
    invite = page.get_by_test_id("invite-link")
    link = invite.input_value()
    assert link.startswith(room.base_url + "/room/"), link
    page.get_by_test_id("copy-invite").click()
    assert page.evaluate("navigator.clipboard.readText()") == link

    # the live view is open before the candidate arrives
    page.get_by_test_id("open-live").click()
    page.wait_for_url(re.compile(rf"/sessions/{session_id}/live$"))
    expect(page.get_by_test_id("live-editor")).to_be_visible()

    open_room(candidate, link)
    first = FIRST_IDEA + problem.starter["python"]
    replace_document(candidate, first)
    wait_saved(candidate)
    wait_for_document(page, LIVE_EDITOR, first)
    type_at_end(candidate, TYPED_LIVE, delay_ms=60)
    wait_for_document_containing(page, LIVE_EDITOR, TYPED_LIVE)
    expect(page.get_by_test_id("peer-caret").first).to_be_attached()
    wait_saved(candidate)
    typed_events = room.staff.events(session_id)
    before_solution = moment_of_last_edit(typed_events)
    text_then = room.staff.http.get(
        f"/api/v1/sessions/{session_id}/replay", params={"at_ms": before_solution}
    ).json()["files"]
    assert any(TYPED_LIVE in content for content in text_then.values())

    # a private note: stored, shown to staff, never to the candidate
    page.get_by_test_id("live-note").fill(NOTE)
    page.get_by_test_id("live-note").press("ControlOrMeta+Enter")
    expect(page.locator("body")).to_contain_text(NOTE)
    assert NOTE in wait_for_note(page, room, session_id), "the note is recorded"

    # the candidate runs the first idea, then submits a solution: each verdict shows live
    runs = page.get_by_test_id("live-run")
    candidate.get_by_test_id("run-button").click()
    expect(runs.locator(".verdict[data-status]:not([data-status=''])")).to_have_count(
        1, timeout=30_000
    )
    expect(runs.locator(".verdict[data-status=accepted]")).to_have_count(0)
    replace_document(candidate, problem.solutions["python"])
    wait_saved(candidate)
    candidate.get_by_test_id("submit-button").click()
    expect(candidate.get_by_test_id("output")).to_contain_text(
        re.compile("accepted", re.IGNORECASE), timeout=60_000
    )
    accepted = runs.filter(has=page.locator(".verdict[data-status=accepted]"))
    expect(accepted).to_have_count(1, timeout=30_000)
    expect(accepted).to_contain_text("Submit")
    expect(runs).to_have_count(2)
    wait_for_document(page, LIVE_EDITOR, problem.solutions["python"])
    expect(candidate.locator("body")).not_to_contain_text(NOTE)
    open_room(candidate, link)  # a fresh load backfills the log: still no note
    expect(candidate.locator("body")).not_to_contain_text(NOTE)
    token = {"Authorization": f"Bearer {link.partition('#token=')[2]}"}
    for route in ("", "/events", "/timeline", "/files", "/assistant/messages"):
        seen = httpx.get(f"{room.server.url}/api/v1/sessions/{session_id}{route}", headers=token)
        assert seen.status_code in {200, 403}, (route, seen.status_code, seen.text[:300])
        assert NOTE not in seen.text, f"the candidate reads the note through {route}"

    # end the session (the page asks first)
    page.goto(f"{room.base_url}/sessions/{session_id}")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("end-session").click()
    expect(page.get_by_test_id("end-session")).to_have_count(0)
    ended = room.staff.http.get(f"/api/v1/sessions/{session_id}").json()
    assert ended["status"] == "completed", ended

    # the replay, at an earlier moment where the code was different
    page.get_by_test_id("open-replay").click()
    page.wait_for_url(re.compile(rf"/sessions/{session_id}/replay"))
    expect(page.get_by_test_id("replay-editor")).to_be_visible()
    drag_seek(page, before_solution)
    shown_then = next(c for c in text_then.values() if TYPED_LIVE in c)
    wait_for_document(page, REPLAY_EDITOR, shown_then)
    moment = page.get_by_test_id("replay-time").inner_text()
    assert re.search(r"\d+:\d\d", moment), moment
    page.get_by_test_id("replay-compare-here").click()  # pinned, to diff a later moment

    # play at 8x: the moment moves on
    choose_speed(page, 8)
    page.get_by_test_id("replay-play").click()
    expect(page.get_by_test_id("replay-time")).not_to_have_text(moment, timeout=5_000)
    page.get_by_test_id("replay-play").click()  # pause

    # a timeline mark jumps to its moment: the submission's, where the code is the solution
    # and the run's output is the last run before it
    marks = page.get_by_test_id("replay-timeline").locator("[data-testid=timeline-mark]")
    run_marks = marks.and_(page.locator("[data-kind=run]"))
    expect(run_marks).to_have_count(2)
    latest = max(run_marks.evaluate_all("(marks) => marks.map((mark) => Number(mark.dataset.t))"))
    run_mark = run_marks.and_(page.locator(f"[data-t='{latest}']"))
    expect(run_mark).to_be_visible()
    run_mark.click()
    expect(page.get_by_test_id("replay-time")).to_have_attribute(
        "data-ms", str(run_mark.get_attribute("data-t"))
    )
    wait_for_document(page, REPLAY_EDITOR, problem.solutions["python"])
    expect(page.get_by_test_id("replay-output")).to_contain_text(
        re.compile("accepted", re.IGNORECASE)
    )
    # the diff from the pinned moment: the live-typed comment went, the solution came
    diff = page.get_by_test_id("replay-diff-text")
    expect(diff).to_contain_text(f"-{TYPED_LIVE}")
    earlier = set(shown_then.splitlines())
    solution_line = next(
        line for line in problem.solutions["python"].splitlines() if line not in earlier
    )
    expect(diff).to_contain_text(f"+{solution_line}")
    assert document_text(page.locator(REPLAY_EDITOR).first) == problem.solutions["python"]

    # the scorecard: a rating per rubric item, notes, a recommendation, submitted
    page.goto(f"{room.base_url}/sessions/{session_id}/scorecard")
    card = page.get_by_test_id("scorecard-form")
    groups = card.locator("fieldset[data-testid^='rating-']")
    expect(groups.first).to_be_visible()
    for index in range(groups.count()):
        groups.nth(index).locator("input[type=radio][value='3']").check()
    card.get_by_test_id("scorecard-notes").fill("Clear thinking: from brute force to a hash map.")
    card.get_by_test_id("scorecard-recommendation").locator("input[value=yes]").check()
    card.get_by_test_id("scorecard-save").click()  # a draft first: still editable
    expect(page.get_by_test_id("scorecard-submit")).to_be_enabled()
    assert card.get_by_test_id("scorecard-notes").input_value().startswith("Clear thinking")
    page.get_by_test_id("scorecard-submit").click()
    expect(page.get_by_test_id("scorecard-form")).to_have_attribute("aria-readonly", "true")
    cards = room.staff.http.get(f"/api/v1/sessions/{session_id}/scorecards").json()
    mine = [c for c in cards["scorecards"] if c["interviewer_name"] == INTERVIEWER]
    assert len(mine) == 1, cards
    assert mine[0]["status"] == "submitted"
    assert mine[0]["recommendation"] == "yes"
    assert all(value == 3 for part in mine[0]["ratings"].values() for value in part.values()), mine[
        0
    ]["ratings"]

    # the report: the parts, the score, the scorecard
    page.goto(f"{room.base_url}/reports/{session_id}")
    report = page.get_by_test_id("report")
    expect(report).to_contain_text(CANDIDATE)
    expect(report).to_contain_text(problem.title)
    expect(report).to_contain_text(INTERVIEWER)
    expect(report).to_contain_text(re.compile(r"\byes\b", re.IGNORECASE))
    data = room.staff.http.get(f"/api/v1/sessions/{session_id}/report").json()
    assert data["parts"][0]["verdict"] == "accepted", data["parts"][0]
    assert data["parts"][0]["runs"] == 2, data["parts"][0]
    assert data["score"]["total"] is not None
    assert data["score"]["total"] > 0
    expect(report).to_contain_text(f"{data['score']['total']:.0f}")

    # printed: the nav is gone, the PDF holds the report's text
    page.emulate_media(media="print")
    expect(page.locator("header.staff-nav")).to_be_hidden()
    expect(page.get_by_test_id("sign-out")).to_be_hidden()
    pdf = page.pdf()
    printed = squeeze(pdf_text(pdf))
    missing = [
        text for text in (CANDIDATE, problem.title, INTERVIEWER) if squeeze(text) not in printed
    ]
    if missing or squeeze("Sign out") in printed:
        ARTIFACTS.mkdir(exist_ok=True)
        (ARTIFACTS / "report.pdf").write_bytes(pdf)
        (ARTIFACTS / "report.pdf.txt").write_text(pdf_text(pdf))
    assert not missing, f"{missing} not in the printed report (see {ARTIFACTS / 'report.pdf'})"
    assert squeeze("Sign out") not in printed
    page.emulate_media(media="screen")


# ---- what guards the pages -----------------------------------------------------------------


def test_a_staff_page_without_signing_in_goes_to_the_login_form(
    room: Room, page: Page, staff_key: str
) -> None:
    page.goto(f"{room.base_url}/sessions?status=active")
    parts = urlsplit(page.url)
    assert parts.path == "/login", page.url
    assert unquote(parts.query) == "next=/sessions?status=active", page.url
    expect(page.get_by_test_id("login-form")).to_be_visible()

    page.get_by_test_id("login-key").fill("ik_not-a-key")
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("login-error")).to_be_visible()
    assert urlsplit(page.url).path == "/login"

    page.get_by_test_id("login-key").fill(staff_key)
    page.get_by_test_id("login-submit").click()
    page.wait_for_url(f"{room.base_url}/sessions?status=active")
    expect(page.get_by_test_id("sign-out")).to_be_visible()


def test_signing_out_ends_the_session_cookie_everywhere(
    room: Room, page: Page, browser: Browser, staff_key: str
) -> None:
    sign_in(page, room.base_url, staff_key)
    cookies = page.context.cookies()
    assert any(c["name"] == "ik_session" and c["httpOnly"] for c in cookies), cookies

    page.get_by_test_id("sign-out").click()
    page.wait_for_url(re.compile(r"/login"))
    page.goto(f"{room.base_url}/sessions")
    assert urlsplit(page.url).path == "/login"

    # the cookie as it was before signing out no longer signs anyone in
    other = browser.new_context()
    try:
        other.add_cookies(cookies)  # type: ignore[arg-type]
        stolen = other.new_page()
        stolen.goto(f"{room.base_url}/sessions")
        assert urlsplit(stolen.url).path == "/login"
        answer = other.request.get(f"{room.base_url}/api/v1/sessions")
        assert answer.status == 401, answer.text()
    finally:
        other.close()


def test_a_cookie_write_without_the_csrf_token_is_refused(
    room: Room, page: Page, staff_key: str
) -> None:
    sign_in(page, room.base_url, staff_key)
    body = {"problem_id": "two-sum", "language": "python", "candidate_name": "Forged"}
    forged = page.context.request.post(f"{room.base_url}/api/v1/sessions", data=body)
    assert forged.status == 403, forged.text()
    assert forged.headers["content-type"].startswith("application/problem+json")
    assert forged.json()["code"] == "csrf_failed"
    listed = room.staff.http.get("/api/v1/sessions", params={"candidate": "Forged"}).json()
    assert listed["items"] == [], "nothing was created"

    # forms posted without their csrf_token field: refused, nothing done, still signed in
    new_session: dict[str, str | float | bool] = {
        "choice": f"template:{TEMPLATE}",
        "candidate_name": "Forged form",
    }
    no_field = page.context.request.post(
        f"{room.base_url}/sessions", form=new_session, max_redirects=0
    )
    assert no_field.status == 403, no_field.text()
    listed = room.staff.http.get("/api/v1/sessions", params={"candidate": "Forged"}).json()
    assert listed["items"] == [], "nothing was created"
    no_field = page.context.request.post(f"{room.base_url}/logout", form={}, max_redirects=0)
    assert no_field.status == 403, no_field.text()
    page.goto(f"{room.base_url}/sessions")
    expect(page.get_by_test_id("sign-out")).to_be_visible()

    # the same call with the page's token goes through
    allowed = page.context.request.post(
        f"{room.base_url}/api/v1/sessions",
        data=body,
        headers={"X-CSRF-Token": csrf_token(page)},
    )
    assert allowed.status == 201, allowed.text()


def key_id_named(room: Room, name: str) -> str:
    keys = room.staff.http.get("/api/v1/keys").json()["items"]
    return str(next(key["id"] for key in keys if key["name"] == name))


def test_a_login_link_signs_in_once_and_stays_out_of_the_log(
    room: Room, browser: Browser, staff_key: str
) -> None:
    made = subprocess.run(
        room.server.command("keys", "login-link", key_id_named(room, INTERVIEWER)),
        env=room.server.environment(),
        capture_output=True,
        text=True,
        check=True,
    )
    link = made.stdout.strip()
    assert link.startswith(f"{room.base_url}/login/link#"), link
    token = link.partition("#")[2]

    first = browser.new_context()
    try:
        page = first.new_page()
        page.goto(link)
        page.wait_for_url(f"{room.base_url}/sessions")
        expect(page.get_by_test_id("sign-out")).to_be_visible()
        expect(page.locator("header")).to_contain_text(INTERVIEWER)
    finally:
        first.close()

    again = browser.new_context()
    try:
        page = again.new_page()
        page.goto(link)
        page.goto(f"{room.base_url}/sessions")
        assert urlsplit(page.url).path == "/login", "a login link works once"
    finally:
        again.close()
    assert token not in room.server.log()


def test_revoking_the_key_signs_its_browsers_out(room: Room, page: Page) -> None:
    key = room.server.create_key("Temporary contractor", "interviewer")
    sign_in(page, room.base_url, key)
    expect(page.get_by_test_id("sign-out")).to_be_visible()
    revoked = room.staff.http.delete(f"/api/v1/keys/{key_id_named(room, 'Temporary contractor')}")
    assert revoked.is_success, revoked.text
    # a sign-in is trusted from memory for api_key_cache_seconds (5 s): out within that
    for _ in range(20):
        page.goto(f"{room.base_url}/sessions")
        if urlsplit(page.url).path == "/login":
            break
        page.wait_for_timeout(500)
    assert urlsplit(page.url).path == "/login", "the revoked key's browser is still signed in"
