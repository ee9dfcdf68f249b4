"""Function-call test harnesses: generated programs that call a candidate's function per test.

The execution engine adds :attr:`HarnessProgram.files` to the candidate's workspace, builds and
runs :attr:`HarnessProgram.main` once, and reads one JSON line per event from the descriptor
named by ``IK_RESULT_FD``. Expected values never enter the harness; the host compares.
"""

from __future__ import annotations

from collections.abc import Callable

from interviewkit.execution.harness import cpp, java, javascript, python
from interviewkit.execution.harness.types import (
    SUPPORTED_TYPES,
    HarnessProgram,
    Param,
    Signature,
)

__all__ = ["SUPPORTED_TYPES", "HarnessProgram", "Param", "Signature", "build_harness"]

_BUILDERS: dict[str, Callable[[str, str, Signature | None], HarnessProgram]] = {
    "python": python.build,
    "javascript": javascript.build,
    "java": java.build,
    "cpp": cpp.build,
}


def build_harness(
    language: str, entry_file: str, entry_point: str, signature: Signature | None
) -> HarnessProgram:
    """The harness files for ``language``; ValueError for anything that cannot be generated.

    ``signature`` is required for Java and C++ (their harnesses convert JSON to typed
    parameters); for Python and JavaScript it is optional and, when given, checks arguments
    and makes ``double`` results JSON floats.
    """
    builder = _BUILDERS.get(language)
    if builder is None:
        raise ValueError(
            f"unsupported language {language!r} (expected one of {', '.join(_BUILDERS)})"
        )
    if signature is not None and not isinstance(signature, Signature):
        raise ValueError("signature must be a Signature or None")
    return builder(entry_file, entry_point, signature)
