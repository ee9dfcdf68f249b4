"""Archiving a recording once its session ends, serving the archive, pruning the hot log.

Archives are built in one background thread (a session's end must not wait for it); a
failed build is logged and can be run again from a later request or the CLI.
"""

from __future__ import annotations

import json
import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from interviewkit.db import read_session, run_write, utcnow
from interviewkit.errors import conflict
from interviewkit.recording import archive as archives
from interviewkit.recording.models import RecordedEvent, Recording
from interviewkit.recording.reads import RecordingReads
from interviewkit.storage import session_key


class RecordingArchives(RecordingReads):
    """The archiving half of :class:`~interviewkit.recording.service.RecordingService`."""

    _lock: threading.Lock
    _archiver: ThreadPoolExecutor | None
    _jobs: list[Future[None]]

    def schedule_archive(self, session_id: str) -> None:
        """Archive in the background (the session just ended)."""
        with self._lock:
            if self._archiver is None:
                self._archiver = ThreadPoolExecutor(1, thread_name_prefix="archiver")
            self._jobs = [job for job in self._jobs if not job.done()]
            self._jobs.append(self._archiver.submit(self._archive_quietly, session_id))

    def _archive_quietly(self, session_id: str) -> None:
        try:
            self.archive(session_id)
        except Exception:  # logged; a later request or the CLI can archive again
            logging.getLogger(__name__).exception("archiving %s failed", session_id)

    def wait_for_archives(self, timeout: float = 60.0) -> None:
        for job in list(self._jobs):
            job.result(timeout=timeout)

    def archive(self, session_id: str, fmt: str | None = None) -> Recording:
        """Write the log as one compressed NDJSON object with a keyframe index."""
        fmt = fmt or self.settings.recording_archive_format
        interview = self.sessions.get_session(session_id)
        row = self.recording(session_id)
        if row.pruned:
            return row
        built = archives.build(self.all_events(session_id, resolve=False), fmt)
        name = f"events.ndjson.{archives.SUFFIX[fmt]}"
        key = session_key(session_id, interview.created_at, "recordings", name)
        self.store.put(key, built.data, archives.CONTENT_TYPE[fmt])
        metadata = {
            "session_id": session_id,
            "candidate_name": interview.candidate_name,
            "candidate_email": interview.candidate_email,
            "events": built.events,
            "duration_ms": built.duration_ms,
            "raw_bytes": built.raw_bytes,
            "archive_bytes": len(built.data),
            "format": fmt,
            "index": built.index,
        }
        meta_key = session_key(session_id, interview.created_at, "recordings", "metadata.json")
        self.store.put(meta_key, json.dumps(metadata).encode(), "application/json")
        values = {
            "state": "archived",
            "archive_key": key,
            "archive_format": fmt,
            "archive_bytes": len(built.data),
            "raw_bytes": built.raw_bytes,
            "index": built.index,
            "archived_at": utcnow(),
        }

        def mark(db: Session) -> None:
            db.execute(update(Recording).where(Recording.session_id == session_id).values(values))

        run_write(self.factory, mark)
        return self.recording(session_id)

    def download_url(self, session_id: str) -> tuple[Recording, str, int]:
        row = self.recording(session_id)
        if row.archive_key is None:
            raise conflict("recording_not_archived", "the recording is archived when it ends")
        expires = self.settings.recording_url_seconds
        return row, self.store.presign_get(row.archive_key, expires), expires

    def prune(self, older_than_s: float | None = None) -> list[str]:
        """Delete hot events of recordings archived longer ago than the retention."""
        retention = (
            self.settings.recording_hot_retention_s if older_than_s is None else older_than_s
        )
        cutoff = utcnow().timestamp() - retention
        with read_session(self.factory) as db:
            rows = db.execute(
                select(Recording.session_id, Recording.archived_at).where(
                    Recording.state == "archived", Recording.pruned.is_(False)
                )
            ).all()
        doomed = [sid for sid, at in rows if at is not None and at.timestamp() <= cutoff]
        for session_id in doomed:

            def drop(db: Session, session_id: str = session_id) -> None:
                db.execute(delete(RecordedEvent).where(RecordedEvent.session_id == session_id))
                db.execute(
                    update(Recording).where(Recording.session_id == session_id).values(pruned=True)
                )

            run_write(self.factory, drop)
        return doomed

    def close(self) -> None:
        """Finish the archives under way (the server is stopping)."""
        with self._lock:
            archiver, self._archiver = self._archiver, None
        if archiver is not None:
            archiver.shutdown(wait=True)
