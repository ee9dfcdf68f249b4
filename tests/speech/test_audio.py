"""Audio helpers: conversions, resampling, WAV, Opus/OGG, and decoding whatever FFmpeg reads.

Properties over wide inputs (Hypothesis) for what callers compute with: lengths after
resampling, int16 round trips, a tone keeping its pitch; then real files: the recorded
prompts Debian ships, an OGG/Opus and a video container made here with PyAV.
"""

from __future__ import annotations

import io
from pathlib import Path

import av
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from interviewkit.speech.audio import (
    AudioError,
    decode_bytes,
    decode_file,
    encode_ogg_opus,
    read_wav,
    resample,
    to_float,
    to_pcm16,
    wav_bytes,
    write_wav,
)
from interviewkit.speech.ports import SAMPLE_RATE, Pcm16, Samples
from tests.conftest import unavailable
from tests.speech.corpus import sample_clips

RATES = st.sampled_from([8_000, 11_025, 16_000, 22_050, 24_000, 44_100, 48_000])
PCM = arrays(np.int16, st.integers(0, 3000))
FLOATS = arrays(
    np.float32, st.integers(0, 3000), elements=st.floats(-1, 1, width=32, allow_nan=False)
)


def tone(freq: float, seconds: float, rate: int, amplitude: float = 0.5) -> Samples:
    t = np.arange(int(seconds * rate)) / rate
    return (np.sin(2 * np.pi * freq * t) * amplitude).astype(np.float32)


def peak_frequency(audio: Samples, rate: int) -> float:
    spectrum = np.abs(np.fft.rfft(audio * np.hanning(len(audio))))
    return float(np.fft.rfftfreq(len(audio), 1 / rate)[np.argmax(spectrum)])


@given(PCM)
def test_int16_survives_a_round_trip_through_float(pcm: Pcm16) -> None:
    samples = to_float(pcm)
    assert samples.dtype == np.float32
    assert np.all(np.abs(samples) <= 1.0)
    assert np.array_equal(to_pcm16(samples), pcm)


@given(FLOATS)
def test_to_pcm16_clips_instead_of_wrapping(samples: Samples) -> None:
    loud = to_pcm16(samples * 4)  # way past full scale
    assert loud.dtype == np.int16
    assert np.all(np.sign(loud) * np.sign(samples) >= 0)  # no sign flip from overflow


@settings(max_examples=40, deadline=None)
@given(PCM, RATES, RATES)
def test_resample_pcm16_keeps_kind_and_exact_length(pcm: Pcm16, src: int, dst: int) -> None:
    out = resample(pcm, src, dst)
    assert out.dtype == np.int16
    assert len(out) == round(len(pcm) * dst / src)


@settings(max_examples=40, deadline=None)
@given(FLOATS, RATES, RATES)
def test_resample_float_keeps_kind_and_exact_length(audio: Samples, src: int, dst: int) -> None:
    out = resample(audio, src, dst)
    assert out.dtype == np.float32
    assert len(out) == round(len(audio) * dst / src)


@settings(max_examples=20, deadline=None)
@given(st.floats(200, 3000), RATES, RATES)
def test_resample_keeps_the_pitch(freq: float, src: int, dst: int) -> None:
    if freq >= 0.45 * min(src, dst):
        return  # above what the slower rate can carry
    out = resample(tone(freq, 0.5, src), src, dst)
    assert peak_frequency(out, dst) == pytest.approx(freq, abs=8)


def test_resample_refuses_nonsense_rates() -> None:
    with pytest.raises(ValueError, match="positive"):
        resample(np.zeros(10, dtype=np.float32), 0, 16_000)


@given(PCM, RATES)
@settings(max_examples=25, deadline=None)
def test_wav_round_trip(pcm: Pcm16, rate: int) -> None:
    buffer = io.BytesIO()
    write_wav(buffer, pcm, rate)
    assert buffer.getvalue() == wav_bytes(pcm, rate)
    buffer.seek(0)
    back, back_rate = read_wav(buffer)
    assert back_rate == rate
    assert np.array_equal(back, pcm)


@pytest.mark.parametrize("rate", [16_000, 22_050, 48_000])
def test_opus_ogg_keeps_duration_and_pitch(rate: int) -> None:
    audio = tone(440, 1.5, rate)
    data = encode_ogg_opus(to_pcm16(audio), rate)
    assert data[:4] == b"OggS"
    assert len(data) < 1.5 * 24_000 / 8 * 1.5  # about 24 kbit/s, not raw PCM
    decoded = decode_bytes(data)
    assert len(decoded) / SAMPLE_RATE == pytest.approx(1.5, abs=0.08)
    assert peak_frequency(decoded, SAMPLE_RATE) == pytest.approx(440, abs=5)


def test_opus_of_nothing_is_refused() -> None:
    with pytest.raises(ValueError, match="no audio"):
        encode_ogg_opus(np.zeros(0, dtype=np.int16), 16_000)


def test_decodes_a_recorded_telephone_prompt() -> None:
    clips = sample_clips(1)
    if not clips:
        unavailable("asterisk-core-sounds-en-wav", "apt-get install asterisk-core-sounds-en-wav")
    pcm, rate = read_wav(clips[0].path)
    assert rate == 8_000
    decoded = decode_file(clips[0].path)
    assert decoded.dtype == np.float32
    assert len(decoded) == pytest.approx(2 * len(pcm), abs=2)  # 8 kHz -> 16 kHz


def test_decodes_the_audio_track_of_a_video(tmp_path: Path) -> None:
    path = tmp_path / "clip.mkv"
    with av.open(str(path), "w") as container:
        video = container.add_stream("mpeg4", rate=10)
        video.width, video.height = 64, 48
        audio = container.add_stream("pcm_s16le", rate=44_100)
        audio.layout = "stereo"
        for index in range(10):
            frame = av.VideoFrame.from_ndarray(np.zeros((48, 64, 3), np.uint8), format="rgb24")
            frame.pts = index
            for packet in video.encode(frame):
                container.mux(packet)
        samples = to_pcm16(tone(1000, 1.0, 44_100))
        sound = av.AudioFrame.from_ndarray(
            np.stack([samples, samples]).T.reshape(1, -1).copy(), format="s16", layout="stereo"
        )
        sound.sample_rate = 44_100
        for packet in [*audio.encode(sound), *audio.encode(None), *video.encode(None)]:
            container.mux(packet)
    decoded = decode_file(path)
    assert len(decoded) / SAMPLE_RATE == pytest.approx(1.0, abs=0.05)
    assert peak_frequency(decoded, SAMPLE_RATE) == pytest.approx(1000, abs=5)


def test_missing_and_undecodable_files_say_so(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        decode_file(tmp_path / "nope.wav")
    text = tmp_path / "notes.wav"
    text.write_text("not audio at all")
    with pytest.raises(AudioError, match="not audio"):
        decode_file(text)
    with pytest.raises(AudioError):
        decode_bytes(b"\x00" * 100)
