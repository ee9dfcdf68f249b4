"""Compilation errors and error locations: the first error the candidate can fix, in
their own file, with its line and a plain cause; and where any error text points.

The compilers' formats are data in :mod:`.diagnostics`; this module applies them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from interviewkit.assistant.tutor.diagnostics import DIAGNOSTICS, LanguageDiagnostics
from interviewkit.assistant.tutor.problem import signature_text
from interviewkit.assistant.tutor.text import (
    clip,
    find_file,
    first_line,
    is_candidate,
    is_harness,
    quote_line,
    workspace_path,
)
from interviewkit.execution.schemas import ExecutionResult
from interviewkit.problems.bank import Problem


@dataclass(frozen=True)
class _Diagnostic:
    path: str
    line: int
    message: str
    details: tuple[str, ...]


def explain_compile(
    result: ExecutionResult, language: str, files: dict[str, str], problem: Problem | None
) -> str:
    output = result.compile.output if result.compile is not None else ""
    spec = DIAGNOSTICS.get(language)
    diagnostic = _first_error(output, spec)
    if diagnostic is None:
        first = first_line(output) or "(no compiler output)"
        return f"**Compilation error**: the compiler said `{clip(first, 200)}`."
    if is_harness(diagnostic.path):
        return _harness_compile_error(diagnostic, problem)
    cause = _compile_cause(diagnostic, language)
    lines = [
        "**Compilation error**, so no test ran. The first error (fix it first: later ones "
        "often follow from it):",
        "",
        f"- **Line {diagnostic.line} of `{diagnostic.path}`**: {cause}.",
        f"- Compiler: `{clip(diagnostic.message, 200)}`",
    ]
    quoted = quote_line(files, diagnostic.path, diagnostic.line)
    if quoted:
        lines.append(f"- That line: `{quoted}`")
    lines += _semicolon_note(diagnostic, spec, files)
    return "\n".join(lines)


def _semicolon_note(
    diagnostic: _Diagnostic, spec: LanguageDiagnostics | None, files: Mapping[str, str]
) -> list[str]:
    """Some compilers report a missing ``;`` on the next token's line: name the line that
    lacks it."""
    late = spec.missing_semicolon if spec is not None else None
    if late is None or not late.search(diagnostic.message):
        return []
    text = find_file(files, diagnostic.path)
    lines = text.splitlines()[: diagnostic.line - 1] if text is not None else []
    before = next((n for n in range(len(lines), 0, -1) if lines[n - 1].strip()), None)
    if before is None or before == diagnostic.line:
        return []
    missing = clip(lines[before - 1].strip())
    return [f"- The `;` is probably missing at the end of line {before}: `{missing}`"]


def _harness_compile_error(diagnostic: _Diagnostic, problem: Problem | None) -> str:
    """An error inside the test harness means the function does not match the signature."""
    wanted = f" `{signature_text(problem)}`" if problem else ""
    return (
        "**Compilation error** where the tests call your code: the test harness could not "
        f"call your function. Check that its name, parameter types and return type match "
        f"the signature{wanted}, and that it is a public method of `class Solution`.\n\n"
        f"- Compiler: `{clip(diagnostic.message, 200)}`"
    )


def _first_error(output: str, spec: LanguageDiagnostics | None) -> _Diagnostic | None:
    """The first error the candidate can fix (in their own files when there is one)."""
    if spec is None or spec.compiler is None:
        return None
    errors = _diagnostics(plain_quotes(output), spec.compiler)
    own = [d for d in errors if is_candidate(d.path)]
    chosen = own or errors
    return chosen[0] if chosen else None


def _diagnostics(output: str, pattern: re.Pattern[str]) -> list[_Diagnostic]:
    found: list[_Diagnostic] = []
    header: re.Match[str] | None = None
    details: list[str] = []
    for line in [*output.splitlines(), ""]:
        match = pattern.match(line)
        if match is None and line.strip() and header is not None:
            details.append(line.strip())
            continue
        if header is not None and header.group("kind") in ("error", "fatal error"):
            found.append(_diagnostic(header, details))
        header, details = match, []
    return found


def _diagnostic(header: re.Match[str], details: list[str]) -> _Diagnostic:
    message = header.string[header.end() :].strip()
    return _Diagnostic(
        workspace_path(header.group("file")), int(header.group("line")), message, tuple(details)
    )


def _compile_cause(diagnostic: _Diagnostic, language: str) -> str:
    undeclared = _undeclared(diagnostic, language)
    if undeclared is not None:
        return undeclared
    for pattern, text in _causes(language):
        found = pattern.search(diagnostic.message)
        if found:
            return text.format(*(group or "" for group in found.groups()))
    return "the compiler rejected this line; read its message below"


def _undeclared(diagnostic: _Diagnostic, language: str) -> str | None:
    """A compiler's 'this name is not declared' with the symbol it names, when a language's
    table (its own first) recognises the diagnostic."""
    text = "\n".join((diagnostic.message, *diagnostic.details))
    own = DIAGNOSTICS.get(language)
    tables = [own] if own is not None else []
    tables += [d for d in DIAGNOSTICS.values() if d is not own]
    for table in tables:
        found = table.undeclared_symbol.search(text) if table.undeclared_symbol else None
        if found:
            return (
                f"`{found['name']}` ({found['kind']}) is not declared here (cannot find "
                "symbol): a typo, a name declared inside another block, or a missing import"
            )
    return None


def _causes(language: str) -> Iterator[tuple[re.Pattern[str], str]]:
    """The language's own compiler causes first, then the others' (a mixed toolchain)."""
    own = DIAGNOSTICS.get(language)
    if own is not None:
        yield from own.compile_causes
    for spec in DIAGNOSTICS.values():
        if spec is not own:
            yield from spec.compile_causes


def plain_quotes(text: str) -> str:
    return text.translate({0x2018: "'", 0x2019: "'", 0x201C: '"', 0x201D: '"'})


# --------------------------------------------------------------------- error locations


def error_location(text: str, language: str) -> tuple[str, int] | None:
    """(file, line) of the candidate's frame nearest the error, or of the first diagnostic.

    Tracebacks: Python lists the innermost frame last, Node and Java first; the harness,
    the runtime's own files and libraries are skipped. Compiler output: the first error in
    a candidate file. Paths are relative to the workspace (``/work/`` dropped). None when
    nothing in ``text`` points at the candidate's code; an unknown language tries them all.
    """
    spec = DIAGNOSTICS.get(language)
    if spec is not None:
        return _locate(text, spec)
    return next((found for d in DIAGNOSTICS.values() if (found := _locate(text, d))), None)


def _locate(text: str, spec: LanguageDiagnostics) -> tuple[str, int] | None:
    if spec.compiler is not None:
        first = _first_error(text, spec)
        if first is not None and is_candidate(first.path):
            return first.path, first.line
    own = [frame for frame in _frames(text, spec) if is_candidate(frame[0])]
    if not own:
        return None
    return own[-1] if spec.innermost_frame_last else own[0]


def _frames(text: str, spec: LanguageDiagnostics) -> Iterator[tuple[str, int]]:
    """(file, line) of every stack frame, outside the runtime's own library; a language
    without frames (C++) points with diagnostic-shaped lines (notes, sanitizer errors)."""
    if spec.frame is not None:
        for match in spec.frame.finditer(text):
            where = match.groupdict().get("where")
            if spec.library_frame is not None and where and spec.library_frame.match(where):
                continue
            yield workspace_path(match.group("file")), int(match.group("line"))
    elif spec.compiler is not None:
        for line in plain_quotes(text).splitlines():
            found = spec.compiler.match(line)
            if found is not None:
                yield workspace_path(found.group("file")), int(found.group("line"))
