"""Per-caller request budgets: a runaway client gets 429s, everyone else carries on."""

from __future__ import annotations

import time
from typing import Any

import pytest
from fastapi.testclient import TestClient

from interviewkit.ratelimit import RateLimiter
from tests.conftest import assert_problem, new_session


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(time, "monotonic", fake)
    return fake


def test_a_bucket_allows_its_burst_then_refills_at_its_rate(clock: Clock) -> None:
    limiter = RateLimiter(rate=2, burst=3)
    assert [limiter.wait_time("a") for _ in range(3)] == [0, 0, 0]
    assert limiter.wait_time("a") == pytest.approx(0.5)
    clock.now += 0.5
    assert limiter.wait_time("a") == 0
    assert limiter.wait_time("b") == 0, "every key has its own bucket"
    clock.now += 100
    assert [limiter.wait_time("a") for _ in range(4)][-1] > 0, "refill stops at the burst"


def test_a_rate_of_zero_means_no_limit(clock: Clock) -> None:
    limiter = RateLimiter(rate=0, burst=1)
    assert all(limiter.wait_time("a") == 0 for _ in range(1000))


class TestCandidateBudget:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, Any]:
        return {"candidate_requests_per_second": 0.001, "candidate_request_burst": 3}

    def test_a_candidate_over_budget_gets_429_and_others_do_not(
        self, client: TestClient, anonymous: TestClient
    ) -> None:
        mine, other = new_session(client), new_session(client)

        def candidate(session: dict[str, Any]) -> dict[str, str]:
            token = client.post(f"/api/v1/sessions/{session['id']}/invite").json()["token"]
            return {"Authorization": f"Bearer {token}"}

        url = f"/api/v1/sessions/{mine['id']}/files"
        headers = candidate(mine)
        assert all(anonymous.get(url, headers=headers).is_success for _ in range(3))
        limited = anonymous.get(url, headers=headers)
        problem = assert_problem(limited, 429, "rate_limited")
        assert int(limited.headers["retry-after"]) >= 1
        assert problem["retry_after_seconds"] > 0
        other_url = f"/api/v1/sessions/{other['id']}/files"
        assert anonymous.get(other_url, headers=candidate(other)).is_success
        assert client.get(url).is_success, "staff keys have their own (unlimited) budget"
