"""What a language is: data, as in Piston's packages and DMOJ's executors.

A spec names the files it owns, how to compile (optional) and run, how to ask the toolchain
its version, and how much memory the runtime needs beyond the program's own budget.
Commands are templates: ``{entry}`` (the entry file inside the sandbox), ``{sources}``
(every source file, expanded to several arguments), ``{main}`` (the entry's stem, for
Java's main class), ``{memory_mb}`` (the program's memory budget), ``{build}`` (compiled
artifacts) and one ``{tool}`` per executable the spec resolves on the host.

Everything else a domain needs to know about a language lives here too (the workspace file
a problem's solution goes in, whether function-call tests need a typed signature, the CPU
its runtime burns before the first test, the starter code for a signature, how its errors
read), so that adding a language is one module in this package and nothing elsewhere.
This package sits at the bottom: it imports nothing from other domains.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Protocol

from interviewkit.languages.diagnostics import LanguageDiagnostics


class ParamLike(Protocol):
    """One parameter of a signature, as a starter generator reads it."""

    @property
    def name(self) -> str: ...

    @property
    def type(self) -> str: ...


class SignatureLike(Protocol):
    """A typed entry point (``execution.harness.Signature`` is one); see :func:`split_type`."""

    @property
    def params(self) -> Sequence[ParamLike]: ...

    @property
    def returns(self) -> str: ...


Starter = Callable[[str, SignatureLike], str]
"""``(entry_point, signature) -> source`` that compiles and returns a default."""


def split_type(type_name: str) -> tuple[str, int]:
    """``"int[][]"`` -> ``("int", 2)``: the scalar and the number of array dimensions."""
    dims = type_name.count("[]")
    return type_name[: len(type_name) - 2 * dims], dims


@dataclass(frozen=True)
class PrecompiledHeader:
    """A system header the compiler can load precompiled instead of parsing it per run.

    ``bits/stdc++.h`` is most of a C++ compile (1.3 s of CPU for a hello world under
    C++20); built once per compiler version with the compile's own ``flags`` (GCC only uses
    a ``.gch`` made with the same language and optimisation options), it costs ~0.05 s.
    """

    header: str
    flags: tuple[str, ...]


@dataclass(frozen=True)
class CompileSettings:
    """Limits for the compiler, which are not the program's limits: javac needs a JVM."""

    wall_time_s: float = 30.0
    cpu_time_s: float = 30.0
    memory_mb: int = 1024
    processes: int = 128


@dataclass(frozen=True)
class Install:
    """How an operator checks and gets the toolchain: what ``doctor`` runs, what apt installs."""

    label: str
    probe: tuple[str, ...]
    packages: str


SourceFiles = dict[str, bytes]
"""A workspace as the sandbox gets it: relative path -> content."""


def _unchanged(files: SourceFiles) -> SourceFiles:
    return files


@dataclass(frozen=True)
class Environment:
    """What code in this language may use without asking: LeetCode's environment, as data.

    Candidates practise on LeetCode, where ``Map`` needs no import in Java, ``defaultdict``
    none in Python, ``bits/stdc++.h`` is included in C++ and ``MinPriorityQueue`` is a
    global in JavaScript; a judge that rejects such code judges the environment, not the
    candidate. ``version`` changes whenever what is available changes (it is part of
    ``GET /api/v1/languages`` and of the docs, so a company can tell which environment a
    past interview ran in).
    """

    version: str = "1"
    standard: str = ""
    """The language level code is compiled or run as ("C++20", "Java 17", "ES2022")."""
    preloaded: tuple[str, ...] = ()
    """What is available without an import or include, one item per line as the docs and
    the room list it ("java.util.*", "collections (deque, defaultdict, Counter, ...)")."""
    notes: tuple[str, ...] = ()
    """Anything else a candidate should know (their own definitions win, limits, ...)."""
    starter_note: str = ""
    """A one-line comment a starter opens with, saying what is available (may be empty)."""
    prepare: Callable[[SourceFiles], SourceFiles] = _unchanged
    """Turns the workspace (with harness files, if any) into what the sandbox gets: adds
    support files (``__ik_*`` names) and may rewrite sources, keeping their line numbers
    (Java's implicit imports go on line 1). Runs for plain runs and harness runs alike."""


@dataclass(frozen=True)
class LanguageSpec:
    name: str
    title: str
    extensions: tuple[str, ...]
    default_entry: str
    tools: dict[str, str]
    run: tuple[str, ...]
    version: tuple[str, ...]
    version_pattern: str
    solution_file: str
    """The workspace file a problem's candidate code lives in (``solution.py``)."""
    starter: Starter
    compile: tuple[str, ...] | None = None
    source_extensions: tuple[str, ...] = ()
    harness_includes_entry: bool = False
    """C++'s harness ``#include``s the entry file, so the entry is not compiled on its own."""
    needs_signature: bool = False
    """Function-call tests need a typed signature: the harness converts JSON to typed values."""
    startup_allowance_s: float = 0.0
    """CPU seconds the runtime spends before the first test (JVM start and JIT, Node start)."""
    editor_extensions: tuple[str, ...] | None = None
    """Extensions an editor shows in this language; ``extensions`` when ``None``."""
    aliases: tuple[str, ...] = ()
    """Other names a client may use (``py``, ``node``); matched case-insensitively."""
    memory_allowance_mb: int = 0
    binds: tuple[str, ...] = ()
    env: dict[str, str] = field(default_factory=dict)
    memory_error_markers: tuple[str, ...] = ()
    compile_limits: CompileSettings = field(default_factory=CompileSettings)
    precompiled_header: PrecompiledHeader | None = None
    """A header the engine precompiles once and offers to every compile (``-I``)."""
    diagnostics: LanguageDiagnostics | None = None
    """Its error knowledge (exception, frame and compiler patterns, common errors)."""
    install: Install | None = None
    """What ``interviewkit doctor`` probes for this language; ``None`` to skip it."""
    environment: Environment = field(default_factory=Environment)
    """What candidates' code may use without imports (see :class:`Environment`)."""

    @property
    def compiled(self) -> bool:
        return self.compile is not None

    @property
    def shown_extensions(self) -> tuple[str, ...]:
        """What an editor labels with this language (see ``editor_extensions``)."""
        return self.extensions if self.editor_extensions is None else self.editor_extensions

    def owns(self, path: str) -> bool:
        return PurePosixPath(path).suffix in self.extensions
