"""What an uploaded answer is, a playable copy of it, and its audio for speech-to-text.

Two tools, each where it is best:

- **PyAV** (FFmpeg's libraries in its wheel) probes: it opens the file in-process, so a
  probe costs milliseconds and a bad upload is an exception we can map to
  :class:`MediaError`, not a subprocess exit code to parse. WebM written by the browser's
  MediaRecorder usually has *no duration in its header* (it is written while recording, the
  length is unknown until the end); then we demux the packets (no decoding) and take the
  last timestamp, which is what a player shows once it has read the file.
- **ffmpeg** (``imageio_ffmpeg.get_ffmpeg_exe()``, a static build with libx264) converts:
  a subprocess uses its own cores, reports progress on ``-progress pipe:1``, and can be
  given ``-threads``. The output is MP4 H.264 (yuv420p, even dimensions: what every
  browser and phone plays) + AAC with ``+faststart`` (the index first, so playback starts
  before the whole file is downloaded). When the upload already is H.264/AAC the streams
  are copied (``-c copy``): seconds of CPU saved, no quality lost.
"""

from __future__ import annotations

import subprocess
import tempfile
import wave
from collections.abc import Callable
from pathlib import Path

import av
import av.error
import imageio_ffmpeg  # type: ignore[import-untyped]

from interviewkit.video.results import ProbeResult

COPYABLE_VIDEO = frozenset({"h264"})
COPYABLE_AUDIO = frozenset({"aac"})
"""Codecs an MP4 for the browser may carry as they are (everything else is transcoded)."""

AUDIO_RATE = 16_000
"""Speech-to-text takes 16 kHz mono (interviewkit.speech.ports.SAMPLE_RATE)."""

_STDERR_TAIL = 2_000


class MediaError(Exception):
    """The file is not a readable media file (garbage, truncated, no streams): permanent,
    retrying the same bytes gives the same answer."""


def ffmpeg_exe() -> str:
    """The bundled ffmpeg binary (no system ffmpeg needed)."""
    return str(imageio_ffmpeg.get_ffmpeg_exe())


def probe(path: Path) -> ProbeResult:
    """Read the container and its first video and audio streams.

    Raises :class:`MediaError` when the file cannot be opened, has neither a video nor an
    audio stream, or has no measurable duration (nothing decodable in it).
    """
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise MediaError(f"cannot read {path.name}: {exc.strerror}") from exc
    try:
        with av.open(str(path), mode="r") as container:
            video = container.streams.video[0] if container.streams.video else None
            audio = container.streams.audio[0] if container.streams.audio else None
            if video is None and audio is None:
                raise MediaError("no audio or video stream")
            declared = _header_duration(container)
            measured = _demuxed_duration(container)
            if declared is not None and measured < declared - max(0.5, 0.02 * declared):
                raise MediaError(
                    f"truncated: the packets end at {measured:.1f} s "
                    f"of the {declared:.1f} s the header declares"
                )
            duration = declared if declared is not None else measured
            fps = None
            if video is not None:
                rate = video.average_rate or video.guessed_rate or video.base_rate
                fps = round(float(rate), 3) if rate else None
            return ProbeResult(
                duration_s=round(duration, 3),
                size_bytes=size,
                container=container.format.name,
                video_codec=video.codec_context.name if video is not None else None,
                audio_codec=audio.codec_context.name if audio is not None else None,
                width=video.codec_context.width or None if video is not None else None,
                height=video.codec_context.height or None if video is not None else None,
                fps=fps,
                audio_rate=audio.codec_context.sample_rate or None if audio is not None else None,
            )
    except MediaError:
        raise
    except (av.error.FFmpegError, OSError, ValueError, IndexError) as exc:
        raise MediaError(f"not a readable media file: {exc}") from exc


def _header_duration(container: av.container.InputContainer) -> float | None:
    """The duration the container or its streams declare, if any (> 0)."""
    if container.duration is not None and container.duration > 0:
        return container.duration / av.time_base
    best: float | None = None
    for stream in container.streams:
        if stream.duration and stream.time_base:
            seconds = float(stream.duration * stream.time_base)
            best = seconds if best is None else max(best, seconds)
    return best if best and best > 0 else None


def _demuxed_duration(container: av.container.InputContainer) -> float:
    """The span of the packets' timestamps: the real length of a header-less WebM, and
    for every file the check that the packets really reach the declared end (an upload cut
    short keeps its header's duration).

    Demuxing reads the file without decoding, so even a long answer costs a fraction of a
    second. A demuxer error part-way counts as the end of the packets. Raises
    :class:`MediaError` when no packet has a timestamp.
    """
    first: float | None = None
    last: float | None = None
    streams = [*container.streams.video[:1], *container.streams.audio[:1]]
    try:
        for packet in container.demux(streams):
            if packet.pts is None or packet.time_base is None:
                continue
            start = float(packet.pts * packet.time_base)
            end = start + float((packet.duration or 0) * packet.time_base)
            first = start if first is None else min(first, start)
            last = end if last is None else max(last, end)
    except av.error.FFmpegError:
        pass
    if first is None or last is None or last <= first:
        raise MediaError("no decodable packets (empty or truncated file)")
    return last - first


def is_copyable(info: ProbeResult) -> bool:
    """Whether the streams can go into the MP4 as they are."""
    return info.video_codec in COPYABLE_VIDEO and (
        info.audio_codec is None or info.audio_codec in COPYABLE_AUDIO
    )


def convert_to_mp4(
    src: Path,
    dst: Path,
    probe: ProbeResult,
    *,
    preset: str,
    threads: int,
    progress: Callable[[float], None] | None = None,
) -> bool:
    """Write a browser-playable MP4 of ``src`` to ``dst``; True when the streams were copied.

    The output is written beside ``dst`` and renamed into place, so ``dst`` is either
    absent or complete (a crash mid-conversion never leaves half a video for a retry to
    mistake for a finished step). ``progress`` gets the fraction of the duration written.
    """
    copy = is_copyable(probe)
    codec_args: list[str]
    if copy:
        codec_args = ["-c", "copy"]
    else:
        codec_args = [
            "-c:v",
            "libx264",
            "-preset",
            preset,
            "-pix_fmt",
            "yuv420p",
            # H.264 in yuv420p needs even dimensions; MediaRecorder may produce odd ones.
            "-vf",
            "scale=trunc(iw/2)*2:trunc(ih/2)*2",
            "-c:a",
            "aac",
            "-b:a",
            "128k",
        ]
    dst.parent.mkdir(parents=True, exist_ok=True)
    partial = dst.with_name(f".{dst.name}.partial")
    command = [
        ffmpeg_exe(),
        "-hide_banner",
        "-nostdin",
        "-y",
        "-i",
        str(src),
        "-map",
        "0:v:0?",
        "-map",
        "0:a:0?",
        *codec_args,
        "-threads",
        str(threads),
        "-movflags",
        "+faststart",
        "-progress",
        "pipe:1",
        "-nostats",
        "-f",
        "mp4",
        str(partial),
    ]
    _run_ffmpeg(command, probe.duration_s, progress)
    partial.replace(dst)
    if progress is not None:
        progress(1.0)
    return copy


def extract_audio(src: Path, dst_wav: Path, info: ProbeResult | None = None) -> float | None:
    """The first audio track as a 16 kHz mono 16-bit WAV; its length in seconds.

    None (and no file) when ``src`` has no audio stream: a silent answer is a fact for the
    analysis to report, not an error. ``info``: the file's probe when the caller has it
    (probing reads every packet, so the pipeline passes its stored one).
    """
    info = info or probe(src)
    if info.audio_codec is None:
        return None
    dst_wav.parent.mkdir(parents=True, exist_ok=True)
    partial = dst_wav.with_name(f".{dst_wav.name}.partial")
    command = [
        ffmpeg_exe(),
        "-hide_banner",
        "-nostdin",
        "-y",
        "-i",
        str(src),
        "-map",
        "0:a:0",
        "-vn",
        "-ac",
        "1",
        "-ar",
        str(AUDIO_RATE),
        "-c:a",
        "pcm_s16le",
        "-f",
        "wav",
        str(partial),
    ]
    _run_ffmpeg(command, info.duration_s, None)
    partial.replace(dst_wav)
    with wave.open(str(dst_wav), "rb") as wav:
        return wav.getnframes() / wav.getframerate()


def _run_ffmpeg(
    command: list[str], duration_s: float, progress: Callable[[float], None] | None
) -> None:
    """Run ffmpeg, feeding ``progress`` from its ``-progress`` key=value lines.

    stderr goes to a temporary file (a pipe nobody reads while we read stdout could fill
    and stall ffmpeg); its tail is the message of the :class:`MediaError` on failure.
    """
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=errors, stdin=subprocess.DEVNULL
        )
        assert process.stdout is not None
        for raw in process.stdout:
            if progress is None or duration_s <= 0:
                continue
            key, _, value = raw.decode("ascii", "replace").strip().partition("=")
            if key == "out_time_us" and value.lstrip("-").isdigit():
                fraction = int(value) / (duration_s * 1e6)
                progress(min(max(fraction, 0.0), 1.0))
        code = process.wait()
        if code != 0:
            errors.seek(0)
            tail = errors.read()[-_STDERR_TAIL:].decode("utf-8", "replace").strip()
            raise MediaError(f"ffmpeg failed ({code}): {tail.splitlines()[-1] if tail else ''}")
