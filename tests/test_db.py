"""The write path of the database layer: group commit on SQLite, hooks, durability rules."""

from __future__ import annotations

import multiprocessing
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from interviewkit.app import Container
from interviewkit.auth.models import ApiKey
from interviewkit.config import Settings
from interviewkit.db import (
    _WRITERS,
    _Unit,
    create_db_engine,
    on_commit,
    on_rollback,
    run_write,
    utcnow,
)
from interviewkit.execution.schemas import CallTest
from interviewkit.migrations import upgrade
from tests.conftest import make_settings


def add_key(name: str, log: list[str], *, fail: bool = False) -> _Unit[str]:
    def work(db: Session) -> str:
        db.add(
            ApiKey(
                id=f"key_{name}",
                name=name,
                role="admin",
                key_hash=name * 8,
                key_prefix=name,
                created_at=utcnow(),
            )
        )
        db.flush()
        on_commit(db, lambda: log.append(f"committed {name}"))
        on_rollback(db, lambda: log.append(f"rolled back {name}"))
        if fail:
            raise RuntimeError(f"{name} failed after writing")
        return name

    return _Unit(work)


def stored_names(container: Container) -> list[str]:
    with container.factory() as db:
        return sorted(db.scalars(select(ApiKey.name)))


def test_a_failing_unit_undoes_only_itself(sqlite: Container) -> None:
    writer = _WRITERS[sqlite.engine]
    log: list[str] = []
    group = [add_key("a", log), add_key("b", log, fail=True), add_key("c", log)]
    writer._run_group(group)
    assert stored_names(sqlite) == ["a", "c"]
    assert [unit.result for unit in group] == ["a", None, "c"]
    assert isinstance(group[1].error, RuntimeError)
    assert log == ["committed a", "rolled back b", "committed c"]


def test_a_constraint_violation_is_that_units_error(sqlite: Container) -> None:
    writer = _WRITERS[sqlite.engine]
    log: list[str] = []
    writer._run_group([add_key("a", log)])
    duplicate, fresh = add_key("a", log), add_key("z", log)
    writer._run_group([duplicate, fresh])
    assert isinstance(duplicate.error, IntegrityError)
    assert fresh.error is None
    assert stored_names(sqlite) == ["a", "z"]


def test_a_failed_commit_fails_every_unit_and_runs_rollback_hooks(
    sqlite: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    writer = _WRITERS[sqlite.engine]
    log: list[str] = []

    def broken_commit(self: Session) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(Session, "commit", broken_commit)
    group = [add_key("a", log), add_key("b", log)]
    writer._run_group(group)
    monkeypatch.undo()
    assert all(isinstance(unit.error, OSError) for unit in group)
    assert log == ["rolled back a", "rolled back b"]
    assert stored_names(sqlite) == []


def test_run_write_returns_the_result_or_raises_the_error(sqlite: Container) -> None:
    log: list[str] = []
    assert run_write(sqlite.factory, add_key("x", log).work) == "x"
    with pytest.raises(RuntimeError, match="y failed"):
        run_write(sqlite.factory, add_key("y", log, fail=True).work)
    assert stored_names(sqlite) == ["x"]
    assert log == ["committed x", "rolled back y"]


def test_run_write_on_both_databases(container: Container) -> None:
    log: list[str] = []
    assert run_write(container.factory, add_key("p", log).work) == "p"
    with pytest.raises(RuntimeError):
        run_write(container.factory, add_key("q", log, fail=True).work)
    assert stored_names(container) == ["p"]
    assert log == ["committed p", "rolled back q"]


# ---- file modes: nobody but the server's user reads the data dir -------------------------


@pytest.fixture
def open_umask() -> Iterator[None]:
    """Umask 0: whatever is not created private on purpose comes out world-readable."""
    saved = os.umask(0)
    yield
    os.umask(saved)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.usefixtures("open_umask")
def test_a_new_data_dir_its_database_secret_and_objects_are_private(tmp_path: Path) -> None:
    data_dir = tmp_path / "deep" / "data"
    settings = Settings(_env_file=None, data_dir=data_dir, sqlite_synchronous="NORMAL")
    container = Container.build(settings)
    try:
        upgrade(container.engine)
        run_write(container.factory, add_key("k", []).work)
        container.object_store.put("interview-sessions/a/b.txt", b"candidate code")
        with container.engine.connect() as connection:  # WAL and shared memory exist now
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            database = data_dir / "interviewkit.db"
            files = [
                database,
                database.with_name("interviewkit.db-wal"),
                database.with_name("interviewkit.db-shm"),
                data_dir / "secret_key",
                settings.objects_dir / "interview-sessions/a/b.txt",
            ]
            folders = [data_dir, data_dir.parent, settings.objects_dir]
            folders += [settings.objects_dir / "interview-sessions" / "a"]
            for path in files:
                assert mode(path) == 0o600, path
            for folder in folders:
                if folder.exists():
                    assert mode(folder) == 0o700, folder
            assert sorted(p.name for p in data_dir.iterdir() if p.name.startswith(".")) == []
    finally:
        container.engine.dispose()


@pytest.mark.usefixtures("open_umask")
def test_an_existing_world_readable_database_and_secret_are_tightened(tmp_path: Path) -> None:
    tmp_path.chmod(0o755)  # an operator's folder keeps its mode
    (tmp_path / "interviewkit.db").touch(0o644)
    (tmp_path / "secret_key").write_text("k" * 48)
    (tmp_path / "secret_key").chmod(0o644)
    settings = Settings(_env_file=None, data_dir=tmp_path)

    create_db_engine(settings).dispose()

    assert settings.effective_secret_key == "k" * 48
    assert mode(tmp_path / "interviewkit.db") == 0o600
    assert mode(tmp_path / "secret_key") == 0o600
    assert mode(tmp_path) == 0o755


def _start_server(data_dir: Path, starting: Any, found: Any) -> None:
    settings = Settings(_env_file=None, data_dir=data_dir)
    starting.wait()
    try:
        found.put(settings.effective_secret_key)
    except Exception as error:  # reported, not lost in the child's stderr
        found.put(f"failed: {error!r}")


def test_servers_starting_together_share_one_generated_secret(tmp_path: Path) -> None:
    """Each process generates a candidate; exactly one is published, and every process
    reads that one (a server that signed with another would reject its peers' tokens)."""
    context = multiprocessing.get_context("fork")
    for round_ in range(20):
        data_dir = tmp_path / f"round-{round_}"
        data_dir.mkdir()
        starting, found = context.Barrier(8), context.Queue()
        processes = [
            context.Process(target=_start_server, args=(data_dir, starting, found))
            for _ in range(8)
        ]
        for process in processes:
            process.start()
        seen = [found.get(timeout=60) for _ in processes]
        for process in processes:
            process.join(timeout=60)

        assert len(set(seen)) == 1, seen
        assert len(seen[0]) >= 32
        assert (data_dir / "secret_key").read_text() == seen[0]
        assert [p.name for p in data_dir.iterdir()] == ["secret_key"]  # no temporary left


@pytest.mark.usefixtures("open_umask")
def test_the_cache_of_hidden_large_tests_is_private(tmp_path: Path) -> None:
    container = Container.build(make_settings(tmp_path / "data"))
    try:
        runner = container.problems.runner
        assert runner.cache_dir is not None
        hidden = [CallTest(name="large-1", input=[[1] * 5], expected=5, hidden=True)]

        runner._store("two-sum-abc", hidden)

        assert mode(runner.cache_dir) == 0o700
        assert mode(runner.cache_dir / "two-sum-abc.json") == 0o600
        assert runner._cached("two-sum-abc") == hidden
    finally:
        container.executions.close()
        container.engine.dispose()
