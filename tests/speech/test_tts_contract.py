"""The text-to-speech contract, passed by every adapter (piper, espeak, openai).

What the voice pipeline relies on: what is synthesized can be understood (round trip:
synthesize, then transcribe with Whisper and compare the words), it comes as int16 mono
chunks at the engine's declared rate, a reply of several clauses comes in several chunks
(so the first can be played while the rest is synthesized), nothing to say gives no audio,
and conversations can speak at the same time.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from interviewkit.speech.ports import EngineUnavailable, Samples, SpeechToText, TextToSpeech
from interviewkit.speech.text import split_clauses, word_errors
from interviewkit.speech.tts.openai import OpenAITTS
from tests.speech.conftest import synthesized
from tests.speech.openai_audio_server import SPEECH, FakeOpenAIAudio

ROUND_TRIP_WER = {"piper": 0.20, "openai": 0.20, "espeak": 0.70}
"""Both voices vary from one synthesis to the next (Piper's generator noise, espeak-ng's
timing): over 15 runs of these replies Whisper tiny.en scored 0.06-0.15 on Piper (mostly
"tests" heard as "test") and 0.35-0.56 on espeak-ng's formant voice (0.13 on plainer
interview sentences). Audio that is broken, not just robotic, scores near 1.0."""
REPLIES = (
    "Sure, running your tests now.",
    "Two of your five tests fail: the empty list and the single element.",
    "You have about twelve minutes left.",
    "Good question. The input is always sorted in ascending order.",
)
LONG_REPLY = (
    "Your solution passes every test, which is great, so let me ask a follow up question: "
    "how would you change it if the input did not fit in memory?"
)


def round_trip_wer(whisper: SpeechToText, pairs: list[tuple[str, Samples]]) -> float:
    errors = words = 0
    for text, audio in pairs:
        wrong, count = word_errors(text, whisper.transcribe(audio).text)
        errors, words = errors + wrong, words + count
    return errors / words


def test_what_is_said_is_understood(tts: TextToSpeech, whisper: SpeechToText) -> None:
    wer = round_trip_wer(whisper, [(text, synthesized(tts, text)) for text in REPLIES])
    assert wer <= ROUND_TRIP_WER[tts.name], f"{tts.name}: WER {wer:.2f}"


def test_chunks_are_int16_mono_at_the_declared_rate(tts: TextToSpeech) -> None:
    chunks = list(tts.synthesize("Let me think of a hint."))
    assert chunks
    assert all(chunk.dtype == np.int16 and chunk.ndim == 1 and len(chunk) for chunk in chunks)
    seconds = sum(len(chunk) for chunk in chunks) / tts.sample_rate
    assert 0.6 <= seconds <= 4.0  # six words, said at a speaking pace
    audio = np.concatenate(chunks).astype(np.float64)
    rms = np.sqrt(np.mean(audio**2))
    assert 300 <= rms <= 20_000  # audible, not clipped to a square wave


def test_a_long_reply_streams_in_several_chunks(tts: TextToSpeech) -> None:
    assert len(split_clauses(LONG_REPLY)) >= 3
    chunks = list(tts.synthesize(LONG_REPLY))
    assert len(chunks) >= 3
    total = sum(len(chunk) for chunk in chunks)
    assert len(chunks[0]) <= total / 2  # the first chunk is a part, not nearly the whole


@pytest.mark.parametrize("text", ["", "   ", "\n"])
def test_nothing_to_say_gives_no_audio(tts: TextToSpeech, text: str) -> None:
    assert sum(len(chunk) for chunk in tts.synthesize(text)) == 0


def test_conversations_can_speak_at_once(tts: TextToSpeech, whisper: SpeechToText) -> None:
    with ThreadPoolExecutor(max_workers=len(REPLIES)) as pool:
        audios = list(pool.map(lambda text: synthesized(tts, text), REPLIES))
    wer = round_trip_wer(whisper, list(zip(REPLIES, audios, strict=True)))
    assert wer <= ROUND_TRIP_WER[tts.name], f"{tts.name}: WER {wer:.2f} when speaking at once"


# ---- the OpenAI adapter's HTTP contract ---------------------------------------------------


def test_openai_asks_for_raw_pcm(openai_audio: FakeOpenAIAudio) -> None:
    tts = OpenAITTS(model="tts-1", voice="alloy", api_key="test", base_url=openai_audio.base_url)
    before = len(openai_audio.requests)
    assert list(tts.synthesize("Hello there."))
    request = openai_audio.requests[before]
    assert request.path == SPEECH
    assert request.fields == {
        "model": "tts-1",
        "voice": "alloy",
        "input": "Hello there.",
        "response_format": "pcm",
    }
    assert tts.sample_rate == 24_000


def test_openai_failure_is_engine_unavailable(openai_audio: FakeOpenAIAudio) -> None:
    tts = OpenAITTS(model="tts-1", voice="alloy", api_key="test", base_url=openai_audio.base_url)
    openai_audio.fail_next(500)
    with pytest.raises(EngineUnavailable, match="speech API failed"):
        list(tts.synthesize("Hello there."))
