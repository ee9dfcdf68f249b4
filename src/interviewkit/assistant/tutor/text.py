"""Formatting and file helpers shared by the tutor's answers: short inline values, the
candidate's lines, and which paths are theirs (not the harness's or a library's)."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from interviewkit.assistant.tutor.diagnostics import DIAGNOSTICS
from interviewkit.problems.bank import Problem


def scan_lines(
    files: Mapping[str, str], suffixes: tuple[str, ...], pattern: re.Pattern[str]
) -> list[tuple[str, int, str]]:
    """Candidate lines (comments stripped) that match ``pattern``: (path, line, text)."""
    found: list[tuple[str, int, str]] = []
    for path, text in files.items():
        if not path.endswith(suffixes) or is_harness(path):
            continue
        for number, line in enumerate(text.splitlines(), 1):
            code = strip_comment(line)
            if code.strip() and pattern.search(code):
                found.append((path, number, clip(code.strip())))
    return found


def strip_comment(line: str) -> str:
    """A line without its ``//`` or ``#`` comment (strings are not parsed: a heuristic)."""
    for marker in ("//", "#"):
        at = line.find(marker)
        if at >= 0 and not (marker == "#" and line.lstrip().startswith("#include")):
            line = line[:at]
    return line


def quote_line(files: Mapping[str, str], path: str, line: int) -> str | None:
    text = find_file(files, path)
    if text is None:
        return None
    lines = text.splitlines()
    return clip(lines[line - 1].strip()) if 0 < line <= len(lines) else None


def find_file(files: Mapping[str, str], path: str) -> str | None:
    if path in files:
        return files[path]
    for name, text in files.items():
        if name.endswith("/" + path) or path.endswith("/" + name):
            return text
    return None


def workspace_path(path: str) -> str:
    """A path as the candidate knows it: relative to the workspace."""
    path = path.removeprefix("file://")
    for prefix in ("/work/", "./"):
        path = path.removeprefix(prefix)
    return path


_SYSTEM_PATHS = ("/usr/", "/opt/", "/lib", "<")
"""Installed software and a runtime's own pseudo-files (``<frozen …>``, ``<string>``)."""


def is_harness(path: str) -> bool:
    """A file of any language's test harness (the tutor never blames it)."""
    name = path.rsplit("/", 1)[-1]
    return any(name.startswith(spec.harness_files) for spec in DIAGNOSTICS.values())


def is_library(path: str) -> bool:
    """A frame in the runtime's or a library's code, not the candidate's."""
    if path.startswith(_SYSTEM_PATHS):
        return True
    return any(
        path.startswith(part) or part in path
        for spec in DIAGNOSTICS.values()
        for part in spec.library_paths
    )


def is_candidate(path: str) -> bool:
    return not is_harness(path) and not is_library(path)


def input_text(given: Any, problem: Problem | None) -> str:
    if isinstance(given, str):
        return clip(given.replace("\n", "\\n"), 160)
    if isinstance(given, list):
        return (
            arguments_text(problem, given)
            if problem is not None
            else clip(", ".join(brief(value) for value in given), 160)
        )
    return brief(given)


def arguments_text(problem: Problem | None, given: list[Any]) -> str:
    names = [p.name for p in problem.signature.params] if problem else []
    if len(names) != len(given):
        return clip(", ".join(brief(value) for value in given), 160)
    return clip(", ".join(f"{n} = {brief(v)}" for n, v in zip(names, given, strict=True)), 160)


def brief(value: Any, limit: int = 100) -> str:
    try:
        text = json.dumps(value, ensure_ascii=False, separators=(", ", ": "))
    except (TypeError, ValueError):
        text = repr(value)
    return clip(text, limit)


def clip(text: str, limit: int = 100) -> str:
    """One short line: inline code in an answer never grows into a block."""
    text = text.replace("`", "'").replace("\n", " ")
    return text if len(text) <= limit else text[: limit - 3] + "..."


def first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), "")
