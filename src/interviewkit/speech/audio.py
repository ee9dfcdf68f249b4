"""Audio in and out of the speech ports: decode anything, resample, convert, encode Opus.

Everything goes through PyAV (FFmpeg's libraries, bundled in its wheel): one decoder for
every container and codec an operator may hand ``interviewkit speech transcribe`` (WAV, MP3,
OGG, WebM, MP4 video...), libswresample for rate conversion, and libopus for the per-turn
recordings. The speech ports take float32 mono at 16 kHz (:data:`SAMPLE_RATE`); the live
channel and TTS engines speak int16: :func:`to_float` and :func:`to_pcm16` cross between.
"""

from __future__ import annotations

import io
import wave
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TypeVar, cast

import av
import av.error
import numpy as np
import numpy.typing as npt

from interviewkit.speech.ports import SAMPLE_RATE, Pcm16, Samples

OPUS_RATES = (8_000, 12_000, 16_000, 24_000, 48_000)
"""Rates libopus encodes directly; anything else is resampled to 48 kHz first."""

_SHORT = 256
"""Below this many samples libswresample's filter delay swallows everything: interpolate."""

Audio = TypeVar("Audio", Samples, Pcm16)
AnyArray = npt.NDArray[Any]


class AudioError(ValueError):
    """The bytes or file are not audio PyAV can decode (or hold no audio stream)."""


def to_float(pcm: Pcm16) -> Samples:
    """int16 -> float32 in [-1, 1)."""
    return (np.asarray(pcm, dtype=np.int16).astype(np.float32) / 32768.0).astype(np.float32)


def to_pcm16(samples: Samples) -> Pcm16:
    """float32 -> int16 on the same scale as :func:`to_float` (so int16 -> float -> int16 is
    exact), clipped: a loud synthesized peak must not wrap around to the other sign."""
    scaled = np.round(np.asarray(samples, dtype=np.float64) * 32768.0)
    return cast(Pcm16, np.clip(scaled, -32768, 32767).astype(np.int16))


def resample(pcm: Audio, rate_from: int, rate_to: int) -> Audio:
    """``pcm`` at ``rate_to``, of the same dtype, exactly ``round(len * rate_to / rate_from)``
    samples long (so callers can compute durations and offsets without surprises)."""
    if rate_from <= 0 or rate_to <= 0:
        raise ValueError("sample rates must be positive")
    source = np.asarray(pcm).reshape(-1)
    length = round(len(source) * rate_to / rate_from)
    if rate_from == rate_to:
        return cast(Audio, source.copy())
    if len(source) < _SHORT:
        return cast(Audio, _interpolate(source, length))
    out = _swresample(source, rate_from, rate_to)
    if len(out) >= length:
        return cast(Audio, out[:length])
    return cast(Audio, np.concatenate([out, np.zeros(length - len(out), dtype=out.dtype)]))


def _interpolate(source: AnyArray, length: int) -> AnyArray:
    if length == 0 or len(source) == 0:
        return np.zeros(length, dtype=source.dtype)
    positions = np.linspace(0, len(source) - 1, num=length)
    values = np.interp(positions, np.arange(len(source)), source.astype(np.float64))
    if source.dtype == np.int16:
        return np.round(values).astype(np.int16)
    return values.astype(np.float32)


def _swresample(source: AnyArray, rate_from: int, rate_to: int) -> AnyArray:
    fmt = "s16" if source.dtype == np.int16 else "flt"
    data: npt.NDArray[np.int16] | npt.NDArray[np.float32]
    data = source.astype(np.int16) if fmt == "s16" else source.astype(np.float32)
    resampler = av.AudioResampler(format=fmt, layout="mono", rate=rate_to)
    frame = av.AudioFrame.from_ndarray(data.reshape(1, -1), format=fmt, layout="mono")
    frame.sample_rate = rate_from
    frames = resampler.resample(frame) + resampler.resample(None)
    if not frames:
        return np.zeros(0, dtype=data.dtype)
    return np.concatenate([f.to_ndarray().reshape(-1) for f in frames]).astype(data.dtype)


# ---- decoding -----------------------------------------------------------------------------


def decode_file(path: Path | str) -> Samples:
    """Any audio or video file FFmpeg reads, as float32 mono at 16 kHz (its first audio
    stream). Raises FileNotFoundError, or :class:`AudioError` for anything undecodable."""
    location = Path(path)
    if not location.is_file():
        raise FileNotFoundError(f"no such file: {location}")
    return _decode(str(location), str(location))


def decode_bytes(data: bytes) -> Samples:
    """Like :func:`decode_file`, for a file's bytes (an upload, an OGG from the store)."""
    return _decode(io.BytesIO(data), "the audio bytes")


def _decode(source: str | io.BytesIO, label: str) -> Samples:
    try:
        with av.open(source, mode="r") as container:
            if not container.streams.audio:
                raise AudioError(f"{label} has no audio stream")
            stream = container.streams.audio[0]
            resampler = av.AudioResampler(format="flt", layout="mono", rate=SAMPLE_RATE)
            parts = [_frames_to_array(resampler.resample(f)) for f in container.decode(stream)]
            parts.append(_frames_to_array(resampler.resample(None)))
    except (av.error.FFmpegError, UnicodeDecodeError) as exc:
        raise AudioError(f"{label} is not audio FFmpeg can decode: {exc}") from None
    return cast(Samples, np.concatenate(parts).astype(np.float32))


def _frames_to_array(frames: list[av.AudioFrame]) -> Samples:
    if not frames:
        return np.zeros(0, dtype=np.float32)
    return np.concatenate([f.to_ndarray().reshape(-1) for f in frames]).astype(np.float32)


# ---- WAV ----------------------------------------------------------------------------------


def read_wav(source: Path | str | io.BytesIO) -> tuple[Pcm16, int]:
    """A 16-bit PCM WAV file (a path or its bytes in a buffer) as (mono int16, rate);
    several channels are averaged."""
    with wave.open(source if isinstance(source, io.BytesIO) else str(source), "rb") as wav:
        if wav.getsampwidth() != 2:
            raise AudioError(f"{source}: only 16-bit PCM WAV is read here (use decode_file)")
        channels, rate = wav.getnchannels(), wav.getframerate()
        data = np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2")
    if channels > 1:
        data = data.reshape(-1, channels).mean(axis=1).round().astype(np.int16)
    return cast(Pcm16, data.astype(np.int16)), rate


def write_wav(target: Path | str | io.BytesIO, pcm: Pcm16, rate: int) -> None:
    """Mono 16-bit PCM WAV to a path or an in-memory buffer."""
    destination = target if isinstance(target, io.BytesIO) else str(target)
    with wave.open(destination, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(np.asarray(pcm, dtype="<i2").tobytes())


def wav_bytes(pcm: Pcm16, rate: int) -> bytes:
    """The bytes of a mono 16-bit WAV file (what speech APIs accept as an upload)."""
    buffer = io.BytesIO()
    write_wav(buffer, pcm, rate)
    return buffer.getvalue()


# ---- Opus / OGG ---------------------------------------------------------------------------


def encode_ogg_opus(pcm: Pcm16, rate: int, *, bitrate: int = 24_000) -> bytes:
    """Mono int16 audio as an Opus stream in an OGG file (what browsers play, ~3 KB/s).

    24 kbit/s is transparent for one voice; rates libopus does not take are resampled
    to 48 kHz first.
    """
    data = np.asarray(pcm, dtype=np.int16).reshape(-1)
    if len(data) == 0:
        raise ValueError("no audio to encode (an OGG without packets is not a playable file)")
    if rate not in OPUS_RATES:
        data, rate = resample(data, rate, 48_000), 48_000
    buffer = io.BytesIO()
    with av.open(buffer, mode="w", format="ogg") as container:
        stream = container.add_stream("libopus", rate=rate)
        stream.layout = "mono"
        stream.bit_rate = bitrate
        for packet in _encode(stream, data, rate):
            container.mux(packet)
    return buffer.getvalue()


def _encode(stream: av.AudioStream, data: Pcm16, rate: int) -> Iterator[av.Packet[Any]]:
    frame = av.AudioFrame.from_ndarray(data.reshape(1, -1), format="s16", layout="mono")
    frame.sample_rate = rate
    yield from stream.encode(frame)
    yield from stream.encode(None)
