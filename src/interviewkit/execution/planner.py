"""From a request to a job: language, entry, limits and tests checked before anything runs.

Everything a client can get wrong is refused here with a 422 (or 503 for a language this
server lacks), before a row exists or a sandbox starts, so a bad request never becomes a
queued execution or a 500. :func:`build_engine` wires the engine (sandbox, compile cache,
warm pool) that runs what the planner accepts.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import PurePosixPath
from typing import Any

from interviewkit.config import Settings
from interviewkit.db import new_id
from interviewkit.errors import ProblemError
from interviewkit.execution.engine import CompileCache, Engine, ExecutionJob, compile_cache_root
from interviewkit.execution.harness import build_harness
from interviewkit.execution.limits import Limits
from interviewkit.execution.sandbox import BwrapSandbox, Sandbox, create_sandbox
from interviewkit.execution.schemas import TestSuite
from interviewkit.execution.toolchains import LanguageRegistry, Toolchain
from interviewkit.execution.warm_runtimes import warm_runtimes


def build_engine(
    settings: Settings,
    sandbox: Sandbox | None = None,
    registry: LanguageRegistry | None = None,
) -> Engine:
    """The engine; with a registry (a long-running server), also the warm pools: one per
    language runtime this machine has (:mod:`.warm_runtimes`)."""
    sandbox = sandbox or create_sandbox(
        settings.sandbox, uid=settings.sandbox_uid, gid=settings.sandbox_gid
    )
    cache = CompileCache(
        compile_cache_root(settings.data_dir),
        settings.exec_cache_entries,
        settings.sandbox_uid,
        settings.sandbox_gid,
    )
    if registry is not None and isinstance(sandbox, BwrapSandbox) and settings.exec_warm_pool:
        for runtime, limits in warm_runtimes(settings, registry, cache.root / ".warm"):
            sandbox.start_warm_pool(runtime, limits, settings.exec_warm_pool)
    return Engine(sandbox, cache)


class JobPlanner:
    """Turns a request into a job: language, entry, limits and tests checked up front."""

    def __init__(self, registry: LanguageRegistry, settings: Settings) -> None:
        self.registry = registry
        self.settings = settings

    def toolchain(self, language: str | None, entry: str) -> Toolchain:
        available = self.registry.available()
        if language is None:
            spec = self.registry.for_file(entry)
            if spec is None:
                raise ProblemError(
                    422,
                    "language_required",
                    f"cannot tell the language of {entry!r}; send 'language'",
                )
            language = spec.name
        name = self.registry.canonical(language)
        if name not in self.registry.specs:
            known = ", ".join(sorted(self.registry.specs))
            raise ProblemError(
                422, "unknown_language", f"unknown language {language!r}; known: {known}"
            )
        if name not in available:
            raise ProblemError(
                503,
                "language_unavailable",
                f"{name} is not installed on this server (see GET /api/v1/languages)",
            )
        return available[name]

    def job(
        self,
        *,
        files: Mapping[str, str],
        entry: str | None,
        language: str | None,
        stdin: str,
        suite: TestSuite | None,
        limits: Limits,
    ) -> ExecutionJob:
        """Validate a run and bind it to a toolchain. Paths are workspace-relative."""
        if not files:
            raise ProblemError(422, "no_files", "send at least one file")
        if entry is None:
            entry = _guess_entry(files, language, self.registry)
        entry = entry.lstrip("/")
        if entry not in files:
            raise ProblemError(422, "entry_not_found", f"the entry file {entry!r} is not sent")
        toolchain = self.toolchain(language, entry)
        owner = self.registry.for_file(entry)
        if owner is not None and not toolchain.spec.owns(entry):
            raise ProblemError(
                422,
                "entry_language_mismatch",
                f"{entry!r} is a {owner.name} file, not {toolchain.name}",
            )
        _check_text(files, stdin, suite)
        if suite is not None and len(suite.tests) > self.settings.exec_max_tests:
            raise ProblemError(
                422,
                "too_many_tests",
                f"{len(suite.tests)} tests; this server runs at most "
                f"{self.settings.exec_max_tests} per request",
            )
        if suite is not None and suite.calls:
            check_harness_inputs(toolchain, suite, entry)
        return ExecutionJob(
            id=new_id("exe_"),
            toolchain=toolchain,
            files=files,
            entry=entry,
            stdin=stdin,
            suite=suite,
            limits=limits,
            submission_wall_s=self.settings.exec_submission_wall_s,
        )


def _guess_entry(files: Mapping[str, str], language: str | None, registry: LanguageRegistry) -> str:
    if len(files) == 1:
        return next(iter(files))
    if language is not None:
        spec = registry.specs.get(registry.canonical(language))
        if spec is not None and spec.default_entry in files:
            return spec.default_entry
    raise ProblemError(422, "entry_required", "several files were sent; name the 'entry' file")


def check_harness_inputs(toolchain: Toolchain, suite: TestSuite, entry: str) -> None:
    if toolchain.spec.needs_signature and suite.signature is None:
        raise ProblemError(
            422,
            "signature_required",
            f"function-call tests in {toolchain.name} need a typed 'signature'",
        )
    if suite.signature is not None:
        arity = len(suite.signature.params)
        for test in suite.tests:
            given = getattr(test, "input", [])
            if len(given) != arity:
                raise ProblemError(
                    422,
                    "test_arity_mismatch",
                    f"test {test.name!r} has {len(given)} arguments; the signature takes {arity}",
                )
    if PurePosixPath(entry).suffix not in toolchain.spec.extensions:
        raise ProblemError(
            422, "entry_language_mismatch", f"{entry!r} is not a {toolchain.name} file"
        )
    try:
        build_harness(toolchain.name, entry, suite.entry_point or "", suite.signature)
    except ValueError as exc:
        raise ProblemError(422, "invalid_tests", str(exc)) from None


def _check_text(files: Mapping[str, str], stdin: str, suite: TestSuite | None) -> None:
    """Refuse text that cannot be UTF-8 (lone surrogates) before a row or a run exists.

    JSON may escape a lone surrogate (``"\\ud800"``); such a string cannot reach a program's
    stdin, a file or the stored result, so it is a client error (422), never a 500 or a row
    stuck in ``queued``.
    """
    where = _first_unencodable(
        {
            "files": dict(files),
            "stdin": stdin,
            "tests": [test.model_dump() for test in suite.tests] if suite else [],
        },
        "",
    )
    if where is not None:
        message = "text holds a lone surrogate, which UTF-8 cannot encode"
        raise ProblemError(
            422,
            "validation_error",
            f"{where}: {message}",
            errors=[{"field": where, "message": message, "type": "string_unicode"}],
        )


def _first_unencodable(value: Any, where: str) -> str | None:
    """The path of the first string (or key) in ``value`` that is not valid Unicode text."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return where or "body"
        return None
    if isinstance(value, dict):
        for key, item in value.items():
            shown = str(key).encode("utf-8", "backslashreplace").decode("utf-8")
            inner = f"{where}.{shown}" if where else shown
            found = _first_unencodable(key, inner) or _first_unencodable(item, inner)
            if found is not None:
                return found
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = _first_unencodable(item, f"{where}[{index}]")
            if found is not None:
                return found
    return None
