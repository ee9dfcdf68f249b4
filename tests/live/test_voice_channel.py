"""The voice interviewer on the live channel, through the real app and the real engines:
start and stop, unavailable, invalid audio, audio before start, commands before start."""

from __future__ import annotations

import json
import struct
import time
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from interviewkit.config import Settings
from interviewkit.live.protocol import (
    AUDIO_FROM_CLIENT,
    AUDIO_FROM_SERVER,
    AudioChunk,
    pack_audio,
)
from interviewkit.live.voice_port import AudioBudget, VoiceChannel
from tests.conftest import Keys
from tests.live.conftest import Room, make_room
from tests.live.helpers import close_code, connect
from tests.live.voice_helpers import Heard, is_type, last_frame, read_until, start_voice

SILENCE_20MS = bytes(640)


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {"voice_max_sessions": 1}


def test_voice_starts_greets_in_audio_frames_and_stops(room: Room) -> None:
    heard = Heard()
    with connect(room.staff, room.session_id, room.candidate_token) as channel:
        ws = channel.ws
        state = start_voice(ws, heard)
        assert state["status"] == "on"
        assert state["mode"] == "hands-free"
        assert state["recording_audio"] is False
        assert state["engines"] == {"stt": "whisper", "tts": "piper", "vad": "silero"}
        speech = read_until(ws, heard, is_type("interviewer-speech"))
        assert isinstance(speech, dict)
        assert speech["text"]
        assert speech["sample_rate"] == 22050
        read_until(ws, heard, last_frame)
        frames = [a for a in heard.audio if a.speech == speech["speech"]]
        assert all(f.kind == AUDIO_FROM_SERVER for f in frames)
        assert [f.seq for f in frames] == list(range(len(frames)))
        assert sum(len(f.pcm) for f in frames) > 22050  # more than half a second of voice
        assert any(m["type"] == "turn" and m["state"] == "interviewer" for m in heard.messages)
        ws.send_json({"type": "voice", "id": "v2", "action": "stop"})
        off = read_until(ws, heard, is_type("voice", status="off", re="v2"))
        assert isinstance(off, dict)
        ws.send_bytes(pack_audio(AUDIO_FROM_CLIENT, 1, SILENCE_20MS))  # after stop: dropped
        ws.send_json({"type": "ping", "id": "p"})
        read_until(ws, heard, is_type("pong", re="p"))
    spoken = [m for m in heard.messages if m["type"] == "transcript"]
    assert spoken
    assert spoken[0]["speaker"] == "interviewer"
    assert spoken[0]["final"] is True


def test_audio_before_start_is_dropped_without_an_error(room: Room) -> None:
    heard = Heard()
    with connect(room.staff, room.session_id, room.candidate_token) as channel:
        for seq in range(60):
            channel.ws.send_bytes(pack_audio(AUDIO_FROM_CLIENT, seq, SILENCE_20MS))
        channel.send_json({"type": "ping", "id": "after"})
        read_until(channel.ws, heard, is_type("pong", re="after"))
    assert not [m for m in heard.messages if m["type"] == "error"]


@pytest.mark.parametrize(
    ("frame", "says"),
    [
        (b"\x01\x00", "8-byte header"),
        (struct.pack(">BBHI", 9, 0, 0, 0) + SILENCE_20MS, "unknown binary frame kind"),
        (pack_audio(AUDIO_FROM_CLIENT, 0, b"\x00\x00\x00"), "even number"),
        (pack_audio(AUDIO_FROM_SERVER, 0, SILENCE_20MS), "kind 1"),
        (pack_audio(AUDIO_FROM_CLIENT, 0, bytes(2 * 16000)), "at most 200 ms"),
    ],
)
def test_a_malformed_audio_frame_is_answered_and_the_connection_stays(
    room: Room, frame: bytes, says: str
) -> None:
    heard = Heard()
    with connect(room.staff, room.session_id, room.candidate_token) as channel:
        channel.ws.send_bytes(frame)
        error = read_until(channel.ws, heard, is_type("error"))
        assert isinstance(error, dict)
        assert error["code"] == "invalid_audio"
        assert says in error["detail"]
        channel.send_json({"type": "ping", "id": "still"})
        read_until(channel.ws, heard, is_type("pong", re="still"))


def test_staff_cannot_start_voice(room: Room) -> None:
    heard = Heard()
    with connect(room.staff, room.session_id, room.staff_token) as channel:
        state = start_voice(channel.ws, heard)
    assert state["status"] == "unavailable"
    assert "candidate" in state["detail"]


def test_a_second_conversation_past_voice_max_sessions_is_unavailable(
    live: Any, keys: Keys
) -> None:
    first, second = make_room(live, keys), make_room(live, keys)
    heard = Heard()
    with connect(live, first.session_id, first.candidate_token) as one:
        assert start_voice(one.ws, heard)["status"] == "on"
        with connect(live, second.session_id, second.candidate_token) as two:
            refused = start_voice(two.ws, heard)
            assert refused["status"] == "unavailable"
            assert "at once" in refused["detail"]
            two.send_json({"type": "ping", "id": "room-works"})  # the room keeps working
            read_until(two.ws, heard, is_type("pong", re="room-works"))
    for _ in range(50):  # freed once the server has seen the first connection go
        with connect(live, second.session_id, second.candidate_token) as two:
            if start_voice(two.ws, heard)["status"] == "on":
                return
        time.sleep(0.1)
    raise AssertionError("the first conversation's place was never freed")


def test_voice_is_unavailable_when_the_server_turns_it_off(room: Room) -> None:
    app: Any = room.staff.app
    app.state.live = type(app.state.live)(
        **{
            **vars(app.state.live),
            "settings": app.state.live.settings.model_copy(update={"voice_enabled": False}),
        }
    )
    heard = Heard()
    with connect(room.staff, room.session_id, room.candidate_token) as channel:
        state = start_voice(channel.ws, heard)
    assert state["status"] == "unavailable"
    assert "turned off" in state["detail"]


def test_commands_and_controls_before_start(room: Room) -> None:
    heard = Heard()
    with connect(room.staff, room.session_id, room.candidate_token) as channel:
        channel.send_json({"type": "voice-command", "id": "c1", "command": "run"})
        error = read_until(channel.ws, heard, is_type("error", re="c1"))
        assert isinstance(error, dict)
        assert error["code"] == "voice_not_started"
        channel.send_json({"type": "voice", "id": "m1", "action": "mute"})
        off = read_until(channel.ws, heard, is_type("voice", re="m1"))
        assert isinstance(off, dict)
        assert off["status"] == "off"
        channel.send_json({"type": "voice", "id": "bad", "action": "shout"})
        invalid = read_until(channel.ws, heard, is_type("error", re="bad"))
        assert isinstance(invalid, dict)
        assert invalid["code"] == "invalid_message"


def test_audio_faster_than_twice_real_time_closes_the_channel(room: Room) -> None:
    with connect(room.staff, room.session_id, room.candidate_token) as channel:
        chunk = pack_audio(AUDIO_FROM_CLIENT, 0, bytes(2 * 3200))  # 200 ms each
        for _ in range(200):  # 40 s of audio at once
            channel.ws.send_bytes(chunk)
        assert close_code(channel) == 4429


def test_buttons_stop_the_interviewer_and_ask_it_things(room: Room) -> None:
    heard = Heard()
    with connect(room.staff, room.session_id, room.candidate_token) as channel:
        ws = channel.ws
        start_voice(ws, heard)
        greeting = read_until(ws, heard, is_type("interviewer-speech"))
        assert isinstance(greeting, dict)
        read_until(
            ws, heard, lambda m: isinstance(m, AudioChunk) and m.speech == greeting["speech"]
        )
        ws.send_json({"type": "voice-command", "id": "quiet", "command": "stop-talking"})
        read_until(ws, heard, is_type("flush", speech=greeting["speech"]))
        read_until(ws, heard, is_type("turn", state="listening"))  # the floor is free again
        ws.send_json({"type": "voice-command", "id": "clock", "command": "time"})
        answer = read_until(ws, heard, is_type("interviewer-speech", command="time"))
        assert isinstance(answer, dict)
        assert answer["text"]
        read_until(ws, heard, last_frame)


def test_modes_and_mute_are_reflected_in_the_voice_state(room: Room) -> None:
    heard = Heard()
    with connect(room.staff, room.session_id, room.candidate_token) as channel:
        ws = channel.ws
        start_voice(ws, heard)
        ws.send_json({"type": "voice", "id": "ptt", "action": "mode", "mode": "push-to-talk"})
        state = read_until(ws, heard, is_type("voice", re="ptt"))
        assert isinstance(state, dict)
        assert state["mode"] == "push-to-talk"
        ws.send_json({"type": "voice", "id": "hush", "action": "mute"})
        muted = read_until(ws, heard, is_type("voice", re="hush"))
        assert isinstance(muted, dict)
        assert muted["muted"] is True
        assert muted["status"] == "on"
        ws.send_json({"type": "voice", "id": "again", "action": "start"})
        again = read_until(ws, heard, is_type("voice", re="again"))
        assert isinstance(again, dict)
        assert again["status"] == "on"  # a second start is answered with the state
        assert again["mode"] == "push-to-talk"


def test_a_start_in_push_to_talk_starts_in_it(room: Room) -> None:
    """The room asks for its mode with start: push-to-talk must not listen until held."""
    heard = Heard()
    with connect(room.staff, room.session_id, room.candidate_token) as channel:
        ws = channel.ws
        ws.send_json({"type": "voice", "id": "v1", "action": "start", "mode": "push-to-talk"})
        state = read_until(ws, heard, is_type("voice", re="v1"))
        assert isinstance(state, dict)
        assert state["status"] == "on"
        assert state["mode"] == "push-to-talk"


class _Sink:
    def __init__(self) -> None:
        self.texts: list[str] = []

    def send_text(self, text: str) -> None:
        self.texts.append(text)

    def send_bytes(self, data: bytes) -> None:
        raise AssertionError("the channel never sends audio itself")


class _Link:
    def __init__(self) -> None:
        self.chunks: list[AudioChunk] = []

    def audio(self, chunk: AudioChunk) -> None:
        self.chunks.append(chunk)

    def control(self, message: Any) -> None: ...

    def command(self, message: Any) -> None: ...

    async def close(self) -> None: ...


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        st.binary(max_size=9000),
        st.builds(
            lambda kind, flags, pcm: struct.pack(">BBHI", kind, flags, 0, 0) + pcm,
            st.integers(0, 255),
            st.integers(0, 255),
            st.binary(max_size=9000),
        ),
    )
)
def test_any_binary_frame_is_audio_for_the_link_or_an_invalid_audio_error(frame: bytes) -> None:
    """Whatever bytes arrive: exactly one of a chunk handed to the conversation (a kind-1
    frame of whole samples within voice_max_chunk_ms) or one invalid_audio error."""
    sink, link = _Sink(), _Link()
    channel = VoiceChannel(Settings(), None, "ses_x", sink)
    channel.link = link
    channel.budget = AudioBudget(rate=1e9, burst=1e9)
    channel.binary(frame)
    assert len(link.chunks) + len(sink.texts) == 1
    if sink.texts:
        assert json.loads(sink.texts[0])["code"] == "invalid_audio"
    else:
        chunk = link.chunks[0]
        assert chunk.kind == AUDIO_FROM_CLIENT
        assert len(chunk.pcm) % 2 == 0
        assert len(chunk.pcm) <= 2 * 16000 * Settings().voice_max_chunk_ms // 1000
