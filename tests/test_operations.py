"""Operating the service: health, readiness, metrics, request ids, logs and error shapes."""

from __future__ import annotations

import errno
import io
import json
import logging
import re
import secrets
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import create_engine

from interviewkit.app import Container
from interviewkit.observability import configure_logging
from interviewkit.storage import LocalObjectStore
from tests.conftest import Keys, assert_problem, new_session

LIMIT = 2048
GENERATED_ID = re.compile(r"^[0-9a-f]{32}$")
VALID_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {"max_request_bytes": LIMIT}


def local_store(container: Container) -> LocalObjectStore:
    store = container.object_store
    assert isinstance(store, LocalObjectStore)
    return store


# ---- health and readiness -----------------------------------------------------------------


def test_healthz_answers_without_credentials(anonymous: TestClient) -> None:
    response = anonymous.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_reports_every_port_ok(anonymous: TestClient) -> None:
    response = anonymous.get("/readyz")

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "ready"
    assert body["checks"]["database"]["status"] == "ok"
    assert body["checks"]["object_store"]["status"] == "ok"


def test_readyz_is_503_when_the_database_is_unreachable(
    anonymous: TestClient, container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    unreachable = create_engine("postgresql+psycopg://nobody:hunter2-db@127.0.0.1:1/none")
    monkeypatch.setattr(container, "engine", unreachable)
    try:
        response = anonymous.get("/readyz")
    finally:
        unreachable.dispose()

    assert response.status_code == 503, response.text
    body = response.json()
    assert body["status"] == "not_ready"
    assert body["checks"]["database"]["status"] == "failing"
    assert body["checks"]["object_store"]["status"] == "ok"
    assert "hunter2-db" not in response.text  # /readyz is public


def test_readyz_is_503_when_the_object_store_cannot_write(
    anonymous: TestClient, container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    def disk_full(*_: object, **__: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(local_store(container), "put", disk_full)

    response = anonymous.get("/readyz")

    assert response.status_code == 503, response.text
    checks = response.json()["checks"]
    assert checks["object_store"]["status"] == "failing"
    assert "No space left" in checks["object_store"]["detail"]
    assert checks["database"]["status"] == "ok"


def test_readyz_is_503_when_the_object_store_root_is_broken(
    anonymous: TestClient, container: Container, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a regular file where the store's folders should go")
    monkeypatch.setattr(local_store(container), "root", blocker / "objects")

    response = anonymous.get("/readyz")

    assert response.status_code == 503, response.text
    assert response.json()["checks"]["object_store"]["status"] == "failing"


# ---- metrics ------------------------------------------------------------------------------


def samples(text: str, name: str) -> dict[tuple[tuple[str, str], ...], float]:
    """The samples called ``name``, by their sorted labels."""
    found: dict[tuple[tuple[str, str], ...], float] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name:
                found[tuple(sorted(sample.labels.items()))] = sample.value
    return found


def test_metrics_count_requests_by_route_template(
    client: TestClient, anonymous: TestClient
) -> None:
    session_id = new_session(client, candidate_name="Ada")["id"]
    assert client.get(f"/api/v1/sessions/{session_id}").status_code == 200
    assert client.get("/api/v1/sessions/ses_doesnotexist").status_code == 404
    assert anonymous.get("/no/such/route-xyz").status_code == 404

    response = anonymous.get("/metrics")

    assert response.status_code == 200
    text = response.text
    route = "/api/v1/sessions/{session_id}"
    requests = samples(text, "interviewkit_http_requests_total")
    ok = (("method", "GET"), ("route", route), ("status", "200"))
    missing = (("method", "GET"), ("route", route), ("status", "404"))
    assert requests[ok] == 1
    assert requests[missing] == 1
    assert requests[(("method", "GET"), ("route", "unmatched"), ("status", "404"))] == 1
    latency = samples(text, "interviewkit_http_request_duration_seconds_count")
    assert latency[(("method", "GET"), ("route", route))] == 2
    buckets = samples(text, "interviewkit_http_request_duration_seconds_bucket")
    assert buckets[(("le", "+Inf"), ("method", "GET"), ("route", route))] == 2
    for raw in (session_id, "ses_doesnotexist", "route-xyz"):
        assert raw not in text  # raw paths would explode the label cardinality


# ---- request ids --------------------------------------------------------------------------


def test_every_response_carries_a_request_id(anonymous: TestClient, client: TestClient) -> None:
    responses = [
        anonymous.get("/healthz"),
        anonymous.get("/api/v1/sessions"),  # 401
        anonymous.get("/no/such/route"),  # 404
        client.get("/api/v1/sessions/ses_doesnotexist"),  # 404
        anonymous.put("/healthz"),  # 405
        client.post("/api/v1/sessions", json={"candidate_email": "nope"}),  # 422
        client.post("/api/v1/sessions", content=b"x" * (LIMIT + 1)),  # 413
    ]

    ids = [response.headers.get("x-request-id") for response in responses]
    for response, request_id in zip(responses, ids, strict=True):
        assert request_id is not None, (response.status_code, response.text)
        assert GENERATED_ID.match(request_id)
    assert len(set(ids)) == len(ids)


def test_a_valid_incoming_request_id_is_echoed(anonymous: TestClient) -> None:
    request_id = "edge-7f3a.1:retry_2"

    response = anonymous.get("/api/v1/sessions", headers={"X-Request-ID": request_id})

    assert response.status_code == 401
    assert response.headers["x-request-id"] == request_id


@pytest.mark.parametrize(
    "incoming",
    ["has spaces in it", "x" * 500, "semi;colon", "slash/../path", 'quote"d', ""],
)
def test_an_invalid_incoming_request_id_is_replaced(anonymous: TestClient, incoming: str) -> None:
    response = anonymous.get("/healthz", headers={"X-Request-ID": incoming})

    returned = response.headers["x-request-id"]
    assert returned != incoming
    assert VALID_ID.match(returned)


# ---- access log ---------------------------------------------------------------------------


@pytest.fixture
def json_log() -> Iterator[Callable[[], list[dict[str, Any]]]]:
    """Log records as the JSON lines ``configure_logging`` writes, from every logger."""
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    uvicorn = [logging.getLogger(name) for name in ("uvicorn", "uvicorn.error", "uvicorn.access")]
    saved_uvicorn = [(log.handlers[:], log.propagate, log.disabled) for log in uvicorn]
    configure_logging("INFO", "json")
    (handler,) = root.handlers
    # keep pytest's own handlers and the uvicorn loggers as they were
    root.handlers[:] = saved_handlers
    for log, (handlers, propagate, disabled) in zip(uvicorn, saved_uvicorn, strict=True):
        log.handlers[:], log.propagate, log.disabled = handlers, propagate, disabled
    stream = io.StringIO()
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(stream)
    root.addHandler(handler)

    def records() -> list[dict[str, Any]]:
        return [json.loads(line) for line in stream.getvalue().splitlines()]

    yield records
    root.removeHandler(handler)
    root.setLevel(saved_level)


def access_lines(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [record for record in records if record["logger"] == "interviewkit.access"]


def test_access_log_line_names_request_id_method_route_and_status(
    client: TestClient, json_log: Callable[[], list[dict[str, Any]]]
) -> None:
    session_id = new_session(client, candidate_name="Ada")["id"]

    response = client.get(f"/api/v1/sessions/{session_id}", headers={"X-Request-ID": "log-1"})

    assert response.status_code == 200
    (line,) = [record for record in access_lines(json_log()) if record["request_id"] == "log-1"]
    assert line["method"] == "GET"
    assert line["route"] == "/api/v1/sessions/{session_id}"
    assert line["status"] == 200
    assert line["level"] == "INFO"


def test_logs_never_contain_credentials_signatures_or_file_contents(
    app: FastAPI,
    client: TestClient,
    container: Container,
    keys: Keys,
    json_log: Callable[[], list[dict[str, Any]]],
) -> None:
    file_secret = "file-content-" + secrets.token_hex(12)
    upload_secret = "uploaded-bytes-" + secrets.token_hex(12)
    session_id = new_session(
        client, files=[{"path": "main.py", "content": f"print('{file_secret}')\n"}]
    )["id"]
    invite = client.post(f"/api/v1/sessions/{session_id}/invite")
    assert invite.status_code == 201, invite.text
    candidate_token = invite.json()["token"]
    candidate = TestClient(app, headers=Keys.bearer(candidate_token))
    read = candidate.get(f"/api/v1/sessions/{session_id}/files/main.py")
    assert read.status_code == 200, read.text
    written = candidate.put(
        f"/api/v1/sessions/{session_id}/files/notes.txt",
        content=file_secret.encode(),
        headers={"Content-Type": "text/plain"},
    )
    assert written.status_code == 201, written.text
    store = local_store(container)
    signed_urls = [
        store.presign_put("probe/upload.bin", 60),
        store.presign_get("probe/upload.bin", 60),
    ]
    put_url, get_url = (urlsplit(url) for url in signed_urls)
    uploaded = client.put(f"{put_url.path}?{put_url.query}", content=upload_secret.encode())
    assert uploaded.status_code == 200, uploaded.text
    downloaded = client.get(f"{get_url.path}?{get_url.query}")
    assert downloaded.content == upload_secret.encode()
    rejected = TestClient(app).get(
        "/api/v1/sessions", headers=Keys.bearer("ik_wrong-" + secrets.token_hex(16))
    )
    assert rejected.status_code == 401

    # the test client's own httpx logger prints the URLs it requests: that is not the server
    records = [r for r in json_log() if r["logger"] not in ("httpx", "httpx2")]
    logged = json.dumps(records)

    assert len(access_lines(records)) == 7  # one line per request above
    signatures = [parse_qs(url.query)["signature"][0] for url in (put_url, get_url)]
    for secret in [keys.interviewer, candidate_token, *signatures, file_secret, upload_secret]:
        assert secret not in logged
    assert "ik_wrong-" not in logged


# ---- error shapes -------------------------------------------------------------------------


def test_malformed_json_is_422_malformed_json(client: TestClient) -> None:
    response = client.post(
        "/api/v1/sessions",
        content=b'{"candidate_name": "Ada",',
        headers={"Content-Type": "application/json"},
    )

    assert_problem(response, 422, "malformed_json")


def test_a_schema_error_names_the_field(client: TestClient) -> None:
    response = client.post("/api/v1/sessions", json={"candidate_email": "not-an-email"})

    body = assert_problem(response, 422, "validation_error")
    assert "candidate_email" in body["errors"][0]["field"]
    assert "candidate_email" in body["detail"]


def test_an_unknown_route_is_404_problem_json(anonymous: TestClient) -> None:
    assert_problem(anonymous.get("/api/v1/no-such-thing"), 404, "not_found")


def test_a_wrong_method_is_405_with_allow(anonymous: TestClient) -> None:
    response = anonymous.delete("/healthz")

    assert_problem(response, 405, "method_not_allowed")
    assert "GET" in response.headers["allow"]


def test_a_body_over_the_limit_with_content_length_is_413(client: TestClient) -> None:
    body = json.dumps({"candidate_name": "A" * LIMIT}).encode()

    response = client.post(
        "/api/v1/sessions", content=body, headers={"Content-Type": "application/json"}
    )

    problem = assert_problem(response, 413, "request_too_large")
    assert problem["limit"] == LIMIT
    assert client.get("/api/v1/sessions").json()["items"] == []


def chunked(payload: bytes, size: int = 256) -> Iterator[bytes]:
    for start in range(0, len(payload), size):
        yield payload[start : start + size]


def test_a_chunked_body_over_the_limit_is_413(client: TestClient) -> None:
    payload = json.dumps({"candidate_name": "A" * LIMIT}).encode()

    response = client.post(
        "/api/v1/sessions", content=chunked(payload), headers={"Content-Type": "application/json"}
    )

    assert "content-length" not in response.request.headers
    assert_problem(response, 413, "request_too_large")
    assert client.get("/api/v1/sessions").json()["items"] == []


def test_a_chunked_file_write_over_the_limit_is_413(client: TestClient) -> None:
    session_id = new_session(client)["id"]

    response = client.put(
        f"/api/v1/sessions/{session_id}/files/big.txt",
        content=chunked(b"x" * (LIMIT + 1)),
        headers={"Content-Type": "text/plain"},
    )

    assert_problem(response, 413, "request_too_large")
    assert client.get(f"/api/v1/sessions/{session_id}/files").json()["files"] == []


def test_a_chunked_body_within_the_limit_is_accepted(client: TestClient) -> None:
    payload = json.dumps({"candidate_name": "Ada"}).encode()

    response = client.post(
        "/api/v1/sessions",
        content=chunked(payload, 4),
        headers={"Content-Type": "application/json"},
    )

    assert response.status_code == 201, response.text
    assert response.json()["candidate_name"] == "Ada"


def test_an_unexpected_error_is_500_without_internals(
    client: TestClient,
    container: Container,
    monkeypatch: pytest.MonkeyPatch,
    json_log: Callable[[], list[dict[str, Any]]],
) -> None:
    def explode(*_: object, **__: object) -> None:
        raise RuntimeError("connection string postgres://admin:swordfish@db leaked")

    monkeypatch.setattr(container.sessions, "list_sessions", explode)

    response = client.get("/api/v1/sessions")

    assert_problem(response, 500, "internal_error")
    for internal in ("Traceback", "RuntimeError", "swordfish", "list_sessions", ".py"):
        assert internal not in response.text
    request_id = response.headers.get("x-request-id")
    assert request_id is not None
    # operators find the traceback under the id the client saw
    errors = [record for record in json_log() if record["logger"] == "interviewkit.errors"]
    assert [record["request_id"] for record in errors] == [request_id]
    assert "RuntimeError" in errors[0]["exc_info"]


# ---- API documentation --------------------------------------------------------------------


def test_openapi_lists_the_session_and_file_routes(anonymous: TestClient) -> None:
    response = anonymous.get("/openapi.json")

    assert response.status_code == 200
    paths = response.json()["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/sessions"])
    assert {"get", "patch", "delete"} <= set(paths["/api/v1/sessions/{session_id}"])
    assert {"get", "post"} <= set(paths["/api/v1/sessions/{session_id}/files"])
    assert {"get", "put", "delete"} <= set(paths["/api/v1/sessions/{session_id}/files/{file_path}"])


def test_docs_page_answers(anonymous: TestClient) -> None:
    response = anonymous.get("/docs")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "/openapi.json" in response.text


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_api_docs_load_nothing_from_the_internet(anonymous: TestClient, page: str) -> None:
    """A self-hosted, possibly air-gapped install still shows its API documentation."""
    html = anonymous.get(page).text
    scripts = re.findall(r'(?:src|href)="([^"]+\.(?:js|css))"', html)
    assert scripts, html
    for asset in scripts:
        assert asset.startswith("/"), f"{asset} is fetched from another host"
        fetched = anonymous.get(asset)
        assert fetched.status_code == 200, asset
        assert len(fetched.content) > 10_000
