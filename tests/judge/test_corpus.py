"""The proof corpus: fresh LeetCode-style solutions, submitted unchanged through the API.

Each accepted file must pass every test of its problem (visible, hidden, large, fresh) in
its language; each wrong file (a plausible candidate bug) must get the verdict its first
line states. One app and one interviewer client serve the whole module; the engine's
compile cache is shared by the run.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from interviewkit.app import Container, create_app
from interviewkit.auth.service import Role
from tests.conftest import Keys, make_settings
from tests.execution.conftest import needs, requires_sandbox
from tests.judge.judging import Entry, entries, judge

ENTRIES = list(entries())


@pytest.fixture(scope="module")
def judge_client(
    tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path
) -> Iterator[TestClient]:
    folder = tmp_path_factory.mktemp("judge")
    shutil.copy(sqlite_template, folder / "interviewkit.db")
    container = Container.build(make_settings(folder, llm_provider="offline"))
    _, key = container.auth.create_key("judge corpus", Role.interviewer)
    client = TestClient(
        create_app(container=container), raise_server_exceptions=False, headers=Keys.bearer(key)
    )
    yield client
    container.executions.close()
    container.recording.close()
    container.engine.dispose()


def test_the_corpus_covers_16_problems_in_4_languages_with_a_wrong_twin_each() -> None:
    by_problem: dict[str, set[tuple[str, str]]] = {}
    for entry in ENTRIES:
        by_problem.setdefault(entry.problem, set()).add((entry.language, entry.kind))
        assert entry.expected in {
            "accepted",
            "wrong_answer",
            "time_limit_exceeded",
            "runtime_error",
            "memory_limit_exceeded",
        }, entry.id
    full = {
        (lang, kind)
        for lang in ("python", "javascript", "java", "cpp")
        for kind in ("accepted", "wrong")
    }
    complete = [problem for problem, files in by_problem.items() if files == full]
    assert len(complete) >= 16, sorted(set(by_problem) - set(complete))


@requires_sandbox
@pytest.mark.parametrize(
    "entry", [pytest.param(e, id=e.id, marks=needs(e.language)) for e in ENTRIES]
)
def test_a_corpus_file_gets_its_verdict(judge_client: TestClient, entry: Entry) -> None:
    verdict = judge(judge_client, entry)
    assert verdict.error is None, verdict.error
    assert verdict.status == entry.expected, verdict.summary()
    if entry.kind == "accepted":
        assert verdict.passed == verdict.total > 0, verdict.summary()
