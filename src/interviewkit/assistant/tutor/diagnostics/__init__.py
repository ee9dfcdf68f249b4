"""Per-language error knowledge, one data object per language (see :mod:`.spec`)."""

from __future__ import annotations

from collections.abc import Mapping

from interviewkit.assistant.tutor.diagnostics.cpp import CPP
from interviewkit.assistant.tutor.diagnostics.java import JAVA
from interviewkit.assistant.tutor.diagnostics.javascript import JAVASCRIPT
from interviewkit.assistant.tutor.diagnostics.python import PYTHON
from interviewkit.assistant.tutor.diagnostics.spec import Causes, ErrorInfo, LanguageDiagnostics

__all__ = ["DIAGNOSTICS", "Causes", "ErrorInfo", "LanguageDiagnostics"]

DIAGNOSTICS: Mapping[str, LanguageDiagnostics] = {
    "python": PYTHON,
    "javascript": JAVASCRIPT,
    "java": JAVA,
    "cpp": CPP,
}
"""Every language the tutor knows, in the order its tables are tried for an unknown one."""
