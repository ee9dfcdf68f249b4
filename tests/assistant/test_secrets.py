"""LLM provider keys are secrets: never in ``repr``, ``interviewkit doctor`` or the logs.

The keys are pydantic ``SecretStr`` in the settings and are unwrapped only where a
provider builds its SDK client, so every other path that shows the settings (repr, the
doctor's configuration table, a log line) sees a mask.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import secrets
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from interviewkit.assistant.service import build_providers
from interviewkit.cli import app as cli
from interviewkit.config import Settings
from tests.conftest import make_settings, new_session
from tests.fakes.llm_server import FakeLLM, fail

ANTHROPIC_KEY = "sk-ant-api03-" + secrets.token_hex(16)
OPENAI_KEY = "sk-proj-" + secrets.token_hex(16)
SQLITE = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@pytest.fixture
def settings_overrides(llm: FakeLLM) -> dict[str, object]:
    """The app of this module's HTTP tests: Anthropic with a key, at the local LLM server."""
    llm.reset()
    return {
        "llm_provider": "anthropic",
        "anthropic_api_key": ANTHROPIC_KEY,
        "anthropic_base_url": llm.base_url,
        "llm_retry_attempts": 1,
        "llm_breaker_failures": 1_000_000,  # every example reaches the provider
        "ai_messages_per_minute": 1_000,
    }


def keyed(tmp_path: Path, **overrides: object) -> Settings:
    return make_settings(
        tmp_path, anthropic_api_key=ANTHROPIC_KEY, openai_api_key=OPENAI_KEY, **overrides
    )


def test_repr_str_and_dumps_of_the_settings_mask_the_keys(tmp_path: Path) -> None:
    settings = keyed(tmp_path)

    shown = [repr(settings), str(settings), settings.model_dump_json(), str(settings.redacted())]

    for text in shown:
        assert ANTHROPIC_KEY not in text
        assert OPENAI_KEY not in text
    assert settings.redacted()["anthropic_api_key"] == "(set)"
    assert settings.redacted()["openai_api_key"] == "(set)"
    assert settings.anthropic_api_key is not None
    assert settings.anthropic_api_key.get_secret_value() == ANTHROPIC_KEY


def test_providers_hand_the_real_key_to_the_sdk(tmp_path: Path, llm: FakeLLM) -> None:
    """Masking stops at the SDK: the request the provider sends carries the real key."""
    settings = keyed(
        tmp_path,
        llm_provider="anthropic,openai",
        anthropic_base_url=llm.base_url,
        openai_base_url=llm.base_url + "/v1",
    )
    llm.reset()

    anthropic_provider, openai_provider = build_providers(settings)

    assert (anthropic_provider.name, openai_provider.name) == ("anthropic", "openai")
    assert asyncio.run(anthropic_provider.check())[0]
    assert asyncio.run(openai_provider.check())[0]
    (_, _, to_anthropic), (_, _, to_openai) = llm.requests
    assert ANTHROPIC_KEY in " ".join(to_anthropic.values())
    assert to_openai["authorization"] == f"Bearer {OPENAI_KEY}"


def test_doctor_prints_whether_a_key_is_set_never_the_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in list(os.environ):
        if name.startswith("INTERVIEWKIT_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.setenv("INTERVIEWKIT_ANTHROPIC_API_KEY", ANTHROPIC_KEY)
    monkeypatch.setenv("INTERVIEWKIT_OPENAI_API_KEY", OPENAI_KEY)
    runner = CliRunner()
    data_dir = str(tmp_path / "data")
    assert runner.invoke(cli, ["--data-dir", data_dir, "db", "upgrade"]).exit_code == 0

    result = runner.invoke(cli, ["--data-dir", data_dir, "doctor"])

    assert result.exit_code == 0, (result.stdout, result.exception)
    output = "".join(result.stdout.split())  # values folded over lines compare whole
    assert "anthropic_api_key" in output
    assert ANTHROPIC_KEY not in output
    assert OPENAI_KEY not in output
    assert "(set)" in output


@SQLITE
def test_no_log_line_of_a_failing_turn_holds_the_key(
    client: TestClient, llm: FakeLLM, caplog: pytest.LogCaptureFixture
) -> None:
    """Even at DEBUG (the SDKs and httpx log their requests), the key is never logged."""
    llm.script(fail(401, message="invalid x-api-key"))
    caplog.set_level(logging.DEBUG)
    sid = new_session(client, problem_id="two-sum", language="python")["id"]

    response = client.post(
        f"/api/v1/sessions/{sid}/assistant/messages", json={"content": "hi", "stream": False}
    )

    assert response.status_code == 502
    assert ANTHROPIC_KEY in " ".join(llm.requests[-1].headers.values())  # it was sent
    assert caplog.records
    for record in caplog.records:
        assert ANTHROPIC_KEY not in record.getMessage()
        assert ANTHROPIC_KEY not in str(record.__dict__)


@SQLITE
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    leak=st.text(
        st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), min_size=12, max_size=200
    ).filter(lambda text: len(text.strip()) >= 12)
)
def test_no_provider_error_text_reaches_a_response(
    client: TestClient, llm: FakeLLM, caplog: pytest.LogCaptureFixture, leak: str
) -> None:
    """Whatever a provider's error says, a client gets none of it, as bytes or as text
    (and the text did travel: the log has it)."""
    caplog.clear()
    llm.script(fail(401, message=leak), fail(503, message=leak))
    sid = new_session(client, problem_id="two-sum", language="python")["id"]
    path = f"/api/v1/sessions/{sid}/assistant/messages"

    responses = [
        client.post(path, json={"content": "hi", "stream": False}),
        client.post(path, json={"content": "hi", "stream": True}),
        client.get(path),
    ]

    assert [r.status_code for r in responses] == [502, 200, 200]
    assert sum(leak in record.getMessage() for record in caplog.records) == 2
    for response in responses:
        assert leak.strip().encode() not in response.content
        decoded = [
            json.loads(line[6:]) for line in response.text.splitlines() if line[:6] == "data: "
        ]
        shown = json.dumps(decoded or response.json(), ensure_ascii=False)
        assert leak.strip() not in shown
