"""Voice-to-voice latency of the voice interviewer, and how many conversations a server holds.

A real ``interviewkit serve`` (one uvicorn worker, SQLite, the offline engines: Silero,
Whisper tiny.en int8, Piper joe) and candidates speaking to it over the live channel: each
line is synthesized with the Piper voice (tests/voice/audio_fixtures.py) and streamed in
REAL TIME as 20 ms audio-chunk frames, silence between lines, by the client the end-to-end
tests use (tests/voice/voice_client.py). Each candidate first hears the greeting start,
presses "stop talking" (the bench is about replies), then says its lines one at a time,
waiting for the interviewer to finish each reply.

Measured per exchange:

* ``v2v_ms`` (client): arrival of the reply's first audio frame minus the moment the frame
  holding the utterance's last voiced sample was sent. The last voiced sample is found by
  energy on the clean synthesis: the end of the last 10 ms window within 35 dB of the
  loudest window.
* the server's stages, from the recorded ``voice_turn`` events (ms after the last voiced
  frame reached the server, cumulative): ``end_of_turn``, ``stt_final``, ``first_token``,
  ``first_audio``; reported as p50/p95 and as per-stage deltas (where the time goes).

Baseline, same audio, same engines, same machine, measured in this process after the
server stopped: a naive pipeline that waits the default 500 ms hangover, transcribes the
whole utterance only then, takes the interviewer's time as the server measured it
(first_token - stt_final: this favours the baseline for replies that run code), and
synthesizes the whole reply unsplit before playing any of it. The ratio shows what
incremental transcription, clause-streamed synthesis and the pre-synthesized opener buy.

Capacity: 1, 2, 3... simultaneous conversations (each its own room and client) until the
p50 exceeds 1 s, with the server's CPU use (cores) per level.

One JSON document goes to stdout; progress goes to stderr. Targets: p50 <= 800 ms and
p95 <= 1200 ms for one conversation.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import tempfile
import time
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console

from _voice_client import SpokenAudio, Utterance, VoiceClient, VoiceServer, voice_server
from api_bench import machine, setting_pair
from interviewkit.config import Settings
from interviewkit.speech.engines import build_stt, build_tts

console = Console(stderr=True)
TARGET_P50_MS = 800.0
TARGET_P95_MS = 1200.0
CAPACITY_P50_MS = 1000.0
WAIT_S = 120.0
NAIVE_HANGOVER_MS = 500.0
TAIL_S = 0.15
"""Audio after the last voiced sample the naive baseline transcribes (as the server does)."""

LINES: tuple[tuple[str, str], ...] = (
    ("Can the input array be empty?", "question"),
    ("How much time do I have left?", "command"),
    ("Are the numbers always integers?", "question"),
    ("Run my code.", "command"),
    ("What should I return if there is no solution?", "question"),
    ("Could you give me a hint?", "command"),
    ("Can there be duplicate values?", "question"),
    ("Could you run the tests, please?", "command"),
)
"""What the candidates say, in turn: clarifying questions and voice commands (not submit,
which ends the coding, nor repeat, whose answer is the whole summary again)."""

STAGES = ("end_of_turn_ms", "stt_final_ms", "first_token_ms", "first_audio_ms")


@dataclass
class Exchange:
    """One line said and its reply, as the client and (later) the server measured it."""

    sessions: int
    text: str
    kind: str
    heard: str = ""
    utterance: int | None = None
    v2v_ms: float | None = None
    reply: list[str] = field(default_factory=list)
    server: dict[str, float] = field(default_factory=dict)
    error: str | None = None


def percentile(values: list[float], q: float) -> float | None:
    """Nearest-rank percentile (``q`` in 0..100) of ``values``; None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, round(q / 100 * len(ordered) + 0.4999))
    return round(ordered[min(rank, len(ordered)) - 1], 1)


def spread(values: list[float]) -> dict[str, float | int | None]:
    return {"n": len(values), "p50": percentile(values, 50), "p95": percentile(values, 95)}


# ---- one conversation ---------------------------------------------------------------------


async def converse(
    server: VoiceServer,
    spoken: dict[str, Utterance],
    lines: list[tuple[str, str]],
    sessions: int,
    delay: float,
) -> list[Exchange]:
    """A candidate in a new room: start voice, cut the greeting short, say ``lines``."""
    await asyncio.sleep(delay)
    room = await asyncio.to_thread(server.room)
    client = await VoiceClient.open(server.url, room.session_id, room.token)
    done: list[Exchange] = []
    try:
        state = await client.start(timeout=WAIT_S)
        if state.get("status") != "on":
            raise RuntimeError(f"voice did not start: {state}")
        greeting = await client.wait_message("interviewer-speech", timeout=WAIT_S)
        speech = greeting.body["speech"]
        await client.wait_for(lambda h: h.audio is not None and h.audio.speech == speech,
                              timeout=WAIT_S)  # fmt: skip
        await client.command("stop-talking")
        await client.until_quiet(timeout=WAIT_S)
        for text, kind in lines:
            done.append(await exchange(client, spoken[text], kind, sessions))
            await asyncio.sleep(random.uniform(0.3, 1.0))  # a beat before the next line
    finally:
        await client.close()
    recorded = await asyncio.to_thread(server.events, room.session_id, {"voice_turn"})
    turns = {event["utterance"]: event for event in recorded}
    for item in done:
        found = turns.get(item.utterance)
        if found is not None:
            item.server = {stage: float(found[stage]) for stage in STAGES}  # type: ignore[arg-type]
    return done


async def exchange(client: VoiceClient, said: Utterance, kind: str, sessions: int) -> Exchange:
    item = Exchange(sessions, said.text, kind)
    since = len(client.log)
    spoken = await client.say(said)
    try:
        final = await client.wait_message(
            "transcript", timeout=WAIT_S, since=since, speaker="candidate", final=True
        )
        item.heard, item.utterance = final.body["text"], final.body["utterance"]
        await client.until_quiet(timeout=WAIT_S)
    except (AssertionError, TimeoutError) as exc:
        item.error = str(exc)[:300]
        return item
    reply = client.speeches_after(spoken.voiced_end)
    item.reply = [speech.text for speech in reply]
    if reply and reply[0].first_audio is not None:
        item.v2v_ms = round((reply[0].first_audio - spoken.voiced_end) * 1000, 1)
    return item


async def level(
    server: VoiceServer, spoken: dict[str, Utterance], sessions: int, per_session: int
) -> tuple[list[Exchange], float]:
    """``sessions`` conversations at once, each saying ``per_session`` lines (starting at a
    different line, a second apart); the exchanges and the server's CPU cores used."""
    cpu, wall = server.cpu_seconds(), time.perf_counter()
    talks = []
    for index in range(sessions):
        lines = [LINES[(index * 3 + n) % len(LINES)] for n in range(per_session)]
        talks.append(converse(server, spoken, lines, sessions, delay=index * 1.0))
    results = await asyncio.gather(*talks)
    cores = (server.cpu_seconds() - cpu) / (time.perf_counter() - wall)
    return [item for result in results for item in result], round(cores, 2)


# ---- the naive baseline -------------------------------------------------------------------


def naive(exchanges: list[Exchange], spoken: dict[str, Utterance]) -> list[dict[str, Any]]:
    """Each exchange again, the naive way, in this process (the server has stopped)."""
    settings = Settings(_env_file=None)
    stt, tts = build_stt(settings), build_tts(settings)
    rows = []
    for item in exchanges:
        if not item.server or not item.reply:
            continue
        said = spoken[item.text]
        audio = said.samples[: said.voiced_end + int(TAIL_S * 16_000)]
        began = time.perf_counter()
        stt.transcribe(audio)
        stt_ms = (time.perf_counter() - began) * 1000
        began = time.perf_counter()
        for _chunk in tts.synthesize(" ".join(item.reply)):
            pass
        tts_ms = (time.perf_counter() - began) * 1000
        thinking = max(0.0, item.server["first_token_ms"] - item.server["stt_final_ms"])
        total = NAIVE_HANGOVER_MS + stt_ms + thinking + tts_ms
        rows.append({"text": item.text, "stt_ms": stt_ms, "tts_ms": tts_ms, "total_ms": total})
    return rows


# ---- the report ---------------------------------------------------------------------------


def stages(exchanges: list[Exchange]) -> dict[str, Any]:
    """The server's cumulative stages and the time each stage adds (p50/p95)."""
    timed = [item for item in exchanges if item.server]
    cumulative = {s: spread([i.server[s] for i in timed]) for s in STAGES}
    deltas: dict[str, list[float]] = defaultdict(list)
    for item in timed:
        server = item.server
        deltas["end_of_turn"].append(server["end_of_turn_ms"])
        deltas["stt_after_end"].append(server["stt_final_ms"] - server["end_of_turn_ms"])
        deltas["interviewer"].append(server["first_token_ms"] - server["stt_final_ms"])
        deltas["tts_first_audio"].append(server["first_audio_ms"] - server["first_token_ms"])
        if item.v2v_ms is not None:
            deltas["network_and_client"].append(item.v2v_ms - server["first_audio_ms"])
    return {"cumulative": cumulative, "added": {k: spread(v) for k, v in deltas.items()}}


def summary(exchanges: list[Exchange]) -> dict[str, Any]:
    v2v = [i.v2v_ms for i in exchanges if i.v2v_ms is not None]
    by_kind = {
        kind: spread([i.v2v_ms for i in exchanges if i.kind == kind and i.v2v_ms is not None])
        for kind in sorted({i.kind for i in exchanges})
    }
    return {
        "exchanges": len(exchanges),
        "answered": len(v2v),
        "v2v_ms": spread(v2v),
        "v2v_ms_by_kind": by_kind,
        "stages_ms": stages(exchanges),
        "errors": [i.error for i in exchanges if i.error],
        "unanswered": [i.text for i in exchanges if i.v2v_ms is None and not i.error],
    }


async def measure(
    server: VoiceServer, spoken: dict[str, Utterance], args: argparse.Namespace
) -> dict[str, Any]:
    console.print(f"one conversation, {args.exchanges} exchanges")
    single, cores = await level(server, spoken, 1, args.exchanges)
    report: dict[str, Any] = {"single": {**summary(single), "server_cpu_cores": cores}}
    capacity = [{"sessions": 1, **summary(single), "server_cpu_cores": cores}]
    for sessions in range(2, args.max_sessions + 1):
        if sessions > args.min_levels and (capacity[-1]["v2v_ms"]["p50"] or 0) > CAPACITY_P50_MS:
            break
        console.print(f"{sessions} conversations at once, {args.per_session} exchanges each")
        found, cores = await level(server, spoken, sessions, args.per_session)
        capacity.append({"sessions": sessions, **summary(found), "server_cpu_cores": cores})
        console.print(f"  p50 {capacity[-1]['v2v_ms']['p50']} ms, {cores} cores")
    held = [c["sessions"] for c in capacity if (c["v2v_ms"]["p50"] or 1e9) <= CAPACITY_P50_MS]
    report["capacity"] = {
        "levels": capacity,
        "sessions_within_1s_p50": max(held, default=0),
    }
    report["rows"] = [asdict(item) for item in single]
    report["_single"] = single
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="6 exchanges, up to 2 sessions")
    parser.add_argument("--exchanges", type=int, default=16, help="lines said alone")
    parser.add_argument("--per-session", type=int, default=6, help="lines per capacity talker")
    parser.add_argument("--max-sessions", type=int, default=6, help="capacity levels to try")
    parser.add_argument("--min-levels", type=int, default=3,
                        help="capacity levels run even past 1 s (shows the trend)")  # fmt: skip
    parser.add_argument("--setting", action="append", type=setting_pair, default=[],
                        metavar="NAME=VALUE", help="a server setting (repeatable)")  # fmt: skip
    parser.add_argument("--cache", type=Path, help="keep the synthesized audio here")
    args = parser.parse_args()
    if args.quick:
        args.exchanges, args.per_session, args.max_sessions, args.min_levels = 6, 3, 2, 2
    settings = dict(args.setting)
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="voice-audio-") as temporary:
        audio = SpokenAudio(args.cache or Path(temporary))
        spoken = {text: audio.utterance(text) for text, _ in LINES}
        with voice_server(settings) as server:
            report = asyncio.run(measure(server, spoken, args))
        single: list[Exchange] = report.pop("_single")
        console.print("the naive baseline on the same audio")
        baseline = naive(single, spoken)
    measured = report["single"]["v2v_ms"]
    naive_p50 = percentile([row["total_ms"] for row in baseline], 50)
    document = {
        "bench": "voice_latency",
        "machine": {
            **machine(),
            "load_average_before": load_before,
            "load_average_after": os.getloadavg(),
        },
        "settings": settings or "offline defaults",
        "method": {
            "v2v": "first reply audio frame received - frame with the last voiced sample sent",
            "last_voiced_sample": "end of the last 10 ms window within 35 dB of the loudest",
            "streaming": "real time, 20 ms frames, silence between lines",
        },
        **report,
        "naive": {
            "total_ms": spread([row["total_ms"] for row in baseline]),
            "stt_whole_ms": spread([row["stt_ms"] for row in baseline]),
            "tts_whole_ms": spread([row["tts_ms"] for row in baseline]),
            "hangover_ms": NAIVE_HANGOVER_MS,
        },
        "naive_over_pipeline_p50": (
            round(naive_p50 / measured["p50"], 2) if naive_p50 and measured["p50"] else None
        ),
        "targets": {"p50_ms": TARGET_P50_MS, "p95_ms": TARGET_P95_MS},
        "meets_targets": bool(
            measured["p50"] is not None
            and measured["p50"] <= TARGET_P50_MS
            and (measured["p95"] or 1e9) <= TARGET_P95_MS
        ),
    }
    print(json.dumps(document, indent=2))


if __name__ == "__main__":
    main()
