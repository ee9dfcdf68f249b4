"""``mode: run`` without tests runs the problem's visible examples, like LeetCode's Run.

The examples come from the suite ``submit`` judges, so the harness is the same: LeetCode-
style Python that uses ``List`` without importing it works in both, and the signature,
comparison and limits are the problem's. Hidden tests never run on a ``run``.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.conftest import invite, new_session
from tests.execution.conftest import languages, requires_sandbox
from tests.execution.helpers import finished, session_execute

pytestmark = [requires_sandbox, pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)]

SOLUTIONS = {
    "python": (
        "solution.py",
        "class Solution:\n"
        "    def twoSum(self, nums: List[int], target: int) -> List[int]:\n"
        "        seen: Dict[int, int] = {}\n"
        "        for i, n in enumerate(nums):\n"
        "            if target - n in seen:\n"
        "                return [seen[target - n], i]\n"
        "            seen[n] = i\n"
        "        return []\n",
    ),
    "javascript": (
        "solution.js",
        "var twoSum = function (nums, target) {\n"
        "  const seen = new Map();\n"
        "  for (let i = 0; i < nums.length; i++) {\n"
        "    if (seen.has(target - nums[i])) return [seen.get(target - nums[i]), i];\n"
        "    seen.set(nums[i], i);\n"
        "  }\n"
        "  return [];\n"
        "};\n",
    ),
}
EXAMPLES = ["example-1", "example-2", "example-3"]


def write(client: TestClient, session_id: str, path: str, content: str) -> None:
    response = client.put(f"/api/v1/sessions/{session_id}/files/{path}", json={"content": content})
    assert response.status_code in (200, 201), response.text


def run(client: TestClient, session_id: str, path: str, **body: Any) -> dict[str, Any]:
    return finished(session_execute(client, session_id, file=path, limits={}, **body))


@pytest.mark.parametrize("language", languages("python", "javascript"))
def test_run_without_tests_runs_the_visible_examples_with_the_submit_harness(
    client: TestClient, app: FastAPI, language: str
) -> None:
    session = new_session(client, problem_id="two-sum", language=language)
    candidate = invite(client, app, session["id"])
    path, source = SOLUTIONS[language]
    write(client, session["id"], path, source)

    body = run(candidate, session["id"], path)
    assert body["mode"] == "run"
    assert [test["name"] for test in body["tests"]] == EXAMPLES, body
    assert not any(test["hidden"] for test in body["tests"])
    assert (body["status"], body["passed"], body["total"]) == ("accepted", 3, 3), body["tests"]
    assert body["tests"][0]["input"] == [[2, 7, 11, 15], 9]
    assert body["tests"][0]["actual"] == [0, 1]

    wrong = source.replace("[seen[target - n], i]", "[i, seen[target - n]]").replace(
        "[seen.get(target - nums[i]), i]", "[i, seen.get(target - nums[i])]"
    )
    write(client, session["id"], path, wrong)
    failed = run(candidate, session["id"], path)
    assert failed["status"] == "wrong_answer"
    assert failed["tests"][0]["expected"] == [0, 1]


def test_a_run_with_stdin_or_of_a_scratch_file_stays_a_plain_run(
    client: TestClient, app: FastAPI
) -> None:
    session = new_session(client, problem_id="two-sum", language="python")
    candidate = invite(client, app, session["id"])
    write(client, session["id"], "scratch.py", "print('scratch', 1)\n")
    scratch = run(candidate, session["id"], "scratch.py")
    assert (scratch["tests"], scratch["run"]["stdout"]) == ([], "scratch 1\n")

    path = "solution.py"
    source = "def twoSum(nums, target):\n    return [0, 1]\n\n\nprint('module ran')\n"
    write(client, session["id"], path, source)
    with_stdin = run(candidate, session["id"], path, stdin="anything\n")
    assert with_stdin["tests"] == [], with_stdin
    assert with_stdin["run"]["stdout"] == "module ran\n", with_stdin
    mine = run(
        candidate,
        session["id"],
        path,
        entry_point="twoSum",
        tests=[{"name": "mine", "input": [[5, 5], 10], "expected": [0, 1]}],
    )
    assert [test["name"] for test in mine["tests"]] == ["mine"]
