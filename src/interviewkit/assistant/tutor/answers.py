"""The tutor's answer to a question: a hint, a refusal, the problem, complexity advice or
the last run explained, by what the question asks.

It never writes solution code: at most it quotes one line of the candidate's code or one
short expression, whatever the policy, because the interviewer reads the conversation and
the interview is about the candidate's work.
"""

from __future__ import annotations

from interviewkit.assistant.context import AssistantContext
from interviewkit.assistant.tutor.complexity import complexity_answer
from interviewkit.assistant.tutor.intents import intent_of
from interviewkit.assistant.tutor.problem import problem_answer
from interviewkit.assistant.tutor.results import explain_result
from interviewkit.execution.schemas import ExecutionResult


def reply(context: AssistantContext, question: str) -> str:
    """The whole answer to ``question`` as Markdown, from the session's real signals."""
    intent = intent_of(question)
    if intent == "hint":
        return _hint_answer(context)
    if intent == "solution":
        return _solution_refusal(context)
    if intent == "complexity":
        return complexity_answer(context)
    if intent == "failure":
        return _failure_answer(context)
    if intent == "problem":
        return problem_answer(context.problem, question, context.language)
    if _failed(context.last_result):
        return "Here is what happened in your last run.\n\n" + _failure_answer(context)
    return _capabilities()


def _failed(result: ExecutionResult | None) -> bool:
    return result is not None and result.status not in (None, "accepted")


_CAN_DO = (
    "- **explain your last run**: why it failed, which test, expected vs. actual, and the "
    "line an error points at (ask *why did it fail?*);\n"
    "- **give the problem's hints**, one at a time and in order (ask *hint*);\n"
    "- **restate the problem**, its signature, constraints and examples (ask *what are the "
    "constraints?*);\n"
    "- **discuss complexity**: what the input size and the problem's topics call for (ask "
    "*what complexity should I aim for?*)."
)


def _capabilities() -> str:
    return (
        "I am the offline assistant: I work without an AI model, so I cannot hold a free "
        f"conversation or write the solution for you. I can:\n\n{_CAN_DO}"
    )


def _solution_refusal(context: AssistantContext) -> str:
    left = _hints_left(context)
    offer = (
        f"If you are stuck, ask for a **hint** ({left} left)."
        if left
        else "Run your code and ask me why it fails, or ask about the complexity to aim for."
    )
    return (
        "I can't write the solution for you: the interview is about your approach and "
        f"your code. {offer} I can also:\n\n{_CAN_DO}"
    )


def _hints_left(context: AssistantContext) -> int:
    if context.problem is None:
        return 0
    return max(0, len(context.problem.hints) - context.hints_released)


def _hint_answer(context: AssistantContext) -> str:
    """The next hint in order (hints are graded: each gives away more than the last)."""
    problem = context.problem
    if problem is None or not problem.hints:
        return (
            "This session has no problem with hints attached, so I have none to give. "
            "Describe your approach in a comment, run your code, and I can explain the result."
        )
    hints, given = problem.hints, max(0, context.hints_released)
    if given >= len(hints):
        return (
            f"You have had all {len(hints)} hints. Re-read the last one; it is the closest "
            f"to the approach:\n\n> {hints[-1]}\n\n"
            "Then run your code and ask me to explain the result."
        )
    after = (
        "Ask again if you want the next one."
        if given + 1 < len(hints)
        else "That was the last hint."
    )
    return f"**Hint {given + 1} of {len(hints)}:** {hints[given]}\n\n{after}"


def _failure_answer(context: AssistantContext) -> str:
    result = context.last_result
    if result is None:
        return (
            "You have not run your code yet in this session. Run it (or run the tests) and "
            "ask me again: I will explain what happened."
        )
    language = context.language or result.language
    return explain_result(result, language, context.files, context.problem)
