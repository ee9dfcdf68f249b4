"""Real engines for the speech tests, each loaded once per run, and real speech to feed them.

Every adapter runs for real: Whisper and PocketSphinx on spoken audio, Piper and espeak-ng
producing it, Silero and PocketSphinx judging it; the OpenAI adapters talk over HTTP to a
local OpenAI-compatible server that is itself backed by Whisper and Piper
(:mod:`tests.speech.openai_audio_server`). Speech is synthesized by Piper at test time
(cached for the run) or read from Debian's recorded prompts (:mod:`tests.speech.corpus`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np
import pytest

from interviewkit.config import Settings
from interviewkit.speech.audio import read_wav, resample, to_float
from interviewkit.speech.engines import build_stt, build_tts, build_vad
from interviewkit.speech.ports import (
    SAMPLE_RATE,
    Samples,
    SpeechToText,
    TextToSpeech,
    VoiceActivityDetector,
)
from interviewkit.speech.tts.piper import PiperTTS
from tests.conftest import unavailable
from tests.speech.corpus import Clip, sample_clips
from tests.speech.openai_audio_server import FakeOpenAIAudio

STT_ENGINES = ("whisper", "pocketsphinx", "openai")
TTS_ENGINES = ("piper", "espeak", "openai")
VAD_ENGINES = ("silero", "pocketsphinx")

Speak = Callable[[str], Samples]


@pytest.fixture(scope="session")
def speech_settings() -> Settings:
    return Settings(_env_file=None)


@pytest.fixture(scope="session")
def whisper(speech_settings: Settings) -> SpeechToText:
    return build_stt(speech_settings, "whisper")


@pytest.fixture(scope="session")
def piper(speech_settings: Settings) -> TextToSpeech:
    return build_tts(speech_settings, "piper")


@pytest.fixture(scope="session")
def openai_audio(whisper: SpeechToText, piper: TextToSpeech) -> Iterator[FakeOpenAIAudio]:
    with FakeOpenAIAudio(whisper, piper) as server:
        yield server


@pytest.fixture(scope="session")
def openai_settings(speech_settings: Settings, openai_audio: FakeOpenAIAudio) -> Settings:
    """Settings that point the OpenAI adapters at the local server."""
    return speech_settings.model_copy(update={"openai_base_url": openai_audio.base_url})


@pytest.fixture(params=STT_ENGINES)
def stt(request: pytest.FixtureRequest, speech_settings: Settings) -> SpeechToText:
    if request.param == "openai":
        return build_stt(request.getfixturevalue("openai_settings"), "openai")
    return build_stt(speech_settings, request.param)


@pytest.fixture(params=TTS_ENGINES)
def tts(request: pytest.FixtureRequest, speech_settings: Settings) -> TextToSpeech:
    if request.param == "openai":
        return build_tts(request.getfixturevalue("openai_settings"), "openai")
    return build_tts(speech_settings, request.param)


@pytest.fixture(params=VAD_ENGINES)
def vad(request: pytest.FixtureRequest, speech_settings: Settings) -> VoiceActivityDetector:
    return build_vad(speech_settings, request.param)


def synthesized(tts: TextToSpeech, text: str) -> Samples:
    """What ``tts`` says for ``text``, as 16 kHz float samples (the STT port's input)."""
    chunks = list(tts.synthesize(text))
    pcm = np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.int16)
    return to_float(resample(pcm, tts.sample_rate, SAMPLE_RATE))


@pytest.fixture(scope="session")
def speak() -> Speak:
    """Piper's reading of a text at 16 kHz, the same samples every run (no generator noise:
    a recognition test must not pass or fail with the voice's random variation)."""
    voice = PiperTTS(deterministic=True)
    cache: dict[str, Samples] = {}

    def said(text: str) -> Samples:
        if text not in cache:
            cache[text] = synthesized(voice, text)
        return cache[text]

    return said


@pytest.fixture(scope="session")
def recorded() -> list[tuple[Samples, str]]:
    """Six real recordings (8 kHz, resampled to 16 kHz) with their transcripts."""
    clips: list[Clip] = sample_clips(6)
    if not clips:
        unavailable("asterisk-core-sounds-en-wav", "apt-get install asterisk-core-sounds-en-wav")
    loaded = []
    for clip in clips:
        pcm, rate = read_wav(clip.path)
        loaded.append((to_float(resample(pcm, rate, SAMPLE_RATE)), clip.text))
    return loaded
