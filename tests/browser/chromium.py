"""Debian's Chromium as the browser tests and the benches launch it: one place for both.

``playwright install`` downloads a browser and fails on these machines, so Playwright is
pointed at ``/usr/bin/chromium`` by ``executable_path``. The flags keep a headless run
quiet and comparable: no sandbox (containers lack the user namespaces it needs), no GPU,
no background network traffic or updates that would add noise to timings.
"""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Browser, Playwright

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def launch(playwright: Playwright) -> Browser:
    """Headless Chromium from :data:`CHROMIUM` with :data:`CHROMIUM_ARGS`."""
    return playwright.chromium.launch(
        executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
    )
