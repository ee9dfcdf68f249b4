"""JavaScript harness: ``node __ik_harness.js`` next to the candidate's files."""

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

HARNESS_FILE = "__ik_harness.js"
_CONFIG_MARKER = "// @ik-config"


def build(entry_file: str, entry_point: str, signature: Signature | None) -> HarnessProgram:
    """The generic harness with this problem's configuration baked in as a JSON literal.

    The entry point is also spliced into the loader (``typeof <name>``) to find top-level
    bindings that are not exported, which is why it must be a non-reserved identifier.
    """
    check_entry_point("javascript", entry_point)
    check_entry_file(entry_file, (".js", ".cjs", ".mjs"), {HARNESS_FILE})
    config = {
        "entry_file": entry_file,
        "entry_point": entry_point,
        "signature": signature_config(signature),
    }
    # A JSON string literal (ASCII only) is a valid JavaScript string literal.
    literal = json.dumps(json.dumps(config, separators=(",", ":")))
    source = replace_line(
        load_template("harness.js"), _CONFIG_MARKER, f"const CONFIG = JSON.parse({literal});"
    )
    return HarnessProgram(files={HARNESS_FILE: source}, main=HARNESS_FILE)
