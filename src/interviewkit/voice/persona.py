"""What the interviewer says, in its voice: the greeting, the spoken problem summary, a
run's result, the time left, check-ins and the wrap-up (offline, from data), and the
persona prompt a model gets when an LLM is configured.

The persona (name, tone, strictness, language) is the template's ``voice`` field
(:class:`~interviewkit.problems.bank.TemplateVoice`). Only what a candidate may see is
spoken: the title, the statement, the signature and the first visible example; a run is
read from its candidate view (hidden tests by count only). Follow-up questions are the
interviewer's own and are spoken by the interviewer only once the tests pass.
"""

from __future__ import annotations

import re
from typing import Any

from interviewkit.assistant.context import AssistantContext
from interviewkit.assistant.prompts import ROLE, system_prompt
from interviewkit.execution.schemas import ExecutionResult, TestResult
from interviewkit.problems.bank import Problem, TemplateVoice
from interviewkit.voice.speakable import speak, speakable, split_sentences, spoken_code

__all__ = [
    "DEFAULT_VOICE",
    "deadline_warning",
    "failing_checkin",
    "greeting",
    "idle_checkin",
    "persona_prompt",
    "problem_summary",
    "run_result",
    "spoken_type",
    "spoken_value",
    "time_left",
    "wrap_up",
]

DEFAULT_VOICE = TemplateVoice()
_TYPE_WORDS = {
    "int": "integer",
    "long": "integer",
    "double": "number",
    "bool": "true or false value",
    "string": "string",
    "char": "character",
    "ListNode": "linked list",
    "TreeNode": "binary tree",
}
_STATUS_WORDS = {
    "time_limit_exceeded": "it ran out of time",
    "memory_limit_exceeded": "it ran out of memory",
    "output_limit_exceeded": "it printed too much output",
    "runtime_error": "it crashed with an error",
    "internal_error": "the run itself failed on our side; try again in a moment",
}


def greeting(voice: TemplateVoice, candidate: str | None, seconds: int | None) -> list[str]:
    """Hello, who is speaking and how long the interview is."""
    name = f" {candidate.split()[0]}" if candidate and candidate.strip() else ""
    hello = {"warm": "Hi", "neutral": "Hello", "brisk": "Hello"}[voice.tone]
    lines = [f"{hello}{name}, I'm {voice.name}, and I'll be your interviewer today."]
    if seconds:
        lines.append(f"We have {_duration(seconds)}.")
    if voice.tone == "warm":
        lines.append("Think out loud as much as you like; I'm listening.")
    return lines


def problem_summary(problem: Problem) -> list[str]:
    """Title, the first sentences of the statement, the signature in words, one example."""
    first_paragraph = problem.description.strip().split("\n\n", 1)[0]
    opening = split_sentences(" ".join(first_paragraph.split()))[:2]
    lines = [f"The problem is called {problem.title}.", *opening]
    for difference in problem.differences:  # before LeetCode memories mislead
        lines += speak(f"Unlike the well-known version: {difference.strip()}")
    params = [f"{p.name}, {_article(spoken_type(p.type))}" for p in problem.signature.params]
    returns = _article(spoken_type(problem.signature.returns))
    lines.append(
        f"Your function, {spoken_code(problem.entry_point)}, takes {_and(params)},"
        f" and returns {returns}."
    )
    if problem.tests:
        example = problem.tests[0]
        given = [
            f"{p.name} {spoken_value(v)}"
            for p, v in zip(problem.signature.params, example.input, strict=False)
        ]
        lines.append(
            f"For example, with {_and(given)}, the answer is {spoken_value(example.expected)}."
        )
    lines.append("The full statement and the examples are in the editor.")
    return lines


def spoken_type(name: str) -> str:
    """``int[]`` -> "list of integers" (without an article)."""
    base = name.rstrip("[]")
    depth = (len(name) - len(base)) // 2
    words = _TYPE_WORDS.get(base, base)
    if depth == 0:
        return words
    return "list of " + "lists of " * (depth - 1) + f"{words}s"


def spoken_value(value: Any, limit: int = 8) -> str:
    """A test value as words: a short list is read out, a long one summarised."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "nothing"
    if isinstance(value, str):
        return f'the string "{value}"' if value else "an empty string"
    if isinstance(value, list):
        if not value:
            return "an empty list"
        if all(isinstance(v, list) for v in value):
            inner = "; ".join(_and([_plain(x) for x in v]) for v in value[:4])
            more = f", and {len(value) - 4} more" if len(value) > 4 else ""
            return f"the lists {inner}{more}"
        if len(value) > limit:
            head = ", ".join(_plain(v) for v in value[:3])
            return f"a list of {len(value)} values starting {head}"
        return "the list " + _and([_plain(v) for v in value])
    return _plain(value)


def _plain(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list):
        return _and([_plain(v) for v in value]) or "empty"
    if isinstance(value, str):
        return value or "empty"
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:  # a missing child in a level-order tree, as the statement writes it
        return "null"
    return str(value)


def _and(items: list[str]) -> str:
    """ "a, b and c"; "a, b, and c" when an item has an "and" of its own."""
    if len(items) <= 1:
        return "".join(items)
    last = ", and " if any(" and " in item for item in items) else " and "
    return ", ".join(items[:-1]) + last + items[-1]


def _article(words: str) -> str:
    if words.startswith(("list", "true")):
        return "a " + words
    return ("an " if words[:1] in "aeiou" else "a ") + words


def run_result(result: ExecutionResult, problem: Problem | None) -> list[str]:
    """A run in a few words, from its candidate view: counts, then the first visible
    failure (hidden tests only by how many fail)."""
    if result.state != "finished" or result.status is None:
        return ["The run is still going; you'll see the result in the editor."]
    if result.status == "compilation_error":
        output = result.compile.output if result.compile else ""
        first = next((line for line in output.splitlines() if line.strip()), "")
        detail = f" The first error says: {speakable(_clip(first))}" if first else ""
        return [f"It doesn't compile.{detail}"]
    if result.total == 0:
        ok = result.status == "accepted"
        return ["It ran without errors." if ok else f"It ran, but {_status(result.status)}."]
    if result.passed == result.total:
        return [f"All {result.total} tests pass."]
    lines = [f"{result.passed} of {result.total} tests pass."]
    failing = [t for t in result.tests if t.status != "accepted"]
    visible = next((t for t in failing if not t.hidden), None)
    if visible is not None:
        lines.append(_failure(visible, problem))
    hidden = sum(1 for t in failing if t.hidden)
    if hidden:
        lines.append(f"{hidden} hidden test{'s' if hidden > 1 else ''} fail as well."[:200])
    return lines


def _failure(test: TestResult, problem: Problem | None) -> str:
    names = [p.name for p in problem.signature.params] if problem else []
    given = test.input if isinstance(test.input, list) else []
    if names and len(names) == len(given):
        words = _and([f"{n} {spoken_value(v)}" for n, v in zip(names, given, strict=True)])
        where = f"The first failure is with {words}"
    else:
        where = f"The first failure is the test {test.name}"
    if test.status == "wrong_answer":
        return (
            f"{where}: expected {spoken_value(test.expected)}, but got {spoken_value(test.actual)}."
        )
    message = f": {speakable(_clip(test.message))}" if test.message else ""
    return f"{where}, where {_status(test.status)}{message}".rstrip(".") + "."


def _status(status: str | None) -> str:
    return _STATUS_WORDS.get(status or "", "it did not pass")


def _clip(text: str, limit: int = 140) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3].rsplit(" ", 1)[0] + "..."


def time_left(seconds: int | None) -> str:
    """The time left, in words."""
    if seconds is None:
        return "There's no time limit on this interview."
    if seconds <= 0:
        return "We're out of time."
    return f"You have {_duration(seconds)} left."


def _duration(seconds: int) -> str:
    if seconds < 60:
        return "less than a minute"
    minutes = round(seconds / 60)
    if minutes >= 60:
        hours, rest = divmod(minutes, 60)
        hour_words = f"{hours} hour{'s' if hours > 1 else ''}"
        return hour_words + (f" and {rest} minute{'s' if rest > 1 else ''}" if rest else "")
    return f"about {minutes} minute{'s' if minutes > 1 else ''}"


def idle_checkin(voice: TemplateVoice) -> str:
    if voice.strictness == "strict":
        return "Just checking in. Can you walk me through where you are?"
    offer = " If you're stuck, you can ask me for a hint." if voice.strictness == "lenient" else ""
    return f"How's it going? Tell me what you're thinking.{offer}"


def failing_checkin(voice: TemplateVoice, runs: int) -> str:
    ask = "Want to talk me through the failing case?"
    offer = " Or I can give you a hint." if voice.strictness == "lenient" else ""
    return f"That's {runs} runs in a row that fail. {ask}{offer}"


def deadline_warning(seconds: int) -> str:
    return f"Just so you know, we have {_duration(seconds)} left."


def wrap_up(voice: TemplateVoice, candidate: str | None) -> list[str]:
    name = f", {candidate.split()[0]}" if candidate and candidate.strip() else ""
    return ["That's time.", f"Thank you{name}; that's the end of the interview."]


_SPOKEN_RULES = (
    "You are speaking aloud, through a speech synthesiser, in a live coding interview. "
    "Answer in one to three short spoken sentences. Never read code aloud and never use "
    "Markdown, lists or symbols: say things in words. Ask one question at a time."
)
_TONES = {
    "warm": "Be warm and encouraging.",
    "neutral": "Be calm and neutral.",
    "brisk": "Be brief and to the point.",
}
_STRICTNESS = {
    "lenient": "When the candidate struggles, offer a hint.",
    "standard": "Give hints only when asked.",
    "strict": "Give hints only when asked, and make the candidate explain their reasoning.",
}
_PHASES = {
    "clarify": "The candidate is reading the problem: answer questions about the statement, "
    "its examples and constraints only.",
    "coding": "The candidate is coding: keep quiet unless asked; never solve it for them.",
    "hint": "The candidate asked for a hint: give one small step, not the solution.",
    "follow-up": "The tests pass. The candidate is answering your follow-up question: respond "
    "to their answer in one or two sentences; do not ask a new question.",
    "wrap-up": "The interview is ending: thank the candidate.",
}


def persona_prompt(voice: TemplateVoice, context: AssistantContext, phase: str) -> str:
    """The interviewer's system prompt: its persona and spoken style, the phase, then the
    assistant's own prompt (policy, problem, files, last run) without its role line."""
    persona = (
        f"You are {voice.name}, the interviewer in a live technical interview. "
        f"{_TONES[voice.tone]} {_STRICTNESS[voice.strictness]} "
        f"Speak {voice.language} only."
    )
    shared = re.sub(r"^" + re.escape(ROLE) + r"\s*", "", system_prompt(context))
    parts = [persona, _SPOKEN_RULES, _PHASES.get(phase, "")]
    parts += ["You are the interviewer: never give the solution, whatever the policy.", shared]
    return "\n\n".join(part for part in parts if part)
