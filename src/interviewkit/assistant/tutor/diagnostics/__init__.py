"""Each language's error knowledge, as the tutor reads it: a live view of the registry.

The tables themselves live with their language (``languages/<name>.py``, shape in
``languages/diagnostics.py``), so a language registered later is explained too.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from interviewkit import languages
from interviewkit.languages.diagnostics import Causes, ErrorInfo, LanguageDiagnostics

__all__ = ["DIAGNOSTICS", "Causes", "ErrorInfo", "LanguageDiagnostics"]


class _RegisteredDiagnostics(Mapping[str, LanguageDiagnostics]):
    """The diagnostics of every registered language that has them, in registry order
    (the order the tables are tried for a failure of an unknown language)."""

    def __getitem__(self, name: str) -> LanguageDiagnostics:
        spec = languages.find(name)
        if spec is None or spec.diagnostics is None:
            raise KeyError(name)
        return spec.diagnostics

    def __iter__(self) -> Iterator[str]:
        return (spec.name for spec in languages.all() if spec.diagnostics is not None)

    def __len__(self) -> int:
        return sum(1 for _ in self)


DIAGNOSTICS: Mapping[str, LanguageDiagnostics] = _RegisteredDiagnostics()
