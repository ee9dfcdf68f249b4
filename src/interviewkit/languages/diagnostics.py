"""The shape of what is known about one language's errors: data, no logic.

Each language module in this package exports one :class:`LanguageDiagnostics`. They import
nothing but this module and :mod:`re`, so that they can move into the language registry
(``languages/``) unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

Causes = tuple[tuple[re.Pattern[str], str], ...]
"""(message pattern, plain-language cause); ``{0}``… in the text are the pattern's groups."""


@dataclass(frozen=True)
class ErrorInfo:
    """What an error usually means, and what to check first."""

    cause: str
    fix: str


@dataclass(frozen=True)
class LanguageDiagnostics:
    """How one language reports errors, and what its common errors mean."""

    name: str
    """The language's name as a candidate writes it (``C++``)."""
    suffixes: tuple[str, ...]
    """Source files the tutor reads for this language."""
    common_errors: Mapping[str, ErrorInfo]
    """Exception (or signal) name -> what it means and what to check."""
    exception: re.Pattern[str]
    """An uncaught exception's line, with ``kind`` and ``message`` groups."""
    hidden_loops: str
    """Library calls that loop over their input without looking like a loop."""
    debug_print: re.Pattern[str]
    """A line that prints (debug output)."""
    loop_nesting: Literal["indent", "braces"] = "braces"
    """How loops nest: by indentation or by braces."""
    innermost_exception_last: bool = False
    """Python prints the chain outermost first, so the last exception line is the one."""
    details: Causes = ()
    """Specific messages worth a more precise sentence than the exception type's."""
    frame: re.Pattern[str] | None = None
    """A stack frame naming ``file`` and ``line`` (``where``: the method, when given)."""
    innermost_frame_last: bool = False
    library_frame: re.Pattern[str] | None = None
    """A frame's ``where`` that belongs to the runtime's own library."""
    compiler: re.Pattern[str] | None = None
    """A compiler diagnostic's first line, with ``file``, ``line`` and ``kind`` groups."""
    compile_causes: Causes = ()
    """Compiler messages and what they usually mean, most specific first."""
    missing_semicolon: re.Pattern[str] | None = None
    """A message reporting a missing ``;`` on the next token's line (not the one lacking it)."""
    parse_errors: frozenset[str] = frozenset()
    """Exception kinds meaning the file did not even parse."""
    parse_causes: Causes = ()
    """Parser messages and what they usually mean."""
    bounds: re.Pattern[str] | None = None
    """An out-of-bounds message with the index and the length as groups 1 and 2."""
    exception_what: re.Pattern[str] | None = None
    """Where the message is when the exception line has none (C++ ``what():``)."""
    crash_suspects: Mapping[str, re.Pattern[str]] | None = None
    """For languages whose crashes carry no line: per crash, the lines that can cause it."""
    wide_integer: str | None = None
    """The type to use against 32-bit overflow, for languages with fixed-width ints."""
    undeclared_symbol: re.Pattern[str] | None = None
    """A compiler diagnostic (message, then its detail lines) naming an undeclared symbol,
    with ``kind`` and ``name`` groups."""
    kind_prefixes_kept: tuple[str, ...] = ()
    """Qualified exception names shown whole (``std::out_of_range``); others lose their
    package (``java.lang.NullPointerException`` -> ``NullPointerException``)."""
    library_paths: tuple[str, ...] = ()
    """Frame paths (prefixes or parts) that belong to the runtime's own library."""
    harness_files: tuple[str, ...] = ()
    """File-name prefixes of this language's test harness: never the candidate's code."""
