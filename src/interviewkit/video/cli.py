"""``interviewkit video analyze FILE``: the answer analysis on a local file.

The same steps as an uploaded answer (:func:`~.analysis.run_steps`), kept in memory and a
temporary folder instead of the database and the object store: no server, no upload.
Progress bars go to stderr, the result to stdout (a table, or ``--json``: the whole
:class:`~.results.AnswerAnalysis`). Exit status: 0 done, 1 an engine cannot run here,
2 the input is wrong (no such file, not a readable video). The heavy imports (OpenCV,
Whisper, PyAV) happen inside the command, so other ``interviewkit`` commands start
without them.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from interviewkit.config import Settings
from interviewkit.video.steps import STEP_NAMES

if TYPE_CHECKING:
    from interviewkit.llm.chain import ProviderChain
    from interviewkit.video.results import AnswerAnalysis

video_app = typer.Typer(help="Video interview answers: analyse a recording.")
errors = Console(stderr=True)  # stdout carries only the result (table or JSON)


@video_app.callback()
def _group() -> None:
    """Keeps ``analyze`` a sub-command (typer collapses a one-command app otherwise)."""


def _settings(ctx: typer.Context) -> Settings:
    """The settings with the root command's options (it leaves its loader in ``ctx.obj``)."""
    load: Callable[[], Settings] | None = ctx.obj
    return load() if load is not None else Settings()


def _exit(code: int, message: str) -> typer.Exit:
    errors.print(f"[red]error:[/red] {message}", highlight=False)
    return typer.Exit(code)


@video_app.command("analyze")
def analyze(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="A recorded answer (WebM, MP4, MOV, MKV...)")],
    as_json: Annotated[bool, typer.Option("--json", help="The whole analysis as JSON")] = False,
    question: Annotated[
        str | None, typer.Option(help="The question answered (for the LLM grade)")
    ] = None,
    keyword: Annotated[
        list[str] | None,
        typer.Option("--keyword", "-k", help="A rubric keyword (repeat the option)"),
    ] = None,
    mp4: Annotated[
        Path | None, typer.Option("--mp4", help="Also write the browser-playable MP4 here")
    ] = None,
) -> None:
    """Analyse FILE: transcript, speech and text metrics, face and attention metrics, score."""
    from interviewkit.speech.engines import build_stt
    from interviewkit.speech.ports import EngineUnavailable
    from interviewkit.video.analysis import analyze_file
    from interviewkit.video.media import MediaError

    if not file.is_file():
        raise _exit(2, f"no such file: {file}")
    if mp4 is not None and not mp4.parent.is_dir():
        raise _exit(2, f"no such directory: {mp4.parent}")
    settings = _settings(ctx)
    try:
        with errors.status(f"loading {settings.stt_engine}…"):
            stt = build_stt(settings)
    except EngineUnavailable as exc:
        raise _exit(1, str(exc)) from None
    steps = [s for s in STEP_NAMES if s != "convert" or mp4 is not None]
    progress = Progress(
        TextColumn("{task.description:<11}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TimeElapsedColumn(),
        console=errors,
        transient=as_json,
    )
    tasks: dict[str, TaskID] = {
        step: progress.add_task(step, total=1.0, start=False) for step in steps
    }

    def report(step: str, fraction: float) -> None:
        task = tasks.get(step)
        if task is not None:
            progress.start_task(task)
            progress.update(task, completed=fraction)

    with tempfile.TemporaryDirectory(prefix="interviewkit-video-") as scratch:
        try:
            with progress:
                analysis = analyze_file(
                    file,
                    question=question,
                    keywords=list(keyword or []),
                    settings=settings,
                    convert=mp4 is not None,
                    progress=report,
                    folder=Path(scratch),
                    stt=stt,
                    llm=_grading_chain(settings),
                )
        except MediaError as exc:
            raise _exit(2, f"not a readable video: {exc}") from None
        except EngineUnavailable as exc:
            raise _exit(1, str(exc)) from None
        if mp4 is not None:
            shutil.copyfile(Path(scratch) / "answer.mp4", mp4)
            errors.print(f"wrote {mp4}", highlight=False)
    if as_json:
        typer.echo(analysis.model_dump_json())
    else:
        Console().print(summary_table(analysis))
        if analysis.transcript is not None:
            typer.echo(analysis.transcript.text)


def _grading_chain(settings: Settings) -> ProviderChain | None:
    """The assistant's provider chain when an LLM grade is wanted (the grading leaves the
    offline tutor out itself)."""
    if not settings.video_grade_with_llm:
        return None
    from interviewkit.assistant.service import build_chain

    return build_chain(settings)


def _ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def summary_table(analysis: AnswerAnalysis) -> Table:
    """The analysis as a two-column table for people."""
    table = Table(title="Answer analysis", show_header=False)
    table.add_column("metric", style="bold")
    table.add_column("value")
    table.add_row("duration", f"{analysis.duration_s:.1f} s")
    text = analysis.text_metrics
    if text is not None:
        wpm = "-" if text.words_per_minute is None else f"{text.words_per_minute:.0f}"
        fillers = ", ".join(f"{k} x{v}" for k, v in text.fillers.items()) or "none"
        table.add_row("words", f"{text.word_count} ({wpm} per minute of speech)")
        table.add_row("speaking time", f"{text.speaking_time_s:.1f} s")
        table.add_row("fillers", f"{text.filler_count}: {fillers}")
        table.add_row(
            "pauses",
            f"{text.pause_count} of {text.pause_min_s:.1f} s or more, "
            f"longest {text.longest_pause_s:.1f} s, silence {_ratio(text.silence_ratio)}",
        )
        star = [p for p in ("situation", "task", "action", "result") if getattr(text.star, p)]
        table.add_row("STAR", ", ".join(star) or "none found")
        if text.keywords.expected:
            table.add_row(
                "keywords",
                f"{_ratio(text.keywords.coverage)}; missing: "
                + (", ".join(text.keywords.missing) or "none"),
            )
        if text.sentiment is not None:
            table.add_row("sentiment", f"{text.sentiment.compound:+.2f}")
    video = analysis.video_metrics
    if video is not None:
        table.add_row("face present", _ratio(video.face_present_ratio))
        table.add_row("looking at camera", _ratio(video.looking_at_camera_ratio))
        table.add_row("attention", _ratio(video.attention_ratio))
        table.add_row("multiple faces", _ratio(video.multiple_faces_ratio))
        table.add_row("lighting", video.lighting)
    if analysis.grade is not None:
        table.add_row("LLM grade", f"{analysis.grade.score}/5 ({analysis.grade.model})")
    if analysis.score is not None:
        table.add_row("score", f"{analysis.score.overall:.0f}/100")
        for line in analysis.score.explanation:
            table.add_row("", line)
    for note in analysis.notes:
        table.add_row("note", note)
    return table
