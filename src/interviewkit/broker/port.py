"""The broker port: fan-out of messages between the server processes of one deployment.

The live channel stores every event in the database first and then publishes it on the
session's channel, so the broker carries hints, not facts: delivery is **at most once**.
What callers may rely on (``tests/live/test_broker_contract.py`` checks every adapter):

- a message published on a channel reaches every subscription of that channel that is
  active at that moment, in the order one publisher published them; never another channel;
- ``async with broker.subscribe(channel)`` returns only once the subscription is active,
  so "subscribe, then read the database" never misses a message published afterwards;
- a subscription that has left (or never came) gets nothing, and costs nothing;
- a slow subscriber never blocks a publisher or another subscriber: each subscription has
  a bounded inbox, and when it overflows the subscription ends with
  :class:`SubscriptionOverflow` (after the messages it already holds). A subscription whose
  broker connection dropped ends with :class:`BrokerDisconnected`. Both mean "you may have
  missed messages": the reader resyncs from the database and subscribes again;
- closing the broker ends every subscription's iteration normally.

Adapters: :class:`~interviewkit.broker.memory.InMemoryBroker` (one process) and
:class:`~interviewkit.broker.redis.RedisBroker` (Redis pub/sub, several processes).
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections import deque
from collections.abc import AsyncIterator, Callable
from typing import Protocol, Self, TypeVar

T = TypeVar("T")
DEFAULT_QUEUE_MESSAGES = 1024
DEFAULT_QUEUE_BYTES = 64 * 1024 * 1024


class BrokerError(Exception):
    """The broker could not do what was asked; see the subclasses."""


class BrokerUnavailable(BrokerError):
    """The broker cannot be reached (Redis down, broker closed): the message is lost, or
    the subscription could not start. Callers that stored the fact elsewhere may go on."""


class SubscriptionOverflow(BrokerError):
    """The subscriber read too slowly and its inbox filled: later messages were dropped."""


class BrokerDisconnected(BrokerError):
    """The connection carrying the subscription dropped: messages may have been missed."""


class Subscription(Protocol):
    """One subscriber's view of one channel: an async context manager (active inside the
    ``async with``) and an async iterator of the messages' bytes."""

    async def __aenter__(self) -> Subscription: ...

    async def __aexit__(self, *exc: object) -> None: ...

    def __aiter__(self) -> AsyncIterator[bytes]: ...


class Broker(Protocol):
    """Publish bytes on named channels; subscribe to a channel's future messages."""

    async def start(self) -> None:
        """Connect (if the adapter needs to); idempotent."""
        ...

    async def close(self) -> None:
        """End every subscription (their iteration stops) and release connections."""
        ...

    async def publish(self, channel: str, message: bytes) -> None:
        """Hand ``message`` to every current subscriber of ``channel`` (at most once).

        Raises :class:`BrokerUnavailable` when the broker cannot be reached.
        """
        ...

    def subscribe(self, channel: str) -> Subscription:
        """A subscription to ``channel``, active once entered with ``async with``."""
        ...


class Inbox:
    """The bounded queue between a broker and one subscription.

    The broker puts, the subscriber gets. When a put would exceed ``max_messages`` or
    ``max_bytes`` the inbox stops accepting and, once the messages already queued are read,
    raises :class:`SubscriptionOverflow`: memory stays bounded and the subscriber learns
    that it missed something. Puts may come from any thread; the waiting getter is woken on
    the event loop the inbox was made on, in the order the puts were made.
    """

    def __init__(self, max_messages: int, max_bytes: int) -> None:
        self._loop = asyncio.get_running_loop()
        self._thread = threading.get_ident()
        self._messages: deque[bytes] = deque()
        self._bytes = 0
        self._max_messages = max_messages
        self._max_bytes = max_bytes
        self._ended = False
        self._error: BrokerError | None = None
        self._ready = asyncio.Event()

    @property
    def open(self) -> bool:
        """Whether puts are still accepted."""
        return not self._ended

    def put(self, message: bytes) -> None:
        """Queue ``message``; on overflow end the inbox with :class:`SubscriptionOverflow`."""
        if threading.get_ident() != self._thread:
            self._hop(self.put, message)
            return
        if self._ended:
            return
        if len(self._messages) >= self._max_messages or self._bytes + len(message) > (
            self._max_bytes
        ):
            limit = f"{self._max_messages} messages or {self._max_bytes} bytes"
            self.end(SubscriptionOverflow(f"the subscriber fell behind by more than {limit}"))
            return
        self._messages.append(message)
        self._bytes += len(message)
        self._ready.set()

    def end(self, error: BrokerError | None = None) -> None:
        """Accept nothing more; the getter drains what is queued, then stops or raises."""
        if threading.get_ident() != self._thread:
            self._hop(self.end, error)
            return
        if self._ended:
            return
        self._ended = True
        self._error = error
        self._ready.set()

    def _hop(self, method: Callable[[T], None], argument: T) -> None:
        """Run ``method`` on the inbox's own loop; a loop that is gone has no reader left."""
        with contextlib.suppress(RuntimeError):  # the loop was closed
            self._loop.call_soon_threadsafe(method, argument)

    async def get(self) -> bytes:
        """The next message; ``StopAsyncIteration`` at a clean end, else the error."""
        while not self._messages:
            if self._ended:
                if self._error is not None:
                    raise self._error
                raise StopAsyncIteration
            self._ready.clear()
            await self._ready.wait()
        message = self._messages.popleft()
        self._bytes -= len(message)
        return message


class InboxSubscription:
    """What both adapters share: entering, iterating and leaving around an :class:`Inbox`.

    An adapter implements :meth:`_join` (make the subscription active, return its inbox)
    and :meth:`_leave` (stop delivering to it).
    """

    def __init__(self, channel: str) -> None:
        self.channel = channel
        self._inbox: Inbox | None = None
        self._entered = False

    async def _join(self) -> Inbox:
        raise NotImplementedError

    async def _leave(self, inbox: Inbox) -> None:
        raise NotImplementedError

    async def __aenter__(self) -> Self:
        if self._entered:
            raise RuntimeError("a subscription is entered once; subscribe again instead")
        self._entered = True
        self._inbox = await self._join()
        return self

    async def __aexit__(self, *exc: object) -> None:
        inbox, self._inbox = self._inbox, None
        if inbox is not None:
            inbox.end()
            await self._leave(inbox)

    def __aiter__(self) -> Self:
        return self

    async def __anext__(self) -> bytes:
        if self._inbox is None:
            raise RuntimeError("iterate a subscription inside its `async with`")
        return await self._inbox.get()
