"""What the assistant knows about the session when it answers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from interviewkit.execution.schemas import ExecutionResult
from interviewkit.llm.port import ChatMessage
from interviewkit.problems.bank import Problem

Policy = Literal["hints_only", "explain", "full"]


@dataclass
class AssistantContext:
    """The problem, the language, the code, the last run and the conversation so far."""

    session_id: str
    language: str | None
    files: dict[str, str]
    """Workspace path -> content (already trimmed to the token budget, active file first)."""
    active_file: str | None
    problem: Problem | None = None
    last_result: ExecutionResult | None = None
    """The last run as its candidate sees it (``candidate_view``): no hidden test's output."""
    conversation: list[ChatMessage] = field(default_factory=list)
    hints_released: int = 0
    """How many of the problem's hints the assistant has given in this session."""
    policy: Policy = "hints_only"
