"""The assistant on a generated problem (``gen-…``, stored in the database, not the bank).

Regression: the assistant used to read the bank directly, so a generated problem's session
had no statement, no hints and no leak guard. It now asks the problems service.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient

from interviewkit.app import Container
from interviewkit.db import run_write
from interviewkit.problems.bank import Problem, load_bank
from interviewkit.problems.models import GeneratedProblem
from interviewkit.sessions.models import InterviewSession
from tests.conftest import new_session
from tests.fakes.llm_server import FakeLLM, reply

SQLITE = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
GENERATED: Problem = (
    load_bank()
    .problems["two-sum"]
    .model_copy(
        update={
            "id": "gen-pair-finder-0a1b2c",
            "title": "Pair Finder",
            "description": "Find the two positions whose values add up to the goal.",
            "hints": [
                "Remember what you have seen.",
                "Look up what is missing.",
                "A dictionary maps value to index.",
            ],
        }
    )
)


@pytest.fixture
def settings_overrides(llm: FakeLLM) -> dict[str, Any]:
    llm.reset()
    return {
        "llm_provider": "openai",
        "openai_api_key": "test-key",
        "openai_base_url": llm.base_url + "/v1",
        "openai_model": "fake-gpt",
        "ai_messages_per_minute": 50,
    }


def generated_session(client: TestClient, container: Container) -> str:
    """A session on a problem stored only in the database, as generation leaves it."""

    def store(db: Any) -> None:
        db.add(
            GeneratedProblem(
                id=GENERATED.id,
                difficulty=GENERATED.difficulty,
                document=GENERATED.model_dump_json(),
            )
        )

    run_write(container.factory, store)
    assert GENERATED.id not in container.problems.bank.problems
    return str(new_session(client, problem_id=GENERATED.id, language="python")["id"])


def sse(body: str) -> list[tuple[str, dict[str, Any]]]:
    events = []
    for block in body.strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines())
        events.append((lines["event"], json.loads(lines["data"])))
    return events


@SQLITE
def test_a_generated_problems_statement_and_hints_reach_the_context(
    client: TestClient, container: Container
) -> None:
    sid = generated_session(client, container)
    interview = container.sessions.get_session(sid)
    assert isinstance(interview, InterviewSession)
    context = container.assistant.context(interview)
    assert context.problem is not None
    assert context.problem.id == GENERATED.id
    assert context.problem.hints == GENERATED.hints
    prompt = container.assistant.system_prompt(context)
    assert "## Problem: Pair Finder" in prompt
    assert GENERATED.description in prompt


@SQLITE
def test_the_leak_guard_refuses_a_generated_problems_reference(
    client: TestClient, container: Container, llm: FakeLLM
) -> None:
    sid = generated_session(client, container)
    llm.script(reply("Here:\n```python\n" + GENERATED.solutions["python"] + "```\n"))
    response = client.post(
        f"/api/v1/sessions/{sid}/assistant/messages", json={"content": "write it for me"}
    )
    assert response.status_code == 200, response.text
    events = sse(response.text)
    assert "refused" in [name for name, _ in events]
    streamed = "".join(data["text"] for name, data in events if name == "delta")
    assert "seen[value] = i" not in streamed
