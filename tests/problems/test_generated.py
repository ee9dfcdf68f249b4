"""Problems an LLM writes: vetted in the sandbox, kept only if enough tests survive."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient

from interviewkit.app import Container
from interviewkit.execution.harness import Signature
from interviewkit.problems.generate import starters
from tests.conftest import new_session
from tests.execution.conftest import requires_sandbox
from tests.fakes.llm_server import FakeLLM, reply

SQLITE = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
REFERENCE = (
    "class Solution:\n    def sumOdd(self, nums):\n        return sum(n for n in nums if n % 2)\n"
)


def document(wrong: int) -> str:
    """A problem of 12 tests, ``wrong`` of which expect a wrong answer."""
    inputs = [[], [1], [2], [1, 2, 3], [-3, 4], [5, 5], [0], [7, 8, 9], [10], [-1, -2], [3], [11]]
    tests = []
    for index, nums in enumerate(inputs):
        expected = sum(n for n in nums if n % 2) + (1 if index < wrong else 0)
        tests.append({"name": f"x{index}", "input": [nums], "expected": expected})
    body = {
        "title": "Sum of Odd Numbers",
        "description": "Return the sum of the odd numbers.\n\n**Constraints**\n\n- n <= 1000",
        "entry_point": "sumOdd",
        "signature": {"params": [{"name": "nums", "type": "int[]"}], "returns": "int"},
        "tests": tests,
        "reference_python": REFERENCE,
        "hints": ["What makes a number odd?", "Use the remainder.", "Filter, then sum."],
    }
    return "Here it is:\n```json\n" + json.dumps(body) + "\n```"


@pytest.fixture
def settings_overrides(llm: FakeLLM) -> dict[str, Any]:
    llm.reset()
    return {
        "llm_provider": "openai,offline",
        "openai_base_url": llm.base_url + "/v1",
        "openai_api_key": "test",
        "openai_model": "fake-gpt",
    }


def next_question(client: TestClient, **body: Any) -> dict[str, Any]:
    candidate = client.post("/api/v1/candidates", json={"name": "Grace"}).json()["id"]
    response = client.post(
        f"/api/v1/candidates/{candidate}/next-question",
        json={"language": "python", "auto_generate": True, **body},
    )
    assert response.status_code == 201, response.text
    question: dict[str, Any] = response.json()
    return question


@requires_sandbox
@SQLITE
def test_a_generated_problem_keeps_only_the_tests_its_reference_passes(
    client: TestClient, container: Container, llm: FakeLLM
) -> None:
    llm.script(reply(document(wrong=3)))
    question = next_question(client)
    problem_id = question["problem"]["id"]
    assert problem_id.startswith("gen-sum-of-odd-numbers-")
    stored = client.get(f"/api/v1/problems/{problem_id}").json()
    assert stored["source"] == "generated"
    assert len(stored["tests"]) + len(stored["hidden_tests"]) == 9  # 12 minus the 3 wrong
    assert stored["difficulty"] == "medium"  # θ = 0 at the start
    session = question["attempt"]["session_id"]
    starter = client.get(f"/api/v1/sessions/{session}/files/solution.py").json()["content"]
    assert "def sumOdd(self, nums)" in starter
    client.put(f"/api/v1/sessions/{session}/files/solution.py", json={"content": REFERENCE})
    result = client.post(
        f"/api/v1/sessions/{session}/execute", json={"file": "solution.py", "mode": "submit"}
    ).json()
    assert result["status"] == "accepted"
    assert result["total"] >= 9
    assert new_session(client, problem_id=problem_id)["problem_id"] == problem_id
    problem = container.problems.problem(problem_id)
    for language in ("javascript", "java", "cpp"):  # derived starters compile and run
        run = container.problems.runner.run(
            problem, language, problem.starter[language], problem.stored_tests()
        )
        assert run.status == "wrong_answer", (language, run.compile)


@requires_sandbox
@SQLITE
def test_too_few_surviving_tests_fall_back_to_the_bank(client: TestClient, llm: FakeLLM) -> None:
    llm.script(reply(document(wrong=5)))  # 7 survive: fewer than 8
    question = next_question(client)
    assert not question["problem"]["id"].startswith("gen-")


@SQLITE
def test_a_reply_without_a_problem_falls_back_to_the_bank(client: TestClient, llm: FakeLLM) -> None:
    llm.script(reply("Sorry, I cannot do that."))
    assert not next_question(client)["problem"]["id"].startswith("gen-")


@pytest.mark.parametrize(
    "signature",
    [
        {
            "params": [{"name": "grid", "type": "string[][]"}, {"name": "k", "type": "long"}],
            "returns": "bool",
        },
        {"params": [{"name": "xs", "type": "double[]"}], "returns": "int[][]"},
    ],
)
def test_starters_compile_shapes(signature: dict[str, Any]) -> None:
    made = starters("solve", Signature.model_validate(signature))
    assert set(made) == {"python", "javascript", "java", "cpp"}
    assert "solve(" in made["java"]
    assert "std::vector" in made["cpp"]
