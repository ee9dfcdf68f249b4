"""Check the shape of the package: no import cycles, no oversized files, layers point down.

Run it from the repository root (``make test`` does)::

    .venv/bin/python scripts/check_structure.py
    .venv/bin/python scripts/check_structure.py --root path/to/src --package name \
        --layers "a b | c | d"

It reads the sources with :mod:`ast` and imports nothing, so it works on a tree that does
not import. Three checks, each of which makes the exit status 1:

1. Import cycles, between top-level packages (``interviewkit.problems`` ⇄
   ``interviewkit.assistant``) and between files. Imports inside functions count as much as
   those at the top of a module: a function-level import is still a dependency at run time,
   and moving an import into a function is the usual way a cycle gets hidden rather than
   broken. Imports under ``if TYPE_CHECKING:`` do not count: they never run.
2. Source files longer than :data:`MAX_LINES` lines.
3. Layer violations: a module importing from a layer above its own, against :data:`LAYERS`
   (bottom first, as in ``/work/shared/ARCHITECTURE.md``). A top-level name that is in no
   layer is reported too, so a new package has to be placed on purpose.
"""

from __future__ import annotations

import argparse
import ast
import sys
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console
from rich.table import Table

MAX_LINES = 700

# Bottom first. A module may import from its own layer and from the layers below it.
# Names are the top-level modules or packages of interviewkit; edit this list to move one.
LAYERS: list[list[str]] = [
    ["config", "errors", "db", "observability", "caching", "ratelimit"],
    ["languages"],
    ["llm"],
    ["speech"],
    ["storage", "tasks", "broker"],
    ["auth"],
    ["sessions"],
    ["execution"],
    ["recording"],
    ["problems"],
    ["assistant"],
    ["review"],
    ["live"],
    ["voice"],
    ["video"],
    ["web"],
    ["app", "cli", "doctor", "migrations", "__main__", "__init__"],
]


@dataclass(frozen=True)
class Edge:
    """One import: ``source`` imports ``target`` at ``line`` of ``path``."""

    source: str
    target: str
    path: Path
    line: int


@dataclass
class Report:
    """What the checks found; empty lists mean the tree is in shape."""

    package_cycles: list[list[str]] = field(default_factory=list)
    module_cycles: list[list[str]] = field(default_factory=list)
    long_files: list[tuple[Path, int]] = field(default_factory=list)
    layer_violations: list[Edge] = field(default_factory=list)
    unplaced: list[str] = field(default_factory=list)
    missing: list[Edge] = field(default_factory=list)
    """Imports of a module of the package that does not exist (a move left behind)."""
    edges: list[Edge] = field(default_factory=list)
    max_lines: int = MAX_LINES

    @property
    def ok(self) -> bool:
        return not (
            self.package_cycles
            or self.module_cycles
            or self.long_files
            or self.layer_violations
            or self.unplaced
            or self.missing
        )


# --------------------------------------------------------------------------------------
# reading the imports


def module_names(root: Path, package: str) -> dict[str, Path]:
    """Every module of ``package`` under ``root`` by dotted name (a package by its own name)."""
    modules: dict[str, Path] = {}
    for path in sorted((root / package).rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = path
    return modules


def _is_type_checking(test: ast.expr) -> bool:
    """``if TYPE_CHECKING:`` or ``if typing.TYPE_CHECKING:``."""
    if isinstance(test, ast.Name):
        return test.id == "TYPE_CHECKING"
    return isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"


def _runtime_imports(tree: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import statement that can run, at any depth, skipping TYPE_CHECKING blocks."""
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
            continue
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            stack.extend(node.orelse)
            continue
        stack.extend(ast.iter_child_nodes(node))


def _absolute(node: ast.ImportFrom, module: str, is_package: bool) -> str:
    """The absolute module a ``from`` import names (relative imports resolved)."""
    if node.level == 0:
        return node.module or ""
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def _targets(
    node: ast.Import | ast.ImportFrom, module: str, is_package: bool, known: set[str]
) -> Iterator[str]:
    """The modules one import statement loads (``from p import m`` loads ``p.m``).

    A name of the package that is no module at all is yielded as it is written, so that
    :func:`check` can report it; names outside the package are skipped.
    """
    package = module.split(".")[0]
    if isinstance(node, ast.Import):
        for alias in node.names:
            if alias.name == package or alias.name.startswith(package + "."):
                yield alias.name
        return
    base = _absolute(node, module, is_package)
    if base != package and not base.startswith(package + "."):
        return
    for alias in node.names:
        submodule = f"{base}.{alias.name}"
        yield submodule if submodule in known else base


def import_edges(root: Path, package: str) -> list[Edge]:
    """Every runtime import between modules of ``package``, with where it is written."""
    modules = module_names(root, package)
    known = set(modules)
    edges: list[Edge] = []
    for module, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        is_package = path.name == "__init__.py"
        for node in _runtime_imports(tree):
            for target in _targets(node, module, is_package, known):
                if target != module:
                    edges.append(Edge(module, target, path, node.lineno))
    return sorted(set(edges), key=lambda edge: (str(edge.path), edge.line, edge.target))


# --------------------------------------------------------------------------------------
# the checks


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's components with more than one member: each one is at least one cycle."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    counter = 0

    def visit(node: str) -> None:
        nonlocal counter
        index[node] = low[node] = counter
        counter += 1
        stack.append(node)
        on_stack.add(node)
        for successor in sorted(graph.get(node, ())):
            if successor not in index:
                visit(successor)
                low[node] = min(low[node], low[successor])
            elif successor in on_stack:
                low[node] = min(low[node], index[successor])
        if low[node] == index[node]:
            component: list[str] = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def top_level(module: str, package: str) -> str:
    """``interviewkit.execution.sandbox.bwrap`` → ``execution``; the root → ``__init__``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == package else "__init__"


def layer_of(name: str, layers: Sequence[Sequence[str]]) -> int | None:
    for position, members in enumerate(layers):
        if name in members:
            return position
    return None


def check(
    root: Path, package: str, layers: Sequence[Sequence[str]] = LAYERS, max_lines: int = MAX_LINES
) -> Report:
    """Run every check on ``root/package``."""
    known = set(module_names(root, package))
    edges = import_edges(root, package)
    report = Report(edges=[edge for edge in edges if edge.target in known], max_lines=max_lines)
    report.missing = [edge for edge in edges if edge.target not in known]
    modules: dict[str, set[str]] = defaultdict(set)
    packages: dict[str, set[str]] = defaultdict(set)
    for edge in report.edges:
        modules[edge.source].add(edge.target)
        source, target = top_level(edge.source, package), top_level(edge.target, package)
        if source != target:
            packages[source].add(target)
    report.module_cycles = strongly_connected(modules)
    report.package_cycles = strongly_connected(packages)
    for path in module_names(root, package).values():
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > max_lines:
            report.long_files.append((path, lines))
    names = {top_level(module, package) for module in module_names(root, package)}
    report.unplaced = sorted(name for name in names if layer_of(name, layers) is None)
    for edge in report.edges:
        below = layer_of(top_level(edge.source, package), layers)
        above = layer_of(top_level(edge.target, package), layers)
        if below is not None and above is not None and above > below:
            report.layer_violations.append(edge)
    return report


# --------------------------------------------------------------------------------------
# the report


def _where(edges: Iterable[Edge], source: str, target: str, package: str) -> str:
    """The first place the package ``source`` imports the package ``target``."""
    for edge in edges:
        if top_level(edge.source, package) == source and top_level(edge.target, package) == target:
            return f"{edge.path}:{edge.line} ({edge.source} → {edge.target})"
    return ""


def _cycle_in(component: list[str], edges: list[Edge]) -> list[Edge]:
    """The edges inside a module cycle, so the reader sees which imports to cut."""
    members = set(component)
    return [edge for edge in edges if edge.source in members and edge.target in members]


def render(report: Report, package: str, console: Console) -> None:
    for component in report.package_cycles:
        table = Table(title=f"import cycle between packages: {' ⇄ '.join(component)}")
        table.add_column("from")
        table.add_column("to")
        table.add_column("first import")
        members = set(component)
        for source in component:
            for target in sorted(members - {source}):
                where = _where(report.edges, source, target, package)
                if where:
                    table.add_row(source, target, where)
        console.print(table)
    for component in report.module_cycles:
        table = Table(title=f"import cycle between files: {' ⇄ '.join(component)}")
        table.add_column("file:line")
        table.add_column("imports")
        for edge in _cycle_in(component, report.edges):
            table.add_row(f"{edge.path}:{edge.line}", edge.target)
        console.print(table)
    if report.long_files:
        table = Table(title=f"files over {report.max_lines} lines")
        table.add_column("file")
        table.add_column("lines", justify="right")
        for path, lines in report.long_files:
            table.add_row(str(path), str(lines))
        console.print(table)
    if report.layer_violations:
        table = Table(title="imports pointing up the layers (LAYERS in scripts/check_structure.py)")
        table.add_column("file:line")
        table.add_column("module")
        table.add_column("imports (a higher layer)")
        for edge in report.layer_violations:
            table.add_row(f"{edge.path}:{edge.line}", edge.source, edge.target)
        console.print(table)
    if report.missing:
        table = Table(title="imports of modules that do not exist")
        table.add_column("file:line")
        table.add_column("imports")
        for edge in report.missing:
            table.add_row(f"{edge.path}:{edge.line}", edge.target)
        console.print(table)
    if report.unplaced:
        console.print(
            "[bold red]not in any layer[/] (add them to LAYERS): " + ", ".join(report.unplaced)
        )
    if report.ok:
        console.print(f"[green]structure ok[/]: {len(report.edges)} imports, no cycles")
    else:
        console.print("[bold red]structure check failed[/]")


def parse_layers(text: str) -> list[list[str]]:
    """``"a b | c | d"`` → ``[["a", "b"], ["c"], ["d"]]`` (bottom first)."""
    return [layer.split() for layer in text.split("|") if layer.strip()]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--root", type=Path, default=Path("src"), help="the folder above it")
    parser.add_argument("--package", default="interviewkit")
    parser.add_argument("--layers", help='override LAYERS, bottom first: "a b | c | d"')
    parser.add_argument("--max-lines", type=int, default=MAX_LINES)
    args = parser.parse_args(argv)
    layers = parse_layers(args.layers) if args.layers else LAYERS
    report = check(args.root, args.package, layers, args.max_lines)
    render(report, args.package, Console(width=160))
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
