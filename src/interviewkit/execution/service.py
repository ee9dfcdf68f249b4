"""Executions as the platform sees them: admission, storage, async runs and callbacks.

Runs are CPU-bound, so at most ``exec_workers`` run at once (one per core by default) and
at most ``exec_queue_size`` more wait (:mod:`.admission`); beyond that a request is refused
at once with 429 and ``Retry-After`` instead of joining an unbounded backlog. Requests
become jobs in :mod:`.planner`. Every run is a row in ``executions``; its full result is
JSON in the row when small (``exec_inline_result_kb``), else an object in the object store
(under the session's ``outputs/`` when it belongs to one).

The path of a run is kept short, since on a hello-world it is most of what the platform
adds (see :mod:`.stages`, which times each step for ``Server-Timing``): a small stateless
request is planned on the event loop, the worker slot is awaited there, and one thread hop
runs the engine, frees the slot and commits the finished row with its result; the
response is sent after that commit.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

import anyio
from sqlalchemy import Table, bindparam, insert, update
from sqlalchemy.orm import Session, sessionmaker

from interviewkit.caching import LRUCache
from interviewkit.config import Settings
from interviewkit.db import Prepared, run_write, utcnow
from interviewkit.errors import ProblemError, not_found
from interviewkit.execution import stages
from interviewkit.execution.admission import Admission
from interviewkit.execution.callbacks import PinnedCallback, allowed_networks, call_back
from interviewkit.execution.engine import Engine, ExecutionJob
from interviewkit.execution.limits import Limits
from interviewkit.execution.models import Execution
from interviewkit.execution.planner import JobPlanner, build_engine
from interviewkit.execution.reading import ExecutionReader
from interviewkit.execution.sandbox import Sandbox, create_sandbox
from interviewkit.execution.sandbox.protections import (
    SandboxRefused,
    refuse_process_backend,
    refuse_weak_sandbox,
)
from interviewkit.execution.schemas import (
    EnvironmentInfo,
    ExecutionResult,
    LanguageInfo,
    TestSuite,
)
from interviewkit.execution.toolchains import LanguageRegistry
from interviewkit.sessions.errors import SessionEnded, SessionNotFound
from interviewkit.sessions.models import InterviewSession
from interviewkit.sessions.service import SessionService
from interviewkit.sessions.workspace import expired_error, past_deadline
from interviewkit.storage import ObjectStore, session_key

log = logging.getLogger(__name__)
EXECUTIONS = cast(Table, Execution.__table__)
# a run's row writes go to the driver directly (see Prepared): they are on every run's path
_INSERT_ROW = Prepared(insert(EXECUTIONS))
_FINISH_ROW = Prepared(update(EXECUTIONS).where(EXECUTIONS.c.id == bindparam("execution_id")))

RecordEvent = Callable[[Session, str, dict[str, Any]], None]
"""(transaction, session id, event): record a session event in the caller's transaction;
raises :class:`SessionEnded` or :class:`SessionNotFound` when there is nothing to record
it in (the run is stored all the same)."""

ProblemTests = Callable[[InterviewSession, str, str], tuple[TestSuite, Limits] | None]
"""(session, workspace path, language) -> the problem's tests and limits for a submit."""


def no_problem_tests(_: InterviewSession, __: str, ___: str) -> tuple[TestSuite, Limits] | None:
    """Without a problem bank, sessions carry no hidden tests."""
    return None


@dataclass(frozen=True)
class Submission:
    """A prepared job plus where its result belongs."""

    job: ExecutionJob
    requested_by: str
    session: InterviewSession | None = None
    mode: str | None = None
    callback_url: str | None = None
    callback: PinnedCallback | None = None
    """``callback_url`` checked and pinned to an address (see :mod:`.callbacks`)."""
    key_id: str | None = None
    """The API key that asked (None for a candidate): its runs in flight are capped."""

    @property
    def owners(self) -> tuple[str | None, str | None]:
        """Who this run counts against in :class:`Admission`: its session and its key."""
        return (self.session.id if self.session else None, self.key_id)


class _WorkerSlot:
    """One slot of the workers' limiter, taken on the event loop and freed exactly once:
    by the worker thread as soon as the engine is done (storing the result needs no
    worker), or by the loop if the thread never got that far."""

    def __init__(self, limiter: anyio.CapacityLimiter, borrower: object) -> None:
        self.limiter = limiter
        self.borrower = borrower
        self.loop = asyncio.get_running_loop()
        self.loop_thread = threading.get_ident()
        self._freed = False
        self._lock = threading.Lock()

    def free(self) -> None:
        with self._lock:
            if self._freed:
                return
            self._freed = True
        if threading.get_ident() == self.loop_thread:
            self.limiter.release_on_behalf_of(self.borrower)
        else:  # the limiter belongs to the event loop
            self.loop.call_soon_threadsafe(self.limiter.release_on_behalf_of, self.borrower)


class ExecutionService(ExecutionReader):
    def __init__(
        self,
        factory: sessionmaker[Session],
        store: ObjectStore,
        settings: Settings,
        sessions: SessionService,
        *,
        sandbox: Sandbox | None = None,
        registry: LanguageRegistry | None = None,
        problem_tests: ProblemTests = no_problem_tests,
        on_session_event: Callable[[str, dict[str, Any]], None] | None = None,
        record_event: RecordEvent | None = None,
    ) -> None:
        self.factory = factory
        self.store = store
        self.settings = settings
        self.sessions = sessions
        self.registry = registry or LanguageRegistry()
        self.planner = JobPlanner(self.registry, settings)
        self.problem_tests = problem_tests
        self.on_session_event = on_session_event
        """Called with a session's execution events (the recording listens)."""
        self.record_event = record_event
        """Records a session's execution event inside the transaction that writes its
        row, so a session run costs two commits instead of four; without it, events go
        to ``on_session_event`` after each commit."""
        if sandbox is None:
            refuse_process_backend(settings)  # wherever the app is built, not only in serve
        allowed_networks(settings)  # a bad exec_callback_allow entry fails the build, not a run
        self._sandbox = sandbox
        self._engine: Engine | None = None
        self._engine_lock = threading.Lock()
        self.admission = Admission(
            settings.effective_exec_workers,
            settings.effective_exec_queue_size,
            per_session=settings.exec_max_in_flight_per_session,
            per_key=settings.exec_max_in_flight_per_key,
        )
        self.limiter = anyio.CapacityLimiter(settings.effective_exec_workers)
        self._background: set[asyncio.Task[None]] = set()
        self._results: LRUCache[str, ExecutionResult] = LRUCache(256)
        """Finished results by execution id: a finished result never changes."""
        self._inline_limit = settings.exec_inline_result_kb * 1024
        """Results up to this many bytes of JSON are stored in their row (see _store)."""

    # -- the engine, built on first use (probing toolchains takes a moment) -------------

    @property
    def engine(self) -> Engine:
        """The engine; a sandbox built from the settings must pass the protection policy
        (:class:`SandboxRefused` otherwise, and the next use probes again)."""
        with self._engine_lock:
            if self._engine is None:
                sandbox = self._sandbox
                if sandbox is None:
                    sandbox = create_sandbox(
                        self.settings.sandbox,
                        uid=self.settings.sandbox_uid,
                        gid=self.settings.sandbox_gid,
                    )
                    refuse_weak_sandbox(self.settings, sandbox)
                self._engine = build_engine(self.settings, sandbox, self.registry)
            return self._engine

    def _ready_engine(self) -> Engine:
        try:
            return self.engine
        except SandboxRefused as exc:
            log.error("execution refused: %s", exc)
            raise ProblemError(503, "sandbox_refused", str(exc)) from None

    def languages(self) -> list[LanguageInfo]:
        return [
            LanguageInfo(
                name=chain.name,
                title=chain.spec.title,
                version=chain.version,
                extensions=chain.spec.extensions,
                default_entry=chain.spec.default_entry,
                solution_file=chain.spec.solution_file,
                compiled=chain.spec.compiled,
                environment=EnvironmentInfo.of(chain.spec.environment),
            )
            for chain in self.registry.available().values()
        ]

    # -- preparing a job --------------------------------------------------------------

    def session_job(
        self,
        session_id: str,
        *,
        file: str,
        language: str | None,
        stdin: str,
        suite: TestSuite | None,
        mode: str,
        limits: Limits,
    ) -> tuple[InterviewSession, ExecutionJob]:
        interview, workspace = self.sessions.workspace_snapshot(session_id)
        if not interview.is_active:
            raise ProblemError(
                409, "session_not_active", f"session {session_id} is {interview.status}"
            )
        if past_deadline(interview.deadline_at):  # before the sweeper ends it, too
            raise expired_error(session_id)
        path = self.sessions.normalize(file)
        if path not in workspace:
            raise not_found("file_not_found", f"no file {path!r} in session {session_id}")
        if mode == "submit":
            language = self.planner.toolchain(language, path).name
            found = self.problem_tests(interview, path, language)
            if found is None:
                raise ProblemError(
                    409,
                    "no_problem_tests",
                    "this session has no problem with hidden tests to submit against",
                )
            suite, limits = found
        elif suite is None and not stdin:
            examples = self._examples(interview, path, language, workspace[path])
            if examples is not None:
                suite, limits = examples
        files = {name.lstrip("/"): content for name, content in workspace.items()}
        job = self.planner.job(
            files=files, entry=path, language=language, stdin=stdin, suite=suite, limits=limits
        )
        return interview, job

    def _examples(
        self, interview: InterviewSession, path: str, language: str | None, source: str
    ) -> tuple[TestSuite, Limits] | None:
        """The problem's visible examples, for a ``run`` that brings no tests (LeetCode's Run).

        They come from the very suite ``submit`` judges (same entry point, signature,
        harness, comparison and limits), minus every hidden test. A file that does not
        mention the entry point (a scratch file) or a language the problem is not offered
        in runs plainly, as before.
        """
        name = self.planner.toolchain(language, path).name
        try:
            found = self.problem_tests(interview, path, name)
        except ProblemError as exc:
            if exc.code == "language_not_offered":
                return None
            raise
        if found is None:
            return None
        suite, limits = found
        visible = [test for test in suite.tests if not test.hidden]
        if not visible or (suite.entry_point and suite.entry_point not in source):
            return None
        return suite.model_copy(update={"tests": visible}), limits

    # -- running ----------------------------------------------------------------------

    async def run(self, submission: Submission, *, wait: bool) -> ExecutionResult:
        """Admit, record, run (now or in the background) and store a prepared execution."""
        return await self.run_prepared(lambda: submission, wait=wait, in_thread=False)

    async def run_prepared(
        self, prepare: Callable[[], Submission], *, wait: bool, in_thread: bool
    ) -> ExecutionResult:
        """Prepare, admit, record, run (now or in the background) and store one execution.

        ``prepare`` builds the submission (the planner validates the job): everything that
        can refuse a request happens before it is counted or its row exists; if anything
        still fails once the row exists, the row is finished as ``internal_error`` rather
        than left ``queued`` for ever. ``in_thread``: ``prepare`` blocks (it reads the
        database, resolves a callback's host or plans a large request), so preparing,
        admitting and recording share one worker-thread hop; otherwise a small stateless
        request is prepared on the event loop and costs no hop before its run.

        A stateless run the client waits for writes its row once, finished, in the commit
        that stores its result: nobody can ask for it before the response names it, and
        the response is sent only after that commit. A session's run (the session lists
        it and its recording says it started) and a background run are recorded when
        admitted.
        """
        if self._engine is None:  # built once; afterwards this costs no thread hop
            await anyio.to_thread.run_sync(self._ready_engine)
        created = utcnow()
        if in_thread:
            submission, recorded = await anyio.to_thread.run_sync(
                self._admit, prepare, created, wait, True
            )
        else:
            submission, recorded = self._admit(prepare, created, wait, False)
            if recorded:
                try:
                    await anyio.to_thread.run_sync(self._record_start, submission, created)
                except BaseException:
                    self.admission.leave(*submission.owners)
                    raise
        if wait:
            try:
                return await self._run_and_store(submission, created, recorded=recorded)
            except BaseException:
                if recorded:
                    await self._give_up(submission.job.id)
                raise
            finally:
                self.admission.leave(*submission.owners)
        task = asyncio.create_task(self._run_in_background(submission, created))
        self._background.add(task)
        task.add_done_callback(self._background.discard)
        return self._queued(submission, created)

    def _admit(
        self, prepare: Callable[[], Submission], created: datetime, wait: bool, record: bool
    ) -> tuple[Submission, bool]:
        """Prepare and admit the submission; with ``record``, also write the row it needs
        now. Returns it and whether its row is written before its run."""
        with stages.stage("plan"):
            submission = prepare()
        with stages.stage("admission"):
            self.admission.enter(*submission.owners)
        recorded = not wait or submission.session is not None
        if recorded and record:
            try:
                self._record_start(submission, created)
            except BaseException:
                self.admission.leave(*submission.owners)
                raise
        return submission, recorded

    async def _run_in_background(self, submission: Submission, created: datetime) -> None:
        stages.forget()  # the request that asked for this run has been answered
        try:
            result = await self._run_and_store(
                submission, created, recorded=True, mark_running=True
            )
        except BaseException:
            await self._give_up(submission.job.id)
            raise
        finally:
            self.admission.leave(*submission.owners)
        if submission.callback is not None:
            await self._call_back(submission.callback, result)

    async def _give_up(self, execution_id: str) -> None:
        """Finish a row whose run failed outside the engine (shielded: runs on cancel too)."""
        with anyio.CancelScope(shield=True):
            try:
                await anyio.to_thread.run_sync(self._mark_failed, execution_id)
            except Exception:
                log.exception("could not mark execution %s failed", execution_id)

    def _mark_failed(self, execution_id: str) -> None:
        def mark(db: Session) -> None:
            db.execute(
                update(Execution)
                .where(Execution.id == execution_id, Execution.state != "finished")
                .values(state="finished", status="internal_error", finished_at=utcnow())
            )

        run_write(self.factory, mark, core=True)

    async def _run_and_store(
        self,
        submission: Submission,
        created: datetime,
        *,
        recorded: bool,
        mark_running: bool = False,
    ) -> ExecutionResult:
        """Wait for a worker slot on the event loop (a queued run holds no thread), then
        one thread hop runs the engine, frees the slot and stores the result (a worker
        never idles through a commit's fsync while runs wait)."""
        asked = time.perf_counter()
        borrower = object()
        await self.limiter.acquire_on_behalf_of(borrower)
        stages.add("queue", (time.perf_counter() - asked) * 1000)
        slot = _WorkerSlot(self.limiter, borrower)
        try:
            return await anyio.to_thread.run_sync(
                self._run_on_slot, submission, created, recorded, mark_running, slot
            )
        finally:
            slot.free()

    def _run_on_slot(
        self,
        submission: Submission,
        created: datetime,
        recorded: bool,
        mark_running: bool,
        slot: _WorkerSlot,
    ) -> ExecutionResult:
        result = self._execute(submission.job, mark_running)
        slot.free()
        result.session_id = submission.session.id if submission.session else None
        result.mode = submission.mode
        result.created_at = created.isoformat()
        result.finished_at = utcnow().isoformat()
        self._finish(submission, result, created, recorded)
        return result

    def _execute(self, job: ExecutionJob, mark_running: bool) -> ExecutionResult:
        """Run the job in the engine (on a worker slot). A background run first says it
        is running: its row says ``queued``."""
        started = time.perf_counter()
        if mark_running:
            self._mark_running(job.id)
        try:
            result = self.engine.execute(job)
        except Exception:
            log.exception("execution %s failed inside the engine", job.id)
            result = ExecutionResult(
                id=job.id,
                language=job.toolchain.name,
                language_version=job.toolchain.version,
                status="internal_error",
            )
        self.admission.ran(time.perf_counter() - started)
        clock = stages.current()
        if clock is not None and result.timings is not None:
            clock.add_engine(result.timings)
        return result

    def _finish(
        self, submission: Submission, result: ExecutionResult, created: datetime, recorded: bool
    ) -> None:
        with stages.stage("store"):
            untold = self._store(submission, result, created, recorded=recorded)
        self._tell_untold(submission, untold)

    def _tell_untold(self, submission: Submission, event: dict[str, Any] | None) -> None:
        """Record a session event its row's transaction could not take (see _write)."""
        if submission.session is not None and event is not None:
            with stages.stage("event"):
                self._tell(submission.session.id, event)

    def _tell(self, session_id: str, event: dict[str, Any]) -> None:
        if self.on_session_event is not None:
            try:
                self.on_session_event(session_id, event)
            except Exception:  # the run is stored; a lost timeline marker is not worth a 500
                log.exception("could not record %s for %s", event["type"], session_id)

    def _queued(self, submission: Submission, created: datetime) -> ExecutionResult:
        job = submission.job
        return ExecutionResult(
            id=job.id,
            language=job.toolchain.name,
            language_version=job.toolchain.version,
            state="queued",
            session_id=submission.session.id if submission.session else None,
            mode=submission.mode,
            created_at=created.isoformat(),
        )

    def _start_values(self, submission: Submission, created: datetime) -> dict[str, Any]:
        """The columns of a new execution row (queued)."""
        job = submission.job
        return {
            "id": job.id,
            "session_id": submission.session.id if submission.session else None,
            "requested_by": submission.requested_by,
            "language": job.toolchain.name,
            "mode": submission.mode,
            "state": "queued",
            "status": None,
            "passed": 0,
            "total": len(job.suite.tests) if job.suite else 0,
            "result_key": None,
            "result_json": None,
            "callback_url": submission.callback_url,
            "created_at": created,
            "finished_at": None,
        }

    def _record_start(self, submission: Submission, created: datetime) -> None:
        with stages.stage("record"):
            untold = self._write_start(submission, created)
        self._tell_untold(submission, untold)

    def _write_start(self, submission: Submission, created: datetime) -> dict[str, Any] | None:
        values = self._start_values(submission, created)
        job = submission.job
        event = {
            "type": "execution_requested",
            "execution_id": job.id,
            "file": "/" + job.entry.lstrip("/"),  # the workspace's path
            "mode": submission.mode,
        }

        def start(db: Session) -> None:
            _INSERT_ROW.run(db.connection(), values, set_keys=True)
            if submission.session is not None:  # after the row: the log never names a ghost
                self._record_in(db, submission.session.id, event)

        return self._write(start, submission, event)

    def _write(
        self, work: Callable[[Session], None], submission: Submission, event: dict[str, Any]
    ) -> dict[str, Any] | None:
        """Commit ``work``, which records a session's event inside it when the recording
        can take it there; else the event is returned, to be told once committed."""
        together = submission.session is not None and self.record_event is not None
        run_write(self.factory, work, core=not together)
        return None if together else event

    def _record_in(self, db: Session, session_id: str, event: dict[str, Any]) -> None:
        """The event in the row's transaction, in a savepoint of its own: an ended session
        (nothing to record it in) or a failing recording loses the marker, never the run."""
        if self.record_event is None:
            return
        savepoint = db.begin_nested()
        try:
            self.record_event(db, session_id, event)
        except (SessionEnded, SessionNotFound):
            savepoint.rollback()
        except Exception:
            savepoint.rollback()
            log.exception("could not record %s for %s", event["type"], session_id)
        else:
            savepoint.commit()

    def _mark_running(self, execution_id: str) -> None:
        def mark(db: Session) -> None:
            db.execute(
                update(Execution).where(Execution.id == execution_id).values(state="running")
            )

        run_write(self.factory, mark, core=True)

    def _result_key(self, submission: Submission, execution_id: str) -> str:
        if submission.session is not None:
            session = submission.session
            return session_key(session.id, session.created_at, "outputs", f"{execution_id}.json")
        return f"executions/{utcnow():%Y/%m/%d}/{execution_id}.json"

    def _store(
        self, submission: Submission, result: ExecutionResult, created: datetime, *, recorded: bool
    ) -> dict[str, Any] | None:
        """Finish the row, the result in it when small, in one commit (one fsync).

        A result up to ``exec_inline_result_kb`` lives in the row: the commit that
        finishes the run makes it durable, where an object costs a file of its own, its
        fsync and a rename. A bigger one goes to the object store first (the row, once
        committed, must never name a missing object). A session's result event joins the
        same commit when the recording can take it (else it is returned, to be told).
        """
        text = result.model_dump_json()
        result.stored_json = text
        values: dict[str, Any] = {
            "state": "finished",
            "status": result.status,
            "passed": result.passed,
            "total": result.total,
            "result_key": None,
            "result_json": None,
            "finished_at": utcnow(),
        }
        if len(text) <= self._inline_limit and len(text.encode()) <= self._inline_limit:
            values["result_json"] = text
        else:
            key = self._result_key(submission, result.id)
            self.store.put(key, text.encode(), "application/json")
            values["result_key"] = key

        event = {
            "type": "execution_result",
            "execution_id": result.id,
            "mode": result.mode,
            "status": result.status,
            "passed": result.passed,
            "total": result.total,
        }

        def finish(db: Session) -> None:
            if recorded:
                _FINISH_ROW.run(
                    db.connection(), {"execution_id": result.id, **values}, set_keys=True
                )
            else:
                row = {**self._start_values(submission, created), **values}
                _INSERT_ROW.run(db.connection(), row, set_keys=True)
            if submission.session is not None:
                self._record_in(db, submission.session.id, event)

        return self._write(finish, submission, event)

    async def _call_back(self, callback: PinnedCallback, result: ExecutionResult) -> None:
        await call_back(self.settings, callback, result.model_dump_json().encode(), result.id)

    def close(self) -> None:
        """Stop pre-started sandboxes (the server is shutting down)."""
        with self._engine_lock:
            if self._engine is not None:
                self._engine.sandbox.close()

    async def drain(self) -> None:
        """Wait for background runs (server shutdown, tests)."""
        while self._background:
            await asyncio.gather(*list(self._background), return_exceptions=True)
