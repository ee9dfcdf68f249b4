"""Statements run on the driver (``Prepared``) and Core-only units of a group commit.

The live channel's keystrokes go through both; they must behave exactly like the Core
statements and the ORM savepoints they replace: same values back (aware UTC datetimes on
both databases), same errors, and one unit's failure undoing only that unit.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, cast

import pytest
from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from interviewkit.app import Container
from interviewkit.auth.models import ApiKey
from interviewkit.db import _WRITERS, Prepared, _Unit, on_commit, on_rollback, run_write, utcnow
from interviewkit.migrations import upgrade

KEYS = cast(Table, ApiKey.__table__)
INSERT_KEY = Prepared(insert(KEYS))
KEY_BY_ID = Prepared(
    select(KEYS.c.name, KEYS.c.created_at, KEYS.c.revoked_at).where(KEYS.c.id == bindparam("id"))
)
REVOKE = Prepared(update(KEYS).where(KEYS.c.id == bindparam("key_id")))
RENAME_LITERAL = Prepared(update(KEYS).where(KEYS.c.id == bindparam("key_id")).values(name="x"))


def key_row(name: str, created: datetime | None = None) -> dict[str, Any]:
    return {
        "id": f"key_{name}",
        "name": name,
        "role": "admin",
        "key_hash": name * 8,
        "key_prefix": name,
        "created_at": created or utcnow(),
        "revoked_at": None,
    }


def test_prepared_statements_read_and_write_like_core(container: Container) -> None:
    upgrade(container.engine)
    created = datetime(2026, 3, 1, 12, 30, 15, 123456, tzinfo=UTC)
    revoked = created + timedelta(hours=1)

    def work(db: Session) -> list[tuple[Any, ...]]:
        connection = db.connection()
        INSERT_KEY.run(connection, [key_row("a", created), key_row("b", created)], set_keys=True)
        assert REVOKE.run(connection, {"key_id": "key_a", "revoked_at": revoked}, set_keys=True)
        assert RENAME_LITERAL.run(connection, {"key_id": "key_b"}) == 1
        return KEY_BY_ID.rows(connection, {"id": "key_a"}) + KEY_BY_ID.rows(
            connection, {"id": "key_b"}
        )

    found = run_write(container.factory, work)
    assert found == [("a", created, revoked), ("x", created, None)]
    with container.factory() as db:  # what Core (and the ORM) read back is the same
        core = db.execute(select(KEYS.c.name, KEYS.c.created_at, KEYS.c.revoked_at)).all()
    assert sorted(tuple(row) for row in core) == sorted(found)
    with container.factory() as db:
        assert KEY_BY_ID.rows(db.connection(), {"id": "key_none"}) == []


def test_a_driver_error_is_sqlalchemys(container: Container) -> None:
    upgrade(container.engine)
    run_write(container.factory, lambda db: INSERT_KEY.run(db.connection(), key_row("a")))
    with pytest.raises(IntegrityError):
        run_write(container.factory, lambda db: INSERT_KEY.run(db.connection(), key_row("a")))


def core_unit(name: str, log: list[str], *, fail: str | None = None) -> _Unit[str]:
    def work(db: Session) -> str:
        INSERT_KEY.run(db.connection(), key_row(name), set_keys=True)
        on_commit(db, lambda: log.append(f"committed {name}"))
        on_rollback(db, lambda: log.append(f"rolled back {name}"))
        if fail == "raise":
            raise RuntimeError(f"{name} failed after writing")
        if fail == "duplicate":
            INSERT_KEY.run(db.connection(), key_row(name), set_keys=True)
        if fail == "orm":
            db.add(ApiKey(**key_row(name + "2")))
        return name

    return _Unit(work, core=True)


def stored_names(container: Container) -> list[str]:
    with container.factory() as db:
        return sorted(db.scalars(select(ApiKey.name)))


@pytest.mark.parametrize("fail", ["raise", "duplicate", "orm"])
def test_a_failing_core_unit_undoes_only_itself(sqlite: Container, fail: str) -> None:
    writer = _WRITERS[sqlite.engine]
    log: list[str] = []
    group = [core_unit("a", log), core_unit("b", log, fail=fail), core_unit("c", log)]
    writer._run_group(group)
    assert stored_names(sqlite) == ["a", "c"]
    assert [unit.result for unit in group] == ["a", None, "c"]
    expected = IntegrityError if fail == "duplicate" else RuntimeError
    assert isinstance(group[1].error, expected)
    assert log == ["committed a", "rolled back b", "committed c"]
