"""The offline tutor: a rule-based assistant that answers from real signals, not a model.

It works with no network and no LLM, so every session has an assistant that is honest about
what it knows: the last execution result (tracebacks, compiler errors, failing tests,
verdicts), the problem's public statement, tags and graded hints, and the candidate's own
files.

Only what a candidate may see is used: the statement, tags, signature, visible examples and
hints (released in order). Hidden tests' inputs, reference solutions, follow-ups and the
rubric never appear, even if a caller passes a result that still carries hidden inputs.

Modules: ``intents`` (what a question asks), ``answers`` (the reply), ``problem``
(restating it), ``complexity``, ``results`` (a run, per verdict), ``wrong``, ``runtime``,
``compiler`` (with error locations), ``failures``, ``text``, ``provider`` (the LLM port's
offline adapter); per-language error knowledge is data in ``diagnostics``.
"""

from __future__ import annotations

from collections.abc import Mapping

from interviewkit.assistant.tutor.answers import reply
from interviewkit.assistant.tutor.compiler import error_location
from interviewkit.assistant.tutor.diagnostics import DIAGNOSTICS, ErrorInfo
from interviewkit.assistant.tutor.intents import wants_hint
from interviewkit.assistant.tutor.results import explain_result

__all__ = [
    "COMMON_ERRORS",
    "ErrorInfo",
    "error_location",
    "explain_result",
    "reply",
    "wants_hint",
]

COMMON_ERRORS: Mapping[str, Mapping[str, ErrorInfo]] = {
    language: spec.common_errors for language, spec in DIAGNOSTICS.items()
}
"""The most common errors per language: what they usually mean and what to check first."""
