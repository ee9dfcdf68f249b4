"""The step runner end to end on real clips: the metrics against the clip's ground truth,
nothing run twice, a half-done store resumed to the same result, bad files refused."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from interviewkit.assistant.service import build_chain
from interviewkit.config import Settings
from interviewkit.speech.engines import build_stt
from interviewkit.speech.ports import Samples, SpeechToText, Transcript
from interviewkit.speech.text import word_error_rate
from interviewkit.video.analysis import AnalysisInputs, MemoryStepStore, analyze_file, run_steps
from interviewkit.video.media import MediaError, ffmpeg_exe
from interviewkit.video.results import AnswerAnalysis
from tests.conftest import make_settings
from tests.fakes.llm_server import FakeLLM
from tests.video.clips import GroundTruth

QUESTION = "Tell me about a project you led."


class CountingSTT:
    """The real engine, counting how often it is asked (what 'ran again' means here)."""

    def __init__(self, inner: SpeechToText) -> None:
        self.inner = inner
        self.name = inner.name
        self.model_dir = getattr(inner, "model_dir", None)
        self.calls = 0

    def transcribe(self, audio: Samples, *, prompt: str | None = None) -> Transcript:
        self.calls += 1
        return self.inner.transcribe(audio, prompt=prompt)


@pytest.fixture(scope="module")
def video_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return make_settings(tmp_path_factory.mktemp("data"), llm_provider="offline")


@pytest.fixture(scope="module")
def whisper(video_settings: Settings) -> SpeechToText:
    return build_stt(video_settings, "whisper")


def inputs(
    clip: Path, settings: Settings, stt: SpeechToText, llm: Any = None, **extra: Any
) -> AnalysisInputs:
    return AnalysisInputs(
        source=clip,
        question=QUESTION,
        keywords=["billing", "team", "Kubernetes"],
        settings=settings,
        stt=stt,
        llm=llm,
        **extra,
    )


@pytest.fixture(scope="module")
def finished(
    short_clip: GroundTruth,
    video_settings: Settings,
    whisper: SpeechToText,
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[AnswerAnalysis, MemoryStepStore, CountingSTT]:
    folder = tmp_path_factory.mktemp("steps")
    stt = CountingSTT(whisper)
    store = MemoryStepStore(folder)
    analysis = run_steps(inputs(short_clip.path, video_settings, stt), store, folder)
    return analysis, store, stt


def test_a_clip_is_measured_as_it_was_made(
    finished: tuple[AnswerAnalysis, MemoryStepStore, CountingSTT], short_clip: GroundTruth
) -> None:
    analysis, store, stt = finished
    assert stt.calls == 1
    assert analysis.duration_s == pytest.approx(short_clip.duration_s, abs=0.15)

    said = " ".join(s.text for s in short_clip.speech)
    assert analysis.transcript is not None
    assert analysis.transcript.engine == "whisper:tiny.en"
    assert word_error_rate(said, analysis.transcript.text) <= 0.25

    text = analysis.text_metrics
    assert text is not None
    first, second = short_clip.speech
    # the silence between the two sentences is the one pause, where it really is
    assert text.pause_count == 1
    assert text.pauses[0].start == pytest.approx(first.end, abs=0.5)
    assert text.pauses[0].end == pytest.approx(second.start, abs=0.3)
    spoken = sum(s.end - s.start for s in short_clip.speech)
    assert text.speaking_time_s == pytest.approx(spoken, abs=1.0)
    assert text.silence_ratio == pytest.approx(1 - spoken / short_clip.duration_s, abs=0.12)
    assert len(text.speech_series) == len(text.rate_series) == 10
    assert text.keywords.found == ["billing", "team"]
    assert text.keywords.missing == ["Kubernetes"]

    video = analysis.video_metrics
    assert video is not None
    present = sum(s.duration for s in short_clip.spans["present"]) / short_clip.duration_s
    assert video.face_present_ratio == pytest.approx(present, abs=0.12)
    (gone,) = short_clip.spans["absent"]
    assert any(
        abs(s.start - gone.start) < 0.6 and abs(s.end - gone.end) < 0.6 for s in video.away_spans
    )

    assert analysis.grade is None
    assert analysis.score is not None
    assert analysis.score.presence is not None
    assert any("offline" in note for note in analysis.notes)
    assert (store.folder / "captions.vtt").read_text().startswith("WEBVTT")
    assert json.loads((store.folder / "analysis.json").read_text()) == analysis.model_dump(
        mode="json"
    )
    assert store.output("convert") is not None  # conversion asked for: answer.mp4 kept
    assert (store.folder / "answer.mp4").stat().st_size > 0


def test_a_second_run_runs_nothing(
    finished: tuple[AnswerAnalysis, MemoryStepStore, CountingSTT],
    short_clip: GroundTruth,
    video_settings: Settings,
) -> None:
    analysis, store, stt = finished
    runs, calls = dict(store.runs), stt.calls
    again = run_steps(inputs(short_clip.path, video_settings, stt), store, store.folder)
    assert again == analysis
    assert store.runs == runs
    assert stt.calls == calls


@pytest.mark.parametrize("done", [("probe", "convert", "audio", "transcribe"), ("probe", "video")])
def test_a_half_done_store_resumes_to_the_same_result(
    finished: tuple[AnswerAnalysis, MemoryStepStore, CountingSTT],
    short_clip: GroundTruth,
    video_settings: Settings,
    whisper: SpeechToText,
    tmp_path: Path,
    done: tuple[str, ...],
) -> None:
    analysis, full, _ = finished
    store = MemoryStepStore(tmp_path)
    for step in done:  # as a crash after these steps would leave it
        output = full.output(step)
        assert output is not None
        files = {
            "convert": ["answer.mp4"],
            "audio": ["audio.wav"],
            "transcribe": ["captions.vtt", "transcript.json"],
        }.get(step, [])
        store.save(step, output, {name: full.folder / name for name in files})
    stt = CountingSTT(whisper)
    step_seconds: dict[str, float] = {}
    resumed = run_steps(
        inputs(short_clip.path, video_settings, stt, step_seconds=step_seconds), store, tmp_path
    )
    assert resumed == analysis
    assert not set(step_seconds) & set(done)  # nothing finished ran again
    assert stt.calls == (0 if "transcribe" in done else 1)


def test_an_answer_without_sound_has_no_text_metrics(
    short_clip: GroundTruth, video_settings: Settings, whisper: SpeechToText, tmp_path: Path
) -> None:
    silent = tmp_path / "silent.webm"
    subprocess.run(
        [
            ffmpeg_exe(),
            "-v",
            "error",
            "-i",
            str(short_clip.path),
            "-an",
            "-c:v",
            "copy",
            str(silent),
        ],
        check=True,
    )
    stt = CountingSTT(whisper)
    analysis = run_steps(
        inputs(silent, video_settings, stt, convert=False),
        MemoryStepStore(tmp_path / "s"),
        tmp_path,
    )
    assert stt.calls == 0
    assert analysis.transcript is None
    assert analysis.text_metrics is None
    assert analysis.video_metrics is not None
    assert analysis.score is not None
    assert analysis.score.content is None
    assert analysis.score.delivery is None
    assert analysis.score.overall == analysis.score.presence
    assert any("no audio" in note for note in analysis.notes)


def test_a_file_that_is_not_a_video_is_a_media_error(
    video_settings: Settings, whisper: SpeechToText, tmp_path: Path
) -> None:
    garbage = tmp_path / "answer.webm"
    garbage.write_bytes(b"\x1a\x45\xdf\xa3 this is not a recording" * 100)
    store = MemoryStepStore(tmp_path / "s")
    with pytest.raises(MediaError):
        run_steps(inputs(garbage, video_settings, whisper), store, tmp_path)
    assert store.runs == {}


def test_an_llm_grade_is_part_of_the_analysis(
    short_clip: GroundTruth, whisper: SpeechToText, llm: FakeLLM, tmp_path: Path
) -> None:
    llm.reset()
    settings = make_settings(
        tmp_path,
        llm_provider="openai,offline",
        openai_base_url=llm.base_url + "/v1",
        openai_api_key="test",
        openai_model="fake-gpt",
    )
    body = {
        "criteria": [
            {"criterion": "Answers the question", "score": 4, "evidence": ["our billing service"]},
            {"criterion": "Impact", "score": 5, "evidence": ["we doubled revenue overnight"]},
        ],
        "score": 5,
        "summary": "Led a rebuild.",
    }
    llm.script(json.dumps(body))
    shutil.copyfile(short_clip.path, tmp_path / "clip.webm")
    analysis = analyze_file(
        tmp_path / "clip.webm",
        question=QUESTION,
        keywords=["billing"],
        settings=settings,
        stt=whisper,
        llm=build_chain(settings),
    )
    assert analysis.grade is not None
    assert [c.criterion for c in analysis.grade.criteria] == ["Answers the question"]
    assert analysis.grade.score == 4
    assert analysis.score is not None
    assert any("LLM grade 4/5" in line for line in analysis.score.explanation)
    assert len(llm.requests) == 1
