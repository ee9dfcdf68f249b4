"""CPython 3, the Debian interpreter under /usr (a virtualenv's would not be visible)."""

from interviewkit.languages.base import Install, LanguageSpec, SignatureLike


def starter(entry: str, signature: SignatureLike) -> str:
    """A ``Solution`` class whose method returns ``None``."""
    names = ", ".join(p.name for p in signature.params)
    return f"class Solution:\n    def {entry}(self, {names}):\n        pass\n"


PYTHON = LanguageSpec(
    name="python",
    title="Python 3",
    extensions=(".py",),
    default_entry="main.py",
    solution_file="solution.py",
    starter=starter,
    aliases=("py", "python3"),
    install=Install("python", ("python3", "--version"), "python3"),
    tools={"python": "python3"},
    run=("{python}", "-B", "{entry}"),
    version=("{python}", "--version"),
    version_pattern=r"Python (\S+)",
    memory_error_markers=("MemoryError",),
)
