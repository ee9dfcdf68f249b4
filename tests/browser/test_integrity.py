"""The room records what the candidate is told it records: pastes (with their size) and
leaving the tab (blur, then focus on return)."""

from __future__ import annotations

import re
import time
from typing import Any

from playwright.sync_api import BrowserContext, expect

from tests.browser.conftest import Room
from tests.browser.harness import editor, open_room, wait_saved

PASTED = "def helper(values):\n    return sorted(values)\n"


def wait_for_events(
    room: Room, session_id: str, wanted: set[str], timeout: float = 15
) -> list[dict[str, Any]]:
    """The session's events once every type in ``wanted`` is among them (or at timeout)."""
    deadline = time.monotonic() + timeout
    while True:
        events = room.staff.events(session_id)
        if wanted <= {event["type"] for event in events} or time.monotonic() > deadline:
            return events
        time.sleep(0.2)


def test_paste_and_leaving_the_tab_are_recorded(room: Room, context: BrowserContext) -> None:
    invite = room.new_session()
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = context.new_page()
    open_room(page, invite.room_url(room.base_url))
    expect(page.locator("body")).to_contain_text(re.compile(r"record", re.IGNORECASE))

    page.evaluate("(text) => navigator.clipboard.writeText(text)", PASTED)
    editor(page).click()
    page.keyboard.press("ControlOrMeta+End")
    page.keyboard.press("ControlOrMeta+v")
    expect(editor(page)).to_contain_text("return sorted(values)")

    # Playwright makes every page believe it has the focus; turn that off, then really
    # switch to another tab and back
    context.new_cdp_session(page).send("Emulation.setFocusEmulationEnabled", {"enabled": False})
    elsewhere = context.new_page()
    elsewhere.bring_to_front()
    page.bring_to_front()
    wait_saved(page)

    events = wait_for_events(room, invite.session_id, {"paste", "blur", "focus"})
    pastes = [event for event in events if event["type"] == "paste"]
    assert [paste["size"] for paste in pastes] == [len(PASTED)], pastes
    away = [event["type"] for event in events if event["type"] in {"blur", "focus"}]
    assert "blur" in away, events
    assert "focus" in away[away.index("blur") :], "the return to the tab is recorded after it"
    assert room.staff.file(invite.session_id, "/solution.py").endswith(PASTED)
