"""Helpers the execution API tests share: runs, session runs, swapped sandboxes.

Kept out of the test modules so that tests import helpers, never other tests.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx2 import Response  # what starlette's TestClient returns once httpx2 is installed

from interviewkit.app import Container
from interviewkit.execution.limits import default_limits
from interviewkit.execution.sandbox import SandboxJob, SandboxResult
from interviewkit.execution.schemas import ExecutionResult, TestSuite
from interviewkit.execution.service import ExecutionService
from interviewkit.execution.toolchains import LanguageRegistry
from tests.conftest import new_session
from tests.execution.conftest import FAST, Program

POLL_SECONDS = 30.0


def execute(client: TestClient, program: Program, language: str | None, **body: Any) -> Response:
    payload: dict[str, Any] = {"files": program.api_files(), "entry": program.entry, **body}
    if language is not None:
        payload["language"] = language
    payload.setdefault("limits", FAST)
    response: Response = client.post("/api/v1/execute", json=payload)
    return response


def finished(response: Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text[:3000]
    body: dict[str, Any] = response.json()
    assert body["state"] == "finished"
    return body


def session_with(client: TestClient, program: Program) -> dict[str, Any]:
    return new_session(client, files=program.api_files())


def session_execute(client: TestClient, session_id: str, **body: Any) -> Response:
    body.setdefault("limits", FAST)
    response: Response = client.post(f"/api/v1/sessions/{session_id}/execute", json=body)
    return response


def wait_until_finished(client: TestClient, execution_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + POLL_SECONDS
    while time.monotonic() < deadline:
        response = client.get(f"/api/v1/executions/{execution_id}")
        if response.status_code == 200:
            body: dict[str, Any] = response.json()
            assert body["state"] == "finished"
            return body
        assert response.status_code == 202, response.text
        assert response.json()["state"] in {"queued", "running"}
        time.sleep(0.05)
    pytest.fail(f"execution {execution_id} did not finish within {POLL_SECONDS} s")


def use_sandbox(
    container: Container, sandbox: Any, problem: TestSuite | None = None
) -> ExecutionService:
    """Swap the container's execution service for one on ``sandbox`` (None: the real one),
    optionally with a problem whose tests ``mode: submit`` runs."""
    service = ExecutionService(
        container.factory,
        container.object_store,
        container.settings,
        container.sessions,
        sandbox=sandbox,
        registry=LanguageRegistry(),
        problem_tests=lambda _session, _path, _language: (
            None if problem is None else (problem, default_limits(container.settings))
        ),
    )
    container.executions.close()
    container.executions = service
    return service


def sandbox_result(stdout: bytes = b"", exit_code: int = 0) -> SandboxResult:
    return SandboxResult(
        exit_code=exit_code,
        signal=None,
        stdout=stdout,
        stderr=b"",
        results=b"",
        stdout_truncated=False,
        stderr_truncated=False,
        cpu_ms=1.0,
        wall_ms=1.0,
        memory_kb=1024,
    )


class GateSandbox:
    """Holds every run until ``open`` is set, then answers as a clean exit."""

    name = "gate"
    isolated = True

    def __init__(self) -> None:
        self.open = threading.Event()
        self.started = threading.Semaphore(0)

    def paths(self) -> Mapping[str, str]:
        return {"{work}": "/work", "{ik}": "/ik"}

    def run(self, job: SandboxJob) -> SandboxResult:
        self.started.release()
        assert self.open.wait(POLL_SECONDS), "the test never opened the gate"
        return sandbox_result(b"released\n")

    def close(self) -> None:
        self.open.set()


def call_suite(
    entry_point: str, params: dict[str, str], returns: str, tests: list[Any]
) -> dict[str, Any]:
    """A visible function-call suite as the API takes it; ``tests`` are ``(input, expected)``
    pairs, named ``t0``, ``t1``, ..."""
    return {
        "entry_point": entry_point,
        "signature": {
            "params": [{"name": name, "type": kind} for name, kind in params.items()],
            "returns": returns,
        },
        "tests": [
            {"name": f"t{index}", "input": given, "expected": expected}
            for index, (given, expected) in enumerate(tests)
        ],
    }


def statuses(result: ExecutionResult) -> list[str]:
    """Each test's verdict, in order."""
    return [test.status for test in result.tests]
