"""The voice pipeline end to end with the real engines: Piper-spoken audio streamed in
real time as 20 ms frames through the live channel, heard by Silero, transcribed by
Whisper, answered, interrupted, and recorded.

The interviewer here is a tiny one of this file's own, so the test pins the pipeline
(turn taking, transcripts, barge-in, the record), not what the interviewer says.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import numpy as np
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from starlette.testclient import WebSocketTestSession

from interviewkit.app import Container
from interviewkit.auth.service import Principal
from interviewkit.live.protocol import AUDIO_FROM_CLIENT, AudioChunk, pack_audio
from interviewkit.speech.audio import resample
from interviewkit.speech.engines import load_engines
from interviewkit.speech.ports import SAMPLE_RATE, Pcm16, TextToSpeech
from interviewkit.voice.commands import parse_command
from interviewkit.voice.service import VoiceService
from tests.conftest import Keys
from tests.live.conftest import Room, make_room
from tests.live.helpers import connect
from tests.live.voice_helpers import Heard, is_type, last_frame, read_until, start_voice

FRAME = SAMPLE_RATE // 50  # 20 ms
QUESTION = "Can the input list be empty, and what should the function return then?"
LONG_ANSWER = (
    "Yes, the list can be empty. In that case the function returns zero. "
    "Think about what happens with a single element, and with negative numbers too. "
    "Take your time, and tell me about your approach before you write the code."
)
INTERRUPTION = "Sorry, wait a moment please."


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {"voice_record_audio": True}


class TinyInterviewer:
    """Greets, opens a question with "Good question.", answers everything at length."""

    phase = "clarify"

    def __init__(self) -> None:
        self.replies: list[tuple[str, int, bool]] = []

    def opener(self, text: str) -> str | None:
        return "Good question." if text.rstrip().endswith("?") else None

    async def start(self) -> AsyncIterator[str]:
        yield "Hello."

    async def reply(
        self, text: str, *, utterance: int, opener_spoken: bool = False
    ) -> AsyncIterator[str]:
        self.replies.append((text, utterance, opener_spoken))
        for sentence in LONG_ANSWER.split(". "):
            yield sentence.rstrip(".") + "."

    async def command(self, name: str) -> AsyncIterator[str]:
        yield f"Command {name}."

    async def poll(self) -> list[str]:
        return []


@pytest.fixture
def room(app: FastAPI, keys: Keys) -> Iterator[Room]:
    """A session and its candidate's token, on an app whose lifespan runs."""
    headers = Keys.bearer(keys.interviewer)
    with TestClient(app, raise_server_exceptions=False, headers=headers) as client:
        yield make_room(client, keys)


@pytest.fixture
def tiny(room: Room, container: Container) -> TinyInterviewer:
    """The app's voice service, rebuilt around one :class:`TinyInterviewer`."""
    interviewer = TinyInterviewer()
    settings = container.settings

    def make(session_id: str, principal: Principal) -> TinyInterviewer:
        return interviewer

    service = VoiceService(
        settings,
        lambda: load_engines(settings),
        make,
        parse_command,
        recording=container.recording,
        sessions=container.sessions,
        store=container.object_store,
        metrics=container.metrics.__class__(),
    )
    app: Any = room.staff.app
    app.state.live = dataclasses.replace(app.state.live, voice=service)
    return interviewer


def say(text: str, tts: TextToSpeech) -> Pcm16:
    """``text`` in the Piper voice, at the microphone's 16 kHz."""
    pcm = np.concatenate(list(tts.synthesize(text)))
    return resample(pcm, tts.sample_rate, SAMPLE_RATE)


def stream(
    ws: WebSocketTestSession,
    pcm: Pcm16,
    seq: int,
    *,
    silence_before: float = 0.3,
    silence_after: float = 1.5,
) -> int:
    """Send ``pcm`` between silences as 20 ms frames, in real time; the next seq."""
    before = np.zeros(int(silence_before * SAMPLE_RATE), dtype=np.int16)
    after = np.zeros(int(silence_after * SAMPLE_RATE), dtype=np.int16)
    audio = np.concatenate((before, pcm, after))
    started = time.monotonic()
    for index, offset in enumerate(range(0, len(audio), FRAME)):
        frame = audio[offset : offset + FRAME].astype("<i2").tobytes()
        ws.send_bytes(pack_audio(AUDIO_FROM_CLIENT, seq, frame))
        seq += 1
        delay = started + (index + 1) * 0.02 - time.monotonic()
        if delay > 0:
            time.sleep(delay)
    return seq


def test_a_spoken_question_is_transcribed_answered_interrupted_and_recorded(
    room: Room, tiny: TinyInterviewer, container: Container
) -> None:
    heard = Heard()
    tts = load_engines(container.settings).tts
    question, interruption = say(QUESTION, tts), say(INTERRUPTION, tts)
    with connect(room.staff, room.session_id, room.candidate_token) as channel:
        ws = channel.ws
        assert start_voice(ws, heard)["status"] == "on"
        read_until(ws, heard, last_frame)  # the greeting
        time.sleep(0.6)  # ...has played
        seq = stream(ws, question, 0)
        final = read_until(ws, heard, is_type("transcript", speaker="candidate", final=True))
        assert isinstance(final, dict)
        assert "empty" in final["text"].lower()
        assert final["words"]
        assert all(w["start"] <= w["end"] for w in final["words"])
        partials = [
            m
            for m in heard.messages
            if m["type"] == "transcript" and m["speaker"] == "candidate" and not m["final"]
        ]
        assert partials
        assert all(p["utterance"] == final["utterance"] for p in partials)
        opener = read_until(ws, heard, is_type("interviewer-speech"))
        assert isinstance(opener, dict)
        assert opener["text"] == "Good question."
        answer = read_until(
            ws, heard, is_type("interviewer-speech", text="Yes, the list can be empty.")
        )
        assert isinstance(answer, dict)
        read_until(ws, heard, lambda m: isinstance(m, AudioChunk) and m.speech == answer["speech"])
        stream(ws, interruption, seq, silence_before=0.0, silence_after=1.5)
        read_until(ws, heard, is_type("flush", speech=answer["speech"]))
        flushed_at = len(heard.order)
        second = read_until(ws, heard, is_type("transcript", speaker="candidate", final=True))
        assert isinstance(second, dict)
        assert second["utterance"] > final["utterance"]
    cut = [
        item
        for item in heard.order[flushed_at:]
        if isinstance(item, AudioChunk) and item.speech == answer["speech"]
    ]
    assert not cut  # no more of the interrupted speech after its flush
    assert tiny.replies[0][1:] == (final["utterance"], True)  # the opener was spoken already
    turns = [m["state"] for m in heard.messages if m["type"] == "turn"]
    assert "candidate" in turns
    assert "thinking" in turns
    assert "interviewer" in turns
    events = recorded(room, final["utterance"], second["utterance"])
    check_recording(room, events, final["utterance"])


def recorded(room: Room, *utterances: int) -> list[dict[str, Any]]:
    """The session's events once both utterances' candidate lines are in (written off the
    reply's path, so they may trail the messages a little)."""
    for _ in range(100):
        page = room.staff.get(f"/api/v1/sessions/{room.session_id}/events?limit=5000")
        events: list[dict[str, Any]] = page.json()["events"]
        lines = {
            e["utterance"]
            for e in events
            if e["type"] == "transcript" and e["speaker"] == "candidate"
        }
        if set(utterances) <= lines and any(e["type"] == "voice_turn" for e in events):
            return events
        time.sleep(0.1)
    raise AssertionError("the conversation was not recorded")


def check_recording(room: Room, events: list[dict[str, Any]], utterance: int) -> None:
    line = next(
        e
        for e in events
        if e["type"] == "transcript" and e["speaker"] == "candidate" and e["utterance"] == utterance
    )
    assert "empty" in line["text"].lower()
    starts = [w["start_ms"] for w in line["words"]]
    assert starts == sorted(starts)
    # Whisper places the first word up to the pre-roll early (it counts from the audio kept
    # 250 ms before the detected start), never later than the line
    assert line["start_ms"] - 500 <= starts[0] <= line["end_ms"]
    said = [e for e in events if e["type"] == "transcript" and e["speaker"] == "interviewer"]
    assert any("Good question." in e["text"] for e in said)
    turn = next(e for e in events if e["type"] == "voice_turn" and e["utterance"] == utterance)
    assert 0 < turn["end_of_turn_ms"] <= turn["stt_final_ms"] <= turn["first_audio_ms"]
    assert turn["barge_in"] is True
    audio = [e for e in events if e["type"] == "voice_audio"]
    assert {(e["utterance"], e["speaker"]) for e in audio} >= {(utterance, "candidate")}
    url = f"/api/v1/sessions/{room.session_id}/voice/{utterance}/candidate"
    found = room.staff.get(url)
    assert found.status_code == 200
    assert found.headers["content-type"] == "audio/ogg"
    assert found.content.startswith(b"OggS")
    missing = room.staff.get(f"/api/v1/sessions/{room.session_id}/voice/9999/candidate")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    assert missing.json()["code"] == "voice_audio_not_found"
    bad = room.staff.get(f"/api/v1/sessions/{room.session_id}/voice/1/nobody")
    assert bad.status_code == 422
    unknown = room.staff.get("/api/v1/sessions/ses_nosuchsession0000/voice/1/candidate")
    assert unknown.status_code == 404
    assert unknown.json()["code"] == "session_not_found"
    headers = {"Authorization": f"Bearer {room.candidate_token}"}
    theirs = room.staff.get(url, headers=headers)  # staff only, like the recording
    assert theirs.status_code == 403
    assert theirs.headers["content-type"] == "application/problem+json"


def test_push_to_talk_ends_the_turn_on_release_without_waiting_for_silence(
    room: Room, tiny: TinyInterviewer, container: Container
) -> None:
    heard = Heard()
    tts = load_engines(container.settings).tts
    question = say("Are the numbers always positive?", tts)
    with connect(room.staff, room.session_id, room.candidate_token) as channel:
        ws = channel.ws
        start_voice(ws, heard)
        read_until(ws, heard, last_frame)
        ws.send_json({"type": "voice", "id": "ptt", "action": "mode", "mode": "push-to-talk"})
        read_until(ws, heard, is_type("voice", re="ptt"))
        seq = stream(ws, question, 0, silence_before=0.0, silence_after=0.0)  # not heard
        ws.send_json({"type": "voice", "id": "down", "action": "talk"})
        read_until(ws, heard, is_type("voice", re="down"))
        stream(ws, question, seq, silence_before=0.2, silence_after=0.1)
        ws.send_json({"type": "voice", "id": "up", "action": "release"})
        final = read_until(ws, heard, is_type("transcript", speaker="candidate", final=True))
        assert isinstance(final, dict)
        assert "positive" in final["text"].lower()
    lines = [m for m in heard.messages if m["type"] == "transcript" and m["final"]]
    assert [m["speaker"] for m in lines].count("candidate") == 1  # the audio before talk: not heard
