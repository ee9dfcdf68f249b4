"""Probing, converting and extracting audio, on real encoded clips and real broken files."""

from __future__ import annotations

import struct
import wave
from pathlib import Path

import av
import numpy as np
import pytest

from interviewkit.speech.audio import read_wav
from interviewkit.video.media import MediaError, convert_to_mp4, extract_audio, probe
from interviewkit.video.results import ProbeResult
from tests.conftest import unavailable
from tests.video.clips import (
    ClipSpec,
    GroundTruth,
    Segment,
    Utterance,
    recorded,
    soundtrack,
    write_fake_capture,
)
from tests.video.conftest import ClipFactory

MP4_SPEC = ClipSpec(
    script=(Segment("present", 3.0),), container="mp4", width=320, height=240, fps=10
)
SILENT_SPEC = ClipSpec(script=(Segment("present", 2.0),), audio=False, width=320, height=240)
ODD_SPEC = ClipSpec(script=(Segment("present", 2.0),), width=321, height=241, fps=10)


def top_level_atoms(path: Path) -> list[str]:
    """The MP4's top-level boxes in file order (size + type headers, 64-bit sizes too)."""
    atoms: list[str] = []
    data = path.read_bytes()
    offset = 0
    while offset + 8 <= len(data):
        size, kind = struct.unpack(">I4s", data[offset : offset + 8])
        if size == 1:
            size = struct.unpack(">Q", data[offset + 8 : offset + 16])[0]
        atoms.append(kind.decode("latin-1"))
        if size < 8:
            break
        offset += size
    return atoms


def test_probe_measures_a_mediarecorder_webm_without_a_duration_header(
    short_clip: GroundTruth,
) -> None:
    with av.open(str(short_clip.path)) as container:
        assert container.duration is None  # as MediaRecorder writes it: nothing to trust
    info = probe(short_clip.path)
    assert info.container.startswith("matroska")
    assert (info.video_codec, info.audio_codec) == ("vp8", "opus")
    assert (info.width, info.height) == (640, 480)
    assert info.fps == pytest.approx(15, abs=0.5)
    assert info.audio_rate == 48_000
    assert info.duration_s == pytest.approx(short_clip.duration_s, abs=0.1)
    assert info.size_bytes == short_clip.path.stat().st_size


def test_probe_reads_mp4_and_a_video_without_audio(clip_factory: ClipFactory) -> None:
    mp4 = probe(clip_factory(MP4_SPEC).path)
    assert (mp4.video_codec, mp4.audio_codec) == ("h264", "aac")
    assert mp4.duration_s == pytest.approx(3.0, abs=0.1)
    silent = probe(clip_factory(SILENT_SPEC).path)
    assert silent.video_codec == "vp8"
    assert silent.audio_codec is None
    assert silent.audio_rate is None
    assert silent.duration_s == pytest.approx(2.0, abs=0.15)


@pytest.mark.parametrize("content", [b"", b"this is not a video\n" * 50, bytes(range(256)) * 40])
def test_probe_refuses_what_is_not_media(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "answer.webm"
    path.write_bytes(content)
    with pytest.raises(MediaError):
        probe(path)


def test_probe_refuses_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(MediaError):
        probe(tmp_path / "nothing.webm")


@pytest.mark.parametrize("keep", [0.1, 0.4])
def test_probe_refuses_a_truncated_upload(
    clip_factory: ClipFactory, tmp_path: Path, keep: float
) -> None:
    """An upload cut short keeps a header; its packets end early (or it does not open)."""
    source = clip_factory(MP4_SPEC).path
    data = source.read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: int(len(data) * keep)])
    with pytest.raises(MediaError):
        probe(cut)


def test_convert_transcodes_webm_to_a_faststart_h264_mp4(
    short_clip: GroundTruth, tmp_path: Path
) -> None:
    seen: list[float] = []
    target = tmp_path / "answer.mp4"
    copied = convert_to_mp4(
        short_clip.path,
        target,
        probe(short_clip.path),
        preset="ultrafast",
        threads=2,
        progress=seen.append,
    )
    assert copied is False
    out = probe(target)
    assert (out.video_codec, out.audio_codec) == ("h264", "aac")
    assert (out.width, out.height) == (640, 480)
    assert out.duration_s == pytest.approx(short_clip.duration_s, abs=0.15)
    atoms = top_level_atoms(target)
    assert atoms.index("moov") < atoms.index("mdat"), atoms
    assert seen
    assert seen[-1] == 1.0
    assert seen == sorted(seen)
    assert all(0.0 <= f <= 1.0 for f in seen)
    assert not list(tmp_path.glob(".*partial"))


def test_convert_copies_streams_that_are_already_h264_and_aac(
    clip_factory: ClipFactory, tmp_path: Path
) -> None:
    clip = clip_factory(MP4_SPEC)
    target = tmp_path / "answer.mp4"
    assert convert_to_mp4(clip.path, target, probe(clip.path), preset="veryfast", threads=1)
    out = probe(target)
    assert (out.video_codec, out.audio_codec) == ("h264", "aac")
    assert out.duration_s == pytest.approx(3.0, abs=0.1)
    atoms = top_level_atoms(target)
    assert atoms.index("moov") < atoms.index("mdat")


def test_convert_makes_odd_dimensions_even(clip_factory: ClipFactory, tmp_path: Path) -> None:
    """yuv420p H.264 cannot have odd sizes; MediaRecorder can produce them."""
    clip = clip_factory(ODD_SPEC)
    assert (probe(clip.path).width, probe(clip.path).height) == (321, 241)
    target = tmp_path / "odd.mp4"
    convert_to_mp4(clip.path, target, probe(clip.path), preset="ultrafast", threads=1)
    out = probe(target)
    assert (out.width, out.height) == (320, 240)


def test_convert_refuses_garbage_and_leaves_no_output(tmp_path: Path) -> None:
    garbage = tmp_path / "answer.webm"
    garbage.write_bytes(b"not a video" * 100)
    fake = ProbeResult(duration_s=1.0, size_bytes=garbage.stat().st_size, container="webm")
    target = tmp_path / "answer.mp4"
    with pytest.raises(MediaError):
        convert_to_mp4(garbage, target, fake, preset="ultrafast", threads=1)
    assert not target.exists()


def test_extract_audio_gives_16k_mono_with_the_speech_where_it_was_said(
    short_clip: GroundTruth, tmp_path: Path
) -> None:
    wav = tmp_path / "audio.wav"
    seconds = extract_audio(short_clip.path, wav)
    assert seconds == pytest.approx(short_clip.duration_s, abs=0.1)
    with wave.open(str(wav), "rb") as reader:
        assert (reader.getnchannels(), reader.getsampwidth(), reader.getframerate()) == (
            1,
            2,
            16_000,
        )
    pcm, rate = read_wav(wav)
    samples = pcm.astype(np.float64)

    def rms(start: float, end: float) -> float:
        part = samples[int(start * rate) : int(end * rate)]
        return float(np.sqrt(np.mean(part**2))) if part.size else 0.0

    for spoken in short_clip.speech:
        assert rms(spoken.start + 0.1, spoken.end - 0.1) > 500
    gap = (short_clip.speech[0].end + 0.2, short_clip.speech[1].start - 0.2)
    assert rms(*gap) < 50


def test_extract_audio_of_a_silent_video_is_none(clip_factory: ClipFactory, tmp_path: Path) -> None:
    wav = tmp_path / "audio.wav"
    assert extract_audio(clip_factory(SILENT_SPEC).path, wav) is None
    assert not wav.exists()


def test_spoken_spans_of_the_clip_builder_follow_the_script() -> None:
    """The ground truth the other tests lean on: utterances start where the spec says."""
    spec = ClipSpec(speech=(Utterance("Hello there.", 1.0),), width=320, height=240)
    track, spans = soundtrack(spec)
    assert spans[0].start == pytest.approx(1.0, abs=1e-3)
    assert spans[0].end > spans[0].start + 0.3
    assert not track[: int(0.99 * 48_000)].any()


def test_fake_capture_files_are_what_chromium_reads(tmp_path: Path) -> None:
    """--use-file-for-fake-video-capture takes a 4:2:0 y4m, the audio flag a 16-bit WAV."""
    spec = ClipSpec(
        script=(Segment("present", 1.0), Segment("absent", 1.0)),
        speech=(Utterance("Hello.", 0.2),),
        width=320,
        height=240,
        fps=10,
    )
    y4m, wav = write_fake_capture(spec, tmp_path)
    header = y4m.read_bytes()[:80].split(b"\n", 1)[0].decode()
    fields = header.split()
    assert fields[0] == "YUV4MPEG2"
    assert {"W320", "H240", "F10:1"} <= set(fields)
    assert any(f.startswith("C420") for f in fields)
    frame_bytes = len(b"FRAME\n") + 320 * 240 * 3 // 2
    assert (y4m.stat().st_size - len(header) - 1) == 20 * frame_bytes
    with wave.open(str(wav), "rb") as reader:
        assert (reader.getnchannels(), reader.getsampwidth()) == (1, 2)
        assert reader.getnframes() / reader.getframerate() == pytest.approx(2.0, abs=0.01)


def test_a_real_recording_is_muxed_where_the_script_puts_it(
    clip_factory: ClipFactory, tmp_path: Path
) -> None:
    try:
        spoken = recorded("all-circuits-busy-now", 1.0)
    except FileNotFoundError as exc:
        unavailable("asterisk-core-sounds-en-wav", str(exc))
        return
    assert spoken.text == "All circuits are busy now."
    clip = clip_factory(
        ClipSpec(script=(Segment("present", 3.5),), speech=(spoken,), width=320, height=240)
    )
    wav = tmp_path / "audio.wav"
    extract_audio(clip.path, wav)
    pcm, rate = read_wav(wav)
    span = clip.speech[0]
    assert span.start == pytest.approx(1.0, abs=1e-3)
    inside = pcm[int((span.start + 0.1) * rate) : int((span.end - 0.1) * rate)]
    before = pcm[: int(0.9 * rate)]
    assert np.abs(inside.astype(np.int32)).max() > 1000
    assert np.abs(before.astype(np.int32)).max() < 100
