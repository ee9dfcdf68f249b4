"""Judge fidelity: how many fresh LeetCode-style solutions the judge accepts, per language.

The proof corpus (``tests/judge/corpus``: per problem an ``accepted`` file that must pass
every test and a ``wrong`` one with a stated verdict, in python, javascript, java and cpp)
is submitted unchanged through the HTTP API a candidate's submission uses: a session
created from the problem, the solution file written, ``POST .../execute`` in ``submit``
mode. The app runs in this process behind Starlette's TestClient on a temporary SQLite.

``--save FILE`` records the run (per file verdicts, per language counts, the commit) as
the "before" of a later comparison: run it with ``PYTHONPATH=<old checkout>/src`` to
measure an older judge with today's corpus. Without ``--save`` the run is printed next to
the recorded before (``tests/judge/before.json``). One JSON document goes to stdout;
progress goes to stderr.
"""

from __future__ import annotations

import argparse
import json
import secrets
import subprocess
import sys
import tempfile
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(1, str(ROOT))  # the corpus (tests/judge); interviewkit may come from PYTHONPATH

from fastapi.testclient import TestClient  # noqa: E402
from tests.judge.judging import Entry, entries, judge  # noqa: E402

import interviewkit  # noqa: E402
from interviewkit.app import Container, create_app  # noqa: E402
from interviewkit.auth.service import Role  # noqa: E402
from interviewkit.config import Settings  # noqa: E402
from interviewkit.migrations import upgrade  # noqa: E402

BEFORE = ROOT / "tests" / "judge" / "before.json"
LANGUAGES = ("python", "javascript", "java", "cpp")


def commit_of(source: Path) -> str:
    """The commit of the checkout the judged ``interviewkit`` package comes from."""
    found = subprocess.run(
        ["git", "-C", str(source), "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
        check=False,
    )
    dirty = subprocess.run(
        ["git", "-C", str(source), "status", "--porcelain", "--untracked-files=no"],
        capture_output=True,
        text=True,
        check=False,
    )
    commit = found.stdout.strip() or "unknown"
    return commit + ("+dirty" if dirty.stdout.strip() else "")


def run(chosen: list[Entry], workers: int) -> dict[str, Any]:
    """Judge every chosen file; per file verdicts and per language counts."""
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(
            _env_file=None,
            data_dir=Path(folder),
            secret_key=secrets.token_hex(32),
            log_level="WARNING",
            llm_provider="offline",
        )
        container = Container.build(settings)
        upgrade(container.engine)
        _, key = container.auth.create_key("judge fidelity", Role.interviewer)
        client = TestClient(
            create_app(container=container),
            raise_server_exceptions=False,
            headers={"Authorization": f"Bearer {key}"},
        )

        def one(entry: Entry) -> dict[str, Any]:
            verdict = judge(client, entry)
            ok = verdict.status == entry.expected and verdict.error is None
            if entry.kind == "accepted":
                ok = ok and verdict.passed == verdict.total > 0
            print(f"{'ok  ' if ok else 'FAIL'} {entry.id}: {verdict.status}", file=sys.stderr)
            return {
                "id": entry.id,
                "language": entry.language,
                "kind": entry.kind,
                "expected": entry.expected,
                "status": verdict.status,
                "passed": verdict.passed,
                "total": verdict.total,
                "ok": ok,
                "detail": None if ok else verdict.summary()[:2000],
            }

        try:
            with ThreadPoolExecutor(max_workers=workers) as pool:
                files = list(pool.map(one, chosen))
        finally:
            container.executions.close()
            container.recording.close()
            container.engine.dispose()
    summary: dict[str, Any] = {}
    for kind in ("accepted", "wrong"):
        counts = {}
        for language in LANGUAGES:
            mine = [f for f in files if f["kind"] == kind and f["language"] == language]
            if mine:
                good = sum(f["ok"] for f in mine)
                counts[language] = {"ok": good, "total": len(mine)}
        if counts:
            ok = sum(c["ok"] for c in counts.values())
            total = sum(c["total"] for c in counts.values())
            counts["all"] = {"ok": ok, "total": total}
            summary[kind] = counts
    failing = Counter(f["status"] for f in files if not f["ok"])
    source = Path(interviewkit.__file__).resolve().parents[2]
    return {
        "commit": commit_of(source),
        "source": str(source),
        "summary": summary,
        "failing_statuses": dict(failing),
        "files": files,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--save", type=Path, help="Record this run as a 'before' JSON file")
    parser.add_argument("--before", type=Path, default=BEFORE, help="The recorded before")
    parser.add_argument(
        "--kind", choices=("accepted", "wrong", "all"), default="all", help="Which files"
    )
    parser.add_argument("--only", default="", help="Only files whose id contains this")
    parser.add_argument("--workers", type=int, default=2, help="Parallel submissions (<= 2)")
    args = parser.parse_args(argv)
    chosen = [
        e for e in entries() if (args.kind == "all" or e.kind == args.kind) and args.only in e.id
    ]
    result = run(chosen, max(1, min(args.workers, 2)))
    if args.save:
        args.save.write_text(json.dumps(result, indent=2) + "\n")
        json.dump(result["summary"], sys.stdout, indent=2)
    else:
        before = json.loads(args.before.read_text()) if args.before.exists() else None
        report = {
            "before": None
            if before is None
            else {"commit": before["commit"], "summary": before["summary"]},
            "after": {"commit": result["commit"], "summary": result["summary"]},
            "failing": [
                {"id": f["id"], "status": f["status"], "detail": f["detail"]}
                for f in result["files"]
                if not f["ok"]
            ],
        }
        json.dump(report, sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
