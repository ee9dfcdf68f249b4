"""The Redis broker: pub/sub between the server processes of one deployment.

Two connections per broker, whatever the number of subscribers:

- one client connection that publishes. Commands on it are serialised (one at a time,
  first come first served), so one publisher's messages reach Redis in its order; a
  failed publish is not retried (a retry after a lost reply could deliver twice) and
  raises :class:`~interviewkit.broker.port.BrokerUnavailable`; the next one reconnects.
- one pub/sub connection (a :class:`_Link`) multiplexing every channel that has a local
  subscriber: the first local subscriber of a channel sends ``SUBSCRIBE`` and waits for
  Redis to confirm it, the last one to leave sends ``UNSUBSCRIBE``. A task reads the
  connection and puts each message into the inbox of every local subscriber.

When the pub/sub connection drops (Redis restarted, network cut, or silent for two
keepalive periods), every subscription on it ends with
:class:`~interviewkit.broker.port.BrokerDisconnected`: messages published meanwhile are
gone, and the reader must resync from the database. The next ``subscribe`` opens a new
connection. Redis is never asked to resend anything: it cannot, pub/sub keeps nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from redis.asyncio import Redis
from redis.asyncio.connection import AbstractConnection, Connection, parse_url
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

from interviewkit.broker.port import (
    DEFAULT_QUEUE_BYTES,
    DEFAULT_QUEUE_MESSAGES,
    BrokerDisconnected,
    BrokerError,
    BrokerUnavailable,
    Inbox,
    InboxSubscription,
)

log = logging.getLogger(__name__)

CONNECT_TIMEOUT_S = 5.0
KEEPALIVE_S = 5.0
_FAILURES = (RedisError, OSError, asyncio.TimeoutError)


def shown_url(url: str) -> str:
    """``url`` without its password, for messages and logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


def _common_options(url: str) -> dict[str, Any]:
    """What both connections share: nothing retried (a retried PUBLISH whose reply was lost
    would deliver twice), a bounded connect, TCP keepalive where there is TCP."""
    options: dict[str, Any] = {"retry": Retry(NoBackoff(), 0)}
    if not url.startswith("unix:"):
        options.update(socket_connect_timeout=CONNECT_TIMEOUT_S, socket_keepalive=True)
    return options


def _connection_options(url: str) -> dict[str, Any]:
    """Keyword arguments for the pub/sub connection to ``url``."""
    return {**_common_options(url), **parse_url(url)}


@dataclass
class _Join:
    """A subscriber waiting to be activated: by the channel's SUBSCRIBE confirmation, or
    (the channel being subscribed already) by the pong of a PING sent after it joined."""

    channel: bytes
    inbox: Inbox
    ready: asyncio.Event = field(default_factory=asyncio.Event)


@dataclass
class _Channel:
    """One channel on the pub/sub connection and its local subscribers."""

    members: set[Inbox] = field(default_factory=set)  # joined and not left
    receiving: set[Inbox] = field(default_factory=set)  # active: messages go to them
    waiting: list[_Join] = field(default_factory=list)  # for the SUBSCRIBE confirmation
    wanted: bool = False  # SUBSCRIBE sent more recently than UNSUBSCRIBE
    unconfirmed: int = 0  # SUBSCRIBE replies still to come

    @property
    def subscribed(self) -> bool:
        return self.wanted and self.unconfirmed == 0


class _Link:
    """One pub/sub connection and the channels multiplexed on it; dies once, for good.

    A subscriber receives only what Redis sent after its subscription was active: the
    first of a channel waits for Redis to confirm its SUBSCRIBE; a later one sends a PING
    and starts receiving with its pong, so a message already on its way (published before
    it joined) is not handed to it. Pongs come back in the order the PINGs went out.
    """

    def __init__(self, connection: AbstractConnection, keepalive_s: float) -> None:
        self.connection = connection
        self.alive = True
        self.error: BrokerError | None = None
        self._channels: dict[bytes, _Channel] = {}
        self._pings: deque[_Join | None] = deque()  # None: a keepalive's PING
        self._write = asyncio.Lock()
        self._loop = asyncio.get_running_loop()
        self._last_heard = self._loop.time()
        self._keepalive_s = keepalive_s
        self._tasks = [
            asyncio.create_task(self._read(), name="redis-broker-read"),
            asyncio.create_task(self._keepalive(), name="redis-broker-keepalive"),
        ]

    async def join(self, channel: bytes, inbox: Inbox) -> None:
        """Deliver ``channel`` to ``inbox``; return once that is active on Redis."""
        state = self._channels.setdefault(channel, _Channel())
        state.members.add(inbox)
        waiter = _Join(channel, inbox)
        if state.subscribed:
            await self._send("PING", ping=waiter)
        else:
            state.waiting.append(waiter)
            if not state.wanted:
                state.wanted = True
                state.unconfirmed += 1
                await self._send("SUBSCRIBE", channel)
        await waiter.ready.wait()
        if not self.alive:
            raise self.error or BrokerDisconnected("the Redis pub/sub connection closed")

    async def leave(self, channel: bytes, inbox: Inbox) -> None:
        """Stop delivering to ``inbox``; unsubscribe when it was the channel's last."""
        state = self._channels.get(channel)
        if state is None:
            return
        state.members.discard(inbox)
        state.receiving.discard(inbox)
        if state.members or not state.wanted or not self.alive:
            return
        state.wanted = False
        with contextlib.suppress(BrokerError):
            await self._send("UNSUBSCRIBE", channel)

    async def close(self, error: BrokerError | None = None) -> None:
        """End every subscription (normally, or with ``error``) and drop the connection."""
        if not self.alive:
            return
        self.alive = False
        self.error = error
        if error is not None:
            log.warning("redis broker: subscriptions ended: %s", error)
        waiters = [w for s in self._channels.values() for w in s.waiting]
        waiters += [w for w in self._pings if w is not None]
        for state in self._channels.values():
            for inbox in state.members:
                inbox.end(error)
        for waiter in waiters:
            waiter.ready.set()  # they see the link is dead
        self._channels.clear()
        self._pings.clear()
        current = asyncio.current_task()
        for task in self._tasks:
            if task is not current:
                task.cancel()
        with contextlib.suppress(*_FAILURES):
            await self.connection.disconnect(nowait=True)

    async def _send(self, *command: str | bytes, ping: _Join | None = None) -> None:
        async with self._write:
            if not self.alive:  # never let a send reconnect a dead link behind our back
                raise self.error or BrokerDisconnected("the Redis pub/sub connection closed")
            if command[0] == "PING":
                self._pings.append(ping)
            try:
                await self.connection.send_command(*command, check_health=False)
            except _FAILURES as exc:
                error = BrokerDisconnected(f"writing to Redis failed: {exc}")
                await self.close(error)
                raise error from exc

    async def _read(self) -> None:
        try:
            while True:
                reply = await self.connection.read_response()
                self._last_heard = self._loop.time()
                self._dispatch(reply)
        except _FAILURES as exc:
            await self.close(BrokerDisconnected(f"lost the Redis pub/sub connection: {exc}"))

    async def _keepalive(self) -> None:
        """PING every period; a connection silent for two periods is dead (a cut network
        sends no reset, so a read would otherwise wait for ever)."""
        while self.alive:
            await asyncio.sleep(self._keepalive_s)
            if self._loop.time() - self._last_heard > 2 * self._keepalive_s:
                await self.close(BrokerDisconnected("Redis stopped answering pings"))
                return
            with contextlib.suppress(BrokerError):
                await self._send("PING")

    def _dispatch(self, reply: Any) -> None:
        """Route one reply: a message to the channel's active inboxes, a confirmation or a
        pong to the subscribers it activates."""
        if reply == b"PONG" or (isinstance(reply, list) and reply[:1] == [b"pong"]):
            self._pong()
            return
        if not isinstance(reply, list) or len(reply) < 3:
            return
        kind, channel, payload = reply[0], reply[1], reply[2]
        state = self._channels.get(channel)
        if state is None:
            return
        if kind == b"message":
            for inbox in tuple(state.receiving):
                inbox.put(payload)
                if not inbox.open:  # overflowed: it gets nothing more
                    state.receiving.discard(inbox)
        elif kind == b"subscribe":
            state.unconfirmed -= 1
            if state.subscribed:
                waiting, state.waiting = state.waiting, []
                for waiter in waiting:
                    self._activate(state, waiter)
        elif kind == b"unsubscribe" and not (state.wanted or state.unconfirmed or state.members):
            del self._channels[channel]

    def _pong(self) -> None:
        waiter = self._pings.popleft() if self._pings else None
        if waiter is not None:
            state = self._channels.get(waiter.channel)
            if state is not None:
                self._activate(state, waiter)

    @staticmethod
    def _activate(state: _Channel, waiter: _Join) -> None:
        if waiter.inbox in state.members:  # it may have left (cancelled) meanwhile
            state.receiving.add(waiter.inbox)
        waiter.ready.set()


class RedisBroker:
    """Fan-out through Redis pub/sub; see :mod:`interviewkit.broker.port` for the contract."""

    def __init__(
        self,
        url: str,
        queue_messages: int = DEFAULT_QUEUE_MESSAGES,
        queue_bytes: int = DEFAULT_QUEUE_BYTES,
        keepalive_s: float = KEEPALIVE_S,
        client_name: str = "interviewkit-broker",
    ) -> None:
        self.url = url
        self.client_name = client_name  # CLIENT LIST shows whose connections these are
        self.queue_messages = queue_messages
        self.queue_bytes = queue_bytes
        self.keepalive_s = keepalive_s
        self._publisher: Redis | None = None
        self._link: _Link | None = None
        self._linking = asyncio.Lock()
        self._closed = False

    async def start(self) -> None:
        """Make the publishing client; connections open when first used, so a server can
        start while Redis is still starting (``interviewkit doctor`` says if it is down)."""
        self._closed = False
        if self._publisher is None:
            self._publisher = Redis.from_url(
                self.url,
                single_connection_client=True,
                client_name=self.client_name,
                **_common_options(self.url),
            )

    async def close(self) -> None:
        self._closed = True
        link, self._link = self._link, None
        if link is not None:
            await link.close()
        publisher, self._publisher = self._publisher, None
        if publisher is not None:
            with contextlib.suppress(*_FAILURES):
                await publisher.aclose()

    async def publish(self, channel: str, message: bytes) -> None:
        if self._closed:
            raise BrokerUnavailable("the broker is closed")
        if self._publisher is None:
            await self.start()
        assert self._publisher is not None
        try:
            await self._publisher.publish(channel.encode(), message)
        except _FAILURES as exc:
            raise BrokerUnavailable(f"publishing to Redis failed: {exc}") from exc

    def subscribe(self, channel: str) -> RedisSubscription:
        return RedisSubscription(self, channel)

    async def ping(self) -> None:
        """Round-trip to Redis on the publishing connection (for doctor and readiness)."""
        if self._publisher is None:
            await self.start()
        assert self._publisher is not None
        try:
            await self._publisher.ping()
        except _FAILURES as exc:
            raise BrokerUnavailable(
                f"Redis at {shown_url(self.url)} did not answer: {exc}"
            ) from exc

    async def link(self) -> _Link:
        """The live pub/sub connection, opened (again) if there is none."""
        async with self._linking:
            if self._closed:
                raise BrokerUnavailable("the broker is closed")
            if self._link is None or not self._link.alive:
                self._link = _Link(await self._connect(), self.keepalive_s)
            return self._link

    async def _connect(self) -> AbstractConnection:
        options = _connection_options(self.url)
        # RESP2: pub/sub replies are plain lists
        options.update(socket_timeout=None, protocol=2, client_name=self.client_name)
        connection_class: type[AbstractConnection] = options.pop("connection_class", Connection)
        connection = connection_class(**options)
        try:
            await connection.connect()  # type: ignore[no-untyped-call]
        except _FAILURES as exc:
            with contextlib.suppress(*_FAILURES):
                await connection.disconnect(nowait=True)
            raise BrokerUnavailable(f"cannot reach Redis at {shown_url(self.url)}: {exc}") from exc
        return connection


class RedisSubscription(InboxSubscription):
    """A subscription of :class:`RedisBroker`, on the broker's one pub/sub connection."""

    def __init__(self, broker: RedisBroker, channel: str) -> None:
        super().__init__(channel)
        self._broker = broker
        self._key = channel.encode()
        self._link: _Link | None = None

    async def _join(self) -> Inbox:
        link = await self._broker.link()
        inbox = Inbox(self._broker.queue_messages, self._broker.queue_bytes)
        try:
            await link.join(self._key, inbox)
        except BaseException:
            await link.leave(self._key, inbox)
            raise
        self._link = link
        return inbox

    async def _leave(self, inbox: Inbox) -> None:
        link, self._link = self._link, None
        if link is not None:
            await link.leave(self._key, inbox)
