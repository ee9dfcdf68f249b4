"""Ground-truth clips for every video test (built by :mod:`tests.video.clips`).

Encoding a clip costs seconds, so each spec is built once per test session into a
session temporary folder and shared: ``short_clip`` is the common case (about 9 s of
MediaRecorder-like WebM with a face that leaves and comes back and two spoken sentences),
``clip_factory(spec)`` builds any other spec (cached by the spec's hash).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.video.clips import SHORT_SPEC, ClipSpec, GroundTruth, build_cached

ClipFactory = Callable[[ClipSpec], GroundTruth]


@pytest.fixture(scope="session")
def clip_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("video-clips")


@pytest.fixture(scope="session")
def clip_factory(clip_folder: Path) -> ClipFactory:
    """Build (once per session) the clip of any :class:`ClipSpec`."""
    built: dict[ClipSpec, GroundTruth] = {}

    def build(spec: ClipSpec) -> GroundTruth:
        if spec not in built:
            built[spec] = build_cached(clip_folder, spec)
        return built[spec]

    return build


@pytest.fixture(scope="session")
def short_clip(clip_factory: ClipFactory) -> GroundTruth:
    """About 9 s of WebM (VP8 + Opus, no duration in the header, like MediaRecorder): a
    face for 3 s, nobody for 2 s, the face again for 4 s; two Piper sentences with a
    pause between (``GroundTruth.speech`` has their spans and text)."""
    return clip_factory(SHORT_SPEC)
