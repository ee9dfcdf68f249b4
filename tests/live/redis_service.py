"""The Redis service the broker tests use: reachable, or skipped (failed in CI)."""

from __future__ import annotations

import os
import secrets

import redis

from tests.conftest import unavailable

REDIS_URL = os.environ.get("INTERVIEWKIT_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def require_redis() -> str:
    """The test Redis URL after a PING; an unreachable Redis skips (or fails in CI)."""
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2, socket_timeout=2)
    try:
        client.ping()
    except (redis.RedisError, OSError) as exc:
        unavailable("Redis", str(exc).splitlines()[0])
    finally:
        client.close()
    return REDIS_URL


def unique(prefix: str) -> str:
    """A name no other test run shares (the Redis server is shared)."""
    return f"{prefix}:{secrets.token_hex(6)}"
