"""The hub: one room per session with connected clients, fed by the broker, in seq order.

The database is the source of truth and the broker only carries hints (at most once, maybe
out of order, see :mod:`interviewkit.broker.port`). So a room:

1. subscribes to its session's channel *before* reading the log's last seq, so nothing
   committed afterwards can be missed;
2. passes what arrives through a :class:`Sequencer`, which releases events strictly in seq
   order; a gap still open after ``live_gap_fill_ms`` (a message lost or late) is read
   from the database, as is everything after a broker subscription that ended;
3. encodes each event once and hands the same text to every member, whose own cursor
   (``member.seq``) drops what it already has. A member joins only once its cursor has
   caught up with the room's (from a ring of recent messages, else from the database),
   which is done without an ``await`` between the check and the join. A staff-only event
   (a ``note``) is handed to a candidate's connection as ``None``: its cursor moves past
   the seq and nothing is sent, live, in backfill or on resume alike.

Presence crosses processes through the same channel: each process publishes its own
participants, and everyone shows the union.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid
from collections import deque
from collections.abc import Callable
from typing import Any, Generic, Literal, Protocol, TypeVar

import anyio.to_thread

from interviewkit.broker import Broker, BrokerError
from interviewkit.config import Settings
from interviewkit.errors import ProblemError
from interviewkit.live.protocol import (
    Participant,
    PresenceMessage,
    SessionInfo,
    staff_only,
    stored_message,
)
from interviewkit.recording.service import RecordingService

log = logging.getLogger("interviewkit.live")
T = TypeVar("T")
RECENT = 1024
"""Encoded messages a room keeps, so that a joining client rarely reads the database..."""
RECENT_BYTES = 4 * 1024 * 1024
"""...and at most this many characters of them (whole-file writes are large)."""
FILL_PAGE = 1000


def channel(session_id: str) -> str:
    return f"session:{session_id}"


class Sequencer(Generic[T]):
    """Releases items in seq order, each once, whatever order they arrive in."""

    def __init__(self, last: int) -> None:
        self.last = last
        self._held: dict[int, T] = {}

    def push(self, seq: int, item: T) -> list[tuple[int, T]]:
        """Offer one item; returns those now deliverable, in order (maybe none)."""
        if seq > self.last and seq not in self._held:
            self._held[seq] = item
        released: list[tuple[int, T]] = []
        while self.last + 1 in self._held:
            self.last += 1
            released.append((self.last, self._held.pop(self.last)))
        return released

    @property
    def gap(self) -> tuple[int, int] | None:
        """The first and last missing seq before the earliest held item, if any."""
        if not self._held:
            return None
        return self.last + 1, min(self._held) - 1


class Member(Protocol):
    """What a room needs of a connection."""

    connection_id: str
    role: Literal["candidate", "staff"]
    seq: int
    """The last seq this member was sent."""

    def deliver(self, seq: int, text: str | None) -> None:
        """Send a stored event's text if ``seq`` is the next one (drop one it has); None:
        the event is not for this member, only its cursor moves past ``seq``."""
        ...

    async def backfill(self, seq: int, text: str | None) -> None:
        """:meth:`deliver` that waits for room in the member's queue (catching up)."""
        ...

    def room_left(self) -> int:
        """How many more messages the member's queue takes now."""
        ...

    def send(self, text: str) -> None:
        """Queue any other message."""
        ...

    def end(self, code: int, last: str | None = None) -> None:
        """Close with ``code`` once the queued messages (and ``last``) are sent."""
        ...


def for_member(member: Member, text: str, private: bool) -> str | None:
    """What ``member`` gets of a stored event: its text, or None for a staff-only event
    and a candidate (so notes reach no candidate: live, in backfill, or on resume)."""
    return None if private and member.role != "staff" else text


class Room:
    """The connected clients of one session in this process."""

    def __init__(self, hub: Hub, session_id: str) -> None:
        self.hub = hub
        self.session_id = session_id
        self.members: dict[str, Member] = {}
        self.users = 0
        """Members plus connections on their way in: the room closes when it drops to 0."""
        self.ready = asyncio.Event()
        self.sequencer: Sequencer[dict[str, Any]] = Sequencer(0)
        self.recent: deque[tuple[int, str, bool]] = deque()
        """(seq, text, staff only) of the latest messages."""
        self._recent_size = 0
        self.nodes: dict[str, list[Participant]] = {}
        self.ended: str | None = None
        self._filling: asyncio.Task[None] | None = None
        self._task = asyncio.create_task(self._run())

    @property
    def seq(self) -> int:
        return self.sequencer.last

    # ---- the broker side -----------------------------------------------------------------

    async def _run(self) -> None:
        first = True
        while True:
            try:
                async with self.hub.broker.subscribe(channel(self.session_id)) as subscription:
                    if first:
                        self.sequencer = Sequencer(await self.hub.last_seq(self.session_id))
                        self.ready.set()
                        first = False
                    else:  # we may have missed messages while not subscribed
                        self._fill_soon(0)
                    self.hub.publish_presence(self, ask=True)
                    async for message in subscription:
                        self._received(message)
            except BrokerError as exc:
                log.warning("live: %s's subscription ended (%s)", self.session_id, exc)
            except Exception:
                log.exception("live: the room of %s failed; resubscribing", self.session_id)
            if first:  # no broker yet: serve what the database has; catch up once it is back
                with contextlib.suppress(Exception):
                    self.sequencer = Sequencer(await self.hub.last_seq(self.session_id))
                self.ready.set()
                first = False
            await asyncio.sleep(0.2)

    def _received(self, message: bytes) -> None:
        try:
            data = json.loads(message)
            kind = data.get("k")
            if kind == "events":
                for event in data["events"]:
                    self.push(event)
            elif kind == "presence":
                self._presence(data)
        except (ValueError, KeyError, TypeError):
            log.warning("live: a malformed broker message on %s", self.session_id)

    def push(self, event: dict[str, Any]) -> None:
        """One stored event, from the broker or the database."""
        for seq, ready in self.sequencer.push(int(event["seq"]), event):
            self._emit(seq, ready)
        if self.sequencer.gap is not None:
            self._fill_soon(self.hub.settings.live_gap_fill_ms / 1000)

    def _emit(self, seq: int, event: dict[str, Any]) -> None:
        text = stored_message(event)
        private = staff_only(event)
        self._remember(seq, text, private)
        for member in list(self.members.values()):
            member.deliver(seq, for_member(member, text, private))
        if event["type"] == "part_changed" and self.hub.describe is not None:
            self._tell_status_soon()
        if event["type"] == "session_ended":
            self.ended = str(event.get("status", "completed"))
            last = json.dumps({"type": "session", "status": self.ended, "seconds_left": 0})
            for member in list(self.members.values()):
                member.end(4410, last)

    def _tell_status_soon(self) -> None:
        """The session's current part changed: send everyone the new ``session``."""
        task = asyncio.create_task(self._tell_status())
        self.hub.tasks.add(task)
        task.add_done_callback(self.hub.tasks.discard)

    async def _tell_status(self) -> None:
        describe = self.hub.describe
        assert describe is not None
        try:
            info = await anyio.to_thread.run_sync(describe, self.session_id)
        except ProblemError:
            return
        text = info.model_dump_json()
        for member in list(self.members.values()):
            member.send(text)

    def _remember(self, seq: int, text: str, private: bool) -> None:
        self.recent.append((seq, text, private))
        self._recent_size += len(text)
        while len(self.recent) > RECENT or self._recent_size > RECENT_BYTES:
            self._recent_size -= len(self.recent.popleft()[1])

    def _fill_soon(self, delay: float) -> None:
        if self._filling is None or self._filling.done():
            self._filling = asyncio.create_task(self._fill(delay))

    async def _fill(self, delay: float) -> None:
        """Read from the database what the broker did not bring (after ``delay``)."""
        await asyncio.sleep(delay)
        while True:
            gap = self.sequencer.gap
            start = self.seq + 1
            limit = FILL_PAGE if gap is None else min(FILL_PAGE, gap[1] - gap[0] + 1)
            events = await self.hub.events(self.session_id, start, limit)
            for event in events:
                self.push(event)
            if len(events) < limit or (gap is not None and self.sequencer.gap is None):
                return

    # ---- members -------------------------------------------------------------------------

    async def admit(self, member: Member) -> None:
        """Catch ``member`` up with the room, then make it a member. The last step (the
        recent messages that fit its queue, then joining) runs without an await after the
        check, so no event falls between the two; before it, the backfill waits for the
        client to read."""
        while member.seq < self.seq:
            missing = [item for item in self.recent if item[0] > member.seq]
            if missing and missing[0][0] == member.seq + 1:
                if len(missing) <= member.room_left():
                    for seq, text, private in missing:
                        member.deliver(seq, for_member(member, text, private))
                    break
                for seq, text, private in missing[:FILL_PAGE]:
                    await member.backfill(seq, for_member(member, text, private))
                continue
            limit = min(FILL_PAGE, self.seq - member.seq)
            events = await self.hub.events(self.session_id, member.seq + 1, limit)
            if not events:
                log.warning("live: %s has no events after %d", self.session_id, member.seq)
                break
            for event in events:
                text = stored_message(event)
                await member.backfill(
                    int(event["seq"]), for_member(member, text, staff_only(event))
                )
        self.members[member.connection_id] = member
        self.hub.publish_presence(self)

    def remove(self, member: Member) -> None:
        if self.members.pop(member.connection_id, None) is not None:
            self.hub.publish_presence(self)

    def participants(self) -> list[Participant]:
        return [
            Participant(connection_id=m.connection_id, role=m.role) for m in self.members.values()
        ]

    def _presence(self, data: dict[str, Any]) -> None:
        node = str(data["node"])
        shown = [Participant.model_validate(p) for p in data["participants"]]
        if shown:
            self.nodes[node] = shown
        else:
            self.nodes.pop(node, None)
        if data.get("ask") and node != self.hub.node and self.members:
            self.hub.publish_presence(self)  # a new process: tell it who is here
        everyone = [p for found in self.nodes.values() for p in found]
        text = PresenceMessage(participants=everyone).model_dump_json()
        for member in list(self.members.values()):
            member.send(text)

    async def close(self) -> None:
        self._task.cancel()
        if self._filling is not None:
            self._filling.cancel()
        for task in (self._task, self._filling):
            if task is not None:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task


class Hub:
    """Every room of this process; the recording's listener; the broker."""

    def __init__(
        self,
        settings: Settings,
        broker: Broker,
        recording: RecordingService,
        describe: Callable[[str], SessionInfo] | None = None,
    ) -> None:
        self.settings = settings
        self.broker = broker
        self.recording = recording
        self.describe = describe
        """The session's ``session`` message as stored now (blocking), re-sent on a part
        change."""
        self.node = uuid.uuid4().hex[:12]
        self.rooms: dict[str, Room] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self.tasks: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        await self.broker.start()

    async def stop(self) -> None:
        """Tell every client to reconnect (1012), then let the broker go."""
        for room in list(self.rooms.values()):
            for member in list(room.members.values()):
                member.end(1012)
            await room.close()
        self.rooms.clear()
        self._loop = None
        await self.broker.close()

    # ---- from the recording (worker threads) -----------------------------------------------

    def stored(self, session_id: str, events: list[dict[str, Any]]) -> None:
        """The recording's listener: events just committed, published on the session's
        channel. Called on a worker thread; the publish happens on the event loop."""
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        message = json.dumps(
            {"k": "events", "events": events}, separators=(",", ":"), ensure_ascii=False
        ).encode()
        with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
            loop.call_soon_threadsafe(self.publish, session_id, message)

    def publish(self, session_id: str, message: bytes) -> None:
        """Publish on the event loop, without waiting (a failure loses a hint, not data)."""
        task = asyncio.get_running_loop().create_task(self._publish(session_id, message))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _publish(self, session_id: str, message: bytes) -> None:
        try:
            await self.broker.publish(channel(session_id), message)
        except BrokerError as exc:
            log.warning("live: could not publish to %s: %s", session_id, exc)

    def publish_presence(self, room: Room, *, ask: bool = False) -> None:
        participants = [p.model_dump() for p in room.participants()]
        message = {"k": "presence", "node": self.node, "participants": participants, "ask": ask}
        self.publish(room.session_id, json.dumps(message).encode())

    # ---- rooms -----------------------------------------------------------------------------

    async def enter(self, session_id: str) -> Room:
        """The session's room, ready (subscribed, its seq read); count one more user."""
        if self._loop is None:  # an app run without its lifespan (tests, embedding)
            self._loop = asyncio.get_running_loop()
        room = self.rooms.get(session_id)
        if room is None:
            room = self.rooms[session_id] = Room(self, session_id)
        room.users += 1
        try:
            await room.ready.wait()
        except BaseException:
            await self.leave(room, None)
            raise
        return room

    async def leave(self, room: Room, member: Member | None) -> None:
        if member is not None:
            room.remove(member)
        room.users -= 1
        if room.users <= 0 and self.rooms.get(room.session_id) is room:
            del self.rooms[room.session_id]
            await room.close()

    # ---- the database ----------------------------------------------------------------------

    async def last_seq(self, session_id: str) -> int:
        return await anyio.to_thread.run_sync(self._last_seq, session_id)

    def _last_seq(self, session_id: str) -> int:
        try:
            return self.recording.recording(session_id).last_seq
        except ProblemError:  # nothing recorded yet
            return 0

    async def events(self, session_id: str, from_seq: int, limit: int) -> list[dict[str, Any]]:
        return await anyio.to_thread.run_sync(self._events, session_id, from_seq, limit)

    def _events(self, session_id: str, from_seq: int, limit: int) -> list[dict[str, Any]]:
        try:
            return self.recording.events(session_id, from_seq, limit)
        except ProblemError:
            return []
