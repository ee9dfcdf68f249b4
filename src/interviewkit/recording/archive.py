"""Recording archives: newline-delimited JSON, compressed in one frame per keyframe.

A new zstd frame (or gzip member) starts at the first keyframe after ``FRAME_BYTES`` of
log, and the index records each frame's first seq, its time and its byte range. A
concatenation of frames is itself a valid ``.zst`` (or ``.gz``) file, so ``zstd -d``
gives the whole log; and replay at a moment decompresses one frame, which holds the
keyframe at or before it and the deltas after it. Frames of a megabyte let the
compressor see the repetition between keyframes (most of a snapshot is the previous one).
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import zstandard

from interviewkit.recording.events import KEYFRAMES, Workspace, replay

SUFFIX = {"zstd": "zst", "gzip": "gz"}
CONTENT_TYPE = {"zstd": "application/zstd", "gzip": "application/gzip"}
ZSTD_LEVEL = 9
FRAME_BYTES = 1 << 20


@dataclass(frozen=True)
class Built:
    data: bytes
    index: list[dict[str, int]]
    events: int
    raw_bytes: int
    duration_ms: int


def _compress(chunk: bytes, fmt: str) -> bytes:
    if fmt == "zstd":
        return zstandard.ZstdCompressor(level=ZSTD_LEVEL).compress(chunk)
    return gzip.compress(chunk, compresslevel=9, mtime=0)


def _decompress(frame: bytes, fmt: str) -> bytes:
    if fmt == "zstd":
        return zstandard.ZstdDecompressor().decompressobj().decompress(frame)
    return gzip.decompress(frame)


def build(events: Iterable[Mapping[str, Any]], fmt: str) -> Built:
    """Compress ``events`` (in seq order) into frames split at keyframes."""
    if fmt not in SUFFIX:
        raise ValueError(f"unknown archive format {fmt!r}")
    frames: list[bytes] = []
    index: list[dict[str, int]] = []
    lines: list[bytes] = []
    first: tuple[int, int] | None = None
    count = raw = last_t = 0
    offset = 0

    def flush() -> None:
        nonlocal offset, lines
        if not lines or first is None:
            return
        frame = _compress(b"".join(lines), fmt)
        frames.append(frame)
        index.append({"seq": first[0], "t_ms": first[1], "offset": offset, "length": len(frame)})
        offset += len(frame)
        lines = []

    pending = 0
    for event in events:
        if event["type"] in KEYFRAMES and lines and pending >= FRAME_BYTES:
            flush()
            pending = 0
        if not lines:
            first = (int(event["seq"]), int(event["t_ms"]))
        line = json.dumps(event, separators=(",", ":"), ensure_ascii=False).encode() + b"\n"
        lines.append(line)
        count += 1
        raw += len(line)
        pending += len(line)
        last_t = int(event["t_ms"])
    flush()
    return Built(b"".join(frames), index, count, raw, last_t)


class ArchiveReader:
    """Replay and read straight from an archive's bytes and its index."""

    def __init__(
        self,
        data: bytes,
        fmt: str,
        index: list[dict[str, int]],
        resolve: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
    ) -> None:
        """``resolve`` puts back contents an event stores by reference (large files)."""
        self.data = data
        self.fmt = fmt
        self.index = index
        self.resolve = resolve

    def _frame(self, entry: Mapping[str, int]) -> list[dict[str, Any]]:
        chunk = self.data[entry["offset"] : entry["offset"] + entry["length"]]
        events = [json.loads(line) for line in _decompress(chunk, self.fmt).splitlines()]
        return [self.resolve(e) for e in events] if self.resolve is not None else events

    def events(self) -> Iterator[dict[str, Any]]:
        for entry in self.index:
            yield from self._frame(entry)

    def workspace_at(self, at_ms: int) -> tuple[Workspace, int]:
        files, seq, _ = self.replay_at(at_ms)
        return files, seq

    def replay_at(self, at_ms: int) -> tuple[Workspace, int, str | None]:
        """The workspace at ``at_ms``, the last event's seq and its source."""
        if not self.index:
            return {}, 0, None
        candidates = [entry for entry in self.index if entry["t_ms"] <= max(at_ms, 0)]
        entry = candidates[-1] if candidates else self.index[0]
        frame = self._frame(entry)
        events = [e for e in frame if e["t_ms"] <= at_ms] or frame[:1]
        keyframe = max(i for i, e in enumerate(events) if e["type"] in KEYFRAMES)
        last = events[-1]
        return replay({}, events[keyframe:]), int(last["seq"]), last.get("source")
