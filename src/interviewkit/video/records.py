"""The records people read: each submitted answer with its analysis and presigned
downloads, the per-interview report, and deletion (objects first named, then rows).

A record is a submitted (completed) answer. Its analysis comes from the pipeline's step
rows (``report``: the whole :class:`AnswerAnalysis`; ``score`` alone for lists), its
files from the object keys those rows name, so a record never links a file that was not
stored. Deleting a record deletes every object under its answer's prefix; the row stays,
marked deleted, so the candidate's attempt still counts and the job (if one still runs)
stops at its next step.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from statistics import fmean
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, sessionmaker

from interviewkit.config import Settings
from interviewkit.db import on_commit, read_session, run_write, utcnow
from interviewkit.errors import not_found
from interviewkit.sessions.service import SessionService
from interviewkit.storage import ObjectStore, ObjectStoreError
from interviewkit.video import keys
from interviewkit.video.models import SUBMITTED, VideoAnswer, VideoInterview, VideoStep
from interviewkit.video.results import AnswerAnalysis, AnswerScore
from interviewkit.video.service import VideoService, counted_answers

log = logging.getLogger("interviewkit.video")

URL_FILES = {
    "video": "answer.mp4",
    "captions": "captions.vtt",
    "transcript": "transcript.json",
    "report": "analysis.json",
}
"""Which stored file each of a record's download links names."""


@dataclass(frozen=True)
class Record:
    answer: VideoAnswer
    interview: VideoInterview
    score: AnswerScore | None
    analysis: AnswerAnalysis | None = None
    urls: dict[str, str | None] | None = None
    urls_expire: datetime | None = None

    @property
    def question(self) -> str:
        return str(self.interview.questions[self.answer.question_index]["text"])


class RecordService:
    """Records, reports and deletion over the video tables and the object store."""

    def __init__(
        self,
        factory: sessionmaker[Session],
        store: ObjectStore,
        settings: Settings,
        sessions: SessionService,
        videos: VideoService,
    ) -> None:
        self.factory = factory
        self.store = store
        self.settings = settings
        self.sessions = sessions
        self.videos = videos

    def list_records(
        self,
        *,
        candidate_email: str | None,
        interview_id: str | None,
        page: int,
        per_page: int,
    ) -> tuple[list[Record], int]:
        """Submitted answers, newest first, by candidate and/or interview."""
        query = (
            select(VideoAnswer, VideoInterview)
            .join(VideoInterview, VideoInterview.id == VideoAnswer.interview_id)
            .where(
                VideoAnswer.deleted.is_(False),
                VideoAnswer.status.in_([status.value for status in SUBMITTED]),
            )
        )
        if candidate_email:
            query = query.where(
                func.lower(VideoInterview.candidate_email) == candidate_email.lower()
            )
        if interview_id:
            query = query.where(VideoAnswer.interview_id == interview_id)
        with read_session(self.factory) as db:
            total = db.scalar(select(func.count()).select_from(query.subquery())) or 0
            rows = db.execute(
                query.order_by(VideoAnswer.created_at.desc(), VideoAnswer.id.desc())
                .offset((page - 1) * per_page)
                .limit(per_page)
            ).all()
            scores = self._outputs(db, [answer.id for answer, _ in rows], "score")
        records = [
            Record(answer, interview, _score(scores.get(answer.id))) for answer, interview in rows
        ]
        return records, total

    def record(self, answer_id: str) -> Record:
        """One record with its whole analysis and presigned links (404 if none)."""
        with read_session(self.factory) as db:
            found = db.execute(
                select(VideoAnswer, VideoInterview)
                .join(VideoInterview, VideoInterview.id == VideoAnswer.interview_id)
                .where(VideoAnswer.id == answer_id)
            ).one_or_none()
            if found is None or found[0].deleted or found[0].status not in SUBMITTED:
                raise not_found("record_not_found", f"no record {answer_id!r}")
            steps = list(db.scalars(select(VideoStep).where(VideoStep.answer_id == answer_id)))
        return self._full(found[0], found[1], steps)

    def _full(
        self, answer: VideoAnswer, interview: VideoInterview, steps: Iterable[VideoStep]
    ) -> Record:
        by_step = {step.step: step for step in steps}
        files = {name: key for step in by_step.values() for name, key in step.files.items()}
        expires_in = self.settings.video_upload_url_s
        urls: dict[str, str | None] = {
            field: self.store.presign_get(files[name], expires_in) if name in files else None
            for field, name in URL_FILES.items()
        }
        urls["original"] = self.store.presign_get(answer.original_key, expires_in)
        report = by_step.get("report")
        analysis = AnswerAnalysis.model_validate(report.output) if report is not None else None
        score_step = by_step.get("score")
        return Record(
            answer,
            interview,
            _score(score_step.output if score_step is not None else None),
            analysis,
            urls,
            utcnow() + timedelta(seconds=expires_in),
        )

    def report(self, interview_id: str) -> tuple[VideoInterview, list[VideoAnswer], list[Record]]:
        """The interview, its answers, and the full record of each question's counted answer."""
        interview, answers = self.videos.get(interview_id)
        counted = counted_answers(answers)
        with read_session(self.factory) as db:
            steps = list(
                db.scalars(
                    select(VideoStep).where(
                        VideoStep.answer_id.in_([answer.id for answer in counted.values()])
                    )
                )
            )
        records = [
            self._full(answer, interview, [s for s in steps if s.answer_id == answer.id])
            for _, answer in sorted(counted.items())
        ]
        return interview, answers, records

    # ---- deletion ------------------------------------------------------------------------

    def delete_record(self, answer_id: str) -> None:
        """Delete the answer's objects and steps; the row stays, marked deleted (its
        attempt still counts). The job, if running, stops at its next step."""

        def work(db: Session) -> tuple[str, VideoAnswer] | None:
            answer = db.get(VideoAnswer, answer_id)
            if answer is None or answer.deleted or answer.status not in SUBMITTED:
                raise not_found("record_not_found", f"no record {answer_id!r}")
            interview = db.get(VideoInterview, answer.interview_id)
            assert interview is not None  # a foreign key
            self.sessions.lock(db, interview.session_id, allow_ended=True)  # lock order
            answer.deleted = True
            answer.updated_at = utcnow()
            db.execute(delete(VideoStep).where(VideoStep.answer_id == answer_id))
            self.videos.refresh_status(db, interview.id)
            prefix = keys.answer_prefix(
                interview.id, interview.created_at, answer.question_index, answer.id
            )
            on_commit(db, lambda: self.delete_prefix(prefix + "/"))
            return None

        run_write(self.factory, work)

    def delete_interview(self, interview_id: str) -> None:
        """Delete every answer's objects and every row; the backing session is ended
        (``terminated``), so its candidate link stops working."""

        def work(db: Session) -> None:
            interview = db.get(VideoInterview, interview_id)
            if interview is None:
                raise not_found("video_interview_not_found", f"no video interview {interview_id!r}")
            self.sessions.end_in(db, interview.session_id, "terminated")  # idempotent
            uploads = [
                (answer.original_key, answer.upload_id)
                for answer in db.scalars(
                    select(VideoAnswer).where(
                        VideoAnswer.interview_id == interview_id,
                        VideoAnswer.upload_id.is_not(None),
                    )
                )
            ]
            db.delete(interview)  # answers and steps go with it (ON DELETE CASCADE)
            prefix = keys.interview_prefix(interview.id, interview.created_at) + "/"
            on_commit(db, lambda: self._forget(prefix, uploads))

        run_write(self.factory, work)

    def _forget(self, prefix: str, uploads: list[tuple[str, str | None]]) -> None:
        for key, upload_id in uploads:
            if upload_id is not None:
                try:
                    self.store.abort_multipart(key, upload_id)
                except ObjectStoreError as exc:
                    log.warning("video: aborting upload of %s failed: %s", key, exc)
        self.delete_prefix(prefix)

    def delete_prefix(self, prefix: str) -> None:
        """Delete every object under ``prefix`` (after the rows are gone: a failure here
        leaves unreachable objects, never rows naming missing files)."""
        try:
            for info in list(self.store.list(prefix)):
                self.store.delete(info.key)
        except ObjectStoreError as exc:
            log.warning("video: deleting %s failed: %s", prefix, exc)

    @staticmethod
    def _outputs(db: Session, answer_ids: list[str], step: str) -> dict[str, dict[str, Any]]:
        if not answer_ids:
            return {}
        rows = db.execute(
            select(VideoStep.answer_id, VideoStep.output).where(
                VideoStep.answer_id.in_(answer_ids), VideoStep.step == step
            )
        ).all()
        return {str(answer_id): dict(output) for answer_id, output in rows}


def _score(output: dict[str, Any] | None) -> AnswerScore | None:
    """A stored score step's output; None without one (or when it says ``absent``)."""
    if not output or "absent" in output:
        return None
    return AnswerScore.model_validate(output)


def overall(records: list[Record], questions: int) -> dict[str, Any]:
    """Means over the analysed answers; None where no answer measured it."""
    analyses = [record.analysis for record in records if record.analysis is not None]

    def mean(values: list[float | None]) -> float | None:
        present = [value for value in values if value is not None]
        return round(fmean(present), 3) if present else None

    return {
        "questions": questions,
        "answered": len(records),
        "analyzed": len(analyses),
        "failed": sum(1 for record in records if record.answer.status == "failed"),
        "score": mean([r.score.overall if r.score else None for r in records]),
        "content": mean([r.score.content if r.score else None for r in records]),
        "delivery": mean([r.score.delivery if r.score else None for r in records]),
        "presence": mean([r.score.presence if r.score else None for r in records]),
        "attention_ratio": mean(
            [a.video_metrics.attention_ratio if a.video_metrics else None for a in analyses]
        ),
        "face_present_ratio": mean(
            [a.video_metrics.face_present_ratio if a.video_metrics else None for a in analyses]
        ),
        "words_per_minute": mean(
            [a.text_metrics.words_per_minute if a.text_metrics else None for a in analyses]
        ),
        "filler_count": sum(a.text_metrics.filler_count for a in analyses if a.text_metrics),
        "duration_s": round(sum(a.duration_s for a in analyses), 3),
    }
