"""An answer's status, step and progress: written to its row and told to the live channel.

Every change is one small transaction that locks the session first (the order every write
of a session follows), updates the answer, and records a ``video_answer`` event in the
session's recording, which the hub fans out to the candidate's page and the staff's.
A session that has ended (staff closed it) still gets its answers' rows updated; only its
recording, closed by then, is left alone.

Progress within a step arrives many times a second from ffmpeg and the frame sampler;
:class:`ProgressThrottle` lets through a step's start and end and at most one write per
``min_interval_s`` in between, so a five-minute answer costs tens of writes, not thousands.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from interviewkit.recording.service import RecordingService
from interviewkit.sessions.errors import SessionEnded, SessionNotFound
from interviewkit.sessions.service import SessionService
from interviewkit.video.models import VideoAnswer, VideoInterview

MIN_INTERVAL_S = 1.0
MIN_STEP = 0.05


def answer_event(answer: VideoAnswer) -> dict[str, Any]:
    """The ``video_answer`` recording event for the answer as it is now."""
    event: dict[str, Any] = {
        "type": "video_answer",
        "answer_id": answer.id,
        "question_index": answer.question_index,
        "status": answer.status,
        "step": answer.step,
        "progress": round(min(max(answer.progress, 0.0), 1.0), 4),
    }
    if answer.error:
        event["error"] = answer.error[:2000]
    return event


@dataclass
class Notifier:
    """Records ``video_answer`` events in the caller's transaction."""

    sessions: SessionService
    recording: RecordingService

    def lock(self, db: Session, session_id: str) -> bool:
        """Lock the session (first, as every write of it does); whether its recording is
        still open (an ended session's is closed: the answer's row alone says it then)."""
        try:
            workspace = self.sessions.lock(db, session_id, allow_ended=True)
        except (SessionEnded, SessionNotFound):
            return False
        return workspace.is_active

    def tell(self, db: Session, session_id: str, answer: VideoAnswer) -> None:
        """Record the answer's state; the caller holds the session's lock (see :meth:`lock`)."""
        self.recording.record(db, session_id, [answer_event(answer)])


@dataclass
class ProgressThrottle:
    """Decides which progress reports are worth a write (see the module docstring)."""

    min_interval_s: float = MIN_INTERVAL_S
    min_step: float = MIN_STEP
    clock: Callable[[], float] = time.monotonic
    _last: dict[str, tuple[float, float]] = field(default_factory=dict)

    def due(self, step: str, fraction: float) -> bool:
        now = self.clock()
        last = self._last.get(step)
        ends = fraction <= 0.0 or fraction >= 1.0
        if last is not None and not ends:
            at, value = last
            if now - at < self.min_interval_s or fraction - value < self.min_step:
                return False
        self._last[step] = (now, fraction)
        return True


def set_answer_state(
    db: Session,
    notifier: Notifier,
    answer_id: str,
    **values: Any,
) -> VideoAnswer | None:
    """Update the answer's row (status, step, progress, error…) and tell the live channel;
    None when the answer is gone or deleted (the pipeline then stops)."""
    found = db.execute(
        select(VideoAnswer, VideoInterview.session_id)
        .join(VideoInterview, VideoInterview.id == VideoAnswer.interview_id)
        .where(VideoAnswer.id == answer_id)
    ).one_or_none()
    if found is None or found[0].deleted:
        return None
    answer, session_id = found
    recording_open = notifier.lock(db, session_id)
    db.execute(update(VideoAnswer).where(VideoAnswer.id == answer_id).values(**values))
    db.refresh(answer)
    if recording_open:
        notifier.tell(db, session_id, answer)
    return answer
