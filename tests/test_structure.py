"""scripts/check_structure.py: the cycles, long files and upward imports it must catch.

Each test builds a small synthetic package on disk and runs the script as ``make test``
does (a subprocess, judged by its exit status and what it prints).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "check_structure.py"
LAYERS = "ground | low | high | top __init__"


def write_package(root: Path, files: dict[str, str]) -> Path:
    """``files`` by path relative to ``root/pkg``; every folder gets an ``__init__.py``."""
    package = root / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    for relative, text in files.items():
        path = package / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        for folder in path.relative_to(package).parents:
            init = package / folder / "__init__.py"
            if not init.exists():
                init.write_text("")
        path.write_text(text)
    return root


def run(root: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), "--root", str(root), "--package", "pkg", *extra],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def test_a_cycle_between_packages_hidden_in_a_function_is_reported(tmp_path: Path) -> None:
    root = write_package(
        tmp_path,
        {
            "low/a.py": "from pkg.high.b import thing\n",
            "high/b.py": "def thing() -> None:\n    from pkg.low import a\n",
        },
    )
    result = run(root, "--layers", LAYERS)
    assert result.returncode == 1
    assert "import cycle between packages" in result.stdout
    assert "high ⇄ low" in result.stdout
    assert "import cycle between files" in result.stdout
    assert "pkg.high.b ⇄ pkg.low.a" in result.stdout


def test_a_relative_import_cycle_between_files_is_reported(tmp_path: Path) -> None:
    root = write_package(
        tmp_path,
        {"low/a.py": "from . import b\n", "low/b.py": "from .a import name\nname = 1\n"},
    )
    result = run(root, "--layers", LAYERS)
    assert result.returncode == 1
    assert "pkg.low.a ⇄ pkg.low.b" in result.stdout


def test_type_checking_imports_do_not_make_a_cycle(tmp_path: Path) -> None:
    root = write_package(
        tmp_path,
        {
            "low/a.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
            "    from pkg.low.b import B\n",
            "low/b.py": "from pkg.low.a import TYPE_CHECKING\nclass B: ...\n",
        },
    )
    result = run(root, "--layers", LAYERS)
    assert result.returncode == 0, result.stdout
    assert "structure ok" in result.stdout


def test_an_import_up_the_layers_is_reported(tmp_path: Path) -> None:
    root = write_package(tmp_path, {"ground/a.py": "import pkg.top.b\n", "top/b.py": ""})
    result = run(root, "--layers", LAYERS)
    assert result.returncode == 1
    assert "imports pointing up the layers" in result.stdout
    assert "pkg.top.b" in result.stdout


def test_a_package_in_no_layer_is_reported(tmp_path: Path) -> None:
    root = write_package(tmp_path, {"stray/a.py": ""})
    result = run(root, "--layers", LAYERS)
    assert result.returncode == 1
    assert "not in any layer" in result.stdout
    assert "stray" in result.stdout


def test_a_long_file_is_reported(tmp_path: Path) -> None:
    root = write_package(tmp_path, {"low/long.py": "x = 1\n" * 11})
    result = run(root, "--layers", LAYERS, "--max-lines", "10")
    assert result.returncode == 1
    assert "files over 10 lines" in result.stdout
    assert "long.py" in result.stdout


def test_an_import_of_a_module_that_does_not_exist_is_reported(tmp_path: Path) -> None:
    """What a move leaves behind: an import of the old path."""
    root = write_package(tmp_path, {"low/a.py": "from pkg.gone import api\nimport os\n"})
    result = run(root, "--layers", LAYERS)
    assert result.returncode == 1
    assert "imports of modules that do not exist" in result.stdout
    assert "pkg.gone" in result.stdout
