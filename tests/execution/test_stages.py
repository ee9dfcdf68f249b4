"""Where an execute request's time went: the ``Server-Timing`` header and the histogram.

Clients (and the benchmark) read the platform's share of a run from the header, so it must
be on every waited-for execute response, in the standard syntax, naming the agreed
stages, with stages that add up to no more than the total. Durations themselves are never
asserted: they depend on the machine.
"""

from __future__ import annotations

import math
import re

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st

from interviewkit.execution.stages import (
    STAGES,
    EngineTimings,
    StageClock,
    add,
    measuring,
    stage,
)
from tests.conftest import invite
from tests.execution.conftest import CALL, KIT, requires_sandbox, two_sum_suite
from tests.execution.helpers import execute, finished, session_execute, session_with

SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
METRIC = re.compile(r'^([A-Za-z0-9_-]+);dur=(\d+(?:\.\d{1,3})?)(?:;desc="([a-z+]+)")?$')
PAID_BY_THE_ENGINE = ("compile", "handover", "run")


def parse(header: str) -> dict[str, float]:
    """``Server-Timing`` as a client parses it: name -> milliseconds; strict syntax."""
    return {name: duration for name, (duration, _) in parse_described(header).items()}


def parse_described(header: str) -> dict[str, tuple[float, str | None]]:
    """name -> (milliseconds, its ``desc`` if any)."""
    timings: dict[str, tuple[float, str | None]] = {}
    for metric in header.split(", "):
        found = METRIC.match(metric)
        assert found, f"not a Server-Timing metric with a duration: {metric!r}"
        name, duration, description = found.groups()
        assert name not in timings, f"{name} listed twice"
        timings[name] = (float(duration), description)
    return timings


def assert_adds_up(timings: dict[str, float]) -> None:
    assert set(timings) <= set(STAGES)
    assert list(timings) == [name for name in STAGES if name in timings]  # in request order
    assert list(timings)[-1] == "total"
    stages_sum = sum(value for name, value in timings.items() if name != "total")
    rounding = 0.0005 * len(timings)
    assert stages_sum <= timings["total"] + rounding, timings


# ---------------------------------------------------------------------------- the clock


@given(
    st.dictionaries(
        st.sampled_from([name for name in STAGES if name != "total"]),
        st.lists(st.floats(min_value=0, max_value=1e6, allow_nan=False), min_size=1, max_size=3),
    )
)
def test_the_header_lists_each_stage_once_in_order_with_its_sum(
    added: dict[str, list[float]],
) -> None:
    clock = StageClock()
    for name, durations in added.items():
        for duration in durations:
            clock.add(name, duration)
    timings = parse(clock.header())
    assert list(timings) == [name for name in STAGES if name in added] + ["total"]
    for name, durations in added.items():
        assert math.isclose(timings[name], sum(durations), abs_tol=0.0006, rel_tol=1e-9)


def test_stages_land_on_the_measured_request_only() -> None:
    with stage("plan"):  # no request is measured: nothing to record, nothing fails
        add("store", 5.0)
    with measuring() as clock:
        with stage("plan"):
            pass
        add("queue", 2.0)
        clock.add_engine(EngineTimings(compile_ms=1.0, handover_ms=2.0, total_ms=10.0))
    assert set(clock.durations) == {"plan", "queue", "compile", "handover", "run"}
    assert clock.durations["run"] == 7.0  # the engine's time outside compile and hand-over
    assert "handover;dur=2.000, " in clock.header()  # nothing ran: nobody to name
    with pytest.raises(ValueError, match="unknown stage"):
        clock.add("network", 1.0)


# ---------------------------------------------------------------------------- over HTTP


@requires_sandbox
@SQLITE_ONLY
def test_a_stateless_run_reports_each_stage_it_went_through(client: TestClient) -> None:
    response = execute(client, KIT["python"], "python", stdin="echo timed")
    assert finished(response)["run"]["stdout"] == "timed"
    timings = parse(response.headers["server-timing"])
    assert {"plan", "admission", "queue", *PAID_BY_THE_ENGINE, "store", "total"} <= set(timings)
    assert_adds_up(timings)
    # a stateless run the client waits for has no start row: it is written with its result
    assert "record" not in timings
    served = parse_described(response.headers["server-timing"])["handover"][1]
    assert served in {"python", "cold"}  # which sandbox answered: a warm one or a cold start


def test_the_handover_names_who_served_each_run() -> None:
    timings = EngineTimings(handover_ms=3.0, served=["java", "java"])
    assert timings.served_by == "java"
    mixed = EngineTimings(served=["java", "cold", "java"])
    assert mixed.served_by == "java+cold"
    clock = StageClock()
    clock.add_engine(mixed)
    assert parse_described(clock.header())["handover"] == (0.0, "java+cold")


@requires_sandbox
@SQLITE_ONLY
def test_a_candidate_sees_the_stages_of_a_session_run_too(client: TestClient, app: FastAPI) -> None:
    program = CALL["python"]["single"]
    session = session_with(client, program)
    candidate = invite(client, app, session["id"])
    response = session_execute(candidate, session["id"], file="solution.py", **two_sum_suite())
    assert finished(response)["status"] == "accepted"
    timings = parse(response.headers["server-timing"])
    assert {"plan", "admission", "record", "queue", *PAID_BY_THE_ENGINE} <= set(timings)
    # the recording's events join the row's commits: no stage of their own
    assert {"store", "total"} <= set(timings)
    assert "event" not in timings
    assert_adds_up(timings)


@requires_sandbox
@SQLITE_ONLY
def test_a_queued_run_reports_the_stages_before_its_answer(client: TestClient) -> None:
    response = execute(client, KIT["python"], "python", stdin="echo later", wait=False)
    assert response.status_code == 202
    timings = parse(response.headers["server-timing"])
    assert {"plan", "admission", "record", "total"} <= set(timings)
    assert not set(PAID_BY_THE_ENGINE) & set(timings)  # it had not run when answered
    assert_adds_up(timings)


@requires_sandbox
@SQLITE_ONLY
def test_the_stages_feed_the_prometheus_histogram(
    client: TestClient, anonymous: TestClient
) -> None:
    finished(execute(client, KIT["python"], "python", stdin="echo counted"))
    exposition = anonymous.get("/metrics").text
    for name in ("plan", "run", "store", "total"):
        line = f'interviewkit_execution_stage_seconds_count{{stage="{name}"}} 1.0'
        assert line in exposition, name
