"""The proof corpus and how it is judged: each file submitted unchanged through the HTTP API.

Shared by ``tests/judge/test_corpus.py`` and ``bench/judge_fidelity.py`` (the bench also runs
it against an older checkout, so this module needs nothing newer than the HTTP API itself:
create a session from a problem, write the solution file, ``POST .../execute`` with
``mode: submit``).

Layout: ``corpus/<problem>/accepted.<ext>`` must be accepted on every test;
``corpus/<problem>/wrong.<ext>`` is a plausible candidate bug whose first line is a comment
``expect: <verdict>`` naming the verdict the submission must get.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

CORPUS = Path(__file__).parent / "corpus"
LANGUAGE_OF = {"py": "python", "js": "javascript", "java": "java", "cpp": "cpp"}
SOLUTION_FILE = {
    "python": "solution.py",
    "javascript": "solution.js",
    "java": "Solution.java",
    "cpp": "solution.cpp",
}
_EXPECT = re.compile(r"^\s*(?:#|//)\s*expect:\s*([a-z_]+)\s*$")


class Client(Protocol):
    """The part of Starlette's ``TestClient`` the judge uses (an authenticated interviewer)."""

    def post(self, url: str, *, json: Any = ...) -> Any: ...

    def put(self, url: str, *, json: Any = ...) -> Any: ...


@dataclass(frozen=True)
class Entry:
    """One corpus file and the verdict it must get."""

    problem: str
    language: str
    kind: str  # "accepted" or "wrong"
    path: Path

    @property
    def id(self) -> str:
        return f"{self.problem}/{self.language}/{self.kind}"

    @property
    def source(self) -> str:
        return self.path.read_text()

    @property
    def expected(self) -> str:
        """``accepted``, or the verdict the wrong file's first line states."""
        if self.kind == "accepted":
            return "accepted"
        first = self.source.splitlines()[0]
        match = _EXPECT.match(first)
        if match is None:
            raise ValueError(f"{self.path}: the first line must be a comment 'expect: <verdict>'")
        return match.group(1)


def entries() -> Iterator[Entry]:
    """Every corpus file, sorted by problem, language, kind."""
    for path in sorted(CORPUS.glob("*/*.*")):
        language = LANGUAGE_OF.get(path.suffix.lstrip("."))
        if language is None or path.stem not in ("accepted", "wrong"):
            continue
        yield Entry(path.parent.name, language, path.stem, path)


@dataclass(frozen=True)
class Verdict:
    """What the API answered for one submission."""

    status: str | None
    passed: int
    total: int
    failures: list[dict[str, Any]]
    """The first failing tests, each trimmed to name, status, message and output."""
    compile_output: str | None = None
    error: str | None = None
    """Set when the session could not be created or the file written (before any judging)."""

    def summary(self) -> str:
        if self.error:
            return self.error
        head = f"{self.status}: {self.passed}/{self.total} tests passed"
        lines = [head]
        if self.compile_output:
            lines.append(self.compile_output[:1500])
        for test in self.failures:
            lines.append(repr(test)[:1500])
        return "\n".join(lines)


def _trim(test: dict[str, Any]) -> dict[str, Any]:
    kept = {k: test.get(k) for k in ("name", "status", "message", "stderr", "actual", "expected")}
    for key, value in kept.items():
        text = repr(value)
        if len(text) > 300:
            kept[key] = text[:300] + "..."
    return kept


def judge(client: Client, entry: Entry) -> Verdict:
    """Submit ``entry`` unchanged, as a candidate of a session on its problem would."""
    created = client.post(
        "/api/v1/sessions", json={"problem_id": entry.problem, "language": entry.language}
    )
    if created.status_code != 201:
        return Verdict(None, 0, 0, [], error=f"session: {created.status_code} {created.text}")
    session = created.json()["id"]
    path = SOLUTION_FILE[entry.language]
    written = client.put(f"/api/v1/sessions/{session}/files/{path}", json={"content": entry.source})
    if written.status_code not in (200, 201):
        return Verdict(None, 0, 0, [], error=f"write: {written.status_code} {written.text}")
    response = client.post(
        f"/api/v1/sessions/{session}/execute", json={"file": path, "mode": "submit"}
    )
    if response.status_code != 200:
        return Verdict(None, 0, 0, [], error=f"submit: {response.status_code} {response.text}")
    body = response.json()
    failed = [_trim(t) for t in body.get("tests", []) if t.get("status") != "accepted"]
    compiled = body.get("compile") or {}
    output = compiled.get("output") if compiled.get("status") not in (None, "accepted") else None
    return Verdict(
        body.get("status"), body.get("passed", 0), body.get("total", 0), failed[:3], output
    )
