"""The execution API as a client drives it: languages, runs, sessions, storage, async, 429.

Runs use the real sandbox. Tests where the database plays no part run on SQLite only
(``SQLITE_ONLY``); storage, listings and async state run on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from interviewkit.app import Container
from interviewkit.db import read_session
from interviewkit.execution.models import Execution
from interviewkit.execution.schemas import TestSuite
from tests.conftest import Keys, assert_problem, invite, new_session
from tests.execution.conftest import (
    CALL,
    KIT,
    MATH,
    STDIO,
    STDIO_TESTS,
    SYNTAX_ERRORS,
    TWO_SUM_SIGNATURE,
    TWO_SUM_TESTS,
    BrokenSandbox,
    languages,
    needs,
    requires_sandbox,
    two_sum_suite,
)
from tests.execution.helpers import (
    POLL_SECONDS,
    GateSandbox,
    execute,
    finished,
    session_execute,
    session_with,
    use_sandbox,
    wait_until_finished,
)

pytestmark = requires_sandbox

SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
# ---------------------------------------------------------------------------- languages


@SQLITE_ONLY
def test_languages_lists_the_four_with_versions(client: TestClient, anonymous: TestClient) -> None:
    response = client.get("/api/v1/languages")
    assert response.status_code == 200
    found = {language["name"]: language for language in response.json()["languages"]}
    assert set(found) == {"python", "javascript", "java", "cpp"}
    for name, language in found.items():
        assert language["version"][0].isdigit(), language
        assert language["title"]
        assert language["extensions"]
        assert language["default_entry"].rsplit(".", 1)[-1] in {
            ext.lstrip(".") for ext in language["extensions"]
        }
        assert language["compiled"] == (name in {"java", "cpp"})
    assert found["python"]["default_entry"] == "main.py"
    assert found["java"]["default_entry"] == "Main.java"
    assert_problem(anonymous.get("/api/v1/languages"), 401, "unauthenticated")


# ---------------------------------------------------------------------------- every language


@SQLITE_ONLY
@pytest.mark.parametrize("language", languages())
def test_function_call_tests_pass_in_every_language(client: TestClient, language: str) -> None:
    for shape in ("single", "multi"):
        body = finished(execute(client, CALL[language][shape], language, **two_sum_suite()))
        assert body["status"] == "accepted", (shape, body)
        assert (body["passed"], body["total"]) == (3, 3)
        assert [test["actual"] for test in body["tests"]] == [
            test["expected"] for test in TWO_SUM_TESTS
        ]
        assert body["language"] == language
        assert body["language_version"]
        assert body["id"].startswith("exe_")
        if language in {"java", "cpp"}:
            assert body["compile"]["status"] == "accepted"


@SQLITE_ONLY
@pytest.mark.parametrize("language", languages())
def test_stdin_stdout_tests_pass_in_every_language(client: TestClient, language: str) -> None:
    for shape in ("single", "multi"):
        body = finished(execute(client, STDIO[language][shape], language, tests=STDIO_TESTS))
        assert body["status"] == "accepted", (shape, body)
        assert (body["passed"], body["total"]) == (3, 3)
        assert [test["status"] for test in body["tests"]] == ["accepted"] * 3


@SQLITE_ONLY
@pytest.mark.parametrize("language", languages())
def test_a_plain_run_returns_stdout_and_the_language_is_guessed(
    client: TestClient, language: str
) -> None:
    body = finished(execute(client, STDIO[language]["multi"], None, stdin="40 2\n"))
    assert body["status"] == "accepted"
    assert body["language"] == language
    assert body["run"]["stdout"] == "42\n"
    assert body["run"]["exit_code"] == 0
    assert body["tests"] == []
    if language in {"java", "cpp"}:
        again = finished(execute(client, STDIO[language]["multi"], None, stdin="1 2\n"))
        assert again["compile"]["cached"] is True
        assert again["run"]["stdout"] == "3\n"


# ---------------------------------------------------------------------------- verdicts

API_VERDICTS = [
    ("accepted", "python", "echo hi"),
    ("wrong_answer", "python", "echo hi"),
    ("time_limit_exceeded", "python", "loop"),
    ("memory_limit_exceeded", "python", "alloc"),
    ("output_limit_exceeded", "python", "flood"),
    ("runtime_error", "python", "throw"),
    ("runtime_error", "cpp", "segv"),
    ("memory_limit_exceeded", "java", "alloc"),
]


@SQLITE_ONLY
@pytest.mark.parametrize(
    ("status", "language", "stdin"),
    [
        pytest.param(status, language, stdin, marks=needs(language), id=f"{status}-{language}")
        for status, language, stdin in API_VERDICTS
    ],
)
def test_each_verdict_reaches_the_client(
    client: TestClient, status: str, language: str, stdin: str
) -> None:
    expected = "hi" if status == "accepted" else "bye"
    tests = [{"name": "only", "stdin": stdin, "expected_stdout": expected}]
    body = finished(execute(client, KIT[language], language, tests=tests))
    assert body["status"] == status, body["tests"]
    assert body["tests"][0]["status"] == status
    assert body["passed"] == (1 if status == "accepted" else 0)
    if status == "runtime_error" and language == "cpp":
        plain = finished(execute(client, KIT[language], language, stdin=stdin))
        assert plain["run"]["signal"] == 11


@SQLITE_ONLY
def test_float_tolerance_and_unordered_are_passed_to_the_judge(client: TestClient) -> None:
    mean = {
        "entry_point": "mean",
        "signature": {"params": [{"name": "nums", "type": "int[]"}], "returns": "double"},
        "tests": [{"name": "third", "input": [[1, 1, 2]], "expected": 4 / 3}],
    }
    evens = {
        "entry_point": "evens",
        "tests": [{"name": "e", "input": [[2, 4]], "expected": [2, 4]}],
    }
    strict = finished(execute(client, MATH, "python", **mean))
    loose = finished(execute(client, MATH, "python", float_tolerance=1e-6, **mean))
    ordered = finished(execute(client, MATH, "python", **evens))
    any_order = finished(execute(client, MATH, "python", unordered=True, **evens))
    assert [strict["status"], loose["status"]] == ["wrong_answer", "accepted"]
    assert [ordered["status"], any_order["status"]] == ["wrong_answer", "accepted"]
    assert ordered["tests"][0]["message"] == "[0]: expected 2, got 4"


@SQLITE_ONLY
@pytest.mark.parametrize("language", languages("java", "cpp"))
def test_a_compilation_error_reaches_the_client_with_the_compiler_output(
    client: TestClient, language: str
) -> None:
    program = SYNTAX_ERRORS[language]
    body = finished(execute(client, program, language, tests=STDIO_TESTS[:2]))
    assert body["status"] == "compilation_error"
    assert body["compile"]["status"] == "compilation_error"
    assert "error" in body["compile"]["output"]
    assert program.entry in body["compile"]["output"]
    assert [test["status"] for test in body["tests"]] == ["compilation_error"] * 2


@SQLITE_ONLY
def test_a_failing_sandbox_is_an_internal_error_not_a_500(
    client: TestClient, container: Container
) -> None:
    use_sandbox(container, BrokenSandbox())
    body = finished(execute(client, KIT["python"], "python", stdin="echo x"))
    assert body["status"] == "internal_error"
    assert body["run"] is None
    stored = client.get(f"/api/v1/executions/{body['id']}")
    assert stored.status_code == 200
    assert stored.json()["status"] == "internal_error"


# ---------------------------------------------------------------------------- auth


@SQLITE_ONLY
def test_stateless_execute_needs_staff(
    client: TestClient, anonymous: TestClient, app: FastAPI
) -> None:
    body = {"language": "python", "files": KIT["python"].api_files()}
    assert_problem(anonymous.post("/api/v1/execute", json=body), 401, "unauthenticated")
    session = new_session(client)
    candidate = invite(client, app, session["id"])
    assert_problem(candidate.post("/api/v1/execute", json=body), 403, "forbidden")


# ---------------------------------------------------------------------------- validation

PY = {"path": "main.py", "content": "print(1)\n"}
CALL_TEST = {"name": "t", "input": [[1, 2], 3], "expected": [0, 1]}
STDIO_TEST = {"name": "s", "stdin": "", "expected_stdout": ""}

INVALID: list[tuple[str, dict[str, Any], int, str]] = [
    ("unknown language", {"language": "cobol", "files": [PY]}, 422, "unknown_language"),
    ("entry not sent", {"files": [PY], "entry": "other.py"}, 422, "entry_not_found"),
    (
        "several files, no entry",
        {"files": [PY, {"path": "b.py", "content": ""}]},
        422,
        "entry_required",
    ),
    (
        "unknown extension",
        {"files": [{"path": "notes.txt", "content": ""}]},
        422,
        "language_required",
    ),
    (
        "java calls without signature",
        {
            "language": "java",
            "files": [{"path": "Solution.java", "content": "class Solution {}"}],
            "entry_point": "twoSum",
            "tests": [CALL_TEST],
        },
        422,
        "signature_required",
    ),
    (
        "cpp calls without signature",
        {
            "files": [{"path": "solution.cpp", "content": ""}],
            "entry_point": "twoSum",
            "tests": [CALL_TEST],
        },
        422,
        "signature_required",
    ),
    (
        "mixed test kinds",
        {"files": [PY], "entry_point": "f", "tests": [CALL_TEST, STDIO_TEST]},
        422,
        "invalid_tests",
    ),
    (
        "duplicate test names",
        {"files": [PY], "tests": [STDIO_TEST, STDIO_TEST]},
        422,
        "invalid_tests",
    ),
    ("calls without entry_point", {"files": [PY], "tests": [CALL_TEST]}, 422, "invalid_tests"),
    (
        "arguments do not fit the signature",
        {
            "files": [PY],
            "entry_point": "twoSum",
            "signature": TWO_SUM_SIGNATURE,
            "tests": [{"name": "t", "input": [[1, 2]], "expected": [0, 1]}],
        },
        422,
        "test_arity_mismatch",
    ),
    (
        "entry of another language",
        {
            "language": "python",
            "files": [{"path": "main.js", "content": ""}],
            "entry_point": "f",
            "tests": [CALL_TEST],
        },
        422,
        "entry_language_mismatch",
    ),
    ("cpu above the maximum", {"files": [PY], "limits": {"cpu_time_s": 31}}, 422, "limit_too_high"),
    (
        "memory above the maximum",
        {"files": [PY], "limits": {"memory_mb": 4096}},
        422,
        "limit_too_high",
    ),
    (
        "too many tests",
        {
            "files": [PY],
            "tests": [{"name": f"t{i}", "stdin": "", "expected_stdout": ""} for i in range(501)],
        },
        422,
        "too_many_tests",
    ),
    ("duplicate file", {"files": [PY, PY]}, 422, "duplicate_file"),
    (
        "same file twice by its slash",
        {"files": [PY, {**PY, "path": "/main.py"}], "entry": "main.py"},
        422,
        "duplicate_file",
    ),
    (
        "path escapes the workspace",
        {"files": [PY, {"path": "../etc/passwd", "content": ""}], "entry": "main.py"},
        400,
        "invalid_path",
    ),
    (
        "path with a backslash",
        {"files": [PY, {"path": "a\\b.py", "content": ""}], "entry": "main.py"},
        400,
        "invalid_path",
    ),
    ("no files", {"files": []}, 422, "validation_error"),
    ("unknown field", {"files": [PY], "timeout": 3}, 422, "validation_error"),
    (
        "callback that is not http",
        {"files": [PY], "callback_url": "file:///etc/passwd"},
        422,
        "validation_error",
    ),
]


@SQLITE_ONLY
@pytest.mark.parametrize(
    ("body", "status", "code"),
    [pytest.param(body, status, code, id=name) for name, body, status, code in INVALID],
)
def test_invalid_requests_are_refused_with_stable_codes(
    client: TestClient, container: Container, body: dict[str, Any], status: int, code: str
) -> None:
    use_sandbox(container, BrokenSandbox())  # nothing may reach a sandbox
    assert_problem(client.post("/api/v1/execute", json=body), status, code)


# ---------------------------------------------------------------------------- sessions

PY_CALL_MULTI = CALL["python"]["multi"]


def test_session_runs_are_stored_and_listed_newest_first(
    client: TestClient, container: Container
) -> None:
    session = session_with(client, PY_CALL_MULTI)
    sid = session["id"]
    first = finished(session_execute(client, sid, file="/solution.py", **two_sum_suite()))
    second = finished(
        session_execute(client, sid, file="solution.py", **two_sum_suite("first", "wrong"))
    )
    assert first["status"] == "accepted"
    assert second["status"] == "wrong_answer"
    for body in (first, second):
        assert body["session_id"] == sid
        assert body["mode"] == "run"
        assert body["created_at"]
        assert body["finished_at"]

    stored = client.get(f"/api/v1/executions/{first['id']}")
    assert stored.status_code == 200
    assert stored.json() == first

    # small results live in their row (one commit), not as objects of the session
    assert not [
        info.key
        for info in container.object_store.list("interview-sessions/")
        if "/outputs/" in info.key
    ]
    for body in (first, second):
        assert json.loads(stored_json(container, body["id"])) == body

    listing = client.get(f"/api/v1/sessions/{sid}/executions")
    assert listing.status_code == 200
    rows = listing.json()["executions"]
    assert [row["id"] for row in rows] == [second["id"], first["id"]]
    assert rows[0]["status"] == "wrong_answer"
    assert (rows[0]["passed"], rows[0]["total"]) == (1, 2)
    assert (rows[1]["passed"], rows[1]["total"]) == (3, 3)
    assert all(row["state"] == "finished" and row["mode"] == "run" for row in rows)
    limited = client.get(f"/api/v1/sessions/{sid}/executions", params={"limit": 1})
    assert [row["id"] for row in limited.json()["executions"]] == [second["id"]]


def test_candidates_see_hidden_tests_as_name_and_status_only(
    client: TestClient, app: FastAPI
) -> None:
    session = session_with(client, PY_CALL_MULTI)
    sid = session["id"]
    candidate = invite(client, app, sid)
    suite = two_sum_suite()

    mine = finished(session_execute(candidate, sid, file="solution.py", **suite))
    assert mine["status"] == "accepted"
    hidden = mine["tests"][2]
    assert hidden["name"] == "hidden-twins"
    assert hidden["hidden"] is True
    assert hidden["status"] == "accepted"
    assert hidden["input"] is None
    assert hidden["expected"] is None
    assert hidden["actual"] is None
    assert hidden["stdout"] is None
    assert mine["tests"][0]["input"] == TWO_SUM_TESTS[0]["input"]
    assert mine["tests"][0]["actual"] == [0, 1]

    as_candidate = candidate.get(f"/api/v1/executions/{mine['id']}").json()
    assert as_candidate["tests"][2] == hidden
    as_staff = client.get(f"/api/v1/executions/{mine['id']}").json()
    assert as_staff["tests"][2]["input"] == [[3, 3], 6]
    assert as_staff["tests"][2]["expected"] == [0, 1]
    assert as_staff["tests"][2]["actual"] == [0, 1]

    staff_run = finished(session_execute(client, sid, file="solution.py", **suite))
    assert staff_run["tests"][2]["actual"] == [0, 1]
    listing = candidate.get(f"/api/v1/sessions/{sid}/executions")
    assert {row["id"] for row in listing.json()["executions"]} == {mine["id"], staff_run["id"]}


@SQLITE_ONLY
def test_hidden_stdin_stdout_tests_are_hidden_from_candidates_too(
    client: TestClient, app: FastAPI
) -> None:
    program = STDIO["python"]["multi"]
    session = session_with(client, program)
    candidate = invite(client, app, session["id"])
    body = finished(
        session_execute(candidate, session["id"], file=program.entry, tests=STDIO_TESTS)
    )
    assert body["status"] == "accepted"
    hidden = body["tests"][2]
    assert (hidden["name"], hidden["status"], hidden["hidden"]) == ("hidden-big", "accepted", True)
    assert hidden["input"] is None
    assert hidden["actual"] is None
    assert hidden["stdout"] is None
    assert body["tests"][0]["actual"] == "3\n"


@SQLITE_ONLY
def test_submit_runs_the_problems_tests_not_the_candidates(
    client: TestClient, app: FastAPI, container: Container
) -> None:
    problem = TestSuite.model_validate(two_sum_suite("first", "middle", "hidden-twins"))
    use_sandbox(container, None, problem)
    session = session_with(client, PY_CALL_MULTI)
    candidate = invite(client, app, session["id"])
    mine = two_sum_suite("wrong")  # ignored: submit judges against the problem
    body = finished(
        session_execute(candidate, session["id"], file="solution.py", mode="submit", **mine)
    )
    assert body["mode"] == "submit"
    assert body["status"] == "accepted"
    assert [test["name"] for test in body["tests"]] == ["first", "middle", "hidden-twins"]
    assert body["tests"][2] == {
        "name": "hidden-twins",
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
    rows = client.get(f"/api/v1/sessions/{session['id']}/executions").json()["executions"]
    assert [(row["mode"], row["passed"], row["total"]) for row in rows] == [("submit", 3, 3)]


@SQLITE_ONLY
@pytest.mark.parametrize("language", languages("java", "cpp"))
def test_a_session_workspace_runs_compiled_languages(client: TestClient, language: str) -> None:
    program = CALL[language]["multi"]
    session = session_with(client, program)
    body = finished(session_execute(client, session["id"], file=program.entry, **two_sum_suite()))
    assert body["status"] == "accepted", body
    assert body["session_id"] == session["id"]


@SQLITE_ONLY
def test_session_execute_errors(client: TestClient, app: FastAPI) -> None:
    session = session_with(client, KIT["python"])
    sid = session["id"]
    other = session_with(client, KIT["python"])
    candidate = invite(client, app, sid)

    missing = session_execute(client, sid, file="nope.py")
    assert_problem(missing, 404, "file_not_found")
    submit = session_execute(client, sid, file="main.py", mode="submit")
    assert_problem(submit, 409, "no_problem_tests")
    foreign = session_execute(candidate, other["id"], file="main.py", stdin="echo x")
    assert_problem(foreign, 404, "session_not_found")
    callback = session_execute(
        candidate, sid, file="main.py", callback_url="http://127.0.0.1:9/hook"
    )
    assert_problem(callback, 403, "forbidden")
    assert_problem(session_execute(client, "ses_missing", file="main.py"), 404, "session_not_found")

    ours = finished(session_execute(candidate, sid, file="main.py", stdin="echo x"))
    assert ours["run"]["stdout"] == "x"
    theirs = finished(session_execute(client, other["id"], file="main.py", stdin="echo y"))
    assert_problem(candidate.get(f"/api/v1/executions/{theirs['id']}"), 404, "execution_not_found")
    stateless = finished(execute(client, KIT["python"], "python", stdin="echo z"))
    assert_problem(
        candidate.get(f"/api/v1/executions/{stateless['id']}"), 404, "execution_not_found"
    )
    assert_problem(
        candidate.get(f"/api/v1/sessions/{other['id']}/executions"), 404, "session_not_found"
    )
    assert_problem(client.get("/api/v1/executions/exe_nothing"), 404, "execution_not_found")

    client.delete(f"/api/v1/sessions/{sid}")
    ended = session_execute(client, sid, file="main.py", stdin="echo x")
    assert_problem(ended, 409, "session_not_active")


def stored_json(container: Container, execution_id: str) -> str:
    with read_session(container.factory) as db:
        row = db.get(Execution, execution_id)
        assert row is not None
        assert row.result_json is not None
        return row.result_json


@pytest.mark.parametrize("settings_overrides", [{"exec_inline_result_kb": 0}])
def test_stateless_runs_are_stored_outside_sessions(
    client: TestClient, container: Container
) -> None:
    """With inline results off, every result is an object under ``executions/``."""
    body = finished(execute(client, KIT["python"], "python", stdin="echo stored"))
    assert body["session_id"] is None
    fetched = client.get(f"/api/v1/executions/{body['id']}")
    assert fetched.status_code == 200
    assert fetched.json() == body
    keys = [info.key for info in container.object_store.list("executions/")]
    assert [key for key in keys if key.endswith(f"/{body['id']}.json")]


# ---------------------------------------------------------------------------- async


def test_an_async_run_is_queued_then_finished(app: FastAPI, keys: Keys) -> None:
    with TestClient(app, headers=Keys.bearer(keys.interviewer)) as client:
        queued = execute(client, KIT["python"], "python", stdin="echo later", wait=False)
        assert queued.status_code == 202, queued.text
        body = queued.json()
        assert body["state"] == "queued"
        assert body["status"] is None
        assert body["created_at"]
        done = wait_until_finished(client, body["id"])
        assert done["status"] == "accepted"
        assert done["run"]["stdout"] == "later"
        assert done["created_at"] == body["created_at"]

        session = session_with(client, PY_CALL_MULTI)
        queued = session_execute(
            client, session["id"], file="solution.py", wait=False, **two_sum_suite()
        )
        assert queued.status_code == 202
        done = wait_until_finished(client, queued.json()["id"])
        assert (done["status"], done["passed"]) == ("accepted", 3)
        rows = client.get(f"/api/v1/sessions/{session['id']}/executions").json()["executions"]
        assert [(row["id"], row["state"]) for row in rows] == [(done["id"], "finished")]


class Hook:
    """A tiny HTTP server on 127.0.0.1 that records POSTs and answers scripted statuses."""

    def __init__(self, statuses: list[int]) -> None:
        self.statuses = statuses
        self.bodies: list[dict[str, Any]] = []
        self.received = threading.Condition()
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", "0"))
                payload = json.loads(self.rfile.read(length))
                with hook.received:
                    hook.bodies.append(payload)
                    status = hook.statuses[min(len(hook.bodies), len(hook.statuses)) - 1]
                    hook.received.notify_all()
                self.send_response(status)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def wait_for(self, count: int) -> list[dict[str, Any]]:
        with self.received:
            got = self.received.wait_for(lambda: len(self.bodies) >= count, POLL_SECONDS)
            assert got, f"{len(self.bodies)} callbacks, wanted {count}"
            return list(self.bodies)


@contextmanager
def hook_server(statuses: list[int]) -> Iterator[Hook]:
    hook = Hook(statuses)
    thread = threading.Thread(target=hook.server.serve_forever, daemon=True)
    thread.start()
    try:
        yield hook
    finally:
        hook.server.shutdown()
        hook.server.server_close()
        thread.join()


LOCAL_HOOKS = {"exec_callback_allow": "127.0.0.1"}
"""The hook servers listen on loopback, which a callback may reach only when allowed."""


@SQLITE_ONLY
@pytest.mark.parametrize("settings_overrides", [LOCAL_HOOKS])
def test_the_callback_gets_the_finished_result(app: FastAPI, keys: Keys) -> None:
    with hook_server([200]) as hook:
        with TestClient(app, headers=Keys.bearer(keys.interviewer)) as client:
            queued = execute(
                client,
                KIT["python"],
                "python",
                stdin="echo hook",
                wait=False,
                callback_url=hook.url,
            )
            assert queued.status_code == 202
            [posted] = hook.wait_for(1)
            assert posted["id"] == queued.json()["id"]
            assert posted["state"] == "finished"
            assert posted["status"] == "accepted"
            assert posted["run"]["stdout"] == "hook"
            assert client.get(f"/api/v1/executions/{posted['id']}").json() == posted
        assert len(hook.bodies) == 1


@SQLITE_ONLY
@pytest.mark.parametrize("settings_overrides", [{"exec_callback_attempts": 3, **LOCAL_HOOKS}])
def test_a_failing_callback_is_retried_up_to_the_attempts(app: FastAPI, keys: Keys) -> None:
    with hook_server([500, 503, 500, 200]) as hook:
        with TestClient(app, headers=Keys.bearer(keys.interviewer)) as client:
            queued = execute(
                client,
                KIT["python"],
                "python",
                stdin="echo retry",
                wait=False,
                callback_url=hook.url,
            )
            assert queued.status_code == 202
            hook.wait_for(3)
        # leaving the client drained every background task: no fourth attempt came
        assert len(hook.bodies) == 3
        assert {body["id"] for body in hook.bodies} == {queued.json()["id"]}


@SQLITE_ONLY
@pytest.mark.parametrize("settings_overrides", [LOCAL_HOOKS])
def test_a_callback_answering_500_then_200_stops_retrying(app: FastAPI, keys: Keys) -> None:
    with hook_server([500, 200]) as hook:
        with TestClient(app, headers=Keys.bearer(keys.interviewer)) as client:
            queued = execute(
                client,
                KIT["python"],
                "python",
                stdin="echo again",
                wait=False,
                callback_url=hook.url,
            )
            hook.wait_for(2)
        assert len(hook.bodies) == 2
        assert hook.bodies[0] == hook.bodies[1]
        assert hook.bodies[1]["id"] == queued.json()["id"]


# ---------------------------------------------------------------------------- back-pressure


@pytest.mark.parametrize("settings_overrides", [{"exec_workers": 1, "exec_queue_size": 1}])
def test_a_full_queue_answers_429_until_a_slot_frees(
    app: FastAPI, keys: Keys, container: Container
) -> None:
    gate = GateSandbox()
    service = use_sandbox(container, gate)
    with TestClient(app, headers=Keys.bearer(keys.interviewer)) as client:
        try:
            running = execute(client, KIT["python"], "python", wait=False)
            assert running.status_code == 202
            assert gate.started.acquire(timeout=POLL_SECONDS)  # the worker holds the slot
            waiting = execute(client, KIT["python"], "python", wait=False)
            assert waiting.status_code == 202

            refused = execute(client, KIT["python"], "python", wait=False)
            assert_problem(refused, 429, "execution_queue_full")
            assert int(refused.headers["retry-after"]) >= 1
            blocking = execute(client, KIT["python"], "python")
            assert_problem(blocking, 429, "execution_queue_full")

            first = client.get(f"/api/v1/executions/{running.json()['id']}")
            second = client.get(f"/api/v1/executions/{waiting.json()['id']}")
            assert (first.status_code, first.json()["state"]) == (202, "running")
            assert (second.status_code, second.json()["state"]) == (202, "queued")
        finally:
            gate.open.set()
        for queued in (running, waiting):
            done = wait_until_finished(client, queued.json()["id"])
            assert done["status"] == "accepted"
            assert done["run"]["stdout"] == "released\n"
        deadline = time.monotonic() + POLL_SECONDS
        while service.admission.in_flight and time.monotonic() < deadline:
            time.sleep(0.01)  # a finished run leaves its slot just after it is stored
        admitted = finished(execute(client, KIT["python"], "python"))
        assert admitted["status"] == "accepted"
