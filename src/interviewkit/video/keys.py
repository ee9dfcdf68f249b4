"""Where a video interview's objects live in the object store.

``video-interviews/{yyyy}/{mm}/{dd}/{vid_id}/answers/{index}/{answer_id}/`` holds one
answer: the upload as ``original.{ext}`` and beside it what the pipeline's steps stored
(``answer.mp4``, ``audio.wav``, ``captions.vtt``, ``transcript.json``, ``analysis.json``).
The date is the interview's creation day, as for sessions, so a bucket can be browsed
and expired by day. One prefix per answer means deleting an answer is deleting a prefix.
"""

from __future__ import annotations

from datetime import datetime

from interviewkit.storage.port import validate_key

ROOT = "video-interviews"

EXTENSIONS = {
    "video/webm": "webm",
    "video/mp4": "mp4",
    "video/quicktime": "mov",
    "video/x-matroska": "mkv",
}
"""The file extension each accepted content type is stored under (else ``bin``)."""


def interview_prefix(interview_id: str, created: datetime) -> str:
    return f"{ROOT}/{created:%Y/%m/%d}/{interview_id}"


def answer_prefix(interview_id: str, created: datetime, index: int, answer_id: str) -> str:
    """The folder of one answer's objects (no trailing slash)."""
    return validate_key(f"{interview_prefix(interview_id, created)}/answers/{index}/{answer_id}")


def original_key(
    interview_id: str, created: datetime, index: int, answer_id: str, content_type: str
) -> str:
    """The uploaded file, named by its declared type (the probe checks what it really is)."""
    extension = EXTENSIONS.get(content_type.split(";")[0].strip().lower(), "bin")
    return f"{answer_prefix(interview_id, created, index, answer_id)}/original.{extension}"


def step_file_key(prefix: str, name: str) -> str:
    """A file a step stored, beside the original (``name`` is a plain file name)."""
    if "/" in name or name.startswith("original."):
        raise ValueError(f"a step file is a plain name other than the original: {name!r}")
    return validate_key(f"{prefix}/{name}")
