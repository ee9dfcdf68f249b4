"""Random paths, bodies, headers and parameters thrown at the routes: never a 500.

Every answer is either a success or a problem+json 4xx with a stable code.
"""

from __future__ import annotations

import json
import re
from typing import Any, NamedTuple
from urllib.parse import quote

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx2 import Response  # what starlette's TestClient returns once httpx2 is installed
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import new_session

FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

paths = st.one_of(
    st.text(max_size=80),
    st.lists(
        st.sampled_from(["a", "b.py", "..", ".", "", "%2e%2e", "é", "\x00", "\\", "~", ":move"]),
        max_size=8,
    ).map("/".join),
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)
session_bodies = st.one_of(
    json_values,
    st.fixed_dictionaries(
        {},
        optional={
            "template_id": json_values,
            "problem_id": st.text(max_size=70),
            "candidate_name": st.text(max_size=210),
            "candidate_email": st.text(max_size=40),
            "config": json_values,
            "files": st.lists(
                st.fixed_dictionaries({"path": paths, "content": st.text(max_size=50)}),
                max_size=3,
            ),
        },
    ),
)
content_types = st.sampled_from(
    ["application/json", "text/plain", "application/octet-stream", "image/png", "", "text/x; a=b"]
)
header_values = st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=30)


JSON = {"Content-Type": "application/json"}


def assert_no_server_error(response: Response) -> None:
    assert response.status_code < 500, response.text
    if response.status_code >= 400 and response.status_code != 405:
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["code"]


def url_for(session_id: str, path: str) -> str:
    return f"/api/v1/sessions/{session_id}/files/{quote(path, safe='/:')}"


@pytest.fixture
def session_id(client: TestClient) -> str:
    return str(new_session(client, files=[{"path": "/a.py", "content": "x"}])["id"])


@FUZZ
@given(path=paths, content=st.text(max_size=200), if_match=st.none() | header_values)
def test_file_routes_with_random_paths(
    client: TestClient, session_id: str, path: str, content: str, if_match: str | None
) -> None:
    headers = {"If-Match": if_match} if if_match is not None else {}
    url = url_for(session_id, path)
    assert_no_server_error(client.put(url, json={"content": content}, headers=headers))
    assert_no_server_error(client.get(url))
    assert_no_server_error(client.post(url + ":move", json={"to": path[::-1] or "/x"}))
    assert_no_server_error(client.delete(url, headers=headers))
    assert_no_server_error(
        client.post(f"/api/v1/sessions/{session_id}/files", json={"path": path, "content": content})
    )


@FUZZ
@given(body=st.binary(max_size=300), content_type=content_types, path=paths)
def test_raw_bodies(
    client: TestClient, session_id: str, body: bytes, content_type: str, path: str
) -> None:
    headers = {"content-type": content_type} if content_type else {}
    for method, url in (
        ("PUT", url_for(session_id, path or "f")),
        ("POST", "/api/v1/sessions"),
        ("POST", f"/api/v1/sessions/{session_id}/files"),
        ("PATCH", f"/api/v1/sessions/{session_id}"),
        ("POST", url_for(session_id, "a.py") + ":move"),
    ):
        assert_no_server_error(client.request(method, url, content=body, headers=headers))


@FUZZ
@given(body=session_bodies)
def test_session_bodies(client: TestClient, body: Any) -> None:
    created = client.post("/api/v1/sessions", content=json.dumps(body).encode(), headers=JSON)
    assert_no_server_error(created)
    if created.status_code == 201:
        session = created.json()
        patched = client.patch(f"/api/v1/sessions/{session['id']}", json=body)
        assert_no_server_error(patched)


@FUZZ
@given(
    session=st.text(max_size=70),
    status=st.text(max_size=12),
    candidate=st.text(max_size=30),
    cursor=st.text(max_size=60),
    limit=st.text(max_size=6),
)
def test_ids_and_query_parameters(
    client: TestClient, session: str, status: str, candidate: str, cursor: str, limit: str
) -> None:
    query = {"status": status, "candidate": candidate, "cursor": cursor, "limit": limit}
    assert_no_server_error(client.get("/api/v1/sessions", params=query))
    encoded = quote(session, safe="")
    assert_no_server_error(client.get(f"/api/v1/sessions/{encoded}"))
    assert_no_server_error(client.get(f"/api/v1/sessions/{encoded}/files"))
    assert_no_server_error(client.delete(f"/api/v1/sessions/{encoded}", params={"status": status}))
    assert_no_server_error(client.post(f"/api/v1/sessions/{encoded}/invite", json={}))


@FUZZ
@given(token=header_values)
def test_random_credentials(anonymous: TestClient, session_id: str, token: str) -> None:
    for header in (token, f"Bearer {token}", f"Bearer ik_{token}"):
        response = anonymous.get(
            f"/api/v1/sessions/{session_id}/files", headers={"Authorization": header}
        )
        assert_no_server_error(response)
        assert response.status_code == 401


execute_bodies = st.one_of(
    json_values,
    st.fixed_dictionaries(
        {
            "files": st.lists(
                st.fixed_dictionaries(
                    {
                        "path": paths | st.sampled_from(["main.py", "Main.java", "a.cpp"]),
                        "content": st.text(max_size=40),
                    }
                ),
                max_size=3,
            )
        },
        optional={
            "language": st.sampled_from(["python", "cpp", "java", "js", "cobol", ""]) | json_values,
            "entry": paths | st.sampled_from(["main.py", "Main.java"]),
            "stdin": st.text(max_size=20),
            "entry_point": st.text(max_size=10) | st.sampled_from(["f", "solve", "class"]),
            "signature": json_values
            | st.fixed_dictionaries(
                {
                    "params": st.lists(
                        st.fixed_dictionaries(
                            {"name": st.text(max_size=6), "type": st.text(max_size=8)}
                        ),
                        max_size=2,
                    ),
                    "returns": st.sampled_from(["int", "int[]", "string[][]", "void", ""]),
                }
            ),
            "tests": st.lists(
                st.fixed_dictionaries(
                    {"name": st.text(max_size=6)},
                    optional={
                        "input": json_values,
                        "expected": json_values,
                        "stdin": st.text(max_size=10),
                        "expected_stdout": st.text(max_size=10),
                        "hidden": st.booleans(),
                    },
                ),
                max_size=3,
            ),
            "limits": json_values
            | st.fixed_dictionaries(
                {}, optional={"cpu_time_s": json_values, "memory_mb": st.integers(-5, 5000)}
            ),
            "float_tolerance": json_values,
            "unordered": json_values,
            "wait": st.just(True),
        },
    ),
)


@FUZZ
@given(body=execute_bodies)
def test_execute_bodies(client: TestClient, body: Any) -> None:
    """Whatever a client sends to the execution API, the answer is a result or a 4xx."""
    response = client.post("/api/v1/execute", content=json.dumps(body).encode(), headers=JSON)
    assert_no_server_error(response)
    if response.status_code == 200:
        assert response.json()["status"] != "internal_error", response.text


event_bodies = st.one_of(
    json_values,
    st.fixed_dictionaries(
        {
            "events": st.lists(
                json_values
                | st.fixed_dictionaries(
                    {"type": st.sampled_from(["edit", "paste", "cursor", "snapshot", "note", "x"])},
                    optional={
                        "id": json_values,
                        "ts": json_values,
                        "file": st.sampled_from(["/a.py", "a.py", "", "/none.py"]) | json_values,
                        "offset": st.integers(-3, 50) | json_values,
                        "delete": st.integers(-3, 50),
                        "insert": st.text(max_size=10),
                        "size": json_values,
                        "text": json_values,
                    },
                ),
                max_size=6,
            )
        }
    ),
)


@FUZZ
@given(body=event_bodies, moment=st.integers(-5, 10**13) | st.text(max_size=5))
def test_recording_bodies_and_moments(
    client: TestClient, session_id: str, body: Any, moment: Any
) -> None:
    """Any batch gets per-event verdicts or a 4xx; any moment a workspace or a 4xx."""
    url = f"/api/v1/sessions/{session_id}"
    events = json.dumps(body).encode()
    assert_no_server_error(client.post(f"{url}/events", content=events, headers=JSON))
    assert_no_server_error(client.get(f"{url}/replay", params={"at_ms": moment}))
    assert_no_server_error(client.get(f"{url}/events", params={"from_seq": moment}))


# ---- lone surrogates and integers beyond 64 bits, across every route -------------------------

lone_surrogates = st.integers(0xD800, 0xDFFF).map(chr)
surrogate_text = st.tuples(st.text(max_size=6), lone_surrogates, st.text(max_size=6)).map("".join)
planted_surrogate = st.recursive(
    surrogate_text | st.dictionaries(surrogate_text, json_values, min_size=1, max_size=2),
    lambda inner: (
        st.tuples(st.lists(json_values, max_size=3), inner, st.integers(0, 3)).map(
            lambda planted: [*planted[0][: planted[2]], planted[1], *planted[0][planted[2] :]]
        )
        | st.tuples(
            st.dictionaries(st.text(max_size=8), json_values, max_size=3),
            st.text(max_size=8),
            inner,
        ).map(lambda planted: {**planted[0], planted[1]: planted[2]})
    ),
    max_leaves=6,
)
"""Any JSON document with at least one lone surrogate somewhere: a key, a value, deep."""
INT64_MAX = 2**63 - 1
huge_integers = st.integers(min_value=INT64_MAX + 1, max_value=10**40) | st.integers(
    min_value=-(10**40), max_value=-INT64_MAX - 2
)


class Operation(NamedTuple):
    method: str
    url: str
    query: list[str]


def operations(client: TestClient, session_id: str, methods: set[str]) -> list[Operation]:
    """Every API operation the OpenAPI document lists with one of these methods, its path
    parameters filled in (the session's id, else a well-formed unknown id)."""
    found = []
    for path, items in client.get("/openapi.json").json()["paths"].items():
        if not path.startswith("/api/"):
            continue
        url = path.replace("{session_id}", session_id)
        url = re.sub(r"\{[A-Za-z_]+(:path)?\}", "x1", url)
        for method, spec in items.items():
            if method.upper() in methods:
                query = [p["name"] for p in spec.get("parameters", []) if p["in"] == "query"]
                found.append(Operation(method.upper(), url, query))
    return sorted(found)


@FUZZ
@given(body=planted_surrogate, pick=st.integers(min_value=0))
def test_a_lone_surrogate_in_any_json_body_of_any_route_is_422(
    app: FastAPI, client: TestClient, session_id: str, body: Any, pick: int
) -> None:
    routes = operations(client, session_id, {"POST", "PUT", "PATCH", "DELETE"})
    method, url, _ = routes[pick % len(routes)]
    raw = json.dumps(body).encode()  # escapes the surrogate: valid JSON, no Unicode text

    response = client.request(method, url, content=raw, headers=JSON)

    assert response.status_code == 422, (method, url, response.text)
    assert response.json()["code"] == "invalid_unicode"
    engine = app.state.container.engine
    with engine.connect() as connection:  # no run was queued and left behind
        assert connection.exec_driver_sql("SELECT count(*) FROM executions").scalar() == 0


@FUZZ
@given(number=huge_integers | st.integers(), pick=st.integers(min_value=0), at=st.integers(0, 5))
def test_any_integer_in_any_query_parameter_is_never_a_500(
    client: TestClient, session_id: str, number: int, pick: int, at: int
) -> None:
    routes = [op for op in operations(client, session_id, {"GET", "DELETE", "POST"}) if op.query]
    method, url, names = routes[pick % len(routes)]
    name = names[at % len(names)]

    response = client.request(method, url, params={name: str(number)})

    assert_no_server_error(response)
    if abs(number) > INT64_MAX:
        assert response.status_code == 400, (method, url, name, response.text)
        assert response.json()["code"] == "invalid_parameter"
