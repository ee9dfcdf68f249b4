"""CPython 3, the Debian interpreter under /usr (a virtualenv's would not be visible)."""

from interviewkit.execution.languages.base import LanguageSpec

PYTHON = LanguageSpec(
    name="python",
    title="Python 3",
    extensions=(".py",),
    default_entry="main.py",
    tools={"python": "python3"},
    run=("{python}", "-B", "{entry}"),
    version=("{python}", "--version"),
    version_pattern=r"Python (\S+)",
    memory_error_markers=("MemoryError",),
)
