"""Python harness: ``python3 __ik_harness.py`` next to the candidate's files."""

from __future__ import annotations

import json

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
    source = replace_line(load_template("harness.py"), _CONFIG_MARKER, f"_CONFIG_JSON = {literal}")
    return HarnessProgram(files={HARNESS_FILE: source}, main=HARNESS_FILE)
