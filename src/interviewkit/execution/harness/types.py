"""Signatures of function-call problems, and the generated harness program.

A signature is shared by all four languages, so parameter names must be valid (and not
reserved) in every one of them; the types are the small set each harness can convert
exactly from and to JSON.
"""

from __future__ import annotations

import keyword
import re
from dataclasses import dataclass
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

TYPE_PATTERN = (
    r"^(?:(?:int|long|double|bool|string|char)(?:\[\]){0,2}|(?:ListNode|TreeNode)(?:\[\])?)$"
)
IDENTIFIER_PATTERN = r"^[A-Za-z_][A-Za-z0-9_]{0,63}$"

SCALAR_TYPES: tuple[str, ...] = ("int", "long", "double", "bool", "string", "char")
"""Values with a JSON scalar form. ``int`` is 32-bit and ``long`` 64-bit two's complement in
every language: a JSON number outside the declared range is an input error, never narrowed.
``char`` is one ASCII character, a one-character JSON string (LeetCode's ``char[][]`` grids)."""
NODE_TYPES: tuple[str, ...] = ("ListNode", "TreeNode")
"""LeetCode's linked-list and binary-tree nodes with ``int`` values, in LeetCode's JSON form:
a ``ListNode`` is the array of its values (``[]`` is null); a ``TreeNode`` is its level order
with ``null`` for missing children and trailing nulls trimmed (``[]`` is null). Each language
provides LeetCode's class (``val``/``next``, ``val``/``left``/``right``); a candidate's own
definition of it wins. A returned list or tree with a cycle or a shared node is an error."""
BASE_TYPES: tuple[str, ...] = SCALAR_TYPES + NODE_TYPES
SUPPORTED_TYPES: tuple[str, ...] = (
    *(base + "[]" * dims for dims in range(3) for base in SCALAR_TYPES),
    *(base + "[]" * dims for dims in range(2) for base in NODE_TYPES),
)

TypeName = Annotated[str, StringConstraints(pattern=TYPE_PATTERN)]


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


PYTHON_RESERVED = frozenset(keyword.kwlist)
JAVASCRIPT_RESERVED = _words(
    """
    await break case catch class const continue debugger default delete do else enum export
    extends false finally for function if implements import in instanceof interface let new
    null package private protected public return static super switch this throw true try
    typeof var void while with yield arguments eval undefined NaN Infinity
    """
)
JAVA_RESERVED = _words(
    """
    abstract assert boolean break byte case catch char class const continue default do double
    else enum extends final finally float for goto if implements import instanceof int
    interface long native new package private protected public return short static strictfp
    super switch synchronized this throw throws transient try void volatile while true false
    null _ var yield record
    """
)
CPP_RESERVED = _words(
    """
    alignas alignof and and_eq asm auto bitand bitor bool break case catch char char8_t
    char16_t char32_t class compl concept const consteval constexpr constinit const_cast
    continue co_await co_return co_yield decltype default delete do double dynamic_cast else
    enum explicit export extern false float for friend goto if inline int long mutable
    namespace new noexcept not not_eq nullptr operator or or_eq private protected public
    register reinterpret_cast requires return short signed sizeof static static_assert
    static_cast struct switch template this thread_local throw true try typedef typeid
    typename union unsigned using virtual void volatile wchar_t while xor xor_eq
    """
)
RESERVED_WORDS: dict[str, frozenset[str]] = {
    "python": PYTHON_RESERVED,
    "javascript": JAVASCRIPT_RESERVED,
    "java": JAVA_RESERVED,
    "cpp": CPP_RESERVED,
}
ALL_RESERVED = PYTHON_RESERVED | JAVASCRIPT_RESERVED | JAVA_RESERVED | CPP_RESERVED

_IDENTIFIER = re.compile(IDENTIFIER_PATTERN)
# Relative paths only, no hidden or parent segments, and characters that are safe inside a
# C++ #include "..." and a Java/JS/Python string literal without escaping.
_RELATIVE_PATH = re.compile(r"^(?:[A-Za-z0-9_][A-Za-z0-9_.+ -]*/)*[A-Za-z0-9_][A-Za-z0-9_.+ -]*$")


class Param(BaseModel):
    """One parameter: its name appears in error messages, its type drives conversion."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Annotated[str, StringConstraints(pattern=IDENTIFIER_PATTERN)]
    type: TypeName

    @field_validator("name")
    @classmethod
    def _not_reserved(cls, value: str) -> str:
        if value in ALL_RESERVED:
            raise ValueError(f"{value!r} is a reserved word in one of the supported languages")
        return value


class Signature(BaseModel):
    """Parameter and return types of the entry point; required by Java and C++."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    params: list[Param] = Field(max_length=16)
    returns: TypeName

    @field_validator("params")
    @classmethod
    def _unique_names(cls, value: list[Param]) -> list[Param]:
        names = [p.name for p in value]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"duplicate parameter names: {', '.join(duplicates)}")
        return value


@dataclass(frozen=True)
class HarnessProgram:
    """Files to add to the candidate's workspace, and which one the language runs."""

    files: dict[str, str]
    main: str


def check_entry_point(language: str, entry_point: str) -> None:
    """The entry point is spliced into generated code, so it must be a plain identifier."""
    if not isinstance(entry_point, str) or not _IDENTIFIER.fullmatch(entry_point):
        raise ValueError(
            f"entry point {entry_point!r} is not a valid identifier "
            "(letters, digits and '_', not starting with a digit, at most 64 characters)"
        )
    if entry_point in RESERVED_WORDS[language]:
        raise ValueError(f"entry point {entry_point!r} is a reserved word in {language}")


def check_entry_file(entry_file: str, suffixes: tuple[str, ...], harness_files: set[str]) -> None:
    """A workspace-relative path with the language's extension, not one of the harness files."""
    if not isinstance(entry_file, str) or len(entry_file) > 255:
        raise ValueError(f"entry file {entry_file!r} is not a valid relative path")
    if not _RELATIVE_PATH.fullmatch(entry_file):
        raise ValueError(
            f"entry file {entry_file!r} must be a relative path without '..', hidden "
            "segments or special characters"
        )
    if not entry_file.endswith(suffixes):
        raise ValueError(f"entry file {entry_file!r} must end with one of {', '.join(suffixes)}")
    if entry_file in harness_files:
        raise ValueError(f"entry file {entry_file!r} clashes with the harness file name")


def signature_config(signature: Signature | None) -> dict[str, object] | None:
    """The signature as plain JSON for harnesses that read it at run time."""
    if signature is None:
        return None
    return {
        "params": [{"name": p.name, "type": p.type} for p in signature.params],
        "returns": signature.returns,
    }
