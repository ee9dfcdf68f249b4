"""The broker contract: what the live hub relies on, passed by every adapter.

Each test gets a subscribing broker and a publishing one: for Redis two brokers with their
own connections (two server processes, as in production), for memory the same broker.
Messages that must *not* arrive are checked without waiting: a sentinel published after
them on the same channel has to be the next thing the subscriber reads.
"""

from __future__ import annotations

import asyncio
import itertools
import secrets
import threading
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from typing import Any

import pytest
import redis
import redis.asyncio
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from interviewkit.broker import (
    Broker,
    BrokerDisconnected,
    BrokerUnavailable,
    InMemoryBroker,
    Subscription,
    SubscriptionOverflow,
    create_broker,
)
from interviewkit.broker.redis import RedisBroker
from interviewkit.doctor import probe_broker
from tests.conftest import make_settings
from tests.live.redis_service import require_redis, unique

HANG_GUARD_S = 60  # a broken adapter fails the test instead of hanging the run
SENTINEL = b"\x00sentinel"


@dataclass
class Adapter:
    """How to make brokers of one kind; ``url`` only for Redis."""

    kind: str
    url: str = ""

    def make(self, **options: Any) -> Broker:
        if self.kind == "redis":
            return RedisBroker(self.url, client_name=unique("ik-test-broker"), **options)
        return InMemoryBroker(**options)

    @asynccontextmanager
    async def pair(self, **options: Any) -> AsyncIterator[tuple[Broker, Broker]]:
        """(subscriber side, publisher side), started, closed afterwards."""
        async with AsyncExitStack() as stack:
            subscriber = self.make(**options)
            await subscriber.start()
            stack.push_async_callback(subscriber.close)
            publisher = subscriber
            if self.kind == "redis":
                publisher = self.make()
                await publisher.start()
                stack.push_async_callback(publisher.close)
            yield subscriber, publisher


@pytest.fixture(params=["memory", "redis"])
def adapter(request: pytest.FixtureRequest) -> Adapter:
    if request.param == "redis":
        return Adapter("redis", require_redis())
    return Adapter("memory")


def run(body: Callable[[], Awaitable[None]]) -> None:
    async def guarded() -> None:
        await asyncio.wait_for(body(), HANG_GUARD_S)

    asyncio.run(guarded())


async def take(subscription: Subscription, count: int) -> list[bytes]:
    """The next ``count`` messages of a subscription."""
    received: list[bytes] = []
    if count == 0:
        return received
    async for message in subscription:
        received.append(message)
        if len(received) == count:
            break
    return received


async def publish_all(broker: Broker, channel: str, messages: list[bytes]) -> None:
    for message in messages:
        await broker.publish(channel, message)


def channel_name() -> str:
    return unique("contract")


# ---- delivery -----------------------------------------------------------------------------


def test_every_subscriber_gets_every_message_in_publish_order(adapter: Adapter) -> None:
    messages = [f"m{i}".encode() for i in range(50)]

    async def body() -> None:
        channel = channel_name()
        async with adapter.pair() as (sub_side, pub_side), AsyncExitStack() as stack:
            subscriptions = [
                await stack.enter_async_context(sub_side.subscribe(channel)) for _ in range(3)
            ]
            await publish_all(pub_side, channel, messages)
            for subscription in subscriptions:
                assert await take(subscription, len(messages)) == messages

    run(body)


def test_a_message_published_right_after_subscribing_arrives(adapter: Adapter) -> None:
    """subscribe returns once active: "subscribe, then read the database" misses nothing."""

    async def body() -> None:
        async with adapter.pair() as (sub_side, pub_side):
            for attempt in range(20):
                channel = channel_name()
                async with sub_side.subscribe(channel) as subscription:
                    await pub_side.publish(channel, b"first %d" % attempt)
                    assert await take(subscription, 1) == [b"first %d" % attempt]

    run(body)


def test_channels_are_isolated(adapter: Adapter) -> None:
    async def body() -> None:
        mine, other = channel_name(), channel_name()
        async with (
            adapter.pair() as (sub_side, pub_side),
            sub_side.subscribe(mine) as subscription,
            sub_side.subscribe(other) as bystander,
        ):
            await pub_side.publish(other, b"for the other channel")
            await pub_side.publish(other + "x", b"for a channel nobody reads")
            await pub_side.publish(mine, SENTINEL)
            assert await take(subscription, 1) == [SENTINEL]
            assert await take(bystander, 1) == [b"for the other channel"]

    run(body)


def test_each_publisher_is_seen_in_its_own_order(adapter: Adapter) -> None:
    per_publisher = 100

    async def body() -> None:
        channel = channel_name()
        async with adapter.pair() as (sub_side, pub_side), sub_side.subscribe(channel) as sub:
            publishers = [
                publish_all(pub_side, channel, [b"%d:%d" % (p, i) for i in range(per_publisher)])
                for p in range(3)
            ]
            await asyncio.gather(*publishers)
            received = await take(sub, 3 * per_publisher)
        for p in range(3):
            mine = [m for m in received if m.startswith(b"%d:" % p)]
            assert mine == [b"%d:%d" % (p, i) for i in range(per_publisher)]

    run(body)


def test_binary_payloads_round_trip_unchanged(adapter: Adapter) -> None:
    payloads = [b"", bytes(range(256)), b"\r\n$-1\r\n*3\r\n", secrets.token_bytes(1 << 20)]

    async def body() -> None:
        channel = channel_name()
        async with adapter.pair() as (sub_side, pub_side), sub_side.subscribe(channel) as sub:
            await publish_all(pub_side, channel, payloads)
            assert await take(sub, len(payloads)) == payloads

    run(body)


def test_many_channels_each_get_only_their_own_messages(adapter: Adapter) -> None:
    channels = [channel_name() for _ in range(200)]

    async def body() -> None:
        async with adapter.pair() as (sub_side, pub_side), AsyncExitStack() as stack:
            subscriptions = [
                await stack.enter_async_context(sub_side.subscribe(channel)) for channel in channels
            ]
            for channel in reversed(channels):
                await pub_side.publish(channel, channel.encode())
            for channel, subscription in zip(channels, subscriptions, strict=True):
                assert await take(subscription, 1) == [channel.encode()]

    run(body)


def test_subscribers_joining_at_once_are_all_active_when_they_return(adapter: Adapter) -> None:
    """Concurrent joins, some on the same channel (the first subscribes, the others ride on
    it), some leaving as others join: each is active once its ``async with`` returns."""
    channels = [channel_name() for _ in range(5)]

    async def member(sub_side: Broker, pub_side: Broker, n: int) -> None:
        channel = channels[n % len(channels)]
        async with sub_side.subscribe(channel) as subscription:
            await pub_side.publish(channel, b"hello %d" % n)
            async for message in subscription:
                if message == b"hello %d" % n:
                    break

    async def body() -> None:
        async with adapter.pair() as (sub_side, pub_side):
            for _ in range(3):
                await asyncio.gather(*(member(sub_side, pub_side, n) for n in range(40)))

    run(body)


# ---- leaving, slowness, closing -------------------------------------------------------------


def test_a_subscriber_that_left_gets_nothing_and_others_go_on(adapter: Adapter) -> None:
    async def body() -> None:
        channel = channel_name()
        async with adapter.pair() as (sub_side, pub_side), sub_side.subscribe(channel) as stays:
            async with sub_side.subscribe(channel) as leaves:
                await pub_side.publish(channel, b"both")
                assert await take(leaves, 1) == [b"both"]
            await pub_side.publish(channel, b"after leaving")
            with pytest.raises(RuntimeError):
                await take(leaves, 1)
            async with sub_side.subscribe(channel) as again:
                await pub_side.publish(channel, SENTINEL)
                assert await take(again, 1) == [SENTINEL], "nothing from before it joined"
            assert await take(stays, 3) == [b"both", b"after leaving", SENTINEL]

    run(body)


def test_the_last_subscriber_leaving_frees_the_channel(adapter: Adapter) -> None:
    async def body() -> None:
        channel = channel_name()
        async with adapter.pair() as (sub_side, pub_side):
            for _ in range(3):
                async with sub_side.subscribe(channel) as subscription:
                    await pub_side.publish(channel, b"x")
                    assert await take(subscription, 1) == [b"x"]
            async with sub_side.subscribe(channel_name()):
                pass  # a round trip on the same connection: the UNSUBSCRIBE was processed
            assert await subscriber_count(adapter, sub_side, channel) == 0

    run(body)


async def subscriber_count(adapter: Adapter, broker: Broker, channel: str) -> int:
    if isinstance(broker, InMemoryBroker):
        return broker.subscriber_count(channel)
    client = redis.asyncio.Redis.from_url(adapter.url)
    try:
        counts = await client.pubsub_numsub(channel)
    finally:
        await client.aclose()
    return int(counts[0][1])


def test_a_slow_subscriber_overflows_alone_without_blocking_anyone(adapter: Adapter) -> None:
    """A subscriber that stops reading ends with an error it can see (it then resyncs from
    the database); publishers and the other subscribers carry on."""
    limit = 4
    messages = [b"%d" % i for i in range(3 * limit)]

    async def body() -> None:
        channel = channel_name()
        async with (
            adapter.pair(queue_messages=limit) as (sub_side, pub_side),
            sub_side.subscribe(channel) as slow,
            sub_side.subscribe(channel) as fast,
        ):
            for message in messages:
                await pub_side.publish(channel, message)
                assert await take(fast, 1) == [message]
            assert await take(slow, limit) == messages[:limit], "what it held, it keeps"
            with pytest.raises(SubscriptionOverflow):
                await take(slow, 1)
            await pub_side.publish(channel, SENTINEL)
            assert await take(fast, 1) == [SENTINEL]

    run(body)


def test_an_inbox_is_bounded_in_bytes_too(adapter: Adapter) -> None:
    async def body() -> None:
        channel = channel_name()
        async with (
            adapter.pair(queue_bytes=1000) as (sub_side, pub_side),
            sub_side.subscribe(channel) as sub,
        ):
            await pub_side.publish(channel, b"a" * 600)
            await pub_side.publish(channel, b"b" * 600)
            await pub_side.publish(channel, b"c" * 10)
            assert await take(sub, 1) == [b"a" * 600]
            with pytest.raises(SubscriptionOverflow):
                await take(sub, 1)

    run(body)


def test_closing_the_broker_ends_every_subscription(adapter: Adapter) -> None:
    async def body() -> None:
        broker = adapter.make()
        await broker.start()
        async with broker.subscribe(channel_name()) as sub:
            reader = asyncio.create_task(take(sub, 1))
            await asyncio.sleep(0)
            await broker.close()
            assert await reader == [], "iteration stops without an error"
        with pytest.raises(BrokerUnavailable):
            await broker.publish(channel_name(), b"late")

    run(body)


def test_a_subscription_is_entered_once(adapter: Adapter) -> None:
    async def body() -> None:
        async with adapter.pair() as (broker, _):
            subscription = broker.subscribe(channel_name())
            with pytest.raises(RuntimeError):
                await take(subscription, 1)
            async with subscription:
                with pytest.raises(RuntimeError):
                    await subscription.__aenter__()

    run(body)


def test_the_memory_broker_accepts_publishes_from_another_thread() -> None:
    """A publish made on another thread's loop still reaches the subscriber, in order."""
    messages = [b"%d" % i for i in range(100)]

    async def body() -> None:
        broker = InMemoryBroker()
        channel = channel_name()
        async with broker.subscribe(channel) as sub:
            thread = threading.Thread(
                target=lambda: asyncio.run(publish_all(broker, channel, messages))
            )
            thread.start()
            received = await take(sub, len(messages))
            thread.join()
        assert received == messages

    run(body)


# ---- wide inputs --------------------------------------------------------------------------

channel_names = st.text(min_size=1, max_size=40)
payload_lists = st.lists(st.binary(max_size=2048), max_size=20)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(names=st.lists(channel_names, min_size=1, max_size=4, unique=True), data=st.data())
def test_any_channel_names_and_payloads_arrive_intact_and_separate(
    adapter: Adapter, names: list[str], data: st.DataObject
) -> None:
    prefix = channel_name()
    plan = {name: data.draw(payload_lists, label=name) for name in names}

    async def body() -> None:
        async with adapter.pair() as (sub_side, pub_side), AsyncExitStack() as stack:
            subscriptions = {
                name: await stack.enter_async_context(sub_side.subscribe(prefix + name))
                for name in names
            }
            rounds = itertools.zip_longest(*plan.values())
            for round_ in rounds:  # interleave the channels' messages
                for name, message in zip(names, round_, strict=True):
                    if message is not None:
                        await pub_side.publish(prefix + name, message)
            for name, subscription in subscriptions.items():
                await pub_side.publish(prefix + name, SENTINEL)
                assert await take(subscription, len(plan[name]) + 1) == [*plan[name], SENTINEL]

    run(body)


# ---- the factory and failures -------------------------------------------------------------


def test_create_broker_follows_the_settings(tmp_path: Any) -> None:
    assert isinstance(create_broker(make_settings(tmp_path)), InMemoryBroker)
    chosen = create_broker(make_settings(tmp_path, broker="redis", redis_url="redis://h:1/2"))
    assert isinstance(chosen, RedisBroker)
    assert chosen.url == "redis://h:1/2"


@pytest.mark.parametrize("url", ["redis://127.0.0.1:1/0", "unix:///nonexistent/redis.sock"])
def test_an_unreachable_redis_is_reported_not_hung(url: str) -> None:
    async def body() -> None:
        broker = RedisBroker(url)
        await broker.start()
        try:
            with pytest.raises(BrokerUnavailable):
                await broker.publish("any", b"x")
            with pytest.raises(BrokerUnavailable):
                async with broker.subscribe("any"):
                    pass
        finally:
            await broker.close()

    run(body)


def test_an_unreachable_redis_never_shows_its_password() -> None:
    async def body() -> None:
        broker = RedisBroker("redis://user:hunter2-secret@127.0.0.1:1/0")
        try:
            with pytest.raises(BrokerUnavailable) as raised:
                async with broker.subscribe("any"):
                    pass
            assert "hunter2-secret" not in str(raised.value)
            assert "127.0.0.1:1" in str(raised.value)
        finally:
            await broker.close()

    run(body)


def test_doctor_reports_the_broker(tmp_path: Any) -> None:
    memory = probe_broker(make_settings(tmp_path))
    assert memory.ok
    assert "memory" in memory.detail
    down = probe_broker(
        make_settings(tmp_path, broker="redis", redis_url="redis://:s3cr3t-pw-xyz@127.0.0.1:1")
    )
    assert not down.ok
    assert "s3cr3t-pw-xyz" not in down.detail
    assert "INTERVIEWKIT_BROKER" in down.fix
    up = probe_broker(make_settings(tmp_path, broker="redis", redis_url=require_redis()))
    assert up.ok, up.detail


# ---- Redis only: one connection, and what a dropped connection does ----------------------


async def connections_named(url: str, name: str) -> list[dict[str, Any]]:
    client = redis.asyncio.Redis.from_url(url)
    try:
        clients: list[dict[str, Any]] = await client.client_list()
    finally:
        await client.aclose()
    return [c for c in clients if c.get("name") == name]


def test_redis_multiplexes_every_channel_on_one_connection() -> None:
    url = require_redis()

    async def body() -> None:
        name = unique("ik-test-mux")
        broker = RedisBroker(url, client_name=name)
        await broker.start()
        try:
            async with AsyncExitStack() as stack:
                for _ in range(50):
                    await stack.enter_async_context(broker.subscribe(channel_name()))
                await broker.publish(channel_name(), b"opens the publishing connection")
                connections = await connections_named(url, name)
                assert len(connections) == 2, "one pub/sub connection and one publisher"
                assert sorted(int(c["sub"]) for c in connections) == [0, 50]
        finally:
            await broker.close()

    run(body)


def test_a_dropped_redis_connection_ends_subscriptions_and_the_next_one_reconnects() -> None:
    """Redis restarting looks like this: the subscription ends with BrokerDisconnected (the
    hub resyncs), subscribing again works, and publishing recovers by itself."""
    url = require_redis()

    async def body() -> None:
        name = unique("ik-test-drop")
        broker = RedisBroker(url, client_name=name)
        await broker.start()
        channel = channel_name()
        try:
            async with broker.subscribe(channel) as sub:
                await broker.publish(channel, b"before")
                assert await take(sub, 1) == [b"before"]
                await kill_connections(url, name)
                with pytest.raises(BrokerDisconnected):
                    await take(sub, 1)
            await publish_until_it_works(broker, channel_name(), b"reconnects")
            async with broker.subscribe(channel) as again:
                await broker.publish(channel, b"after")
                assert await take(again, 1) == [b"after"]
        finally:
            await broker.close()

    run(body)


async def kill_connections(url: str, name: str) -> None:
    client = redis.asyncio.Redis.from_url(url)
    try:
        for connection in await connections_named(url, name):
            await client.client_kill_filter(_id=connection["id"])
    finally:
        await client.aclose()


async def publish_until_it_works(broker: Broker, channel: str, message: bytes) -> None:
    """A publish on a connection Redis dropped may fail once (never retried, so never
    twice delivered); the one after reconnects."""
    for _ in range(3):
        try:
            await broker.publish(channel, message)
            return
        except BrokerUnavailable:
            continue
    raise AssertionError("publishing never recovered")
