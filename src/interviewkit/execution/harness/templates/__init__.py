"""Harness sources, kept as real files so they can be linted, compiled and run on their own."""

from __future__ import annotations

from functools import cache
from importlib import resources


@cache
def load_template(name: str) -> str:
    """The text of one template file shipped in this package."""
    return resources.files(__name__).joinpath(name).read_text(encoding="utf-8")


def replace_line(source: str, marker: str, replacement: str) -> str:
    """Replace the one line containing ``marker``; a missing marker is a packaging bug."""
    lines = source.split("\n")
    hits = [i for i, line in enumerate(lines) if marker in line]
    if len(hits) != 1:
        raise RuntimeError(f"harness template marker {marker!r} not found exactly once")
    lines[hits[0]] = replacement
    return "\n".join(lines)


def replace_block(source: str, begin: str, end: str, replacement: str) -> str:
    """Replace the lines from the one containing ``begin`` to the one containing ``end``."""
    lines = source.split("\n")
    starts = [i for i, line in enumerate(lines) if begin in line]
    ends = [i for i, line in enumerate(lines) if end in line]
    if len(starts) != 1 or len(ends) != 1 or ends[0] < starts[0]:
        raise RuntimeError(f"harness template block {begin!r}..{end!r} is malformed")
    return "\n".join([*lines[: starts[0]], replacement, *lines[ends[0] + 1 :]])
