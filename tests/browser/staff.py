"""What an interviewer's browser does on the staff pages: sign in, read the live and replay
editors, drive the replay's seek bar. Shared by the interviewer journey test, the replay
seek bench and the README screenshots (so the three drive the pages the same way).

Only Playwright is imported here: the benches import this module without pytest.
"""

from __future__ import annotations

import json
import re
from urllib.parse import quote

from playwright.sync_api import Locator, Page, expect

# the text of a CodeMirror document, line by line (textContent skips the <br> of empty lines)
DOCUMENT_TEXT = """(element) => Array.from(element.querySelectorAll('.cm-line'))
    .map((line) => line.textContent).join('\\n')"""
LIVE_EDITOR = "[data-testid=live-editor] .cm-content, .cm-content[data-testid=live-editor]"
REPLAY_EDITOR = "[data-testid=replay-editor] .cm-content, .cm-content[data-testid=replay-editor]"


def sign_in(page: Page, base_url: str, key: str, next_path: str = "/sessions") -> None:
    """Sign in through the login form with an API key and land on ``next_path``."""
    page.goto(f"{base_url}/login?next={quote(next_path)}")
    form = page.get_by_test_id("login-form")
    form.locator("input[name=key]").fill(key)
    form.locator("button[type=submit], input[type=submit]").first.click()
    page.wait_for_url(re.compile(re.escape(base_url + next_path) + r"(\?.*)?$"))


def csrf_token(page: Page) -> str:
    """The sign-in's CSRF token as the staff layout puts it in the page."""
    return str(page.locator("meta[name=csrf-token]").get_attribute("content") or "")


def document_text(editor: Locator) -> str:
    """The text of the CodeMirror document in ``editor`` (a ``.cm-content`` element)."""
    return str(editor.evaluate(DOCUMENT_TEXT))


def wait_for_document(page: Page, selector: str, expected: str, timeout_ms: float = 15_000) -> None:
    """Wait until the CodeMirror document at ``selector`` is exactly ``expected``."""
    page.wait_for_function(
        f"""(expected) => {{
            const content = document.querySelector({json.dumps(selector)});
            return content !== null && ({DOCUMENT_TEXT})(content) === expected;
        }}""",
        arg=expected,
        timeout=timeout_ms,
    )


def wait_for_document_containing(
    page: Page, selector: str, part: str, timeout_ms: float = 15_000
) -> None:
    """Wait until the CodeMirror document at ``selector`` contains ``part``."""
    page.wait_for_function(
        f"""(part) => {{
            const content = document.querySelector({json.dumps(selector)});
            return content !== null && ({DOCUMENT_TEXT})(content).includes(part);
        }}""",
        arg=part,
        timeout=timeout_ms,
    )


def drag_seek(page: Page, at_ms: int) -> None:
    """Move the replay's seek bar to ``at_ms`` as a user's drag ends: the range input's
    value set, then its ``input`` and ``change`` events."""
    seek = page.get_by_test_id("replay-seek")
    expect(seek).to_be_visible()
    seek.evaluate(
        """(input, value) => {
            input.value = String(value);
            input.dispatchEvent(new Event('input', { bubbles: true }));
            input.dispatchEvent(new Event('change', { bubbles: true }));
        }""",
        at_ms,
    )
