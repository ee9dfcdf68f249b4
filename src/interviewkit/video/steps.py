"""The analysis pipeline as named steps, each storing its output so that a retry skips it.

The steps run in this order (``transcribe`` and ``video`` are independent and may run
side by side; ``convert`` is skipped when the caller only wants the analysis):

====================  =====================================  ==========================
step                  output (JSON)                          files it stores
====================  =====================================  ==========================
``probe``             :class:`~.results.ProbeResult`          -
``convert``           ``{"copied": bool}``                    ``answer.mp4``
``audio``             ``{"seconds": float}`` (or no audio)    ``audio.wav`` (16 kHz mono)
``transcribe``        :class:`~.results.TranscriptResult`     ``captions.vtt``
``text``              :class:`~.results.TextMetrics`          -
``video``             :class:`~.results.VideoMetrics`         -
``grade``             :class:`~.results.AnswerGrade` or null  -
``score``             :class:`~.results.AnswerScore`          -
``report``            :class:`~.results.AnswerAnalysis`       ``analysis.json``
====================  =====================================  ==========================

Where the outputs live is the :class:`StepStore`'s business: in memory and a temporary
folder for ``interviewkit video analyze``, database rows and the object store for an
uploaded answer (``video/pipeline.py``), so the same code runs both.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

STEP_NAMES = (
    "probe",
    "convert",
    "audio",
    "transcribe",
    "text",
    "video",
    "grade",
    "score",
    "report",
)


class StepStore(Protocol):
    """Where one answer's step outputs are kept; every method is safe to call again."""

    def output(self, step: str) -> dict[str, Any] | None:
        """The stored JSON output of a finished step, or None if it has not finished."""
        ...

    def save(self, step: str, output: dict[str, Any], files: dict[str, Path] | None = None) -> None:
        """Store a finished step: its files first, then its output (which marks it done).

        A crash between the two leaves the step unfinished, so it runs again: never a
        step marked done whose files are missing.
        """
        ...

    def file(self, name: str) -> Path:
        """A local path of a file a finished step stored (fetched from the store if needed)."""
        ...

    def progress(self, step: str, fraction: float) -> None:
        """How far the running step is, 0-1 (shown to people; may be rate-limited)."""
        ...
