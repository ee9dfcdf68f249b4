"""The recording domain: durable ingest, keyframes, replay, timeline, stats and archives.

Ingest holds the session row's lock (the same lock workspace writes take), so sequence
numbers are gap-free and every edit is checked against the workspace exactly as replay
will see it. An acknowledged event is committed (SQLite ``synchronous=FULL``, or
PostgreSQL); concurrent batches share commits through the database layer's group commit.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, cast

from pydantic import ValidationError
from sqlalchemy import Connection, Table, bindparam, insert, select, update
from sqlalchemy.orm import Session, sessionmaker

from interviewkit.caching import LRUCache
from interviewkit.config import Settings
from interviewkit.db import Prepared, on_commit, run_write, utcnow
from interviewkit.errors import ProblemError, conflict
from interviewkit.recording.apply import Refused, WorkspaceEdits
from interviewkit.recording.archiving import RecordingArchives
from interviewkit.recording.contents import ContentRefs
from interviewkit.recording.events import (
    CANDIDATE,
    CHANGES_FILES,
    EVENT_ADAPTER,
    KEYFRAMES,
    SYSTEM,
    WORKSPACE_EVENTS,
    EditRejected,
    Workspace,
    apply,
    normalise_path,
    refusal,
    replay,
)
from interviewkit.recording.models import Keyframe, RecordedEvent, Recording
from interviewkit.sessions.errors import SessionEnded, SessionNotFound
from interviewkit.sessions.service import SessionService
from interviewkit.sessions.workspace import LockedWorkspace
from interviewkit.storage import ObjectStore

EVENTS_TABLE = cast(Table, RecordedEvent.__table__)
RECORDINGS = cast(Table, Recording.__table__)
# Built once: building a statement and its cache key per batch cost more than running it.
_COUNTER_COLUMNS = (
    RECORDINGS.c.last_seq,
    RECORDINGS.c.last_t_ms,
    RECORDINGS.c.keyframe_seq,
    RECORDINGS.c.keyframe_t_ms,
    RECORDINGS.c.events,
    RECORDINGS.c.bytes,
    RECORDINGS.c.state,
    RECORDINGS.c.pruned,
)
_COUNTERS = select(*_COUNTER_COLUMNS).where(RECORDINGS.c.session_id == bindparam("sid"))
# the statements of every keystroke run on the driver directly (see Prepared)
_COUNTERS_NOW = Prepared(_COUNTERS)
_KNOWN_ONE = Prepared(
    select(EVENTS_TABLE.c.client_id, EVENTS_TABLE.c.seq).where(
        EVENTS_TABLE.c.session_id == bindparam("sid"),
        EVENTS_TABLE.c.client_id == bindparam("id"),
    )
)
_KNOWN = select(EVENTS_TABLE.c.client_id, EVENTS_TABLE.c.seq).where(
    EVENTS_TABLE.c.session_id == bindparam("sid"),
    EVENTS_TABLE.c.client_id.in_(bindparam("ids", expanding=True)),
)
_SAVE = Prepared(
    update(RECORDINGS)
    .where(RECORDINGS.c.session_id == bindparam("sid"))
    .values(
        last_seq=bindparam("last_seq"),
        last_t_ms=bindparam("last_t_ms"),
        keyframe_seq=bindparam("keyframe_seq"),
        keyframe_t_ms=bindparam("keyframe_t_ms"),
        events=bindparam("events"),
        bytes=bindparam("bytes"),
    )
)
_INSERT_EVENTS = Prepared(insert(EVENTS_TABLE))
_NEW_RECORDING = insert(RECORDINGS)
_SAVE_BYTES = (
    update(RECORDINGS)
    .where(RECORDINGS.c.session_id == bindparam("sid"))
    .values(bytes=bindparam("bytes"))
)
_LIVE_AGAIN = (
    update(RECORDINGS).where(RECORDINGS.c.session_id == bindparam("sid")).values(state="live")
)
_MAY_REFERENCE = frozenset({"edit", "file_created", "file_written", "snapshot", "session_started"})
_NEW_KEYFRAME = insert(cast(Table, Keyframe.__table__))
PENDING_STATES = "recording_states"
StoredListener = Callable[[str, list[dict[str, Any]]], None]
"""Told, once committed, of the events a transaction stored (the live channel's fan-out)."""


@dataclass
class _Counters:
    created: datetime
    last_seq: int
    last_t_ms: int
    keyframe_seq: int
    keyframe_t_ms: int
    events: int
    bytes: int = 0
    state: str = "live"
    pruned: bool = False


@dataclass(frozen=True)
class Outcome:
    """What happened to one event of a batch."""

    index: int
    status: str  # stored | duplicate | rejected
    seq: int | None = None
    reason: str | None = None
    version: int | None = None
    """The file's version once a stored workspace event applied (chain ``base_version``)."""


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
    source: str = SYSTEM


@dataclass
class RecordingService(RecordingArchives):
    """Ingest (here), reading (:mod:`.reads`) and archives (:mod:`.archiving`) of the
    recordings of sessions."""

    factory: sessionmaker[Session]
    store: ObjectStore
    settings: Settings
    sessions: SessionService
    _states: LRUCache[str, _Cached] = field(init=False)
    """Replayed workspaces by session, ``recording_state_cache`` of them."""
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _archiver: ThreadPoolExecutor | None = None
    _archives: LRUCache[str, bytes] = field(default_factory=lambda: LRUCache(8))
    contents: ContentRefs = field(init=False)
    _jobs: list[Future[None]] = field(default_factory=list)
    _paths: LRUCache[str, str | ProblemError] = field(default_factory=lambda: LRUCache(4096))
    """Paths clients sent, canonical (or why not): the same few files on every keystroke,
    and the files API's rules (settings) never change while the process runs."""
    listener: StoredListener | None = None
    """Called after the commit with the session and its stored events as dicts
    (``{seq, type, t_ms, source, id, …data}``, contents inline), in seq order."""

    def __post_init__(self) -> None:
        self._states = LRUCache(self.settings.recording_state_cache)
        self.contents = ContentRefs(self.store)

    # ---- ingest --------------------------------------------------------------------------

    def ingest(
        self,
        session_id: str,
        raw_events: Sequence[Any],
        source: str = CANDIDATE,
        *,
        chained: bool = False,
    ) -> list[Outcome]:
        """Store a client batch; each event is stored, a duplicate, or rejected with why.

        ``source`` is who sent it, from the credential (``candidate`` or
        ``staff:<API key id>``): never from the event, so the record says who did what.
        ``chained``: each event on a path was made on top of the one before it (the ops of
        a live ``file-operation``), so one refused refuses the later ones on that path.
        """
        if len(raw_events) > self.settings.recording_max_batch_events:
            raise ProblemError(
                413,
                "batch_too_large",
                f"{len(raw_events)} events; at most {self.settings.recording_max_batch_events}",
            )
        outcomes: dict[int, Outcome] = {}
        parsed: list[tuple[int, dict[str, Any]]] = []
        paths: dict[str, str | ProblemError] = {}  # each distinct path checked once a batch
        for index, raw in enumerate(raw_events):
            event, reason = _parse(raw)
            if event is not None:
                reason = (
                    refusal(event, source)
                    or _not_unicode(event)
                    or self._canonical_paths(event, paths)
                )
            if event is None or reason is not None:
                outcomes[index] = Outcome(index, "rejected", reason=reason)
            else:
                parsed.append((index, event))
        if parsed:

            def work(db: Session) -> list[Outcome]:
                return self._append(db, session_id, parsed, source=source, chained=chained)

            # Core statements only: its unit of a group commit takes a cheap SAVEPOINT
            for outcome in run_write(self.factory, work, core=True):
                outcomes[outcome.index] = outcome
        else:
            self._check_session(session_id)
        return [outcomes[i] for i in range(len(raw_events))]

    def _canonical_paths(
        self, event: dict[str, Any], seen: dict[str, str | ProblemError]
    ) -> str | None:
        """Put the event's paths in canonical form by the files API's rules; or why not."""
        for key in ("file", "to"):
            raw = event.get(key)
            if raw is None:
                continue
            found = seen.get(raw) or self._paths.get(raw)
            if found is None:
                try:
                    found = self.sessions.normalize(raw)
                except ProblemError as exc:
                    found = exc
                self._paths.put(raw, found)
            seen[raw] = found
            if isinstance(found, ProblemError):
                return f"{key}: {found.detail}"
            event[key] = found
        return None

    def record(
        self,
        db: Session,
        session_id: str,
        events: Sequence[dict[str, Any]],
        source: str = SYSTEM,
    ) -> None:
        """Append events the server produced inside the caller's transaction (which holds
        the lock). ``source`` names who caused them: a files-API write is recorded as its
        writer's (``candidate`` or ``staff:<key id>``), yet as a server event it is never
        checked against what that writer may send, since the server made it."""
        self._append(db, session_id, list(enumerate(events)), source=source, server=True)

    def ended(self, db: Session, session_id: str, status: str) -> None:
        """The session ends in this transaction: log it, and archive once committed."""
        self.record(db, session_id, [{"type": "session_ended", "status": status}])
        on_commit(db, lambda: self.schedule_archive(session_id))

    def record_in(self, db: Session, session_id: str, event: dict[str, Any]) -> None:
        """Append one server event inside the caller's transaction (an execution's row
        commit), taking the session's lock as :meth:`record_now` does."""
        self.sessions.lock(db, session_id, server=True)  # also past the deadline
        self.record(db, session_id, [event])

    def record_now(self, session_id: str, event: dict[str, Any]) -> None:
        """Append one server event in its own transaction; nothing if the session ended."""

        def work(db: Session) -> None:
            self.record_in(db, session_id, event)

        with contextlib.suppress(SessionEnded, SessionNotFound):  # none to record it in
            run_write(self.factory, work)

    def _check_session(self, session_id: str) -> None:
        interview = self.sessions.get_session(session_id)
        if not interview.is_active:
            raise SessionEnded(interview.status, "recording closed")

    def _lock_for(
        self, db: Session, session_id: str, batch: list[tuple[int, dict[str, Any]]], source: str
    ) -> LockedWorkspace:
        """Lock the session for a client batch: an active one, or (for staff notes only,
        an interview is annotated after it ends) an ended one."""
        workspace = self.sessions.lock(db, session_id, allow_ended=True)  # 404 unknown
        if not workspace.is_active:
            notes = all(event["type"] == "note" for _, event in batch)
            if not (notes and source.startswith("staff:")):
                raise workspace.closed_error("its recording is closed")
        return workspace

    def _append(
        self,
        db: Session,
        session_id: str,
        batch: list[tuple[int, dict[str, Any]]],
        *,
        source: str,
        server: bool = False,
        chained: bool = False,
    ) -> list[Outcome]:
        """Append ``batch`` as ``source``'s; ``server`` events are made by the server in the
        caller's locked transaction, so they skip the checks a client batch goes through."""
        client = not server
        workspace = self._lock_for(db, session_id, batch, source) if client else None
        # one Connection for the whole append: asking the Session for it costs each time
        connection = workspace.connection if workspace is not None else db.connection()
        recording = self._recording(db, session_id, connection)
        if workspace is not None and not workspace.is_active:
            if recording.pruned:
                raise conflict(
                    "recording_pruned", "the recording was archived and pruned; it is read-only"
                )
            # the archive must hold the note too: live (so prune keeps the hot log) until
            # it is built again, after this commit
            db.execute(_LIVE_AGAIN, {"sid": session_id})
            on_commit(db, lambda: self.schedule_archive(session_id))
        created = recording.created
        outcomes: list[Outcome] = []
        ids = [e["id"] for _, e in batch if e.get("id")]
        known: dict[str, int] = {}
        if len(ids) == 1:  # a live message of one op: the common case, on the driver
            rows: Sequence[Any] = _KNOWN_ONE.rows(connection, {"sid": session_id, "id": ids[0]})
        else:
            rows = connection.execute(_KNOWN, {"sid": session_id, "ids": ids}).all() if ids else []
        known = {client_id: seq for client_id, seq in rows if client_id}
        needs_state = any(e["type"] in CHANGES_FILES for _, e in batch)
        state = self._state(db, session_id, recording.last_seq) if needs_state else None
        edits: WorkspaceEdits | None = None
        if workspace is not None and any(e["type"] in WORKSPACE_EVENTS for _, e in batch):
            edited = _edited_only(batch)
            edits = WorkspaceEdits.start(workspace, self.settings, edited, chained=chained)
        now_ms = self._now_ms(created)
        skew_ms = int(self.settings.recording_clock_skew_s * 1000)
        large = self.settings.recording_large_paste_chars
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
            version = None
            if state is not None and kind in CHANGES_FILES:
                if edits is not None:
                    try:
                        version = edits.apply(state, event)
                    except Refused as exc:
                        outcomes.append(Outcome(index, "rejected", reason=str(exc)))
                        continue
                else:
                    _normalise_files(event)
                    before = state.get(event["file"]) if "file" in event else None
                    if kind == "file_written" and before == event["content"]:
                        continue  # the log has this content already (typed, then saved)
                    try:
                        apply(state, event)
                    except EditRejected as exc:
                        # a server event always happened; one the log cannot place adds nothing
                        outcomes.append(Outcome(index, "rejected", reason=str(exc)))
                        continue
                    if kind == "file_written":
                        self._flag_rewrite(event, before or "")
                if kind == "edit" and len(event.get("insert", "")) >= large:
                    event["flagged"] = True  # a paste, whatever the client reported
                elif kind == "file_created" and len(event.get("content", "")) >= large:
                    event["flagged"] = True
            if kind == "paste":
                event["flagged"] = event["size"] >= large
            if version is not None:
                event["version"] = version  # the file's version once this event applied
            t_ms = _moment(client_ts, created, t_ms, now_ms, skew_ms)
            seq += 1
            since_keyframe += 1
            if client_id is not None:
                known[client_id] = seq
            data = {k: v for k, v in event.items() if k != "type"}
            pending.append(_Pending(client_id, kind, client_ts, t_ms, data, source))
            outcomes.append(Outcome(index, "stored", seq=seq, version=version))
            if kind in KEYFRAMES:
                since_keyframe, keyframe_t = 0, t_ms
                new_keyframes.append((seq, t_ms))
            elif state is not None and self._keyframe_due(since_keyframe, t_ms - keyframe_t):
                seq += 1
                pending.append(_Pending(None, "snapshot", None, t_ms, {"files": dict(state)}))
                new_keyframes.append((seq, t_ms))
                since_keyframe, keyframe_t = 0, t_ms
        if pending:
            added = self._write_events(connection, session_id, created, pending, recording.last_seq)
            if self.listener is not None:
                self._tell_on_commit(db, session_id, pending, recording.last_seq)
            if client:
                self._check_quota(recording, len(pending), added)
            if edits is not None and edits.dirty and state is not None and workspace is not None:
                now = utcnow()
                self.sessions.apply_recorded(workspace, edits.rows, edits.files, state, now)
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
                "bytes": recording.bytes + added,
                "keyframe_seq": last_keyframe[0] if last_keyframe else recording.keyframe_seq,
                "keyframe_t_ms": last_keyframe[1] if last_keyframe else recording.keyframe_t_ms,
            }
            _SAVE.run(connection, saved)
            if state is not None:
                final = _Cached(seq, state)
                # later units of the same group commit read it (see _state); others, once
                # this transaction commits
                db.info.setdefault(PENDING_STATES, {})[session_id] = final
                on_commit(db, lambda: self._remember(session_id, final))
        return outcomes

    def _tell_on_commit(
        self, db: Session, session_id: str, pending: list[_Pending], last_seq: int
    ) -> None:
        """Hand the stored events to the listener once this transaction commits."""
        listener = self.listener
        assert listener is not None
        stored = [
            {
                "seq": last_seq + offset + 1,
                "type": event.type,
                "t_ms": event.t_ms,
                "source": event.source,
                "id": event.client_id,
                **event.data,
            }
            for offset, event in enumerate(pending)
        ]
        on_commit(db, lambda: listener(session_id, stored))

    def last_seq_in(self, db: Session, session_id: str) -> int:
        """The log's last seq as the caller's transaction sees it (0: nothing recorded)."""
        found = _COUNTERS_NOW.rows(db.connection(), {"sid": session_id})
        return int(found[0][0]) if found else 0

    def _check_quota(self, recording: _Counters, events: int, size: int) -> None:
        """A client batch that would take the recording past its quotas is refused whole
        (its transaction rolls back); server events are always recorded (a run, the end)."""
        settings = self.settings
        if recording.events + events > settings.recording_max_events:
            raise ProblemError(
                413,
                "recording_quota_exceeded",
                f"the recording holds at most {settings.recording_max_events} events",
                limit=settings.recording_max_events,
                used=recording.events,
            )
        if recording.bytes + size > settings.recording_max_bytes:
            raise ProblemError(
                413,
                "recording_quota_exceeded",
                f"the recording holds at most {settings.recording_max_bytes} bytes",
                limit=settings.recording_max_bytes,
                used=recording.bytes,
            )

    def _flag_rewrite(self, event: dict[str, Any], before: str) -> None:
        """Flag a whole-file write that replaces most of the file (a paste in disguise):
        the part between the unchanged prefix and suffix is what the write brought in."""
        after: str = event["content"]
        prefix = _common_prefix(before, after)
        rest_before, rest_after = before[prefix:], after[prefix:]
        replaced = len(rest_after) - _common_prefix(rest_before[::-1], rest_after[::-1])
        settings = self.settings
        if (
            replaced >= settings.recording_large_paste_chars
            and replaced >= settings.recording_rewrite_fraction * len(after)
        ):
            event["flagged"] = True
            event["replaced"] = replaced

    def _keyframe_due(self, events: int, elapsed_ms: int) -> bool:
        return (
            events >= self.settings.recording_keyframe_events
            or elapsed_ms >= self.settings.recording_keyframe_seconds * 1000
        )

    def _write_events(
        self,
        connection: Connection,
        session_id: str,
        created: datetime,
        pending: list[_Pending],
        last_seq: int,
    ) -> int:
        """One executemany straight to the driver: the hottest statement of the platform.

        Returns the bytes the events take (their JSON and the contents they reference).
        """
        server_ms = int(time.time() * 1000)
        rows: list[dict[str, Any]] = []
        size = 0
        threshold = self.settings.recording_inline_content_bytes
        for offset, event in enumerate(pending):
            data = event.data
            if event.type in _MAY_REFERENCE:
                data, referenced = self.contents.by_reference(session_id, created, data, threshold)
                size += referenced
            text = self._encoded(data)
            size += len(text)
            rows.append(
                {
                    "session_id": session_id,
                    "seq": last_seq + offset + 1,
                    "client_id": event.client_id,
                    "type": event.type,
                    "source": event.source,
                    "client_ts": event.client_ts,
                    "t_ms": event.t_ms,
                    "server_ms": server_ms,
                    "data": text,
                }
            )
        _INSERT_EVENTS.run(connection, rows, set_keys=True)
        return size

    def _encoded(self, data: dict[str, Any]) -> str:
        text = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
        if len(text) > self.settings.recording_max_event_bytes:
            raise ProblemError(
                413,
                "event_too_large",
                f"an event of {len(text)} bytes; at most {self.settings.recording_max_event_bytes}",
            )
        return text

    def _recording(self, db: Session, session_id: str, connection: Connection) -> _Counters:
        """The session's counters, creating them (and a first keyframe) on first use."""
        created = _aware(self.sessions.started_at(db, session_id))  # 404 unknown
        found = _COUNTERS_NOW.rows(connection, {"sid": session_id})
        if found:
            return _Counters(created, *found[0])
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
                "bytes": 0,
            },
        )
        started = _Pending(None, "session_started", None, t_ms, {"files": files})
        size = self._write_events(connection, session_id, created, [started], 0)
        if self.listener is not None:
            self._tell_on_commit(db, session_id, [started], 0)
        db.execute(_NEW_KEYFRAME, {"session_id": session_id, "seq": 1, "t_ms": t_ms})
        db.execute(_SAVE_BYTES, {"sid": session_id, "bytes": size})
        first = _Cached(1, files)
        db.info.setdefault(PENDING_STATES, {})[session_id] = first
        on_commit(db, lambda: self._remember(session_id, _Cached(1, dict(files))))
        return _Counters(created, 1, t_ms, 1, t_ms, 1, size)

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
        cached = self._states.get(session_id)
        if cached is not None and cached.seq == last_seq:
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
        self._states.put(session_id, state)


def _parse(raw: Any) -> tuple[dict[str, Any] | None, str | None]:
    try:
        event = EVENT_ADAPTER.validate_python(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        return None, f"{where}: {first['msg']}" if where else first["msg"]
    return event.model_dump(exclude_none=True), None


def _not_unicode(event: Mapping[str, Any]) -> str | None:
    """Why a text field cannot be stored (a lone surrogate is no Unicode text), or None."""
    for key, value in event.items():
        if isinstance(value, str) and not value.isascii():
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                return f"{key}: a lone UTF-16 surrogate is not text; send valid Unicode"
    return None


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


def _edited_only(batch: list[tuple[int, dict[str, Any]]]) -> set[str] | None:
    """The files a batch edits, if it only edits files (else None: it may create, delete
    or move, which checks every path of the workspace)."""
    kinds = {event["type"] for _, event in batch if event["type"] in WORKSPACE_EVENTS}
    if kinds != {"edit"}:
        return None
    return {event["file"] for _, event in batch if event["type"] == "edit"}


def _aware(moment: datetime) -> datetime:
    """A raw Core read of a UTC column is naive on SQLite."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _common_prefix(first: str, second: str) -> int:
    """Length of the common prefix, by halving (each comparison runs at C speed)."""
    low, high = 0, min(len(first), len(second))
    while low < high:
        middle = (low + high + 1) // 2
        if first[low:middle] == second[low:middle]:
            low = middle
        else:
            high = middle - 1
    return low
