"""Node.js. V8 needs room beyond the program's heap, which ``--max-old-space-size`` caps."""

from interviewkit.languages.base import Install, LanguageSpec, SignatureLike


def starter(entry: str, signature: SignatureLike) -> str:
    """An empty function: it returns ``undefined``."""
    names = ", ".join(p.name for p in signature.params)
    return f"function {entry}({names}) {{\n}}\n"


JAVASCRIPT = LanguageSpec(
    name="javascript",
    title="JavaScript (Node.js)",
    extensions=(".js", ".mjs", ".cjs"),
    editor_extensions=(".js", ".mjs", ".cjs", ".jsx"),
    default_entry="main.js",
    solution_file="solution.js",
    starter=starter,
    aliases=("js", "node"),
    startup_allowance_s=0.5,
    install=Install("javascript (node)", ("node", "--version"), "nodejs"),
    tools={"node": "node"},
    run=("{node}", "--max-old-space-size={memory_mb}", "--stack-size=16000", "{entry}"),
    version=("{node}", "--version"),
    version_pattern=r"v(\S+)",
    memory_allowance_mb=128,
    memory_error_markers=("JavaScript heap out of memory", "Reached heap limit"),
)
