"""A bank problem whose own reference fails is the server's fault, told as such: a 503
problem with a stable code, never a 500, and the candidate's file is kept."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient

from interviewkit.problems.bank import BANK_DIR
from tests.conftest import assert_problem, new_session
from tests.execution.conftest import requires_sandbox

pytestmark = requires_sandbox

# The python reference answers the small tests and fails on every large input.
FRAGILE = """class Solution:
    def twoSum(self, nums: List[int], target: int) -> List[int]:
        if len(nums) > 1000:
            raise RuntimeError("the reference breaks on large inputs")
        seen = {}
        for i, x in enumerate(nums):
            if target - x in seen:
                return [seen[target - x], i]
            seen[x] = i
        return []
"""


@pytest.fixture
def settings_overrides(tmp_path: Path) -> dict[str, Any]:
    """A company folder holding a copy of two-sum whose reference breaks."""
    data = yaml.safe_load((BANK_DIR / "two-sum.yaml").read_text())
    data["id"] = "fragile-sum"
    data["solutions"]["python"] = FRAGILE
    (tmp_path / "company" / "bank").mkdir(parents=True)
    (tmp_path / "company" / "bank" / "fragile-sum.yaml").write_text(yaml.safe_dump(data))
    return {"problems_dir": tmp_path / "company"}


def test_a_submit_whose_reference_fails_is_a_503_and_keeps_the_file(client: TestClient) -> None:
    session = new_session(client, problem_id="fragile-sum", language="python")
    path = "solution.py"
    answer = FRAGILE.replace("the reference breaks", "never raised")
    saved = client.put(f"/api/v1/sessions/{session['id']}/files/{path}", json={"content": answer})
    assert saved.status_code in (200, 201), saved.text
    response = client.post(
        f"/api/v1/sessions/{session['id']}/execute", json={"file": path, "mode": "submit"}
    )
    body = assert_problem(response, 503, "problem_tests_unavailable")
    assert "fragile-sum" in body["detail"]
    kept = client.get(f"/api/v1/sessions/{session['id']}/files/{path}")
    assert kept.status_code == 200
    assert "never raised" in kept.text
