"""The ``interviewkit`` command: serve, migrate, manage keys and sessions, diagnose."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.panel import Panel
from rich.table import Column, Table
from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from interviewkit.auth.service import AuthService, Role
from interviewkit.config import Settings, ensure_private_dir
from interviewkit.db import create_db_engine, create_session_factory
from interviewkit.errors import ProblemError
from interviewkit.problems.cli import problems_app
from interviewkit.sessions.models import SessionStatus
from interviewkit.speech.cli import speech_app
from interviewkit.storage import PortCheck
from interviewkit.video.cli import video_app

app = typer.Typer(help="InterviewKit: AI-assisted technical interviews.", no_args_is_help=True)
db_app = typer.Typer(help="Database migrations.", no_args_is_help=True)
keys_app = typer.Typer(help="API keys for interviewers and admins.", no_args_is_help=True)
sessions_app = typer.Typer(help="Interview sessions.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(keys_app, name="keys")
app.add_typer(sessions_app, name="sessions")
app.add_typer(problems_app, name="problems")
recordings_app = typer.Typer(help="Session recordings.", no_args_is_help=True)
app.add_typer(recordings_app, name="recordings")
app.add_typer(speech_app, name="speech", no_args_is_help=True)
app.add_typer(video_app, name="video", no_args_is_help=True)

console = Console()
errors = Console(stderr=True)
_overrides: dict[str, Any] = {}


@app.callback()
def _global(
    ctx: typer.Context,
    data_dir: Annotated[
        Path | None, typer.Option(help="Data directory (INTERVIEWKIT_DATA_DIR)")
    ] = None,
    database_url: Annotated[
        str | None, typer.Option(help="SQLAlchemy URL (INTERVIEWKIT_DATABASE_URL)")
    ] = None,
) -> None:
    _overrides.clear()  # options of an earlier in-process invocation must not linger
    if data_dir is not None:
        _overrides["data_dir"] = data_dir
    if database_url is not None:
        _overrides["database_url"] = database_url
    ctx.obj = load_settings  # sub-command groups (problems) load settings without importing us


def load_settings(**extra: Any) -> Settings:
    values = {**_overrides, **{key: value for key, value in extra.items() if value is not None}}
    return Settings(**values)


def _fail(message: str) -> typer.Exit:
    errors.print(f"[red]error:[/red] {message}")
    return typer.Exit(1)


def _migrate(settings: Settings) -> None:
    from interviewkit.migrations import upgrade

    engine = create_db_engine(settings)
    try:
        upgrade(engine)
    finally:
        engine.dispose()


def _auth(settings: Settings) -> AuthService:
    factory = create_session_factory(_database(settings))
    return AuthService.from_settings(factory, settings)


def _database(settings: Settings) -> Engine:
    """An engine on a database whose schema this version uses, else exit 1 saying what to do.

    Commands that read or write data on a fresh, wrong or outdated data dir used to die
    with SQLAlchemy's "no such table" traceback (or, worse, create an empty database in
    a mistyped folder): they now name the database and the command that fixes it.
    """
    from interviewkit.migrations import current_revision, head_revision

    where = settings.redacted()["database_url"]
    upgrade = "run `interviewkit db upgrade`"
    if settings.is_sqlite:
        path = _sqlite_path(settings)
        if path is not None and not path.exists():
            raise _fail(
                f"no InterviewKit database in {path.parent}: {upgrade} (or `interviewkit "
                "serve`, which creates it) with this data dir, or pass the right --data-dir"
            )
    try:
        engine = create_db_engine(settings)
    except OSError as exc:
        raise _fail(f"cannot use the data dir {settings.data_dir}: {exc.strerror}") from None
    try:
        current, head = current_revision(engine), head_revision(engine)
    except SQLAlchemyError as exc:
        engine.dispose()
        reason = str(exc.orig if isinstance(exc, DBAPIError) else exc).strip().splitlines()
        raise _fail(
            f"cannot open the database at {where}: {reason[0] if reason else type(exc).__name__}"
            "; check INTERVIEWKIT_DATABASE_URL (or --database-url)"
        ) from None
    if current == head:
        return engine
    engine.dispose()
    if current is None:
        raise _fail(f"the database at {where} has no InterviewKit schema yet: {upgrade}")
    if not _known_revision(engine, current):
        raise _fail(
            f"the database at {where} was migrated by a newer InterviewKit (schema {current}, "
            f"this version knows up to {head}): run that version, or upgrade this one"
        )
    raise _fail(
        f"the database at {where} is at schema {current}, this version needs {head}: {upgrade}"
    )


def _sqlite_path(settings: Settings) -> Path | None:
    database = make_url(settings.effective_database_url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database)


def _known_revision(engine: Engine, revision: str) -> bool:
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError

    from interviewkit.migrations import alembic_config

    try:
        return (
            ScriptDirectory.from_config(alembic_config(engine)).get_revision(revision) is not None
        )
    except CommandError:
        return False


# ---- serve --------------------------------------------------------------------------------


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Bind address")] = None,
    port: Annotated[int | None, typer.Option(help="Port")] = None,
    data_dir: Annotated[Path | None, typer.Option(help="Data directory")] = None,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes")] = 1,
    allow_unsafe_sandbox: Annotated[
        bool, typer.Option(help="Accept INTERVIEWKIT_SANDBOX=process, which isolates nothing")
    ] = False,
) -> None:
    """Start the API server (migrating an embedded SQLite database first)."""
    import uvicorn

    from interviewkit.migrations import current_revision, head_revision
    from interviewkit.observability import configure_logging

    settings = load_settings(host=host, port=port, data_dir=data_dir)
    if workers > 1 and settings.broker == "memory":
        raise _fail(
            "--workers above 1 needs INTERVIEWKIT_BROKER=redis: with the in-memory broker a "
            "candidate and an interviewer on different workers would not see each other"
        )
    configure_logging(settings.log_level, settings.log_format)
    if settings.sandbox == "process" and not (
        allow_unsafe_sandbox or settings.sandbox_allow_process
    ):
        raise _fail(
            "INTERVIEWKIT_SANDBOX=process runs candidates' code without isolation; "
            "install bubblewrap, or pass --allow-unsafe-sandbox on a machine only you use"
        )
    if allow_unsafe_sandbox:  # the app the workers build refuses the process backend else
        settings = settings.model_copy(update={"sandbox_allow_process": True})
        os.environ["INTERVIEWKIT_SANDBOX_ALLOW_PROCESS"] = "true"
    ensure_private_dir(settings.data_dir)  # 0700: the database and secret live there
    if settings.is_sqlite:
        _migrate(settings)
    else:
        engine = create_db_engine(settings)
        if current_revision(engine) != head_revision(engine):
            raise _fail("the database schema is not current: run 'interviewkit db upgrade'")
        engine.dispose()
    _print_first_admin_key(settings)
    console.print(
        f"InterviewKit serving on [bold]{settings.effective_public_url}[/bold] "
        f"(API docs at {settings.effective_public_url}/docs)"
    )
    # the app factory reads its settings from the environment (and .env) again; only what
    # the command line set is not there yet. Never every setting: str() of a secret is
    # '**********' and of a dict is Python, not what the settings parse back.
    given = {"host": host, "port": port, "data_dir": data_dir, **_overrides}
    for name, value in given.items():
        if value is not None:
            os.environ[f"INTERVIEWKIT_{name.upper()}"] = str(value)
    uvicorn.run(
        "interviewkit.app:serve_app",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=workers,
        log_config=None,
        access_log=False,
        proxy_headers=True,
    )


def _print_first_admin_key(settings: Settings) -> None:
    auth = _auth(settings)
    if auth.count_active_keys() > 0:
        return
    key, secret = auth.create_key("first admin", Role.admin)
    console.print(
        Panel(
            f"[bold]{secret}[/bold]\n\nThis admin API key is shown once; only its hash is kept.\n"
            f"Use it as: Authorization: Bearer <key>   (key id {key.id})",
            title="First start: admin API key",
            border_style="green",
        )
    )


# ---- db -----------------------------------------------------------------------------------


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply every pending migration."""
    settings = load_settings()
    _migrate(settings)
    console.print(f"database at {settings.redacted()['database_url']} is up to date")


@db_app.command("current")
def db_current() -> None:
    """Show the applied and the newest migration."""
    from interviewkit.migrations import current_revision, head_revision

    engine = create_db_engine(load_settings())
    console.print(f"current: {current_revision(engine)}  head: {head_revision(engine)}")


# ---- keys ---------------------------------------------------------------------------------


@keys_app.command("create")
def keys_create(
    name: Annotated[str, typer.Option(help="Who or what uses the key")],
    role: Annotated[Role, typer.Option(help="admin or interviewer")] = Role.interviewer,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only the key")] = False,
) -> None:
    """Create an API key and print it once."""
    if role == Role.candidate:
        raise _fail("candidates get tokens from POST /api/v1/sessions/{id}/invite")
    key, secret = _auth(load_settings()).create_key(name, role)
    if not quiet:
        console.print(f"created {key.id} ({key.role}) — the key is shown only now:")
    print(secret)


@keys_app.command("login-link")
def keys_login_link(
    key_id: str,
    minutes: Annotated[
        int | None,
        typer.Option(min=1, max=60 * 24, help="How long it works (default: login_link_minutes)"),
    ] = None,
) -> None:
    """Print a one-time link that signs a browser in as KEY_ID, so the key itself never
    has to be typed (or pasted into a chat) to use the staff pages."""
    from interviewkit.auth.web import WebSessionService

    settings = load_settings()
    web = WebSessionService.from_settings(create_session_factory(_database(settings)), settings)
    try:
        token, expires = web.make_link(key_id, minutes)
    except ProblemError as exc:
        raise _fail(exc.detail) from None
    errors.print(f"signs in once as {key_id}, until {expires.isoformat(timespec='seconds')}:")
    # the token rides in the fragment: browsers never send it, so no server log holds it
    print(f"{settings.effective_public_url}/login/link#{token}")


@keys_app.command("list")
def keys_list() -> None:
    """List API keys (never the keys themselves)."""
    # ids are typed into other commands: never cut one short, even at 80 columns
    table = Table(Column("id", no_wrap=True), "name", "role", "prefix", "created", "revoked")
    for key in _auth(load_settings()).list_keys():
        revoked = key.revoked_at.isoformat(timespec="seconds") if key.revoked_at else ""
        table.add_row(
            key.id,
            key.name,
            key.role,
            key.key_prefix + "…",
            key.created_at.isoformat(timespec="seconds"),
            revoked,
        )
    console.print(table)


@keys_app.command("revoke")
def keys_revoke(key_id: str) -> None:
    """Revoke an API key (servers stop accepting it within api_key_cache_seconds)."""
    try:
        key = _auth(load_settings()).revoke_key(key_id)
    except ProblemError as exc:
        raise _fail(exc.detail) from None
    console.print(f"revoked {key.id} ({key.name})")


# ---- sessions -----------------------------------------------------------------------------


def _session_service() -> Any:
    from interviewkit.sessions.service import SessionService
    from interviewkit.storage import create_object_store

    settings = load_settings()
    factory = create_session_factory(_database(settings))
    return SessionService(factory, create_object_store(settings), settings)


@sessions_app.command("new")
def sessions_new(
    template: Annotated[
        str | None, typer.Option(help="A template id (`problems list` shows the bank)")
    ] = None,
    problem: Annotated[str | None, typer.Option(help="One problem instead of a template")] = None,
    candidate: Annotated[str | None, typer.Option(help="The candidate's name")] = None,
    language: Annotated[str | None, typer.Option(help="Starter code language")] = None,
    minutes: Annotated[float | None, typer.Option(min=1, help="Time limit")] = None,
) -> None:
    """Create a session and print the link that opens the candidate's room.

    The same steps as ``POST /api/v1/sessions`` then ``POST …/invite``, against this
    machine's database, so an interview can start from a terminal with no API key.
    """
    from interviewkit.app import Container
    from interviewkit.sessions.api import room_url
    from interviewkit.sessions.service import SessionDraft

    if template is None and problem is None:
        raise _fail("name a --template or a --problem (`interviewkit problems list`)")
    settings = load_settings()
    _migrate(settings)
    container = Container.build(settings)
    config: dict[str, Any] = {} if minutes is None else {"time_limit_minutes": minutes}
    draft = SessionDraft(
        template_id=template, problem_id=problem, candidate_name=candidate, config=config
    )
    try:
        interview = container.sessions.create_session(container.problems.compose(draft, language))
        generation = container.sessions.invite(interview.id)
    except ProblemError as exc:
        raise _fail(exc.detail) from None
    ttl = min(settings.candidate_token_ttl_seconds, settings.candidate_token_max_ttl_seconds)
    token = container.auth.mint_candidate_token(interview.id, ttl, generation)
    base = settings.public_url or f"http://{settings.host}:{settings.port}"
    console.print(f"session {interview.id} — send the candidate this link:")
    print(room_url(base, interview.id, token.token))


@sessions_app.command("list")
def sessions_list(
    status: Annotated[SessionStatus | None, typer.Option()] = None,
    candidate: Annotated[str | None, typer.Option(help="Name or email contains")] = None,
    limit: Annotated[int, typer.Option(min=1, max=500)] = 50,
) -> None:
    """List sessions, newest first."""
    page = _session_service().list_sessions(status=status, candidate=candidate, limit=limit)
    table = Table(Column("id", no_wrap=True), "status", "candidate", "template", "files", "created")
    for row in page.items:
        who = " ".join(part for part in (row.candidate_name, row.candidate_email) if part)
        table.add_row(
            row.id,
            row.status,
            who,
            row.template_id or row.problem_id or "",
            str(row.file_count),
            row.created_at.isoformat(timespec="seconds"),
        )
    console.print(table)


@sessions_app.command("show")
def sessions_show(session_id: str) -> None:
    """Show one session and its workspace files."""
    service = _session_service()
    try:
        interview, files = service.list_files(session_id)
    except ProblemError as exc:
        raise _fail(exc.detail) from None
    from interviewkit.sessions.schemas import SessionOut

    summary = Table("field", "value", title=interview.id)
    for name, value in SessionOut.of(interview).model_dump(mode="json").items():
        summary.add_row(name, "" if value is None else str(value))
    console.print(summary)
    table = Table("path", "language", "bytes", "version", "updated")
    for row in files:
        table.add_row(
            row.path,
            row.language,
            str(row.size),
            str(row.version),
            row.updated_at.isoformat(timespec="seconds"),
        )
    console.print(table)


@sessions_app.command("sweep-blobs")
def sessions_sweep_blobs(
    older_than: Annotated[
        int, typer.Option(min=0, help="Only blobs older than this many seconds")
    ] = 3600,
) -> None:
    """Delete stored file contents that no workspace file points at any more."""
    from datetime import timedelta

    deleted = _session_service().sweep_orphan_blobs(timedelta(seconds=older_than))
    for key in deleted:
        console.print(f"deleted {key}", highlight=False)
    console.print(f"{len(deleted)} orphaned blob(s) deleted")


# ---- recordings ---------------------------------------------------------------------------


def _recording_service() -> Any:
    from interviewkit.app import Container

    settings = load_settings()
    _database(settings).dispose()  # the schema is there, or the command says what to do
    return Container.build(settings).recording


@recordings_app.command("archive")
def recordings_archive(
    session_id: Annotated[str, typer.Argument(help="The session whose log to archive")],
    fmt: Annotated[str, typer.Option("--format", help="zstd or gzip")] = "zstd",
) -> None:
    """Write a session's event log as a compressed archive in the object store."""
    if fmt not in ("zstd", "gzip"):
        raise _fail("--format is zstd or gzip")
    try:
        row = _recording_service().archive(session_id, fmt)
    except ProblemError as exc:
        raise _fail(exc.detail) from None
    ratio = row.raw_bytes / row.archive_bytes if row.archive_bytes else 0
    console.print(
        f"{row.archive_key}: {row.events} events, {row.raw_bytes} bytes raw, "
        f"{row.archive_bytes} archived ({ratio:.1f}x)",
        highlight=False,
    )


@recordings_app.command("prune")
def recordings_prune(
    older_than: Annotated[
        float | None,
        typer.Option(min=0, help="Seconds since archiving (default: the retention setting)"),
    ] = None,
) -> None:
    """Delete archived sessions' events from the database; replay reads the archive."""
    pruned = _recording_service().prune(older_than)
    for session_id in pruned:
        console.print(f"pruned {session_id}", highlight=False)
    console.print(f"{len(pruned)} recording(s) pruned")


# ---- exec ---------------------------------------------------------------------------------


@app.command()
def worker(
    concurrency: Annotated[
        int, typer.Option(min=1, max=64, help="Jobs this process runs at once")
    ] = 1,
) -> None:
    """Run background jobs (video analysis) in this process, until stopped.

    With ``task_backend=celery`` this is a Celery worker on ``celery_broker_url``; with
    the default ``database`` backend it claims jobs from the database, as every server
    process also does (``task_workers``): a worker process adds capacity without Celery.
    """
    import signal
    import threading

    from interviewkit.app import Container
    from interviewkit.observability import configure_logging

    settings = load_settings().model_copy(update={"task_workers": concurrency})
    configure_logging(settings.log_level, settings.log_format)
    if settings.is_sqlite:
        _migrate(settings)
    container = Container.build(settings)  # registers every domain's job handlers
    try:
        if settings.task_backend == "celery":
            from interviewkit.tasks.celery import CeleryTaskQueue, run_worker

            if not isinstance(container.tasks, CeleryTaskQueue):  # create_task_queue's choice
                raise _fail("task_backend=celery did not build a Celery queue")
            raise typer.Exit(run_worker(container.tasks, concurrency))
        stopping = threading.Event()
        for number in (signal.SIGINT, signal.SIGTERM):
            signal.signal(number, lambda *_: stopping.set())
        container.tasks.start()
        errors.print(f"worker: {concurrency} job thread(s) on the database queue; Ctrl-C stops")
        stopping.wait()
        container.tasks.stop()
    finally:
        container.engine.dispose()


@app.command("exec")
def exec_command(
    files: Annotated[list[Path], typer.Argument(help="Source files; the first is the entry")],
    language: Annotated[str | None, typer.Option(help="python, javascript, java, cpp")] = None,
    stdin: Annotated[Path | None, typer.Option(help="File to feed on stdin")] = None,
    tests: Annotated[
        Path | None,
        typer.Option(help='JSON: {"entry_point"?, "signature"?, "tests": [...]}'),
    ] = None,
    time_limit: Annotated[float | None, typer.Option(help="CPU seconds per run")] = None,
    memory_limit: Annotated[int | None, typer.Option(help="Memory in MB")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON")] = False,
) -> None:
    """Run code in the sandbox, like the API; exit 0 only when the status is accepted."""
    from interviewkit.execution.cli import run_files

    settings = load_settings()
    try:
        result = run_files(settings, files, language, stdin, tests, time_limit, memory_limit)
    except ProblemError as exc:
        raise _fail(exc.detail) from None
    except (OSError, ValueError) as exc:
        raise _fail(str(exc)) from None
    if as_json:
        typer.echo(result.model_dump_json(indent=2))
    else:
        from interviewkit.execution.cli import print_result

        print_result(console, result)
    raise typer.Exit(0 if result.status == "accepted" else 1)


# ---- doctor -------------------------------------------------------------------------------


@app.command()
def doctor() -> None:
    """Print the effective configuration and what each port finds on this machine."""
    from interviewkit.app import Container
    from interviewkit.doctor import machine_checks
    from interviewkit.migrations import current_revision, head_revision

    settings = load_settings()
    # overflow="fold": at 80 columns a value, a detail or a fix wraps instead of being cut
    config = Table("setting", Column("value", overflow="fold"), title="Effective configuration")
    for name, value in settings.redacted().items():
        config.add_row(name, str(value))
    console.print(config)

    # doctor reports an unsafe sandbox (below) instead of refusing to build the app for it
    container = Container.build(settings.model_copy(update={"sandbox_allow_process": True}))
    required = container.check_ports()
    if required[0].ok:
        current, head = current_revision(container.engine), head_revision(container.engine)
        known = current is None or _known_revision(container.engine, current)
        schema = _schema_check(settings, current, head, known=known)
        if schema.ok and current != head:  # serve creates the missing tables on first start
            required = [_table_pending(check) for check in required]
        required.append(schema)
    report = Table(
        "check",
        "status",
        Column("detail", overflow="fold"),
        Column("fix", overflow="fold"),
        title="Ports and machine",
    )
    for check in required + machine_checks(settings):
        status = "[green]OK[/green]" if check.ok else "[red]MISSING[/red]"
        if not check.ok and check.detail.startswith("UNSAFE"):
            status = "[bold red]UNSAFE[/bold red]"
        report.add_row(check.name, status, check.detail, check.fix)
    console.print(report)
    if not all(check.ok for check in required):
        raise typer.Exit(1)


def _table_pending(check: PortCheck) -> PortCheck:
    """The task queue's check on a database that ``serve`` will migrate: its table is not
    there yet, which is no fault (the migration on first start creates it)."""
    if check.name != "tasks" or check.ok or not check.detail.startswith("database backend"):
        return check
    return PortCheck("tasks", True, "database backend: its table is created on first start")


def _schema_check(
    settings: Settings, current: str | None, head: str | None, *, known: bool
) -> PortCheck:
    """The schema as ``serve`` will find it: ``serve`` migrates an embedded SQLite database
    itself, so a fresh or older one is fine (a first start creates or upgrades it); any
    other database must be upgraded first, and a newer schema needs a newer InterviewKit."""
    if current == head:
        return PortCheck("database schema", True, f"at {current}, the newest")
    if not known:
        detail = f"at {current}, newer than this version's {head}"
        return PortCheck("database schema", False, detail, "run the newer InterviewKit")
    if settings.is_sqlite:
        detail = (
            "none yet: will be created on first start (interviewkit serve)"
            if current is None
            else f"at {current}, newest {head}: will be upgraded on first start"
        )
        return PortCheck("database schema", True, detail)
    detail = f"at {current or 'none'}, newest {head}"
    return PortCheck("database schema", False, detail, "interviewkit db upgrade")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
