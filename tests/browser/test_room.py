"""A candidate takes an interview in the room: from the invite link to an accepted solution,
with the assistant, by keyboard alone, on a small screen."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.conftest import Room
from tests.browser.harness import editor, open_room, replace_document
from tests.fakes.llm_server import last_user_text, reply

# passes example-1 and example-3 ([0, 1]) but not example-2 ([3, 2, 4], 6 -> [1, 2])
WRONG = "class Solution:\n    def twoSum(self, nums, target):\n        return [0, 1]\n"
FIXED = (
    "class Solution:\n"
    "    def twoSum(self, nums, target):\n"
    "        seen = {}\n"
    "        for i, value in enumerate(nums):\n"
    "            if target - value in seen:\n"
    "                return [seen[target - value], i]\n"
    "            seen[value] = i\n"
    "        return []\n"
)
FAILING = re.compile(r"wrong|fail|✗|❌", re.IGNORECASE)
SUBMISSION_ACCEPTED = re.compile(r"submi\w*\W+accepted", re.IGNORECASE)


def results_row(page: Page, test_name: str) -> str:
    """The text of the row of ``test_name`` in the per-test table."""
    rows = page.get_by_test_id("test-results").locator("tr, li, [role=row]")
    row = rows.filter(has_text=test_name).first
    expect(row).to_be_visible()
    return row.inner_text()


def test_a_candidate_solves_the_problem_from_the_invite_link(room: Room, page: Page) -> None:
    invite = room.new_session()
    assert invite.url, "the invite answers the room's url"
    shown = urlsplit(invite.url)
    assert invite.token not in shown.path + shown.query, "the token travels in the fragment"

    open_room(page, invite.room_url(room.base_url))
    assert invite.token not in page.url, "the page takes the token out of the address bar"
    expect(page.get_by_test_id("problem")).to_contain_text("Two Sum")
    expect(page.get_by_test_id("problem")).to_contain_text("target")
    expect(page.get_by_test_id("file-tree")).to_contain_text("solution.py")
    # the time left counts down from the server's deadline (a 30-minute session)
    expect(page.get_by_test_id("timer")).to_have_text(re.compile(r"^\s*(29|30):\d\d\s*$"))

    replace_document(page, WRONG)
    page.get_by_test_id("run-button").click()
    expect(page.get_by_test_id("test-results")).to_contain_text("example-2", timeout=30_000)
    assert FAILING.search(results_row(page, "example-2")), "the wrong answer is shown as such"
    assert not FAILING.search(results_row(page, "example-1"))

    replace_document(page, FIXED)
    page.keyboard.press("ControlOrMeta+Enter")  # runs, from inside the editor
    expect(page.get_by_test_id("test-results")).not_to_contain_text(FAILING, timeout=30_000)
    expect(page.get_by_test_id("test-results")).to_contain_text("example-2")

    page.get_by_test_id("submit-button").click()
    expect(page.get_by_test_id("output")).to_contain_text(SUBMISSION_ACCEPTED, timeout=60_000)
    hidden = page.get_by_test_id("test-results").locator("tr").filter(has_text="hidden")
    for text in hidden.all_inner_texts():  # hidden tests: name and verdict, no data
        assert "[" not in text, text

    runs = room.staff.http.get(f"/api/v1/sessions/{invite.session_id}/executions").json()
    latest = runs["executions"][0]
    assert (latest["mode"], latest["status"]) == ("submit", "accepted")
    assert room.staff.file(invite.session_id, "/solution.py") == FIXED
    assert invite.token not in room.server.log(), "the token never reaches the server's logs"


ANSWER = (
    "Think about which value you would need to have seen before the current one. "
    "A dictionary from value to index answers that in constant time:\n\n"
    "```python\nseen = {}\n```\n\n"
    'Then walk the list once. <img src="x" onerror="window.__pwned = 1">'
)
# records every text the chat panel showed, so the test sees the partial replies however
# fast they came and went
WATCH_CHAT = """(element) => {
    window.__chat = [];
    new MutationObserver(() => window.__chat.push(element.textContent))
        .observe(element, {childList: true, subtree: true, characterData: true});
}"""


def test_the_assistant_answer_streams_into_the_chat(room: Room, page: Page) -> None:
    invite = room.new_session()
    open_room(page, invite.room_url(room.base_url))
    room.llm.reset()
    room.llm.script(reply(ANSWER, chunk_delay=0.05))
    messages = page.get_by_test_id("chat-messages")
    messages.evaluate(WATCH_CHAT)

    page.get_by_test_id("chat-input").fill("Where do I start?")
    page.get_by_test_id("chat-send").click()

    expect(messages).to_contain_text("Where do I start?")
    expect(messages).to_contain_text("Then walk the list once.", timeout=30_000)
    shown: list[str] = page.evaluate("window.__chat")
    partial = [text for text in shown if "Think about" in text and "walk the list" not in text]
    assert partial, "the reply appeared piece by piece, not all at once"
    expect(messages.locator("pre code")).to_contain_text("seen = {}")
    assert messages.locator("img[onerror]").count() == 0, "the reply's HTML is sanitised"
    assert page.evaluate("window.__pwned") is None
    assert "Where do I start?" in last_user_text(room.llm.last_request.body)


CONTROLS = ["editor", "run-button", "submit-button", "chat-input", "chat-send"]
LABELLED = ["run-button", "submit-button", "chat-input", "chat-send"]


def focused_hook(page: Page) -> str | None:
    """The data-testid of the focused element or of its closest marked ancestor."""
    found: str | None = page.evaluate(
        "document.activeElement?.closest('[data-testid]')?.dataset.testid ?? null"
    )
    return found


def test_keyboard_alone_reaches_every_control_and_runs(room: Room, page: Page) -> None:
    open_room(page, room.new_session().room_url(room.base_url))
    reached: list[str | None] = []
    page.locator("body").focus()
    for _ in range(80):
        page.keyboard.press("Tab")
        hook = focused_hook(page)
        reached.append(hook)
        if hook == "editor":  # CodeMirror keeps Tab for indenting: Escape, then Tab leaves
            page.keyboard.press("Escape")
        if set(CONTROLS) <= set(reached):
            break
    assert set(CONTROLS) <= set(reached), f"Tab reached only {reached}"
    for hook in LABELLED:
        expect(page.get_by_test_id(hook)).to_have_accessible_name(re.compile(r"\w"))

    page.get_by_test_id("run-button").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("test-results")).to_contain_text("example-1", timeout=30_000)


def test_at_1024_pixels_nothing_overflows(room: Room, context: BrowserContext) -> None:
    page = context.new_page()
    page.set_viewport_size({"width": 1024, "height": 768})
    open_room(page, room.new_session().room_url(room.base_url))
    width = page.evaluate("document.documentElement.clientWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    for hook in ["problem", "file-tree", "editor", *LABELLED, "timer", "connection-status"]:
        box = page.get_by_test_id(hook).bounding_box()
        assert box is not None, f"{hook} is not shown at 1024 px"
        assert box["x"] >= 0, f"{hook} starts off screen"
        assert box["x"] + box["width"] <= width + 0.5, f"{hook} overflows"
    expect(editor(page)).to_be_visible()
