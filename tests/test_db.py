"""The write path of the database layer: group commit on SQLite, hooks, durability rules."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from interviewkit.app import Container
from interviewkit.auth.models import ApiKey
from interviewkit.db import _WRITERS, _Unit, on_commit, on_rollback, run_write, utcnow
from interviewkit.migrations import upgrade
from tests.conftest import make_settings


@pytest.fixture
def sqlite(tmp_path: Path) -> Iterator[Container]:
    container = Container.build(make_settings(tmp_path))
    upgrade(container.engine)
    yield container
    container.engine.dispose()


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
