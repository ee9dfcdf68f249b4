"""What the analysis of one answer produces: the shapes every part of the video domain
agrees on (the pipeline's steps store them, the records API returns them, the report page
draws them, ``interviewkit video analyze --json`` prints them).

Every number here is measured from the answer's own video and speech; none is a default
standing in for a measurement. Where a measurement is impossible (no audio track, no
video track, an answer without words) the field is ``None`` and ``notes`` says why.
Times are seconds from the start of the answer; series are sampled at 1 Hz (index i
covers [i, i+1) seconds).
"""

from __future__ import annotations

from pydantic import BaseModel, Field


class Span(BaseModel):
    """A stretch of the answer, in seconds."""

    start: float
    end: float

    @property
    def duration(self) -> float:
        return self.end - self.start


class ProbeResult(BaseModel):
    """What the uploaded file is (read with PyAV / ffmpeg, never trusted from the client)."""

    duration_s: float
    size_bytes: int
    container: str = Field(description="e.g. 'matroska,webm', 'mov,mp4,m4a,3gp,3g2,mj2'")
    video_codec: str | None = None
    audio_codec: str | None = None
    width: int | None = None
    height: int | None = None
    fps: float | None = None
    audio_rate: int | None = None


class TimedWord(BaseModel):
    text: str
    start: float
    end: float
    probability: float | None = None
    filler: bool = Field(False, description="um, uh, like (as a filler), you know, ...")


class TranscriptResult(BaseModel):
    text: str
    words: list[TimedWord]
    engine: str = Field(description="The speech-to-text engine, e.g. 'whisper:tiny.en'")
    language: str = "en"


class StarResult(BaseModel):
    """Which parts of a STAR answer (situation, task, action, result) the answer has."""

    situation: bool
    task: bool
    action: bool
    result: bool
    evidence: dict[str, str] = Field(
        default_factory=dict, description="For each part found, the sentence that shows it"
    )

    @property
    def parts_found(self) -> int:
        return sum((self.situation, self.task, self.action, self.result))


class KeywordCoverage(BaseModel):
    """How many of the question's rubric keywords the answer mentions (stemmed match)."""

    expected: list[str]
    found: list[str]
    missing: list[str]
    coverage: float | None = Field(description="found / expected; None without keywords")


class Sentiment(BaseModel):
    """VADER over the transcript: compound in [-1, 1], the shares sum to 1."""

    compound: float
    positive: float
    neutral: float
    negative: float


class TextMetrics(BaseModel):
    word_count: int
    speaking_time_s: float = Field(description="Time inside speech (words and short gaps)")
    words_per_minute: float | None = Field(description="Words over speaking time")
    filler_count: int
    fillers: dict[str, int] = Field(description="Each filler and how often it was said")
    fillers_per_minute: float | None
    pause_count: int = Field(description="Silences between words of at least pause_min_s")
    pause_min_s: float
    longest_pause_s: float
    silence_ratio: float | None = Field(description="Share of the answer without speech")
    pauses: list[Span]
    star: StarResult
    keywords: KeywordCoverage
    sentiment: Sentiment | None
    rate_series: list[float] = Field(description="Words per minute around each second, 1 Hz")
    speech_series: list[float] = Field(description="Share of each second spent speaking, 1 Hz")


class VideoSeries(BaseModel):
    """1 Hz series over the answer; each value summarises the frames sampled that second."""

    face_present: list[float] = Field(description="Share of sampled frames with a face")
    looking_at_camera: list[float] = Field(description="Share of frames looking at the camera")
    faces: list[int] = Field(description="Most faces seen in one frame that second")
    yaw_deg: list[float | None] = Field(description="Median head yaw (None: no face)")
    pitch_deg: list[float | None]
    motion: list[float] = Field(description="Mean absolute frame difference, 0-255")
    brightness: list[float] = Field(description="Mean luma, 0-255")


class VideoMetrics(BaseModel):
    engine: str = Field(description="'blazeface' (+ face mesh) or 'haar'")
    sample_fps: float
    frames_analyzed: int
    width: int
    height: int
    face_present_ratio: float
    looking_at_camera_ratio: float = Field(description="Share of all sampled frames")
    multiple_faces_ratio: float
    attention_ratio: float = Field(
        description="Share of the answer looking at the camera, short glances (< 1 s) forgiven"
    )
    away_spans: list[Span] = Field(description="No face or looking away for >= 1 s")
    multiple_face_spans: list[Span] = Field(description="Two or more faces for >= 0.5 s")
    mean_brightness: float
    brightness_contrast: float = Field(description="Standard deviation of luma, 0-255")
    lighting: str = Field(description="good | dark | overexposed | low_contrast")
    mean_motion: float
    series: VideoSeries


class CriterionGrade(BaseModel):
    criterion: str
    score: int = Field(ge=1, le=5)
    evidence: list[str] = Field(description="Quotes taken word for word from the transcript")
    comment: str


class AnswerGrade(BaseModel):
    """The LLM's rubric grade; kept only when every quote is found in the transcript."""

    score: int = Field(ge=1, le=5)
    criteria: list[CriterionGrade]
    summary: str
    model: str


class AnswerScore(BaseModel):
    """A 0-100 score per answer from the metrics above (docs/video.md: the formula)."""

    overall: float
    content: float | None = Field(description="Rubric keywords, STAR and the LLM grade")
    delivery: float | None = Field(description="Pace, fillers, pauses")
    presence: float | None = Field(description="Attention and lighting")
    explanation: list[str] = Field(description="One line per component, what it saw")


class AnswerAnalysis(BaseModel):
    """Everything the pipeline measured for one answer."""

    question: str | None
    duration_s: float
    probe: ProbeResult
    transcript: TranscriptResult | None
    text_metrics: TextMetrics | None
    video_metrics: VideoMetrics | None
    grade: AnswerGrade | None = None
    score: AnswerScore | None = None
    notes: list[str] = Field(default_factory=list, description="What could not be measured")
