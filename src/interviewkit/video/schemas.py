"""Request and response bodies of the video API (``/api/v1/video``).

What staff see and what a candidate sees are different models on purpose: the candidate's
(:class:`CandidateVideoInterviewOut`, :class:`CandidateQuestionOut`) have no field for
the rubric keywords at all, so no code path can leak them by forgetting to blank one.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, RootModel

from interviewkit.problems.bank import PROBLEM_ID
from interviewkit.sessions.schemas import EMAIL, SafeText
from interviewkit.video.results import AnswerAnalysis, AnswerScore

AnswerStatusName = Literal["uploading", "queued", "processing", "analyzed", "failed"]
InterviewStatusName = Literal["invited", "in_progress", "submitted", "analyzed"]
Keyword = Annotated[SafeText, Field(min_length=1, max_length=100)]


class QuestionIn(BaseModel):
    text: SafeText = Field(min_length=1, max_length=2000)
    thinking_s: int = Field(30, ge=0, le=600, description="Time to think before recording")
    max_answer_s: int = Field(120, ge=5, description="Longest answer (<= video_max_answer_s)")
    attempts: int | None = Field(
        None, ge=1, description="Recordings allowed (default: video_max_attempts; at most it)"
    )
    keywords: list[Keyword] = Field(
        default_factory=list,
        max_length=50,
        description="Rubric keywords; never shown to the candidate",
    )


class VideoInterviewIn(BaseModel):
    title: SafeText = Field(min_length=1, max_length=200)
    candidate_name: SafeText | None = Field(None, max_length=200)
    candidate_email: str | None = Field(None, pattern=EMAIL, max_length=320)
    questions: list[QuestionIn] | None = Field(
        None, min_length=1, max_length=200, description="Exactly one of questions and template_id"
    )
    template_id: str | None = Field(
        None,
        pattern=PROBLEM_ID,
        description="Copy the questions of this template (GET /templates); not with questions",
    )
    expires_hours: float | None = Field(
        None, gt=0, description="The backing session's time limit (its candidate link stops)"
    )


class QuestionOut(BaseModel):
    index: int
    text: str
    thinking_s: int
    max_answer_s: int
    attempts: int
    keywords: list[str]


class AnswerOut(BaseModel):
    """One recorded answer and how far its analysis is (what the pages poll)."""

    answer_id: str
    question_index: int
    attempt: int
    status: AnswerStatusName
    step: str | None = None
    progress: float = Field(ge=0, le=1)
    error: str | None = None
    duration_s: float | None = Field(None, description="Measured by the probe")
    created_at: datetime
    completed_at: datetime | None = None


class VideoInterviewOut(BaseModel):
    id: str
    session_id: str
    title: str
    status: InterviewStatusName
    candidate_name: str | None
    candidate_email: str | None
    questions: list[QuestionOut]
    template_id: str | None = Field(
        None, description="The template its questions were copied from, if any"
    )
    answers: list[AnswerOut] = Field(
        description="The answer that counts for each answered question (its latest completed "
        "attempt); empty in list pages"
    )
    answer_count: int = Field(description="Questions with an answer that counts")
    created_at: datetime
    updated_at: datetime


class VideoInterviewPage(BaseModel):
    items: list[VideoInterviewOut]
    page: int
    per_page: int
    total: int
    next_page: int | None


class VideoTemplateQuestionOut(BaseModel):
    text: str
    thinking_s: int
    max_answer_s: int
    attempts: int = Field(description="The template's, or video_max_attempts when it says none")
    keywords: list[str]


class VideoTemplateOut(BaseModel):
    id: str
    title: str
    description: str
    questions: list[VideoTemplateQuestionOut]


class VideoTemplateList(RootModel[list[VideoTemplateOut]]):
    """Every template, ours and the operator's, by title."""


class InviteIn(BaseModel):
    ttl_seconds: int | None = Field(None, ge=60, description="Default: candidate_token_ttl_seconds")
    revoke_previous: bool = False


class VideoInviteOut(BaseModel):
    interview_id: str
    token: str
    url: str = Field(description="{base}/video/{id}#token=…: the token stays in the fragment")
    expires_at: datetime


class CandidateQuestionOut(BaseModel):
    """A question as its candidate sees it: no rubric keywords."""

    index: int
    text: str
    thinking_s: int
    max_answer_s: int
    attempts: int
    attempts_used: int
    attempts_left: int
    answer: AnswerOut | None = Field(description="The submitted answer that counts, if any")
    answer_status: AnswerStatusName | None


class CandidateVideoInterviewOut(BaseModel):
    id: str
    title: str
    status: InterviewStatusName
    candidate_name: str | None
    questions: list[CandidateQuestionOut]
    max_answer_bytes: int
    content_types: list[str]


MEDIA_TYPE = r"^[A-Za-z0-9!#$&^_.+-]+/[A-Za-z0-9!#$&^_.+-]+(\s*;[ -~]*)?$"
"""A media type with optional printable-ASCII parameters (what a header may carry)."""


class UploadIn(BaseModel):
    content_type: str = Field(
        min_length=1,
        max_length=100,
        pattern=MEDIA_TYPE,
        description="As the recorder says, e.g. 'video/webm;codecs=vp8,opus'",
    )
    size_bytes: int = Field(ge=1, description="The file's exact size")
    duration_s: float = Field(gt=0, description="The recording's length as the client measured it")


class UploadOut(BaseModel):
    answer_id: str
    attempt: int
    mode: Literal["single", "multipart"]
    url: str | None = Field(None, description="single: PUT the file here with its Content-Type")
    content_type: str
    upload_id: str | None = None
    part_bytes: int | None = Field(None, description="multipart: every part but the last")
    part_count: int | None = None
    expires_at: datetime


class PartsIn(BaseModel):
    numbers: list[int] = Field(min_length=1, max_length=1000)


class PartUrlsOut(BaseModel):
    urls: dict[str, str] = Field(description="Part number -> URL to PUT it to")
    expires_at: datetime


class ReceivedPart(BaseModel):
    number: int
    size: int


class UploadStateOut(BaseModel):
    """What arrived so far: a client resuming sends only the parts missing here."""

    answer_id: str
    status: AnswerStatusName
    mode: Literal["single", "multipart"]
    received: list[ReceivedPart]
    part_bytes: int | None
    part_count: int | None
    size_bytes: int


class RecordUrls(BaseModel):
    """Presigned downloads, valid for a while; None when that file does not exist (yet)."""

    video: str | None = Field(None, description="The converted MP4 (H.264/AAC, faststart)")
    original: str | None = None
    captions: str | None = Field(None, description="WebVTT")
    transcript: str | None = Field(None, description="JSON: text and timed words")
    report: str | None = Field(None, description="JSON: the whole analysis")
    expires_at: datetime


class RecordSummary(BaseModel):
    answer_id: str
    interview_id: str
    question_index: int
    question: str
    attempt: int
    candidate_name: str | None
    candidate_email: str | None
    status: AnswerStatusName
    step: str | None
    progress: float
    error: str | None
    duration_s: float | None
    score: AnswerScore | None
    created_at: datetime
    completed_at: datetime | None


class RecordPage(BaseModel):
    items: list[RecordSummary]
    page: int
    per_page: int
    total: int
    next_page: int | None


class RecordOut(RecordSummary):
    analysis: AnswerAnalysis | None
    urls: RecordUrls


class InterviewReport(BaseModel):
    interview: VideoInterviewOut
    answers: list[RecordOut]
    overall: dict[str, Any] = Field(
        description="Means over the analysed answers (score, attention, words per minute…), "
        "and how many questions are answered and analysed"
    )
