"""Operating the service: health, readiness, metrics, request ids, logs and error shapes."""

from __future__ import annotations

import base64
import errno
import hashlib
import io
import json
import logging
import re
import secrets
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import create_engine

from interviewkit.app import Container, create_app
from interviewkit.observability import configure_logging
from interviewkit.storage import LocalObjectStore
from tests.conftest import Keys, assert_problem, make_settings, new_session

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


def test_readiness_fails_while_the_redis_broker_is_unreachable(tmp_path: Path) -> None:
    """With several server processes, live clients see each other only through Redis."""
    settings = make_settings(tmp_path, broker="redis", redis_url="redis://127.0.0.1:1/0")
    container = Container.build(settings)
    try:
        checks = {check.name: check for check in container.check_ports()}
    finally:
        container.engine.dispose()

    assert not checks["broker"].ok
    assert checks["database"].ok
    assert "INTERVIEWKIT_BROKER=memory" in checks["broker"].fix


def test_readyz_is_503_when_the_object_store_cannot_write(
    anonymous: TestClient,
    container: Container,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def disk_full(*_: object, **__: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(local_store(container), "put", disk_full)

    response = anonymous.get("/readyz")

    assert response.status_code == 503, response.text
    checks = response.json()["checks"]
    assert checks["object_store"]["status"] == "failing"
    assert checks["database"]["status"] == "ok"
    # the cause goes to the operator's log, not to the public endpoint
    assert "No space left" not in response.text
    assert "No space left" in caplog.text


def assert_nothing_internal(text: str, data_dir: Path) -> None:
    """No path on the server, no URL (with or without credentials) in a public answer."""
    assert str(data_dir) not in text
    assert str(data_dir.resolve()) not in text
    assert not re.search(r"(?<![\w.])/(?:tmp|home|root|var|etc|srv|opt)\b", text), text
    assert "://" not in text, text


def test_readyz_shows_no_path_url_or_password(
    anonymous: TestClient, container: Container, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    healthy = anonymous.get("/readyz")
    assert healthy.status_code == 200, healthy.text
    assert_nothing_internal(healthy.text, tmp_path)

    unreachable = create_engine("postgresql+psycopg://nobody:hunter2-db@127.0.0.1:1/none")
    monkeypatch.setattr(container, "engine", unreachable)
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a regular file where the store's folders should go")
    monkeypatch.setattr(local_store(container), "root", blocker / "objects")
    app = create_app(container=container)  # a new app: no cached answer
    try:
        failing = TestClient(app, raise_server_exceptions=False).get("/readyz")
    finally:
        unreachable.dispose()

    assert failing.status_code == 503, failing.text
    assert failing.json()["checks"]["database"]["status"] == "failing"
    assert failing.json()["checks"]["object_store"]["status"] == "failing"
    assert "hunter2" not in failing.text
    assert "nobody" not in failing.text
    assert_nothing_internal(failing.text, tmp_path)


def test_parallel_store_checks_do_not_fail_each_other(container: Container) -> None:
    """Concurrent probes once shared one key and deleted each other's probe object."""
    store = local_store(container)
    with ThreadPoolExecutor(max_workers=12) as pool:
        outcomes = list(pool.map(lambda _: store.check(), range(120)))

    assert [check.detail for check in outcomes if not check.ok] == []
    assert list(store.list()) == []  # every probe cleaned up after itself


@pytest.mark.parametrize("settings_overrides", [{"readyz_cache_seconds": 0}])
def test_36_parallel_readyz_calls_are_all_ready(anonymous: TestClient) -> None:
    with ThreadPoolExecutor(max_workers=36) as pool:
        responses = list(pool.map(lambda _: anonymous.get("/readyz"), range(36)))

    assert [r.text for r in responses if r.status_code != 200] == []


@pytest.mark.parametrize("settings_overrides", [{"readyz_cache_seconds": 3600}])
def test_readyz_reuses_its_probes_within_the_cache_window(
    anonymous: TestClient, container: Container, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert anonymous.get("/readyz").status_code == 200
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a regular file where the store's folders should go")
    monkeypatch.setattr(local_store(container), "root", blocker / "objects")

    cached = anonymous.get("/readyz")
    fresh = TestClient(create_app(container=container)).get("/readyz")

    assert cached.status_code == 200, cached.text  # answered from the cache
    assert fresh.status_code == 503, fresh.text  # the probe itself does see the failure


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


# ---- security headers ---------------------------------------------------------------------


def assert_hardened(response: Any) -> None:
    assert response.headers["x-content-type-options"] == "nosniff", response.request.url
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["x-frame-options"] == "DENY"


def test_every_response_carries_the_security_headers(
    anonymous: TestClient, client: TestClient
) -> None:
    responses = [
        anonymous.get("/healthz"),
        anonymous.get("/readyz"),
        anonymous.get("/metrics"),
        anonymous.get("/openapi.json"),
        anonymous.get("/docs"),
        anonymous.get("/api/v1/sessions"),  # 401
        anonymous.get("/no/such/route"),  # 404
        anonymous.put("/healthz"),  # 405
        client.post("/api/v1/sessions", json={"candidate_email": "nope"}),  # 422
        client.post("/api/v1/sessions", content=b"x" * (LIMIT + 1)),  # 413, from the middleware
        client.post("/api/v1/sessions", json={"candidate_name": "Ada"}),  # 201
    ]

    for response in responses:
        assert_hardened(response)


def test_answers_carrying_keys_and_tokens_are_never_stored(
    admin: TestClient, client: TestClient
) -> None:
    key = admin.post("/api/v1/keys", json={"name": "ci", "role": "interviewer"})
    session_id = new_session(client)["id"]
    invite = client.post(f"/api/v1/sessions/{session_id}/invite")
    listed = client.get("/api/v1/sessions")
    failed = client.get("/api/v1/sessions/ses_doesnotexist")

    assert key.status_code == 201, key.text
    assert invite.status_code == 201, invite.text
    for response in (key, invite, listed, failed):
        assert response.headers["cache-control"] == "no-store", response.request.url


@pytest.mark.parametrize("page", ["/docs", "/redoc", "/docs/oauth2-redirect"])
def test_html_pages_get_a_strict_csp_that_allows_only_their_own_scripts(
    anonymous: TestClient, page: str
) -> None:
    response = anonymous.get(page)

    assert response.status_code == 200
    assert_hardened(response)
    policy = dict(
        [*directive.strip().split(" ", 1), ""][:2]
        for directive in response.headers["content-security-policy"].split(";")
    )
    assert policy["default-src"] == "'none'"
    assert policy["frame-ancestors"] == "'none'"
    assert "'unsafe-inline'" not in policy["script-src"]
    assert "'unsafe-eval'" not in policy["script-src"]
    allowed = set(policy["script-src"].split())
    # every inline script of the page runs (its hash is allowed), nothing else inline does
    inline = re.findall(r"<script>(.*?)</script>", response.text, re.DOTALL)
    hashes = {
        "'sha256-" + base64.b64encode(hashlib.sha256(code.encode()).digest()).decode() + "'"
        for code in inline
    }
    assert hashes <= allowed
    assert allowed == {"'self'", *hashes}


def test_json_answers_carry_no_html_policy(anonymous: TestClient) -> None:
    assert "content-security-policy" not in anonymous.get("/healthz").headers


@pytest.mark.parametrize("settings_overrides", [{"metrics_token": "scrape-token-0123456789"}])
def test_metrics_can_require_a_token(anonymous: TestClient) -> None:
    token = "scrape-token-0123456789"
    basic = base64.b64encode(f"prometheus:{token}".encode()).decode()
    wrong = base64.b64encode(b"prometheus:guess").decode()

    refused = [
        anonymous.get("/metrics"),
        anonymous.get("/metrics", headers={"Authorization": "Bearer guess"}),
        anonymous.get("/metrics", headers={"Authorization": f"Basic {wrong}"}),
        anonymous.get("/metrics", headers={"Authorization": "Basic %%%"}),
        anonymous.get("/metrics", headers={"Authorization": token}),
    ]
    bearer = anonymous.get("/metrics", headers={"Authorization": f"Bearer {token}"})
    basic_auth = anonymous.get("/metrics", headers={"Authorization": f"Basic {basic}"})

    for response in refused:
        assert_problem(response, 401, "unauthenticated")
        assert "Bearer" in response.headers["www-authenticate"]
        assert token not in response.text
    for response in (bearer, basic_auth):
        assert response.status_code == 200
        assert "interviewkit_http_requests_total" in response.text


# ---- input no route can handle ------------------------------------------------------------


def test_a_lone_surrogate_anywhere_in_a_json_body_is_422(
    client: TestClient, container: Container
) -> None:
    session_id = new_session(client, files=[{"path": "/a.py", "content": "x"}])["id"]
    python = {"path": "main.py", "content": "print(input())"}
    bodies = [
        ("POST", "/api/v1/sessions", {"candidate_name": "\ud800"}),
        ("POST", "/api/v1/sessions", {"config": {"\udfff": 1}}),
        ("PATCH", f"/api/v1/sessions/{session_id}", {"config": {"notes": ["ok", "\udc00"]}}),
        ("POST", f"/api/v1/sessions/{session_id}/files", {"path": "/b.py", "content": "\ud800"}),
        ("POST", f"/api/v1/sessions/{session_id}/files", {"path": "/\ud800.py", "content": ""}),
        ("POST", "/api/v1/execute", {"language": "python", "files": [python], "stdin": "\udc00"}),
        (
            "POST",
            "/api/v1/execute",
            {
                "language": "python",
                "files": [{"path": "main.py", "content": "def f(x):\n    return x\n"}],
                "entry_point": "f",
                "tests": [{"name": "t", "input": ["\ud83d"], "expected": "\ude00"}],
            },
        ),
        (
            "POST",
            f"/api/v1/sessions/{session_id}/events",
            {"events": [{"type": "edit", "file": "/a.py", "offset": 0, "insert": "\udbff"}]},
        ),
    ]

    for method, url, body in bodies:
        # json.dumps escapes a lone surrogate as \ud800: valid JSON, but no Unicode text
        raw = json.dumps(body).encode()
        response = client.request(
            method, url, content=raw, headers={"Content-Type": "application/json"}
        )
        problem = assert_problem(response, 422, "invalid_unicode")
        assert "surrogate" in problem["detail"]
    # nothing was written, and no execution was queued and left behind
    assert client.get("/api/v1/sessions").json()["items"][0]["id"] == session_id
    assert len(client.get("/api/v1/sessions").json()["items"]) == 1
    assert [
        f["path"] for f in client.get(f"/api/v1/sessions/{session_id}/files").json()["files"]
    ] == ["/a.py"]
    with container.engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT count(*) FROM executions").scalar() == 0


def test_a_surrogate_pair_is_text_and_accepted(client: TestClient) -> None:
    raw = json.dumps({"candidate_name": "Ada \U0001f600"}).encode()  # escaped as a pair

    response = client.post(
        "/api/v1/sessions", content=raw, headers={"Content-Type": "application/json"}
    )

    assert response.status_code == 201, response.text
    assert response.json()["candidate_name"] == "Ada \U0001f600"


def test_a_json_body_that_is_not_utf8_is_422(client: TestClient) -> None:
    response = client.post(
        "/api/v1/sessions",
        content=b'{"candidate_name": "\xed\xa0\x80"}',  # a surrogate, encoded as if UTF-8
        headers={"Content-Type": "application/json"},
    )

    assert_problem(response, 422, "invalid_unicode")


@pytest.mark.parametrize(
    "query",
    [
        "/api/v1/sessions?limit=99999999999999999999",
        "/api/v1/sessions?limit=-1",
        "/api/v1/sessions?limit=0",
        "/api/v1/sessions?limit=9223372036854775808",
        "/api/v1/sessions?limit=-99999999999999999999999999",
        "/api/v1/sessions?status=paused",
        "/api/v1/sessions/{sid}/events?from_seq=99999999999999999999999",
        "/api/v1/sessions/{sid}/events?from_seq=-5",
        "/api/v1/sessions/{sid}/events?limit=" + "9" * 5000,
        "/api/v1/sessions/{sid}/replay?at_ms=99999999999999999999999",
        "/api/v1/sessions/{sid}/replay?at_ms=-1",
        "/api/v1/objects/a/b?expires=99999999999999999999999&signature=x",
    ],
)
def test_an_out_of_range_query_parameter_is_400(client: TestClient, query: str) -> None:
    session_id = new_session(client)["id"]

    response = client.get(query.replace("{sid}", session_id))

    assert_problem(response, 400, "invalid_parameter")


@pytest.mark.parametrize(
    "raw",
    [
        "0001-01-01T00:00:00+14:00|ses_a",  # before year 1 once in UTC
        "9999-12-31T23:59:59-14:00|ses_a",  # after year 9999 once in UTC
        "99999-01-01T00:00:00+00:00|ses_a",
        "2026-01-01T00:00:00|ses_a",  # naive
        "2026-01-01T00:00:00+00:00|../x",
        "no separator",
    ],
)
def test_a_malformed_or_out_of_range_cursor_is_400(client: TestClient, raw: str) -> None:
    cursor = base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    response = client.get("/api/v1/sessions", params={"cursor": cursor})

    assert_problem(response, 400, "invalid_cursor")


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/x-www-form-urlencoded"])
def test_a_json_route_without_a_json_content_type_says_what_to_send(
    client: TestClient, content_type: str | None
) -> None:
    headers = {"Content-Type": content_type} if content_type else {}

    response = client.post(
        "/api/v1/sessions", content=b'{"candidate_name": "Ada"}', headers=headers
    )

    problem = assert_problem(response, 415, "unsupported_media_type")
    assert "Content-Type: application/json" in problem["detail"]
    assert (content_type or "without a Content-Type") in problem["detail"]


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


@pytest.mark.parametrize(
    "settings_overrides",
    [
        {
            "object_store": "s3",
            "s3_bucket": "answers",
            "s3_endpoint_url": "http://objects.example.test:9000",
            "s3_access_key_id": "testing",
            "s3_secret_access_key": "testing",
        }
    ],
)
def test_pages_may_reach_the_s3_endpoint_their_signed_urls_point_to(
    anonymous: TestClient,
) -> None:
    """A candidate's browser uploads answers to S3 and the report plays videos from it."""
    policy = anonymous.get("/docs").headers["content-security-policy"]
    directives = dict([*directive.strip().split(" ", 1), ""][:2] for directive in policy.split(";"))

    assert "http://objects.example.test:9000" in directives["connect-src"].split()
    assert "http://objects.example.test:9000" in directives["media-src"].split()
    assert "http://objects.example.test:9000" not in directives["script-src"]


def test_pages_on_the_local_store_reach_only_their_own_origin(anonymous: TestClient) -> None:
    policy = anonymous.get("/docs").headers["content-security-policy"]

    assert "connect-src 'self';" in policy
    assert "media-src 'self' blob:;" in policy  # blob: the candidate reviews a recording
