"""Concurrent writers on one session: quotas hold, and no update is silently lost."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from interviewkit.app import Container
from interviewkit.errors import ProblemError
from interviewkit.sessions.service import IfMatch, NewFile, SessionDraft


def _outcome(call: Any) -> str:
    try:
        call()
    except ProblemError as error:
        return error.code
    return "ok"


def test_only_one_of_many_racing_conditional_writes_wins(container: Container) -> None:
    service = container.sessions
    session = service.create_session(SessionDraft(files=[NewFile("/a.py", "v1")]))

    def write(index: int) -> str:
        return _outcome(
            lambda: service.write_file(
                session.id, "/a.py", f"writer {index}", if_match=IfMatch(frozenset({1}))
            )
        )

    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(write, range(16)))
    assert outcomes.count("ok") == 1
    assert outcomes.count("version_mismatch") == 15
    final = service.read_file(session.id, "/a.py")
    assert final.file.version == 2
    winner = outcomes.index("ok")
    assert final.content == f"writer {winner}"


class TestQuotaUnderContention:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, Any]:
        return {"max_files_per_session": 10}

    def test_file_count_never_exceeds_the_limit(self, container: Container) -> None:
        service = container.sessions
        session = service.create_session(SessionDraft())

        def create(index: int) -> str:
            return _outcome(lambda: service.create_file(session.id, f"/f{index}.py", "x" * index))

        with ThreadPoolExecutor(max_workers=8) as pool:
            outcomes = list(pool.map(create, range(30)))
        assert outcomes.count("ok") == 10
        assert outcomes.count("too_many_files") == 20
        interview, files = service.list_files(session.id)
        assert interview.file_count == len(files) == 10
        assert interview.workspace_bytes == sum(row.size for row in files)
