"""Fair shares of the execution queue, and no run left ``queued`` by a refused request.

* A session (a candidate clicking Run) and an API key hold only a few of the queue's slots:
  beyond them, 429 ``too_many_runs`` with ``Retry-After``; other sessions still run.
* Candidates may lower their limits but not raise them above the session's defaults.
* Whatever refuses a request does so before an ``executions`` row exists; a run that fails
  after the row exists finishes it as ``internal_error``.
"""

from __future__ import annotations

import json
import time
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from interviewkit.app import Container
from interviewkit.db import read_session
from interviewkit.errors import ProblemError
from interviewkit.execution.admission import Admission
from interviewkit.execution.limits import Limits
from interviewkit.execution.models import Execution
from interviewkit.execution.schemas import TestSuite
from interviewkit.execution.service import ExecutionService
from interviewkit.storage.local import LocalObjectStore
from tests.conftest import Keys, assert_problem, invite, new_session
from tests.execution.conftest import CALL, FAST, STDIO, requires_sandbox, two_sum_suite
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

SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
PY_CALL = CALL["python"]["single"]
PY_STDIO = STDIO["python"]["single"]


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {"exec_max_in_flight_per_key": 3, "exec_workers": 1, "exec_queue_size": 20}


def rows(container: Container) -> list[tuple[str, str | None]]:
    with read_session(container.factory) as db:
        found = db.execute(select(Execution.state, Execution.status)).all()
    return [(state, status) for state, status in found]


# ---------------------------------------------------------------------------- in flight


@SQLITE_ONLY
def test_a_session_holds_at_most_two_runs_in_flight(
    app: FastAPI, keys: Keys, container: Container
) -> None:
    gate = GateSandbox()
    service = use_sandbox(container, gate)
    with TestClient(app, headers=Keys.bearer(keys.interviewer)) as staff:
        first = new_session(staff, files=PY_STDIO.api_files())
        other = new_session(staff, files=PY_STDIO.api_files())
        candidate = invite(staff, app, first["id"])
        try:
            held = [
                session_execute(staff, first["id"], file="main.py", wait=False) for _ in range(2)
            ]
            assert [response.status_code for response in held] == [202, 202]
            refused = session_execute(candidate, first["id"], file="main.py")
            body = assert_problem(refused, 429, "too_many_runs")
            assert body["scope"] == "session"
            assert refused.headers["Retry-After"] == "1"
            # staff runs count against the session too: one session, one share
            again = session_execute(staff, first["id"], file="main.py", wait=False)
            assert_problem(again, 429, "too_many_runs")
            # another session is not held up by this one
            elsewhere = session_execute(staff, other["id"], file="main.py", wait=False)
            assert elsewhere.status_code == 202
        finally:
            gate.open.set()
        for response in [*held, elsewhere]:
            assert wait_until_finished(staff, response.json()["id"])["status"] == "accepted"
        wait_for_free_slots(service)
        assert finished(session_execute(candidate, first["id"], file="main.py"))
    assert all(state == "finished" for state, _ in rows(container))


def wait_for_free_slots(service: ExecutionService) -> None:
    """A finished run leaves its slot just after it is stored."""
    deadline = time.monotonic() + POLL_SECONDS
    while service.admission.in_flight and time.monotonic() < deadline:
        time.sleep(0.01)


@SQLITE_ONLY
def test_an_api_key_holds_at_most_its_share_of_runs_in_flight(
    app: FastAPI, keys: Keys, container: Container
) -> None:
    gate = GateSandbox()
    service = use_sandbox(container, gate)
    with TestClient(app, headers=Keys.bearer(keys.interviewer)) as staff:
        try:
            held = [execute(staff, PY_STDIO, "python", wait=False) for _ in range(3)]
            assert [response.status_code for response in held] == [202, 202, 202]
            refused = execute(staff, PY_STDIO, "python", wait=False)
            body = assert_problem(refused, 429, "too_many_runs")
            assert body["scope"] == "key"
            assert refused.headers["Retry-After"] == "1"
        finally:
            gate.open.set()
        for response in held:
            assert wait_until_finished(staff, response.json()["id"])["status"] == "accepted"
        wait_for_free_slots(service)
        assert finished(execute(staff, PY_STDIO, "python"))["status"] == "accepted"


@requires_sandbox
@SQLITE_ONLY
def test_candidates_cannot_raise_limits_above_the_defaults(
    client: TestClient, app: FastAPI, container: Container
) -> None:
    session = session_with(client, PY_STDIO)
    candidate = invite(client, app, session["id"])
    defaults = container.settings
    for name, value in [
        ("cpu_time_s", defaults.exec_cpu_time_s + 1),
        ("wall_time_s", defaults.exec_wall_time_s * 2),
        ("memory_mb", defaults.exec_memory_mb + 1),
        ("processes", defaults.exec_processes + 1),
        ("output_kb", defaults.exec_output_kb + 1),
    ]:
        refused = session_execute(candidate, session["id"], file="main.py", limits={name: value})
        body = assert_problem(refused, 403, "limit_above_default")
        assert name in body["detail"]
    lower = session_execute(candidate, session["id"], file="main.py", stdin="1 2", limits=FAST)
    assert finished(lower)["run"]["stdout"] == "3\n"
    raised = {"cpu_time_s": defaults.exec_cpu_time_s + 1}
    staff = session_execute(client, session["id"], file="main.py", stdin="4", limits=raised)
    assert finished(staff)["run"]["stdout"] == "4\n"
    assert [state for state, _ in rows(container)] == ["finished", "finished"]


# ---------------------------------------------------------------------------- no queued rows


@requires_sandbox
@SQLITE_ONLY
def test_a_file_of_another_language_is_entry_language_mismatch(
    client: TestClient, container: Container
) -> None:
    program = STDIO["javascript"]["single"]
    assert_problem(execute(client, program, "python"), 422, "entry_language_mismatch")
    session = session_with(client, program)
    refused = session_execute(client, session["id"], file="main.js", language="python")
    body = assert_problem(refused, 422, "entry_language_mismatch")
    assert "javascript" in body["detail"]
    assert rows(container) == []
    # the same language under an alias, or no language at all, still runs
    assert finished(execute(client, program, "node", stdin="1 2"))["run"]["stdout"] == "3\n"


@requires_sandbox
@SQLITE_ONLY
@pytest.mark.parametrize(
    "body",
    [
        pytest.param({"stdin": "\ud800"}, id="stdin"),
        pytest.param(
            {
                **two_sum_suite("first"),
                "tests": [{"name": "s", "input": [[1, 2], 3], "expected": ["\udfff"]}],
            },
            id="expected",
        ),
        pytest.param(
            {**two_sum_suite("first"), "tests": [{"name": "s", "input": [["\ud83d"], 3]}]},
            id="input",
        ),
    ],
)
def test_a_lone_surrogate_is_refused_before_any_row_exists(
    client: TestClient, container: Container, body: dict[str, Any]
) -> None:
    session = session_with(client, PY_CALL)
    payloads = {
        f"/api/v1/sessions/{session['id']}/execute": {"file": "solution.py", **body},
        "/api/v1/execute": {"files": PY_CALL.api_files(), "language": "python", **body},
    }
    for url, payload in payloads.items():
        # json.dumps escapes the lone surrogate as \\udXXX: valid JSON, not valid text
        refused = client.post(
            url, content=json.dumps(payload), headers={"content-type": "application/json"}
        )
        assert 400 <= refused.status_code < 500, refused.text
        assert refused.headers["content-type"].startswith("application/problem+json")
    assert rows(container) == []
    listing = client.get(f"/api/v1/sessions/{session['id']}/executions").json()
    assert listing["executions"] == []


@SQLITE_ONLY
def test_the_planner_refuses_unencodable_text_with_a_field(container: Container) -> None:
    """The planner serves the API, the CLI and problem vetting alike: the check is its own."""
    planner = container.executions.planner
    suite = TestSuite.model_validate(
        {**two_sum_suite("first"), "tests": [{"name": "s", "input": [["\ud83d"], 3]}]}
    )
    with pytest.raises(ProblemError) as raised:
        planner.job(
            files=PY_CALL.files,
            entry=PY_CALL.entry,
            language="python",
            stdin="",
            suite=suite,
            limits=Limits(),
        )
    assert (raised.value.status, raised.value.code) == (422, "validation_error")
    assert raised.value.extra["errors"][0]["field"] == "tests[0].input[0][0]"


@requires_sandbox
@SQLITE_ONLY
@pytest.mark.parametrize("settings_overrides", [{"exec_inline_result_kb": 0}])
def test_a_run_whose_result_cannot_be_stored_is_not_left_queued(
    client: TestClient, container: Container
) -> None:
    """A real storage failure (a file where the results' folder should be; every result
    goes to the object store here): a background run, whose row was written when it was
    admitted, is finished as an internal error; a run the client waits for fails and
    leaves no row at all (its row is written with its result)."""
    store = container.object_store
    assert isinstance(store, LocalObjectStore)
    (store.root / "executions").write_text("not a folder")
    queued = execute(client, PY_STDIO, "python", stdin="1 2", wait=False)
    assert queued.status_code == 202, queued.text
    shown = wait_until_finished(client, queued.json()["id"])
    assert (shown["state"], shown["status"]) == ("finished", "internal_error")
    assert rows(container) == [("finished", "internal_error")]

    waited = execute(client, PY_STDIO, "python", stdin="1 2")
    assert waited.status_code >= 400, waited.text
    assert rows(container) == [("finished", "internal_error")]


# ---------------------------------------------------------------------------- saturation


def refusal(admission: Admission, **owners: str) -> ProblemError:
    with pytest.raises(ProblemError) as refused:
        admission.enter(**owners)
    return refused.value


def test_retry_after_is_the_backlog_shared_by_the_workers() -> None:
    admission = Admission(2, 2)
    for _ in range(4):
        admission.enter()
    assert refusal(admission).headers["Retry-After"] == "1"  # no run finished yet: no mean
    for seconds in (3.0, 3.0, 3.0):
        admission.ran(seconds)
    # the two queued runs and this one, 3 s each, shared by two workers: ceil(4.5)
    full = refusal(admission)
    assert (full.status, full.code, full.headers["Retry-After"]) == (
        429,
        "execution_queue_full",
        "5",
    )


def test_a_busy_owner_is_told_when_the_backlog_drains_too() -> None:
    admission = Admission(1, 10, per_session=2)
    admission.ran(2.0)
    admission.enter(session_id="ses_a")
    admission.enter(session_id="ses_a")
    busy = refusal(admission, session_id="ses_a")
    assert (busy.code, busy.headers["Retry-After"]) == ("too_many_runs", "4")


@given(
    workers=st.integers(1, 8),
    queue=st.integers(0, 16),
    runs=st.lists(st.floats(0, 120, allow_nan=False), max_size=20),
    slower=st.floats(0, 120, allow_nan=False),
)
def test_retry_after_is_a_whole_second_at_least_and_grows_with_slower_runs(
    workers: int, queue: int, runs: list[float], slower: float
) -> None:
    def retry_after(extra: list[float]) -> int:
        admission = Admission(workers, queue)
        for _ in range(workers + queue):
            admission.enter()
        for seconds in [*runs, *extra]:
            admission.ran(seconds)
        return int(refusal(admission).headers["Retry-After"])

    assert retry_after([]) >= 1
    if runs and slower >= max(runs):
        assert retry_after([slower]) >= retry_after([])


@SQLITE_ONLY
@pytest.mark.parametrize("settings_overrides", [{"exec_workers": 1, "exec_queue_size": 1}])
def test_past_capacity_waiting_clients_get_429_never_a_timeout_or_5xx(
    app: FastAPI, keys: Keys, container: Container
) -> None:
    """Eight clients wait for a run at once on a server with room for two: two run, six
    are refused at once with 429 and a Retry-After, and nobody gets a 5xx."""
    gate = GateSandbox()
    use_sandbox(container, gate)
    with (
        TestClient(app, headers=Keys.bearer(keys.interviewer)) as staff,
        ThreadPoolExecutor(8) as clients,
    ):
        try:
            asked = [clients.submit(execute, staff, PY_STDIO, "python") for _ in range(8)]
            refused = [future.result(timeout=POLL_SECONDS) for future in as_completed_n(asked, 6)]
        finally:
            gate.open.set()
        answers = [future.result(timeout=POLL_SECONDS) for future in asked]
    assert sorted(answer.status_code for answer in answers) == [200, 200, *[429] * 6]
    for answer in refused:
        assert_problem(answer, 429, "execution_queue_full")
        assert int(answer.headers["Retry-After"]) >= 1


def as_completed_n(futures: list[Future[Any]], count: int) -> list[Future[Any]]:
    """The first ``count`` futures to finish (the refusals: the admitted ones are held)."""
    done: list[Future[Any]] = []
    for future in as_completed(futures, timeout=POLL_SECONDS):
        done.append(future)
        if len(done) == count:
            break
    return done
