"""No keystroke is lost: not when the network drops mid-typing, not when the server crashes
and comes back, not when two tabs of one session type at once."""

from __future__ import annotations

import re

from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.conftest import Room
from tests.browser.harness import (
    OFFLINE,
    editor,
    editor_text,
    open_room,
    type_at_end,
    wait_for_text,
    wait_saved,
)

SOLUTION = "/solution.py"
RECONNECT_MS = 30_000  # the room retries with a back-off; allow a few rounds


def expect_offline(page: Page) -> None:
    expect(page.get_by_test_id("connection-status")).to_have_text(
        re.compile(OFFLINE), timeout=15_000
    )


def assert_everywhere(room: Room, session_id: str, page: Page, expected: str) -> None:
    """The editor, the interviewer's files API and the recording's replay agree on it."""
    assert editor_text(page) == expected
    assert room.staff.wait_for_file(session_id, SOLUTION, expected) == expected
    assert room.staff.replay_final(session_id)[SOLUTION] == expected


def test_typing_through_a_dropped_network_loses_nothing(room: Room, page: Page) -> None:
    invite = room.new_session()
    open_room(page, invite.room_url(room.base_url))
    start = room.staff.file(invite.session_id, SOLUTION)
    before, during, after = "# typed online, ", "then offline, ", "then back."

    type_at_end(page, before)
    room.proxy.cut()  # mid-typing: some of `before` may not be acknowledged yet
    page.context.set_offline(True)
    page.keyboard.type(during, delay=20)
    expect_offline(page)
    page.keyboard.type(after[:4], delay=20)
    room.proxy.restore()
    page.context.set_offline(False)
    page.keyboard.type(after[4:], delay=20)

    wait_saved(page, timeout=RECONNECT_MS)
    assert_everywhere(room, invite.session_id, page, start + before + during + after)


def test_a_server_crash_and_restart_mid_typing_loses_nothing(room: Room, page: Page) -> None:
    invite = room.new_session()
    open_room(page, invite.room_url(room.base_url))
    start = room.staff.file(invite.session_id, SOLUTION)
    before, during = "# typed before the crash, ", "while the server was down."

    type_at_end(page, before)
    room.server.kill()  # SIGKILL: unacknowledged edits die with it
    page.keyboard.type(during, delay=20)
    expect_offline(page)
    room.server.start()

    wait_saved(page, timeout=RECONNECT_MS)
    assert_everywhere(room, invite.session_id, page, start + before + during)


def test_two_tabs_typing_at_once_converge(room: Room, context: BrowserContext) -> None:
    invite = room.new_session()
    first, second = context.new_page(), context.new_page()
    for tab in (first, second):
        open_room(tab, invite.room_url(room.base_url))
    start = room.staff.file(invite.session_id, SOLUTION)
    top, bottom = " # alpha beta gamma", "# one two three four"

    editor(first).click()
    first.keyboard.press("ControlOrMeta+Home")
    first.keyboard.press("End")  # the end of the first line
    editor(second).click()
    second.keyboard.press("ControlOrMeta+End")
    for index in range(max(len(top), len(bottom))):  # interleaved: each edits a stale version
        if index < len(top):
            first.keyboard.type(top[index])
        if index < len(bottom):
            second.keyboard.type(bottom[index])

    line, rest = start.split("\n", 1)
    expected = f"{line}{top}\n{rest}{bottom}"
    for tab in (first, second):
        wait_saved(tab)
        expect(editor(tab)).to_have_text(re.compile(re.escape(bottom)), timeout=15_000)
    assert room.staff.wait_for_file(invite.session_id, SOLUTION, expected) == expected
    for tab in (first, second):
        wait_for_text(tab, expected)
    assert room.staff.replay_final(invite.session_id)[SOLUTION] == expected
