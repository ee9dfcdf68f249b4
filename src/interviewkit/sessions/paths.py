"""Workspace paths: one canonical form, and every way a path can be unsafe, refused.

A workspace path is absolute inside the workspace (``/utils/helper.py``). A path given
with or without the leading slash means the same file. Anything that could reach outside
the workspace or confuse a file system or a shell later (``..``, NUL, backslashes, control
characters, empty or over-long segments, excessive depth) is rejected, not repaired.

Two more rules keep what a reviewer reads equal to what the file system holds. Format
characters (Unicode category Cf: the bidi overrides and isolates, zero-width joiners,
soft hyphens) are refused, because they make a name display as something it is not
(``/main`` + U+202E + ``gnp.py`` shows as ``/mainyp.png``). And paths are NFC-normalised, because
``café`` typed with a precomposed ``é`` or with ``e`` and a combining accent would
otherwise be two different files that look identical.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from interviewkit import languages
from interviewkit.errors import ProblemError


def language_for(path: str) -> str:
    """Editor language guessed from the file extension, ``plaintext`` when unknown."""
    return languages.editor_language(path)


@dataclass(frozen=True)
class PathRules:
    max_path_bytes: int = 1024
    max_depth: int = 16
    max_segment_bytes: int = 255


class InvalidPathError(ProblemError):
    def __init__(self, path: str, reason: str) -> None:
        shown = path if len(path) <= 200 else path[:200] + "…"
        super().__init__(400, "invalid_path", f"invalid path {shown!r}: {reason}")


def _is_control(char: str) -> bool:
    return unicodedata.category(char) in {"Cc", "Cs", "Zl", "Zp"} or char in "\ufffe\uffff"


def _is_format(char: str) -> bool:
    """Bidi controls, zero-width characters, the BOM: invisible, or reordering the name."""
    return unicodedata.category(char) == "Cf"


def normalize_path(raw: str, rules: PathRules) -> str:
    """Return the canonical ``/a/b`` form of ``raw`` or raise :class:`InvalidPathError`."""
    if not raw or raw == "/":
        raise InvalidPathError(raw, "empty")
    if "\\" in raw:
        raise InvalidPathError(raw, "backslashes are not allowed")
    if any(_is_control(char) for char in raw):
        raise InvalidPathError(raw, "control characters and NUL are not allowed")
    if any(_is_format(char) for char in raw):
        raise InvalidPathError(raw, "invisible or bidi format characters are not allowed")
    raw = unicodedata.normalize("NFC", raw)
    try:
        encoded = raw.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidPathError(raw, "not valid UTF-8") from None
    if len(encoded) > rules.max_path_bytes:
        raise InvalidPathError(raw, f"longer than {rules.max_path_bytes} bytes")
    relative = raw[1:] if raw.startswith("/") else raw
    segments = relative.split("/")
    if len(segments) > rules.max_depth:
        raise InvalidPathError(raw, f"deeper than {rules.max_depth} levels")
    for segment in segments:
        if not segment:
            raise InvalidPathError(raw, "empty segment (double or trailing slash)")
        if segment in {".", ".."}:
            raise InvalidPathError(raw, "'.' and '..' segments are not allowed")
        if len(segment.encode("utf-8")) > rules.max_segment_bytes:
            raise InvalidPathError(raw, f"a segment is longer than {rules.max_segment_bytes} bytes")
    return "/" + "/".join(segments)


def is_under(path: str, folder: str) -> bool:
    """True when ``path`` lies inside ``folder`` (both canonical)."""
    return path.startswith(folder.rstrip("/") + "/")
