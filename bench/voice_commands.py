"""Voice command recognition: spoken commands, said several ways, heard through the real STT.

Every phrase below is synthesized with the Piper voice the project ships at three speaking
rates (length_scale 0.8, 1.0, 1.25) and with white and brown noise at 20, 10 and 5 dB SNR
(tests/voice/audio_fixtures.py), resampled to 16 kHz, transcribed by the configured speech
to text port (the offline default: faster-whisper tiny.en int8) and parsed by
``interviewkit.voice.commands.parse_command``, exactly as the voice pipeline does with a
final transcript.

* recognition rate: commands parsed as the command meant (a wrong command is a miss);
* false positive rate: the non-command lines (clarifying questions, thinking aloud, many
  with "run", "time", "stop" or "test" in them) parsed as any command;
* ``text_only``: the same phrases parsed from their exact text (no STT), so a miss can be
  put on the ear (STT) or on the parser;
* the STT's word error rate on these lines, per condition.

``--channel`` also runs a sample end to end over the live channel of a real server: the
audio is streamed as 20 ms frames and the command is read from what the interviewer says
back (``interviewer-speech.command``) and from the recorded ``voice_command`` events.

One JSON document goes to stdout; progress goes to stderr. Target: recognition >= 95 %.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from rich.console import Console

from _voice_client import CLEAN, CONDITIONS, Condition, SpokenAudio, VoiceClient, voice_server
from api_bench import machine
from interviewkit.config import Settings
from interviewkit.speech.engines import build_stt
from interviewkit.speech.text import word_error_rate
from interviewkit.voice.commands import parse_command

console = Console(stderr=True)
TARGET_RECOGNITION = 0.95

COMMANDS: tuple[tuple[str, str], ...] = (
    ("Run my code.", "run"),
    ("Could you run the tests, please?", "run"),
    ("Run the tests.", "run"),
    ("Can you run it?", "run"),
    ("Please execute my code.", "run"),
    ("Let's run this.", "run"),
    ("Go ahead and run my solution.", "run"),
    ("Okay, run it again.", "run"),
    ("Submit my solution.", "submit"),
    ("I'd like to submit.", "submit"),
    ("Please submit this.", "submit"),
    ("Okay, submit it.", "submit"),
    ("I'm done, submit my code.", "submit"),
    ("That's my final answer.", "submit"),
    ("Submit.", "submit"),
    ("I'd like a hint.", "hint"),
    ("Give me a hint.", "hint"),
    ("Can I get a hint, please?", "hint"),
    ("Could you give me a hint?", "hint"),
    ("I'm stuck. Can you help me?", "hint"),
    ("Any hints?", "hint"),
    ("Hint, please.", "hint"),
    ("Can you repeat that question?", "repeat"),
    ("Repeat the question.", "repeat"),
    ("Could you say that again?", "repeat"),
    ("What was the question again?", "repeat"),
    ("Please repeat that.", "repeat"),
    ("Sorry, can you repeat the problem?", "repeat"),
    ("Say that again, please.", "repeat"),
    ("How much time do I have left?", "time"),
    ("How much time is left?", "time"),
    ("How many minutes do I have left?", "time"),
    ("How long do I have?", "time"),
    ("Am I running out of time?", "time"),
    ("Time check, please.", "time"),
    ("What's the time left?", "time"),
    ("Please stop talking.", "stop-talking"),
    ("Stop talking.", "stop-talking"),
    ("Stop.", "stop-talking"),
    ("Be quiet, please.", "stop-talking"),
    ("Okay, that's enough.", "stop-talking"),
    ("Hold on a second.", "stop-talking"),
    ("Wait a moment.", "stop-talking"),
)
"""43 commands: all six, seven or eight phrasings each."""

NOT_COMMANDS: tuple[str, ...] = (
    "Can the input array be empty?",
    "What should I return if there is no solution?",
    "Are the numbers always integers?",
    "I'm going to use a hash map here.",
    "Let me think about the edge cases.",
    "So the time complexity is linear.",
    "I think the runtime is n log n.",
    "The tests in the example look right to me.",
    "Is it okay if I modify the input list?",
    "How large can the input be?",
    "I'll write a helper function first.",
    "This loop runs once per element.",
    "Should I handle negative numbers?",
    "I'm not sure this is the fastest approach.",
    "Okay, I understand the problem.",
    "The first step is to sort the values.",
    "Can there be duplicate values?",
    "We can stop the loop early when we find the pair.",
    "My solution should run in linear time.",
    "I could store each number's index in a dictionary.",
    "Each lookup takes constant time.",
    "What happens if two numbers are the same?",
)
"""22 lines a candidate says that are not commands (many contain a command's words)."""

QUICK_CONDITIONS = (Condition(1.0), Condition(0.8), Condition(1.0, "brown", 10.0))
LINES: list[tuple[str, str | None]] = [*COMMANDS, *((text, None) for text in NOT_COMMANDS)]


def expected(text: str) -> str | None:
    return dict(COMMANDS).get(text)


def score(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Recognition and false positive rates of ``rows`` (one row per spoken line)."""
    commands = [r for r in rows if r["expected"] is not None]
    others = [r for r in rows if r["expected"] is None]
    hits = sum(r["parsed"] == r["expected"] for r in commands)
    false = sum(r["parsed"] is not None for r in others)
    return {
        "commands": len(commands),
        "recognised": hits,
        "recognition_rate": round(hits / len(commands), 4) if commands else None,
        "non_commands": len(others),
        "false_positives": false,
        "false_positive_rate": round(false / len(others), 4) if others else None,
    }


def offline(
    audio: SpokenAudio, conditions: tuple[Condition, ...], prompt: str | None
) -> dict[str, Any]:
    """Every phrase in every condition through the STT port (with ``prompt``, as the
    pipeline would pass it) and the parser."""
    stt = build_stt(Settings(_env_file=None))
    rows: list[dict[str, Any]] = []
    for condition in conditions:
        started = time.perf_counter()
        for text, command in LINES:
            spoken = audio.utterance(text, condition)
            began = time.perf_counter()
            heard = stt.transcribe(spoken.samples, prompt=prompt).text
            rows.append(
                {
                    "condition": condition.label,
                    "text": text,
                    "expected": command,
                    "heard": heard.strip(),
                    "parsed": parse_command(heard),
                    "wer": word_error_rate(text, heard),
                    "stt_ms": (time.perf_counter() - began) * 1000,
                    "audio_s": spoken.duration_s,
                }
            )
        console.print(
            f"{condition.label}: {score([r for r in rows if r['condition'] == condition.label])}"
            f" ({time.perf_counter() - started:.1f} s)"
        )
    return summarise(rows)


def summarise(rows: list[dict[str, Any]]) -> dict[str, Any]:
    by_condition: dict[str, list[dict[str, Any]]] = defaultdict(list)
    by_command: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        by_condition[row["condition"]].append(row)
        by_command[row["expected"] or "none"].append(row)
    text_only = [{"expected": c, "parsed": parse_command(t)} for t, c in LINES]
    misses = [
        {k: row[k] for k in ("condition", "text", "heard", "expected", "parsed")}
        for row in rows
        if row["parsed"] != row["expected"]
    ]
    return {
        **score(rows),
        "target_recognition_rate": TARGET_RECOGNITION,
        "meets_target": score(rows)["recognition_rate"] >= TARGET_RECOGNITION,
        "text_only": score(text_only),
        "per_condition": {
            label: {
                **score(group),
                "wer": round(statistics.mean(r["wer"] for r in group), 4),
                "stt_ms_p50": round(statistics.median(r["stt_ms"] for r in group), 1),
            }
            for label, group in by_condition.items()
        },
        "per_command": {name: score(group) for name, group in by_command.items()},
        "confusions": dict(
            Counter(f"{r['expected']}->{r['parsed']}" for r in rows if r["parsed"] != r["expected"])
        ),
        "misses": misses,
    }


# ---- end to end, over the channel ------------------------------------------------------


def channel_sample(count: int) -> list[tuple[str, str | None]]:
    """``count`` lines: two commands (each command's phrasings in turn) for every
    non-command; no submit (it ends the coding, changing what each later line means)."""
    by_command: dict[str, list[tuple[str, str | None]]] = defaultdict(list)
    for text, command in COMMANDS:
        if command != "submit":
            by_command[command].append((text, command))
    rounds = [group[n] for n in range(8) for group in by_command.values() if n < len(group)]
    others: list[tuple[str, str | None]] = [(text, None) for text in NOT_COMMANDS]
    wanted = max(1, count * 2 // 3)
    return (rounds[:wanted] + others[: count - wanted])[:count]


async def over_channel(
    audio: SpokenAudio, condition: Condition, sample: list[tuple[str, str | None]]
) -> dict[str, Any]:
    """Each sampled line spoken into one real room, waiting for the interviewer to finish
    between lines; the command it acted on is read from the recorded ``voice_command``
    events (matched to the line by the words the server heard)."""
    heard: list[tuple[str, str | None, str]] = []
    with voice_server({}) as server:
        room = server.room()
        client = await VoiceClient.open(server.url, room.session_id, room.token)
        try:
            state = await client.start()
            if state.get("status") != "on":
                return {"error": f"voice did not start: {state}"}
            await client.wait_message("interviewer-speech", timeout=120)
            await client.command("stop-talking")  # the greeting is not what is measured
            await client.until_quiet(timeout=120)
            for text, command in sample:
                since = len(client.log)
                await client.say(audio.utterance(text, condition))
                final = await client.wait_message(
                    "transcript", timeout=120, since=since, speaker="candidate", final=True
                )
                heard.append((text, command, final.body["text"]))
                await client.until_quiet(timeout=120)
                console.print(f"channel: {heard[-1]}")
        finally:
            await client.close()
        recorded = server.events(room.session_id, {"voice_command"})
    acted = {str(event.get("said")): event.get("command") for event in recorded}
    rows = [
        {
            "condition": condition.label,
            "text": text,
            "expected": command,
            "heard": said,
            "parsed": acted.get(said),
        }
        for text, command, said in heard
    ]
    return {
        **score(rows),
        "condition": condition.label,
        "misses": [r for r in rows if r["parsed"] != r["expected"]],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="3 conditions instead of 9")
    parser.add_argument("--channel", type=int, default=0, metavar="N",
                        help="also speak N sampled lines into a real room")  # fmt: skip
    parser.add_argument("--cache", type=Path, help="keep the synthesized audio here")
    parser.add_argument(
        "--prompt",
        help="words to bias the STT with (the pipeline passes none: a prompt made tiny.en"
        " about 450 ms slower per turn, and it continued the prompt)",
    )
    parser.add_argument("--no-offline", action="store_true", help="only the --channel sample")
    args = parser.parse_args()
    conditions = QUICK_CONDITIONS if args.quick else CONDITIONS
    with tempfile.TemporaryDirectory(prefix="voice-audio-") as temporary:
        audio = SpokenAudio(args.cache or Path(temporary))
        report: dict[str, Any] = {
            "bench": "voice_commands",
            "machine": machine(),
            "phrases": {"commands": len(COMMANDS), "non_commands": len(NOT_COMMANDS)},
            "stt_prompt": args.prompt,
        }
        if not args.no_offline:
            report["conditions"] = [c.label for c in conditions]
            report["offline"] = offline(audio, conditions, args.prompt or None)
        if args.channel:
            sample = channel_sample(args.channel)
            report["channel"] = asyncio.run(over_channel(audio, CLEAN, sample))
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
