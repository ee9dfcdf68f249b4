"""Runtime errors: the exception (or signal) a run died of, where, and what it means.

The patterns and tables per language are data in :mod:`.diagnostics`; this module only
reads a failure's text with them and words the answer.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from interviewkit.assistant.tutor.compiler import error_location
from interviewkit.assistant.tutor.diagnostics import DIAGNOSTICS, ErrorInfo, LanguageDiagnostics
from interviewkit.assistant.tutor.failures import (
    failed_summary,
    failing_tests,
    first_visible,
    hidden_failure,
)
from interviewkit.assistant.tutor.text import (
    clip,
    first_line,
    input_text,
    quote_line,
    scan_lines,
)
from interviewkit.execution.schemas import ExecutionResult, TestResult
from interviewkit.languages import DEFAULT_LANGUAGE
from interviewkit.problems.bank import Problem

SIGNALS: Mapping[int, str] = {
    4: "SIGILL",
    6: "SIGABRT",
    7: "SIGBUS",
    8: "SIGFPE",
    9: "SIGKILL",
    11: "SIGSEGV",
}


@dataclass(frozen=True)
class _Failure:
    """A runtime failure's parsed facts: type, message, and (if known) where."""

    kind: str
    message: str
    location: tuple[str, int] | None


def explain_runtime(
    result: ExecutionResult, language: str, files: dict[str, str], problem: Problem | None
) -> str:
    """A crash: the test, the candidate's line, the error and what it usually means; a
    parse error when the file did not even load; only "a hidden test" for hidden ones."""
    test = first_visible(failing_tests(result))
    text = _error_text(result, test)
    if test is None and failing_tests(result):
        return hidden_failure(result, "crashed with a runtime error", language, problem)
    failure = _parse_failure(text, language, result)
    if any(failure.kind in d.parse_errors for d in DIAGNOSTICS.values()):
        return _explain_parse_error(failure, language, files)
    lines = [_runtime_headline(test, result, problem)]
    lines += _where(failure, language, files)
    lines += _runtime_meaning(failure, language)
    return "\n".join(lines)


def _error_text(result: ExecutionResult, test: TestResult | None) -> str:
    if test is not None:
        return "\n".join(part for part in (test.message, test.stderr) if part)
    return result.run.stderr if result.run is not None else ""


def _runtime_headline(
    test: TestResult | None, result: ExecutionResult, problem: Problem | None
) -> str:
    if test is None:
        return "**Runtime error**: your program crashed."
    given = input_text(test.input, problem)
    return f"**Runtime error** on test `{test.name}` ({failed_summary(result)}), input `{given}`:\n"


_LOADING = re.compile(r"^error while loading [^:\n]+:\s*", re.MULTILINE)
_SIGNAL = re.compile(r"killed by signal (\d+)")
_EXIT = re.compile(r"exited with code (-?\d+)")


def _parse_failure(text: str, language: str, result: ExecutionResult) -> _Failure:
    text = _LOADING.sub("", text)
    location = error_location(text, language)
    kind, message = _exception(text, language)
    if kind is None:
        kind, message = _process_death(text, result)
    return _Failure(kind, message, location)


def _exception(text: str, language: str) -> tuple[str | None, str]:
    """The uncaught exception's kind and message (Python's last line, the others' first)."""
    spec = DIAGNOSTICS.get(language)
    pattern = spec.exception if spec is not None else DIAGNOSTICS[DEFAULT_LANGUAGE].exception
    matches = list(pattern.finditer(text))
    if not matches:
        return None, ""
    found = matches[-1] if spec is not None and spec.innermost_exception_last else matches[0]
    message = found.group("message") or ""
    what = spec.exception_what.search(text) if spec and spec.exception_what else None
    if what and not message:
        message = what.group("message")
    return found.group("kind"), message.strip()


def _process_death(text: str, result: ExecutionResult) -> tuple[str, str]:
    signal = _SIGNAL.search(text)
    number = int(signal.group(1)) if signal else None
    if number is None and result.run is not None:
        number = result.run.signal
    if number is not None:
        return SIGNALS.get(number, f"signal {number}"), f"killed by signal {number}"
    code = _EXIT.search(text)
    if code:
        return "exit", f"exited with code {code.group(1)}"
    return "error", first_line(text)


def _info(kind: str, language: str) -> ErrorInfo | None:
    """The table row for an error; a signal means the same whatever the language."""
    short = _short_kind(kind)
    spec = DIAGNOSTICS.get(language)
    found = spec.common_errors.get(short) if spec is not None else None
    if found is None and short.startswith("SIG"):
        signals = (d.common_errors[short] for d in DIAGNOSTICS.values() if short in d.common_errors)
        found = next(signals, None)
    return found


def _short_kind(kind: str) -> str:
    """``java.lang.NullPointerException`` -> ``NullPointerException``; a prefix a language
    keeps whole (C++'s ``std::``) stays."""
    kept = tuple(prefix for spec in DIAGNOSTICS.values() for prefix in spec.kind_prefixes_kept)
    return kind if kept and kind.startswith(kept) else kind.rsplit(".", 1)[-1]


def _runtime_meaning(failure: _Failure, language: str) -> list[str]:
    """The error as printed, what it means (unless the line bullet said it) and what to check."""
    info = _info(failure.kind, language)
    said = f"{failure.kind}: {failure.message}" if failure.message else failure.kind
    lines = [f"- Error: `{clip(said, 160)}`"]
    if failure.location is None:
        meaning = _detail(failure.message, language) or (info.cause if info else None)
        if meaning:
            lines.append(f"- What it usually means: {meaning}.")
    bounds = _bounds_note(failure.message)
    if bounds:
        lines.append(f"- {bounds}")
    if info is not None:
        lines.append(f"- To fix it: {info.fix}.")
    if failure.kind == "exit":
        lines.append(
            "- To fix it: look for an explicit exit (sys.exit, process.exit, System.exit, exit) "
            "or an error printed to stderr; the function should return its answer."
        )
    return lines


def _detail(message: str, language: str) -> str | None:
    spec = DIAGNOSTICS.get(language)
    for pattern, template in spec.details if spec is not None else ():
        found = pattern.search(message)
        if found:
            return template.format(*found.groups())
    return None


def _bounds_note(message: str) -> str | None:
    patterns = (d.bounds for d in DIAGNOSTICS.values() if d.bounds is not None)
    found = next((m for p in patterns if (m := p.search(message))), None)
    if found is None:
        return None
    index, length = int(found.group(1)), int(found.group(2))
    if length == 0:
        return f"The container was empty, so no index (not even 0, here {index}) is valid."
    return f"Valid indexes are 0 to {length - 1}; the code asked for {index}."


def _where(failure: _Failure, language: str, files: dict[str, str]) -> list[str]:
    """The candidate's line the error points at, or (C++) the lines that could cause it."""
    if failure.location is not None:
        path, line = failure.location
        meaning = _detail(failure.message, language) or _cause(failure, language)
        quoted = quote_line(files, path, line)
        lines = [f"- **Line {line} of `{path}`**: {meaning}."]
        if quoted:
            lines.append(f"- That line: `{quoted}`")
        return lines
    spec = DIAGNOSTICS.get(language)
    if spec is not None and spec.crash_suspects is not None:
        return _crash_suspects(failure, spec, files)
    return ["- The error message does not point at a line of your code."]


def _cause(failure: _Failure, language: str) -> str:
    info = _info(failure.kind, language)
    return info.cause if info else f"`{_short_kind(failure.kind)}`"


def _crash_suspects(
    failure: _Failure, spec: LanguageDiagnostics, files: dict[str, str]
) -> list[str]:
    """Crashes that carry no line number: point at the lines that can cause this one."""
    pattern = (spec.crash_suspects or {}).get(_short_kind(failure.kind))
    header = f"- {spec.name} does not report the line of a crash"
    if pattern is None:
        return [header + "."]
    found = scan_lines(files, spec.suffixes, pattern)[:3]
    if not found:
        return [header + "."]
    places = "; ".join(f"line {line} of `{path}` (`{text}`)" for path, line, text in found)
    return [f"{header}; where this can happen: {places}."]


# -------------------------------------------------------------------- parse errors


def _explain_parse_error(failure: _Failure, language: str, files: dict[str, str]) -> str:
    """Python/JavaScript syntax errors: the file does not even load, so no test ran."""
    spec = DIAGNOSTICS.get(language)
    name = spec.name if spec is not None else language
    causes = (cause for d in DIAGNOSTICS.values() for cause in d.parse_causes)
    known = spec.common_errors.get(failure.kind) if spec is not None else None
    cause = next(
        (text for pattern, text in causes if pattern.search(failure.message)),
        (known or ErrorInfo("a syntax error", "")).cause,
    )
    lines = [f"**{name} could not parse your code** (`{failure.kind}: {failure.message}`), "]
    lines[0] += "so no test ran.\n"
    if failure.location is not None:
        path, line = failure.location
        lines.append(f"- **Line {line} of `{path}`**: {cause}.")
        quoted = quote_line(files, path, line)
        if quoted:
            lines.append(f"- That line: `{quoted}`")
    else:
        lines.append(f"- Cause: {cause}.")
    lines.append(
        "- The real mistake is sometimes on the line before (an unclosed bracket or a "
        "missing comma shows up where the parser gives up)."
    )
    return "\n".join(lines)
