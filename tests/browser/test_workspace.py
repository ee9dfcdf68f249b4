"""The rest of the room a candidate relies on: the file tree, the parts of a multi-part
interview, and what happens when the interviewer ends the session."""

from __future__ import annotations

import re

from playwright.sync_api import Dialog, Page, expect

from tests.browser.conftest import Room
from tests.browser.harness import editor, editor_text, open_room, type_at_end, wait_saved


def answer_dialogs(page: Page, *answers: str) -> None:
    """Accept the page's next prompts/confirms in order, typing ``answers`` into prompts."""
    queue = list(answers)

    def accept(dialog: Dialog) -> None:
        dialog.accept(queue.pop(0) if dialog.type == "prompt" and queue else "")

    page.on("dialog", accept)


def test_a_new_file_opens_in_the_editor_and_stays_open(room: Room, page: Page) -> None:
    invite = room.new_session()
    open_room(page, invite.room_url(room.base_url))
    expect(page.get_by_test_id("problem")).to_contain_text("Two Sum")  # the page has loaded
    answer_dialogs(page, "helpers.py")
    page.get_by_role("button", name="New file").click()
    entry = page.get_by_test_id("file-tree").get_by_role("button", name="/helpers.py", exact=True)
    expect(entry).to_have_attribute("aria-current", "true")
    wait_saved(page)  # the server confirmed the file: the candidate is still in it
    expect(entry).to_have_attribute("aria-current", "true")
    assert editor_text(page) == ""


def test_files_are_created_renamed_and_deleted_from_the_tree(room: Room, page: Page) -> None:
    invite = room.new_session()
    open_room(page, invite.room_url(room.base_url))
    tree = page.get_by_test_id("file-tree")
    answer_dialogs(page, "helpers.py", "/utils.py")

    page.get_by_role("button", name="New file").click()
    expect(tree).to_contain_text("helpers.py")
    wait_saved(page)
    tree.get_by_role("button", name="/helpers.py", exact=True).click()
    expect(editor(page)).to_have_text("")
    type_at_end(page, "def helper(): return 1")
    wait_saved(page)
    files = room.staff.files(invite.session_id)
    assert files.get("/helpers.py") == "def helper(): return 1", files

    tree.get_by_role("button", name="Rename /helpers.py").click()
    expect(tree).to_contain_text("utils.py")
    expect(tree).not_to_contain_text("helpers.py")
    wait_saved(page)
    files = room.staff.files(invite.session_id)
    assert files.get("/utils.py") == "def helper(): return 1", files
    assert "/helpers.py" not in files

    tree.get_by_role("button", name="Delete /utils.py").click()
    expect(tree).not_to_contain_text("utils.py")
    wait_saved(page)
    assert set(room.staff.files(invite.session_id)) == {"/solution.py"}


def test_when_the_interviewer_ends_the_session_the_room_stops_taking_edits(
    room: Room, page: Page
) -> None:
    invite = room.new_session()
    open_room(page, invite.room_url(room.base_url))
    type_at_end(page, "# last words")
    wait_saved(page)
    final = room.staff.file(invite.session_id, "/solution.py")

    ended = room.staff.http.delete(f"/api/v1/sessions/{invite.session_id}")
    assert ended.status_code == 200, ended.text
    expect(page.locator("body")).to_contain_text(re.compile(r"ended", re.IGNORECASE))
    expect(page.get_by_test_id("run-button")).to_be_disabled()
    expect(page.get_by_test_id("submit-button")).to_be_disabled()

    editor(page).click()
    page.keyboard.type("more")
    assert editor_text(page) == final, "the editor refuses typing once the session ended"
    assert room.staff.file(invite.session_id, "/solution.py") == final


def test_a_multi_part_interview_moves_to_its_next_part(room: Room, page: Page) -> None:
    invite = room.new_session(template_id="new-grad-30", language="python")
    open_room(page, invite.room_url(room.base_url))
    parts = page.get_by_role("navigation", name="Interview parts")
    expect(parts).to_contain_text("1. first")  # upcoming parts stay hidden from the candidate
    first_title = page.get_by_test_id("problem").locator("h1, h2").first.inner_text()

    answer_dialogs(page)
    parts.get_by_role("button", name=re.compile("Next part")).click()

    # moving on judges the part as it is (a run in the sandbox) first
    expect(parts.locator("[aria-current=step]")).to_contain_text("2. second", timeout=30_000)
    expect(page.get_by_test_id("problem").locator("h1, h2").first).not_to_have_text(first_title)
    session = room.staff.http.get(f"/api/v1/sessions/{invite.session_id}/parts").json()
    assert session["current"]["number"] == 2, session
