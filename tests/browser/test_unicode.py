"""Whatever a candidate types, astral characters included, reaches the server as typed.

The browser counts UTF-16 code units and the protocol counts code points: an edit made
after an emoji lands in the wrong place if the room forgets to convert. Hypothesis picks
the texts; each is put at the start or the end of the document, so the expected content is
known without knowing how the editor moves its cursor.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from playwright.sync_api import BrowserContext

from tests.browser.conftest import Room
from tests.browser.harness import editor, open_room, wait_for_text, wait_saved

SOLUTION = "/solution.py"
# printable text of every plane; no control, format or private characters (the editor
# shows those as placeholders) and no U+FFFC, which it shows as one too
TEXT = st.text(
    st.characters(
        exclude_categories=("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"),
        exclude_characters="\ufffc",
    ),
    min_size=1,
    max_size=6,
)
EDITS = st.lists(st.tuples(st.booleans(), TEXT), min_size=1, max_size=5)


@settings(
    max_examples=4,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(edits=EDITS, astral=st.sampled_from(["😀", "\U0001d518\U0001d52b\U0001d526", "🇫🇷", "𠜎"]))
def test_any_text_typed_reaches_the_server_as_typed(
    room: Room, context: BrowserContext, edits: list[tuple[bool, str]], astral: str
) -> None:
    invite = room.new_session()
    page = context.new_page()
    try:
        open_room(page, invite.room_url(room.base_url))
        expected = room.staff.file(invite.session_id, SOLUTION)
        for at_start, text in [(True, astral), *edits]:
            editor(page).click()
            page.keyboard.press("ControlOrMeta+Home" if at_start else "ControlOrMeta+End")
            page.keyboard.insert_text(text)
            expected = text + expected if at_start else expected + text
        wait_saved(page)
        wait_for_text(page, expected)
        assert room.staff.wait_for_file(invite.session_id, SOLUTION, expected) == expected
    finally:
        page.close()
