"""Test jobs that leave their evidence in files, so a worker in another process (the
crash tests' subprocess, a Celery worker) reports what it did as plainly as one here.

Every job of kind :data:`KIND` appends a line to ``{tag}.starts`` when it starts and to
``{tag}.ends`` when it ends well; a second delivery that starts while the first still
runs (the marker ``{tag}.running`` exists) is written to ``overlaps``. The payload says
how the job behaves: ``fail_times`` planned failures, ``permanent`` bad input,
``sleep_s`` of work, ``hang_first`` (the first attempt hangs until its process is killed).
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

from interviewkit.tasks import Payload, PermanentTaskError

KIND = "test.record"


def _append(path: Path, line: str) -> None:
    with path.open("a", encoding="utf-8") as file:  # one short O_APPEND write: atomic
        file.write(line + "\n")


def record(payload: Payload) -> None:
    folder, tag = Path(payload["folder"]), str(payload["tag"])
    running = folder / f"{tag}.running"
    try:
        os.close(os.open(running, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
    except FileExistsError:
        _append(folder / "overlaps", tag)
    try:
        _append(folder / f"{tag}.starts", repr(time.time()))
        attempt = len(lines(folder / f"{tag}.starts"))
        (folder / f"{tag}.payload").write_text(json.dumps(dict(payload)), encoding="utf-8")
        if payload.get("hang_first") and attempt == 1:
            (folder / f"{tag}.hanging").write_text(str(os.getpid()), encoding="utf-8")
            time.sleep(3600)
        time.sleep(float(payload.get("sleep_s", 0)))
        if payload.get("permanent"):
            raise PermanentTaskError(f"bad input in {tag}")
        if attempt <= int(payload.get("fail_times", 0)):
            raise RuntimeError(f"planned failure {attempt} of {tag}")
        _append(folder / f"{tag}.ends", repr(time.time()))
    finally:
        running.unlink(missing_ok=True)


def give_up(payload: Payload, error: str) -> None:
    folder, tag = Path(payload["folder"]), str(payload["tag"])
    _append(folder / f"{tag}.gave_up", json.dumps(error))


def lines(path: Path) -> list[str]:
    try:
        return path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return []


def starts(folder: Path, tag: str) -> list[float]:
    return [float(line) for line in lines(folder / f"{tag}.starts")]


def ends(folder: Path, tag: str) -> list[float]:
    return [float(line) for line in lines(folder / f"{tag}.ends")]


def gave_up(folder: Path, tag: str) -> list[str]:
    return [str(json.loads(line)) for line in lines(folder / f"{tag}.gave_up")]


def received_payload(folder: Path, tag: str) -> Any:
    return json.loads((folder / f"{tag}.payload").read_text(encoding="utf-8"))
