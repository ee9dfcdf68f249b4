"""Any OpenAI-compatible speech API (``audio.speech``): used only when configured.

The reply is requested as raw PCM (16-bit mono at 24 kHz, the API's ``pcm`` format) and
streamed: chunks are yielded as the bytes arrive, so the first audio does not wait for
the whole reply. Retries are off, as for transcription.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from interviewkit.speech.ports import EngineUnavailable, Pcm16

PCM_RATE = 24_000
"""The rate of the API's ``pcm`` response format."""

CHUNK_BYTES = 9_600
"""200 ms of 24 kHz 16-bit audio per yielded chunk."""


class OpenAITTS:
    """Text to speech through ``audio.speech.create`` of the official SDK."""

    name = "openai"
    sample_rate = PCM_RATE

    def __init__(
        self, *, model: str, voice: str, api_key: str, base_url: str | None, timeout: float = 30.0
    ) -> None:
        import openai

        self.model = model
        self.voice = voice
        self._errors: tuple[type[BaseException], ...] = (openai.OpenAIError,)
        self._client: Any = openai.OpenAI(
            api_key=api_key, base_url=base_url, max_retries=0, timeout=timeout
        )

    def synthesize(self, text: str) -> Iterator[Pcm16]:
        """The speech of ``text`` as it streams in; :class:`EngineUnavailable` if the API fails."""
        if not text.strip():
            return
        speech = self._client.audio.speech.with_streaming_response
        carry = b""
        try:
            with speech.create(
                model=self.model, voice=self.voice, input=text, response_format="pcm"
            ) as response:
                for data in response.iter_bytes(CHUNK_BYTES):
                    data = carry + data
                    whole = len(data) - len(data) % 2
                    carry = data[whole:]
                    if whole:
                        yield np.frombuffer(data[:whole], dtype="<i2").astype(np.int16)
        except self._errors as exc:
            raise EngineUnavailable(f"the speech API failed: {exc}") from exc
