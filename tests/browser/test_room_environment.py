"""A candidate sees, by the language picker, what their language may use without imports.

The disclosure lists exactly what ``GET /api/v1/languages`` says of the language shown in
the picker, follows the picker when the candidate switches language, and works from the
keyboard alone (Enter on its summary opens it, Escape closes it and keeps the focus there).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.conftest import Room
from tests.browser.harness import open_room

SCREENSHOT = Path(__file__).parents[2] / "docs" / "room-environment.png"
"""Rewritten when INTERVIEWKIT_DOCS_SCREENSHOTS=1 (docs/languages.md shows it)."""


def environments(room: Room) -> dict[str, dict[str, Any]]:
    listed = room.staff.http.get("/api/v1/languages").json()["languages"]
    return {language["name"]: language["environment"] for language in listed}


def test_the_environment_disclosure_lists_the_current_languages_environment(
    room: Room, page: Page
) -> None:
    expected = environments(room)
    invite = room.new_session()  # two-sum in python
    open_room(page, invite.room_url(room.base_url))

    summary = page.get_by_test_id("environment-summary")
    preloaded = page.get_by_test_id("environment-preloaded")
    expect(summary).to_be_visible()
    expect(summary).to_have_accessible_name("Environment")
    expect(preloaded).to_be_hidden()

    summary.focus()
    page.keyboard.press("Enter")
    expect(preloaded).to_be_visible()
    expect(preloaded.locator("li")).to_have_text(expected["python"]["preloaded"])
    panel = page.get_by_test_id("environment-panel")
    expect(panel).to_contain_text(expected["python"]["standard"])
    expect(panel).to_contain_text(f"Environment version {expected['python']['version']}")

    page.keyboard.press("Escape")
    expect(preloaded).to_be_hidden()
    expect(summary).to_be_focused()

    # switching language shows the new language's environment (and opens its starter)
    page.locator("#language").select_option("java")
    expect(page.get_by_test_id("file-tree")).to_contain_text("Solution.java")
    summary.click()
    expect(preloaded.locator("li")).to_have_text(expected["java"]["preloaded"])
    expect(panel).to_contain_text(expected["java"]["standard"])
    if os.environ.get("INTERVIEWKIT_DOCS_SCREENSHOTS") == "1":
        page.screenshot(path=str(SCREENSHOT))
    # a click elsewhere closes it
    page.get_by_test_id("problem").click()
    expect(preloaded).to_be_hidden()
    expect(page.get_by_test_id("environment")).not_to_have_attribute("open", re.compile(".*"))


def test_at_1024_pixels_the_disclosure_and_its_panel_stay_on_screen(
    room: Room, context: BrowserContext
) -> None:
    page = context.new_page()
    page.set_viewport_size({"width": 1024, "height": 768})
    open_room(page, room.new_session().room_url(room.base_url))
    page.get_by_test_id("environment-summary").click()
    expect(page.get_by_test_id("environment-preloaded")).to_be_visible()
    width = page.evaluate("document.documentElement.clientWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    for hook in ("environment-summary", "environment-panel", "submit-button"):
        box = page.get_by_test_id(hook).bounding_box()
        assert box is not None, hook
        assert box["x"] >= 0, f"{hook} starts off screen"
        assert box["x"] + box["width"] <= width + 0.5, f"{hook} overflows"
    # the icon alone at this width, still named "Environment" for a screen reader
    expect(page.get_by_test_id("environment-summary")).to_have_accessible_name("Environment")
