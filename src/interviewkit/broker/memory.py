"""The in-process broker: a dictionary of channels, each a set of subscribers' inboxes.

Enough for one server process (the default). Publishing copies nothing and never waits:
each subscriber's inbox is bounded (see :class:`~interviewkit.broker.port.Inbox`), so a
subscriber that stops reading ends its own subscription instead of growing memory.
"""

from __future__ import annotations

from interviewkit.broker.port import (
    DEFAULT_QUEUE_BYTES,
    DEFAULT_QUEUE_MESSAGES,
    BrokerUnavailable,
    Inbox,
    InboxSubscription,
)


class InMemoryBroker:
    """Fan-out inside one process; see :mod:`interviewkit.broker.port` for the contract."""

    def __init__(
        self, queue_messages: int = DEFAULT_QUEUE_MESSAGES, queue_bytes: int = DEFAULT_QUEUE_BYTES
    ) -> None:
        self.queue_messages = queue_messages
        self.queue_bytes = queue_bytes
        self._channels: dict[str, set[Inbox]] = {}
        self._closed = False

    async def start(self) -> None:
        self._closed = False

    async def close(self) -> None:
        self._closed = True
        channels, self._channels = self._channels, {}
        for inboxes in channels.values():
            for inbox in inboxes:
                inbox.end()

    async def publish(self, channel: str, message: bytes) -> None:
        if self._closed:
            raise BrokerUnavailable("the broker is closed")
        for inbox in tuple(self._channels.get(channel, ())):
            inbox.put(message)
            if not inbox.open:  # it overflowed: stop offering it anything
                self._forget(channel, inbox)

    def subscribe(self, channel: str) -> MemorySubscription:
        return MemorySubscription(self, channel)

    def subscriber_count(self, channel: str) -> int:
        """How many subscriptions the channel has (for tests and diagnostics)."""
        return len(self._channels.get(channel, ()))

    def _add(self, channel: str) -> Inbox:
        if self._closed:
            raise BrokerUnavailable("the broker is closed")
        inbox = Inbox(self.queue_messages, self.queue_bytes)
        self._channels.setdefault(channel, set()).add(inbox)
        return inbox

    def _forget(self, channel: str, inbox: Inbox) -> None:
        inboxes = self._channels.get(channel)
        if inboxes is None:
            return
        inboxes.discard(inbox)
        if not inboxes:
            del self._channels[channel]


class MemorySubscription(InboxSubscription):
    """A subscription of :class:`InMemoryBroker`: active as soon as it is entered."""

    def __init__(self, broker: InMemoryBroker, channel: str) -> None:
        super().__init__(channel)
        self._broker = broker

    async def _join(self) -> Inbox:
        return self._broker._add(self.channel)

    async def _leave(self, inbox: Inbox) -> None:
        self._broker._forget(self.channel, inbox)
