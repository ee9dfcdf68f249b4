"""Reading a recording: the log, the workspace at a moment, timeline, stats and diffs.

A live recording is read from the hot log (from the keyframe before the moment asked);
a pruned one from its archive, the last few archives kept in memory.
"""

from __future__ import annotations

import difflib
import itertools
import json
from collections.abc import Iterator, Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from interviewkit.caching import LRUCache
from interviewkit.config import Settings
from interviewkit.db import read_session
from interviewkit.errors import not_found
from interviewkit.recording import archive as archives
from interviewkit.recording.contents import ContentRefs
from interviewkit.recording.events import Workspace, replay
from interviewkit.recording.models import Keyframe, RecordedEvent, Recording
from interviewkit.recording.stats import session_stats, timeline
from interviewkit.sessions.service import SessionService
from interviewkit.storage import ObjectStore


def stored_dict(row: Mapping[str, Any]) -> dict[str, Any]:
    """A stored row as the event the API shows and replay applies."""
    event: dict[str, Any] = {
        "seq": row["seq"],
        "id": row["client_id"],
        "type": row["type"],
        "source": row["source"],
        "ts": row["client_ts"],
        "t_ms": row["t_ms"],
    }
    event.update(json.loads(row["data"]))
    return event


class RecordingReads:
    """The reading half of :class:`~interviewkit.recording.service.RecordingService`."""

    factory: sessionmaker[Session]
    store: ObjectStore
    settings: Settings
    sessions: SessionService
    contents: ContentRefs
    _archives: LRUCache[str, bytes]

    def _db_events(
        self,
        db: Session,
        session_id: str,
        *,
        after: int = 0,
        before: int | None = None,
        until_ms: int | None = None,
        limit: int | None = None,
        resolve: bool = True,
        types: frozenset[str] | None = None,
    ) -> list[dict[str, Any]]:
        query = select(
            RecordedEvent.seq,
            RecordedEvent.client_id,
            RecordedEvent.type,
            RecordedEvent.source,
            RecordedEvent.client_ts,
            RecordedEvent.t_ms,
            RecordedEvent.data,
        ).where(RecordedEvent.session_id == session_id, RecordedEvent.seq > after)
        if before is not None:
            query = query.where(RecordedEvent.seq < before)
        if until_ms is not None:
            query = query.where(RecordedEvent.t_ms <= until_ms)
        if types is not None:
            query = query.where(RecordedEvent.type.in_(sorted(types)))
        query = query.order_by(RecordedEvent.seq)
        if limit is not None:
            query = query.limit(limit)
        events = [stored_dict(dict(row._mapping)) for row in db.execute(query)]
        return [self.contents.resolved(event) for event in events] if resolve else events

    # ---- reading ------------------------------------------------------------------------

    def recording(self, session_id: str) -> Recording:
        with read_session(self.factory) as db:
            self.sessions.started_at(db, session_id)  # 404 unknown
            row = db.get(Recording, session_id)
            if row is None:
                raise not_found("no_recording", f"session {session_id} has no events yet")
            db.expunge(row)
            return row

    def workspace_at(self, session_id: str, at_ms: int) -> tuple[Workspace, int]:
        """The workspace at ``at_ms`` and the seq of the last event applied."""
        files, seq, _ = self.replay_at(session_id, at_ms)
        return files, seq

    def replay_at(self, session_id: str, at_ms: int) -> tuple[Workspace, int, str | None]:
        """The workspace at ``at_ms``, the seq of the last event applied and who wrote it."""
        row = self.recording(session_id)
        if row.pruned:
            return self._archive_source(row).replay_at(at_ms)
        with read_session(self.factory) as db:
            keyframe = db.execute(
                select(Keyframe.seq)
                .where(Keyframe.session_id == session_id, Keyframe.t_ms <= max(at_ms, 0))
                .order_by(Keyframe.seq.desc())
                .limit(1)
            ).scalar()
            start = keyframe if keyframe is not None else 1
            following = db.execute(
                select(Keyframe.seq)
                .where(Keyframe.session_id == session_id, Keyframe.seq > start)
                .order_by(Keyframe.seq)
                .limit(1)
            ).scalar()
            events = self._db_events(
                db, session_id, after=start - 1, before=following, until_ms=max(at_ms, 0)
            )
        if not events:  # before the first keyframe: the session as it started
            events = self._db_events_first(session_id)
        if not events:
            return {}, 0, None
        return replay({}, events), events[-1]["seq"], events[-1].get("source")

    def _db_events_first(self, session_id: str) -> list[dict[str, Any]]:
        with read_session(self.factory) as db:
            return self._db_events(db, session_id, limit=1)

    def events(
        self, session_id: str, from_seq: int, limit: int, types: frozenset[str] | None = None
    ) -> list[dict[str, Any]]:
        """A page of the log from ``from_seq``; ``types``: only events of these types (the
        voice conversation of a long session without reading every edit over HTTP)."""
        row = self.recording(session_id)
        if row.pruned:
            kept = (
                e
                for e in self._archive_source(row).events()
                if e["seq"] >= from_seq and (types is None or e["type"] in types)
            )
            return list(itertools.islice(kept, limit))
        with read_session(self.factory) as db:
            return self._db_events(db, session_id, after=from_seq - 1, limit=limit, types=types)

    def all_events(self, session_id: str, *, resolve: bool = True) -> Iterator[dict[str, Any]]:
        """The whole log in seq order; ``resolve=False`` leaves contents by reference (as
        the archive keeps them: the content objects stay next to it in the store)."""
        row = self.recording(session_id)
        if row.pruned:
            yield from self._archive_source(row).events()
            return
        after = 0
        while True:
            with read_session(self.factory) as db:
                page = self._db_events(db, session_id, after=after, limit=5000, resolve=resolve)
            yield from page
            if len(page) < 5000:
                return
            after = page[-1]["seq"]

    def timeline(self, session_id: str) -> dict[str, Any]:
        return timeline(
            self.all_events(session_id), int(self.settings.recording_idle_seconds * 1000)
        )

    def stats(self, session_id: str) -> dict[str, Any]:
        return session_stats(
            self.all_events(session_id), int(self.settings.recording_idle_seconds * 1000)
        )

    def diff(self, session_id: str, from_ms: int, to_ms: int) -> str:
        before, _ = self.workspace_at(session_id, from_ms)
        after, _ = self.workspace_at(session_id, to_ms)
        parts: list[str] = []
        for path in sorted(set(before) | set(after)):
            old, new = before.get(path), after.get(path)
            if old == new:
                continue
            parts.extend(
                difflib.unified_diff(
                    (old or "").splitlines(keepends=True),
                    (new or "").splitlines(keepends=True),
                    fromfile=f"a{path}" if old is not None else "/dev/null",
                    tofile=f"b{path}" if new is not None else "/dev/null",
                )
            )
        return "".join(line if line.endswith("\n") else line + "\n" for line in parts)

    def _archive_source(self, row: Recording) -> archives.ArchiveReader:
        assert row.archive_key is not None
        assert row.archive_format is not None
        data = self._archives.get(row.archive_key)
        if data is None:
            data = self.store.get(row.archive_key)
            self._archives.put(row.archive_key, data)
        return archives.ArchiveReader(data, row.archive_format, row.index, self.contents.resolved)
