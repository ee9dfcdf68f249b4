"""Property: after any mix of recorded events and files-API writes, moves and deletes, the
workspace the files API serves equals the replay of the log (one source of truth)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from interviewkit.app import Container
from interviewkit.errors import ProblemError
from interviewkit.sessions.service import NewFile, SessionDraft

PATHS = ("/a.py", "/b.py", "/pkg/c.py", "/pkg", "/lib", "/pkg/d/e.py")
DATABASE = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

path = st.sampled_from(PATHS)
text = st.text(alphabet="ab\n é🙂", max_size=6)
step = st.one_of(
    st.tuples(st.just("edit"), path, st.floats(0, 1.2), st.integers(0, 3), text),
    st.tuples(st.just("created"), path, text),
    st.tuples(st.just("deleted"), path),
    st.tuples(st.just("moved"), path, path),
    st.tuples(st.just("api_write"), path, text),
    st.tuples(st.just("api_move"), path, path),
    st.tuples(st.just("api_delete"), path),
    st.tuples(st.just("flush")),
)


def _event(op: tuple[Any, ...], files: dict[str, str]) -> dict[str, Any]:
    kind = op[0]
    if kind == "edit":
        _, file, where, delete, insert = op
        offset = int(where * len(files.get(file, "")))
        return {"type": "edit", "file": file, "offset": offset, "delete": delete, "insert": insert}
    if kind == "created":
        return {"type": "file_created", "file": op[1], "content": op[2]}
    if kind == "deleted":
        return {"type": "file_deleted", "file": op[1]}
    return {"type": "file_moved", "file": op[1], "to": op[2]}


@DATABASE
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=st.lists(step, min_size=1, max_size=30))
def test_the_workspace_always_equals_the_replay_of_its_log(
    container: Container, steps: list[tuple[Any, ...]]
) -> None:
    sessions, recording = container.sessions, container.recording
    draft = SessionDraft(files=[NewFile("/a.py", "start"), NewFile("/pkg/c.py", "c")])
    sid = sessions.create_session(draft).id
    batch: list[dict[str, Any]] = []

    def check() -> None:
        interview, files = sessions.workspace_snapshot(sid)
        assert files == recording.workspace_at(sid, 10**12)[0]
        assert interview.file_count == len(files)
        assert interview.workspace_bytes == sum(len(t.encode()) for t in files.values())

    def flush() -> None:
        if batch:
            recording.ingest(sid, list(batch))
            batch.clear()
            check()

    for op in steps:
        kind = op[0]
        if kind == "flush":
            flush()
        elif kind.startswith("api_"):
            flush()
            try:
                if kind == "api_write":
                    sessions.write_file(sid, op[1], op[2])
                elif kind == "api_move":
                    sessions.move(sid, op[1], op[2])
                else:
                    sessions.delete_file(sid, op[1], recursive=True)
            except ProblemError:
                pass  # refused like any conflicting write: nothing changed
            check()
        else:
            batch.append(_event(op, sessions.workspace_snapshot(sid)[1]))
    flush()
    check()
