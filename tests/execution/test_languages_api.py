"""``GET /api/v1/languages`` shows each language's environment, as the registry holds it.

The room's "Environment" panel and docs/languages.md read this list, so what it says must be
exactly the language's :class:`~interviewkit.languages.base.Environment` (no second copy to
drift), documented in the OpenAPI schema, and readable with a candidate's token.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from interviewkit.languages import find
from tests.conftest import assert_problem, invite, new_session

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

ENVIRONMENT_FIELDS = {"version", "standard", "preloaded", "notes", "starter_note"}


def _listed(client: TestClient) -> dict[str, dict[str, Any]]:
    response = client.get("/api/v1/languages")
    assert response.status_code == 200, response.text
    return {language["name"]: language for language in response.json()["languages"]}


def test_each_language_lists_its_environment_as_the_registry_holds_it(
    client: TestClient,
) -> None:
    listed = _listed(client)
    assert listed, "no language is available on this machine"
    for name, language in listed.items():
        spec = find(name)
        assert spec is not None, name
        environment = language["environment"]
        assert set(environment) == ENVIRONMENT_FIELDS
        assert environment["version"] == spec.environment.version
        assert environment["standard"] == spec.environment.standard
        assert environment["preloaded"] == list(spec.environment.preloaded)
        assert environment["notes"] == list(spec.environment.notes)
        assert environment["starter_note"] == spec.environment.starter_note
        # the room names a language's new file after it (Java's class Solution needs this)
        assert language["solution_file"] == spec.solution_file


def test_the_decided_environments_are_what_the_api_says(client: TestClient) -> None:
    """The contract of issue 16, as a candidate reads it in the list (where installed)."""
    listed = _listed(client)
    everything = {
        name: " ".join([lang["environment"]["standard"], *lang["environment"]["preloaded"]])
        for name, lang in listed.items()
    }
    for name, language in listed.items():
        assert language["environment"]["standard"], f"{name} names no standard"
        assert language["environment"]["preloaded"], f"{name} preloads nothing"
    if "java" in listed:
        for package in ("java.util.*", "java.util.function.*", "java.util.stream.*", "java.math.*"):
            assert package in everything["java"]
        assert listed["java"]["environment"]["starter_note"].startswith("//")
    if "cpp" in listed:
        assert "C++20" in everything["cpp"]
        assert "bits/stdc++.h" in everything["cpp"]
    if "javascript" in listed:
        for name in ("MinPriorityQueue", "MaxPriorityQueue", "Queue", "Deque", "lodash"):
            assert name in everything["javascript"], name
    if "python" in listed:
        for name in ("collections", "heapq", "bisect", "itertools", "functools", "math"):
            assert name in everything["python"], name


def test_a_candidate_token_reads_it_and_no_credential_is_refused(
    client: TestClient, anonymous: TestClient, app: FastAPI
) -> None:
    session = new_session(client, candidate_name="Ada")
    candidate = invite(client, app, session["id"])
    assert _listed(candidate) == _listed(client)
    assert_problem(anonymous.get("/api/v1/languages"), 401, "unauthenticated")


def test_the_openapi_schema_documents_the_environment(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    components = schema["components"]["schemas"]
    language = components["LanguageInfo"]
    assert "environment" in language["required"]
    environment = components["EnvironmentInfo"]
    assert set(environment["properties"]) == ENVIRONMENT_FIELDS
    for name, field in environment["properties"].items():
        assert field.get("description"), f"EnvironmentInfo.{name} is undocumented"
    operation = schema["paths"]["/api/v1/languages"]["get"]
    assert "environment" in operation["description"]
