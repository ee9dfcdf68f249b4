"""The text the assistant sends a model: one place to read (and review) every prompt."""

from __future__ import annotations

from interviewkit.assistant.context import AssistantContext
from interviewkit.assistant.policy import POLICY_RULES
from interviewkit.assistant.tutor import explain_result

ROLE = (
    "You are the assistant in a live technical interview. You help the candidate "
    "think, like a good interviewer would; the interviewer reads this conversation."
)


def system_prompt(context: AssistantContext) -> str:
    """The role, the policy, the problem, the files and the last run, as one prompt."""
    parts = [ROLE, f"Policy: {POLICY_RULES[context.policy]}"]
    if context.problem is not None:
        parts.append(f"## Problem: {context.problem.title}\n{context.problem.statement}")
    if context.language:
        parts.append(f"Language: {context.language}")
    for path, text in context.files.items():
        active = path == context.active_file
        marker = " (the file the candidate is working on)" if active else ""
        parts.append(f"## File {path}{marker}\n```\n{text}\n```")
    if context.last_result is not None:
        result = context.last_result
        parts.append(
            f"## Last run: {result.status}, {result.passed}/{result.total} tests\n"
            + explain_result(
                result, context.language or result.language, context.files, context.problem
            )
        )
    return "\n\n".join(parts)
