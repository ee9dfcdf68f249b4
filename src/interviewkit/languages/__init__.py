"""The language registry: the one place that knows which languages exist and what they are.

Each language is one module here (its :class:`LanguageSpec`, as data, plus its starter
generator); every other domain asks this registry (``get``, ``all``, ``for_path``) instead
of naming a language, an extension or a toolchain itself. See ``docs/adding-a-language.md``.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Iterator, Mapping

from interviewkit.languages.base import (
    CompileSettings,
    Environment,
    Install,
    LanguageSpec,
    PrecompiledHeader,
    SignatureLike,
    split_type,
)
from interviewkit.languages.cpp import CPP
from interviewkit.languages.diagnostics import Causes, ErrorInfo, LanguageDiagnostics
from interviewkit.languages.editor import OTHER_EDITOR_LANGUAGES, PLAINTEXT
from interviewkit.languages.java import JAVA
from interviewkit.languages.javascript import JAVASCRIPT
from interviewkit.languages.python import PYTHON

BUILTIN: tuple[LanguageSpec, ...] = (PYTHON, JAVASCRIPT, JAVA, CPP)
"""The languages this package ships, in the order lists show them."""

DEFAULT_LANGUAGE = PYTHON.name
"""The language of a session that names none (and the tutor's fallback reading)."""

_registry: dict[str, LanguageSpec] = {spec.name: spec for spec in BUILTIN}


class UnknownLanguageError(KeyError):
    """No registered language has this name or alias."""


def register(spec: LanguageSpec) -> LanguageSpec:
    """Add (or replace) a language; a deployment's plug-in or a test calls this at start-up."""
    _registry[spec.name] = spec
    return spec


def unregister(name: str) -> None:
    """Remove a language added by :func:`register` (tests clean up with this)."""
    _registry.pop(name, None)


def all() -> tuple[LanguageSpec, ...]:
    """Every registered language, built-in ones first."""
    return tuple(_registry.values())


def names() -> tuple[str, ...]:
    return tuple(_registry)


def canonical(name: str) -> str:
    """``"Python3"`` -> ``"python"``: lower-cased, aliases resolved; unknown names unchanged."""
    lowered = name.strip().lower()
    for spec in _registry.values():
        if lowered in spec.aliases:
            return spec.name
    return lowered


def find(name: str) -> LanguageSpec | None:
    """The language called ``name`` (or an alias of it), ``None`` when there is none."""
    return _registry.get(canonical(name))


def get(name: str) -> LanguageSpec:
    """Like :func:`find`, but an unknown name is an :class:`UnknownLanguageError`."""
    spec = find(name)
    if spec is None:
        raise UnknownLanguageError(name)
    return spec


def for_path(path: str, specs: Iterable[LanguageSpec] | None = None) -> LanguageSpec | None:
    """The language that runs ``path``, by extension; ``None`` for any other file.

    When several own an extension (``.h``), the one whose default entry has it wins.
    """
    owners = [spec for spec in (_registry.values() if specs is None else specs) if spec.owns(path)]
    suffix = path.rsplit(".", 1)[-1]
    exact = (spec for spec in owners if spec.default_entry.rsplit(".", 1)[-1] == suffix)
    return next(exact, owners[0] if owners else None)


def editor_language(path: str) -> str:
    """The editor's language for ``path`` by extension, ``plaintext`` when unknown."""
    extension = posixpath.splitext(path)[1].lower()
    for spec in _registry.values():
        if extension in spec.shown_extensions:
            return spec.name
    return OTHER_EDITOR_LANGUAGES.get(extension, PLAINTEXT)


class _SolutionFiles(Mapping[str, str]):
    """A live view ``language -> solution file`` over the registry (for older call sites)."""

    def __getitem__(self, name: str) -> str:
        return _registry[name].solution_file

    def __iter__(self) -> Iterator[str]:
        return iter(list(_registry))

    def __len__(self) -> int:
        return len(_registry)


SOLUTION_FILES: Mapping[str, str] = _SolutionFiles()
"""The workspace file that holds the candidate's code, per language."""

__all__ = [
    "BUILTIN",
    "DEFAULT_LANGUAGE",
    "SOLUTION_FILES",
    "Causes",
    "CompileSettings",
    "Environment",
    "ErrorInfo",
    "Install",
    "LanguageDiagnostics",
    "LanguageSpec",
    "PrecompiledHeader",
    "SignatureLike",
    "UnknownLanguageError",
    "all",
    "canonical",
    "editor_language",
    "find",
    "for_path",
    "get",
    "names",
    "register",
    "split_type",
    "unregister",
]
