"""espeak-ng through ctypes: the instant fallback text to speech (robotic, ~1 ms a clause).

The library and its data come from the ``espeakng-loader`` wheel (espeak-ng is GPL-3.0),
so no system package is needed. espeak-ng keeps one global synthesizer per process and is
not reentrant: it is initialized once, in ``AUDIO_OUTPUT_SYNCHRONOUS`` mode (``espeak_Synth``
returns when the text is spoken, having handed every block of samples to the callback),
and every synthesis holds :data:`_LOCK`. See speak_lib.h.
"""

from __future__ import annotations

import ctypes
import threading
from collections.abc import Iterator
from typing import Any

import numpy as np

from interviewkit.speech.ports import EngineUnavailable, Pcm16
from interviewkit.speech.text import split_clauses

AUDIO_OUTPUT_SYNCHRONOUS = 2
POS_CHARACTER = 1
ESPEAK_CHARS_UTF8 = 1
EE_OK = 0
VOICE = "en-us"

_CALLBACK = ctypes.CFUNCTYPE(
    ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p
)
_LOCK = threading.Lock()
_library: Any = None
_rate = 0
_collected: list[Pcm16] = []


def _on_samples(wav: Any, count: int, _events: Any) -> int:
    """espeak-ng's synth callback: keep a copy of each block (its buffer is reused)."""
    if count > 0 and wav:
        _collected.append(np.ctypeslib.as_array(wav, shape=(count,)).astype(np.int16))
    return 0  # 0 = carry on


_callback = _CALLBACK(_on_samples)  # module-level: the C library keeps the pointer


def _load() -> tuple[Any, int]:
    """The initialized library and its sample rate (initializing it on first use)."""
    global _library, _rate
    if _library is not None:
        return _library, _rate
    try:
        import espeakng_loader  # type: ignore[import-untyped]

        library: Any = ctypes.CDLL(espeakng_loader.get_library_path())
        data = str(espeakng_loader.get_data_path()).encode()
    except (ImportError, OSError, RuntimeError) as exc:
        raise EngineUnavailable(
            f"espeak-ng is not available (pip install espeakng-loader): {exc}"
        ) from exc
    library.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
    library.espeak_Initialize.restype = ctypes.c_int
    library.espeak_SetSynthCallback.argtypes = [_CALLBACK]
    library.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
    library.espeak_Synth.argtypes = [
        ctypes.c_void_p, ctypes.c_size_t, ctypes.c_uint, ctypes.c_int,
        ctypes.c_uint, ctypes.c_uint, ctypes.c_void_p, ctypes.c_void_p,
    ]  # fmt: skip
    rate = library.espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 0, data, 0)
    if rate <= 0:
        raise EngineUnavailable("espeak-ng failed to initialize (its data directory?)")
    library.espeak_SetSynthCallback(_callback)
    if library.espeak_SetVoiceByName(VOICE.encode()) != EE_OK:
        raise EngineUnavailable(f"espeak-ng has no voice {VOICE!r}")
    _library, _rate = library, rate
    return library, rate


class EspeakTTS:
    """Text to speech with espeak-ng's ``en-us`` voice, one chunk per clause."""

    name = "espeak"

    def __init__(self) -> None:
        with _LOCK:
            _, self.sample_rate = _load()

    def synthesize(self, text: str) -> Iterator[Pcm16]:
        """The speech of ``text``, a clause at a time (the lock is not held between them)."""
        for clause in split_clauses(text):
            audio = self._clause(clause)
            if len(audio):
                yield audio

    def _clause(self, clause: str) -> Pcm16:
        encoded = clause.encode() + b"\0"
        with _LOCK:
            library, _ = _load()
            _collected.clear()
            status = library.espeak_Synth(
                encoded, len(encoded), 0, POS_CHARACTER, 0, ESPEAK_CHARS_UTF8, None, None
            )
            blocks = list(_collected)
            _collected.clear()
        if status != EE_OK:
            raise EngineUnavailable(f"espeak-ng failed to speak (error {status})")
        if not blocks:
            return np.zeros(0, dtype=np.int16)
        return np.concatenate(blocks).astype(np.int16)
