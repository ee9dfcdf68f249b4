"""Migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, create_engine, inspect, text

from interviewkit.auth import models as _auth_models  # noqa: F401  (registers tables)
from interviewkit.config import Settings
from interviewkit.db import Base, create_db_engine, create_session_factory
from interviewkit.migrations import alembic_config, current_revision, head_revision, upgrade
from interviewkit.sessions import models as _session_models  # noqa: F401
from interviewkit.sessions.service import NewFile, SessionDraft, SessionService
from interviewkit.storage import create_object_store
from tests.conftest import make_settings, private_postgres_schema

TABLES = {"api_keys", "sessions", "session_files"}


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An engine on a database with no tables at all."""
    if request.param == "sqlite":
        engine = create_db_engine(make_settings(tmp_path))
        yield engine
        engine.dispose()
        return
    with private_postgres_schema("ik_migr") as url:
        engine = create_engine(url)
        try:
            yield engine
        finally:
            engine.dispose()


def schema_drift(engine: Engine) -> list[Any]:
    """What autogenerate would change to make the database match the models."""
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, Base.metadata))


def table_names(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names())


def test_upgrade_of_an_empty_database_matches_the_models(empty_engine: Engine) -> None:
    assert current_revision(empty_engine) is None

    upgrade(empty_engine)

    assert current_revision(empty_engine) == head_revision(empty_engine)
    assert table_names(empty_engine) >= TABLES
    assert schema_drift(empty_engine) == []


def test_upgrade_of_a_current_database_changes_nothing(empty_engine: Engine) -> None:
    upgrade(empty_engine)
    upgrade(empty_engine)

    assert current_revision(empty_engine) == head_revision(empty_engine)
    assert schema_drift(empty_engine) == []


def test_downgrade_to_base_then_upgrade_again(empty_engine: Engine) -> None:
    upgrade(empty_engine)

    command.downgrade(alembic_config(empty_engine), "base")

    assert current_revision(empty_engine) is None
    assert table_names(empty_engine) <= {"alembic_version"}

    upgrade(empty_engine)

    assert current_revision(empty_engine) == head_revision(empty_engine)
    assert schema_drift(empty_engine) == []


# ---- SQLite connection settings -----------------------------------------------------------


def pragma(engine: Engine, name: str) -> Any:
    with engine.connect() as connection:
        return connection.exec_driver_sql(f"PRAGMA {name}").scalar()


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Iterator[Engine]:
    engine = create_db_engine(make_settings(tmp_path))
    upgrade(engine)
    yield engine
    engine.dispose()


def test_sqlite_connections_use_wal_foreign_keys_and_a_busy_timeout(
    sqlite_engine: Engine,
) -> None:
    # two connections at once: every pooled connection is configured, not just the first
    with sqlite_engine.connect() as first, sqlite_engine.connect() as second:
        for connection in (first, second):
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            busy_timeout = connection.exec_driver_sql("PRAGMA busy_timeout").scalar()
            assert busy_timeout is not None
            assert busy_timeout >= 1000


@pytest.mark.parametrize(("setting", "level"), [("NORMAL", 1), ("FULL", 2)])
def test_sqlite_synchronous_follows_the_setting(tmp_path: Path, setting: str, level: int) -> None:
    engine = create_db_engine(make_settings(tmp_path, sqlite_synchronous=setting))
    try:
        assert pragma(engine, "synchronous") == level
    finally:
        engine.dispose()


def test_sqlite_enforces_foreign_keys(tmp_path: Path) -> None:
    """Deleting a session row removes its files (ON DELETE CASCADE needs foreign_keys=ON)."""
    settings: Settings = make_settings(tmp_path)
    engine = create_db_engine(settings)
    try:
        upgrade(engine)
        service = SessionService(
            create_session_factory(engine), create_object_store(settings), settings
        )
        interview = service.create_session(
            SessionDraft(candidate_name="Ada", files=[NewFile("main.py", "print(1)\n")])
        )
        count = text("SELECT count(*) FROM session_files WHERE session_id = :id")
        with engine.begin() as connection:
            assert connection.execute(count, {"id": interview.id}).scalar() == 1
            connection.execute(text("DELETE FROM sessions WHERE id = :id"), {"id": interview.id})
            assert connection.execute(count, {"id": interview.id}).scalar() == 0
    finally:
        engine.dispose()
