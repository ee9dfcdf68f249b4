"""Java harness: ``IkHarness.java``, compiled with the candidate's files (``javac -d build *.java``)
and run as ``java -cp build IkHarness``.
"""

from __future__ import annotations

from interviewkit.execution.harness.templates import load_template, replace_block
from interviewkit.execution.harness.types import (
    HarnessProgram,
    Signature,
    check_entry_file,
    check_entry_point,
)

HARNESS_FILE = "IkHarness.java"


def _string_array(values: list[str]) -> str:
    # Only validated identifiers and type names reach here: no quoting needed.
    return "{" + ", ".join(f'"{v}"' for v in values) + "}"


def build(entry_file: str, entry_point: str, signature: Signature | None) -> HarnessProgram:
    """The generic reflection-based harness with the signature baked in as constants.

    Reflection (rather than a direct call) keeps a missing or mistyped method a per-test
    runtime_error instead of a compile error in a file the candidate never wrote.
    """
    if signature is None:
        raise ValueError("a signature is required for java")
    check_entry_point("java", entry_point)
    check_entry_file(entry_file, (".java",), {HARNESS_FILE})
    config = "\n".join(
        [
            f'    static final String ENTRY_FILE = "{entry_file}";',
            f'    static final String ENTRY_POINT = "{entry_point}";',
            "    static final String[] PARAM_NAMES = "
            + _string_array([p.name for p in signature.params])
            + ";",
            "    static final String[] PARAM_TYPES = "
            + _string_array([p.type for p in signature.params])
            + ";",
            f'    static final String RETURN_TYPE = "{signature.returns}";',
        ]
    )
    source = replace_block(
        load_template("IkHarness.java"), "// @ik-config-begin", "// @ik-config-end", config
    )
    return HarnessProgram(files={HARNESS_FILE: source}, main=HARNESS_FILE)
