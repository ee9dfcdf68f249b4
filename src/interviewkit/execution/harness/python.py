"""Python harness: ``python3 __ik_harness.py`` next to the candidate's files."""

from __future__ import annotations

import json
import marshal
import re
from functools import cache, lru_cache

from interviewkit.execution.harness.templates import load_template, replace_line
from interviewkit.execution.harness.types import (
    HarnessProgram,
    Signature,
    check_entry_file,
    check_entry_point,
    signature_config,
)

HARNESS_FILE = "__ik_harness.py"
_CONFIG_MARKER = "# @ik-config"
_CONFIG_PREFIX = "_CONFIG_JSON = "
_STRING_LITERAL = re.compile(r"'(?:[ -&(-\[\]-~]|\\['\\])*'")
"""The configuration literal exactly as :func:`build` writes it: ``repr`` of ASCII JSON,
so printable ASCII in single quotes with only ``\\'`` and ``\\\\`` escaped."""


def build(entry_file: str, entry_point: str, signature: Signature | None) -> HarnessProgram:
    """The generic harness with this problem's configuration baked in as a JSON literal."""
    check_entry_point("python", entry_point)
    check_entry_file(entry_file, (".py",), {HARNESS_FILE})
    config = {
        "entry_file": entry_file,
        "entry_point": entry_point,
        "signature": signature_config(signature),
    }
    literal = repr(json.dumps(config, separators=(",", ":")))
    source = replace_line(load_template("harness.py"), _CONFIG_MARKER, f"{_CONFIG_PREFIX}{literal}")
    return HarnessProgram(files={HARNESS_FILE: source}, main=HARNESS_FILE)


@lru_cache(maxsize=128)
def compiled_harness(source: str, filename: str) -> bytes | None:
    """``compile(source, filename, "exec")`` marshalled, for a source :func:`build` wrote
    (None for any other source, which is never compiled here).

    Compiling the 700-line harness costs a run about 6 ms of CPU; a warm sandbox loads
    this instead (well under 1 ms), and a problem's harness is compiled once per server
    rather than once per run. It is the very code object the interpreter would compile
    (line and column positions included), so tracebacks and introspection read the same.
    """
    if not _built_by_us(source):
        return None
    code = compile(source, filename, "exec", dont_inherit=True, optimize=0)
    return marshal.dumps(code)


def _built_by_us(source: str) -> bool:
    """True for the template with one string literal on its configuration line."""
    lines = source.split("\n")
    at = _marker_line()
    if len(lines) <= at or not lines[at].startswith(_CONFIG_PREFIX):
        return False
    literal = lines[at].removeprefix(_CONFIG_PREFIX)
    if _STRING_LITERAL.fullmatch(literal) is None:
        return False
    return source == replace_line(load_template("harness.py"), _CONFIG_MARKER, lines[at])


@cache
def _marker_line() -> int:
    lines = load_template("harness.py").split("\n")
    return next(i for i, line in enumerate(lines) if _CONFIG_MARKER in line)
