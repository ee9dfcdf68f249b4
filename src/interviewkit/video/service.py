"""Video interviews: create and invite, the candidate's uploads, completing an answer.

An interview is backed by a session (config ``{"kind": "video", …}``): its candidate
tokens, their revocation, its time limit and the live channel are the session's, and the
staff's session list shows it. The candidate's browser uploads each answer straight to
the object store through presigned URLs (one PUT, or S3-style parts for large answers);
completing the answer checks what arrived — it exists, its size is within the limit, the
probe finds a video stream and a duration within the question's limit — and queues the
``video.analyze`` job in the same transaction, so an acknowledged answer always has its
job. Records, the report and deletion are in ``records.py``.
"""

from __future__ import annotations

import math
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, sessionmaker

from interviewkit.auth.service import AuthService, CandidateToken
from interviewkit.config import Settings
from interviewkit.db import new_id, on_commit, read_session, run_write, utcnow
from interviewkit.errors import ProblemError, not_found
from interviewkit.sessions.service import SessionDraft, SessionService
from interviewkit.storage import ObjectNotFoundError, ObjectStore
from interviewkit.storage.port import InvalidUploadError, PartInfo, UploadNotFoundError
from interviewkit.tasks.port import TaskQueue
from interviewkit.video import keys
from interviewkit.video.media import MediaError
from interviewkit.video.models import (
    FINISHED,
    SUBMITTED,
    AnswerStatus,
    InterviewStatus,
    VideoAnswer,
    VideoInterview,
    VideoStep,
)
from interviewkit.video.progress import Notifier
from interviewkit.video.results import ProbeResult
from interviewkit.video.schemas import QuestionIn, UploadIn, VideoInterviewIn
from interviewkit.video.templates import VideoTemplate, load_templates

ANALYZE = "video.analyze"
DURATION_SLACK_S = 2.0
"""A recording may run this much past its question's limit (a recorder stops a little late,
and a header-less WebM's measured end includes its last frame)."""

Probe = Callable[[Path], ProbeResult]


@dataclass(frozen=True)
class Upload:
    """What ``start_upload`` tells the client."""

    answer: VideoAnswer
    url: str | None
    part_bytes: int | None
    part_count: int | None
    expires_at: datetime


@dataclass(frozen=True)
class UploadState:
    answer: VideoAnswer
    received: list[PartInfo]
    part_bytes: int | None
    part_count: int | None


@dataclass(frozen=True)
class QuestionState:
    """One question for its candidate: attempts and the answer that counts."""

    index: int
    question: dict[str, Any]
    attempts_used: int
    answer: VideoAnswer | None

    @property
    def attempts_left(self) -> int:
        return max(0, int(self.question["attempts"]) - self.attempts_used)


def counted_answers(answers: Sequence[VideoAnswer]) -> dict[int, VideoAnswer]:
    """The answer that counts per question: its latest completed, undeleted attempt."""
    counted: dict[int, VideoAnswer] = {}
    for answer in sorted(answers, key=lambda row: (row.question_index, row.attempt)):
        if answer.status in SUBMITTED and not answer.deleted:
            counted[answer.question_index] = answer
    return counted


def interview_status(questions: int, answers: Sequence[VideoAnswer]) -> InterviewStatus:
    """invited -> in_progress (an answer) -> submitted (every question) -> analyzed (every
    counted answer finished its analysis, analysed or failed)."""
    counted = counted_answers(answers)
    if not counted:
        return InterviewStatus.invited
    if len(counted) < questions:
        return InterviewStatus.in_progress
    if all(answer.status in FINISHED for answer in counted.values()):
        return InterviewStatus.analyzed
    return InterviewStatus.submitted


def base_type(content_type: str) -> str:
    """``video/webm;codecs=vp8,opus`` -> ``video/webm`` (what the limits name)."""
    return content_type.split(";")[0].strip().lower()


class VideoService:
    """Interviews and uploads (the domain logic, free of HTTP); see the module docstring."""

    def __init__(
        self,
        factory: sessionmaker[Session],
        store: ObjectStore,
        settings: Settings,
        sessions: SessionService,
        auth: AuthService,
        notifier: Notifier,
        tasks: TaskQueue,
        probe: Probe,
    ) -> None:
        self.factory = factory
        self.store = store
        self.settings = settings
        self.sessions = sessions
        self.auth = auth
        self.notifier = notifier
        self.tasks = tasks
        self.probe = probe
        # read now: a broken template file stops the start-up with its name
        self.templates: Mapping[str, VideoTemplate] = load_templates(settings.problems_dir)

    # ---- interviews ----------------------------------------------------------------------

    def template(self, template_id: str) -> VideoTemplate:
        template = self.templates.get(template_id)
        if template is None:
            raise not_found("video_template_not_found", f"no video template {template_id!r}")
        return template

    def create(self, body: VideoInterviewIn) -> VideoInterview:
        settings = self.settings
        if (body.questions is None) == (body.template_id is None):
            raise ProblemError(
                422,
                "questions_or_template",
                "give either questions or a template_id (exactly one of them)",
            )
        # a template's questions are copied (validated as if typed): the row never refers back
        items: Sequence[QuestionIn] = body.questions or []
        if body.template_id is not None:
            items = self.template(body.template_id).questions
        if len(items) > settings.video_max_questions:
            raise ProblemError(
                422,
                "too_many_questions",
                f"{len(items)} questions; an interview has at most {settings.video_max_questions}",
                limit=settings.video_max_questions,
            )
        questions = [self._question(index, item) for index, item in enumerate(items)]
        interview_id = new_id("vid")
        config: dict[str, Any] = {"kind": "video", "video_interview_id": interview_id}
        if body.expires_hours is not None:
            config["time_limit_minutes"] = body.expires_hours * 60
        draft = SessionDraft(
            candidate_name=body.candidate_name,
            candidate_email=body.candidate_email,
            config=config,
        )
        created: list[VideoInterview] = []

        def add(db: Session, session: Any) -> None:
            row = VideoInterview(
                id=interview_id,
                session_id=session.id,
                title=body.title,
                candidate_name=body.candidate_name,
                candidate_email=body.candidate_email,
                questions=questions,
                template_id=body.template_id,
                status=InterviewStatus.invited.value,
                created_at=session.created_at,
                updated_at=session.created_at,
            )
            db.add(row)
            created.append(row)

        self.sessions.create_session(draft, also=add)
        return created[0]

    def _question(self, index: int, item: QuestionIn) -> dict[str, Any]:
        settings = self.settings
        if item.max_answer_s > settings.video_max_answer_s:
            raise ProblemError(
                422,
                "answer_limit_too_long",
                f"question {index}: max_answer_s is {item.max_answer_s}; at most "
                f"{settings.video_max_answer_s} (video_max_answer_s)",
                limit=settings.video_max_answer_s,
            )
        attempts = item.attempts if item.attempts is not None else settings.video_max_attempts
        if attempts > settings.video_max_attempts:
            raise ProblemError(
                422,
                "too_many_attempts",
                f"question {index}: attempts is {attempts}; at most "
                f"{settings.video_max_attempts} (video_max_attempts)",
                limit=settings.video_max_attempts,
            )
        return {
            "index": index,
            "text": item.text,
            "thinking_s": item.thinking_s,
            "max_answer_s": item.max_answer_s,
            "attempts": attempts,
            "keywords": list(dict.fromkeys(item.keywords)),
        }

    def get(self, interview_id: str) -> tuple[VideoInterview, list[VideoAnswer]]:
        """The interview and every answer row of it (404 when there is none)."""
        with read_session(self.factory) as db:
            interview = db.get(VideoInterview, interview_id)
            if interview is None:
                raise not_found("video_interview_not_found", f"no video interview {interview_id!r}")
            answers = list(
                db.scalars(select(VideoAnswer).where(VideoAnswer.interview_id == interview_id))
            )
        return interview, answers

    def session_of(self, interview_id: str) -> str:
        """The backing session's id, for authorising a candidate (404 when none)."""
        with read_session(self.factory, single_statement=True) as db:
            found = db.scalar(
                select(VideoInterview.session_id).where(VideoInterview.id == interview_id)
            )
        if found is None:
            raise not_found("video_interview_not_found", f"no video interview {interview_id!r}")
        return found

    def list_interviews(
        self, *, candidate_email: str | None, status: str | None, page: int, per_page: int
    ) -> tuple[list[VideoInterview], dict[str, int], int]:
        """A page of interviews, newest first; with each one's count of answered questions."""
        query = select(VideoInterview)
        if candidate_email:
            query = query.where(
                func.lower(VideoInterview.candidate_email) == candidate_email.lower()
            )
        if status:
            query = query.where(VideoInterview.status == status)
        with read_session(self.factory) as db:
            total = db.scalar(select(func.count()).select_from(query.subquery())) or 0
            rows = list(
                db.scalars(
                    query.order_by(VideoInterview.created_at.desc(), VideoInterview.id.desc())
                    .offset((page - 1) * per_page)
                    .limit(per_page)
                )
            )
            answers = db.scalars(
                select(VideoAnswer).where(
                    VideoAnswer.interview_id.in_([row.id for row in rows]),
                    VideoAnswer.status.in_([status.value for status in SUBMITTED]),
                )
            ).all()
        counts = {
            row.id: len(counted_answers([a for a in answers if a.interview_id == row.id]))
            for row in rows
        }
        return rows, counts, total

    def invite(
        self, interview_id: str, ttl_seconds: int | None, *, revoke_previous: bool = False
    ) -> CandidateToken:
        """A candidate token for the interview's session (as the room's invitations)."""
        session_id = self.session_of(interview_id)
        settings = self.settings
        cap = settings.candidate_token_max_ttl_seconds
        ttl = ttl_seconds or min(settings.candidate_token_ttl_seconds, cap)
        if ttl > cap:
            raise ProblemError(
                422,
                "token_ttl_too_long",
                f"ttl_seconds is {ttl}; a candidate token lives at most {cap} s",
                limit=cap,
            )
        generation = self.sessions.invite(session_id, revoke_previous=revoke_previous)
        return self.auth.mint_candidate_token(session_id, ttl, generation)

    def candidate_view(self, interview_id: str) -> tuple[VideoInterview, list[QuestionState]]:
        interview, answers = self.get(interview_id)
        counted = counted_answers(answers)
        states = []
        for question in interview.questions:
            index = int(question["index"])
            used = sum(1 for a in answers if a.question_index == index and a.status in SUBMITTED)
            states.append(QuestionState(index, question, used, counted.get(index)))
        return interview, states

    # ---- uploads -------------------------------------------------------------------------

    def start_upload(self, interview_id: str, index: int, body: UploadIn) -> Upload:
        """Check the declared file against the limits and hand out where to upload it.

        A new upload of a question drops its earlier unfinished ones (and their parts):
        only one upload per question is in flight, so abandoned ones cannot pile up.
        """
        settings = self.settings
        interview, _ = self.get(interview_id)
        question = _question_of(interview, index)
        kind = base_type(body.content_type)
        if kind not in settings.video_content_types:
            raise ProblemError(
                415,
                "unsupported_media_type",
                f"{body.content_type!r} is not accepted; send one of "
                + ", ".join(settings.video_content_types),
            )
        if body.size_bytes > settings.video_max_answer_bytes:
            raise ProblemError(
                413,
                "answer_too_large",
                f"the answer is {body.size_bytes} bytes; the limit is "
                f"{settings.video_max_answer_bytes}",
                limit=settings.video_max_answer_bytes,
            )
        self._check_duration(body.duration_s, question)
        answer_id = new_id("ans")
        key = keys.original_key(interview.id, interview.created_at, index, answer_id, kind)
        single = body.size_bytes <= settings.video_single_upload_bytes
        upload_id = None if single else self.store.create_multipart(key, body.content_type)
        now = utcnow()

        def start(db: Session) -> tuple[VideoAnswer, list[VideoAnswer]]:
            self.sessions.lock(db, interview.session_id)  # 409 once the session has ended
            rows = list(
                db.scalars(
                    select(VideoAnswer).where(
                        VideoAnswer.interview_id == interview.id,
                        VideoAnswer.question_index == index,
                    )
                )
            )
            used = sum(1 for row in rows if row.status in SUBMITTED)
            _check_attempts(used, question)
            stale = [row for row in rows if row.status == AnswerStatus.uploading]
            for row in stale:
                db.delete(row)
            answer = VideoAnswer(
                id=answer_id,
                interview_id=interview.id,
                question_index=index,
                attempt=max((row.attempt for row in rows), default=0) + 1,
                status=AnswerStatus.uploading.value,
                step=None,
                progress=0.0,
                content_type=body.content_type,
                size_bytes=body.size_bytes,
                declared_duration_s=body.duration_s,
                upload_mode="single" if single else "multipart",
                upload_id=upload_id,
                original_key=key,
                deleted=False,
                created_at=now,
                updated_at=now,
            )
            db.add(answer)
            on_commit(
                db, partial(self._drop_uploads, [(r.original_key, r.upload_id) for r in stale])
            )
            return answer, stale

        try:
            answer, _ = run_write(self.factory, start)
        except BaseException:
            if upload_id is not None:
                self.store.abort_multipart(key, upload_id)
            raise
        expires_in = settings.video_upload_url_s
        expires_at = now + timedelta(seconds=expires_in)
        if single:
            url = self.store.presign_put(key, expires_in, body.content_type)
            return Upload(answer, url, None, None, expires_at)
        part_bytes = settings.video_part_bytes
        return Upload(answer, None, part_bytes, math.ceil(body.size_bytes / part_bytes), expires_at)

    def _check_duration(self, duration_s: float, question: dict[str, Any]) -> None:
        limit = float(question["max_answer_s"])
        if duration_s > limit + DURATION_SLACK_S:
            raise ProblemError(
                422,
                "answer_too_long",
                f"the answer lasts {duration_s:.1f} s; this question allows {limit:g} s",
                limit=limit,
            )

    def _drop_uploads(self, uploads: list[tuple[str, str | None]]) -> None:
        for key, upload_id in uploads:
            if upload_id is not None:
                self.store.abort_multipart(key, upload_id)
            self.store.delete(key)

    def _uploading(self, interview_id: str, index: int, answer_id: str) -> VideoAnswer:
        """The answer of this interview and question (404 otherwise, deleted ones too)."""
        with read_session(self.factory, single_statement=True) as db:
            answer = db.get(VideoAnswer, answer_id)
        if (
            answer is None
            or answer.deleted
            or answer.interview_id != interview_id
            or answer.question_index != index
        ):
            raise not_found("answer_not_found", f"no answer {answer_id!r} to question {index}")
        return answer

    def part_urls(
        self, interview_id: str, index: int, answer_id: str, numbers: Sequence[int]
    ) -> tuple[dict[int, str], datetime]:
        answer = self._uploading(interview_id, index, answer_id)
        if answer.upload_mode != "multipart" or answer.upload_id is None:
            raise ProblemError(409, "not_multipart", "this answer is uploaded in one PUT")
        if answer.status != AnswerStatus.uploading:
            raise ProblemError(409, "upload_completed", "this answer's upload is complete")
        count = math.ceil(answer.size_bytes / self.settings.video_part_bytes)
        wrong = sorted({n for n in numbers if not 1 <= n <= count})
        if wrong:
            raise ProblemError(
                422, "invalid_part", f"parts run 1-{count}; not {wrong[:10]}", part_count=count
            )
        expires_in = self.settings.video_upload_url_s
        urls = {
            n: self.store.presign_part(answer.original_key, answer.upload_id, n, expires_in)
            for n in sorted(set(numbers))
        }
        return urls, utcnow() + timedelta(seconds=expires_in)

    def upload_state(self, interview_id: str, index: int, answer_id: str) -> UploadState:
        """Which parts (or whether the single file) arrived: a client resumes from this."""
        answer = self._uploading(interview_id, index, answer_id)
        part_bytes = self.settings.video_part_bytes
        if answer.upload_mode == "single":
            received = []
            if answer.status == AnswerStatus.uploading:
                try:
                    info = self.store.head(answer.original_key)
                    received = [PartInfo(1, info.size, "")]
                except ObjectNotFoundError:
                    pass
            return UploadState(answer, received, None, None)
        count = math.ceil(answer.size_bytes / part_bytes)
        received = []
        if answer.status == AnswerStatus.uploading and answer.upload_id is not None:
            try:
                received = self.store.list_parts(answer.original_key, answer.upload_id)
            except UploadNotFoundError:
                received = []
        return UploadState(answer, received, part_bytes, count)

    def complete(self, interview_id: str, index: int, answer_id: str) -> VideoAnswer:
        """Check the uploaded file and queue its analysis; completing again changes nothing.

        A file that is not a video within the limits is refused (413/422) and deleted, and
        the attempt is not counted: the candidate records again.
        """
        answer = self._uploading(interview_id, index, answer_id)
        if answer.status != AnswerStatus.uploading:
            return answer  # completed before: idempotent
        interview, _ = self.get(interview_id)
        question = _question_of(interview, index)
        size = self._assemble(answer)
        try:
            if size > self.settings.video_max_answer_bytes:
                raise ProblemError(
                    413,
                    "answer_too_large",
                    f"the upload is {size} bytes; the limit is "
                    f"{self.settings.video_max_answer_bytes}",
                    limit=self.settings.video_max_answer_bytes,
                )
            probe = self._probe(answer.original_key)
            self._check_duration(probe.duration_s, question)
        except ProblemError:
            self._discard(answer)
            raise
        return run_write(self.factory, partial(self._submit, interview, question, answer_id, probe))

    def _assemble(self, answer: VideoAnswer) -> int:
        """Finish the object (join a multipart upload's parts); its size. 409 when the file
        (or a part) has not arrived yet: the client sends it and completes again."""
        key = answer.original_key
        if answer.upload_mode == "multipart" and answer.upload_id is not None:
            try:
                parts = self.store.list_parts(key, answer.upload_id)
            except UploadNotFoundError:
                parts = None  # joined by a concurrent complete, or dropped
            if parts is not None:
                count = math.ceil(answer.size_bytes / self.settings.video_part_bytes)
                missing = sorted(set(range(1, count + 1)) - {p.number for p in parts})
                if missing:
                    raise ProblemError(
                        409,
                        "upload_incomplete",
                        f"parts {missing[:20]} have not arrived",
                        missing=missing,
                    )
                try:
                    return self.store.complete_multipart(key, answer.upload_id, parts).size
                except InvalidUploadError as exc:
                    raise ProblemError(409, "upload_incomplete", str(exc)) from None
        try:
            return self.store.head(key).size
        except ObjectNotFoundError:
            raise ProblemError(
                409, "upload_incomplete", "the file has not arrived; upload it, then complete"
            ) from None

    def _probe(self, key: str) -> ProbeResult:
        """Probe a downloaded copy (the container's index may sit at its end)."""
        with tempfile.TemporaryDirectory(prefix="ik-video-") as folder:
            path = Path(folder) / key.rsplit("/", 1)[-1]
            with path.open("wb") as handle:
                for chunk in self.store.iter_chunks(key):
                    handle.write(chunk)
            try:
                found = self.probe(path)
            except MediaError as exc:
                raise ProblemError(422, "invalid_video", f"not a playable video: {exc}") from None
        if found.video_codec is None:
            raise ProblemError(422, "invalid_video", "the file has no video stream")
        if found.duration_s <= 0:
            raise ProblemError(422, "invalid_video", "the file holds no measurable recording")
        return found

    def _discard(self, answer: VideoAnswer) -> None:
        """A refused upload: its object and row go, the attempt never happened."""

        def drop(db: Session) -> None:
            db.execute(
                delete(VideoAnswer).where(
                    VideoAnswer.id == answer.id, VideoAnswer.status == AnswerStatus.uploading
                )
            )

        run_write(self.factory, drop)
        self._drop_uploads([(answer.original_key, answer.upload_id)])

    def _submit(
        self,
        interview: VideoInterview,
        question: dict[str, Any],
        answer_id: str,
        probe: ProbeResult,
        db: Session,
    ) -> VideoAnswer:
        """The answer becomes an attempt, its probe a finished step, its job queued: one
        transaction, so neither exists without the others."""
        recording_open = self.notifier.lock(db, interview.session_id)
        if not recording_open:
            self.sessions.lock(db, interview.session_id)  # raises: the session has ended
        rows = list(
            db.scalars(
                select(VideoAnswer).where(
                    VideoAnswer.interview_id == interview.id,
                    VideoAnswer.question_index == question["index"],
                )
            )
        )
        answer = next((row for row in rows if row.id == answer_id), None)
        if answer is None or answer.deleted:
            raise not_found("answer_not_found", f"no answer {answer_id!r}")
        if answer.status != AnswerStatus.uploading:
            return answer  # a concurrent complete won
        _check_attempts(sum(1 for row in rows if row.status in SUBMITTED), question)
        now = utcnow()
        answer.status = AnswerStatus.queued.value
        answer.progress = 0.0
        answer.step = None
        answer.upload_id = None
        answer.size_bytes = probe.size_bytes
        answer.duration_s = probe.duration_s
        answer.completed_at = now
        answer.updated_at = now
        db.merge(VideoStep(answer_id=answer_id, step="probe", output=probe.model_dump(), files={}))
        db.flush()
        self.tasks.enqueue(ANALYZE, {"answer_id": answer_id}, key=f"{ANALYZE}:{answer_id}", db=db)
        self.refresh_status(db, interview.id)
        self.notifier.tell(db, interview.session_id, answer)
        return answer

    def refresh_status(self, db: Session, interview_id: str) -> None:
        """Recompute the interview's status from its answers (in the caller's transaction)."""
        interview = db.get(VideoInterview, interview_id)
        if interview is None:
            return
        answers = list(
            db.scalars(select(VideoAnswer).where(VideoAnswer.interview_id == interview_id))
        )
        status = interview_status(len(interview.questions), answers).value
        if status != interview.status:
            interview.status = status
            interview.updated_at = utcnow()

    def answer(self, interview_id: str, index: int) -> VideoAnswer:
        """The answer that counts for question ``index`` (404 before one is submitted)."""
        interview, answers = self.get(interview_id)
        _question_of(interview, index)
        found = counted_answers(answers).get(index)
        if found is None:
            raise not_found("answer_not_found", f"question {index} has no submitted answer yet")
        return found


def _question_of(interview: VideoInterview, index: int) -> dict[str, Any]:
    if not 0 <= index < len(interview.questions):
        raise not_found("question_not_found", f"the interview has no question {index}")
    return interview.questions[index]


def _check_attempts(used: int, question: dict[str, Any]) -> None:
    allowed = int(question["attempts"])
    if used >= allowed:
        raise ProblemError(
            409,
            "attempts_exhausted",
            f"all {allowed} recordings of question {question['index']} are used",
            limit=allowed,
        )
