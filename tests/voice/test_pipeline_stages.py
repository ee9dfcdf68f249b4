"""The pipeline's stages on their own, with the real engines: the ear (Silero + the turn
detector) on Piper-spoken audio, and the mouth (Piper, paced frames, flush)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import pytest

from interviewkit.config import Settings
from interviewkit.live.protocol import AUDIO_FROM_SERVER, AUDIO_LAST, unpack_audio
from interviewkit.speech.audio import resample
from interviewkit.speech.engines import Engines, load_engines
from interviewkit.speech.ports import SAMPLE_RATE, Pcm16
from interviewkit.voice.frames import Frame, Heard, Spoke
from interviewkit.voice.pipeline import OUT_FRAME_MS, Ear, Mouth, Said, lines_of
from interviewkit.voice.turns import TurnConfig, TurnDetector, TurnEvent

SENTENCE = "I would sort the numbers first and then walk through them once."


@pytest.fixture(scope="module")
def engines() -> Engines:
    return load_engines(Settings())


@pytest.fixture(scope="module")
def pool() -> Iterator[ThreadPoolExecutor]:
    with ThreadPoolExecutor(2) as executor:
        yield executor


class Sink:
    def __init__(self) -> None:
        self.items: list[dict[str, Any] | bytes] = []

    def send_text(self, text: str) -> None:
        self.items.append(json.loads(text))

    def send_bytes(self, data: bytes) -> None:
        self.items.append(data)


def spoken(engines: Engines, text: str) -> Pcm16:
    pcm = np.concatenate(list(engines.tts.synthesize(text)))
    return resample(pcm, engines.tts.sample_rate, SAMPLE_RATE)


async def hear(engines: Engines, pool: ThreadPoolExecutor, audio: Pcm16) -> tuple[Ear, list[Heard]]:
    """Feed ``audio`` in 20 ms chunks (as fast as the ear takes them); its turn events."""
    frames: list[Frame] = []
    vad = engines.vad
    detector = TurnDetector(TurnConfig(frame_ms=vad.frame_samples * 1000 / SAMPLE_RATE))
    ear = Ear(vad.stream(), vad.frame_samples, detector, pool, frames.append)
    for offset in range(0, len(audio), 320):
        ear.hear(audio[offset : offset + 320].astype("<i2").tobytes(), 0.0)
        await asyncio.sleep(0)
    while ear._task is not None and not ear._task.done():
        await asyncio.sleep(0.01)
    events = [f for f in frames if isinstance(f, Heard) and f.event is not None]
    return ear, events


def test_the_ear_hears_a_turn_start_pause_and_end_and_keeps_its_audio(
    engines: Engines, pool: ThreadPoolExecutor
) -> None:
    words = spoken(engines, SENTENCE)
    quiet = np.zeros(SAMPLE_RATE, dtype=np.int16)
    audio = np.concatenate((quiet[: SAMPLE_RATE // 2], words, quiet))

    async def scenario() -> tuple[Ear, list[Heard]]:
        return await hear(engines, pool, audio)

    ear, events = asyncio.run(scenario())
    kinds = [e.event for e in events]
    assert kinds[0] is TurnEvent.START
    assert kinds[-1] is TurnEvent.END
    assert kinds.count(TurnEvent.START) == 1
    started_s = ear.detector.started_ms / 1000
    assert 0.3 <= started_s <= 0.8  # the words begin at 0.5 s
    voiced_end_s = ear.detector.last_voiced_ms / 1000
    assert voiced_end_s == pytest.approx(0.5 + len(words) / SAMPLE_RATE, abs=0.3)
    said = events[-1].utterance
    assert said is not None
    assert said.last_voiced_ms == ear.detector.last_voiced_ms
    text = engines.stt.transcribe(said.audio).text.lower()
    assert "sort" in text
    assert "once" in text


def test_silence_and_noise_start_no_turn(engines: Engines, pool: ThreadPoolExecutor) -> None:
    rng = np.random.default_rng(7)
    hiss = (rng.normal(0, 300, 3 * SAMPLE_RATE)).astype(np.int16)  # quiet white noise
    audio = np.concatenate((np.zeros(SAMPLE_RATE, dtype=np.int16), hiss))

    async def scenario() -> list[Heard]:
        return (await hear(engines, pool, audio))[1]

    assert asyncio.run(scenario()) == []


async def reply(*lines: str) -> AsyncIterator[str]:
    for line in lines:
        yield line


def test_the_mouth_speaks_each_line_as_a_speech_of_paced_frames(
    engines: Engines, pool: ThreadPoolExecutor
) -> None:
    sink, frames = Sink(), list[Frame]()

    async def scenario() -> Said:
        mouth = Mouth(engines.tts, pool, sink, frames.append)
        said = Said([], [])
        await mouth.say(lines_of("Hello there.", "Shall we start?"), said, command="repeat")
        return said

    said = asyncio.run(scenario())
    assert said.lines == ["Hello there.", "Shall we start?"]
    starts = [i for i in sink.items if isinstance(i, dict)]
    assert [s["text"] for s in starts] == said.lines
    assert all(s["type"] == "interviewer-speech" and s["command"] == "repeat" for s in starts)
    chunks = [unpack_audio(i) for i in sink.items if isinstance(i, bytes)]
    most = engines.tts.sample_rate * OUT_FRAME_MS // 1000
    for speech in (starts[0]["speech"], starts[1]["speech"]):
        mine = [c for c in chunks if c.speech == speech]
        assert [c.seq for c in mine] == list(range(len(mine)))
        assert all(c.kind == AUDIO_FROM_SERVER for c in mine)
        assert all(len(c.pcm) <= 2 * most for c in mine)
        assert mine[-1].flags & AUDIO_LAST
        assert not any(c.flags & AUDIO_LAST for c in mine[:-1])
    # a speech's text comes before its audio, and the first speech's audio before the second's
    first_text = sink.items.index(starts[1])
    assert all(
        c.speech == starts[0]["speech"] for c in map(unpack_audio, _bytes(sink.items[:first_text]))
    )
    # the turn's first audio, then the end of each speech
    assert [f.started for f in frames if isinstance(f, Spoke)] == [True, False, False]


def _bytes(items: list[dict[str, Any] | bytes]) -> list[bytes]:
    return [i for i in items if isinstance(i, bytes)]


def test_an_interrupted_mouth_stops_within_a_clause_and_flushes_what_plays(
    engines: Engines, pool: ThreadPoolExecutor
) -> None:
    sink, frames = Sink(), list[Frame]()
    long = "This is a long answer, with many clauses, that goes on and on, for quite a while."

    async def scenario() -> list[int]:
        mouth = Mouth(engines.tts, pool, sink, frames.append)
        task = asyncio.create_task(mouth.say(reply(long, long, long), Said([], [])))
        while not any(isinstance(f, Spoke) and f.started for f in frames):
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.3)
        task.cancel()
        flushed = mouth.flush()
        sent = len(sink.items)
        await asyncio.sleep(0.5)
        assert len(sink.items) == sent + 0  # nothing after the flush
        assert not mouth.audible
        return flushed

    flushed = asyncio.run(scenario())
    assert flushed == [1]
    chunks = [unpack_audio(i) for i in sink.items if isinstance(i, bytes)]
    assert not any(c.flags & AUDIO_LAST for c in chunks)  # cut, not finished
    played_s = sum(len(c.pcm) for c in chunks) / 2 / engines.tts.sample_rate
    assert played_s < 2.0  # paced: about 0.3 s played plus the 0.4 s lead, not the answer
    assert sink.items[-1] == {"type": "flush", "speech": 1}
