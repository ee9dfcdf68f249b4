"""Compile once, run many, judge each test: the engine behind the API and the CLI.

One submission is at most one compilation (cached by language, compiler version and the
hash of every source) and, for function-call tests, one sandboxed process that runs every
test in turn and reports each on a result channel. When a test crashes the process, times
out or exhausts memory, that test gets its verdict and the rest continue in a fresh
process; a per-submission time budget bounds the whole. Stdin/stdout tests each get a fresh
sandbox (a program consumes its stdin and exits), still from the one compilation.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import Any

from interviewkit.execution.compare import (
    Comparison,
    first_difference,
    output_matches,
    values_match,
)
from interviewkit.execution.harness import build_harness
from interviewkit.execution.limits import Limits
from interviewkit.execution.precompiled import PCH_TARGET, PrecompiledHeaders, with_headers
from interviewkit.execution.sandbox import BUILD_DIR, Mount, Sandbox, SandboxJob, SandboxResult
from interviewkit.execution.schemas import (
    CallTest,
    CompileResult,
    ExecutionResult,
    RunResult,
    StdioTest,
    TestResult,
    TestSuite,
)
from interviewkit.execution.stages import EngineTimings
from interviewkit.execution.toolchains import Toolchain

COMPILE_OUTPUT_BYTES = 64 * 1024
TEST_STDOUT_BYTES = 8 * 1024
TESTS_FILE = "tests.json"


@dataclass(frozen=True)
class ExecutionJob:
    id: str
    toolchain: Toolchain
    files: Mapping[str, str]
    entry: str
    stdin: str = ""
    suite: TestSuite | None = None
    limits: Limits = field(default_factory=Limits)
    submission_wall_s: float = 30.0


@dataclass
class _Compiled:
    result: CompileResult | None
    build: Path | None


@dataclass(frozen=True)
class _Program:
    """A compiled (or interpreted) submission, ready to run as many times as tests need."""

    job: ExecutionJob
    files: dict[str, bytes]
    entry: str
    build: Path | None
    timings: EngineTimings = field(default_factory=EngineTimings)
    """Where this execution's time went (the engine adds each sandbox's hand-over)."""

    def sandbox_job(
        self,
        *,
        stdin: bytes = b"",
        data: Mapping[str, bytes] | None = None,
        env: Mapping[str, str] | None = None,
        wall_budget_s: float | None = None,
    ) -> SandboxJob:
        job, spec = self.job, self.job.toolchain.spec
        limits = job.limits
        if wall_budget_s is not None and wall_budget_s < limits.wall_time_s:
            limits = replace(limits, wall_time_s=wall_budget_s)
        return SandboxJob(
            command=job.toolchain.run_command(self.entry, limits.memory_mb),
            files=self.files,
            data=data or {},
            stdin=stdin,
            limits=limits.with_memory_allowance(spec.memory_allowance_mb),
            mounts=[Mount(self.build, BUILD_DIR)] if self.build is not None else [],
            binds=spec.binds,
            env={**spec.env, **(env or {})},
            result_channel=data is not None,
        )


def _decode(data: bytes) -> str:
    return data.decode("utf-8", errors="replace")


_fallback_cache_root: Path | None = None


def _walkable_by_anyone(folder: Path) -> bool:
    return all(
        not part.exists() or part.stat().st_mode & 0o001 for part in (folder, *folder.parents)
    )


def compile_cache_root(data_dir: Path) -> Path:
    """``data_dir/exec-cache``, if the sandbox uid can walk there; else a private temp dir.

    bwrap runs as the sandbox's unprivileged uid and opens bind sources itself, so a data
    dir under a 0700 folder (``/root/...``) cannot hold the cache; the fallback lives for
    this process only (entries are content-addressed, so sharing it is safe).
    """
    global _fallback_cache_root
    preferred = (data_dir / "exec-cache").resolve()
    if os.geteuid() != 0 or _walkable_by_anyone(preferred.parent):
        return preferred
    if _fallback_cache_root is None:
        _fallback_cache_root = Path(tempfile.mkdtemp(prefix="interviewkit-exec-cache-"))
    return _fallback_cache_root


class CompileCache:
    """Compiled artifacts by (language, compiler version, sources); LRU by directory mtime.

    An entry is only ever bound read-only into later runs, so the host never reads what a
    compiler (or a planted symlink) left there.
    """

    def __init__(self, root: Path, max_entries: int, uid: int, gid: int) -> None:
        self.root = root
        self.max_entries = max_entries
        self.uid = uid
        self.gid = gid
        root.mkdir(parents=True, exist_ok=True)
        root.chmod(0o711)

    def key(self, toolchain: Toolchain, files: Mapping[str, bytes], command: list[str]) -> str:
        digest = hashlib.sha256()
        digest.update(json.dumps([toolchain.name, toolchain.version, command]).encode())
        for path in sorted(files):
            digest.update(path.encode() + b"\0" + hashlib.sha256(files[path]).digest())
        return digest.hexdigest()

    def lookup(self, key: str) -> Path | None:
        entry = self.root / key
        if entry.is_dir():
            with contextlib.suppress(OSError):
                os.utime(entry)
            return entry
        return None

    def staging(self, key: str) -> Path:
        staging = self.root / f".staging-{key[:16]}-{os.getpid()}-{time.monotonic_ns()}"
        staging.mkdir(mode=0o700)
        if os.geteuid() == 0:
            os.chown(staging, self.uid, self.gid)
        return staging

    def commit(self, key: str, staging: Path) -> Path:
        final = self.root / key
        try:
            staging.rename(final)
        except OSError:  # another submission compiled the same sources first
            shutil.rmtree(staging, ignore_errors=True)
        final.chmod(0o755)
        self._evict()
        return final

    def _evict(self) -> None:
        entries = [entry for entry in self.root.iterdir() if not entry.name.startswith(".")]
        if len(entries) <= self.max_entries:
            return
        entries.sort(key=lambda entry: entry.stat().st_mtime)
        for entry in entries[: len(entries) - self.max_entries]:
            shutil.rmtree(entry, ignore_errors=True)


class Engine:
    def __init__(self, sandbox: Sandbox, cache: CompileCache) -> None:
        self.sandbox = sandbox
        self.cache = cache
        # beside the compile cache (its "." names are never evicted), as private as it
        self.headers = PrecompiledHeaders(cache.root / ".pch")

    # -- entry point --------------------------------------------------------------------

    def execute(self, job: ExecutionJob) -> ExecutionResult:
        """Compile (or find the compilation), run and judge; the result's ``timings`` say
        where the time went (the platform reports them per stage)."""
        started = time.perf_counter()
        timings = EngineTimings()
        result = self._execute(job, timings)
        timings.total_ms = (time.perf_counter() - started) * 1000
        result.timings = timings
        return result

    def _execute(self, job: ExecutionJob, timings: EngineTimings) -> ExecutionResult:
        suite = job.suite if job.suite and job.suite.tests else None
        files = {path: content.encode() for path, content in job.files.items()}
        entry = job.entry
        if suite is not None and suite.calls:
            harness = build_harness(
                job.toolchain.name, job.entry, suite.entry_point or "", suite.signature
            )
            files.update({path: source.encode() for path, source in harness.files.items()})
            entry = harness.main
        files = job.toolchain.spec.environment.prepare(files)
        result = ExecutionResult(
            id=job.id, language=job.toolchain.name, language_version=job.toolchain.version
        )
        compiling = time.perf_counter()
        compiled = self._compile(job, files, entry)
        timings.compile_ms = (time.perf_counter() - compiling) * 1000
        result.compile = compiled.result
        if compiled.result is not None and compiled.result.status != "accepted":
            return self._not_compiled(result, suite, compiled.result)
        program = _Program(job, files, entry, compiled.build, timings)
        if suite is None:
            return self._plain_run(program, result)
        if suite.calls:
            return self._call_tests(program, suite, result)
        return self._stdio_tests(program, suite, result)

    # -- compilation --------------------------------------------------------------------

    def _compile(self, job: ExecutionJob, files: dict[str, bytes], entry: str) -> _Compiled:
        spec = job.toolchain.spec
        if not spec.compiled:
            return _Compiled(None, None)
        sources = sorted(
            path
            for path in files
            if PurePosixPath(path).suffix in spec.source_extensions
            and not (spec.harness_includes_entry and path == job.entry and entry != job.entry)
        )
        command = job.toolchain.compile_command(entry, sources)
        key = self.cache.key(job.toolchain, files, command)
        started = time.monotonic()
        cached = self.cache.lookup(key)
        if cached is not None:
            elapsed = (time.monotonic() - started) * 1000
            return _Compiled(
                CompileResult(status="accepted", output="", time_ms=round(elapsed, 3), cached=True),
                cached,
            )
        staging = self.cache.staging(key)
        headers = self.headers.folder(job.toolchain)
        mounts = [Mount(staging, BUILD_DIR, writable=True)]
        if headers is not None:
            mounts.append(Mount(headers, PCH_TARGET))
        try:
            limits = spec.compile_limits
            outcome = self.sandbox.run(
                SandboxJob(
                    command=with_headers(command, headers),
                    files=files,
                    limits=Limits(
                        cpu_time_s=limits.cpu_time_s,
                        wall_time_s=limits.wall_time_s,
                        memory_mb=limits.memory_mb,
                        processes=limits.processes,
                        file_size_mb=max(job.limits.file_size_mb, 64),
                        tmpfs_mb=max(job.limits.tmpfs_mb, 256),
                        output_bytes=COMPILE_OUTPUT_BYTES,
                    ),
                    mounts=mounts,
                    binds=spec.binds,
                )
            )
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        output = _decode(outcome.stdout + outcome.stderr)
        ok = outcome.exit_code == 0 and not (
            outcome.timed_out or outcome.cpu_exceeded or outcome.memory_exceeded
        )
        if not ok:
            shutil.rmtree(staging, ignore_errors=True)
            output += _compile_limit_note(outcome)
            return _Compiled(
                CompileResult(status="compilation_error", output=output, time_ms=outcome.wall_ms),
                None,
            )
        build = self.cache.commit(key, staging)
        return _Compiled(
            CompileResult(status="accepted", output=output, time_ms=outcome.wall_ms), build
        )

    def _not_compiled(
        self, result: ExecutionResult, suite: TestSuite | None, compiled: CompileResult
    ) -> ExecutionResult:
        result.status = "compilation_error"
        if suite is not None:
            result.tests = [
                TestResult(name=test.name, status="compilation_error", hidden=test.hidden)
                for test in suite.tests
            ]
            result.total = len(suite.tests)
        return result

    # -- running --------------------------------------------------------------------------

    def _run(self, program: _Program, job: SandboxJob) -> SandboxResult:
        """One sandboxed run of the program; its start (or warm hand-over) is counted."""
        outcome = self.sandbox.run(job)
        program.timings.handover_ms += outcome.handover_ms
        program.timings.served.append(outcome.warm or "cold")
        return outcome

    def _plain_run(self, program: _Program, result: ExecutionResult) -> ExecutionResult:
        outcome = self._run(program, program.sandbox_job(stdin=program.job.stdin.encode()))
        result.run = _run_result(outcome)
        result.status = _process_verdict(program.job, outcome) or "accepted"
        return result

    def _stdio_tests(
        self, program: _Program, suite: TestSuite, result: ExecutionResult
    ) -> ExecutionResult:
        job = program.job
        rule = Comparison(suite.float_tolerance, suite.unordered)
        deadline = time.monotonic() + job.submission_wall_s
        runs: list[SandboxResult] = []
        visible_runs: list[SandboxResult] = []
        for test in suite.tests:
            assert isinstance(test, StdioTest)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                result.tests.append(_out_of_time(test.name, test.hidden, test.stdin))
                continue
            outcome = self._run(
                program, program.sandbox_job(stdin=test.stdin.encode(), wall_budget_s=remaining)
            )
            runs.append(outcome)
            if not test.hidden:
                visible_runs.append(outcome)
            stdout = _decode(outcome.stdout)
            status = _process_verdict(job, outcome)
            if status is None:
                good = output_matches(test.expected_stdout, stdout, rule)
                status = "accepted" if good else "wrong_answer"
            result.tests.append(
                TestResult(
                    name=test.name,
                    status=status,
                    hidden=test.hidden,
                    input=test.stdin,
                    expected=test.expected_stdout,
                    actual=stdout,
                    stdout=stdout,
                    stderr=_decode(outcome.stderr),
                    time_ms=outcome.cpu_ms,
                )
            )
        result.run = _combined_run(runs, include_output=False)
        result.visible_run = _combined_run(visible_runs, include_output=False)
        return _summarise(result)

    def _call_tests(
        self, program: _Program, suite: TestSuite, result: ExecutionResult
    ) -> ExecutionResult:
        """Visible tests run in processes of their own, hidden ones in others.

        A process can read every input in its tests file and print it at any moment
        (at import, inside a visible test, on exit), so output can only be attributed to
        visible tests if the process never held a hidden input: the two groups never share
        a process, and candidates see only the visible group's output (``visible_run``).
        """
        job = program.job
        calls = [test for test in suite.tests if isinstance(test, CallTest)]
        rule = Comparison(suite.float_tolerance, suite.unordered)
        verdicts: dict[int, TestResult] = {}
        runs: list[SandboxResult] = []
        visible_runs: list[SandboxResult] = []
        deadline = time.monotonic() + job.submission_wall_s
        for hidden in (False, True):
            indices = [index for index, test in enumerate(calls) if test.hidden is hidden]
            group = [calls[index] for index in indices]
            data = {TESTS_FILE: json.dumps({"tests": [test.input for test in group]}).encode()}
            local: dict[int, TestResult] = {}
            start = 0
            while start < len(group):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                env = {
                    "IK_TESTS": f"/ik/{TESTS_FILE}",
                    "IK_START": str(start),
                    "IK_STDOUT_LIMIT": str(TEST_STDOUT_BYTES),
                }
                outcome = self._run(
                    program, program.sandbox_job(data=data, env=env, wall_budget_s=remaining)
                )
                runs.append(outcome)
                if not hidden:
                    visible_runs.append(outcome)
                start = self._read_calls(job, group, rule, outcome, start, local)
            verdicts.update({indices[at]: verdict for at, verdict in local.items()})
        for index, test in enumerate(calls):
            if index not in verdicts:
                verdicts[index] = _out_of_time(test.name, test.hidden, test.input)
        result.tests = [verdicts[index] for index in range(len(calls))]
        result.run = _combined_run(runs, include_output=True)
        result.visible_run = _combined_run(visible_runs, include_output=True)
        return _summarise(result)

    def _read_calls(
        self,
        job: ExecutionJob,
        calls: list[CallTest],
        rule: Comparison,
        outcome: SandboxResult,
        start: int,
        verdicts: dict[int, TestResult],
    ) -> int:
        """Judge what one harness process reported; return where the next process starts."""
        running: int | None = None
        for line in outcome.result_lines():
            index = line.get("index")
            if not isinstance(index, int) or not start <= index < len(calls):
                continue
            if line.get("event") == "start":
                running = index
            elif line.get("event") == "result":
                verdicts[index] = _call_verdict(calls[index], line, rule)
                running = None
        reported = [index for index in verdicts if index >= start]
        next_start = max(reported, default=start - 1) + 1
        if running is None and next_start >= len(calls):
            return next_start
        status = _process_verdict(job, outcome) or "runtime_error"
        message = _death_message(job, outcome)
        if running is None and not reported:
            # the harness died before its first test (e.g. the candidate's file does not
            # import): every remaining test shares that failure instead of restarting
            for index in range(start, len(calls)):
                verdicts[index] = _failed(calls[index], status, message)
            return len(calls)
        crashed = running if running is not None else next_start
        verdicts[crashed] = _failed(calls[crashed], status, message)
        return crashed + 1


# ----------------------------------------------------------------------------------------
# verdicts


def _process_verdict(job: ExecutionJob, outcome: SandboxResult) -> Any:
    """The status a finished process earned on its own, or None if it exited cleanly."""
    if outcome.output_exceeded:
        return "output_limit_exceeded"
    stderr = _decode(outcome.stderr[-4096:])
    markers = job.toolchain.spec.memory_error_markers
    if outcome.memory_exceeded or (
        outcome.exit_code != 0 and any(marker in stderr for marker in markers)
    ):
        return "memory_limit_exceeded"
    if outcome.timed_out or outcome.cpu_exceeded:
        return "time_limit_exceeded"
    if outcome.exit_code != 0 or outcome.signal is not None:
        return "runtime_error"
    return None


def _death_message(job: ExecutionJob, outcome: SandboxResult) -> str:
    status = _process_verdict(job, outcome)
    limits = job.limits
    if status == "output_limit_exceeded":
        return f"output exceeded {limits.output_bytes} bytes"
    if status == "memory_limit_exceeded":
        return f"memory limit of {limits.memory_mb} MB exceeded"
    if status == "time_limit_exceeded":
        if outcome.cpu_exceeded:
            return f"CPU time limit of {limits.cpu_time_s:g} s exceeded"
        return f"wall-clock limit of {limits.wall_time_s:g} s exceeded"
    tail = _decode(outcome.stderr[-2000:]).strip()
    if outcome.signal is not None:
        return f"killed by signal {outcome.signal}" + (f"\n{tail}" if tail else "")
    if outcome.exit_code not in (None, 0):
        return f"exited with code {outcome.exit_code}" + (f"\n{tail}" if tail else "")
    return "the program exited during this test"


def _call_verdict(test: CallTest, line: Mapping[str, Any], rule: Comparison) -> TestResult:
    stdout = line.get("stdout") if isinstance(line.get("stdout"), str) else None
    time_ms = line.get("time_ms") if isinstance(line.get("time_ms"), int | float) else None
    if not line.get("ok"):
        kind = line.get("kind")
        status = "memory_limit_exceeded" if kind == "memory_limit_exceeded" else "runtime_error"
        message = str(line.get("error", ""))[:4000]
        return _failed(test, status, message, stdout=stdout, time_ms=time_ms)
    actual = line.get("actual")
    good = values_match(test.expected, actual, rule)
    return TestResult(
        name=test.name,
        status="accepted" if good else "wrong_answer",
        hidden=test.hidden,
        input=test.input,
        expected=test.expected,
        actual=actual,
        stdout=stdout,
        message=None if good else first_difference(test.expected, actual, rule),
        time_ms=time_ms,
    )


def _failed(
    test: CallTest,
    status: Any,
    message: str,
    *,
    stdout: str | None = None,
    time_ms: float | None = None,
) -> TestResult:
    return TestResult(
        name=test.name,
        status=status,
        hidden=test.hidden,
        input=test.input,
        expected=test.expected,
        stdout=stdout,
        message=message,
        time_ms=time_ms,
    )


def _out_of_time(name: str, hidden: bool, given: Any) -> TestResult:
    return TestResult(
        name=name,
        status="time_limit_exceeded",
        hidden=hidden,
        input=given,
        message="not run: the submission's time budget was spent",
    )


def _compile_limit_note(outcome: SandboxResult) -> str:
    if outcome.memory_exceeded:
        return "\n[compiler stopped: memory limit exceeded]"
    if outcome.timed_out or outcome.cpu_exceeded:
        return "\n[compiler stopped: compile time limit exceeded]"
    if outcome.output_exceeded:
        return "\n[compiler stopped: too much output]"
    return ""


def _run_result(outcome: SandboxResult) -> RunResult:
    return RunResult(
        stdout=_decode(outcome.stdout),
        stderr=_decode(outcome.stderr),
        exit_code=outcome.exit_code,
        signal=outcome.signal,
        time_ms=outcome.cpu_ms,
        wall_ms=outcome.wall_ms,
        memory_kb=outcome.memory_kb,
        stdout_truncated=outcome.stdout_truncated,
        stderr_truncated=outcome.stderr_truncated,
    )


def _combined_run(runs: list[SandboxResult], *, include_output: bool) -> RunResult | None:
    if not runs:
        return None
    last = runs[-1]
    return RunResult(
        stdout="".join(_decode(run.stdout) for run in runs) if include_output else "",
        stderr="".join(_decode(run.stderr) for run in runs) if include_output else "",
        exit_code=last.exit_code,
        signal=last.signal,
        time_ms=round(sum(run.cpu_ms for run in runs), 3),
        wall_ms=round(sum(run.wall_ms for run in runs), 3),
        memory_kb=max(run.memory_kb for run in runs),
        stdout_truncated=any(run.stdout_truncated for run in runs),
        stderr_truncated=any(run.stderr_truncated for run in runs),
    )


def _summarise(result: ExecutionResult) -> ExecutionResult:
    result.total = len(result.tests)
    result.passed = sum(test.status == "accepted" for test in result.tests)
    failing = next((test for test in result.tests if test.status != "accepted"), None)
    result.status = failing.status if failing else "accepted"
    return result
