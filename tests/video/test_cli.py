"""``video analyze FILE``, run in-process as an operator would type it."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from interviewkit.video.cli import video_app
from interviewkit.video.media import probe
from tests.video.clips import GroundTruth

runner = CliRunner()


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in list(os.environ):
        if name.startswith("INTERVIEWKIT_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("INTERVIEWKIT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("INTERVIEWKIT_LLM_PROVIDER", "offline")
    monkeypatch.chdir(tmp_path)


def run(*args: str, code: int = 0) -> Result:
    result = runner.invoke(video_app, list(args))
    assert result.exit_code == code, (result.stdout, result.stderr, result.exception)
    return result


def test_json_has_the_metrics_people_script_against(short_clip: GroundTruth) -> None:
    result = run("analyze", str(short_clip.path), "--json", "-k", "billing", "-k", "sharding")
    document = json.loads(result.stdout)
    assert document["duration_s"] == pytest.approx(short_clip.duration_s, abs=0.15)
    transcript = document["transcript"]
    assert "billing" in transcript["text"].lower()
    assert {"text", "start", "end", "filler"} <= set(transcript["words"][0])
    text = document["text_metrics"]
    assert text["words_per_minute"] > 0
    assert {"fillers", "filler_count", "pause_count", "longest_pause_s", "pauses"} <= set(text)
    assert text["keywords"]["found"] == ["billing"]
    video = document["video_metrics"]
    for key in ("face_present_ratio", "looking_at_camera_ratio", "multiple_faces_ratio"):
        assert 0.0 <= video[key] <= 1.0
    assert len(video["series"]["face_present"]) == len(text["speech_series"])
    assert document["score"]["overall"] > 0


def test_a_table_for_people_and_a_playable_mp4(short_clip: GroundTruth, tmp_path: Path) -> None:
    out = tmp_path / "answer.mp4"
    result = run("analyze", str(short_clip.path), "--question", "A project?", "--mp4", str(out))
    assert "looking at camera" in result.stdout
    assert "billing" in result.stdout.lower()
    assert f"wrote {out}" in result.stderr.replace("\n", "")
    converted = probe(out)
    assert converted.video_codec == "h264"
    assert converted.audio_codec == "aac"
    assert converted.duration_s == pytest.approx(short_clip.duration_s, abs=0.2)


def test_wrong_input_exits_2(tmp_path: Path) -> None:
    assert "no such file" in run("analyze", str(tmp_path / "nope.webm"), code=2).stderr
    garbage = tmp_path / "garbage.webm"
    garbage.write_text("not a video at all")
    assert "not a readable video" in run("analyze", str(garbage), code=2).stderr
    nowhere = str(tmp_path / "no" / "dir" / "x.mp4")
    assert "no such directory" in run("analyze", str(garbage), "--mp4", nowhere, code=2).stderr


def test_an_engine_that_cannot_load_exits_1(
    short_clip: GroundTruth, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INTERVIEWKIT_STT_MODEL_DIR", str(tmp_path))
    assert "model.bin" in run("analyze", str(short_clip.path), code=1).stderr
