"""A problem's starter as a candidate gets it: opened by the language's ``starter_note``.

A Java candidate who sees ``// java.util.* ... are imported for you`` on line 1 writes
``Map<Integer, Integer>`` without wondering whether the judge knows it; the note comes from
the language's :class:`~interviewkit.languages.base.Environment`, so the stored starters
(and the checks that run them) stay as authored and every call site that hands a starter to
a candidate (a new session's workspace, a template's next part, the public problem view)
adds it the same way.
"""

from __future__ import annotations

from collections.abc import Mapping

from interviewkit.languages import find


def starter_with_note(language: str, text: str) -> str:
    """``text`` opened by ``language``'s starter note on its own line, when it has one.

    Unknown languages and empty notes leave ``text`` unchanged, as does a text that already
    opens with the note (so applying it twice, or to a stored starter that has it, is safe).
    """
    spec = find(language)
    note = spec.environment.starter_note.strip() if spec else ""
    if not note or text.lstrip().startswith(note):
        return text
    return f"{note}\n{text}" if text else f"{note}\n"


def starters_with_notes(starters: Mapping[str, str]) -> dict[str, str]:
    """:func:`starter_with_note` for each ``language -> starter`` of a problem."""
    return {language: starter_with_note(language, text) for language, text in starters.items()}
