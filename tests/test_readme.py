"""The README's curl walk-through, run verbatim against a real server."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.server import Server, clean_env, running_server

ROOT = Path(__file__).resolve().parent.parent


def readme_block(heading: str) -> str:
    """The first bash block after ``heading`` in the README."""
    text = (ROOT / "README.md").read_text()
    section = text.split(heading, 1)[1]
    match = re.search(r"```bash\n(.*?)```", section, re.DOTALL)
    assert match, f"the README lost its bash block under {heading!r}"
    return match.group(1)


def readme_walkthrough() -> str:
    return readme_block("### A first session with curl")


def json_documents(text: str) -> list[dict[str, Any]]:
    """Split curl's back-to-back JSON answers (they carry no newline between them)."""
    decoder = json.JSONDecoder()
    documents, position = [], 0
    while position < len(text):
        document, position = decoder.raw_decode(text, position)
        documents.append(document)
        while position < len(text) and text[position].isspace():
            position += 1
    return documents


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    with running_server(tmp_path / "data") as started:
        yield started


def test_the_readme_walkthrough_runs_verbatim(server: Server, tmp_path: Path) -> None:
    workdir = tmp_path / "checkout"
    workdir.mkdir()
    (workdir / ".venv").symlink_to(Path(sys.prefix))
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", readme_walkthrough()],
        cwd=workdir,
        env=clean_env(IK=server.base_url, INTERVIEWKIT_DATA_DIR=str(server.data_dir)),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    documents = json_documents(done.stdout)
    session, written, read, listing, stale, executed, invite, ended = documents
    assert session["candidate_name"] == "Ada Lovelace"
    assert written["path"] == "/utils/helper.py"
    assert read["content"] == "def add(a, b):\n    return a + b\n"
    assert [item["path"] for item in listing["files"]] == ["/solution.py", "/utils/helper.py"]
    assert stale["code"] == "version_mismatch"
    assert executed["status"] == "accepted", executed
    assert (executed["passed"], executed["total"]) == (2, 2)
    assert invite["session_id"] == session["id"]
    assert ended["status"] == "completed"
    assert not (workdir / "session.json").exists()


def test_the_readme_run_an_interview_link_opens_the_candidates_room(
    server: Server, tmp_path: Path
) -> None:
    workdir = tmp_path / "checkout"
    workdir.mkdir()
    (workdir / ".venv").symlink_to(Path(sys.prefix))
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", readme_block("### Run an interview")],
        cwd=workdir,
        env=clean_env(INTERVIEWKIT_DATA_DIR=str(server.data_dir)),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    link = re.search(r"http://\S+?(/room/(ses_\w+))#token=(\S+)", done.stdout)
    assert link is not None, done.stdout
    path, session_id, token = link.groups()
    with httpx.Client(base_url=server.base_url) as http:
        page = http.get(path)
        session = http.get(
            f"/api/v1/sessions/{session_id}", headers={"Authorization": f"Bearer {token}"}
        )
    assert page.status_code == 200
    assert "text/html" in page.headers["content-type"]
    assert session.status_code == 200, session.text
    assert session.json()["candidate_name"] == "Ada Lovelace"
