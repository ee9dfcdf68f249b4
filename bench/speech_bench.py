"""The speech engines on this machine: accuracy, speed, and each figure next to its baseline.

* ``stt.wer``: word error rate of every speech-to-text adapter (whisper, pocketsphinx, and
  openai against a local OpenAI-compatible server backed by the same Whisper, so its
  figure is the adapter's and HTTP's cost, not OpenAI's model) on (a) real recorded speech a
  package ships: Debian's ``asterisk-core-sounds-en-wav`` prompts, 8 kHz, with their
  transcripts (a fixed sample of ``--clips`` prompts of 3 words or more: single letters and
  digits say little about a conversation; or all of them with ``--clips 0``), and (b) the 32
  interview sentences of ``tests/speech/corpus.py`` spoken by Piper (deterministic synthesis).
  Corpus WER = all word errors / all reference words, after ``normalise_words``.
* ``stt.latency``: a 3 s utterance transcribed ``--rounds`` times: p50/p95 ms and the real
  time factor; and the same with 2 and 4 transcriptions at once on the shared engine (what
  several voice sessions cost each other).
* ``tts``: for a 26-word reply, time to the first chunk (clause-split streaming, what the
  interviewer does) against the baseline of the same reply synthesized unsplit (Piper's own
  sentence-level call, a separately loaded voice): what a candidate would otherwise wait.
* ``vad``: ms per frame for each voice-activity engine, over 10 s of speech and noise.

One JSON document goes to stdout; progress goes to stderr. Run from the repository root:
``.venv/bin/python bench/speech_bench.py``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
from rich.console import Console

ROOT = str(Path(__file__).resolve().parents[1])
if ROOT not in sys.path:
    sys.path.append(ROOT)

from tests.speech.corpus import INTERVIEW_SENTENCES, asterisk_clips, sample_clips  # noqa: E402
from tests.speech.openai_audio_server import FakeOpenAIAudio  # noqa: E402

from api_bench import machine  # noqa: E402
from interviewkit.config import Settings  # noqa: E402
from interviewkit.speech.audio import read_wav, resample, to_float  # noqa: E402
from interviewkit.speech.engines import build_stt, build_tts, build_vad  # noqa: E402
from interviewkit.speech.ports import (  # noqa: E402
    SAMPLE_RATE,
    Samples,
    SpeechToText,
    TextToSpeech,
)
from interviewkit.speech.text import split_clauses, word_errors  # noqa: E402
from interviewkit.speech.tts.piper import PiperTTS  # noqa: E402

console = Console(stderr=True)
REPLY = (
    "Your solution passes every test, so let me ask a follow up question: how would you "
    "change it if the input did not fit in memory?"
)
UTTERANCE = "I think the time complexity is linear in the length of the array."


def cuts(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    if len(ordered) < 2:
        return {"p50_ms": round(ordered[0], 1), "p95_ms": round(ordered[0], 1)}
    points = statistics.quantiles(ordered, n=100, method="inclusive")
    return {"p50_ms": round(points[49], 1), "p95_ms": round(points[94], 1)}


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return (time.perf_counter() - started) * 1000


def spoken(tts: TextToSpeech, text: str) -> Samples:
    pcm = np.concatenate(list(tts.synthesize(text)))
    return to_float(resample(pcm, tts.sample_rate, SAMPLE_RATE))


def corpus_wer(stt: SpeechToText, pairs: list[tuple[Samples, str]], label: str) -> dict[str, Any]:
    errors = words = 0
    worst: list[tuple[float, str, str]] = []
    started = time.perf_counter()
    audio_s = 0.0
    for index, (audio, text) in enumerate(pairs):
        if index % 25 == 0:
            console.print(f"  {stt.name} {label}: {index}/{len(pairs)}")
        heard = stt.transcribe(audio).text
        wrong, count = word_errors(text, heard)
        errors, words, audio_s = errors + wrong, words + count, audio_s + len(audio) / SAMPLE_RATE
        worst.append((wrong / max(count, 1), text, heard))
    elapsed = time.perf_counter() - started
    worst.sort(key=lambda row: -row[0])
    return {
        "utterances": len(pairs),
        "words": words,
        "wer": round(errors / max(words, 1), 4),
        "audio_s": round(audio_s, 1),
        "rtf": round(elapsed / audio_s, 4),
        "worst": [{"wer": round(w, 2), "said": t, "heard": h} for w, t, h in worst[:3]],
    }


def recordings(count: int) -> list[tuple[Samples, str]]:
    clips = asterisk_clips() if count == 0 else sample_clips(count, min_words=3)
    pairs = []
    for clip in clips:
        pcm, rate = read_wav(clip.path)
        pairs.append((to_float(resample(pcm, rate, SAMPLE_RATE)), clip.text))
    return pairs


def stt_latency(stt: SpeechToText, audio: Samples, rounds: int) -> dict[str, Any]:
    stt.transcribe(audio)  # warm-up
    alone = [timed(lambda: stt.transcribe(audio)) for _ in range(rounds)]
    seconds = len(audio) / SAMPLE_RATE
    result: dict[str, Any] = {"audio_s": round(seconds, 2), "alone": cuts(alone)}
    result["rtf"] = round(statistics.median(alone) / 1000 / seconds, 4)
    for parallel in (2, 4):
        with ThreadPoolExecutor(max_workers=parallel) as pool:
            batches = [
                list(pool.map(lambda _: timed(lambda: stt.transcribe(audio)), range(parallel)))
                for _ in range(max(2, rounds // parallel))
            ]
        result[f"{parallel}_at_once"] = cuts([ms for batch in batches for ms in batch])
    return result


def tts_latency(
    tts: TextToSpeech, rounds: int, unsplit: Callable[[], object] | None
) -> dict[str, Any]:
    def first_chunk() -> float:
        started = time.perf_counter()
        chunks = tts.synthesize(REPLY)
        next(iter(chunks))
        ms = (time.perf_counter() - started) * 1000
        for _ in chunks:  # finish, as the pipeline would
            pass
        return ms

    list(tts.synthesize(REPLY))  # warm-up
    first = [first_chunk() for _ in range(rounds)]
    whole = [timed(lambda: list(tts.synthesize(REPLY))) for _ in range(rounds)]
    baseline = [timed(unsplit) for _ in range(rounds)] if unsplit else []
    audio_s = sum(len(c) for c in tts.synthesize(REPLY)) / tts.sample_rate
    return {
        "reply_words": len(REPLY.split()),
        "clauses": len(split_clauses(REPLY)),
        "audio_s": round(audio_s, 2),
        "first_chunk": cuts(first),
        "whole_reply_split": cuts(whole),
        "baseline_unsplit_whole": cuts(baseline) if baseline else None,
        "rtf": round(statistics.median(whole) / 1000 / audio_s, 4),
    }


def vad_speed(settings: Settings, audio: Samples) -> dict[str, Any]:
    result = {}
    for name in ("silero", "pocketsphinx"):
        vad = build_vad(settings, name)
        stream = vad.stream()
        size = vad.frame_samples
        frames = [audio[i : i + size] for i in range(0, len(audio) - size + 1, size)]
        ms = timed(lambda: [stream.probability(frame) for frame in frames])  # noqa: B023
        result[name] = {
            "frame_ms": round(size / SAMPLE_RATE * 1000, 1),
            "ms_per_frame": round(ms / len(frames), 4),
            "frames": len(frames),
        }
    return result


def run(args: argparse.Namespace) -> dict[str, Any]:
    settings = Settings(_env_file=None)
    voice = PiperTTS(deterministic=True)
    console.print("synthesizing the interview sentences with Piper")
    sentences = [(spoken(voice, text), text) for text in INTERVIEW_SENTENCES]
    recorded = recordings(args.clips)
    whisper, piper = build_stt(settings, "whisper"), build_tts(settings, "piper")
    document: dict[str, Any] = {"stt": {}, "tts": {}}
    with FakeOpenAIAudio(whisper, piper) as server:
        remote = settings.model_copy(update={"openai_base_url": server.base_url})
        engines = [whisper, build_stt(settings, "pocketsphinx"), build_stt(remote, "openai")]
        utterance = spoken(voice, UTTERANCE)
        for stt in engines:
            console.print(f"speech to text: {stt.name}")
            document["stt"][stt.name] = {
                "wer_recorded": corpus_wer(stt, recorded, "recorded") if recorded else None,
                "wer_synthesized": corpus_wer(stt, sentences, "synthesized"),
                "latency_3s": stt_latency(stt, utterance, args.rounds),
            }
        from piper import PiperVoice

        from interviewkit.speech.tts.piper import default_voice

        whole_voice = PiperVoice.load(default_voice())  # Piper's own sentence-level call
        baselines: dict[str, Callable[[], object] | None] = {
            "piper": lambda: list(whole_voice.synthesize(REPLY)),
            "espeak": None,
            "openai": None,
        }
        for tts in (piper, build_tts(settings, "espeak"), build_tts(remote, "openai")):
            console.print(f"text to speech: {tts.name}")
            document["tts"][tts.name] = tts_latency(tts, args.rounds, baselines[tts.name])
    noise = (np.random.default_rng(3).standard_normal(5 * SAMPLE_RATE) * 0.01).astype(np.float32)
    vad_audio = np.concatenate([np.tile(utterance, 2), noise])
    document["vad"] = vad_speed(settings, vad_audio)
    return document


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--clips", type=int, default=100, help="recorded clips (0: all)")
    parser.add_argument("--rounds", type=int, default=12, help="timed repetitions")
    parser.add_argument("--output", type=Path, help="also write the JSON document here")
    args = parser.parse_args(argv)
    document = {"machine": machine(), "settings": {"clips": args.clips, "rounds": args.rounds}}
    document.update(run(args))
    text = json.dumps(document, indent=2)
    print(text)
    if args.output:
        args.output.write_text(text + "\n")


if __name__ == "__main__":
    main()
