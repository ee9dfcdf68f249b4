"""Screenshots of the video interview, from a real server, real analysis and Chromium.

``python bench/video_screenshots.py [--out docs]`` starts ``interviewkit serve`` (SQLite in
a temporary data dir, the database task queue, the offline grader), creates a two-question
video interview through the staff form, records both answers on the candidate's page with
Chromium's fake camera and microphone playing a ground-truth clip (a real face photo and
Piper speech, ``tests/video/clips.py``), waits for the analysis and saves:

* ``video-candidate.png``: the candidate's page reviewing a recorded answer;
* ``video-report.png``: the interview's report (video, transcript, charts, scores).

``--url URL --key KEY`` shoots a server that is already running instead. Besides the
pictures it prints, as JSON, what it saw: each upload's mode and size, and how long the
analysis took after the last upload (one run, on whatever machine this is).
"""

from __future__ import annotations

import argparse
import json
import re
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import Response, expect, sync_playwright
from rich.console import Console

from _browser import CHROMIUM, sign_in
from api_bench import create_api_key, interviewkit_command, running_server

console = Console(stderr=True)
VIEWPORT = {"width": 1280, "height": 860}


def shoot(url: str, key: str, out: Path, capture: Path) -> dict[str, Any]:
    # after _browser put the repository root on sys.path
    from tests.browser.video_fixture import (
        QuestionForm,
        chromium_args,
        create_interview,
        fake_capture,
        make_invite,
        on_base,
        record_answer,
        wait_analyzed,
    )

    out.mkdir(parents=True, exist_ok=True)
    questions = [
        QuestionForm(
            "Tell me about a project you led and how it went.",
            max_answer_s=10,
            keywords=["team", "billing", "payments"],
        ),
        QuestionForm("What would you do differently next time?", max_answer_s=8),
    ]
    y4m, wav = fake_capture(capture)
    uploads: list[dict[str, Any]] = []

    def seen(response: Response) -> None:
        if response.request.method == "POST" and re.search(r"/uploads$", response.url):
            sent = response.request.post_data_json or {}
            uploads.append({"mode": response.json()["mode"], "bytes": sent.get("size_bytes")})

    with (
        sync_playwright() as playwright,
        httpx.Client(base_url=url, headers={"Authorization": f"Bearer {key}"}) as api,
    ):
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=chromium_args(y4m, wav)
        )
        try:
            staff = browser.new_context(viewport=VIEWPORT).new_page()  # type: ignore[arg-type]
            sign_in(staff, url, key, "/staff/video")
            interview_id = create_interview(
                staff, "Engineering manager screen", "Ada Lovelace", "ada@example.com", questions
            )
            invite = on_base(make_invite(staff), url)
            candidate = browser.new_context(
                viewport=VIEWPORT,  # type: ignore[arg-type]
                permissions=["camera", "microphone"],
            ).new_page()
            candidate.on("response", seen)
            candidate.goto(invite)
            record_answer(candidate, questions[0].max_answer_s)
            candidate.get_by_test_id("next").click()
            candidate.get_by_test_id("ready").click()
            expect(candidate.get_by_test_id("review")).to_be_visible(timeout=60_000)
            candidate.wait_for_timeout(500)
            candidate.screenshot(path=str(out / "video-candidate.png"))
            console.print("saved video-candidate.png")
            candidate.get_by_test_id("submit").click()
            expect(candidate.get_by_test_id("analysis")).to_be_visible(timeout=120_000)
            started = time.monotonic()
            wait_analyzed(api, interview_id, answers=2)
            analysed_s = time.monotonic() - started
            staff.goto(f"{url}/staff/video/{interview_id}/report")
            expect(staff.locator("body")).to_have_attribute("data-charts-ready", "4")
            staff.wait_for_timeout(800)
            staff.screenshot(path=str(out / "video-report.png"), full_page=True)
            console.print("saved video-report.png")
        finally:
            browser.close()
    return {"uploads": uploads, "analysis_after_last_upload_s": round(analysed_s, 1)}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=Path("docs"), help="where the PNGs go")
    parser.add_argument("--url", help="a running server instead of a fresh one")
    parser.add_argument("--key", help="an interviewer or admin API key of --url")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="ik-video-shots-") as folder:
        root = Path(folder)
        if args.url:
            seen = shoot(args.url.rstrip("/"), args.key, args.out, root / "capture")
        else:
            command = interviewkit_command(root / "data", None)
            settings = {"llm_provider": "offline", "task_backend": "database"}
            key = create_api_key(command, root, settings)
            with (
                (root / "server.log").open("w") as log,
                running_server(command, root, log, settings) as url,
            ):
                seen = shoot(url, key, args.out, root / "capture")
    print(json.dumps(seen, indent=2))


if __name__ == "__main__":
    main()
