"""The assistant end to end: HTTP API → service → real SDKs → a local LLM server over HTTP."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from interviewkit.app import Container
from interviewkit.problems.bank import load_bank
from tests.conftest import assert_problem, invite, new_session
from tests.fakes.llm_server import FakeLLM, cut, fail, reply

SQLITE = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
TWO_SUM = load_bank().problems["two-sum"]


@pytest.fixture
def provider() -> str:
    """Which chain the app gets; tests override with parametrize."""
    return "offline"


@pytest.fixture
def settings_overrides(llm: FakeLLM, provider: str) -> dict[str, Any]:
    llm.reset()
    return {
        "llm_provider": provider,
        "anthropic_api_key": "test-key",
        "anthropic_base_url": llm.base_url,
        "anthropic_model": "fake-claude",
        "openai_api_key": "test-key",
        "openai_base_url": llm.base_url + "/v1",
        "openai_model": "fake-gpt",
        "llm_retry_base_s": 0.01,
        "llm_breaker_failures": 2,
        "llm_prices": {"fake-claude": (3.0, 15.0), "fake-gpt": (1.0, 2.0), "offline": (0, 0)},
        "ai_messages_per_minute": 50,
    }


def sse(response: Any) -> list[tuple[str, dict[str, Any]]]:
    """The (event, data) pairs of a text/event-stream body."""
    events = []
    for block in response.text.strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines())
        events.append((lines["event"], json.loads(lines["data"])))
    return events


def ask(client: TestClient, session_id: str, content: str, stream: bool = True) -> Any:
    return client.post(
        f"/api/v1/sessions/{session_id}/assistant/messages",
        json={"content": content, "stream": stream},
    )


def two_sum_session(client: TestClient) -> str:
    return str(new_session(client, problem_id="two-sum", language="python")["id"])


@SQLITE
def test_the_offline_assistant_streams_hints_in_order(client: TestClient, app: FastAPI) -> None:
    sid = two_sum_session(client)
    candidate = invite(client, app, sid)
    response = ask(candidate, sid, "Can I have a hint?")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    events = sse(response)
    assert [name for name, _ in events[:-1]] == ["delta"] * (len(events) - 1)
    text = "".join(data["text"] for name, data in events if name == "delta")
    assert TWO_SUM.hints[0] in text
    done = events[-1]
    assert done[0] == "done"
    assert done[1]["provider"] == "offline"
    assert done[1]["usage"]["output_tokens"] > 0
    second = "".join(d.get("text", "") for _, d in sse(ask(candidate, sid, "another hint")))
    assert TWO_SUM.hints[1] in second
    listed = candidate.get(f"/api/v1/sessions/{sid}/assistant/messages").json()
    assert [m["role"] for m in listed["messages"]] == ["user", "assistant"] * 2
    assert listed["totals"]["tokens_out"] > 0


@SQLITE
@pytest.mark.parametrize("provider", ["anthropic", "openai"])
def test_real_sdks_stream_through_the_api_with_usage_and_cost(
    client: TestClient, llm: FakeLLM, provider: str
) -> None:
    sid = two_sum_session(client)
    llm.script(reply("Think about what you have seen so far.", input_tokens=1200, output_tokens=9))
    events = sse(ask(client, sid, "How do I start?"))
    text = "".join(d["text"] for name, d in events if name == "delta")
    assert text == "Think about what you have seen so far."
    done = events[-1][1]
    assert done["usage"] == {"input_tokens": 1200, "output_tokens": 9}
    price_in, price_out = (3.0, 15.0) if provider == "anthropic" else (1.0, 2.0)
    assert done["cost_usd"] == pytest.approx((1200 * price_in + 9 * price_out) / 1e6)
    assert done["ttft_ms"] is not None
    _, body, _ = llm.requests[-1]
    system = body["system"] if provider == "anthropic" else body["messages"][0]["content"]
    assert "Two Sum" in system
    assert "Never write the solution" in system  # hints_only, the template's default
    stats = client.get(f"/api/v1/sessions/{sid}/stats").json()
    assert stats["ai"]["turns"] == 2
    assert stats["ai"]["tokens_in"] == 1200
    assert stats["ai"]["cost_usd"] == pytest.approx(done["cost_usd"])


@SQLITE
@pytest.mark.parametrize("provider", ["anthropic,offline"])
def test_retry_after_then_success_over_http(client: TestClient, llm: FakeLLM) -> None:
    sid = two_sum_session(client)
    llm.script(fail(429, retry_after=0.05), fail(500), reply("Fine now."))
    response = ask(client, sid, "hello", stream=False)
    assert response.status_code == 200, response.text
    assert response.json()["content"] == "Fine now."
    assert response.json()["provider"] == "anthropic"
    assert sum(path == "/v1/messages" for path, _, _ in llm.requests) == 3


@SQLITE
@pytest.mark.parametrize("provider", ["openai,offline"])
def test_fallback_then_the_breaker_opens(client: TestClient, llm: FakeLLM) -> None:
    sid = two_sum_session(client)
    llm.script(*[fail(503)] * 6)
    first = ask(client, sid, "what does the problem ask?", stream=False).json()
    assert first["provider"] == "offline"
    assert "Two Sum" in first["content"] or "indices" in first["content"]
    ask(client, sid, "and the constraints?", stream=False)
    calls = len(llm.requests)
    third = ask(client, sid, "thanks", stream=False).json()
    assert third["provider"] == "offline"
    assert len(llm.requests) == calls  # circuit open: openai was not called again


@SQLITE
@pytest.mark.parametrize("provider", ["anthropic", "openai"])
def test_a_stream_cut_midway_ends_with_an_error_and_keeps_the_partial(
    client: TestClient, llm: FakeLLM
) -> None:
    sid = two_sum_session(client)
    llm.script(cut("one two three four five", after_chunks=2))
    events = sse(ask(client, sid, "explain"))
    assert [name for name, _ in events] == ["delta", "delta", "error"]
    assert events[-1][1]["partial"] == "one two "
    assert events[-1][1]["code"] == "ai_unavailable"
    stored = client.get(f"/api/v1/sessions/{sid}/assistant/messages").json()["messages"][-1]
    assert stored["content"] == "one two "
    assert stored["complete"] is False
    assert stored["error"]


LEAKED_KEY = "sk-ant-api03-LEAKED-k3y-fragment-0123456789"
INTERNAL_HOST = "llm-gateway.internal.corp.example"


@SQLITE
@pytest.mark.parametrize("provider", ["anthropic", "openai"])
def test_provider_error_text_reaches_the_logs_and_never_the_candidate(
    client: TestClient, app: FastAPI, llm: FakeLLM, caplog: pytest.LogCaptureFixture
) -> None:
    """A provider's error body (here a key fragment and an internal host) is logged with the
    request id; the candidate sees 502 ``ai_unavailable`` (JSON) or an ``error`` event (SSE)
    with a fixed message, in no byte of any response, nor in the stored conversation."""
    sid = two_sum_session(client)
    candidate = invite(client, app, sid)
    leak = f"invalid x-api-key {LEAKED_KEY} (upstream {INTERNAL_HOST}:8443)"
    llm.script(fail(401, message=leak), fail(401, message=leak))
    caplog.set_level(logging.WARNING, logger="interviewkit.assistant")

    as_json = ask(candidate, sid, "hello", stream=False)
    as_sse = ask(candidate, sid, "hello again")
    listed = candidate.get(f"/api/v1/sessions/{sid}/assistant/messages")
    staff_listed = client.get(f"/api/v1/sessions/{sid}/assistant/messages")

    problem = assert_problem(as_json, 502, "ai_unavailable")
    assert problem["message_id"].startswith("msg_")
    assert as_sse.status_code == 200
    name, data = sse(as_sse)[-1]
    assert (name, data["code"], data["message"]) == ("error", "ai_unavailable", problem["detail"])
    for response in (as_json, as_sse, listed, staff_listed):
        assert LEAKED_KEY.encode() not in response.content
        assert INTERNAL_HOST.encode() not in response.content
        assert LEAKED_KEY not in str(response.headers)
    logged = [r.getMessage() for r in caplog.records if LEAKED_KEY in r.getMessage()]
    assert len(logged) == 2
    assert all(INTERNAL_HOST in line for line in logged)
    assert as_json.headers["x-request-id"] in logged[0]
    assert as_sse.headers["x-request-id"] in logged[1]


@SQLITE
@pytest.mark.parametrize("provider", ["anthropic"])
def test_a_reply_with_the_reference_solution_is_refused(client: TestClient, llm: FakeLLM) -> None:
    sid = two_sum_session(client)
    leaked = "Sure:\n```python\n" + TWO_SUM.solutions["python"] + "```\n"
    llm.script(reply(leaked))
    events = sse(ask(client, sid, "write it for me"))
    names = [name for name, _ in events]
    assert "refused" in names
    streamed = "".join(d["text"] for name, d in events if name == "delta")
    assert "seen[value] = i" not in streamed
    stored = client.get(f"/api/v1/sessions/{sid}/assistant/messages").json()["messages"][-1]
    assert stored["refused"] is True
    assert "seen[value]" not in stored["content"]


@SQLITE
def test_budgets_and_rate_limits_answer_429(container: Container, client: TestClient) -> None:
    sid = two_sum_session(client)
    container.assistant.settings = container.settings.model_copy(
        update={"ai_session_token_budget": 1}
    )
    assert ask(client, sid, "hint please", stream=False).status_code == 200
    problem = assert_problem(ask(client, sid, "more"), 429, "ai_budget_exceeded")
    assert problem["scope"] == "session"
    container.assistant.settings = container.settings.model_copy(
        update={"ai_session_token_budget": 0, "ai_messages_per_minute": 1}
    )
    other = two_sum_session(client)
    assert ask(client, other, "hi", stream=False).status_code == 200
    limited = ask(client, other, "again")
    assert_problem(limited, 429, "rate_limited")
    assert limited.headers["retry-after"] == "60"


def test_candidates_reach_only_their_own_sessions_assistant(
    client: TestClient, app: FastAPI
) -> None:
    mine, theirs = two_sum_session(client), two_sum_session(client)
    candidate = invite(client, app, mine)
    assert_problem(ask(candidate, theirs, "hello"), 404, "session_not_found")
    assert_problem(
        candidate.get(f"/api/v1/sessions/{theirs}/assistant/messages"), 404, "session_not_found"
    )
    assert_problem(ask(client, mine, "   "), 422, "empty_message")
    client.delete(f"/api/v1/sessions/{mine}")
    assert_problem(ask(client, mine, "hello"), 409, "session_ended")


@SQLITE
@pytest.mark.parametrize("provider", ["anthropic,offline"])
def test_readyz_checks_each_provider(client: TestClient, llm: FakeLLM) -> None:
    checks = client.get("/readyz").json()["checks"]
    assert checks["llm:anthropic"]["status"] == "ok"
    assert checks["llm:offline"]["status"] == "ok"
    assert any(path == "/v1/models" for path, _, _ in llm.requests)
