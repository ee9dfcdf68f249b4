"""Node.js. V8 needs room beyond the program's heap, which ``--max-old-space-size`` caps."""

from interviewkit.execution.languages.base import LanguageSpec

JAVASCRIPT = LanguageSpec(
    name="javascript",
    title="JavaScript (Node.js)",
    extensions=(".js", ".mjs", ".cjs"),
    default_entry="main.js",
    tools={"node": "node"},
    run=("{node}", "--max-old-space-size={memory_mb}", "--stack-size=16000", "{entry}"),
    version=("{node}", "--version"),
    version_pattern=r"v(\S+)",
    memory_allowance_mb=128,
    memory_error_markers=("JavaScript heap out of memory", "Reached heap limit"),
)
