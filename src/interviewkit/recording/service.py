"""The recording domain: durable ingest, keyframes, replay, timeline, stats and archives.

Ingest holds the session row's lock (the same lock workspace writes take), so sequence
numbers are gap-free and every edit is checked against the workspace exactly as replay
will see it. An acknowledged event is committed (SQLite ``synchronous=FULL``, or
PostgreSQL); concurrent batches share commits through the database layer's group commit.
"""

from __future__ import annotations

import json
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, cast

from pydantic import ValidationError
from sqlalchemy import Table, bindparam, delete, insert, select, update
from sqlalchemy.orm import Session, sessionmaker

from interviewkit.config import Settings
from interviewkit.db import on_commit, read_session, run_write, utcnow
from interviewkit.errors import ProblemError, conflict, not_found
from interviewkit.recording import archive as archives
from interviewkit.recording.events import (
    CHANGES_FILES,
    EVENT_ADAPTER,
    KEYFRAMES,
    SERVER_ONLY,
    EditRejected,
    Workspace,
    apply,
    normalise_path,
    replay,
)
from interviewkit.recording.models import Keyframe, RecordedEvent, Recording
from interviewkit.recording.stats import session_stats, timeline
from interviewkit.sessions.models import InterviewSession
from interviewkit.sessions.service import SessionService
from interviewkit.sessions.workspace import LockedWorkspace
from interviewkit.storage import ObjectStore, session_key

EVENTS_TABLE = cast(Table, RecordedEvent.__table__)
RECORDINGS = cast(Table, Recording.__table__)
SESSIONS = cast(Table, InterviewSession.__table__)
# Built once: building a statement and its cache key per batch cost more than running it.
_COUNTERS = (
    select(
        SESSIONS.c.created_at,
        RECORDINGS.c.session_id,
        RECORDINGS.c.last_seq,
        RECORDINGS.c.last_t_ms,
        RECORDINGS.c.keyframe_seq,
        RECORDINGS.c.keyframe_t_ms,
        RECORDINGS.c.events,
    )
    .select_from(SESSIONS.outerjoin(RECORDINGS, RECORDINGS.c.session_id == SESSIONS.c.id))
    .where(SESSIONS.c.id == bindparam("sid"))
)
_KNOWN = select(EVENTS_TABLE.c.client_id, EVENTS_TABLE.c.seq).where(
    EVENTS_TABLE.c.session_id == bindparam("sid"),
    EVENTS_TABLE.c.client_id.in_(bindparam("ids", expanding=True)),
)
_SAVE = (
    update(RECORDINGS)
    .where(RECORDINGS.c.session_id == bindparam("sid"))
    .values(
        last_seq=bindparam("last_seq"),
        last_t_ms=bindparam("last_t_ms"),
        keyframe_seq=bindparam("keyframe_seq"),
        keyframe_t_ms=bindparam("keyframe_t_ms"),
        events=bindparam("events"),
    )
)
_NEW_RECORDING = insert(RECORDINGS)
_NEW_KEYFRAME = insert(cast(Table, Keyframe.__table__))
PENDING_STATES = "recording_states"
EVENT_COLUMNS = ("session_id", "seq", "client_id", "type", "client_ts", "t_ms", "server_ms", "data")


@dataclass
class _Counters:
    created: datetime
    last_seq: int
    last_t_ms: int
    keyframe_seq: int
    keyframe_t_ms: int
    events: int


@dataclass(frozen=True)
class Outcome:
    """What happened to one event of a batch."""

    index: int
    status: str  # stored | duplicate | rejected
    seq: int | None = None
    reason: str | None = None


@dataclass
class _Cached:
    seq: int
    files: Workspace


@dataclass
class _Pending:
    """An event about to be stored."""

    client_id: str | None
    type: str
    client_ts: int | None
    t_ms: int
    data: dict[str, Any]


def stored_dict(row: Mapping[str, Any]) -> dict[str, Any]:
    """A stored row as the event the API shows and replay applies."""
    event: dict[str, Any] = {
        "seq": row["seq"],
        "id": row["client_id"],
        "type": row["type"],
        "ts": row["client_ts"],
        "t_ms": row["t_ms"],
    }
    event.update(json.loads(row["data"]))
    return event


@dataclass
class RecordingService:
    factory: sessionmaker[Session]
    store: ObjectStore
    settings: Settings
    sessions: SessionService
    _states: OrderedDict[str, _Cached] = field(default_factory=OrderedDict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _archiver: ThreadPoolExecutor | None = None
    _archives: OrderedDict[str, bytes] = field(default_factory=OrderedDict)
    _jobs: list[Future[None]] = field(default_factory=list)

    # ---- ingest --------------------------------------------------------------------------

    def ingest(self, session_id: str, raw_events: Sequence[Any]) -> list[Outcome]:
        """Store a client batch; each event is stored, a duplicate, or rejected with why."""
        if len(raw_events) > self.settings.recording_max_batch_events:
            raise ProblemError(
                413,
                "batch_too_large",
                f"{len(raw_events)} events; at most {self.settings.recording_max_batch_events}",
            )
        outcomes: dict[int, Outcome] = {}
        parsed: list[tuple[int, dict[str, Any]]] = []
        for index, raw in enumerate(raw_events):
            event, reason = _parse(raw)
            if event is None:
                outcomes[index] = Outcome(index, "rejected", reason=reason)
            elif event["type"] in SERVER_ONLY:
                reason = f"{event['type']} events are written by the server"
                outcomes[index] = Outcome(index, "rejected", reason=reason)
            else:
                parsed.append((index, event))
        if parsed:

            def work(db: Session) -> list[Outcome]:
                return self._append(db, session_id, parsed, client=True)

            for outcome in run_write(self.factory, work):
                outcomes[outcome.index] = outcome
        else:
            self._check_session(session_id)
        return [outcomes[i] for i in range(len(raw_events))]

    def record(self, db: Session, session_id: str, events: Sequence[dict[str, Any]]) -> None:
        """Append server events inside the caller's transaction (which holds the lock)."""
        self._append(db, session_id, list(enumerate(events)), client=False)

    def ended(self, db: Session, session_id: str, status: str) -> None:
        """The session ends in this transaction: log it, and archive once committed."""
        self.record(db, session_id, [{"type": "session_ended", "status": status}])
        on_commit(db, lambda: self.schedule_archive(session_id))

    def record_now(self, session_id: str, event: dict[str, Any]) -> None:
        """Append one server event in its own transaction; nothing if the session ended."""

        def work(db: Session) -> None:
            LockedWorkspace.lock(db, session_id)
            self.record(db, session_id, [event])

        try:
            run_write(self.factory, work)
        except ProblemError as exc:
            if exc.code not in ("session_ended", "session_not_found"):
                raise

    def _check_session(self, session_id: str) -> None:
        interview = self.sessions.get_session(session_id)
        if not interview.is_active:
            raise conflict("session_ended", f"session is {interview.status}; recording closed")

    def _append(
        self, db: Session, session_id: str, batch: list[tuple[int, dict[str, Any]]], *, client: bool
    ) -> list[Outcome]:
        if client:
            LockedWorkspace.lock(db, session_id)  # 404 unknown, 409 ended
        recording = self._recording(db, session_id)
        created = recording.created
        outcomes: list[Outcome] = []
        ids = [e["id"] for _, e in batch if e.get("id")]
        known: dict[str, int] = {}
        if ids:
            rows = db.execute(_KNOWN, {"sid": session_id, "ids": ids})
            known = {client_id: seq for client_id, seq in rows if client_id}
        needs_state = any(e["type"] in CHANGES_FILES for _, e in batch)
        state = self._state(db, session_id, recording.last_seq) if needs_state else None
        now_ms = self._now_ms(created)
        skew_ms = int(self.settings.recording_clock_skew_s * 1000)
        pending: list[_Pending] = []
        seq, t_ms = recording.last_seq, recording.last_t_ms
        since_keyframe = seq - recording.keyframe_seq
        keyframe_t = recording.keyframe_t_ms
        new_keyframes: list[tuple[int, int]] = []
        for index, event in batch:
            client_id = event.pop("id", None)
            if client_id is not None and client_id in known:
                outcomes.append(Outcome(index, "duplicate", seq=known[client_id]))
                continue
            kind = event["type"]
            client_ts = event.pop("ts", None)
            if state is not None and kind in CHANGES_FILES:
                _normalise_files(event)
                if kind == "file_written" and state.get(event["file"]) == event["content"]:
                    continue  # the log has this content already (typed, then saved)
                try:
                    apply(state, event)
                except EditRejected as exc:
                    # a server event always happened; one the log cannot place adds nothing
                    outcomes.append(Outcome(index, "rejected", reason=str(exc)))
                    continue
            if kind == "paste":
                event["flagged"] = event["size"] >= self.settings.recording_large_paste_chars
            t_ms = _moment(client_ts, created, t_ms, now_ms, skew_ms)
            seq += 1
            since_keyframe += 1
            if client_id is not None:
                known[client_id] = seq
            data = {k: v for k, v in event.items() if k != "type"}
            pending.append(_Pending(client_id, kind, client_ts, t_ms, data))
            outcomes.append(Outcome(index, "stored", seq=seq))
            if kind in KEYFRAMES:
                since_keyframe, keyframe_t = 0, t_ms
                new_keyframes.append((seq, t_ms))
            elif state is not None and self._keyframe_due(since_keyframe, t_ms - keyframe_t):
                seq += 1
                pending.append(_Pending(None, "snapshot", None, t_ms, {"files": dict(state)}))
                new_keyframes.append((seq, t_ms))
                since_keyframe, keyframe_t = 0, t_ms
        if pending:
            self._write_events(db, session_id, pending, recording.last_seq)
            if new_keyframes:
                db.execute(
                    insert(Keyframe),
                    [{"session_id": session_id, "seq": s, "t_ms": t} for s, t in new_keyframes],
                )
            last_keyframe = new_keyframes[-1] if new_keyframes else None
            saved = {
                "sid": session_id,
                "last_seq": seq,
                "last_t_ms": t_ms,
                "events": recording.events + len(pending),
                "keyframe_seq": last_keyframe[0] if last_keyframe else recording.keyframe_seq,
                "keyframe_t_ms": last_keyframe[1] if last_keyframe else recording.keyframe_t_ms,
            }
            db.execute(_SAVE, saved)
            if state is not None:
                final = _Cached(seq, state)
                # later units of the same group commit read it (see _state); others, once
                # this transaction commits
                db.info.setdefault(PENDING_STATES, {})[session_id] = final
                on_commit(db, lambda: self._remember(session_id, final))
        return outcomes

    def _keyframe_due(self, events: int, elapsed_ms: int) -> bool:
        return (
            events >= self.settings.recording_keyframe_events
            or elapsed_ms >= self.settings.recording_keyframe_seconds * 1000
        )

    def _write_events(
        self, db: Session, session_id: str, pending: list[_Pending], last_seq: int
    ) -> None:
        """One executemany straight to the driver: the hottest statement of the platform."""
        server_ms = int(time.time() * 1000)
        rows = [
            (
                session_id,
                last_seq + offset + 1,
                event.client_id,
                event.type,
                event.client_ts,
                event.t_ms,
                server_ms,
                self._encoded(event.data),
            )
            for offset, event in enumerate(pending)
        ]
        connection = db.connection()
        connection.exec_driver_sql(_insert_sql(connection.dialect.paramstyle), rows)

    def _encoded(self, data: dict[str, Any]) -> str:
        text = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
        if len(text) > self.settings.recording_max_event_bytes:
            raise ProblemError(
                413,
                "event_too_large",
                f"an event of {len(text)} bytes; at most {self.settings.recording_max_event_bytes}",
            )
        return text

    def _recording(self, db: Session, session_id: str) -> _Counters:
        """The session's counters, creating them (and a first keyframe) on first use."""
        row = db.execute(_COUNTERS, {"sid": session_id}).one_or_none()
        if row is None:
            raise not_found("session_not_found", f"no session {session_id!r}")
        created = _aware(row.created_at)
        if row.session_id is not None:
            return _Counters(
                created,
                row.last_seq,
                row.last_t_ms,
                row.keyframe_seq,
                row.keyframe_t_ms,
                row.events,
            )
        files = self.sessions.workspace_in(db, session_id)
        t_ms = max(0, self._now_ms(created))
        db.execute(
            _NEW_RECORDING,
            {
                "session_id": session_id,
                "last_seq": 1,
                "last_t_ms": t_ms,
                "keyframe_seq": 1,
                "keyframe_t_ms": t_ms,
                "state": "live",
                "archive_bytes": 0,
                "raw_bytes": 0,
                "index": [],
                "pruned": False,
                "events": 1,
            },
        )
        started = _Pending(None, "session_started", None, t_ms, {"files": files})
        self._write_events(db, session_id, [started], 0)
        db.execute(_NEW_KEYFRAME, {"session_id": session_id, "seq": 1, "t_ms": t_ms})
        first = _Cached(1, files)
        db.info.setdefault(PENDING_STATES, {})[session_id] = first
        on_commit(db, lambda: self._remember(session_id, _Cached(1, dict(files))))
        return _Counters(created, 1, t_ms, 1, t_ms, 1)

    @staticmethod
    def _now_ms(created: datetime) -> int:
        return int((utcnow() - created).total_seconds() * 1000)

    # ---- the workspace as the log says ------------------------------------------------------

    def _state(self, db: Session, session_id: str, last_seq: int) -> Workspace:
        """The workspace after ``last_seq``: from this transaction, the cache, or the log.

        Group commit runs several writers' units in one transaction, so a unit must see
        what an earlier unit of the same transaction appended (not yet in the cache, which
        is updated on commit). Each candidate is trusted only if its seq is the log's.
        """
        pending = db.info.get(PENDING_STATES, {}).get(session_id)
        if pending is not None and pending.seq == last_seq:
            return dict(pending.files)
        with self._lock:
            cached = self._states.get(session_id)
            if cached is not None and cached.seq == last_seq:
                self._states.move_to_end(session_id)
                return dict(cached.files)
        keyframe = db.scalar(
            select(Keyframe.seq)
            .where(Keyframe.session_id == session_id)
            .order_by(Keyframe.seq.desc())
            .limit(1)
        )
        events = self._db_events(db, session_id, after=(keyframe or 1) - 1)
        return replay({}, events)

    def _remember(self, session_id: str, state: _Cached) -> None:
        with self._lock:
            self._states[session_id] = state
            self._states.move_to_end(session_id)
            while len(self._states) > self.settings.recording_state_cache:
                self._states.popitem(last=False)

    def _db_events(
        self,
        db: Session,
        session_id: str,
        *,
        after: int = 0,
        before: int | None = None,
        until_ms: int | None = None,
        limit: int | None = None,
    ) -> list[dict[str, Any]]:
        query = select(
            RecordedEvent.seq,
            RecordedEvent.client_id,
            RecordedEvent.type,
            RecordedEvent.client_ts,
            RecordedEvent.t_ms,
            RecordedEvent.data,
        ).where(RecordedEvent.session_id == session_id, RecordedEvent.seq > after)
        if before is not None:
            query = query.where(RecordedEvent.seq < before)
        if until_ms is not None:
            query = query.where(RecordedEvent.t_ms <= until_ms)
        query = query.order_by(RecordedEvent.seq)
        if limit is not None:
            query = query.limit(limit)
        return [stored_dict(dict(row._mapping)) for row in db.execute(query)]

    # ---- reading ------------------------------------------------------------------------

    def recording(self, session_id: str) -> Recording:
        with read_session(self.factory) as db:
            if db.get(InterviewSession, session_id) is None:
                raise not_found("session_not_found", f"no session {session_id!r}")
            row = db.get(Recording, session_id)
            if row is None:
                raise not_found("no_recording", f"session {session_id} has no events yet")
            db.expunge(row)
            return row

    def workspace_at(self, session_id: str, at_ms: int) -> tuple[Workspace, int]:
        """The workspace at ``at_ms`` and the seq of the last event applied."""
        row = self.recording(session_id)
        if row.pruned:
            return self._archive_source(row).workspace_at(at_ms)
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
        return replay({}, events), events[-1]["seq"] if events else 0

    def _db_events_first(self, session_id: str) -> list[dict[str, Any]]:
        with read_session(self.factory) as db:
            return self._db_events(db, session_id, limit=1)

    def events(self, session_id: str, from_seq: int, limit: int) -> list[dict[str, Any]]:
        row = self.recording(session_id)
        if row.pruned:
            return [e for e in self._archive_source(row).events() if e["seq"] >= from_seq][:limit]
        with read_session(self.factory) as db:
            return self._db_events(db, session_id, after=from_seq - 1, limit=limit)

    def all_events(self, session_id: str) -> Iterator[dict[str, Any]]:
        row = self.recording(session_id)
        if row.pruned:
            yield from self._archive_source(row).events()
            return
        after = 0
        while True:
            with read_session(self.factory) as db:
                page = self._db_events(db, session_id, after=after, limit=5000)
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
        import difflib

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

    # ---- archives ---------------------------------------------------------------------------

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
            import logging

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
        built = archives.build(self.all_events(session_id), fmt)
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

    def _archive_source(self, row: Recording) -> archives.ArchiveReader:
        assert row.archive_key is not None
        assert row.archive_format is not None
        with self._lock:
            data = self._archives.get(row.archive_key)
        if data is None:
            data = self.store.get(row.archive_key)
            with self._lock:
                self._archives[row.archive_key] = data
                while len(self._archives) > 8:
                    self._archives.popitem(last=False)
        return archives.ArchiveReader(data, row.archive_format, row.index)

    def close(self) -> None:
        """Finish the archives under way (the server is stopping)."""
        with self._lock:
            archiver, self._archiver = self._archiver, None
        if archiver is not None:
            archiver.shutdown(wait=True)


def _parse(raw: Any) -> tuple[dict[str, Any] | None, str | None]:
    try:
        event = EVENT_ADAPTER.validate_python(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        return None, f"{where}: {first['msg']}" if where else first["msg"]
    return event.model_dump(exclude_none=True), None


def _normalise_files(event: dict[str, Any]) -> None:
    for key in ("file", "to"):
        if key in event:
            event[key] = normalise_path(event[key])


def _moment(
    client_ts: int | None, created: datetime, previous: int, now_ms: int, skew_ms: int
) -> int:
    """Milliseconds since the session started: the client's clock (the server's when it
    sends none), kept in order and at most ``skew_ms`` ahead of the server's clock."""
    if client_ts is None:
        return max(previous, now_ms)
    claimed = client_ts - int(created.timestamp() * 1000)
    return max(previous, min(claimed, now_ms + skew_ms))


def _insert_sql(paramstyle: str) -> str:
    mark = "?" if paramstyle == "qmark" else "%s"
    columns = ", ".join(EVENT_COLUMNS)
    return f"INSERT INTO recording_events ({columns}) VALUES ({', '.join([mark] * 8)})"  # noqa: S608  (constants only)


def _aware(moment: datetime) -> datetime:
    """A raw Core read of a UTC column is naive on SQLite."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
