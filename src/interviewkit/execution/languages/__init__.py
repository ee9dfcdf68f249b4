"""The languages this engine knows; ``available_languages`` keeps those this machine has."""

from __future__ import annotations

import threading
from collections.abc import Sequence

from interviewkit.execution.languages.base import LanguageSpec, Toolchain, resolve
from interviewkit.execution.languages.cpp import CPP
from interviewkit.execution.languages.java import JAVA
from interviewkit.execution.languages.javascript import JAVASCRIPT
from interviewkit.execution.languages.python import PYTHON

ALL_LANGUAGES: tuple[LanguageSpec, ...] = (PYTHON, JAVASCRIPT, JAVA, CPP)
ALIASES = {"py": "python", "python3": "python", "js": "javascript", "node": "javascript",
           "c++": "cpp", "cxx": "cpp"}  # fmt: skip


class LanguageRegistry:
    """Probes toolchains once (javac takes half a second to say its version) and keeps them."""

    def __init__(self, specs: Sequence[LanguageSpec] = ALL_LANGUAGES) -> None:
        self.specs = {spec.name: spec for spec in specs}
        self._found: dict[str, Toolchain] | None = None
        self._lock = threading.Lock()

    def available(self) -> dict[str, Toolchain]:
        with self._lock:
            if self._found is None:
                found = (resolve(spec) for spec in self.specs.values())
                self._found = {chain.name: chain for chain in found if chain is not None}
            return self._found

    def canonical(self, name: str) -> str:
        lowered = name.strip().lower()
        return ALIASES.get(lowered, lowered)

    def for_file(self, path: str) -> LanguageSpec | None:
        for spec in self.specs.values():
            if spec.owns(path) and spec.default_entry.rsplit(".", 1)[-1] == path.rsplit(".", 1)[-1]:
                return spec
        return next((spec for spec in self.specs.values() if spec.owns(path)), None)


__all__ = ["ALL_LANGUAGES", "LanguageRegistry", "LanguageSpec", "Toolchain"]
