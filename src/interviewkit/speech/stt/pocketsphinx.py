"""CMU PocketSphinx: the near-free fallback speech to text (and its en-US model ships inside).

About a third of the words come out wrong on real speech (Whisper tiny.en: a few percent),
but it needs no model download beyond the wheel and little CPU, so a machine without
Whisper still has a voice interviewer that understands commands. Its decoder is not
thread-safe and takes ~0.3 s to build, so decoders are kept in a pool: each call borrows
one (building another only when all are busy) and gives it back.
"""

from __future__ import annotations

import queue
import re
from typing import Any

import numpy as np

from interviewkit.speech.ports import SAMPLE_RATE, EngineUnavailable, Samples, Transcript, Word

FRAMES_PER_SECOND = 100
"""PocketSphinx's segment times are in 10 ms frames."""

_ALTERNATE = re.compile(r"\(\d+\)$")
"""A dictionary's alternate pronunciation mark: ``your(2)`` is the word ``your``."""


def _is_word(token: str) -> bool:
    """Sentence marks (``<s>``, ``<sil>``) and fillers (``[NOISE]``, ``++UH++``) are not."""
    return not (token.startswith(("<", "[", "+")) or token == "")


class PocketsphinxSTT:
    """Speech to text with PocketSphinx's bundled US English acoustic and language model."""

    name = "pocketsphinx"

    def __init__(self) -> None:
        try:
            import pocketsphinx  # type: ignore[import-untyped]
        except ImportError as exc:
            raise EngineUnavailable("pocketsphinx is not installed") from exc
        self._module: Any = pocketsphinx
        self._pool: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._pool.put(self._decoder())  # fail now, not at the first turn

    def _decoder(self) -> Any:
        try:
            return self._module.Decoder(loglevel="FATAL")
        except (RuntimeError, ValueError, OSError) as exc:
            raise EngineUnavailable(f"cannot load PocketSphinx's en-us model: {exc}") from exc

    def transcribe(self, audio: Samples, *, prompt: str | None = None) -> Transcript:
        """The words in ``audio``; ``prompt`` is ignored (its language model is fixed)."""
        samples = np.asarray(audio, dtype=np.float32).reshape(-1)
        duration = len(samples) / SAMPLE_RATE
        if len(samples) == 0:
            return Transcript("", (), 0.0, self.name)
        pcm = (np.clip(samples, -1.0, 1.0) * 32767).astype("<i2").tobytes()
        try:
            decoder = self._pool.get_nowait()
        except queue.Empty:
            decoder = self._decoder()
        try:
            decoder.start_utt()
            decoder.process_raw(pcm, full_utt=True)
            decoder.end_utt()
            words = tuple(
                Word(
                    _ALTERNATE.sub("", seg.word),
                    seg.start_frame / FRAMES_PER_SECOND,
                    (seg.end_frame + 1) / FRAMES_PER_SECOND,
                    float(seg.prob),
                )
                for seg in decoder.seg()
                if _is_word(seg.word)
            )
        finally:
            self._pool.put(decoder)
        return Transcript(" ".join(w.text for w in words), words, duration, self.name)
