"""Screenshots of the voice interviewer, from a real server, real engines and Chromium.

``python bench/voice_screenshots.py [--out docs]`` starts ``interviewkit serve`` (SQLite in
a temporary data dir, the offline interviewer, audio kept), opens the room in Chromium
whose fake microphone plays a Piper-spoken question, starts voice and, once the
interviewer has greeted and the question was heard and answered, saves:

* ``voice-panel.png``: the room with the voice panel live (captions, turn, recording);
* ``voice-replay.png``: the session's replay with its Voice lane and conversation.

Nothing is measured; progress goes to stderr.
"""

from __future__ import annotations

import argparse
import re
import tempfile
from pathlib import Path

import httpx
from playwright.sync_api import expect, sync_playwright
from rich.console import Console

from _browser import CHROMIUM, CHROMIUM_ARGS, sign_in
from api_bench import create_api_key, interviewkit_command, running_server

console = Console(stderr=True)
VIEWPORT = {"width": 1440, "height": 900}
TIMEOUT_MS = 120_000


def shoot(url: str, key: str, wav: Path, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {key}"}) as staff:
        body = {"problem_id": "two-sum", "language": "python", "candidate_name": "Ada Lovelace"}
        session = staff.post("/api/v1/sessions", json=body).json()
        invite = staff.post(f"/api/v1/sessions/{session['id']}/invite", json={}).json()
    path = invite["url"].split("/", 3)[3]
    args = [
        *CHROMIUM_ARGS,
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-audio-capture={wav}%noloop",
    ]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=args)
        try:
            context = browser.new_context(viewport=VIEWPORT, permissions=["microphone"])  # type: ignore[arg-type]
            page = context.new_page()
            page.goto(f"{url}/{path}")
            page.get_by_test_id("voice-toggle").click()
            captions = page.get_by_test_id("voice-captions")
            said = captions.locator('[data-speaker="candidate"][data-final="true"]')
            expect(said.first).to_be_visible(timeout=TIMEOUT_MS)
            console.print(f"heard: {said.first.inner_text()!r}")
            answer = captions.locator('[data-speaker="candidate"] ~ [data-speaker="interviewer"]')
            expect(answer.first).to_be_visible(timeout=TIMEOUT_MS)
            expect(page.get_by_test_id("voice-turn")).to_have_text(
                re.compile("Interviewer speaking|Listening"), timeout=TIMEOUT_MS
            )
            page.wait_for_timeout(1500)
            page.screenshot(path=str(out / "voice-panel.png"))
            page.get_by_test_id("voice-toggle").click()
            staff_page = browser.new_context(viewport=VIEWPORT).new_page()  # type: ignore[arg-type]
            sign_in(staff_page, url, key)
            staff_page.goto(f"{url}/sessions/{session['id']}/replay")
            expect(staff_page.get_by_test_id("replay-voice-card")).to_be_visible(timeout=30_000)
            staff_page.wait_for_load_state("networkidle")
            staff_page.screenshot(path=str(out / "voice-replay.png"))
        finally:
            browser.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=Path("docs"), help="where the PNGs go")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="ik-voice-shots-") as folder:
        root = Path(folder)
        command = interviewkit_command(root / "data", None)
        settings = {"llm_provider": "offline", "voice_record_audio": "true"}
        key = create_api_key(command, root, settings)
        # after _browser put the repository root on sys.path
        from tests.voice.audio_fixtures import microphone_wav

        # what tests/browser/test_voice_room.py plays: the words after 6 s, 3 s after them
        wav = microphone_wav(root, "Could you repeat the question?", 6.0, 3.0)
        with (
            (root / "server.log").open("w") as log,
            running_server(command, root, log, settings) as url,
        ):
            shoot(url, key, wav, args.out)
    console.print(f"saved voice-panel.png and voice-replay.png in {args.out}")


if __name__ == "__main__":
    main()
