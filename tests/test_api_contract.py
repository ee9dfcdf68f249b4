"""Rules every API route keeps, checked over the whole OpenAPI document so a new route obeys
them without anyone remembering to add a test: its JSON is a declared model (so the
OpenAPI document shows it), and a candidate's token never reaches another session."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.conftest import invite, new_session

PLAUSIBLE_BODIES: dict[str, Any] = {
    "/execute": {"file": "/solution.py"},
    "/events": {"events": [{"id": "e1", "type": "focus", "t_ms": 1}]},
    "/assistant/messages": {"content": "hello", "stream": False},
    ":move": {"to": "/moved.py"},
    "/files": {"path": "/new.py", "content": ""},
    "/invite": {"ttl_seconds": 3600},
}
"""A body each route accepts, by path ending: refusing the caller must not depend on
the body being wrong (authorisation comes first, or at least never lets the call in)."""

QUERY = {"at_ms": 0, "from_ms": 0, "to_ms": 0}


def operations(client: TestClient) -> list[tuple[str, str, dict[str, Any]]]:
    """Every API operation of the OpenAPI document: method, path and its description."""
    paths = client.get("/openapi.json").json()["paths"]
    return [
        (method.upper(), path, spec)
        for path, items in paths.items()
        if path.startswith("/api/")
        for method, spec in items.items()
    ]


def named(schema: dict[str, Any]) -> bool:
    """A declared model (``$ref``), or a choice between declared models."""
    return "$ref" in schema or (
        bool(schema.get("anyOf")) and all("$ref" in s for s in schema["anyOf"])
    )


def test_every_json_answer_is_a_declared_model(anonymous: TestClient) -> None:
    """No route answers JSON the document cannot describe (a bare dict, or nothing);
    a route that also streams (server-sent events) documents both and is left to its test."""
    undocumented = []
    for method, path, spec in operations(anonymous):
        for status, response in spec["responses"].items():
            content = response.get("content", {})
            streams = any(not media.endswith("json") for media in content)
            schema = content.get("application/json", {}).get("schema")
            if status.startswith("2") and schema is not None and not streams and not named(schema):
                undocumented.append(f"{method} {path} {status}: {schema}")

    assert undocumented == []


def test_a_candidate_token_reaches_no_route_of_another_session(
    client: TestClient, app: FastAPI
) -> None:
    """404 where a candidate may call the route (as for a session that does not exist, so
    ids cannot be probed), 403 where only staff may; never an answer about the session."""
    theirs = new_session(client, candidate_name="Ada")["id"]
    mine = new_session(client, candidate_name="Grace")["id"]
    candidate = invite(client, app, mine)
    client.put(f"/api/v1/sessions/{theirs}/files/solution.py", json={"content": "x = 1\n"})
    seen = []

    for method, path, _ in operations(client):
        if "{session_id}" not in path:
            continue
        url = path.replace("{session_id}", theirs).replace("{file_path}", "solution.py")
        ending = next((end for end in PLAUSIBLE_BODIES if url.endswith(end)), None)
        body = PLAUSIBLE_BODIES[ending] if ending and method in {"POST", "PUT"} else None
        if method == "PUT" and body is None:
            body = {"content": "stolen = True\n"}
        response = candidate.request(method, url, json=body, params=QUERY)
        seen.append((method, path))

        assert response.status_code in (403, 404), (method, url, response.text)
        expected = "session_not_found" if response.status_code == 404 else "forbidden"
        assert response.json()["code"] == expected, (method, url, response.text)

    assert len(seen) >= 20  # the session routes of every domain were visited
    stolen = client.get(f"/api/v1/sessions/{theirs}/files/solution.py").json()
    assert stolen["content"] == "x = 1\n"
