"""The README's screenshots of the interviewer's side, from a real server and Chromium.

``python bench/screenshots.py [--out docs]`` starts ``interviewkit serve`` (SQLite in a
temporary data dir, the offline assistant), plays one interview in real time through the
public API (about ``--minutes`` minutes: a candidate types a first idea, runs it and
fails, asks the assistant, leaves the tab, pastes, types the solution, runs and submits
it; the interviewer leaves notes), ends it, scores it, adds a few other sessions, then
signs Chromium in with an interviewer key and saves:

* ``dashboard.png``: the sessions list;
* ``player.png``: the replay at the middle of the interview, its timeline marks shown;
* ``report.png``: the session's report.

Real time, because runs, assistant turns and notes are stamped by the server's clock.
Nothing is measured; progress goes to stderr.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import yaml
from playwright.sync_api import sync_playwright
from rich.console import Console

from _browser import launch, sign_in
from api_bench import create_api_key, interviewkit_command, run_cli, running_server
from interviewkit.problems.bank import BANK_DIR

console = Console(stderr=True)
FILE = "/solution.py"
CANDIDATE = ("Ada Lovelace", "ada.lovelace@example.com")
OTHERS = [
    ("Alan Turing", "alan@example.com", {"template_id": "backend-screen-45"}, "completed"),
    ("Katherine Johnson", "kj@example.com", {"template_id": "new-grad-30"}, None),
    ("Edsger Dijkstra", "ewd@example.com", {"problem_id": "network-delay-time"}, "completed"),
    ("Barbara Liskov", "liskov@example.com", {"template_id": "algorithms-onsite-90"}, None),
    ("Donald Knuth", "knuth@example.com", {"problem_id": "edit-distance"}, "terminated"),
    ("Margaret Hamilton", "mh@example.com", {"template_id": "new-grad-30"}, None),
]
VIEWPORT = {"width": 1440, "height": 900}


@dataclass
class Interview:
    """One session played through the API: the staff and the candidate clients."""

    staff: httpx.Client
    candidate: httpx.Client
    session_id: str
    text: str = ""
    counter: int = 0

    def send(self, client: httpx.Client, events: list[dict[str, Any]]) -> None:
        for event in events:
            self.counter += 1
            event.setdefault("id", f"shot-{self.counter}")
        answer = client.post(f"/api/v1/sessions/{self.session_id}/events", json={"events": events})
        answer.raise_for_status()

    def type(self, text: str, seconds: float) -> None:
        """Type ``text`` at the end of the file, spread over ``seconds``, a batch a second."""
        batches = max(1, round(seconds))
        size = -(-len(text) // batches)
        for start in range(0, len(text), size):
            chunk = text[start : start + size]
            events = [
                {"type": "edit", "file": FILE, "offset": len(self.text) + index, "insert": char}
                for index, char in enumerate(chunk)
            ]
            events.append({"type": "cursor", "file": FILE, "offset": len(self.text) + len(chunk)})
            self.send(self.candidate, events)
            self.text += chunk
            time.sleep(seconds / batches)

    def clear(self) -> None:
        self.send(
            self.candidate, [{"type": "edit", "file": FILE, "offset": 0, "delete": len(self.text)}]
        )
        self.text = ""

    def paste(self, text: str) -> None:
        self.send(
            self.candidate,
            [
                {"type": "paste", "file": FILE, "size": len(text)},
                {"type": "edit", "file": FILE, "offset": len(self.text), "insert": text},
            ],
        )
        self.text += text

    def run(self, mode: str = "run") -> str:
        body = {"file": FILE, "language": "python", "mode": mode}
        answer = self.candidate.post(f"/api/v1/sessions/{self.session_id}/execute", json=body)
        answer.raise_for_status()
        return str(answer.json().get("status"))

    def ask(self, question: str) -> None:
        body = {"content": question, "stream": False}
        answer = self.candidate.post(
            f"/api/v1/sessions/{self.session_id}/assistant/messages", json=body
        )
        answer.raise_for_status()

    def note(self, text: str) -> None:
        self.send(self.staff, [{"type": "note", "text": text}])

    def away(self, seconds: float) -> None:
        self.send(self.candidate, [{"type": "blur"}])
        time.sleep(seconds)
        self.send(self.candidate, [{"type": "focus"}])


def solution(problem_id: str) -> tuple[str, str]:
    """(starter, reference solution) in Python of a bank problem."""
    problem = yaml.safe_load((BANK_DIR / f"{problem_id}.yaml").read_text())
    return problem["starter"]["python"], problem["solutions"]["python"]


def play(staff: httpx.Client, url: str, minutes: float) -> str:
    """The interview; returns its session id."""
    name, email = CANDIDATE
    body = {"template_id": "new-grad-30", "language": "python"}
    created = staff.post(
        "/api/v1/sessions", json={**body, "candidate_name": name, "candidate_email": email}
    ).json()
    token = staff.post(f"/api/v1/sessions/{created['id']}/invite", json={}).json()["token"]
    starter, reference = solution(created["problem_id"])
    unit = minutes * 60 / 12  # the script below is 12 units long
    with httpx.Client(
        base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=60
    ) as candidate:
        interview = Interview(staff, candidate, created["id"])
        interview.text = candidate.get(f"/api/v1/sessions/{created['id']}/files{FILE}").json()[
            "content"
        ]
        console.print(f"{created['id']}: {created['problem_id']}, about {minutes} min")
        interview.clear()
        interview.type(starter.rstrip() + "\n        # first idea: try every pair\n", unit)
        console.print(f"run: {interview.run()}")
        interview.note("Went for brute force first; ask about complexity.")
        time.sleep(unit / 2)
        interview.ask("Is there a faster way than checking every pair?")
        time.sleep(unit / 2)
        interview.away(unit)
        head, _, body_text = reference.partition("\n")
        interview.clear()
        interview.paste(head + "\n")
        time.sleep(unit / 2)
        interview.type(body_text, unit * 4)
        console.print(f"run: {interview.run()}")
        time.sleep(unit / 2)
        console.print(f"submit: {interview.run('submit')}")
        interview.note("Explained the hash map trade-off clearly.")
        time.sleep(unit)
    return str(created["id"])


def score(staff: httpx.Client, session_id: str) -> None:
    rubric = staff.get(f"/api/v1/sessions/{session_id}/scorecards").json()["rubric"]
    ratings = {
        part["problem_id"]: {item["criterion"]: 3 + (i % 2) for i, item in enumerate(part["items"])}
        for part in rubric
    }
    card = {
        "ratings": ratings,
        "notes": "Solid fundamentals; moved from brute force to a hash map on their own.",
        "recommendation": "yes",
        "submit": True,
    }
    staff.post(f"/api/v1/sessions/{session_id}/scorecards", json=card).raise_for_status()


def others(staff: httpx.Client) -> None:
    for name, email, source, ended in OTHERS:
        body = {"candidate_name": name, "candidate_email": email, "language": "python", **source}
        created = staff.post("/api/v1/sessions", json=body).json()
        if ended:
            staff.delete(f"/api/v1/sessions/{created['id']}", params={"status": ended})


def shoot(url: str, key: str, session_id: str, duration_ms: int, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            page = browser.new_context(viewport=VIEWPORT).new_page()  # type: ignore[arg-type]
            sign_in(page, url, key)
            page.wait_for_load_state("networkidle")
            page.screenshot(path=str(out / "dashboard.png"))
            page.goto(f"{url}/sessions/{session_id}/replay?t={duration_ms // 2}")
            page.wait_for_function(
                "() => window.__replay !== undefined && window.__replay.atMs > 0",
                timeout=30_000,
            )
            page.wait_for_load_state("networkidle")
            page.screenshot(path=str(out / "player.png"))
            page.goto(f"{url}/reports/{session_id}")
            page.wait_for_load_state("networkidle")
            page.wait_for_timeout(500)  # the charts draw after load
            page.screenshot(path=str(out / "report.png"))
        finally:
            browser.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=Path("docs"), help="where the PNGs go")
    parser.add_argument("--minutes", type=float, default=3.0, help="length of the interview")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="ik-screenshots-") as folder:
        root = Path(folder)
        command = interviewkit_command(root / "data", None)
        settings = {"llm_provider": "offline"}
        create_api_key(command, root, settings)  # migrates the database
        # the interviewer the pages show signed in and the scorecard names
        named = ["keys", "create", "--name", "Grace Hopper", "--role", "interviewer", "--quiet"]
        person = run_cli(command, *named, cwd=root, settings=settings).strip()
        with (
            (root / "server.log").open("w") as log,
            running_server(command, root, log, settings) as url,
            httpx.Client(
                base_url=url, headers={"Authorization": f"Bearer {person}"}, timeout=60
            ) as staff,
        ):
            session_id = play(staff, url, args.minutes)
            staff.delete(f"/api/v1/sessions/{session_id}").raise_for_status()
            score(staff, session_id)
            others(staff)
            timeline = staff.get(f"/api/v1/sessions/{session_id}/timeline").json()
            shoot(url, person, session_id, int(timeline["duration_ms"]), args.out)
    console.print(f"saved dashboard.png, player.png and report.png in {args.out}")


if __name__ == "__main__":
    main()
