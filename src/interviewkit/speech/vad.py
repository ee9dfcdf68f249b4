"""Voice activity: is this 32 ms frame speech? Silero v6 (default) or PocketSphinx's VAD.

Silero v6 is a small LSTM network (MIT licence) whose ONNX file ships inside faster-whisper
(``faster_whisper/assets/silero_vad_v6.onnx``); on onnxruntime with one thread it scores a
512-sample frame in about 0.1 ms and holds up in heavy noise. Streaming it means carrying,
per speaker, the LSTM state (``h``, ``c``: 1x1x128) and the last 64 samples of the previous
frame, which the model reads in front of each new frame (input 1x576), exactly as
faster-whisper's batch ``SileroVADModel`` does between rows. One ONNX session serves every
stream (``run`` is thread-safe); each :class:`SileroStream` owns only its state.

The fallback is PocketSphinx's WebRTC-style VAD, a yes/no per 30 ms frame; its stream
smooths the last :data:`SMOOTHING_FRAMES` answers into a probability so that one clicking
frame does not open a turn and one quiet syllable does not end it.
"""

from __future__ import annotations

from collections import deque
from pathlib import Path
from typing import Any

import numpy as np

from interviewkit.speech.ports import SAMPLE_RATE, EngineUnavailable, Samples

SILERO_FRAME = 512
SILERO_CONTEXT = 64
SMOOTHING_FRAMES = 3


def silero_model_path() -> Path:
    """Silero v6 as faster-whisper ships it."""
    try:
        import faster_whisper  # type: ignore[import-untyped]
    except ImportError as exc:
        raise EngineUnavailable("faster-whisper (which ships Silero VAD) is not installed") from exc
    path = Path(faster_whisper.__file__).parent / "assets" / "silero_vad_v6.onnx"
    if not path.is_file():
        raise EngineUnavailable(f"Silero VAD model missing: {path}")
    return path


def _check_frame(frame: Samples, size: int) -> Samples:
    samples = np.asarray(frame, dtype=np.float32).reshape(-1)
    if len(samples) != size:
        raise ValueError(f"a VAD frame is {size} samples, got {len(samples)}")
    return samples


class SileroStream:
    """One speaker's Silero state: the LSTM's h and c, and the previous frame's tail."""

    def __init__(self, session: Any) -> None:
        self._session = session
        self.reset()

    def reset(self) -> None:
        self._h = np.zeros((1, 1, 128), dtype=np.float32)
        self._c = np.zeros((1, 1, 128), dtype=np.float32)
        self._context = np.zeros(SILERO_CONTEXT, dtype=np.float32)

    def probability(self, frame: Samples) -> float:
        samples = _check_frame(frame, SILERO_FRAME)
        model_input = np.concatenate([self._context, samples]).reshape(1, -1)
        output, self._h, self._c = self._session.run(
            None, {"input": model_input, "h": self._h, "c": self._c}
        )
        self._context = samples[-SILERO_CONTEXT:].copy()
        return float(np.asarray(output).reshape(-1)[0])


class SileroVAD:
    """Silero v6 on onnxruntime, one intra-op thread (frames are tiny; threads only cost)."""

    name = "silero"
    frame_samples = SILERO_FRAME

    def __init__(self, model: Path | None = None) -> None:
        try:
            import onnxruntime  # type: ignore[import-untyped]
        except ImportError as exc:
            raise EngineUnavailable("onnxruntime is not installed") from exc
        self.model = model or silero_model_path()
        options = onnxruntime.SessionOptions()
        options.inter_op_num_threads = 1
        options.intra_op_num_threads = 1
        options.enable_cpu_mem_arena = False
        options.log_severity_level = 4
        try:
            self._session = onnxruntime.InferenceSession(
                str(self.model), providers=["CPUExecutionProvider"], sess_options=options
            )
        except Exception as exc:  # onnxruntime raises its own untyped errors
            raise EngineUnavailable(f"cannot load Silero VAD {self.model}: {exc}") from exc

    def stream(self) -> SileroStream:
        return SileroStream(self._session)


class PocketsphinxStream:
    """One speaker's PocketSphinx VAD (it adapts to the noise floor) and its recent answers."""

    def __init__(self, factory: Any, mode: int) -> None:
        self._factory = factory
        self._mode = mode
        self.reset()

    def reset(self) -> None:
        self._vad = self._factory(self._mode, SAMPLE_RATE, 0.03)
        self._recent: deque[bool] = deque(maxlen=SMOOTHING_FRAMES)

    def probability(self, frame: Samples) -> float:
        samples = _check_frame(frame, self._vad.frame_bytes // 2)
        pcm = (np.clip(samples, -1.0, 1.0) * 32767).astype("<i2").tobytes()
        self._recent.append(bool(self._vad.is_speech(pcm)))
        return sum(self._recent) / SMOOTHING_FRAMES


class PocketsphinxVAD:
    """PocketSphinx's VAD: 480-sample (30 ms) frames, a smoothed yes/no as probability."""

    name = "pocketsphinx"

    def __init__(self, mode: int = 3) -> None:
        try:
            from pocketsphinx import Vad  # type: ignore[import-untyped]
        except ImportError as exc:
            raise EngineUnavailable("pocketsphinx is not installed") from exc
        self._factory = Vad
        self._mode = mode
        self.frame_samples = int(Vad(mode, SAMPLE_RATE, 0.03).frame_bytes // 2)

    def stream(self) -> PocketsphinxStream:
        return PocketsphinxStream(self._factory, self._mode)
