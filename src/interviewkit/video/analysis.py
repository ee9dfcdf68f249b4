"""The analysis of one answer as resumable steps over a :class:`~.steps.StepStore`.

:func:`run_steps` runs the steps of :mod:`.steps` in order and stores each one's output
before the next starts; a step whose output is already stored is not run again, so a
retry after a crash (or a second call) picks up where the last one stopped, and the
result is assembled from the stored outputs either way (the same :class:`AnswerAnalysis`
whether a step ran now or an hour ago).

``transcribe`` (Whisper) and ``video`` (OpenCV) are independent and both spend their time
in native code that releases the GIL, so they run side by side in two threads: on two
cores the analysis takes about as long as the slower of the two, not their sum. Their
outputs are saved by the calling thread as each finishes, so a store need not be
thread-safe; ``store.progress`` may be called from either worker thread.

A step that cannot produce its result because the answer lacks something (no audio
track, no video stream, no question to grade against) stores ``{"absent": reason}``
and the analysis says why in ``notes``. A :class:`~.media.MediaError` (the file is not
readable media) propagates: it is permanent, and the caller (the durable pipeline) turns
it into a failed answer instead of retrying.

:class:`MemoryStepStore` keeps outputs in memory and files in a folder: what
``interviewkit video analyze`` and the tests use (:func:`analyze_file`).
"""

from __future__ import annotations

import json
import logging
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from interviewkit.config import Settings
from interviewkit.speech.audio import read_wav, resample, to_float
from interviewkit.speech.ports import SAMPLE_RATE, SpeechToText
from interviewkit.video.captions import to_webvtt
from interviewkit.video.grading import GradingLLM, grade_answer, grading_llm
from interviewkit.video.media import convert_to_mp4, extract_audio, probe
from interviewkit.video.results import (
    AnswerAnalysis,
    AnswerGrade,
    AnswerScore,
    ProbeResult,
    TextMetrics,
    TranscriptResult,
    VideoMetrics,
)
from interviewkit.video.scoring import score_answer
from interviewkit.video.steps import StepStore
from interviewkit.video.text_metrics import measure_text
from interviewkit.video.transcribe import transcribe
from interviewkit.video.video_metrics import measure_video

log = logging.getLogger(__name__)

Output = dict[str, Any]
StepResult = tuple[Output, dict[str, Path] | None]
Progress = Callable[[str, float], None]


@dataclass
class AnalysisInputs:
    """What one analysis needs. ``llm``: the app's provider chain (the offline tutor is
    left out by :func:`~.grading.grade_answer`), or None for no grade."""

    source: Path
    question: str | None
    keywords: list[str]
    settings: Settings
    stt: SpeechToText
    llm: GradingLLM | None
    convert: bool = True
    step_seconds: dict[str, float] = field(default_factory=dict)
    """Filled by :func:`run_steps`: how long each step that ran took (the bench reads it)."""


def absent(output: Output | None) -> str | None:
    """The reason a stored step produced nothing, or None when it produced a result."""
    if output is not None and set(output) == {"absent"}:
        return str(output["absent"])
    return None


class _Runner:
    def __init__(self, inputs: AnalysisInputs, store: StepStore, workdir: Path) -> None:
        self.inputs, self.store, self.workdir = inputs, store, workdir
        self.settings = inputs.settings

    def once(self, step: str, run: Callable[[], StepResult]) -> Output:
        """The stored output of ``step``, running and storing it first if it has none."""
        done = self.store.output(step)
        if done is not None:
            return done
        output, files = self.timed(step, run)
        self.store.save(step, output, files)
        return output

    def timed(self, step: str, run: Callable[[], StepResult]) -> StepResult:
        self.store.progress(step, 0.0)
        started = time.perf_counter()
        result = run()
        seconds = time.perf_counter() - started
        self.inputs.step_seconds[step] = round(seconds, 3)
        log.info("video step done", extra={"step": step, "seconds": round(seconds, 3)})
        self.store.progress(step, 1.0)
        return result

    def progress_of(self, step: str) -> Callable[[float], None]:
        return lambda fraction: self.store.progress(step, fraction)

    # ---- the steps -----------------------------------------------------------------------

    def probe(self) -> StepResult:
        return probe(self.inputs.source).model_dump(mode="json"), None

    def convert(self, info: ProbeResult) -> StepResult:
        target = self.workdir / "answer.mp4"
        copied = convert_to_mp4(
            self.inputs.source,
            target,
            info,
            preset=self.settings.video_convert_preset,
            threads=self.settings.video_threads,
            progress=self.progress_of("convert"),
        )
        return {"copied": copied}, {"answer.mp4": target}

    def audio(self, info: ProbeResult) -> StepResult:
        target = self.workdir / "audio.wav"
        seconds = extract_audio(self.inputs.source, target, info)
        if seconds is None:
            return {"absent": "the answer has no audio track"}, None
        return {"seconds": seconds}, {"audio.wav": target}

    def transcribe(self, audio: Output) -> StepResult:
        reason = absent(audio)
        if reason is not None:
            return {"absent": reason}, None
        pcm, rate = read_wav(self.store.file("audio.wav"))
        samples = to_float(pcm if rate == SAMPLE_RATE else resample(pcm, rate, SAMPLE_RATE))
        transcript = transcribe(samples, self.inputs.stt, progress=self.progress_of("transcribe"))
        captions = self.workdir / "captions.vtt"
        captions.write_text(to_webvtt(transcript), encoding="utf-8")
        as_json = self.workdir / "transcript.json"
        as_json.write_text(transcript.model_dump_json(), encoding="utf-8")
        return transcript.model_dump(mode="json"), {
            "captions.vtt": captions,
            "transcript.json": as_json,
        }

    def video(self, info: ProbeResult) -> StepResult:
        if info.video_codec is None:
            return {"absent": "the answer has no video stream"}, None
        metrics = measure_video(
            self.inputs.source,
            info,
            sample_fps=self.settings.video_sample_fps,
            engine=self.settings.video_face_engine,
            yaw_limit_deg=self.settings.video_yaw_limit_deg,
            pitch_limit_deg=self.settings.video_pitch_limit_deg,
            threads=self.settings.video_threads,
            progress=self.progress_of("video"),
        )
        return metrics.model_dump(mode="json"), None

    def text(self, transcribed: Output, info: ProbeResult) -> StepResult:
        reason = absent(transcribed)
        if reason is not None:
            return {"absent": reason}, None
        transcript = TranscriptResult.model_validate(transcribed)
        metrics = measure_text(transcript, info.duration_s, self.inputs.keywords)
        return metrics.model_dump(mode="json"), None

    def grade(self, transcript: TranscriptResult | None) -> StepResult:
        question = (self.inputs.question or "").strip()
        if not self.settings.video_grade_with_llm:
            return {"absent": "grading with an LLM is turned off"}, None
        if grading_llm(self.inputs.llm) is None:
            return {"absent": "no LLM is configured (offline): no rubric grade"}, None
        if not question:
            return {"absent": "no question to grade against"}, None
        if transcript is None or not transcript.words:
            return {"absent": "nothing was said: no rubric grade"}, None
        grade = grade_answer(self.inputs.llm, question, self.inputs.keywords, transcript)
        if grade is None:
            return {"absent": "the LLM's grade could not be verified against the transcript"}, None
        return grade.model_dump(mode="json"), None

    # ---- parallel part -------------------------------------------------------------------

    def transcribe_and_video(self, audio: Output, info: ProbeResult) -> tuple[Output, Output]:
        """Both steps, the missing ones side by side; each saved as soon as it is done."""
        work: dict[str, Callable[[], StepResult]] = {}
        if self.store.output("transcribe") is None:
            work["transcribe"] = lambda: self.transcribe(audio)
        if self.store.output("video") is None:
            work["video"] = lambda: self.video(info)
        errors: list[BaseException] = []
        if len(work) == 1:
            ((step, run),) = work.items()
            self.once(step, run)
        elif work:
            with ThreadPoolExecutor(max_workers=2, thread_name_prefix="video-step") as pool:
                futures: dict[Future[StepResult], str] = {
                    pool.submit(self.timed, step, run): step for step, run in work.items()
                }
                for future in as_completed(futures):
                    try:
                        output, files = future.result()
                    except BaseException as exc:  # the other step still gets saved
                        errors.append(exc)
                        continue
                    self.store.save(futures[future], output, files)
        if errors:
            raise errors[0]
        transcribed, video = self.store.output("transcribe"), self.store.output("video")
        assert transcribed is not None
        assert video is not None
        return transcribed, video

    # ---- all of it -----------------------------------------------------------------------

    def run(self) -> AnswerAnalysis:
        done = self.store.output("report")
        if done is not None:
            return AnswerAnalysis.model_validate(done)
        info = ProbeResult.model_validate(self.once("probe", self.probe))
        if self.inputs.convert and info.video_codec is not None:
            self.once("convert", lambda: self.convert(info))
        audio = self.once("audio", lambda: self.audio(info))
        transcribed, video_out = self.transcribe_and_video(audio, info)
        text_out = self.once("text", lambda: self.text(transcribed, info))
        transcript = _parse(transcribed, TranscriptResult)
        grade_out = self.once("grade", lambda: self.grade(transcript))
        text = _parse(text_out, TextMetrics)
        video = _parse(video_out, VideoMetrics)
        grade = _parse(grade_out, AnswerGrade)

        def score() -> StepResult:
            result = score_answer(text, video, grade, info.duration_s)
            if result is None:
                return {"absent": "nothing could be measured: no score"}, None
            return result.model_dump(mode="json"), None

        score_out = self.once("score", score)
        notes = [
            reason
            for reason in map(absent, (audio, video_out, grade_out, score_out))
            if reason is not None
        ]
        analysis = AnswerAnalysis(
            question=self.inputs.question,
            duration_s=info.duration_s,
            probe=info,
            transcript=transcript,
            text_metrics=text,
            video_metrics=video,
            grade=grade,
            score=_parse(score_out, AnswerScore),
            notes=list(dict.fromkeys(notes)),
        )

        def report() -> StepResult:
            target = self.workdir / "analysis.json"
            target.write_text(analysis.model_dump_json(), encoding="utf-8")
            return analysis.model_dump(mode="json"), {"analysis.json": target}

        return AnswerAnalysis.model_validate(self.once("report", report))


M = TypeVar("M", TranscriptResult, TextMetrics, VideoMetrics, AnswerGrade, AnswerScore)


def _parse(output: Output, model: type[M]) -> M | None:
    return None if absent(output) is not None else model.model_validate(output)


def run_steps(inputs: AnalysisInputs, store: StepStore, workdir: Path) -> AnswerAnalysis:
    """Run (or resume) the analysis of ``inputs.source``; step files are written in
    ``workdir`` before the store takes them."""
    workdir.mkdir(parents=True, exist_ok=True)
    return _Runner(inputs, store, workdir).run()


class MemoryStepStore:
    """A :class:`~.steps.StepStore` in memory, its files in ``folder``.

    ``on_progress(step, fraction)`` sees every progress report (the CLI draws bars);
    ``runs`` counts how often each step was saved (what the tests check).
    """

    def __init__(self, folder: Path, on_progress: Progress | None = None) -> None:
        self.folder = folder
        self.folder.mkdir(parents=True, exist_ok=True)
        self.outputs: dict[str, Output] = {}
        self.runs: dict[str, int] = {}
        self.on_progress = on_progress
        self._lock = threading.Lock()

    def output(self, step: str) -> Output | None:
        with self._lock:
            found = self.outputs.get(step)
        return None if found is None else json.loads(json.dumps(found))

    def save(self, step: str, output: Output, files: dict[str, Path] | None = None) -> None:
        for name, path in (files or {}).items():
            target = self.folder / name
            if path.resolve() != target.resolve():
                shutil.copyfile(path, target)
        with self._lock:
            self.outputs[step] = json.loads(json.dumps(output))
            self.runs[step] = self.runs.get(step, 0) + 1

    def file(self, name: str) -> Path:
        path = self.folder / name
        if not path.is_file():
            raise FileNotFoundError(f"no stored file {name}")
        return path

    def progress(self, step: str, fraction: float) -> None:
        if self.on_progress is not None:
            self.on_progress(step, max(0.0, min(1.0, fraction)))


def analyze_file(
    path: Path,
    *,
    question: str | None,
    keywords: list[str],
    settings: Settings,
    convert: bool = False,
    progress: Progress | None = None,
    folder: Path | None = None,
    stt: SpeechToText | None = None,
    llm: GradingLLM | None = None,
) -> AnswerAnalysis:
    """Analyse a local file without a database or object store (``interviewkit video
    analyze``). Step files (``answer.mp4`` when ``convert``, ``captions.vtt``...) land in
    ``folder`` (a temporary folder, removed afterwards, when None); ``stt`` defaults to
    the settings' engine."""
    from interviewkit.speech.engines import build_stt

    engine = stt if stt is not None else build_stt(settings)
    with tempfile.TemporaryDirectory(prefix="interviewkit-video-") as scratch:
        where = folder if folder is not None else Path(scratch)
        inputs = AnalysisInputs(
            source=path,
            question=question,
            keywords=keywords,
            settings=settings,
            stt=engine,
            llm=llm,
            convert=convert,
        )
        return run_steps(inputs, MemoryStepStore(where, progress), where)
