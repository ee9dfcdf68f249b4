"""``interviewkit recordings archive|prune`` on a real data dir."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from interviewkit.app import Container
from interviewkit.cli import app
from interviewkit.sessions.service import NewFile, SessionDraft

cli = CliRunner()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_archive_then_prune_from_the_command_line(
    container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INTERVIEWKIT_DATA_DIR", str(container.settings.data_dir))
    monkeypatch.setenv("COLUMNS", "200")
    interview = container.sessions.create_session(SessionDraft(files=[NewFile("/a.py", "")]))
    events = [
        {"id": str(i), "type": "edit", "file": "/a.py", "offset": i, "insert": "x"}
        for i in range(50)
    ]
    container.recording.ingest(interview.id, events)

    archived = cli.invoke(app, ["recordings", "archive", interview.id, "--format", "gzip"])
    assert archived.exit_code == 0, archived.output
    assert "events.ndjson.gz" in archived.output
    assert "51 events" in archived.output
    assert cli.invoke(app, ["recordings", "archive", "ses_nope"]).exit_code == 1

    pruned = cli.invoke(app, ["recordings", "prune", "--older-than", "0"])
    assert pruned.exit_code == 0, pruned.output
    assert f"pruned {interview.id}" in pruned.output
    files, _ = container.recording.workspace_at(interview.id, 10**9)
    assert files == {"/a.py": "x" * 50}
