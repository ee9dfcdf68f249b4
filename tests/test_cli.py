"""The ``interviewkit`` command, run in-process with CliRunner (and ``serve`` as a real process)."""

from __future__ import annotations

import contextlib
import io
import logging
import os
import re
import secrets
import signal
import socket
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import httpx
import pytest
from sqlalchemy import inspect, text
from typer.testing import CliRunner, Result

from interviewkit.app import Container
from interviewkit.auth.service import Role
from interviewkit.cli import app
from interviewkit.config import Settings
from interviewkit.db import create_db_engine
from interviewkit.errors import ProblemError
from interviewkit.migrations import head_revision, upgrade
from interviewkit.observability import configure_logging
from interviewkit.sessions.service import NewFile, SessionDraft
from tests.conftest import make_settings, private_postgres_schema
from tests.fakes.llm_server import FakeLLM
from tests.server import running_server

runner = CliRunner()
API_KEY = re.compile(r"ik_[A-Za-z0-9_-]{20,}")
UNREACHABLE_DB = "postgresql+psycopg://nobody:hunter2-db-password@127.0.0.1:1/none"


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No stray INTERVIEWKIT_* variables or .env file; tables rendered at 80 columns."""
    for name in list(os.environ):
        if name.startswith("INTERVIEWKIT_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


def run(*args: str, code: int = 0) -> Result:
    result = runner.invoke(app, list(args))
    assert result.exit_code == code, (result.stdout, result.stderr, result.exception)
    return result


def run_in(data_dir: Path, *args: str, code: int = 0) -> Result:
    return run("--data-dir", str(data_dir), *args, code=code)


@pytest.fixture
def migrated(data_dir: Path) -> Path:
    run_in(data_dir, "db", "upgrade")
    return data_dir


@pytest.fixture
def local(migrated: Path) -> Iterator[Container]:
    """The application's container on the same data dir the CLI uses."""
    built = Container.build(make_settings(migrated))
    yield built
    built.engine.dispose()


def table_rows(output: str) -> dict[str, list[str]]:
    """The rows of the Rich tables in ``output`` by first cell; wrapped lines are rejoined."""
    rows: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in output.splitlines():
        cells = [cell.strip() for cell in line.split("│")[1:-1]]
        if not cells:
            current = None
        elif cells[0] or current is None:
            current = cells
            rows.setdefault(cells[0], current)
        else:
            for index, cell in enumerate(cells):
                current[index] = f"{current[index]} {cell}".strip()
    return rows


def table_row(output: str, first_cell: str) -> list[str]:
    """The cells after the first cell of the row that starts with ``first_cell``."""
    row = table_rows(output).get(first_cell)
    assert row is not None, f"no table row {first_cell!r} in:\n{output}"
    return row[1:]


def squash(text: str) -> str:
    """Without whitespace, so text folded over several lines compares whole."""
    return "".join(text.split())


def doctor_report(output: str) -> str:
    """The "Ports and machine" table (the configuration table comes first)."""
    _, found, report = output.partition("Ports and machine")
    assert found, output
    return report


def created_key(result: Result) -> tuple[str, str]:
    """(key id, secret) from the output of ``keys create``."""
    key_id = re.search(r"created (key_\w+)", result.stdout)
    secret = API_KEY.search(result.stdout)
    assert key_id is not None, result.stdout
    assert secret is not None, result.stdout
    return key_id.group(1), secret.group(0)


# ---- db -----------------------------------------------------------------------------------


def test_db_upgrade_creates_the_schema_and_current_shows_head(data_dir: Path) -> None:
    before = run_in(data_dir, "db", "current")
    assert "current: None" in before.stdout

    run_in(data_dir, "db", "upgrade")

    container = Container.build(make_settings(data_dir))
    try:
        head = head_revision(container.engine)
        assert {"api_keys", "sessions", "session_files"} <= set(
            inspect(container.engine).get_table_names()
        )
    finally:
        container.engine.dispose()
    assert head is not None
    after = run_in(data_dir, "db", "current")
    assert f"current: {head}  head: {head}" in after.stdout
    run_in(data_dir, "db", "upgrade")  # a second upgrade is harmless


def test_root_options_do_not_leak_into_the_next_invocation(migrated: Path, tmp_path: Path) -> None:
    run_in(migrated, "db", "current")

    result = run("db", "current")  # no --data-dir: the default ./.interviewkit, empty

    assert "current: None" in result.stdout
    assert (tmp_path / ".interviewkit" / "interviewkit.db").is_file()


# ---- keys ---------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.interviewer, Role.admin])
def test_keys_create_prints_a_key_that_authenticates(local: Container, role: Role) -> None:
    result = run_in(local.settings.data_dir, "keys", "create", "--name", "ci", "--role", role)

    key_id, secret = created_key(result)
    principal = local.auth.authenticate(secret)
    assert principal.role == role
    assert principal.key_id == key_id


def test_keys_create_refuses_a_candidate_role(migrated: Path) -> None:
    result = run_in(migrated, "keys", "create", "--name", "x", "--role", "candidate", code=1)

    assert "invite" in result.stderr


def test_keys_list_shows_ids_and_names_but_never_secrets(migrated: Path) -> None:
    first = created_key(run_in(migrated, "keys", "create", "--name", "ci robot"))
    second = created_key(run_in(migrated, "keys", "create", "--name", "ops", "--role", "admin"))

    listing = run_in(migrated, "keys", "list").stdout

    for (key_id, secret), name in ((first, "ci robot"), (second, "ops")):
        assert table_row(listing, key_id)[0] == name  # the whole id, even at 80 columns
        assert squash(secret) not in squash(listing)
        assert secret[10:] not in squash(listing)  # at most the 10-character prefix


def test_keys_revoke_stops_the_key_from_authenticating(local: Container) -> None:
    data_dir = local.settings.data_dir
    revoked_id, revoked = created_key(run_in(data_dir, "keys", "create", "--name", "leaked"))
    _, kept = created_key(run_in(data_dir, "keys", "create", "--name", "kept"))
    assert local.auth.authenticate(revoked).key_id == revoked_id

    result = run_in(data_dir, "keys", "revoke", revoked_id)

    assert revoked_id in result.stdout
    with pytest.raises(ProblemError) as raised:
        local.auth.authenticate(revoked)
    assert raised.value.status == 401
    assert local.auth.authenticate(kept).role == Role.interviewer


def test_revoking_an_unknown_key_exits_1_and_names_it(migrated: Path) -> None:
    result = run_in(migrated, "keys", "revoke", "key_doesnotexist", code=1)

    assert "no API key 'key_doesnotexist'" in result.stderr


# ---- sessions -----------------------------------------------------------------------------


def test_sessions_list_and_show_a_session_created_through_the_service(local: Container) -> None:
    interview = local.sessions.create_session(
        SessionDraft(candidate_name="Ada", files=[NewFile("solution.py", "print('hi')\n")])
    )
    data_dir = local.settings.data_dir

    listing = run_in(data_dir, "sessions", "list").stdout
    status, candidate, *_ = table_row(listing, interview.id)  # the whole id, at 80 columns
    assert status == "active"
    assert candidate == "Ada"

    shown = run_in(data_dir, "sessions", "show", interview.id).stdout
    assert table_row(shown, "id") == [interview.id]
    assert table_row(shown, "candidate_name") == ["Ada"]
    assert table_row(shown, "status") == ["active"]
    assert table_row(shown, "file_count") == ["1"]
    assert table_row(shown, "/solution.py")[0] == "python"


def test_sessions_list_filters_by_candidate(local: Container) -> None:
    ada = local.sessions.create_session(SessionDraft(candidate_name="Ada"))
    grace = local.sessions.create_session(SessionDraft(candidate_name="Grace"))

    listing = run_in(local.settings.data_dir, "sessions", "list", "--candidate", "Grace").stdout

    assert grace.id in listing
    assert ada.id not in listing


def test_sessions_new_prints_a_room_link_whose_token_opens_that_session(migrated: Path) -> None:
    result = run_in(
        migrated,
        "sessions", "new", "--template", "new-grad-30", "--candidate", "Ada", "--minutes", "30",
    )  # fmt: skip

    link = re.search(r"http://\S+/room/(ses_\w+)#token=(\S+)", result.stdout)
    assert link is not None, result.stdout
    session_id, token = link.groups()
    # the server of this data dir: the secret it signs with is the one generated there
    local = Container.build(Settings(_env_file=None, data_dir=migrated))
    principal = local.auth.authenticate(token)
    assert principal.session_id == session_id
    interview = local.sessions.get_session(session_id)
    assert interview.candidate_name == "Ada"
    assert interview.template_id == "new-grad-30"
    assert interview.deadline_at is not None
    assert interview.file_count >= 1  # the template's starter code
    local.engine.dispose()


def test_sessions_new_needs_a_template_or_problem_and_names_an_unknown_one(
    migrated: Path,
) -> None:
    assert "--template" in run_in(migrated, "sessions", "new", code=1).stderr
    assert "nope" in run_in(migrated, "sessions", "new", "--template", "nope", code=1).stderr


def test_sessions_show_of_an_unknown_id_exits_1(migrated: Path) -> None:
    result = run_in(migrated, "sessions", "show", "ses_doesnotexist", code=1)

    assert "ses_doesnotexist" in result.stderr


# ---- a data dir the commands cannot use ---------------------------------------------------


def migrate_to(data_dir: Path, revision: str) -> None:
    engine = create_db_engine(make_settings(data_dir))
    try:
        upgrade(engine, revision)
    finally:
        engine.dispose()


def stamp(data_dir: Path, revision: str) -> None:
    engine = create_db_engine(make_settings(data_dir))
    try:
        with engine.begin() as connection:
            connection.execute(text("UPDATE alembic_version SET version_num = :r"), {"r": revision})
    finally:
        engine.dispose()


DATA_COMMANDS = [
    ["sessions", "list"],
    ["sessions", "show", "ses_abc"],
    ["sessions", "sweep-blobs"],
    ["keys", "list"],
    ["keys", "create", "--name", "ci"],
    ["keys", "revoke", "key_abc"],
    ["recordings", "archive", "ses_abc"],
    ["recordings", "prune"],
]


def assert_told_to_upgrade(result: Result) -> None:
    """Exit 1 with one line saying what to run (Rich folds it at 80 columns), no traceback."""
    assert isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.stdout + result.stderr
    assert "`interviewkitdbupgrade`" in squash(result.stderr), result.stderr


@pytest.mark.parametrize("command", DATA_COMMANDS, ids=" ".join)
def test_a_data_command_on_an_empty_data_dir_says_to_run_db_upgrade(
    tmp_path: Path, command: list[str]
) -> None:
    empty = tmp_path / "empty"

    result = run_in(empty, *command, code=1)

    assert_told_to_upgrade(result)
    assert str(empty) in squash(result.stderr)
    assert not empty.exists()  # a mistyped --data-dir is not created


@pytest.mark.parametrize("command", DATA_COMMANDS, ids=" ".join)
def test_a_data_command_on_an_older_schema_says_to_run_db_upgrade(
    data_dir: Path, command: list[str]
) -> None:
    migrate_to(data_dir, "0005")

    result = run_in(data_dir, *command, code=1)

    assert_told_to_upgrade(result)
    assert "atschema0005" in squash(result.stderr)


def test_a_data_command_on_a_database_without_tables_says_to_run_db_upgrade(
    data_dir: Path,
) -> None:
    run_in(data_dir, "db", "current")  # opens (so creates) an empty SQLite file

    assert_told_to_upgrade(run_in(data_dir, "sessions", "list", code=1))


def test_a_data_command_on_a_newer_schema_says_so(migrated: Path) -> None:
    stamp(migrated, "9999_from_the_future")

    result = run_in(migrated, "sessions", "list", code=1)

    assert "newer" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr


def test_a_data_command_on_an_unreachable_database_names_the_setting(data_dir: Path) -> None:
    result = run(
        "--data-dir", str(data_dir), "--database-url", UNREACHABLE_DB, "keys", "list", code=1
    )

    assert "INTERVIEWKIT_DATABASE_URL" in squash(result.stderr)
    assert "hunter2-db-password" not in result.stderr + result.stdout
    assert "Traceback" not in result.stderr + result.stdout


# ---- doctor -------------------------------------------------------------------------------


def test_doctor_passes_on_a_healthy_local_setup(migrated: Path) -> None:
    output = run_in(migrated, "doctor").stdout

    report = doctor_report(output)
    assert table_row(report, "database")[0] == "OK"
    assert table_row(report, "object_store")[0] == "OK"
    assert table_row(report, "database schema")[0] == "OK"
    if os.geteuid() == 0:  # runs start through setpriv (a vfork), which Debian always has
        assert "vfork" in squash(" ".join(table_row(report, "sandbox start")))
    config = output.partition("Ports and machine")[0]
    assert squash(table_row(config, "data_dir")[0]) == str(migrated)
    assert table_row(config, "object_store") == ["local"]
    assert table_row(config, "secret_key") == ["(generated)"]
    generated = (migrated / "secret_key").read_text().strip()
    assert generated not in squash(output)


def test_doctor_never_prints_a_configured_secret(
    migrated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = "doctor-must-not-show-" + secrets.token_hex(16)
    monkeypatch.setenv("INTERVIEWKIT_SECRET_KEY", secret)

    output = run_in(migrated, "doctor").stdout

    assert table_row(output, "secret_key") == ["(set)"]
    assert secret not in squash(output)


def test_doctor_passes_on_a_fresh_data_dir_that_serve_would_migrate(data_dir: Path) -> None:
    report = doctor_report(run_in(data_dir, "doctor").stdout)

    assert table_row(report, "database")[0] == "OK"
    status, detail, _ = table_row(report, "database schema")
    assert status == "OK"
    assert "will be created on first start" in detail


def test_doctor_passes_on_an_older_sqlite_schema_that_serve_would_upgrade(
    data_dir: Path,
) -> None:
    migrate_to(data_dir, "0005")

    status, detail, _ = table_row(
        doctor_report(run_in(data_dir, "doctor").stdout), "database schema"
    )

    assert status == "OK"
    assert "0005" in detail
    assert "upgraded on first start" in detail


@pytest.mark.postgres
def test_doctor_exits_1_when_a_postgres_schema_is_not_migrated(data_dir: Path) -> None:
    """serve never migrates PostgreSQL itself: there, doctor says to upgrade first."""
    with private_postgres_schema("ik_doctor") as url:
        result = run("--data-dir", str(data_dir), "--database-url", url, "doctor", code=1)

    report = doctor_report(result.stdout)
    assert table_row(report, "database")[0] == "OK"
    status, _, fix = table_row(report, "database schema")
    assert status == "MISSING"
    assert squash(fix) == "interviewkitdbupgrade"


def test_doctor_exits_1_when_the_schema_is_newer_than_this_version(migrated: Path) -> None:
    stamp(migrated, "9999_from_the_future")

    report = doctor_report(run_in(migrated, "doctor", code=1).stdout)

    status, detail, fix = table_row(report, "database schema")
    assert status == "MISSING"
    assert "newer" in detail
    assert "newer" in fix


def test_doctor_exits_1_when_the_database_is_unreachable(data_dir: Path) -> None:
    result = run("--data-dir", str(data_dir), "--database-url", UNREACHABLE_DB, "doctor", code=1)

    status, detail, fix = table_row(doctor_report(result.stdout), "database")
    assert status == "MISSING"
    assert "127.0.0.1" in detail
    assert "INTERVIEWKIT_DATABASE_URL" in squash(fix)  # whole, though the column is narrow
    assert "hunter2-db-password" not in squash(result.stdout)


# ---- serve (a real process) ---------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def clean_env() -> dict[str, str]:
    return {
        name: value for name, value in os.environ.items() if not name.startswith("INTERVIEWKIT_")
    }


def local_http(timeout: float = 10) -> httpx.Client:
    """A client that ignores proxy variables: the server is on 127.0.0.1."""
    return httpx.Client(trust_env=False, timeout=timeout)


def console_script() -> Path:
    script = Path(sys.executable).with_name("interviewkit")
    assert script.is_file(), f"the interviewkit console script is not installed at {script}"
    return script


class Server:
    """``interviewkit serve`` in a subprocess, its output in files."""

    def __init__(self, data_dir: Path, logs: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.stdout_path = logs / f"serve-{self.port}.out"
        self.stderr_path = logs / f"serve-{self.port}.err"
        self._stdout: IO[bytes] = self.stdout_path.open("wb")
        self._stderr: IO[bytes] = self.stderr_path.open("wb")
        command = [str(console_script()), "--data-dir", str(data_dir), "serve"]
        self.process = subprocess.Popen(
            [*command, "--port", str(self.port)],
            cwd=logs,
            env=clean_env(),
            stdout=self._stdout,
            stderr=self._stderr,
        )

    @property
    def stdout(self) -> str:
        return self.stdout_path.read_text()

    @property
    def stderr(self) -> str:
        return self.stderr_path.read_text()

    def describe(self) -> str:
        return f"stdout:\n{self.stdout}\nstderr:\n{self.stderr[-3000:]}"

    def wait_until_live(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(
                    f"serve exited with {self.process.returncode}\n{self.describe()}"
                )
            try:
                with local_http(timeout=1) as http:
                    if http.get(f"{self.url}/healthz").status_code == 200:
                        return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"serve did not answer /healthz within {timeout}s\n{self.describe()}")

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._stdout.close()
        self._stderr.close()
        return self.process.returncode


@pytest.fixture
def servers() -> Iterator[list[Server]]:
    started: list[Server] = []
    yield started
    for server in started:
        server.stop()


def test_serve_prints_an_admin_key_on_first_start_only(
    tmp_path: Path, servers: list[Server]
) -> None:
    data_dir = tmp_path / "served"

    first = Server(data_dir, tmp_path)
    servers.append(first)
    first.wait_until_live()
    assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700  # created private
    found = API_KEY.search(first.stdout)
    assert found is not None, first.describe()
    admin_key = found.group(0)
    bearer = {"Authorization": f"Bearer {admin_key}"}
    with local_http() as http:
        assert http.get(f"{first.url}/api/v1/sessions").status_code == 401
        listed = http.get(f"{first.url}/api/v1/sessions", headers=bearer)
        assert listed.status_code == 200, listed.text
        created = http.post(
            f"{first.url}/api/v1/sessions", headers=bearer, json={"candidate_name": "Ada"}
        )
        assert created.status_code == 201, created.text
    # SIGTERM (what docker stop and systemd send) shuts down gracefully
    assert first.stop() in {0, -signal.SIGTERM}, first.describe()
    assert "Application shutdown complete" in first.stderr

    second = Server(data_dir, tmp_path)
    servers.append(second)
    second.wait_until_live()
    assert API_KEY.search(second.stdout) is None, second.describe()
    assert "serving on" in second.stdout
    with local_http() as http:
        again = http.get(f"{second.url}/api/v1/sessions", headers=bearer)
    assert again.status_code == 200, again.text
    assert [item["candidate_name"] for item in again.json()["items"]] == ["Ada"]


# ---- PostgreSQL -------------------------------------------------------------------------------


@pytest.fixture
def empty_postgres_url() -> Iterator[str]:
    """A fresh, empty schema in the test database (nothing migrated)."""
    with private_postgres_schema("ik_cli") as url:
        yield url


@pytest.mark.postgres
def test_serve_refuses_an_unmigrated_postgres_until_db_upgrade(
    empty_postgres_url: str, data_dir: Path, tmp_path: Path
) -> None:
    serve = [str(console_script()), "--database-url", empty_postgres_url, "--data-dir"]
    refused = subprocess.run(
        [*serve, str(data_dir), "serve", "--port", str(free_port())],
        cwd=tmp_path,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert refused.returncode == 1, refused
    assert "interviewkit db upgrade" in refused.stderr
    assert API_KEY.search(refused.stdout) is None  # no key minted into an unusable database

    run("--database-url", empty_postgres_url, "--data-dir", str(data_dir), "db", "upgrade")

    current = run("--database-url", empty_postgres_url, "db", "current").stdout
    assert re.search(r"current: (\w+)  head: \1", current), current
    key_id, secret = created_key(
        run("--database-url", empty_postgres_url, "keys", "create", "--name", "pg")
    )
    container = Container.build(make_settings(data_dir, database_url=empty_postgres_url))
    try:
        assert container.auth.authenticate(secret).key_id == key_id
    finally:
        container.engine.dispose()


def test_logging_writes_to_the_stderr_of_the_moment(capsys: pytest.CaptureFixture[str]) -> None:
    """A command configures logging while CliRunner has swapped stderr, then closes that
    stream: later records (the next command's, a migration's) must still be written, not
    fail with a 'Logging error' traceback (the CLI tests saw it in a full run)."""
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    try:
        with contextlib.redirect_stderr(io.StringIO()) as swapped:
            configure_logging("INFO", "console")
        swapped.close()
        capsys.readouterr()
        logging.getLogger("interviewkit.test").warning("written after the command")
        captured = capsys.readouterr().err
    finally:
        root.handlers[:], _ = saved
        root.setLevel(saved[1])
    assert "written after the command" in captured
    assert "Logging error" not in captured


def test_serve_hands_the_app_secrets_and_structured_settings_from_its_environment(
    tmp_path: Path, llm: FakeLLM
) -> None:
    """``serve`` re-reads the settings in the app it starts: a secret must arrive as the
    secret (not its masked text) and a dict setting as a dict (the server starts at all)."""
    data_dir = tmp_path / "data"
    run_in(data_dir, "db", "upgrade")
    key = run_in(data_dir, "keys", "create", "--name", "t", "--quiet").stdout.strip()
    environment = {
        "INTERVIEWKIT_LLM_PROVIDER": "anthropic",
        "INTERVIEWKIT_ANTHROPIC_API_KEY": "sk-ant-the-real-key",
        "INTERVIEWKIT_ANTHROPIC_BASE_URL": llm.base_url,
        "INTERVIEWKIT_LLM_PRICES": '{"claude-sonnet-4-5": [3.0, 15.0], "offline": [0, 0]}',
    }
    llm.script("a reply")
    with running_server(data_dir, port=None, **environment) as server, local_http() as http:
        bearer = {"Authorization": f"Bearer {key}"}
        created = http.post(f"{server.base_url}/api/v1/sessions", headers=bearer, json={})
        session_id = created.json()["id"]
        asked = http.post(
            f"{server.base_url}/api/v1/sessions/{session_id}/assistant/messages",
            headers=bearer,
            json={"content": "hello", "stream": False},
        )
    assert asked.status_code == 200, asked.text
    # this SDK version sends the key as a bearer token
    keys = {r.headers.get("authorization") for r in llm.requests}
    assert keys == {"Bearer sk-ant-the-real-key"}


def test_serve_refuses_several_workers_with_the_in_memory_broker(migrated: Path) -> None:
    root = logging.getLogger()
    handlers = root.handlers[:]

    result = run_in(migrated, "serve", "--workers", "2", code=1)

    assert "INTERVIEWKIT_BROKER=redis" in result.stderr
    assert root.handlers == handlers  # refused before it set up the server's logging
