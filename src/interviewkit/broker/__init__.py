"""Fan-out between server processes: the port, its adapters, and the factory that picks
one from settings (``memory`` for one process, ``redis`` for several)."""

from __future__ import annotations

from interviewkit.broker.memory import InMemoryBroker
from interviewkit.broker.port import (
    Broker,
    BrokerDisconnected,
    BrokerError,
    BrokerUnavailable,
    Subscription,
    SubscriptionOverflow,
)
from interviewkit.config import Settings

__all__ = [
    "Broker",
    "BrokerDisconnected",
    "BrokerError",
    "BrokerUnavailable",
    "InMemoryBroker",
    "Subscription",
    "SubscriptionOverflow",
    "create_broker",
]


def create_broker(settings: Settings) -> Broker:
    """The configured broker, not yet started. A subscription's inbox holds as many
    messages as a live connection's send queue: a hub that cannot keep up with that much
    would drop its clients anyway."""
    if settings.broker == "redis":
        from interviewkit.broker.redis import RedisBroker

        return RedisBroker(settings.redis_url, queue_messages=settings.live_send_queue)
    return InMemoryBroker(queue_messages=settings.live_send_queue)
