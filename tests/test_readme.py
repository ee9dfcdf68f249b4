"""The README's curl walk-through, run verbatim against a real server."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def readme_walkthrough() -> str:
    text = (ROOT / "README.md").read_text()
    section = text.split("### A first session with curl", 1)[1]
    match = re.search(r"```bash\n(.*?)```", section, re.DOTALL)
    assert match, "the README lost its curl walk-through"
    return match.group(1)


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


def clean_env(**extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("INTERVIEWKIT_")}
    return {**env, **extra}


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    data_dir = tmp_path / "data"
    port = free_port()
    env = clean_env(INTERVIEWKIT_DATA_DIR=str(data_dir), INTERVIEWKIT_PORT=str(port))
    process = subprocess.Popen(
        [str(Path(sys.prefix) / "bin" / "interviewkit"), "serve"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            pytest.fail("the server did not start")
        yield base, data_dir
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_the_readme_walkthrough_runs_verbatim(server: tuple[str, Path], tmp_path: Path) -> None:
    base, data_dir = server
    workdir = tmp_path / "checkout"
    workdir.mkdir()
    (workdir / ".venv").symlink_to(Path(sys.prefix))
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", readme_walkthrough()],
        cwd=workdir,
        env=clean_env(IK=base, INTERVIEWKIT_DATA_DIR=str(data_dir)),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    documents = json_documents(done.stdout)
    session, written, read, listing, stale, invite, ended = documents
    assert session["candidate_name"] == "Ada Lovelace"
    assert written["path"] == "/utils/helper.py"
    assert read["content"] == "def add(a, b):\n    return a + b\n"
    assert [item["path"] for item in listing["files"]] == ["/solution.py", "/utils/helper.py"]
    assert stale["code"] == "version_mismatch"
    assert invite["session_id"] == session["id"]
    assert ended["status"] == "completed"
    assert not (workdir / "session.json").exists()
