"""Requests and results of the execution API (the CLI prints the same result JSON)."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_validator

from interviewkit.execution.harness import Signature
from interviewkit.execution.limits import LimitsRequest
from interviewkit.execution.models import Execution
from interviewkit.execution.stages import EngineTimings
from interviewkit.languages import Environment

Status = Literal[
    "accepted",
    "wrong_answer",
    "time_limit_exceeded",
    "memory_limit_exceeded",
    "output_limit_exceeded",
    "runtime_error",
    "compilation_error",
    "internal_error",
]
STATUSES: tuple[str, ...] = Status.__args__  # type: ignore[attr-defined]
State = Literal["queued", "running", "finished"]

TestName = Annotated[str, Field(min_length=1, max_length=100)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class StdioTest(Strict):
    name: TestName
    stdin: str = Field("", max_length=16 * 1024 * 1024)
    expected_stdout: str
    hidden: bool = False


class CallTest(Strict):
    name: TestName
    input: list[Any]
    expected: Any = None
    hidden: bool = False


class TestSuite(Strict):
    """What ``--tests`` and a problem carry: the tests plus how to call and compare."""

    __test__: ClassVar[bool] = False  # not a pytest test class

    entry_point: str | None = Field(None, pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
    signature: Signature | None = None
    tests: list[StdioTest | CallTest] = Field(default_factory=list)
    float_tolerance: float | None = Field(None, ge=0, le=1)
    unordered: bool = False

    @model_validator(mode="after")
    def _one_kind(self) -> TestSuite:
        kinds = {type(test) for test in self.tests}
        if len(kinds) > 1:
            raise ValueError("tests must all be stdin/stdout tests or all function-call tests")
        if CallTest in kinds and not self.entry_point:
            raise ValueError("function-call tests need an entry_point")
        names = [test.name for test in self.tests]
        if len(set(names)) != len(names):
            raise ValueError("test names must be unique")
        return self

    @property
    def calls(self) -> bool:
        return any(isinstance(test, CallTest) for test in self.tests)


class SourceFile(Strict):
    path: str = Field(min_length=1, max_length=1024)
    content: str


class ExecuteRequest(Strict):
    """``POST /api/v1/execute``: stateless, like Piston and Judge0."""

    language: str | None = Field(None, max_length=32)
    files: list[SourceFile] = Field(min_length=1)
    entry: str | None = Field(None, max_length=1024)
    stdin: str = ""
    entry_point: str | None = Field(None, pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
    signature: Signature | None = None
    tests: list[StdioTest | CallTest] | None = None
    float_tolerance: float | None = Field(None, ge=0, le=1)
    unordered: bool = False
    limits: LimitsRequest | None = None
    wait: bool = True
    callback_url: str | None = Field(None, max_length=2048, pattern=r"^https?://")


class SessionExecuteRequest(Strict):
    """``POST /api/v1/sessions/{id}/execute``: runs the session's workspace."""

    file: str = Field(min_length=1, max_length=1024)
    language: str | None = Field(None, max_length=32)
    stdin: str = ""
    entry_point: str | None = Field(None, pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
    signature: Signature | None = None
    tests: list[StdioTest | CallTest] | None = None
    mode: Literal["run", "submit"] = "run"
    limits: LimitsRequest | None = None
    wait: bool = True
    callback_url: str | None = Field(None, max_length=2048, pattern=r"^https?://")


class CompileResult(BaseModel):
    status: Status
    output: str
    time_ms: float
    cached: bool = False


class RunResult(BaseModel):
    stdout: str = ""
    stderr: str = ""
    exit_code: int | None = None
    signal: int | None = None
    time_ms: float = 0
    wall_ms: float = 0
    memory_kb: int = 0
    stdout_truncated: bool = False
    stderr_truncated: bool = False


class TestResult(BaseModel):
    __test__: ClassVar[bool] = False  # not a pytest test class

    name: str
    status: Status
    hidden: bool = False
    input: Any = None
    expected: Any = None
    actual: Any = None
    stdout: str | None = None
    stderr: str | None = None
    message: str | None = None
    time_ms: float | None = None


class ExecutionResult(BaseModel):
    id: str
    language: str
    language_version: str
    status: Status | None = None
    state: State = "finished"
    compile: CompileResult | None = None
    run: RunResult | None = None
    visible_run: RunResult | None = None
    """The part of ``run`` from processes that never held a hidden test's input: what a
    candidate gets as ``run`` when the suite has hidden tests (None in the candidate view)."""
    tests: list[TestResult] = Field(default_factory=list)
    passed: int = 0
    total: int = 0
    session_id: str | None = None
    mode: str | None = None
    created_at: str | None = None
    finished_at: str | None = None
    _timings: EngineTimings | None = PrivateAttr(default=None)
    _stored_json: str | None = PrivateAttr(default=None)

    @property
    def timings(self) -> EngineTimings | None:
        """Where the engine spent this run's time (never part of the JSON: the platform
        reports it in ``Server-Timing``); None for a result read back from storage."""
        return self._timings

    @timings.setter
    def timings(self, value: EngineTimings | None) -> None:
        self._timings = value

    @property
    def stored_json(self) -> str | None:
        """The JSON this result was stored as, once it is final: a staff response sends it
        as is instead of serialising the same result a second time."""
        return self._stored_json

    @stored_json.setter
    def stored_json(self, value: str | None) -> None:
        self._stored_json = value

    def for_candidate(self) -> ExecutionResult:
        """The candidate view of this result (see :func:`candidate_view`)."""
        return candidate_view(self)


def candidate_view(result: ExecutionResult) -> ExecutionResult:
    """What a candidate may see of a run: built field by field from an allow-list.

    Rule: no byte produced while a hidden test ran (or by a process that held a hidden
    input) reaches a candidate - not in ``run``, not per test, not through the assistant
    or the session log. Hidden tests keep only their name and verdict; ``run`` is the
    output of the visible tests' processes only. Fields added to the result later stay
    out of this view until they are added here deliberately.
    """
    hidden = any(test.hidden for test in result.tests)
    run = result.visible_run if hidden else result.run
    return ExecutionResult(
        id=result.id,
        language=result.language,
        language_version=result.language_version,
        status=result.status,
        state=result.state,
        compile=_compile_view(result.compile),
        run=_run_view(run),
        tests=[_test_view(test) for test in result.tests],
        passed=result.passed,
        total=result.total,
        session_id=result.session_id,
        mode=result.mode,
        created_at=result.created_at,
        finished_at=result.finished_at,
    )


def _compile_view(compiled: CompileResult | None) -> CompileResult | None:
    """Compilation happens before any test runs and never sees a test's input."""
    if compiled is None:
        return None
    return CompileResult(
        status=compiled.status,
        output=compiled.output,
        time_ms=compiled.time_ms,
        cached=compiled.cached,
    )


def _run_view(run: RunResult | None) -> RunResult | None:
    if run is None:
        return None
    return RunResult(
        stdout=run.stdout,
        stderr=run.stderr,
        exit_code=run.exit_code,
        signal=run.signal,
        time_ms=run.time_ms,
        wall_ms=run.wall_ms,
        memory_kb=run.memory_kb,
        stdout_truncated=run.stdout_truncated,
        stderr_truncated=run.stderr_truncated,
    )


def _test_view(test: TestResult) -> TestResult:
    if test.hidden:
        return TestResult(name=test.name, status=test.status, hidden=True)
    return TestResult(
        name=test.name,
        status=test.status,
        input=test.input,
        expected=test.expected,
        actual=test.actual,
        stdout=test.stdout,
        stderr=test.stderr,
        message=test.message,
        time_ms=test.time_ms,
    )


# ---- languages, listing runs and the callback key --------------------------------------


class EnvironmentInfo(BaseModel):
    """What code in a language may use without an import or include (LeetCode's environment).

    The room shows it next to the language picker and ``docs/languages.md`` lists it, so a
    candidate knows before the first run that ``Map`` needs no import in Java; ``version``
    changes whenever the contents do, so a company can tell which environment an interview
    ran in.
    """

    model_config = ConfigDict(frozen=True)

    version: str = Field(description="Changes whenever what is available changes")
    standard: str = Field(
        description="The language level code is compiled or run as (e.g. C++20, Java 17)"
    )
    preloaded: list[str] = Field(
        description="Available without an import or include, one item each (e.g. java.util.*)"
    )
    notes: list[str] = Field(
        description="Anything else a candidate should know (their own definitions win, ...)"
    )
    starter_note: str = Field(
        description="The comment line a problem's starter opens with (may be empty)"
    )

    @classmethod
    def of(cls, environment: Environment) -> EnvironmentInfo:
        return cls(
            version=environment.version,
            standard=environment.standard,
            preloaded=list(environment.preloaded),
            notes=list(environment.notes),
            starter_note=environment.starter_note,
        )


class LanguageInfo(BaseModel):
    """A language as ``GET /languages`` shows it: what this server's toolchain runs."""

    model_config = ConfigDict(frozen=True)

    name: str = Field(description="The name requests use (python, javascript, java, cpp)")
    title: str = Field(description="The name people read")
    version: str = Field(description="The toolchain's version on this server")
    extensions: tuple[str, ...] = Field(description="File extensions this language runs")
    default_entry: str = Field(description="The entry file of a plain run")
    solution_file: str = Field(
        description="The file a problem's solution lives in (Java's is Solution.java)"
    )
    compiled: bool = Field(description="Whether a run compiles first")
    environment: EnvironmentInfo = Field(
        description="What code may use without imports (see docs/languages.md)"
    )


class LanguageList(BaseModel):
    languages: list[LanguageInfo]


class ExecutionSummary(BaseModel):
    id: str
    language: str
    mode: str | None
    state: str
    status: str | None
    passed: int
    total: int
    created_at: str
    finished_at: str | None

    @classmethod
    def of(cls, row: Execution) -> ExecutionSummary:
        return cls(
            id=row.id,
            language=row.language,
            mode=row.mode,
            state=row.state,
            status=row.status,
            passed=row.passed,
            total=row.total,
            created_at=row.created_at.isoformat(),
            finished_at=row.finished_at.isoformat() if row.finished_at else None,
        )


class ExecutionList(BaseModel):
    executions: list[ExecutionSummary]


class CallbackKey(BaseModel):
    """How a callback receiver verifies a body: the header, the scheme and the key."""

    header: str
    algorithm: str
    signed: str
    key: str
