"""What a candidate's question asks for, from its words (no model: patterns)."""

from __future__ import annotations

import re
from typing import Literal

Intent = Literal["hint", "solution", "complexity", "failure", "problem", "other"]

_STRONG_HINT = re.compile(r"\b(hints?|nudge|stuck|clue)\b", re.IGNORECASE)
_WEAK_HINT = re.compile(
    r"\bhelp me\b|\bwhat should i do\b|\bwhere (do|should) i (start|begin)\b|\bno idea\b"
    r"|\bhow (do|should) i (start|approach|begin)\b|\bi'?m lost\b",
    re.IGNORECASE,
)
_SOLUTION = re.compile(
    r"\b(write|give|show|tell)\b.{0,30}\b(solution|answer|code|implementation)\b"
    r"|\bsolve (it|this)\b|\bfull (solution|code)\b",
    re.IGNORECASE,
)
_COMPLEXITY = re.compile(
    r"\bcomplexit|\bbig[- ]?o\b|\bo\(|\btoo slow\b|\bfaster\b|\bspeed (it )?up\b|\boptimi[sz]"
    r"|\befficien|\bperformance\b",
    re.IGNORECASE,
)
_FAILURE = re.compile(
    r"\bwhy\b|\bfail|\bwrong\b|\berrors?\b|\bbug|\bcrash|\bexception|\btraceback\b"
    r"|\bbroken\b|\bdoes ?n[o']t work|\bnot working\b|\bwhat happened\b|\bsegfault"
    r"|\bcompil|\bdebug|\bexplain (the|my|this) (run|result|output|error)|\bverdict\b"
    r"|\btime limit\b|\btimeout\b|\bmemory limit\b|\bpass(ed|ing)?\b|\bissue\b"
    r"|\bwhat'?s the problem with\b|\bwhat (went|is) wrong\b",
    re.IGNORECASE,
)
_PROBLEM = re.compile(
    r"\bconstraints?\b|\binput size\b|\bhow (big|large|long)\b|\bexamples?\b|\bstatement\b"
    r"|\bsignature\b|\brestate\b|\bproblem\b|\bquestion\b|\bwhat (do|does|should) .{0,20}"
    r"\b(ask|return|want|take|mean)|\brequirements?\b|\bbounds?\b|\brange of\b",
    re.IGNORECASE,
)


_ORDERED: tuple[tuple[Intent, re.Pattern[str]], ...] = (
    ("complexity", _COMPLEXITY),
    ("failure", _FAILURE),
    ("problem", _PROBLEM),
)


def intent_of(question: str) -> Intent:
    """What the candidate asks for; "help me" loses to a more specific request."""
    if _STRONG_HINT.search(question):
        return "hint"
    if _SOLUTION.search(question):
        return "solution"
    for intent, pattern in _ORDERED:
        if pattern.search(question):
            return intent
    return "hint" if _WEAK_HINT.search(question) else "other"


def wants_hint(question: str) -> bool:
    """True when :func:`reply` answers ``question`` by releasing the next hint.

    The caller counts released hints with it; :func:`reply` gives nothing new once all the
    problem's hints are out, so the count should stop at ``len(problem.hints)``.
    """
    return intent_of(question) == "hint"
