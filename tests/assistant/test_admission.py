"""The assistant's rate limit and token budgets hold under concurrent questions.

The application runs on uvicorn over real HTTP against SQLite and PostgreSQL; the local
LLM server holds every reply until each of the N concurrent questions was either admitted
(its request reached the provider) or refused (429), then lets the admitted ones finish.
Admission counts the turns still running, so with a limit of K exactly K are admitted.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from interviewkit.app import Container
from interviewkit.assistant.models import AssistantReservation
from interviewkit.db import new_id, read_session, run_write, utcnow
from interviewkit.llm.tokens import count_tokens
from tests.conftest import Keys, assert_problem, new_session
from tests.fakes.llm_server import ANTHROPIC_MESSAGES, FakeLLM, hold

QUESTION = "How should I start?"
WAIT_SECONDS = 30


@pytest.fixture
def settings_overrides(llm: FakeLLM) -> dict[str, Any]:
    llm.reset()
    return {
        "llm_provider": "anthropic",
        "anthropic_api_key": "test-key",
        "anthropic_base_url": llm.base_url,
        "anthropic_model": "fake-claude",
        "llm_retry_attempts": 1,
        "llm_max_tokens": 100,
        "ai_messages_per_minute": 1000,
        "ai_session_token_budget": 0,
        "ai_daily_token_budget": 0,
    }


def wait_until(condition: Callable[[], bool], what: str) -> None:
    """A bounded wait for a state (never a timing assertion)."""
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting until {what}")
        time.sleep(0.02)


@pytest.fixture
def served(app: FastAPI) -> Iterator[str]:
    """The application on uvicorn (a thread of this process) over real HTTP."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    url = f"http://127.0.0.1:{listener.getsockname()[1]}"
    config = uvicorn.Config(app, log_config=None, log_level="warning", access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    wait_until(lambda: server.started or not thread.is_alive(), "uvicorn started")
    assert server.started
    yield url
    server.should_exit = True
    thread.join(WAIT_SECONDS)
    listener.close()


def limit(container: Container, **update: Any) -> None:
    container.assistant.settings = container.settings.model_copy(update=update)


def at_provider(llm: FakeLLM) -> int:
    return sum(path == ANTHROPIC_MESSAGES for path, _, _ in llm.requests)


def reservations(container: Container) -> int:
    with read_session(container.assistant.factory) as db:
        return int(db.scalar(select(func.count()).select_from(AssistantReservation)) or 0)


def ask_concurrently(
    url: str, keys: Keys, llm: FakeLLM, session_ids: list[str], *, stream: bool = False
) -> list[httpx.Response]:
    """One question per entry of ``session_ids``, all at once; replies are held at the
    provider until every question was admitted (reached it) or refused (answered)."""
    release = threading.Event()
    llm.script(*[hold(release, "Start from a small example.") for _ in session_ids])

    def post(session_id: str) -> httpx.Response:
        with httpx.Client(base_url=url, headers=keys.bearer(keys.interviewer), timeout=60) as c:
            return c.post(
                f"/api/v1/sessions/{session_id}/assistant/messages",
                json={"content": QUESTION, "stream": stream},
            )

    with ThreadPoolExecutor(max_workers=len(session_ids)) as pool:
        futures: list[Future[httpx.Response]] = [pool.submit(post, s) for s in session_ids]
        try:
            wait_until(
                lambda: at_provider(llm) + sum(f.done() for f in futures) >= len(futures),
                "every question was admitted or refused",
            )
        finally:
            release.set()
        return [f.result() for f in futures]


def two_sum(client: TestClient) -> str:
    return str(new_session(client, problem_id="two-sum", language="python")["id"])


def test_concurrent_questions_admit_exactly_the_rate_limit(
    served: str, container: Container, client: TestClient, keys: Keys, llm: FakeLLM
) -> None:
    limit(container, ai_messages_per_minute=3)
    sid = two_sum(client)

    responses = ask_concurrently(served, keys, llm, [sid] * 8)

    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] * 3 + [429] * 5
    for refused in (r for r in responses if r.status_code == 429):
        assert_problem(refused, 429, "rate_limited")
    assert at_provider(llm) == 3
    assert reservations(container) == 0  # every admitted turn settled
    assert_problem(
        client.post(f"/api/v1/sessions/{sid}/assistant/messages", json={"content": "more"}),
        429,
        "rate_limited",
    )


def test_concurrent_questions_hold_the_session_token_budget(
    served: str, container: Container, client: TestClient, keys: Keys, llm: FakeLLM
) -> None:
    """A turn reserves its question and the longest reply; two turns' worth are admitted."""
    turn = count_tokens(QUESTION) + container.settings.llm_max_tokens
    limit(container, ai_session_token_budget=2 * turn)
    sid = two_sum(client)

    responses = ask_concurrently(served, keys, llm, [sid] * 6)

    assert sorted(r.status_code for r in responses) == [200] * 2 + [429] * 4
    for refused in (r for r in responses if r.status_code == 429):
        assert assert_problem(refused, 429, "ai_budget_exceeded")["scope"] == "session"
    assert reservations(container) == 0


def test_concurrent_questions_of_many_sessions_hold_the_daily_budget(
    served: str, container: Container, client: TestClient, keys: Keys, llm: FakeLLM
) -> None:
    turn = count_tokens(QUESTION) + container.settings.llm_max_tokens
    limit(container, ai_daily_token_budget=2 * turn)
    sessions = [two_sum(client) for _ in range(6)]

    responses = ask_concurrently(served, keys, llm, sessions, stream=True)

    assert sorted(r.status_code for r in responses) == [200] * 2 + [429] * 4
    for refused in (r for r in responses if r.status_code == 429):
        assert assert_problem(refused, 429, "ai_budget_exceeded")["scope"] == "daily"
    assert reservations(container) == 0


def test_a_client_that_leaves_mid_reply_gives_its_turn_back(
    served: str, container: Container, client: TestClient, keys: Keys, llm: FakeLLM
) -> None:
    """The turn never stored its messages, so the limit does not count it afterwards."""
    limit(container, ai_messages_per_minute=1)
    sid = two_sum(client)
    release = threading.Event()
    llm.script(hold(release, "Too late."))
    path = f"/api/v1/sessions/{sid}/assistant/messages"
    http = httpx.Client(base_url=served, headers=keys.bearer(keys.interviewer))
    with http, http.stream("POST", path, json={"content": QUESTION}) as response:
        assert response.status_code == 200
        wait_until(lambda: at_provider(llm) == 1, "the question reached the provider")
        assert reservations(container) == 1
    # leaving the block closed the connection mid-reply
    try:
        wait_until(lambda: reservations(container) == 0, "the reservation was released")
    finally:
        release.set()
    again = client.post(path, json={"content": "hello again", "stream": False})
    assert again.status_code == 200, again.text


def test_a_reservation_left_by_a_crashed_server_expires(
    container: Container, client: TestClient
) -> None:
    """A live reservation counts; one older than ai_reservation_ttl_s is ignored (and pruned)."""
    limit(container, ai_messages_per_minute=1, ai_reservation_ttl_s=60)
    stale, live = two_sum(client), two_sum(client)
    now = utcnow()

    def crashed(db: Session) -> None:
        db.add(
            AssistantReservation(
                id=new_id("rsv"), session_id=stale, tokens=1, created_at=now - timedelta(seconds=61)
            )
        )
        db.add(
            AssistantReservation(
                id=new_id("rsv"), session_id=live, tokens=1, created_at=now - timedelta(seconds=59)
            )
        )

    run_write(container.assistant.factory, crashed)

    ask = "/api/v1/sessions/{}/assistant/messages"
    assert (
        client.post(ask.format(stale), json={"content": "hi", "stream": False}).status_code == 200
    )
    assert_problem(client.post(ask.format(live), json={"content": "hi"}), 429, "rate_limited")
    assert reservations(container) == 1  # the live one; the stale one was pruned
