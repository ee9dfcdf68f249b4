"""``interviewkit speech transcribe|say``: the speech engines from a terminal.

For operators checking that a machine can listen and speak before candidates arrive, and
for tests that need real audio. Exit status: 0 done, 1 the engine cannot run here, 2 the
input is wrong (no such file, not audio, nothing to say). The engines, NumPy and PyAV are
imported inside the commands: every other ``interviewkit`` command starts without them.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console

from interviewkit.config import Settings

if TYPE_CHECKING:
    from interviewkit.speech.ports import Transcript

speech_app = typer.Typer(help="Speech engines: transcribe a file, say a sentence.")
console = Console(stderr=True)  # stdout carries only the result (text or JSON)


class SttChoice(StrEnum):
    whisper = "whisper"
    pocketsphinx = "pocketsphinx"
    openai = "openai"


class TtsChoice(StrEnum):
    piper = "piper"
    espeak = "espeak"
    openai = "openai"


def _settings(ctx: typer.Context) -> Settings:
    """The settings with the root command's options (it leaves its loader in ``ctx.obj``)."""
    load: Callable[[], Settings] | None = ctx.obj
    return load() if load is not None else Settings()


def _exit(code: int, message: str) -> typer.Exit:
    console.print(f"[red]error:[/red] {message}", highlight=False)
    return typer.Exit(code)


def transcript_json(transcript: Transcript) -> dict[str, Any]:
    """The ``--json`` shape: text, duration, engine, and each word with start/end seconds."""
    return {
        "text": transcript.text,
        "duration_s": round(transcript.duration_s, 3),
        "engine": transcript.engine,
        "words": [
            {"word": w.text, "start": round(w.start, 3), "end": round(w.end, 3)}
            for w in transcript.words
        ],
    }


@speech_app.command("transcribe")
def transcribe(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="Any audio or video file FFmpeg reads")],
    as_json: Annotated[bool, typer.Option("--json", help="Text, duration and timed words")] = False,
    engine: Annotated[
        SttChoice | None, typer.Option(help="Instead of the stt_engine setting")
    ] = None,
    prompt: Annotated[str | None, typer.Option(help="Words the audio is likely to hold")] = None,
) -> None:
    """Print what is said in FILE (its first audio track, any length)."""
    from interviewkit.speech.audio import AudioError, decode_file
    from interviewkit.speech.engines import build_stt
    from interviewkit.speech.ports import SAMPLE_RATE, EngineUnavailable

    try:
        audio = decode_file(file)
    except FileNotFoundError:
        raise _exit(2, f"no such file: {file}") from None
    except AudioError as exc:
        raise _exit(2, str(exc)) from None
    settings = _settings(ctx)
    try:
        with console.status(f"loading {engine.value if engine else settings.stt_engine}…"):
            stt = build_stt(settings, engine.value if engine else None)
        seconds = len(audio) / SAMPLE_RATE
        with console.status(f"transcribing {seconds:.1f} s with {stt.name}…"):
            result = stt.transcribe(audio, prompt=prompt)
    except EngineUnavailable as exc:
        raise _exit(1, str(exc)) from None
    if as_json:
        typer.echo(json.dumps(transcript_json(result), ensure_ascii=False))
    else:
        typer.echo(result.text)


@speech_app.command("say")
def say(
    ctx: typer.Context,
    text: Annotated[str, typer.Argument(help="What to say")],
    output: Annotated[Path, typer.Option("--output", "-o", help="The WAV file to write")],
    engine: Annotated[
        TtsChoice | None, typer.Option(help="Instead of the tts_engine setting")
    ] = None,
) -> None:
    """Synthesize TEXT into a mono 16-bit WAV file at the engine's own rate."""
    import numpy as np

    from interviewkit.speech.audio import write_wav
    from interviewkit.speech.engines import build_tts
    from interviewkit.speech.ports import EngineUnavailable

    if not text.strip():
        raise _exit(2, "nothing to say: TEXT is empty")
    if not output.parent.is_dir():
        raise _exit(2, f"no such directory: {output.parent}")
    settings = _settings(ctx)
    try:
        with console.status(f"loading {engine.value if engine else settings.tts_engine}…"):
            tts = build_tts(settings, engine.value if engine else None)
        with console.status(f"speaking with {tts.name}…"):
            chunks = list(tts.synthesize(text))
    except EngineUnavailable as exc:
        raise _exit(1, str(exc)) from None
    pcm = np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.int16)
    try:
        write_wav(output, pcm, tts.sample_rate)
    except OSError as exc:
        raise _exit(2, f"cannot write {output}: {exc.strerror}") from None
    seconds = len(pcm) / tts.sample_rate
    console.print(f"wrote {output} ({seconds:.2f} s at {tts.sample_rate} Hz, {tts.name})")
