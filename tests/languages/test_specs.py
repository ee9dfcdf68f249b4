"""The four built-in languages: the facts other domains used to hold, now in one place.

Each expected value here is what the old per-domain tables said (``SOLUTION_FILES`` in
problems/bank.py, ``STARTUP_ALLOWANCE_S`` in problems/runner.py, ``{"java", "cpp"}`` in
execution/service.py, ``LANGUAGE_BY_EXTENSION`` in sessions/paths.py, ``ALIASES`` and the
starter text of problems/generate.py), so moving them changed nothing.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

from interviewkit import languages
from interviewkit.assistant.tutor.diagnostics import DIAGNOSTICS
from interviewkit.doctor import runtimes
from interviewkit.execution.harness import Signature
from interviewkit.problems.generate import starters
from interviewkit.sessions.paths import language_for

PACKAGE = Path(languages.__file__).parent

OLD_EDITOR_TABLE = {
    ".py": "python", ".js": "javascript", ".mjs": "javascript", ".cjs": "javascript",
    ".jsx": "javascript", ".ts": "typescript", ".tsx": "typescript", ".java": "java",
    ".cpp": "cpp", ".cc": "cpp", ".cxx": "cpp", ".hpp": "cpp", ".hh": "cpp", ".h": "c",
    ".c": "c", ".go": "go", ".rs": "rust", ".rb": "ruby", ".kt": "kotlin", ".cs": "csharp",
    ".sh": "shell", ".sql": "sql", ".md": "markdown", ".json": "json", ".yaml": "yaml",
    ".yml": "yaml", ".toml": "toml", ".html": "html", ".css": "css", ".txt": "plaintext",
}  # fmt: skip
OLD_ALIASES = {"py": "python", "python3": "python", "js": "javascript", "node": "javascript",
               "c++": "cpp", "cxx": "cpp"}  # fmt: skip


def test_the_builtin_languages_in_the_order_lists_show_them() -> None:
    assert languages.names() == ("python", "javascript", "java", "cpp")
    assert languages.all() == languages.BUILTIN


def test_each_language_names_its_solution_file() -> None:
    assert dict(languages.SOLUTION_FILES) == {
        "python": "solution.py",
        "javascript": "solution.js",
        "java": "Solution.java",
        "cpp": "solution.cpp",
    }


def test_typed_harnesses_need_a_signature_and_slow_starts_get_an_allowance() -> None:
    assert {s.name for s in languages.all() if s.needs_signature} == {"java", "cpp"}
    allowances = {s.name: s.startup_allowance_s for s in languages.all()}
    assert allowances == {"python": 0.0, "javascript": 0.5, "java": 1.5, "cpp": 0.0}


@pytest.mark.parametrize(("alias", "name"), [*OLD_ALIASES.items(), (" Python ", "python")])
def test_aliases_resolve_to_the_canonical_name(alias: str, name: str) -> None:
    assert languages.canonical(alias) == name
    assert languages.get(alias).name == name


def test_an_unknown_name_is_kept_by_canonical_and_refused_by_get() -> None:
    assert languages.canonical("Brainfuck") == "brainfuck"
    assert languages.find("brainfuck") is None
    with pytest.raises(languages.UnknownLanguageError):
        languages.get("brainfuck")


@pytest.mark.parametrize(
    ("path", "name"),
    [("main.py", "python"), ("a/b.mjs", "javascript"), ("Main.java", "java"),
     ("x.cc", "cpp"), ("util.h", "cpp"), ("notes.txt", None), ("Makefile", None)],
)  # fmt: skip
def test_for_path_finds_the_language_that_runs_a_file(path: str, name: str | None) -> None:
    spec = languages.for_path(path)
    assert (spec.name if spec else None) == name


@pytest.mark.parametrize(("extension", "label"), OLD_EDITOR_TABLE.items())
def test_editor_labels_are_the_old_table(extension: str, label: str) -> None:
    assert language_for(f"/dir/file{extension}") == label
    assert language_for(f"/dir/FILE{extension.upper()}") == label


def test_an_unknown_extension_is_plaintext() -> None:
    assert language_for("/README") == "plaintext"
    assert language_for("/x.weird") == "plaintext"


SIGNATURE = Signature.model_validate(
    {
        "params": [
            {"name": "grid", "type": "string[][]"},
            {"name": "k", "type": "long"},
            {"name": "ok", "type": "bool[]"},
        ],
        "returns": "double",
    }
)


def test_starters_are_the_text_problems_generate_wrote_before() -> None:
    assert starters("solve", SIGNATURE) == {
        "python": "class Solution:\n    def solve(self, grid, k, ok):\n        pass\n",
        "javascript": "function solve(grid, k, ok) {\n}\n",
        "java": "class Solution {\n    public double solve(String[][] grid, long k, boolean[] ok)"
        " {\n        return 0.0;\n    }\n}\n",
        "cpp": "class Solution {\npublic:\n    double solve(std::vector<std::vector<std::string>>&"
        " grid, long long& k, std::vector<bool>& ok) {\n        return {};\n    }\n};\n",
    }


def test_starters_without_parameters() -> None:
    made = starters("empty", Signature.model_validate({"params": [], "returns": "int[]"}))
    assert made["python"] == "class Solution:\n    def empty(self, ):\n        pass\n"
    assert (
        made["java"]
        == "class Solution {\n    public int[] empty() {\n        return null;\n    }\n}\n"
    )
    assert made["cpp"].startswith("class Solution {\npublic:\n    std::vector<signed> empty() {")


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


@pytest.mark.parametrize("module", sorted(PACKAGE.glob("*.py")), ids=lambda p: p.name)
def test_languages_is_a_bottom_package(module: Path) -> None:
    """Every domain may ask the registry, so it may import nothing but stdlib and config."""
    allowed = {"interviewkit.config", "interviewkit.languages"}
    for name in _imports(module):
        top = name.split(".")[0]
        inside = name == "interviewkit" or any(
            name == a or name.startswith(a + ".") for a in allowed
        )
        assert top in sys.stdlib_module_names or inside, f"{module.name} imports {name}"


def test_doctor_probes_each_language_as_before_then_ffmpeg() -> None:
    assert [(p.name, p.command, p.packages) for p in runtimes()] == [
        ("python", ["python3", "--version"], "python3"),
        ("javascript (node)", ["node", "--version"], "nodejs"),
        ("java (javac)", ["javac", "-version"], "default-jdk-headless"),
        ("c++ (g++)", ["g++", "--version"], "g++"),
        ("ffmpeg", ["ffmpeg", "-version"], "ffmpeg"),
    ]


def test_every_language_carries_its_own_error_knowledge() -> None:
    """The tutor's tables live on the language specs; the tutor reads them from there."""
    assert set(DIAGNOSTICS) == set(languages.names())
    for spec in languages.BUILTIN:
        assert spec.diagnostics is not None, spec.name
        assert DIAGNOSTICS[spec.name] is spec.diagnostics
        assert set(spec.diagnostics.suffixes) <= set(spec.extensions) | {".c++", ".hh", ".hxx"}
