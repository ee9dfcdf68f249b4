"""Property: replay at every moment equals applying the accepted edits directly."""

from __future__ import annotations

from datetime import UTC
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from interviewkit.app import Container
from interviewkit.sessions.service import NewFile, SessionDraft

FILES = ("/a.py", "/pkg/b.py")
DATABASE = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {"recording_keyframe_events": 3}


operations = st.lists(
    st.tuples(
        st.sampled_from(FILES),
        st.floats(0, 1.2),  # where: past 1 is past the end, which must be rejected
        st.integers(0, 4),  # how many characters to delete
        st.text(alphabet="ab\n é🙂", max_size=5),
        st.integers(0, 3000),  # ms since the previous event
    ),
    min_size=1,
    max_size=40,
)


@DATABASE
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=operations)
def test_replay_at_every_moment_equals_applying_the_edits(
    container: Container, steps: list[tuple[str, float, int, str, int]]
) -> None:
    draft = SessionDraft(files=[NewFile(path, "") for path in FILES])
    interview = container.sessions.create_session(draft)
    start = int(interview.created_at.replace(tzinfo=UTC).timestamp() * 1000)
    expected: dict[str, str] = dict.fromkeys(FILES, "")
    moments: dict[int, dict[str, str]] = {}  # the state once every event up to then applied
    accepted: list[bool] = []
    events: list[dict[str, Any]] = []
    clock = 1000  # after the session_started keyframe (written at creation)
    for index, (path, where, delete, insert, pause) in enumerate(steps):
        clock += pause
        offset = int(where * len(expected[path]))
        events.append(
            {
                "id": f"e{index}",
                "type": "edit",
                "file": path,
                "offset": offset,
                "delete": delete,
                "insert": insert,
                "ts": start + clock,
            }
        )
        text = expected[path]
        accepted.append(offset + delete <= len(text))
        if accepted[-1]:
            expected[path] = text[:offset] + insert + text[offset + delete :]
        moments[clock] = dict(expected)
    outcomes = container.recording.ingest(interview.id, events)
    assert [o.status for o in outcomes] == ["stored" if ok else "rejected" for ok in accepted]
    for clock_ms, files in moments.items():
        replayed, _ = container.recording.workspace_at(interview.id, clock_ms)
        assert replayed == files
