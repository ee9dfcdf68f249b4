"""Nothing a hidden test fed a program reaches the candidate, through any channel.

A candidate's program can print its arguments, its stdin, even the tests file its harness
reads, to stdout and stderr, at import or inside any call. These tests submit such programs
against a problem with hidden tests whose inputs carry marker numbers, then look for the
markers everywhere a candidate (or the tutor answering one) can read: the submit response,
``GET /executions/{id}``, the session's executions list, the assistant's context and
prompt, and the session log the replay, timeline and stats read. Staff still see them all.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st

from interviewkit.app import Container
from interviewkit.execution.schemas import (
    ExecutionResult,
    RunResult,
    TestResult,
    TestSuite,
    candidate_view,
)
from tests.conftest import invite
from tests.execution.conftest import TWO_SUM_SIGNATURE, Program, languages, requires_sandbox
from tests.execution.helpers import finished, session_execute, session_with, use_sandbox

SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

MARKERS = ("424242", "31337", "455579")
"""The hidden test's numbers: none of them is in any visible test or program."""

SUITE: dict[str, Any] = {
    "entry_point": "twoSum",
    "signature": TWO_SUM_SIGNATURE,
    "tests": [
        {"name": "first", "input": [[2, 7, 11, 15], 9], "expected": [0, 1]},
        {
            "name": "secret",
            "input": [[424242, 31337], 455579],
            "expected": [0, 1],
            "hidden": True,
        },
        {"name": "last", "input": [[3, 2, 4], 6], "expected": [1, 2]},
    ],
}

PY_LEAKER = """\
import sys

try:
    with open("/ik/tests.json", encoding="utf-8") as handle:
        ALL = handle.read()
except OSError:
    ALL = "no tests file"
print("import-stdout", ALL)
print("import-stderr", ALL, file=sys.stderr)


class Solution:
    def twoSum(self, nums, target):
        print("args", nums, target)
        print("args", nums, target, file=sys.stderr)
        seen = {}
        for i, n in enumerate(nums):
            if target - n in seen:
                return [seen[target - n], i]
            seen[n] = i
        return []
"""
CPP_LEAKER = """\
#include <cstdio>
#include <iostream>

static int ik_dump = [] {
    if (FILE* file = std::fopen("/ik/tests.json", "r")) {
        char buffer[4096];
        size_t size = std::fread(buffer, 1, sizeof buffer, file);
        std::fwrite(buffer, 1, size, stdout);
        std::fwrite(buffer, 1, size, stderr);
        std::fclose(file);
        std::fflush(stdout);
    }
    return 0;
}();

class Solution {
public:
    vector<int> twoSum(vector<int>& nums, int target) {
        for (int n : nums) {
            std::cout << "arg " << n << "\\n";
            std::cerr << "arg " << n << "\\n";
        }
        std::cout << "target " << target << std::endl;
        std::cerr << "target " << target << std::endl;
        unordered_map<int, int> seen;
        for (int i = 0; i < (int)nums.size(); i++) {
            if (seen.count(target - nums[i])) return {seen[target - nums[i]], i};
            seen[nums[i]] = i;
        }
        return {};
    }
};
"""
LEAKERS = {
    "python": Program("solution.py", {"solution.py": PY_LEAKER}),
    "cpp": Program("solution.cpp", {"solution.cpp": CPP_LEAKER}),
}
VISIBLE_ARGS = {"python": "args [2, 7, 11, 15] 9", "cpp": "arg 15"}


def leaked(text: str) -> list[str]:
    return [marker for marker in MARKERS if marker in text]


@requires_sandbox
@SQLITE_ONLY
@pytest.mark.parametrize("language", languages("python", "cpp"))
def test_a_submission_printing_its_inputs_shows_the_candidate_no_hidden_input(
    client: TestClient, app: FastAPI, container: Container, language: str
) -> None:
    problem = TestSuite.model_validate(SUITE)
    service = use_sandbox(container, None, problem)
    service.on_session_event = container.recording.record_now
    program = LEAKERS[language]
    session = session_with(client, program)
    sid = session["id"]
    candidate = invite(client, app, sid)

    response = session_execute(candidate, sid, file=program.entry, mode="submit")
    body = finished(response)
    assert (body["status"], body["passed"], body["total"]) == ("accepted", 3, 3), body
    assert leaked(response.text) == [], response.text
    # visible tests keep their output, per test and in run
    assert VISIBLE_ARGS[language] in body["tests"][0]["stdout"]
    assert VISIBLE_ARGS[language] in body["run"]["stderr"]
    assert "[[2, 7, 11, 15], 9]" in body["run"]["stdout"]  # the visible tests' file
    assert body["tests"][1] == {
        "name": "secret",
        "status": "accepted",
        "hidden": True,
        "input": None,
        "expected": None,
        "actual": None,
        "stdout": None,
        "stderr": None,
        "message": None,
        "time_ms": None,
    }
    if language == "cpp":
        assert body["compile"]["status"] == "accepted"

    again = candidate.get(f"/api/v1/executions/{body['id']}")
    assert again.status_code == 200
    assert leaked(again.text) == []
    listing = candidate.get(f"/api/v1/sessions/{sid}/executions")
    assert listing.status_code == 200
    assert leaked(listing.text) == []

    # the tutor reads the candidate view only, so it can never quote a hidden input
    interview = container.sessions.get_session(sid)
    context = container.assistant.context(interview)
    assert context.last_result is not None
    assert leaked(context.last_result.model_dump_json()) == []
    assert leaked(container.assistant.system_prompt(context)) == []

    # the session log (replay, timeline, stats) keeps verdicts and counts, no output
    for path in ("events", "timeline", "stats"):
        answer = client.get(f"/api/v1/sessions/{sid}/{path}")
        assert answer.status_code == 200, answer.text
        assert leaked(answer.text) == [], (path, answer.text[:2000])
    events = client.get(f"/api/v1/sessions/{sid}/events").json()["events"]
    results = [event for event in events if event["type"] == "execution_result"]
    assert [(e["status"], e["passed"], e["total"]) for e in results] == [("accepted", 3, 3)]

    # staff see everything the program printed, hidden test included
    staff = client.get(f"/api/v1/executions/{body['id']}").json()
    assert leaked(staff["run"]["stdout"]) == list(MARKERS)
    assert leaked(staff["run"]["stderr"]) == list(MARKERS)
    assert staff["tests"][1]["input"] == [[424242, 31337], 455579]


PY_STDIO_LEAKER = """\
import sys

text = sys.stdin.read()
print("stderr", text, file=sys.stderr)
print(sum(int(word) for word in text.split()))
"""


@requires_sandbox
@SQLITE_ONLY
def test_hidden_stdin_reaches_neither_the_run_nor_the_tests_of_a_candidate(
    client: TestClient, app: FastAPI
) -> None:
    program = Program("main.py", {"main.py": PY_STDIO_LEAKER})
    session = session_with(client, program)
    candidate = invite(client, app, session["id"])
    tests = [
        {"name": "open", "stdin": "1 2\n", "expected_stdout": "3\n"},
        {
            "name": "secret",
            "stdin": "424242 31337\n",
            "expected_stdout": "455579\n",
            "hidden": True,
        },
    ]
    response = session_execute(candidate, session["id"], file=program.entry, tests=tests)
    body = finished(response)
    assert body["status"] == "accepted", body
    assert leaked(response.text) == []
    assert body["tests"][0]["stderr"] == "stderr 1 2\n\n"
    staff = client.get(f"/api/v1/executions/{body['id']}").json()
    assert staff["tests"][1]["stderr"] == "stderr 424242 31337\n\n"


def test_the_candidate_view_is_an_allow_list() -> None:
    """A field only staff should see never slips through because nobody removed it."""
    result = ExecutionResult(
        id="exe_1",
        language="python",
        language_version="3.11",
        status="accepted",
        run=RunResult(stdout="everything 424242", stderr="all 31337", exit_code=0),
        visible_run=RunResult(stdout="visible only", exit_code=0),
        tests=[
            TestResult(name="open", status="accepted", input=[1], stdout="seen"),
            TestResult(
                name="secret",
                status="wrong_answer",
                hidden=True,
                input=[424242],
                expected=31337,
                actual=455579,
                stdout="424242",
                stderr="31337",
                message="expected 31337",
                time_ms=1.5,
            ),
        ],
        passed=1,
        total=2,
    )
    view = candidate_view(result)
    assert leaked(view.model_dump_json()) == []
    assert view.run is not None
    assert view.run.stdout == "visible only"
    assert view.visible_run is None
    assert view.tests[0].stdout == "seen"
    assert view.tests[1].model_dump(exclude_defaults=True) == {
        "name": "secret",
        "status": "wrong_answer",
        "hidden": True,
    }
    only_hidden = result.model_copy(update={"visible_run": None})
    assert candidate_view(only_hidden).run is None
    plain = result.model_copy(update={"tests": [result.tests[0]]})
    assert candidate_view(plain).run == result.run


SECRET = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=12, max_size=20).map(
    lambda text: f"hidden-{text}"
)


@given(
    st.lists(st.tuples(st.booleans(), SECRET), min_size=1, max_size=6),
    st.sampled_from(["accepted", "wrong_answer", "runtime_error", "time_limit_exceeded"]),
)
def test_no_hidden_test_value_survives_the_candidate_view(
    tests: list[tuple[bool, str]], status: Any
) -> None:
    """Whatever a hidden test carries (input, expected, output, message), and a ``run`` fed
    by it, none of it is in the candidate view; visible tests keep theirs."""
    hidden_secrets = [secret for hidden, secret in tests if hidden]
    result = ExecutionResult(
        id="exe_1",
        language="python",
        language_version="3.11",
        status=status,
        run=RunResult(stdout=" ".join(s for _, s in tests), stderr=" ".join(hidden_secrets)),
        visible_run=RunResult(stdout=" ".join(s for hidden, s in tests if not hidden)),
        tests=[
            TestResult(
                name=f"t{index}",
                status=status,
                hidden=hidden,
                input=[secret],
                expected={"value": secret},
                actual=secret,
                stdout=secret,
                stderr=secret,
                message=secret,
                time_ms=1.0,
            )
            for index, (hidden, secret) in enumerate(tests)
        ],
        passed=0,
        total=len(tests),
    )
    shown = candidate_view(result).model_dump_json()
    visible = {secret for hidden, secret in tests if not hidden}
    assert [s for s in hidden_secrets if s in shown and s not in visible] == []
    for hidden, secret in tests:
        if not hidden:
            assert secret in shown
