"""The durable analysis of an uploaded answer: the ``video.analyze`` task.

The task port delivers a job at least once (a crashed worker's job runs again), so the
handler is idempotent by construction: the analysis is :func:`~.analysis.run_steps` over a
:class:`DatabaseStepStore`, which keeps each finished step as a ``video_steps`` row and
its files in the object store under the answer's prefix. A rerun reads those rows and
runs only the steps that have none; a step's files are stored before its row, so a row
never names a missing file (a crash between the two reruns that step).

Progress goes to the answer's row and, as ``video_answer`` events, to the live channel
(:mod:`.progress`). A file that is not readable media (:class:`~.media.MediaError`) will
never be, so it is a :class:`PermanentTaskError`; once the queue gives up on a job (that,
or too many failed attempts) :meth:`VideoPipeline.give_up` marks the answer failed with
the reason. A deleted answer stops its job at the next step and leaves nothing behind.
"""

from __future__ import annotations

import logging
import mimetypes
import tempfile
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from interviewkit.config import Settings
from interviewkit.db import read_session, run_write, utcnow
from interviewkit.speech.ports import SpeechToText
from interviewkit.storage import ObjectStore
from interviewkit.tasks.port import PermanentTaskError, TaskQueue
from interviewkit.video import keys
from interviewkit.video.analysis import AnalysisInputs, run_steps
from interviewkit.video.grading import GradingLLM
from interviewkit.video.media import MediaError
from interviewkit.video.models import AnswerStatus, VideoAnswer, VideoInterview, VideoStep
from interviewkit.video.progress import Notifier, ProgressThrottle, set_answer_state
from interviewkit.video.service import ANALYZE, VideoService
from interviewkit.video.steps import STEP_NAMES

log = logging.getLogger("interviewkit.video")

CONTENT_TYPES = {".vtt": "text/vtt", ".json": "application/json", ".wav": "audio/wav"}


class AnswerGone(Exception):
    """The answer was deleted while its job ran: stop, keep nothing."""


class DatabaseStepStore:
    """The :class:`~.steps.StepStore` of one uploaded answer: rows and objects.

    Outputs are read once when the job starts and kept as they are saved (this job is the
    only writer of its answer's steps: the queue runs one job per answer at a time, its
    dedupe key says so). ``progress`` may be called from the analysis's worker threads.
    """

    def __init__(
        self,
        factory: sessionmaker[Session],
        store: ObjectStore,
        notifier: Notifier,
        answer_id: str,
        prefix: str,
        workdir: Path,
    ) -> None:
        self.factory = factory
        self.store = store
        self.notifier = notifier
        self.answer_id = answer_id
        self.prefix = prefix
        self.workdir = workdir
        self.throttle = ProgressThrottle()
        self._lock = threading.Lock()
        with read_session(factory) as db:
            rows = db.scalars(select(VideoStep).where(VideoStep.answer_id == answer_id)).all()
        self._outputs: dict[str, dict[str, Any]] = {row.step: dict(row.output) for row in rows}
        self._files: dict[str, str] = {
            name: key for row in rows for name, key in dict(row.files).items()
        }
        self._fractions: dict[str, float] = dict.fromkeys(self._outputs, 1.0)
        self.saved: list[str] = []
        """Steps this job ran and saved (the others were found stored)."""

    def output(self, step: str) -> dict[str, Any] | None:
        return self._outputs.get(step)

    def save(self, step: str, output: dict[str, Any], files: dict[str, Path] | None = None) -> None:
        stored: dict[str, str] = {}
        for name, path in (files or {}).items():
            key = keys.step_file_key(self.prefix, name)
            content_type = CONTENT_TYPES.get(path.suffix) or mimetypes.guess_type(name)[0]
            with path.open("rb") as handle:
                self.store.put(key, handle, content_type)
            stored[name] = key

        def work(db: Session) -> VideoAnswer | None:
            with self._lock:
                self._fractions[step] = 1.0
                overall = self._overall()
            answer = set_answer_state(
                db,
                self.notifier,
                self.answer_id,
                status=AnswerStatus.processing.value,
                step=step,
                progress=overall,
                updated_at=utcnow(),
            )
            if answer is None:
                return None
            db.merge(
                VideoStep(
                    answer_id=self.answer_id,
                    step=step,
                    output=output,
                    files=stored,
                    finished_at=utcnow(),
                )
            )
            return answer

        if run_write(self.factory, work) is None:
            for key in stored.values():
                self.store.delete(key)
            raise AnswerGone(self.answer_id)
        self._outputs[step] = output
        self._files.update(stored)
        self.saved.append(step)

    def file(self, name: str) -> Path:
        local = self.workdir / name
        if local.is_file():
            return local
        key = self._files.get(name)
        if key is None:
            raise FileNotFoundError(f"no step stored {name!r} for answer {self.answer_id}")
        partial = local.with_name(local.name + ".part")
        with partial.open("wb") as handle:
            for chunk in self.store.iter_chunks(key):
                handle.write(chunk)
        partial.replace(local)
        return local

    def progress(self, step: str, fraction: float) -> None:
        with self._lock:
            self._fractions[step] = max(self._fractions.get(step, 0.0), min(fraction, 1.0))
            overall = self._overall()
            if not self.throttle.due(step, fraction):
                return

        def work(db: Session) -> None:
            set_answer_state(
                db,
                self.notifier,
                self.answer_id,
                status=AnswerStatus.processing.value,
                step=step,
                progress=overall,
                updated_at=utcnow(),
            )

        try:
            run_write(self.factory, work)
        except Exception:  # progress is for people: never fail the analysis over it
            log.exception("video: progress of %s not written", self.answer_id)

    def _overall(self) -> float:
        """How much of the whole analysis is done, each step weighing the same."""
        return round(
            sum(self._fractions.get(step, 0.0) for step in STEP_NAMES) / len(STEP_NAMES), 4
        )


class VideoPipeline:
    """The ``video.analyze`` handler and its give-up hook, registered on the task queue."""

    def __init__(
        self,
        factory: sessionmaker[Session],
        store: ObjectStore,
        settings: Settings,
        notifier: Notifier,
        videos: VideoService,
        stt: Callable[[], SpeechToText],
        llm: GradingLLM | None,
    ) -> None:
        self.factory = factory
        self.store = store
        self.settings = settings
        self.notifier = notifier
        self.videos = videos
        self.stt = stt
        self.llm = llm
        self.last_store: DatabaseStepStore | None = None
        """The step store of the latest job this process ran (what tests inspect)."""

    def register(self, queue: TaskQueue) -> None:
        queue.register(ANALYZE, self.analyze, self.give_up)

    def analyze(self, payload: Mapping[str, Any]) -> None:
        """Run (or resume) one answer's analysis; nothing to do for a gone or finished one."""
        answer_id = str(payload.get("answer_id", ""))
        with read_session(self.factory) as db:
            found = db.execute(
                select(VideoAnswer, VideoInterview)
                .join(VideoInterview, VideoInterview.id == VideoAnswer.interview_id)
                .where(VideoAnswer.id == answer_id)
            ).one_or_none()
        if found is None or found[0].deleted:
            return  # deleted since it was queued
        answer, interview = found
        if answer.status in (AnswerStatus.analyzed, AnswerStatus.uploading):
            return
        question = interview.questions[answer.question_index]
        prefix = keys.answer_prefix(
            interview.id, interview.created_at, answer.question_index, answer.id
        )
        self._set(answer_id, status=AnswerStatus.processing.value, error=None)
        with tempfile.TemporaryDirectory(prefix="ik-video-job-") as folder:
            source = Path(folder) / answer.original_key.rsplit("/", 1)[-1]
            with source.open("wb") as handle:
                for chunk in self.store.iter_chunks(answer.original_key):
                    handle.write(chunk)
            steps = DatabaseStepStore(
                self.factory,
                self.store,
                self.notifier,
                answer_id,
                prefix,
                Path(folder) / "work",
            )
            self.last_store = steps
            inputs = AnalysisInputs(
                source=source,
                question=str(question["text"]),
                keywords=[str(word) for word in question.get("keywords", [])],
                settings=self.settings,
                stt=self.stt(),
                llm=self.llm,
            )
            try:
                run_steps(inputs, steps, Path(folder) / "work")
            except AnswerGone:
                return
            except MediaError as exc:
                raise PermanentTaskError(f"not readable media: {exc}") from exc
        self._set(
            answer_id,
            status=AnswerStatus.analyzed.value,
            step="report",
            progress=1.0,
            error=None,
            finished=True,
        )

    def give_up(self, payload: Mapping[str, Any], error: str) -> None:
        """The queue stopped retrying: the answer failed, and everyone is told why."""
        answer_id = str(payload.get("answer_id", ""))
        self._set(answer_id, status=AnswerStatus.failed.value, error=error[:2000], finished=True)

    def _set(self, answer_id: str, *, finished: bool = False, **values: Any) -> None:
        def work(db: Session) -> None:
            answer = set_answer_state(db, self.notifier, answer_id, updated_at=utcnow(), **values)
            if answer is not None and finished:
                self.videos.refresh_status(db, answer.interview_id)

        run_write(self.factory, work)
