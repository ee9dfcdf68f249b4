"""How fast the answer analysis runs, and how well it hears: JSON on stdout.

Builds (once, cached in ``--work``) a MediaRecorder-like WebM answer (VP8 + Opus, no
duration in the header, 640x480 at ``--fps``: 30 by default, a webcam's rate) of
``--minutes`` minutes: a real face
(``skimage.data.astronaut()``) swaying on a plain wall, out of frame 10 s of every minute,
over real recorded speech (Debian's asterisk-core-sounds-en prompts, whose transcripts
ship in the same package) with the gaps people leave between sentences. Then measures, in
one run on this machine:

- **baseline**: the bundled ffmpeg decoding the whole file (both streams) to nothing;
- **analysis**: :func:`interviewkit.video.analysis.run_steps` without conversion (probe,
  audio, transcribe || video metrics, text, score), as a multiple of real time
  (target >= 10x), with the time of each step;
- **pipeline**: the same with the conversion to a faststart H.264/AAC MP4 (target >= 3x);
- **WER** of the transcript against the prompts' transcripts; the face-present ratio
  against the clip's script;
- **fillers**: how many of the hesitations Piper says in scripted interview sentences
  Whisper writes down (it was trained on cleaned-up transcripts and drops many).

Run: ``.venv/bin/python bench/video_bench.py [--minutes 5] [--work DIR]``.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from interviewkit.config import Settings
from interviewkit.speech.audio import read_wav, resample, to_float, write_wav
from interviewkit.speech.engines import build_stt
from interviewkit.speech.ports import SAMPLE_RATE, SpeechToText
from interviewkit.speech.text import word_error_rate
from interviewkit.video.analysis import AnalysisInputs, MemoryStepStore, run_steps
from interviewkit.video.media import ffmpeg_exe
from interviewkit.video.text_metrics import detect_fillers
from interviewkit.video.transcribe import transcribe

SOUNDS = Path("/usr/share/asterisk/sounds/en_US_f_Allison")
TRANSCRIPTS = Path("/usr/share/doc/asterisk-core-sounds-en/core-sounds-en.txt.gz")
RATE = 48_000
ABSENT = (40.0, 50.0)
"""Seconds of every minute when nobody is in frame."""
TARGET_ANALYSIS_X = 10.0
TARGET_PIPELINE_X = 3.0
FILLER_LINES = (
    ("Um, I think the cache was the problem.", 1),
    ("So, uh, we moved the queue to Redis.", 1),
    ("It was, like, really slow at first.", 1),
    ("Um, the tests, uh, kept failing on Fridays.", 2),
    ("I mean, we measured it, you know, every day.", 2),
    ("Hmm, that took us about two weeks.", 1),
    ("Er, I rewrote the parser and, um, it was faster.", 2),
    ("Uh, the team agreed, uh, after the demo.", 2),
)
"""Interview lines with the hesitations (and how many) Piper says in them."""


def prompts() -> list[tuple[Path, str]]:
    """(wav, what it says) for each recorded prompt of three words or more."""
    found: list[tuple[Path, str]] = []
    with gzip.open(TRANSCRIPTS, "rt", encoding="utf-8", errors="replace") as lines:
        for line in lines:
            name, colon, text = line.strip().partition(":")
            if not colon or name.startswith(";"):
                continue
            spoken = re.sub(r"\[[^\]]*\]|\([^)]*\)", " ", text)
            spoken = " ".join(spoken.replace("*", " star ").replace("#", " pound ").split())
            path = SOUNDS / f"{name.strip()}.wav"
            if len(spoken.split()) >= 3 and path.is_file():
                found.append((path, spoken))
    return found


def soundtrack(seconds: float, seed: int = 15) -> tuple[np.ndarray[Any, Any], str]:
    """Prompts one after another with 0.3-1.5 s gaps (a 3.5 s pause every tenth) until
    ``seconds`` are filled; the audio at :data:`RATE` and the text said."""
    rng = random.Random(seed)
    pool = prompts()
    if not pool:
        sys.exit("needs asterisk-core-sounds-en-wav (the recorded prompts)")
    track = np.zeros(round(seconds * RATE), np.int16)
    said: list[str] = []
    at, count = 0.5, 0
    while True:
        path, text = rng.choice(pool)
        pcm, rate = read_wav(path)
        pcm = resample(pcm, rate, RATE)
        start = round(at * RATE)
        if start + len(pcm) > len(track):
            break
        track[start : start + len(pcm)] = pcm
        said.append(text)
        count += 1
        at += len(pcm) / RATE + (3.5 if count % 10 == 0 else rng.uniform(0.3, 1.5))
    return track, " ".join(said)


def build_answer(path: Path, minutes: float, fps: int) -> str:
    """The answer WebM at ``path`` (built once); the reference text of its speech."""
    seconds = minutes * 60
    reference = path.with_suffix(".txt")
    if path.is_file() and reference.is_file():
        return reference.read_text()
    track, said = soundtrack(seconds)
    from skimage import data as skdata

    photo = skdata.astronaut()  # type: ignore[no-untyped-call]
    face = cv2.cvtColor(photo[0:300, 100:360], cv2.COLOR_RGB2BGR)
    face = cv2.resize(face, (260, 300))
    with tempfile.TemporaryDirectory() as scratch:
        face_png, wav = Path(scratch) / "face.png", Path(scratch) / "speech.wav"
        cv2.imwrite(str(face_png), face)
        write_wav(wav, track, RATE)
        away = f"between(mod(t,60),{ABSENT[0]},{ABSENT[1]})"
        command = [
            ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y",
            "-f", "lavfi", "-i", f"color=c=0x8a7f70:s=640x480:r={fps}:d={seconds}",
            "-loop", "1", "-framerate", str(fps), "-i", str(face_png), "-i", str(wav),
            "-filter_complex",
            f"[0][1]overlay=x='190+6*sin(t)':y='110+3*sin(1.7*t)':enable='not({away})'"
            ",format=yuv420p[v]",
            "-map", "[v]", "-map", "2:a", "-t", str(seconds), "-threads", "2",
            "-c:v", "libvpx", "-deadline", "realtime", "-cpu-used", "8", "-b:v", "1M",
            "-c:a", "libopus", "-b:a", "48k", "-f", "webm", "pipe:1",
        ]  # fmt: skip
        partial = path.with_name(f".{path.name}.partial")
        with partial.open("wb") as out:  # to a pipe: no duration in the header
            subprocess.run(command, stdout=out, check=True)
        partial.replace(path)
    reference.write_text(said)
    return said


def baseline_decode(path: Path) -> float:
    started = time.perf_counter()
    subprocess.run(
        [ffmpeg_exe(), "-v", "error", "-threads", "2", "-i", str(path), "-f", "null", "-"],
        check=True,
    )
    return time.perf_counter() - started


def analyse(path: Path, settings: Settings, stt: SpeechToText, convert: bool) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        inputs = AnalysisInputs(
            source=path,
            question="Tell me about your last project.",
            keywords=["extension", "password", "mailbox"],
            settings=settings,
            stt=stt,
            llm=None,
            convert=convert,
        )
        cpu_before = _cpu_seconds()
        started = time.perf_counter()
        analysis = run_steps(inputs, MemoryStepStore(Path(folder)), Path(folder))
        seconds = time.perf_counter() - started
        cpu = _cpu_seconds() - cpu_before
    return {"seconds": seconds, "cpu": cpu, "steps": inputs.step_seconds, "analysis": analysis}


def _cpu_seconds() -> float:
    """CPU time of this process's threads and its finished children (ffmpeg): what the
    work costs whatever else the machine is running."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def _timing(run: dict[str, Any], duration: float, target: float) -> dict[str, Any]:
    """Wall time as measured, and the CPU time over 2 cores: the wall time the same work
    would take on an otherwise idle 2-core machine if its two threads kept both busy."""
    x = duration / run["seconds"]
    idle_x = duration / (run["cpu"] / 2)
    return {
        "seconds": round(run["seconds"], 2),
        "x_real_time": round(x, 1),
        "cpu_seconds": round(run["cpu"], 2),
        "x_real_time_cpu_over_2_cores": round(idle_x, 1),
        "target_x": target,
        "met": x >= target,
        "met_on_cpu_time": idle_x >= target,
        "steps_s": run["steps"],
    }


def filler_recall(settings: Settings, stt: SpeechToText) -> dict[str, Any]:
    """Scripted hesitations Piper (without generator noise) says vs the fillers found in
    Whisper's transcript."""
    from interviewkit.speech.tts.piper import PiperTTS

    tts = PiperTTS(settings.tts_voice_model, deterministic=True)  # the same samples each run
    said = heard = 0
    lines = []
    for text, fillers in FILLER_LINES:
        pcm = np.concatenate(list(tts.synthesize(text)))
        samples = to_float(resample(pcm, tts.sample_rate, SAMPLE_RATE))
        result = transcribe(samples, stt)
        found = len(detect_fillers(result.words))
        said += fillers
        heard += min(found, fillers)
        lines.append({"said": text, "heard": result.text, "fillers_found": found})
    return {"scripted": said, "found": heard, "recall": round(heard / said, 3), "lines": lines}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument("--fps", type=int, default=30, help="frames per second of the answer")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "ik-video")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    answer = args.work / f"answer-{args.minutes:g}min-{args.fps}fps.webm"
    started = time.perf_counter()
    reference = build_answer(answer, args.minutes, args.fps)
    built_s = time.perf_counter() - started
    settings = Settings(_env_file=None, data_dir=args.work / "data", video_grade_with_llm=False)
    stt = build_stt(settings, "whisper")

    decode_s = baseline_decode(answer)
    plain = analyse(answer, settings, stt, convert=False)
    whole = analyse(answer, settings, stt, convert=True)
    analysis = plain["analysis"]
    duration = analysis.duration_s
    transcript = analysis.transcript.text if analysis.transcript else ""
    video = analysis.video_metrics
    away = sum(
        max(0.0, min(m * 60 + ABSENT[1], duration) - (m * 60 + ABSENT[0]))
        for m in range(int(duration // 60) + 1)
    )
    truth_present = 1 - away / duration
    text = analysis.text_metrics
    report = {
        "machine": {"cpus": os.cpu_count(), "load_average_1m": round(os.getloadavg()[0], 2)},
        "answer": {
            "duration_s": duration,
            "size_bytes": analysis.probe.size_bytes,
            "video": f"{analysis.probe.video_codec} {analysis.probe.width}x{analysis.probe.height}",
            "audio": analysis.probe.audio_codec,
            "built_s": round(built_s, 1),
        },
        "baseline_decode": {
            "seconds": round(decode_s, 2),
            "x_real_time": round(duration / decode_s, 1),
        },
        "analysis_without_conversion": _timing(plain, duration, TARGET_ANALYSIS_X),
        "pipeline_with_conversion": _timing(whole, duration, TARGET_PIPELINE_X),
        "speech": {
            "engine": analysis.transcript.engine if analysis.transcript else None,
            "reference_words": len(reference.split()),
            "transcript_words": len(transcript.split()),
            "wer": round(word_error_rate(reference, transcript), 4),
            "words_per_minute": text.words_per_minute if text else None,
            "pause_count": text.pause_count if text else None,
            "fillers_found_in_prompts_without_any": text.filler_count if text else None,
        },
        "video": {
            "face_present_ratio": video.face_present_ratio if video else None,
            "truth_face_present_ratio": round(truth_present, 3),
            "engine": video.engine if video else None,
            "frames_analyzed": video.frames_analyzed if video else None,
        },
        "fillers": filler_recall(settings, stt),
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
