"""What the assistant may say: the policy rules, the leak check and the refusal.

Kept apart from the turn that applies them so that the rules read in one place and the
leak check can be tested on its own.
"""

from __future__ import annotations

from interviewkit.assistant.context import AssistantContext, Policy
from interviewkit.languages import DEFAULT_LANGUAGE

POLICY_RULES: dict[str, str] = {
    "hints_only": (
        "Guide with questions and hints. Never write the solution or any part of it as code; "
        "at most one short line of code to illustrate syntax."
    ),
    "explain": (
        "You may explain concepts, algorithms and error messages, with small snippets of "
        "code (a few lines), but never a working solution to the problem."
    ),
    "full": "You may help fully, including code, as a pair programmer would.",
}
REFUSAL = (
    "I can't share that: it would give away most of the solution, which this interview's "
    "assistant policy does not allow. Ask me for a hint, or about the failing test instead."
)


def session_policy(config: dict[str, object]) -> Policy:
    """The session's policy; an unknown value falls back to the strictest."""
    policy = config.get("assistant_policy", "hints_only")
    if policy == "explain" or policy == "full":
        return policy
    return "hints_only"


def guarded_reference(context: AssistantContext) -> str | None:
    """The reference solution a reply must not reveal (hints-only sessions only)."""
    if context.policy != "hints_only" or context.problem is None:
        return None
    return context.problem.solutions.get(context.language or DEFAULT_LANGUAGE)


def leaks_solution(reply: str, reference: str, threshold: float = 0.5) -> bool:
    """True when the reply holds most of the reference's significant lines of code."""
    significant = {_code(line) for line in reference.splitlines() if len(_code(line)) >= 8}
    if not significant:
        return False
    said = {_code(line) for line in reply.splitlines()}
    return len(significant & said) / len(significant) >= threshold


def _code(line: str) -> str:
    return "".join(line.split())
