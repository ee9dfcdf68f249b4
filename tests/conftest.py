"""Shared fixtures: real databases (SQLite and PostgreSQL), real object stores, the app.

Services (PostgreSQL, the moto S3 server) are used when reachable; with
INTERVIEWKIT_REQUIRE_SERVICES=1 (set by .ci/run) an unreachable service fails the test
instead of skipping it.
"""

from __future__ import annotations

import logging
import os
import secrets
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from interviewkit.app import Container, create_app
from interviewkit.auth.service import Role
from interviewkit.config import Settings
from interviewkit.db import Base
from interviewkit.migrations import upgrade
from tests.fakes.llm_server import FakeLLM

REQUIRE_SERVICES = os.environ.get("INTERVIEWKIT_REQUIRE_SERVICES") == "1"
POSTGRES_URL = os.environ.get(
    "INTERVIEWKIT_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
TEST_SECRET = "test-secret-key-with-enough-entropy-0123456789"


def unavailable(service: str, reason: str) -> None:
    """Skip, or fail when CI demands every service."""
    message = f"{service} unavailable: {reason}"
    if REQUIRE_SERVICES:
        pytest.fail(message + " (INTERVIEWKIT_REQUIRE_SERVICES=1)")
    pytest.skip(message)


@pytest.fixture(autouse=True)
def _logging_left_as_found() -> Iterator[None]:
    """Whatever a test does to logging (``configure_logging`` puts a JSON handler on the
    root logger, writing to the current stderr), the next test starts without it:
    otherwise every later CLI test would capture other tests' background log lines."""
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    yield
    root.handlers[:], _ = saved
    root.setLevel(saved[1])


def make_settings(data_dir: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "data_dir": data_dir,
        "secret_key": TEST_SECRET,
        "api_key_cache_seconds": 0,
        "sqlite_synchronous": "NORMAL",
        **overrides,
    }
    return Settings(_env_file=None, **values)


# ---- databases ----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite file, copied for each test (migrating each time is slow)."""
    folder = tmp_path_factory.mktemp("sqlite-template")
    container = Container.build(make_settings(folder))
    upgrade(container.engine)
    container.engine.dispose()
    return folder / "interviewkit.db"


@contextmanager
def private_postgres_schema(prefix: str) -> Iterator[str]:
    """A URL whose connections live in a new, empty schema of the test database.

    The schema is dropped afterwards; an unreachable server skips (or fails in CI).
    """
    schema = f"{prefix}_{secrets.token_hex(4)}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:
        admin.dispose()
        unavailable("PostgreSQL", str(exc).splitlines()[0])
    url = make_url(POSTGRES_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def sqlite(tmp_path: Path) -> Iterator[Container]:
    """A migrated SQLite container of its own, for tests of the database layer itself."""
    container = Container.build(make_settings(tmp_path))
    upgrade(container.engine)
    yield container
    container.engine.dispose()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A private schema for the whole run, migrated once."""
    with private_postgres_schema("ik_test") as url:
        engine = create_engine(url)
        upgrade(engine)
        engine.dispose()
        yield url


def _truncate_postgres(url: str) -> None:
    engine = create_engine(url)
    tables = ", ".join(f'"{table.name}"' for table in Base.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} CASCADE"))
    engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(
    request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path
) -> str | None:
    """None means the embedded SQLite inside the test's data dir."""
    if request.param == "sqlite":
        shutil.copy(sqlite_template, tmp_path / "interviewkit.db")
        return None
    url: str = request.getfixturevalue("postgres_url")
    _truncate_postgres(url)
    return url


# ---- the application ----------------------------------------------------------------------


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    """Override in a test module to change limits for all its app fixtures."""
    return {}


@pytest.fixture
def settings(
    tmp_path: Path, database_url: str | None, settings_overrides: dict[str, Any]
) -> Settings:
    return make_settings(tmp_path, database_url=database_url, **settings_overrides)


@pytest.fixture
def container(settings: Settings) -> Iterator[Container]:
    built = Container.build(settings)
    yield built
    built.executions.close()
    built.recording.close()
    built.engine.dispose()


@dataclass
class Keys:
    admin: str
    interviewer: str

    @staticmethod
    def bearer(token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def keys(container: Container) -> Keys:
    _, admin = container.auth.create_key("test admin", Role.admin)
    _, interviewer = container.auth.create_key("test interviewer", Role.interviewer)
    return Keys(admin, interviewer)


@pytest.fixture
def app(container: Container) -> FastAPI:
    return create_app(container=container)


@pytest.fixture
def anonymous(app: FastAPI) -> TestClient:
    """A client without credentials; server errors come back as responses, not raises."""
    return TestClient(app, raise_server_exceptions=False)


@pytest.fixture
def client(app: FastAPI, keys: Keys) -> TestClient:
    """A client authenticated as an interviewer."""
    return TestClient(app, raise_server_exceptions=False, headers=Keys.bearer(keys.interviewer))


@pytest.fixture
def admin(app: FastAPI, keys: Keys) -> TestClient:
    return TestClient(app, raise_server_exceptions=False, headers=Keys.bearer(keys.admin))


def new_session(client: TestClient, **body: Any) -> dict[str, Any]:
    response = client.post("/api/v1/sessions", json=body)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def invite(client: TestClient, app: FastAPI, session_id: str) -> TestClient:
    """A client holding the candidate token of ``session_id``."""
    response = client.post(f"/api/v1/sessions/{session_id}/invite", json={"ttl_seconds": 3600})
    assert response.status_code == 201, response.text
    token = response.json()["token"]
    return TestClient(app, raise_server_exceptions=False, headers=Keys.bearer(token))


@pytest.fixture
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No stray INTERVIEWKIT_* variables or .env file; wide tables; a data dir of our own
    (for CLI tests: ``pytestmark = pytest.mark.usefixtures("clean_environment")``)."""
    for name in list(os.environ):
        if name.startswith("INTERVIEWKIT_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.setenv("INTERVIEWKIT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.chdir(tmp_path)


def assert_problem(response: Any, status: int, code: str) -> dict[str, Any]:
    """The response is problem+json with this status and stable code."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["code"] == code, body
    assert body["status"] == status
    assert body["title"]
    assert body["detail"]
    assert body["type"]
    return body


@pytest.fixture(scope="module")
def llm() -> Iterator[FakeLLM]:
    """A local server speaking the Anthropic and OpenAI wire protocols, one per test module
    (each module scripts its own replies)."""
    with FakeLLM() as server:
        yield server
