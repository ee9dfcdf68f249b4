"""``interviewkit speech say|transcribe``, run in-process as an operator would type them."""

from __future__ import annotations

import json
import os
from pathlib import Path

import av
import numpy as np
import pytest
from typer.testing import CliRunner, Result

from interviewkit.cli import app
from interviewkit.speech.audio import read_wav, to_pcm16, write_wav
from interviewkit.speech.text import word_error_rate
from tests.speech.conftest import Speak

runner = CliRunner()
SENTENCE = "Could you give me an example with an empty tree?"


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in list(os.environ):
        if name.startswith("INTERVIEWKIT_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


def run(*args: str, code: int = 0) -> Result:
    result = runner.invoke(app, list(args))
    assert result.exit_code == code, (result.stdout, result.stderr, result.exception)
    return result


@pytest.mark.parametrize("engine", ["piper", "espeak"])
def test_say_writes_a_wav_that_transcribes_back(tmp_path: Path, engine: str) -> None:
    out = tmp_path / "said.wav"
    said = run("speech", "say", SENTENCE, "-o", str(out), "--engine", engine)
    pcm, rate = read_wav(out)
    assert rate == 22_050
    assert 1.0 < len(pcm) / rate < 6.0
    assert f"wrote {out}" in said.stderr.replace("\n", "")

    result = run("speech", "transcribe", str(out), "--json")
    document = json.loads(result.stdout)
    assert set(document) == {"text", "duration_s", "engine", "words"}
    assert document["engine"] == "whisper"
    assert document["duration_s"] == pytest.approx(len(pcm) / rate, abs=0.01)
    assert word_error_rate(SENTENCE, document["text"]) <= (0.2 if engine == "piper" else 0.5)
    for word in document["words"]:
        assert set(word) == {"word", "start", "end"}
        assert 0 <= word["start"] <= word["end"] <= document["duration_s"] + 0.05


def test_transcribe_prints_plain_text_and_takes_another_engine(
    tmp_path: Path, speak: Speak
) -> None:
    out = tmp_path / "said.wav"
    write_wav(out, to_pcm16(speak(SENTENCE)), 16_000)
    plain = run("speech", "transcribe", str(out)).stdout.strip()
    assert word_error_rate(SENTENCE, plain) <= 0.1
    sphinx = json.loads(
        run("speech", "transcribe", str(out), "--json", "--engine", "pocketsphinx").stdout
    )
    assert sphinx["engine"] == "pocketsphinx"
    assert word_error_rate(SENTENCE, sphinx["text"]) <= 0.7


def test_transcribes_the_sound_of_a_video(tmp_path: Path, speak: Speak) -> None:
    """A screen recording (WebM: VP8 video, Opus sound) is as good as a WAV."""
    path = tmp_path / "recording.webm"
    write_video(path, speak(SENTENCE))
    document = json.loads(run("speech", "transcribe", str(path), "--json").stdout)
    assert word_error_rate(SENTENCE, document["text"]) <= 0.2


def write_video(path: Path, speech: np.typing.NDArray[np.float32]) -> None:
    with av.open(str(path), "w") as container:
        video = container.add_stream("libvpx", rate=5)
        video.width, video.height = 64, 48
        video.pix_fmt = "yuv420p"
        sound = container.add_stream("libopus", rate=48_000)
        sound.layout = "mono"
        seconds = len(speech) / 16_000
        for index in range(int(seconds * 5) + 1):
            frame = av.VideoFrame.from_ndarray(np.zeros((48, 64, 3), np.uint8), format="rgb24")
            frame.pts = index
            for packet in video.encode(frame):
                container.mux(packet)
        pcm = to_pcm16(speech).reshape(1, -1)
        audio = av.AudioFrame.from_ndarray(pcm, format="s16", layout="mono")
        audio.sample_rate = 16_000
        for packet in [*sound.encode(audio), *sound.encode(None), *video.encode(None)]:
            container.mux(packet)


def test_wrong_input_exits_2_with_a_message(tmp_path: Path) -> None:
    missing = run("speech", "transcribe", str(tmp_path / "nope.wav"), code=2)
    assert "no such file" in missing.stderr
    notes = tmp_path / "notes.mp3"
    notes.write_text("these are not sounds")
    assert "not audio" in run("speech", "transcribe", str(notes), code=2).stderr
    assert "nothing to say" in run("speech", "say", "  ", "-o", "x.wav", code=2).stderr
    nowhere = str(tmp_path / "no" / "dir" / "x.wav")
    assert "no such directory" in run("speech", "say", "hello", "-o", nowhere, code=2).stderr


def test_an_engine_that_cannot_load_exits_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INTERVIEWKIT_STT_MODEL_DIR", str(tmp_path))
    out = tmp_path / "said.wav"
    run("speech", "say", "hello there", "-o", str(out), "--engine", "espeak")
    failed = run("speech", "transcribe", str(out), code=1)
    assert "model.bin" in failed.stderr
