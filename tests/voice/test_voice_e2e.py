"""A spoken interview end to end: a real server, the real live channel, the real engines.

The candidate's voice is the Piper voice saying each line (tests/voice/audio_fixtures.py),
streamed as 20 ms ``audio-chunk`` frames by the same client the latency bench uses
(tests/voice/voice_client.py). Nothing is mocked: Silero decides when a turn ends,
Whisper tiny.en writes the transcript, the offline interviewer answers, Piper speaks, the
sandbox runs the candidate's code, and the recording is read back through the API.

This test streams in REAL TIME: barge-in is about the candidate speaking while the
interviewer's voice is still playing, and the server knows what is audible from the wall
clock of its playback, so the microphone must keep a microphone's pace. (The server's end
of turn counts audio frames, not seconds, so a faster stream would change only that.)
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from interviewkit.config import Settings
from interviewkit.live.protocol import AUDIO_FROM_SERVER
from interviewkit.speech.audio import decode_bytes
from interviewkit.speech.engines import build_stt
from tests.voice.audio_fixtures import SpokenAudio, Utterance
from tests.voice.conftest import VoiceRoom, open_voice_room
from tests.voice.voice_client import Heard, VoiceClient

WAIT_S = 90.0
"""The longest any one step may take: generous, the machine's two cores are shared."""
QUESTION = "Can the input array be empty?"
RUN = "Run my code."
STOP = "Please stop talking."


@pytest.fixture
def room(tmp_path: Path) -> Iterator[VoiceRoom]:
    yield from open_voice_room(tmp_path, INTERVIEWKIT_VOICE_RECORD_AUDIO="true")


def is_audio_of(speech: int) -> Any:
    return lambda h: h.audio is not None and h.audio.speech == speech


def event_of(kind: str) -> Any:
    """A pushed recording event of type ``kind`` (the candidate sees them as they are stored)."""
    return lambda h: h.type == "event" and h.body["event"]["type"] == kind


async def interview(room: VoiceRoom, said: dict[str, Utterance]) -> dict[str, Any]:
    """Start voice, hear the greeting and the problem, barge in with a question, hear the
    answer, ask for a run by voice, hear its result begin, tell the interviewer to stop
    talking. What was heard, for the asserts."""
    client = await VoiceClient.open(room.base_url, room.session_id, room.candidate_token)
    try:
        heard: dict[str, Any] = {"state": await client.start(timeout=WAIT_S)}
        summary = await client.wait_for(
            lambda h: h.type == "interviewer-speech" and "two sum" in h.body["text"].lower(),
            timeout=WAIT_S,
        )
        await client.wait_for(is_audio_of(summary.body["speech"]), timeout=WAIT_S)
        await asyncio.sleep(0.5)  # past the echo guard: the problem is being read aloud
        heard["greeting"] = dict(client.speeches)
        heard.update(await ask(client, said[QUESTION]))
        heard.update(await run_then_stop(client, said[RUN], said[STOP]))
        heard["log"] = client.log
        return heard
    finally:
        await client.close()


async def ask(client: VoiceClient, question: Utterance) -> dict[str, Any]:
    """Barge in with ``question``: the flush, the final line, the spoken answer."""
    since = len(client.log)
    await client.say(question)
    flush = await client.wait_message("flush", timeout=WAIT_S, since=since)
    final = await client.wait_message(
        "transcript", timeout=WAIT_S, since=since, speaker="candidate", final=True
    )
    await client.until_quiet(timeout=WAIT_S)
    return {"flush": flush, "final": final, "answer": client.speeches_after(final.at)}


async def run_then_stop(client: VoiceClient, run: Utterance, stop: Utterance) -> dict[str, Any]:
    """Say "run my code", wait until its result is being spoken, then say "stop talking"."""
    since = len(client.log)
    ran = await client.say(run)
    result = await client.wait_for(event_of("execution_result"), timeout=WAIT_S, since=since)
    await client.wait_for(event_of("voice_command"), timeout=WAIT_S, since=since)
    speaking = await client.wait_for(
        lambda h: h.type == "interviewer-speech" and "test" in h.body["text"].lower(),
        timeout=WAIT_S,
        since=since,
    )
    await client.wait_for(is_audio_of(speaking.body["speech"]), timeout=WAIT_S, since=since)
    await asyncio.sleep(0.5)
    since = len(client.log)
    await client.say(stop)
    stop_flush = await client.wait_message("flush", timeout=WAIT_S, since=since)
    stopped = await client.wait_message(
        "transcript", timeout=WAIT_S, since=since, speaker="candidate", final=True
    )
    await client.until_quiet(timeout=WAIT_S)
    return {
        "result": result.body["event"],
        "run_reply": client.speeches_after(ran.voiced_end),
        "stop_flush": stop_flush,
        "stopped": stopped,
        "after_stop": client.speeches_after(stopped.at),
    }


def test_a_candidate_holds_a_spoken_interview(room: VoiceRoom, spoken: SpokenAudio) -> None:
    said = {text: spoken.utterance(text) for text in (QUESTION, RUN, STOP)}  # before streaming
    heard = asyncio.run(interview(room, said))

    assert heard["state"]["status"] == "on", heard["state"]
    assert heard["state"]["recording_audio"] is True
    assert heard["state"]["engines"] == {"stt": "whisper", "tts": "piper", "vad": "silero"}

    # the greeting and the problem were spoken: text, then audio frames
    greeting = heard["greeting"]
    assert any("two sum" in s.text.lower() for s in greeting.values())
    assert all(s.samples > 0 and s.sample_rate > 0 for s in greeting.values() if s.done)

    # barge-in: the candidate spoke over the problem's summary, which was flushed at once,
    # and no more of it came after the flush
    flush: Heard = heard["flush"]
    assert flush.body["speech"] in greeting
    log: list[Heard] = heard["log"]
    assert not audio_after(log, flush)

    # the question: a final candidate transcript with word timings, then a spoken answer
    final = heard["final"].body
    assert "empty" in final["text"].lower(), final
    assert final["words"], final
    assert all(0 <= w["start"] <= w["end"] for w in final["words"])
    answer = heard["answer"]
    assert answer, "the interviewer did not answer the question"
    assert answer[0].samples > 0
    assert answer[0].text.strip()
    assert all(h.audio.kind == AUDIO_FROM_SERVER for h in log if h.audio is not None)

    # the run asked for by voice is a real execution, and its result is spoken
    assert heard["result"]["mode"] == "run"
    spoken_result = " ".join(s.text for s in heard["run_reply"]).lower()
    assert "test" in spoken_result, spoken_result

    # "stop talking" over the result: flushed, and the interviewer says nothing back
    assert heard["stop_flush"].body["speech"] in {s.id for s in heard["run_reply"]}
    assert not audio_after(log, heard["stop_flush"])
    assert "stop" in heard["stopped"].body["text"].lower()
    assert heard["after_stop"] == []

    check_the_recording(room, heard)


def audio_after(log: list[Heard], flush: Heard) -> list[Heard]:
    """Audio frames of the flushed speech that arrived after the flush."""
    speech = flush.body["speech"]
    later = log[log.index(flush) + 1 :]
    return [h for h in later if h.audio is not None and h.audio.speech == speech]


def check_the_recording(room: VoiceRoom, heard: dict[str, Any]) -> None:
    """Both speakers' lines (the candidate's with words), the command, the turns' timings
    and the turns' audio are in the session's recording."""
    lines = room.events("transcript")
    candidate = [e for e in lines if e["speaker"] == "candidate"]
    interviewer = [e for e in lines if e["speaker"] == "interviewer"]
    said = [heard["final"].body["text"], RUN, heard["stopped"].body["text"]]
    assert [e["text"] for e in candidate] == said, candidate
    for line in candidate:
        assert line["utterance"] >= 1
        assert line["words"], line
    assert any("two sum" in e["text"].lower() for e in interviewer)
    assert any("test" in e["text"].lower() for e in interviewer)

    run, stop = room.events("voice_command")
    assert run["command"] == "run"
    assert run["said"] == RUN
    assert run["execution_id"] == heard["result"]["execution_id"]
    assert stop["command"] == "stop-talking"
    assert stop["said"] == heard["stopped"].body["text"]

    turns = {e["utterance"]: e for e in room.events("voice_turn")}
    assert set(turns) == {e["utterance"] for e in candidate[:2]}  # "stop" gets no reply
    for turn in turns.values():
        assert 0 <= turn["end_of_turn_ms"] <= turn["stt_final_ms"] <= turn["first_audio_ms"]
        assert turn["first_token_ms"] <= turn["first_audio_ms"]

    check_the_audio(room, candidate)
    for line in candidate:  # a line spans its words (the player highlights them in it)
        assert line["start_ms"] <= line["words"][0]["start_ms"], line
        assert all(w["start_ms"] <= w["end_ms"] <= line["end_ms"] + 1 for w in line["words"])


def check_the_audio(room: VoiceRoom, candidate: list[dict[str, Any]]) -> None:
    """Each turn's audio is an Ogg/Opus object the player can fetch; the candidate's
    question, decoded and transcribed again, still says what was asked."""
    kept = room.events("voice_audio")
    assert {(e["speaker"], e["utterance"]) for e in kept} >= {
        ("candidate", line["utterance"]) for line in candidate
    }
    assert any(e["speaker"] == "interviewer" for e in kept)
    for event in kept:
        got = room.staff.get(
            f"/api/v1/sessions/{room.session_id}/voice/{event['utterance']}/{event['speaker']}"
        )
        assert got.status_code == 200, got.text
        assert got.headers["content-type"] == "audio/ogg"
        samples = decode_bytes(got.content)
        assert abs(len(samples) / 16 - event["duration_ms"]) <= 100, event
    question = candidate[0]["utterance"]
    audio = room.staff.get(f"/api/v1/sessions/{room.session_id}/voice/{question}/candidate")
    words = build_stt(Settings(_env_file=None)).transcribe(decode_bytes(audio.content)).text
    assert "empty" in words.lower(), words
