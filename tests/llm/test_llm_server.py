"""The official anthropic and openai SDKs, end to end over HTTP against FakeLLM."""

from __future__ import annotations

import asyncio
import functools
import json
import time
from collections.abc import Iterator

import anthropic
import httpx
import httpx2
import openai
import pytest
from anthropic.types import MessageParam
from openai.types.chat import ChatCompletionMessageParam

from tests.fakes.llm_server import FakeLLM, cut, delay, fail, reply, split_chunks

TEXT = "The quick brown fox jumps over the lazy dog"
CLAUDE_USER: list[MessageParam] = [{"role": "user", "content": "Tell me about foxes"}]
GPT_USER: list[ChatCompletionMessageParam] = [{"role": "user", "content": "Tell me about foxes"}]


@pytest.fixture(scope="module")
def shared_server() -> Iterator[FakeLLM]:
    with FakeLLM() as fake:
        yield fake


@pytest.fixture
def server(shared_server: FakeLLM) -> Iterator[FakeLLM]:
    """One server for the module (SDK clients are cached per URL: building one costs ~25 ms)."""
    shared_server.reset()
    yield shared_server
    assert shared_server.errors == []


def claude(server: FakeLLM) -> anthropic.Anthropic:
    return _claude(server.base_url)


def gpt(server: FakeLLM) -> openai.OpenAI:
    return _gpt(server.base_url)


@functools.cache
def _claude(base_url: str) -> anthropic.Anthropic:
    return anthropic.Anthropic(base_url=base_url, api_key="test", max_retries=0)


@functools.cache
def _gpt(base_url: str) -> openai.OpenAI:
    return openai.OpenAI(base_url=base_url + "/v1", api_key="test", max_retries=0)


def async_claude(server: FakeLLM) -> anthropic.AsyncAnthropic:
    return anthropic.AsyncAnthropic(base_url=server.base_url, api_key="test", max_retries=0)


def async_gpt(server: FakeLLM) -> openai.AsyncOpenAI:
    return openai.AsyncOpenAI(base_url=server.base_url + "/v1", api_key="test", max_retries=0)


# ---- Anthropic ----------------------------------------------------------------------------


def test_anthropic_reply_usage_and_recorded_request(server: FakeLLM) -> None:
    server.script(reply(TEXT, input_tokens=12, output_tokens=9))
    message = claude(server).messages.create(
        model="claude-test", max_tokens=64, system="Be brief.", messages=CLAUDE_USER
    )
    assert message.content[0].type == "text"
    assert message.content[0].text == TEXT
    assert message.stop_reason == "end_turn"
    assert message.model == "claude-test"
    assert (message.usage.input_tokens, message.usage.output_tokens) == (12, 9)

    path, body, headers = server.requests[0]
    assert path == "/v1/messages"
    assert body["system"] == "Be brief."
    assert body["model"] == "claude-test"
    assert body["max_tokens"] == 64
    assert body["messages"] == CLAUDE_USER
    # anthropic 2.x sends the API key as a bearer token (not x-api-key)
    assert headers["authorization"] == "Bearer test"
    assert "anthropic-version" in headers


def test_anthropic_default_reply_echoes_and_counts_words(server: FakeLLM) -> None:
    message = claude(server).messages.create(
        model="claude-test", max_tokens=64, system="Be brief.", messages=CLAUDE_USER
    )
    assert message.content[0].type == "text"
    assert message.content[0].text == "You said: Tell me about foxes"
    assert message.usage.input_tokens == 6  # "Be brief." + "Tell me about foxes"
    assert message.usage.output_tokens == 6


def test_anthropic_stream(server: FakeLLM) -> None:
    server.script(reply(TEXT, input_tokens=7))
    with claude(server).messages.stream(
        model="claude-test", max_tokens=64, messages=CLAUDE_USER
    ) as stream:
        deltas = list(stream.text_stream)
        final = stream.get_final_message()
    assert deltas == split_chunks(TEXT)
    assert len(deltas) > 1
    assert "".join(deltas) == TEXT
    assert (final.usage.input_tokens, final.usage.output_tokens) == (7, 9)
    assert final.stop_reason == "end_turn"
    assert server.last_request.body["stream"] is True


def test_anthropic_async_reply_and_stream(server: FakeLLM) -> None:
    server.script(reply("hello async world"), reply(TEXT))

    async def run() -> tuple[str, list[str], int]:
        client = async_claude(server)
        message = await client.messages.create(model="m", max_tokens=10, messages=CLAUDE_USER)
        assert message.content[0].type == "text"
        async with client.messages.stream(model="m", max_tokens=10, messages=CLAUDE_USER) as stream:
            deltas = [delta async for delta in stream.text_stream]
            final = await stream.get_final_message()
        return message.content[0].text, deltas, final.usage.output_tokens

    text, deltas, output_tokens = asyncio.run(run())
    assert text == "hello async world"
    assert "".join(deltas) == TEXT
    assert output_tokens == 9


def test_anthropic_rate_limit(server: FakeLLM) -> None:
    server.script(fail(429, retry_after=7))
    with pytest.raises(anthropic.RateLimitError) as caught:
        claude(server).messages.create(model="m", max_tokens=10, messages=CLAUDE_USER)
    assert caught.value.status_code == 429
    assert caught.value.response.headers["retry-after"] == "7"
    assert caught.value.type == "rate_limit_error"


def test_anthropic_server_error(server: FakeLLM) -> None:
    server.script(fail(500), fail(529, message="busy"))
    client = claude(server)
    with pytest.raises(anthropic.InternalServerError) as caught:
        client.messages.create(model="m", max_tokens=10, messages=CLAUDE_USER)
    assert caught.value.type == "api_error"
    with pytest.raises(anthropic.OverloadedError) as overloaded:
        client.messages.create(model="m", max_tokens=10, messages=CLAUDE_USER)
    assert overloaded.value.api_message == "busy"


def test_anthropic_error_on_stream_request(server: FakeLLM) -> None:
    server.script(fail(429, retry_after=2))
    with (
        pytest.raises(anthropic.RateLimitError) as caught,
        claude(server).messages.stream(model="m", max_tokens=10, messages=CLAUDE_USER) as stream,
    ):
        list(stream.text_stream)
    assert caught.value.response.headers["retry-after"] == "2"


# A stream cut mid-way: anthropic <= 2.16 let the transport error escape while iterating,
# 2.17 wraps it in APIConnectionError. Either is a cut as long as the protocol error is
# at its root, which is what the platform's providers classify on.
CUT_STREAM_ERRORS = (httpx2.RemoteProtocolError, anthropic.APIConnectionError)


def caused_by_protocol_error(error: BaseException) -> bool:
    """Whether a RemoteProtocolError is the error itself or anywhere down its cause chain."""
    current: BaseException | None = error
    while current is not None:
        if isinstance(current, httpx2.RemoteProtocolError):
            return True
        current = current.__cause__
    return False


def test_anthropic_cut_stream_raises_a_protocol_error(server: FakeLLM) -> None:
    server.script(cut(TEXT, after_chunks=2))
    received: list[str] = []
    with (
        pytest.raises(CUT_STREAM_ERRORS) as caught,
        claude(server).messages.stream(model="m", max_tokens=10, messages=CLAUDE_USER) as stream,
    ):
        received.extend(stream.text_stream)
    assert received == split_chunks(TEXT)[:2]
    assert caused_by_protocol_error(caught.value)


def test_anthropic_async_cut_stream(server: FakeLLM) -> None:
    server.script(cut(TEXT, after_chunks=3))
    received: list[str] = []

    async def run() -> None:
        client = async_claude(server)
        async with client.messages.stream(model="m", max_tokens=10, messages=CLAUDE_USER) as stream:
            async for delta in stream.text_stream:
                received.append(delta)

    with pytest.raises(CUT_STREAM_ERRORS) as caught:
        asyncio.run(run())
    assert received == split_chunks(TEXT)[:3]
    assert caused_by_protocol_error(caught.value)


def test_anthropic_cut_without_stream_is_a_connection_error(server: FakeLLM) -> None:
    server.script(cut(TEXT))
    with pytest.raises(anthropic.APIConnectionError) as caught:
        claude(server).messages.create(model="m", max_tokens=10, messages=CLAUDE_USER)
    assert isinstance(caught.value.__cause__, httpx2.RemoteProtocolError)


def test_anthropic_models(server: FakeLLM) -> None:
    models = claude(server).models.list()
    assert [model.id for model in models.data] == ["fake-claude", "fake-gpt"]
    assert server.pending == 0


# ---- OpenAI -------------------------------------------------------------------------------


def test_openai_reply_usage_and_recorded_request(server: FakeLLM) -> None:
    server.script(reply(TEXT, input_tokens=11, output_tokens=9))
    completion = gpt(server).chat.completions.create(
        model="gpt-test",
        max_tokens=64,
        messages=[{"role": "system", "content": "Be brief."}, *GPT_USER],
    )
    assert completion.choices[0].message.content == TEXT
    assert completion.choices[0].finish_reason == "stop"
    assert completion.usage is not None
    usage = completion.usage
    assert (usage.prompt_tokens, usage.completion_tokens, usage.total_tokens) == (11, 9, 20)

    path, body, headers = server.requests[0]
    assert path == "/v1/chat/completions"
    assert body["model"] == "gpt-test"
    assert body["max_tokens"] == 64
    assert body["messages"][0] == {"role": "system", "content": "Be brief."}
    assert headers["authorization"] == "Bearer test"


def test_openai_stream_with_usage(server: FakeLLM) -> None:
    server.script(reply(TEXT, input_tokens=5))
    chunks = list(
        gpt(server).chat.completions.create(
            model="gpt-test",
            messages=GPT_USER,
            stream=True,
            stream_options={"include_usage": True},
        )
    )
    deltas = [c.choices[0].delta.content for c in chunks if c.choices]
    assert "".join(d or "" for d in deltas) == TEXT
    assert len([d for d in deltas if d]) > 1
    assert chunks[-1].choices == []
    assert chunks[-1].usage is not None
    assert (chunks[-1].usage.prompt_tokens, chunks[-1].usage.completion_tokens) == (5, 9)
    assert server.last_request.body["stream_options"] == {"include_usage": True}


def test_openai_stream_without_usage(server: FakeLLM) -> None:
    server.script(reply(TEXT))
    chunks = list(
        gpt(server).chat.completions.create(
            model="gpt-test",
            messages=GPT_USER,
            stream=True,
        )
    )
    assert all(chunk.choices and chunk.usage is None for chunk in chunks)
    assert chunks[-1].choices[0].finish_reason == "stop"


def test_openai_async_reply_and_stream(server: FakeLLM) -> None:
    server.script(reply("hello async world"), reply(TEXT))

    async def run() -> tuple[str | None, str, int | None]:
        client = async_gpt(server)
        completion = await client.chat.completions.create(
            model="m",
            messages=GPT_USER,
        )
        stream = await client.chat.completions.create(
            model="m",
            messages=GPT_USER,
            stream=True,
            stream_options={"include_usage": True},
        )
        text, output_tokens = "", None
        async for chunk in stream:
            if chunk.choices:
                text += chunk.choices[0].delta.content or ""
            if chunk.usage is not None:
                output_tokens = chunk.usage.completion_tokens
        return completion.choices[0].message.content, text, output_tokens

    assert asyncio.run(run()) == ("hello async world", TEXT, 9)


def test_openai_rate_limit(server: FakeLLM) -> None:
    server.script(fail(429, retry_after=3))
    with pytest.raises(openai.RateLimitError) as caught:
        gpt(server).chat.completions.create(model="m", messages=GPT_USER)
    assert caught.value.status_code == 429
    assert caught.value.response.headers["retry-after"] == "3"
    assert caught.value.code == "rate_limit_exceeded"


def test_openai_server_error(server: FakeLLM) -> None:
    server.script(fail(500))
    with pytest.raises(openai.InternalServerError):
        gpt(server).chat.completions.create(model="m", messages=GPT_USER)


def test_openai_cut_stream_raises_api_connection_error(server: FakeLLM) -> None:
    server.script(cut(TEXT, after_chunks=2))
    received: list[str] = []
    stream = gpt(server).chat.completions.create(
        model="m",
        messages=GPT_USER,
        stream=True,
    )
    # The OpenAI SDK wraps the transport error raised while iterating a stream.
    with pytest.raises(openai.APIConnectionError) as caught:
        received.extend(chunk.choices[0].delta.content or "" for chunk in stream)
    assert "".join(received) == "".join(split_chunks(TEXT)[:2])
    assert isinstance(caught.value.__cause__, httpx2.RemoteProtocolError)


def test_openai_async_cut_stream(server: FakeLLM) -> None:
    server.script(cut(TEXT, after_chunks=1))
    received: list[str] = []

    async def run() -> None:
        stream = await async_gpt(server).chat.completions.create(
            model="m",
            messages=GPT_USER,
            stream=True,
        )
        async for chunk in stream:
            received.append(chunk.choices[0].delta.content or "")

    with pytest.raises(openai.APIConnectionError):
        asyncio.run(run())
    assert "".join(received) == split_chunks(TEXT)[0]


def test_openai_models(server: FakeLLM) -> None:
    assert [model.id for model in gpt(server).models.list()] == ["fake-claude", "fake-gpt"]


# ---- shared behaviour ---------------------------------------------------------------------


def test_protocols_share_the_script_queue(server: FakeLLM) -> None:
    server.script("first", "second")
    first = claude(server).messages.create(model="m", max_tokens=10, messages=CLAUDE_USER)
    second = gpt(server).chat.completions.create(model="m", messages=GPT_USER)
    third = claude(server).messages.create(model="m", max_tokens=10, messages=CLAUDE_USER)
    assert first.content[0].type == "text"
    assert first.content[0].text == "first"
    assert second.choices[0].message.content == "second"
    assert third.content[0].type == "text"
    assert third.content[0].text == "You said: Tell me about foxes"
    assert [request.path for request in server.requests] == [
        "/v1/messages",
        "/v1/chat/completions",
        "/v1/messages",
    ]


def test_delay_then_behaviour_and_prompt_shutdown() -> None:
    with FakeLLM() as server:
        server.script(delay(0.1, then=fail(503)), delay(5))
        client = anthropic.Anthropic(
            base_url=server.base_url, api_key="test", max_retries=0, timeout=0.5
        )
        started = time.monotonic()
        with pytest.raises(anthropic.InternalServerError):
            client.messages.create(model="m", max_tokens=10, messages=CLAUDE_USER)
        assert time.monotonic() - started >= 0.1
        with pytest.raises(anthropic.APITimeoutError):
            client.with_options(timeout=0.1).messages.create(
                model="m", max_tokens=10, messages=CLAUDE_USER
            )
        stopping = time.monotonic()
    # leaving the block interrupts the pending 5 s delay instead of waiting for it
    assert time.monotonic() - stopping < 1
    assert server.errors == []


def test_stream_chunks_are_flushed_one_by_one(server: FakeLLM) -> None:
    server.script(reply("one two three", chunk_delay=0.1))
    arrivals: list[float] = []
    with claude(server).messages.stream(model="m", max_tokens=10, messages=CLAUDE_USER) as stream:
        for _ in stream.text_stream:
            arrivals.append(time.monotonic())
    assert len(arrivals) == 3
    assert arrivals[-1] - arrivals[0] >= 0.15  # two 0.1 s pauses, not one burst


def test_anthropic_wire_format(server: FakeLLM) -> None:
    server.script(reply("a b", input_tokens=3))
    body = {"model": "m", "max_tokens": 5, "messages": CLAUDE_USER, "stream": True}
    with httpx.stream("POST", server.base_url + "/v1/messages", json=body) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        raw = response.read().decode()
    events = [block.split("\n") for block in raw.strip().split("\n\n")]
    names = [lines[0].removeprefix("event: ") for lines in events]
    assert names == [
        "message_start",
        "content_block_start",
        "content_block_delta",
        "content_block_delta",
        "content_block_stop",
        "message_delta",
        "message_stop",
    ]
    data = [json.loads(lines[1].removeprefix("data: ")) for lines in events]
    assert [d["type"] for d in data] == names
    assert data[0]["message"]["usage"]["input_tokens"] == 3
    assert data[2]["delta"] == {"type": "text_delta", "text": "a "}
    assert data[5]["usage"] == {"output_tokens": 2}
    assert data[5]["delta"]["stop_reason"] == "end_turn"


def test_openai_wire_format_ends_with_done(server: FakeLLM) -> None:
    body = {"model": "m", "messages": CLAUDE_USER, "stream": True}
    with httpx.stream("POST", server.base_url + "/v1/chat/completions", json=body) as response:
        raw = response.read().decode()
    assert raw.endswith("data: [DONE]\n\n")
    assert all(block.startswith("data: ") for block in raw.strip().split("\n\n"))


def test_unknown_route_and_bad_json(server: FakeLLM) -> None:
    missing = httpx.post(server.base_url + "/v1/nope", json={})
    assert missing.status_code == 404
    assert missing.json()["type"] == "error"
    bad = httpx.post(server.base_url + "/v1/chat/completions", content=b"{not json")
    assert bad.status_code == 400
    assert bad.json()["error"]["type"] == "invalid_request_error"
