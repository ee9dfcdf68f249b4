"""Real test videos with known ground truth: real faces, scripted spans, real speech.

The video analysis is asserted against what a clip *is*, so the clip is built, not found:

- **faces**: two real photographs that ship in our test dependencies, Eileen Collins
  (``skimage.data.astronaut()``) and Grace Hopper (matplotlib's ``grace_hopper.jpg``),
  cut out head-and-shoulders with a soft elliptical mask and composited at 640x480 on a
  real texture (``skimage.data.brick()``), swaying a few pixels as a person does;
- **a script** of segments, each a state held for some seconds: ``present`` (facing the
  camera), ``absent`` (moved out of frame), ``away`` (head turned: the face is mapped on a
  head-sized cylinder rotated by ``away_yaw_deg``, which BlazeFace + face mesh + solvePnP
  read as yaw; the measurement is in tests/video/test_faces.py), ``two`` (a second person
  in frame) and ``dark`` (facing the camera in a badly lit room);
- **speech**: Piper (deterministic, so the same text always gives the same samples) says
  known sentences at known times, or real recorded prompts with their transcripts
  (:func:`recorded`); everything else is digital silence;
- **encoding** with the bundled ffmpeg like a browser's MediaRecorder: WebM (VP8 + Opus)
  written to a pipe, so the header has no duration (the case the probe must handle), or
  MP4 (H.264 + AAC) when asked.

:func:`build_clip` returns the :class:`GroundTruth` (the spans of each state, the speech
spans and text); :func:`write_fake_capture` writes the same content as the ``.y4m`` +
``.wav`` pair Chromium's fake camera and microphone read.
"""

from __future__ import annotations

import gzip
import hashlib
import math
import subprocess
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path
from typing import Literal

import cv2
import numpy as np
import numpy.typing as npt
from matplotlib import cbook
from skimage import data as skdata

from interviewkit.speech.audio import read_wav, resample, write_wav
from interviewkit.video.media import ffmpeg_exe
from interviewkit.video.results import Span

BUILDER_VERSION = 1
"""Bump when the rendering changes, so cached clips are rebuilt."""

Kind = Literal["present", "absent", "away", "two", "dark"]
FaceName = Literal["astronaut", "hopper"]
Image = npt.NDArray[np.uint8]

AUDIO_RATE = 48_000
"""The muxed and fake-microphone audio rate (what browsers record at)."""

DARK_GAIN = 0.22
"""How much light a ``dark`` segment keeps: mean luma falls from ~110 to ~25."""


@dataclass(frozen=True)
class Segment:
    kind: Kind
    seconds: float


@dataclass(frozen=True)
class Utterance:
    """A sentence said starting at ``start`` seconds: by Piper, or, with ``recording``, a
    real recording (a WAV file) whose words are ``text`` (see :func:`recorded`)."""

    text: str
    start: float
    recording: str | None = None


ASTERISK_SOUNDS = Path("/usr/share/asterisk/sounds/en_US_f_Allison")
ASTERISK_TRANSCRIPTS = Path("/usr/share/doc/asterisk-core-sounds-en/core-sounds-en.txt.gz")


def recorded(name: str, start: float) -> Utterance:
    """An utterance of Allison Smith's recorded prompts (Debian's asterisk-core-sounds-en-wav,
    8 kHz telephone speech) with the package's transcript, e.g. ``recorded("auth-thankyou",
    1.0)`` says "Thank you." at 1 s. FileNotFoundError when the package is not installed."""
    path = ASTERISK_SOUNDS / f"{name}.wav"
    if not path.is_file() or not ASTERISK_TRANSCRIPTS.is_file():
        raise FileNotFoundError(f"{path} (apt-get install asterisk-core-sounds-en-wav)")
    with gzip.open(ASTERISK_TRANSCRIPTS, "rt", encoding="utf-8", errors="replace") as lines:
        for line in lines:
            key, colon, text = line.strip().partition(":")
            if colon and key.strip() == name:
                return Utterance(text=" ".join(text.split()), start=start, recording=str(path))
    raise FileNotFoundError(f"no transcript for {name} in {ASTERISK_TRANSCRIPTS}")


@dataclass(frozen=True)
class ClipSpec:
    script: tuple[Segment, ...] = (Segment("present", 8.0),)
    speech: tuple[Utterance, ...] = ()
    face: FaceName = "astronaut"
    container: Literal["webm", "mp4"] = "webm"
    width: int = 640
    height: int = 480
    fps: int = 15
    background: Literal["brick", "plain"] = "brick"
    sway_px: float = 6.0
    away_yaw_deg: float = 60.0
    header_duration: bool = False
    """False: written like MediaRecorder (no duration in the WebM header)."""
    audio: bool = True
    """False: a video without an audio track (a muted microphone)."""
    person_scale: float = 1.3
    """How big the person is (1.3: the face ~130 px tall at 480 lines, a laptop webcam at
    arm's length; 0.7: sitting back, ~70 px)."""
    noise: float = 0.0
    """Standard deviation of the camera's sensor noise added to each frame (0-255 scale;
    a dim room's webcam is 4-8)."""

    @property
    def duration_s(self) -> float:
        return sum(segment.seconds for segment in self.script)

    def key(self) -> str:
        """A stable name for the cache."""
        text = repr((BUILDER_VERSION, asdict(self)))
        return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class SpokenSpan:
    text: str
    start: float
    end: float


@dataclass(frozen=True)
class GroundTruth:
    path: Path
    spec: ClipSpec
    duration_s: float
    spans: dict[str, tuple[Span, ...]] = field(default_factory=dict)
    """Per kind ("present", "absent", "away", "two", "dark"), its spans in seconds."""
    speech: tuple[SpokenSpan, ...] = ()

    def kind_at(self, t: float) -> Kind:
        start = 0.0
        for segment in self.spec.script:
            if t < start + segment.seconds:
                return segment.kind
            start += segment.seconds
        return self.spec.script[-1].kind

    def _share(self, kinds: tuple[Kind, ...]) -> float:
        total = sum(s.duration for k in kinds for s in self.spans.get(k, ()))
        return total / self.duration_s

    @property
    def face_present_ratio(self) -> float:
        """A face is in frame unless the person is absent."""
        return self._share(("present", "away", "two", "dark"))

    @property
    def looking_ratio(self) -> float:
        """Facing the camera: present, dark and two (the candidate still faces it)."""
        return self._share(("present", "two", "dark"))

    @property
    def multiple_faces_ratio(self) -> float:
        return self._share(("two",))

    @property
    def text(self) -> str:
        return " ".join(s.text for s in self.speech)

    def away_spans(self) -> tuple[Span, ...]:
        """Absent or turned away, adjacent spans merged (what an attention summary reports)."""
        gone = self.spans.get("absent", ()) + self.spans.get("away", ())
        spans = sorted(gone, key=lambda s: s.start)
        merged: list[Span] = []
        for span in spans:
            if merged and abs(merged[-1].end - span.start) < 1e-6:
                merged[-1] = Span(start=merged[-1].start, end=span.end)
            else:
                merged.append(span)
        return tuple(merged)


# ---- faces and backgrounds ------------------------------------------------------------------


@dataclass(frozen=True)
class _Person:
    image: Image
    alpha: npt.NDArray[np.float32]
    head: tuple[int, int, int]
    """(centre x, centre y, half width) of the head inside the cut-out."""


@cache
def _person(name: FaceName) -> _Person:
    """A head-and-shoulders cut-out of a real photograph with a feathered elliptical mask."""
    if name == "astronaut":
        rgb = skdata.astronaut()  # type: ignore[no-untyped-call]
        crop = rgb[0:340, 80:370]
        head = (145, 115, 75)
    else:
        path = cbook.get_sample_data("grace_hopper.jpg", asfileobj=False)
        photo = cv2.imread(str(path))
        assert photo is not None, path
        rgb = cv2.cvtColor(photo, cv2.COLOR_BGR2RGB)
        crop = rgb[10:440, 95:425]
        head = (170, 210, 105)
    image = np.ascontiguousarray(crop[:, :, ::-1])
    h, w = image.shape[:2]
    mask = np.zeros((h, w), np.float32)
    centre, axes = (w // 2, h // 2 + h // 8), (w // 2 - 4, h // 2 + h // 8 - 4)
    cv2.ellipse(mask, centre, axes, 0, 0, 360, 1.0, -1)
    soft = cv2.GaussianBlur(mask, (0, 0), 6).astype(np.float32)
    return _Person(image=image, alpha=soft, head=head)


@cache
def _background(kind: str, width: int, height: int) -> Image:
    if kind == "plain":
        return np.full((height, width, 3), (150, 160, 170), np.uint8)
    texture = skdata.brick()  # type: ignore[no-untyped-call]
    brick = cv2.resize(texture, (width, height), interpolation=cv2.INTER_AREA)
    tinted = np.stack([brick * 0.75, brick * 0.85, brick * 1.0], axis=-1) * 0.9 + 20
    return np.clip(tinted, 0, 255).astype(np.uint8)


def _turn(person: _Person, yaw_deg: float) -> _Person:
    """The head turned by ``yaw_deg``: its columns mapped on a cylinder and rotated.

    A column at angle a on the cylinder (x = R sin a) shows the photo's column at angle
    a - yaw, so the far cheek compresses, the near one widens and the nose moves off
    centre, as on a real turned head; the torso stays as it was.
    """
    cx, cy, half_width = person.head
    radius = 1.2 * half_width  # a little wider than the face: the cheeks' edges turn too
    h, w = person.image.shape[:2]
    yaw = math.radians(yaw_deg)
    xs = np.arange(w, dtype=np.float32)
    u = np.clip((xs - cx) / radius, -1.0, 1.0)
    source_angle = np.clip(np.arcsin(u) - yaw, -math.pi / 2, math.pi / 2)
    source_x = np.where(np.abs(xs - cx) < radius, cx + radius * np.sin(source_angle), xs)
    map_x = np.tile(source_x.astype(np.float32), (h, 1))
    rows = np.arange(h, dtype=np.float32)[:, None]
    head_rows = rows < cy + half_width * 0.9  # down to the chin: the body does not turn
    map_x = np.where(head_rows, map_x, np.tile(xs, (h, 1))).astype(np.float32)
    map_y = np.tile(rows, (1, w)).astype(np.float32)
    image = cv2.remap(person.image, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    return _Person(image=np.ascontiguousarray(image), alpha=person.alpha, head=person.head)


@cache
def _turned(name: FaceName, yaw_deg: float) -> _Person:
    return _turn(_person(name), yaw_deg)


def _paste(frame: Image, person: _Person, centre_x: float, bottom: int, scale: float) -> None:
    image = cv2.resize(person.image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    alpha = cv2.resize(person.alpha, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    h, w = image.shape[:2]
    x0 = round(centre_x - w / 2)
    y0 = bottom - h
    fx0, fy0 = max(x0, 0), max(y0, 0)
    fx1, fy1 = min(x0 + w, frame.shape[1]), min(y0 + h, frame.shape[0])
    if fx1 <= fx0 or fy1 <= fy0:
        return
    part = image[fy0 - y0 : fy1 - y0, fx0 - x0 : fx1 - x0].astype(np.float32)
    a = alpha[fy0 - y0 : fy1 - y0, fx0 - x0 : fx1 - x0, None]
    region = frame[fy0:fy1, fx0:fx1].astype(np.float32)
    frame[fy0:fy1, fx0:fx1] = (part * a + region * (1 - a)).astype(np.uint8)


def render_frame(spec: ClipSpec, kind: Kind, t: float) -> Image:
    """One BGR frame of ``spec`` in state ``kind`` at time ``t``."""
    frame = _background(spec.background, spec.width, spec.height).copy()
    scale = spec.height / 480
    sway = spec.sway_px * scale * math.sin(2 * math.pi * t / 3.0)
    other: FaceName = "hopper" if spec.face == "astronaut" else "astronaut"
    centre = spec.width / 2 + sway
    size = spec.person_scale * scale
    if kind in ("present", "dark"):
        _paste(frame, _person(spec.face), centre, spec.height, size)
    elif kind == "away":
        _paste(frame, _turned(spec.face, spec.away_yaw_deg), centre, spec.height, size)
    elif kind == "two":
        _paste(frame, _person(spec.face), spec.width * 0.3 + sway, spec.height, 1.0 * scale)
        _paste(frame, _person(other), spec.width * 0.72 - sway, spec.height, 0.85 * scale)
    if kind == "dark":
        frame = (frame.astype(np.float32) * DARK_GAIN).astype(np.uint8)
    if spec.noise > 0:
        # Seeded by the frame's time: the same spec always renders the same frames.
        rng = np.random.default_rng(round(t * 1000))
        noisy = frame.astype(np.float32) + rng.normal(0.0, spec.noise, frame.shape)
        frame = np.clip(noisy, 0, 255).astype(np.uint8)
    return frame


def frames(spec: ClipSpec) -> Iterator[tuple[float, Kind, Image]]:
    """Every frame of the clip with its time and state."""
    count = round(spec.duration_s * spec.fps)
    bounds: list[tuple[float, Kind]] = []
    end = 0.0
    for segment in spec.script:
        end += segment.seconds
        bounds.append((end, segment.kind))
    for index in range(count):
        t = index / spec.fps
        kind = next((k for e, k in bounds if t < e), bounds[-1][1])
        yield t, kind, render_frame(spec, kind, t)


# ---- speech ----------------------------------------------------------------------------------


@cache
def _voice() -> object:
    from interviewkit.speech.tts.piper import PiperTTS

    return PiperTTS(deterministic=True)


@cache
def _said(text: str, recording: str | None = None) -> npt.NDArray[np.int16]:
    """Piper's reading of ``text`` (or the recording) at :data:`AUDIO_RATE`, leading and
    trailing silence cut (so the spoken span starts and ends with the voice)."""
    if recording is not None:
        source, rate = read_wav(recording)
        pcm = resample(source.astype(np.int16), rate, AUDIO_RATE)
    else:
        voice = _voice()
        chunks = list(voice.synthesize(text))  # type: ignore[attr-defined]
        pcm = np.concatenate(chunks).astype(np.int16)
        pcm = resample(pcm, int(voice.sample_rate), AUDIO_RATE)  # type: ignore[attr-defined]
    loud = np.flatnonzero(np.abs(pcm.astype(np.int32)) > 300)
    return pcm[loud[0] : loud[-1] + 1] if loud.size else pcm


def soundtrack(spec: ClipSpec) -> tuple[npt.NDArray[np.int16], tuple[SpokenSpan, ...]]:
    """The clip's audio (silence and the utterances) and where each utterance is."""
    total = round(spec.duration_s * AUDIO_RATE)
    track = np.zeros(total, np.int16)
    spans: list[SpokenSpan] = []
    for utterance in spec.speech:
        pcm = _said(utterance.text, utterance.recording)
        start = round(utterance.start * AUDIO_RATE)
        end = min(start + pcm.size, total)
        if end <= start:
            continue
        track[start:end] = pcm[: end - start]
        spans.append(SpokenSpan(utterance.text, start / AUDIO_RATE, end / AUDIO_RATE))
    return track, tuple(spans)


# ---- building ----------------------------------------------------------------------------------


def truth(path: Path, spec: ClipSpec, speech: tuple[SpokenSpan, ...] = ()) -> GroundTruth:
    spans: dict[str, list[Span]] = {}
    start = 0.0
    for segment in spec.script:
        end = start + segment.seconds
        previous = spans.setdefault(segment.kind, [])
        if previous and abs(previous[-1].end - start) < 1e-9:
            previous[-1] = Span(start=previous[-1].start, end=end)
        else:
            previous.append(Span(start=start, end=end))
        start = end
    return GroundTruth(
        path=path,
        spec=spec,
        duration_s=spec.duration_s,
        spans={k: tuple(v) for k, v in spans.items()},
        speech=speech,
    )


def build_clip(path: Path, spec: ClipSpec) -> GroundTruth:
    """Render, voice and encode ``spec`` to ``path``; the ground truth of what it shows."""
    path.parent.mkdir(parents=True, exist_ok=True)
    track, speech = soundtrack(spec)
    wav = path.with_suffix(".source.wav")
    write_wav(wav, track, AUDIO_RATE)
    if spec.container == "webm":
        codecs = ["-c:v", "libvpx", "-deadline", "realtime", "-cpu-used", "8", "-b:v", "1M"]
        codecs += ["-c:a", "libopus", "-b:a", "48k", "-f", "webm"]
    else:
        codecs = ["-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p"]
        codecs += ["-c:a", "aac", "-b:a", "96k", "-movflags", "+faststart", "-f", "mp4"]
    # MediaRecorder writes as it records, so its WebM header has no duration: so does a
    # WebM written to a pipe (ffmpeg cannot seek back to fill it in).
    to_pipe = spec.container == "webm" and not spec.header_duration
    command = [
        ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y",
        "-f", "rawvideo", "-pix_fmt", "bgr24", "-s", f"{spec.width}x{spec.height}",
        "-r", str(spec.fps), "-i", "pipe:0", *(["-i", str(wav)] if spec.audio else []),
        "-map", "0:v", *(["-map", "1:a"] if spec.audio else []), "-threads", "2", *codecs,
        "pipe:1" if to_pipe else str(path),
    ]  # fmt: skip
    partial = path.with_name(f".{path.name}.partial")
    with partial.open("wb") as out:
        process = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=out if to_pipe else subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        assert process.stdin is not None
        for _, _, frame in frames(spec):
            process.stdin.write(frame.tobytes())
        process.stdin.close()
        error = process.stderr.read() if process.stderr else b""
        if process.wait() != 0:
            raise RuntimeError(f"ffmpeg failed: {error.decode(errors='replace')[-500:]}")
    if to_pipe:
        partial.replace(path)
    else:
        partial.unlink()
    wav.unlink()
    return truth(path, spec, speech if spec.audio else ())


def build_cached(folder: Path, spec: ClipSpec) -> GroundTruth:
    """:func:`build_clip` into ``folder`` once per spec (the name is the spec's hash)."""
    path = folder / f"clip-{spec.key()}.{spec.container}"
    if path.exists():
        return truth(path, spec, soundtrack(spec)[1] if spec.audio else ())
    return build_clip(path, spec)


def write_fake_capture(spec: ClipSpec, folder: Path) -> tuple[Path, Path]:
    """The clip as Chromium's fake devices read it: ``.y4m`` (I420) and ``.wav`` (16-bit).

    Start Chromium with ``--use-fake-device-for-media-stream
    --use-file-for-fake-video-capture=<y4m> --use-file-for-fake-audio-capture=<wav>``;
    it loops both files. A y4m is raw: 640x480 costs 460 KB a frame, so keep these clips
    short or small.
    """
    folder.mkdir(parents=True, exist_ok=True)
    name = f"capture-{spec.key()}"
    y4m, wav = folder / f"{name}.y4m", folder / f"{name}.wav"
    track, _ = soundtrack(spec)
    write_wav(wav, track, AUDIO_RATE)
    command = [
        ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y",
        "-f", "rawvideo", "-pix_fmt", "bgr24", "-s", f"{spec.width}x{spec.height}",
        "-r", str(spec.fps), "-i", "pipe:0", "-pix_fmt", "yuv420p", "-f", "yuv4mpegpipe",
        str(y4m),
    ]  # fmt: skip
    process = subprocess.Popen(command, stdin=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdin is not None
    for _, _, frame in frames(spec):
        process.stdin.write(frame.tobytes())
    process.stdin.close()
    error = process.stderr.read() if process.stderr else b""
    if process.wait() != 0:
        raise RuntimeError(f"ffmpeg failed: {error.decode(errors='replace')[-500:]}")
    return y4m, wav


# ---- ready-made specs ------------------------------------------------------------------------

SHORT_SPEECH = (
    Utterance("In my last role I led a small team that rebuilt our billing service.", 0.5),
    Utterance("We cut the failed payments by half within three months.", 5.0),
)

SHORT_SPEC = ClipSpec(
    script=(Segment("present", 3.0), Segment("absent", 2.0), Segment("present", 4.0)),
    speech=SHORT_SPEECH,
)
"""About 9 s of WebM: a face, gone for two seconds, back; two sentences with a pause."""
