"""The speech-to-text contract, passed by every adapter (whisper, pocketsphinx, openai).

What the voice pipeline relies on: the words said come back (within the engine's error
rate), each word with times inside the audio and in order, silence gives no words, a
turn's transcript does not depend on what else is being transcribed at the same moment,
and the transcript names its engine. The error bounds are per engine: PocketSphinx gets
about a third of real words wrong, Whisper tiny.en a few percent.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from interviewkit.speech.ports import SAMPLE_RATE, EngineUnavailable, Samples, SpeechToText
from interviewkit.speech.stt.openai import OpenAISTT
from interviewkit.speech.text import normalise_words, word_errors
from tests.speech.conftest import Speak
from tests.speech.corpus import INTERVIEW_SENTENCES
from tests.speech.openai_audio_server import TRANSCRIPTIONS, FakeOpenAIAudio

SYNTHESIZED_WER = {"whisper": 0.10, "openai": 0.10, "pocketsphinx": 0.60}
RECORDED_WER = {"whisper": 0.20, "openai": 0.20, "pocketsphinx": 0.70}
SENTENCES = INTERVIEW_SENTENCES[:6]


def corpus_wer(stt: SpeechToText, pairs: list[tuple[Samples, str]]) -> float:
    errors = words = 0
    for audio, text in pairs:
        wrong, count = word_errors(text, stt.transcribe(audio).text)
        errors, words = errors + wrong, words + count
    return errors / words


def silence(seconds: float) -> Samples:
    return np.zeros(int(seconds * SAMPLE_RATE), dtype=np.float32)


def test_the_words_said_come_back(stt: SpeechToText, speak: Speak) -> None:
    wer = corpus_wer(stt, [(speak(text), text) for text in SENTENCES])
    assert wer <= SYNTHESIZED_WER[stt.name], f"{stt.name}: WER {wer:.2f}"


def test_real_recorded_speech_is_understood(
    stt: SpeechToText, recorded: list[tuple[Samples, str]]
) -> None:
    wer = corpus_wer(stt, recorded)
    assert wer <= RECORDED_WER[stt.name], f"{stt.name}: WER {wer:.2f} on real recordings"


def test_words_are_timed_in_order_inside_the_audio(stt: SpeechToText, speak: Speak) -> None:
    text = "I would sort the intervals by their start time first."
    audio = np.concatenate([silence(1.0), speak(text), silence(0.5)])
    transcript = stt.transcribe(audio)
    duration = len(audio) / SAMPLE_RATE
    assert transcript.duration_s == pytest.approx(duration, abs=0.01)
    assert transcript.engine == stt.name
    assert len(transcript.words) >= 5
    for word in transcript.words:
        assert 0.0 <= word.start <= word.end <= duration + 0.05, word
    starts = [word.start for word in transcript.words]
    assert starts == sorted(starts)
    # the first word is said after the second of silence, not at the start of the audio
    assert transcript.words[0].start >= 0.6, transcript.words[0]


def test_the_text_is_the_words(stt: SpeechToText, speak: Speak) -> None:
    transcript = stt.transcribe(speak("Is the input list always sorted?"))
    joined = " ".join(word.text for word in transcript.words)
    assert normalise_words(transcript.text) == normalise_words(joined)


def test_silence_and_nothing_give_no_words(stt: SpeechToText) -> None:
    assert stt.transcribe(silence(0)).text == ""
    assert stt.transcribe(silence(0)).duration_s == 0.0
    quiet = stt.transcribe(silence(2.0))
    assert len(normalise_words(quiet.text)) <= 1, quiet.text  # tiny.en may say "you"


def test_a_prompt_is_accepted(stt: SpeechToText, speak: Speak) -> None:
    text = "Can you run my code please?"
    transcript = stt.transcribe(speak(text), prompt="binary search, hash map, run my code")
    wrong, count = word_errors(text, transcript.text)
    assert wrong / count <= max(SYNTHESIZED_WER[stt.name], 0.34), transcript.text


def test_concurrent_turns_do_not_mix(stt: SpeechToText, speak: Speak) -> None:
    """Several conversations transcribe at once on one shared engine: each gets its own."""
    audios = [speak(text) for text in SENTENCES[:4]]
    alone = [stt.transcribe(audio).text for audio in audios]
    with ThreadPoolExecutor(max_workers=4) as pool:
        together = list(pool.map(lambda audio: stt.transcribe(audio).text, audios))
    assert together == alone


# ---- the OpenAI adapter's HTTP contract ---------------------------------------------------


def test_openai_sends_a_wav_and_asks_for_timed_words(
    openai_audio: FakeOpenAIAudio, openai_settings: object, speak: Speak
) -> None:
    stt = OpenAISTT(model="whisper-1", api_key="test", base_url=openai_audio.base_url)
    before = len(openai_audio.requests)
    stt.transcribe(speak("Run the tests again please."), prompt="two pointers")
    request = openai_audio.requests[before]
    assert request.path == TRANSCRIPTIONS
    assert request.fields["model"] == "whisper-1"
    assert request.fields["response_format"] == "verbose_json"
    assert request.fields["timestamp_granularities[]"] == ["word"]
    assert request.fields["language"] == "en"
    assert request.fields["prompt"] == "two pointers"
    assert request.fields["file"]["content_type"] == "audio/wav"


def test_openai_failure_is_engine_unavailable(openai_audio: FakeOpenAIAudio, speak: Speak) -> None:
    stt = OpenAISTT(model="whisper-1", api_key="test", base_url=openai_audio.base_url)
    openai_audio.fail_next(503)
    with pytest.raises(EngineUnavailable, match="transcription API failed"):
        stt.transcribe(speak("Run the tests again please."))
