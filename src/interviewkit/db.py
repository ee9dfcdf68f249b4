"""Database engine, session factory and the shared model base.

SQLite is the embedded default and PostgreSQL the scale-out database; the same models and
Alembic migrations serve both. SQLite runs in WAL mode with foreign keys on; its write
transactions start with ``BEGIN IMMEDIATE`` (a reader upgrading to a writer would fail with
"database is locked") and the writes of one process share them (group commit, below).
Writes go through :func:`run_write`, which both databases honour alike.
"""

from __future__ import annotations

import logging
import secrets
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Generic, TypeVar
from weakref import WeakKeyDictionary

from sqlalchemy import Connection, DateTime, Engine, MetaData, create_engine, event
from sqlalchemy.engine import Dialect, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

from interviewkit.config import Settings, create_private_file, ensure_private_dir

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

_ID_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"
ID_PATTERN = r"^[A-Za-z0-9_]{1,64}$"
"""What an id in a URL may look like (``ses_…``, ``key_…``)."""
SQLITE_WRITE = {"sqlite_begin": "BEGIN IMMEDIATE"}
SQLITE_AUTOCOMMIT = {"sqlite_begin": None}
_WRITERS: WeakKeyDictionary[Any, SQLiteWriter] = WeakKeyDictionary()
T = TypeVar("T")
logger = logging.getLogger("interviewkit.db")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def new_id(prefix: str, length: int = 20) -> str:
    """A prefixed random id such as ``ses_…`` (about 103 bits of randomness)."""
    return f"{prefix}_" + "".join(secrets.choice(_ID_ALPHABET) for _ in range(length))


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite stores them naive)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def create_db_engine(settings: Settings, **kwargs: Any) -> Engine:
    url = settings.effective_database_url
    if not settings.is_sqlite:
        return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20, **kwargs)
    ensure_private_dir(settings.data_dir)
    _private_sqlite_files(url)
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": 30},
        # as many connections as the server has worker threads, so none is reopened
        pool_size=40,
        max_overflow=10,
        **kwargs,
    )
    _configure_sqlite(engine, settings.sqlite_synchronous)
    return engine


def _private_sqlite_files(url: str) -> None:
    """Create the SQLite file with mode 0600 before SQLite opens it.

    SQLite creates a missing database with the process umask (often world-readable) and
    gives its -wal and -shm files the database file's mode: creating the file ourselves,
    private, keeps the whole database private from its first byte. Files of an older
    install that others can read are tightened.
    """
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    path = Path(database)
    ensure_private_dir(path.parent)
    create_private_file(path)
    for suffix in ("-wal", "-shm", "-journal"):
        companion = path.with_name(path.name + suffix)
        with suppress(FileNotFoundError):
            if companion.stat().st_mode & 0o077:
                companion.chmod(0o600)


def _configure_sqlite(engine: Engine, synchronous: str) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves, below
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA synchronous={synchronous}")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        statement = connection.get_execution_options().get("sqlite_begin", "BEGIN")
        if statement:  # on the driver: the statement path costs more than the BEGIN
            connection.connection.driver_connection.execute(statement).close()


def create_session_factory(engine: Engine) -> sessionmaker[Session]:
    factory = sessionmaker(engine, expire_on_commit=False)
    if engine.dialect.name == "sqlite" and engine not in _WRITERS:
        _WRITERS[engine] = SQLiteWriter(factory)
    return factory


def on_commit(db: Session, action: Callable[[], None]) -> None:
    """Run ``action`` once the current unit of work is committed (e.g. delete old blobs)."""
    db.info["on_commit"].append(action)


def on_rollback(db: Session, action: Callable[[], None]) -> None:
    """Run ``action`` if the current unit of work is rolled back (e.g. delete new blobs)."""
    db.info["on_rollback"].append(action)


@dataclass
class _Unit(Generic[T]):
    """One caller's unit of work inside a (possibly shared) write transaction."""

    work: Callable[[Session], T]
    result: T | None = None
    error: BaseException | None = None
    done: bool = False
    committed: list[Callable[[], None]] = field(default_factory=list)
    rolled_back: list[Callable[[], None]] = field(default_factory=list)
    core: bool = False
    """The work writes through Core statements only, never the ORM's flush (see
    :func:`run_write`)."""

    def run(self, db: Session) -> None:
        db.info.update(on_commit=self.committed, on_rollback=self.rolled_back)
        try:
            result = self.work(db)
            if self.core and (db.new or db.dirty or db.deleted):
                # a failing flush would roll back the whole shared transaction, which
                # only the ORM's own SAVEPOINT contains
                raise RuntimeError("a Core-only write left ORM changes to flush")
            db.flush()
            self.result = result
        except BaseException as error:
            self.error = error

    def finish(self) -> None:
        """Run the hooks that match the outcome; a hook failing never hides the result."""
        for action in self.rolled_back if self.error else self.committed:
            try:
                action()
            except Exception:
                logger.exception("a post-transaction action failed")
        self.done = True

    def outcome(self) -> T:
        """The result, or the error raised again in the caller's thread."""
        if self.error is not None:
            raise self.error
        return self.result  # type: ignore[return-value]


class SQLiteWriter:
    """Group commit for SQLite: concurrent writes of this process share transactions.

    SQLite has one writer at a time, so writers queue on a lock rather than on SQLite's
    busy timeout (whose sleep-and-retry lets newcomers overtake and stretches the tail to
    seconds). Whoever takes the lock runs every unit queued so far in one transaction,
    each inside its own SAVEPOINT so that one unit's error undoes only that unit, then
    commits once: one BEGIN, one COMMIT and one fsync for the whole group. No unit is
    acknowledged before the commit that makes it durable.
    """

    def __init__(self, factory: sessionmaker[Session]) -> None:
        self.factory = factory
        self.lock = threading.Lock()
        self._queue: list[_Unit[Any]] = []
        self._queue_lock = threading.Lock()

    def run(self, work: Callable[[Session], T], *, core: bool = False) -> T:
        unit: _Unit[T] = _Unit(work, core=core)
        with self._queue_lock:
            self._queue.append(unit)
        with self.lock:
            if not unit.done:
                with self._queue_lock:
                    group, self._queue = self._queue, []
                self._run_group(group)
        return unit.outcome()

    def _run_group(self, group: list[_Unit[Any]]) -> None:
        try:
            with self.factory() as db:
                connection = db.connection(execution_options=SQLITE_WRITE)
                for unit in group:
                    self._run_unit(db, connection, unit, alone=len(group) == 1)
                db.commit()
        except BaseException as error:
            for unit in group:
                unit.error = unit.error or error
        for unit in group:
            unit.finish()

    @staticmethod
    def _run_unit(db: Session, connection: Connection, unit: _Unit[Any], *, alone: bool) -> None:
        """Run one unit inside its own SAVEPOINT, or, alone in its group, with none:
        then its error simply rolls the whole transaction back.

        A Core-only unit's SAVEPOINT is the driver's own statement: the ORM's nested
        transaction (and its uncached SAVEPOINT/RELEASE statements) cost more than a
        keystroke's whole ingest, and with no ORM changes there is nothing else to undo.
        """
        if unit.core and not alone:
            cursor = connection.connection.cursor()
            try:
                cursor.execute("SAVEPOINT ik_unit")
                unit.run(db)
                if unit.error is not None:
                    cursor.execute("ROLLBACK TO SAVEPOINT ik_unit")
                cursor.execute("RELEASE SAVEPOINT ik_unit")
            finally:
                cursor.close()
            db.expunge_all()
            return
        savepoint = None if alone else db.begin_nested()
        unit.run(db)
        if unit.error is not None:
            (savepoint or db).rollback()
        elif savepoint is not None:
            savepoint.commit()
        # Detach what the unit returned: a later unit's rollback must not expire it,
        # and later units then read rows afresh.
        db.expunge_all()


def run_write(
    factory: sessionmaker[Session], work: Callable[[Session], T], *, core: bool = False
) -> T:
    """Run ``work(db)`` in a write transaction and return its result once committed.

    On SQLite concurrent calls are grouped into one transaction (see SQLiteWriter);
    elsewhere each call gets its own transaction. ``core``: ``work`` writes only through
    Core statements (it may read ORM objects, never change them), so on SQLite its unit
    of a shared transaction gets a cheaper SAVEPOINT; ORM changes left behind fail it.
    """
    bind = factory.kw.get("bind")
    writer = _WRITERS.get(bind) if bind is not None else None
    if writer is not None:
        return writer.run(work, core=core)
    unit: _Unit[T] = _Unit(work)
    try:
        with factory() as db:
            unit.run(db)
            if unit.error is None:
                db.commit()
    except BaseException as error:
        unit.error = unit.error or error
    unit.finish()
    return unit.outcome()


@contextmanager
def read_session(
    factory: sessionmaker[Session], *, single_statement: bool = False
) -> Iterator[Session]:
    """A session for reading; nothing it does is committed.

    ``single_statement`` skips SQLite's explicit BEGIN: one SELECT is its own consistent
    snapshot anyway, and the BEGIN round trip is a large share of a point read.
    """
    with factory() as session:
        if single_statement:
            session.connection(execution_options=SQLITE_AUTOCOMMIT)
        yield session


@contextmanager
def read_connection(factory: sessionmaker[Session]) -> Iterator[Connection]:
    """A Core connection for one SELECT, without SQLite's explicit BEGIN (see read_session)."""
    with factory.kw["bind"].connect() as connection:
        yield connection.execution_options(**SQLITE_AUTOCOMMIT)


@dataclass(frozen=True)
class _Form:
    """One statement compiled for one dialect (and one set of SET columns)."""

    sql: str
    positional: bool
    """The driver takes a tuple in ``binds`` order (else a dict)."""
    binds: tuple[tuple[str, Callable[[Any], Any] | None], ...]
    """Each bind's name and type processor, in the SQL's order when positional."""
    defaults: dict[str, Any]
    """Values of the statement's own literal binds (``.values(state="live")``)."""
    results: tuple[Callable[[Any], Any] | None, ...] | None
    """The columns' result processors; None when no column needs one."""


class Prepared:
    """A Core statement compiled once per dialect and run on the DBAPI cursor itself.

    SQLAlchemy's execution path (compiled-cache lookup, parameter construction, events,
    result objects) costs several times what the database spends on an indexed point
    statement, and one live keystroke runs about nine of them while holding the GIL.
    This keeps the statement written in Core (each dialect gets its own SQL, ``FOR
    UPDATE`` only where it means something) and applies the column types' bind and
    result processors exactly as SQLAlchemy would, for the cost of the driver call.
    Only plain bind parameters (no expanding ``IN``) and no Python-side column defaults
    (pass every value; no hot-path table has ``onupdate``); driver errors are wrapped as
    SQLAlchemy's (``IntegrityError`` stays ``IntegrityError``).
    """

    def __init__(self, statement: Any) -> None:
        self.statement = statement
        self._forms: dict[tuple[str, tuple[str, ...] | None], _Form] = {}

    def _form(self, dialect: Dialect, keys: tuple[str, ...] | None) -> _Form:
        found = self._forms.get((dialect.name, keys))
        if found is not None:
            return found
        compiled: Any = self.statement.compile(
            dialect=dialect, column_keys=list(keys) if keys is not None else None
        )
        binds = compiled.binds
        if any(bind.expanding for bind in binds.values()):
            raise ValueError("Prepared does not run expanding bind parameters")
        dml = compiled.isinsert or compiled.isupdate or compiled.isdelete
        selected = () if dml else self.statement.selected_columns
        results = tuple(column.type._cached_result_processor(dialect, None) for column in selected)
        names = compiled.positiontup if compiled.positional else list(binds)
        form = _Form(
            compiled.string,
            compiled.positional,
            tuple((name, binds[name].type._cached_bind_processor(dialect)) for name in names),
            {name: bind.effective_value for name, bind in binds.items() if not bind.required},
            results if any(results) else None,
        )
        self._forms[(dialect.name, keys)] = form
        return form

    def _run(
        self,
        connection: Connection,
        params: dict[str, Any] | list[dict[str, Any]],
        keys: tuple[str, ...] | None,
    ) -> Any:
        dialect = connection.dialect
        form = self._form(dialect, keys)
        bound: Any
        cursor = connection.connection.cursor()
        try:
            if isinstance(params, list):
                bound = [_bound(form, one) for one in params]
                cursor.executemany(form.sql, bound)
            else:
                bound = _bound(form, params)
                cursor.execute(form.sql, bound)
        except dialect.loaded_dbapi.Error as error:
            cursor.close()
            raise DBAPIError.instance(
                form.sql, bound, error, dialect.loaded_dbapi.Error, dialect=dialect
            ) from error
        return cursor

    def rows(self, connection: Connection, params: dict[str, Any]) -> list[tuple[Any, ...]]:
        """The rows of a SELECT, each column through its type's result processor."""
        cursor = self._run(connection, params, None)
        try:
            fetched = cursor.fetchall()
        finally:
            cursor.close()
        processors = self._form(connection.dialect, None).results
        if processors is None:
            return [tuple(row) for row in fetched]
        return [
            tuple(
                value if p is None else p(value) for p, value in zip(processors, row, strict=True)
            )
            for row in fetched
        ]

    def run(
        self,
        connection: Connection,
        params: dict[str, Any] | list[dict[str, Any]],
        *,
        set_keys: bool = False,
    ) -> int:
        """Run an INSERT/UPDATE/DELETE (a list of params: executemany); the rows matched.

        ``set_keys``: the statement's SET columns are the params' keys (as Core does for
        ``update(table).where(...)`` executed with values)."""
        first = params[0] if isinstance(params, list) else params
        keys = tuple(sorted(first)) if set_keys else None
        cursor = self._run(connection, params, keys)
        count = int(cursor.rowcount)
        cursor.close()
        return count


def _bound(form: _Form, params: dict[str, Any]) -> Any:
    """The driver's parameters: by position or by name, each through its bind processor."""
    values = [
        (params[name] if name in params else form.defaults[name])
        if binder is None
        else binder(params[name] if name in params else form.defaults[name])
        for name, binder in form.binds
    ]
    if form.positional:
        return values
    return dict(zip((name for name, _ in form.binds), values, strict=True))
