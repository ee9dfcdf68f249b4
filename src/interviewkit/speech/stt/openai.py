"""Any OpenAI-compatible transcription API (OpenAI, a local whisper.cpp or vLLM server).

Used only when configured (``stt_engine=openai``): audio then leaves the machine. The turn
is sent as an in-memory 16-bit WAV with ``verbose_json`` and word timestamps, the format
whose words carry start and end times. The SDK's own retries are off: a voice turn that
waits for retries is worse than a turn reported as failed.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from interviewkit.speech.audio import to_pcm16, wav_bytes
from interviewkit.speech.ports import SAMPLE_RATE, EngineUnavailable, Samples, Transcript, Word


class OpenAISTT:
    """Speech to text through ``audio.transcriptions.create`` of the official SDK."""

    name = "openai"

    def __init__(
        self, *, model: str, api_key: str, base_url: str | None, timeout: float = 30.0
    ) -> None:
        try:
            import openai
        except ImportError as exc:  # pragma: no cover - a dependency of the project
            raise EngineUnavailable("the openai package is not installed") from exc
        self.model = model
        self._errors: tuple[type[BaseException], ...] = (openai.OpenAIError,)
        self._client: Any = openai.OpenAI(
            api_key=api_key, base_url=base_url, max_retries=0, timeout=timeout
        )

    def transcribe(self, audio: Samples, *, prompt: str | None = None) -> Transcript:
        """The words in ``audio``; raises :class:`EngineUnavailable` when the API fails."""
        samples = np.asarray(audio, dtype=np.float32).reshape(-1)
        duration = len(samples) / SAMPLE_RATE
        if len(samples) == 0:
            return Transcript("", (), 0.0, self.name)
        upload = ("turn.wav", wav_bytes(to_pcm16(samples), SAMPLE_RATE), "audio/wav")
        extra: dict[str, Any] = {"prompt": prompt} if prompt else {}
        try:
            result = self._client.audio.transcriptions.create(
                model=self.model,
                file=upload,
                language="en",
                response_format="verbose_json",
                timestamp_granularities=["word"],
                **extra,
            )
        except self._errors as exc:
            raise EngineUnavailable(f"the transcription API failed: {exc}") from exc
        words = tuple(
            Word(str(w.word).strip(), float(w.start), float(w.end))
            for w in (getattr(result, "words", None) or ())
            if str(w.word).strip()
        )
        text = " ".join(str(result.text).split())
        return Transcript(text, words, duration, self.name)
