"""How fast the candidate room becomes usable, and how much JavaScript it ships.

Against a real ``interviewkit serve`` (SQLite in a temporary data dir) and Debian's
Chromium driven by Playwright (headless, launched by path):

* ``room``: time to interactive of the room on localhost with a cold cache: each run opens
  a fresh invite link in a new browser context (no HTTP cache, no storage) and measures, in
  the page, the milliseconds from the start of navigation to the first moment the editor
  accepts input (``contenteditable``) and the status reads "Saved" (the live channel is
  connected and the workspace loaded). p50 and max over ``--runs``.
* ``baseline``: the same measure for a minimal page of the same server (``/healthz``, ready
  when its document is complete), in the same run and the same way: the floor of
  navigation on this machine, so that ``room / baseline`` says what the room itself costs.
* ``javascript``: every script the room's page loads, with its size as served and
  gzipped (level 6, as a web server would), against the 400 KB gzipped budget.

One JSON document goes to stdout; progress goes to stderr.
"""

from __future__ import annotations

import argparse
import gzip
import json
import statistics
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
from playwright.sync_api import Browser, Page, Response, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from rich.console import Console

from _browser import CHROMIUM, launch
from api_bench import (
    create_api_key,
    free_port,
    interviewkit_command,
    machine,
    server_env,
    stop,
    wait_until_healthy,
)

console = Console(stderr=True)
TTI_TARGET_MS = 1000.0
JS_BUDGET_BYTES = 400 * 1024
# true once the editor takes input and the channel says everything is saved
INTERACTIVE = """() => {
    const editor = document.querySelector(
        '[data-testid=editor] .cm-content, .cm-content[data-testid=editor]');
    const status = document.querySelector('[data-testid=connection-status]');
    const ready = editor !== null && editor.isContentEditable
        && status !== null && status.textContent.trim() === 'Saved';
    return ready ? performance.now() : false;
}"""
# milestones of a load, in ms from navigation start: the HTML, the DOM, the last script
PHASES = """() => {
    const nav = performance.getEntriesByType('navigation')[0];
    const scripts = performance.getEntriesByType('resource')
        .filter((entry) => entry.initiatorType === 'script' || entry.name.endsWith('.js'));
    return {
        html_ms: nav.responseEnd,
        dom_content_loaded_ms: nav.domContentLoadedEventEnd,
        last_script_ms: Math.max(0, ...scripts.map((entry) => entry.responseEnd)),
        load_event_ms: nav.loadEventEnd,
    };
}"""
COMPLETE = "() => document.readyState === 'complete' ? performance.now() : false"


class NotReady(Exception):
    """A page never became ready: counted and reported, the run goes on."""


@contextmanager
def server(folder: Path) -> Iterator[tuple[str, str]]:
    """(base URL, interviewer key) of a healthy ``interviewkit serve``."""
    base = interviewkit_command(folder / "data", None)
    key = create_api_key(base, folder, {})
    port = free_port()
    with (folder / "server.log").open("w") as log:
        process = subprocess.Popen(
            [*base, "serve", "--host", "127.0.0.1", "--port", str(port)],
            cwd=folder,
            env=server_env(),
            stdout=log,
            stderr=log,
        )
        try:
            url = f"http://127.0.0.1:{port}"
            wait_until_healthy(process, url, log)
            yield url, key
        finally:
            stop(process)


def room_urls(url: str, key: str, count: int) -> list[str]:
    """Invite links of ``count`` fresh Two Sum sessions, pointed at ``url``."""
    links = []
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {key}"}) as http:
        for _ in range(count):
            body = {"problem_id": "two-sum", "language": "python"}
            session = http.post("/api/v1/sessions", json=body).json()
            invite = http.post(f"/api/v1/sessions/{session['id']}/invite", json={}).json()
            link = invite.get("url") or f"{url}/room/{session['id']}#token={invite['token']}"
            parts, here = urlsplit(link), urlsplit(url)
            links.append(urlunsplit((here.scheme, here.netloc, *parts[2:])))
    return links


def time_to(
    browser: Browser,
    url: str,
    ready: str,
    shipped: dict[str, Any] | None = None,
    phases: list[dict[str, float]] | None = None,
) -> float:
    """Milliseconds from navigation start to ``ready`` in a fresh context (cold cache);
    with ``shipped``, also check the editor takes input and fill in the scripts loaded;
    with ``phases``, append where the time went (the page's navigation and resource timing)."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    scripts: list[Response] = []
    try:
        page = context.new_page()
        page.on("response", lambda r: scripts.append(r) if is_script(r) else None)
        page.goto(url, wait_until="commit")
        try:
            handle = page.wait_for_function(ready, polling="raf", timeout=30_000)
        except PlaywrightTimeout as exc:
            status = page.locator("[data-testid=connection-status]").all_text_contents()
            raise NotReady(f"{urlsplit(url).path}: not ready in 30 s, status {status}") from exc
        elapsed = float(handle.json_value())
        if phases is not None:
            phases.append({**page.evaluate(PHASES), "interactive_ms": elapsed})
        if shipped is not None:
            check_accepts_input(page)
            shipped.update(javascript(scripts))
        return elapsed
    finally:
        context.close()


def is_script(response: Response) -> bool:
    kind = response.headers.get("content-type", "")
    return response.request.resource_type == "script" or "javascript" in kind


def check_accepts_input(page: Page) -> None:
    """What the measure calls interactive really is: a key typed lands in the document."""
    content = page.locator("[data-testid=editor] .cm-content").first
    before = content.text_content() or ""
    content.click()
    page.keyboard.press("ControlOrMeta+End")
    page.keyboard.type("#")
    page.wait_for_function(
        "(before) => document.querySelector('[data-testid=editor] .cm-content')"
        ".textContent !== before",
        arg=before,
        timeout=5000,
    )


def javascript(scripts: list[Response]) -> dict[str, Any]:
    files: list[dict[str, Any]] = []
    for response in scripts:
        body = response.body()
        files.append(
            {
                "url": urlsplit(response.url).path,
                "bytes": len(body),
                "gzip_bytes": len(gzip.compress(body, compresslevel=6)),
                "served_encoding": response.headers.get("content-encoding"),
            }
        )
    total = sum(item["gzip_bytes"] for item in files)
    return {
        "files": files,
        "total_bytes": sum(item["bytes"] for item in files),
        "total_gzip_bytes": total,
        "budget_gzip_bytes": JS_BUDGET_BYTES,
        "share_of_budget": round(total / JS_BUDGET_BYTES, 3),
        "met": total <= JS_BUDGET_BYTES,
    }


def summary(samples: list[float]) -> dict[str, float]:
    return {
        "p50_ms": round(statistics.median(samples), 1),
        "max_ms": round(max(samples), 1),
        "min_ms": round(min(samples), 1),
    }


def run(runs: int, folder: Path) -> dict[str, Any]:
    with server(folder) as (url, key), sync_playwright() as playwright:
        links = room_urls(url, key, runs + 1)
        browser = launch(playwright)
        try:
            shipped: dict[str, Any] = {}
            console.print("warm-up: one room load (also collects the scripts)")
            time_to(browser, links[0], INTERACTIVE, shipped)
            rooms, floors, failures = [], [], []
            phases: list[dict[str, float]] = []
            for index, link in enumerate(links[1:]):  # alternate, so drift hits both alike
                console.print(f"run {index + 1}/{runs}")
                floors.append(time_to(browser, f"{url}/healthz", COMPLETE))
                try:
                    rooms.append(time_to(browser, link, INTERACTIVE, phases=phases))
                except NotReady as exc:
                    failures.append(str(exc))
        finally:
            browser.close()
    room, floor = summary(rooms), summary(floors)
    return {
        "runs": runs,
        "room_loads_not_ready": failures,
        "room_tti": room,
        "room_phases_p50_ms": {
            name: round(statistics.median(run[name] for run in phases), 1)
            for name in (phases[0] if phases else {})
        },
        "baseline_healthz": floor,
        "ratio_room_vs_baseline_p50": round(room["p50_ms"] / floor["p50_ms"], 1),
        "javascript": shipped,
        "targets": {
            "tti_ms": TTI_TARGET_MS,
            "tti_p50_met": not failures and room["p50_ms"] <= TTI_TARGET_MS,
            "tti_max_met": not failures and room["max_ms"] <= TTI_TARGET_MS,
            "js_gzip_bytes": JS_BUDGET_BYTES,
            "js_met": shipped["met"],
        },
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=10, help="measured room loads")
    parser.add_argument("--output", type=Path, help="also write the JSON document here")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="ik-room-bench-") as folder:
        results = run(args.runs, Path(folder))
    document = {
        "machine": machine(),
        "browser": f"{CHROMIUM} (headless, a new context per load)",
        **results,
    }
    text = json.dumps(document, indent=2)
    print(text)
    if args.output:
        args.output.write_text(text + "\n")


if __name__ == "__main__":
    main()
