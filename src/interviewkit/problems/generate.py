"""Problems written by an LLM and vetted by the sandbox before any candidate sees them.

The model proposes a statement, a typed signature, tests and a Python reference. The
platform trusts none of it: the reference runs in the sandbox against every test, a test
whose expected value the reference does not produce is dropped, and a problem with fewer
than ``MIN_TESTS`` surviving tests is rejected. Accepted problems are stored with
``source: generated`` and served like bank problems (Python reference; starter code for
every registered language derived from the signature).
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from interviewkit.execution.harness import Signature
from interviewkit.execution.schemas import CallTest
from interviewkit.languages import all as all_languages
from interviewkit.llm.chain import AllProvidersFailed, MidStreamFailure, ProviderChain
from interviewkit.llm.port import ChatMessage
from interviewkit.problems.bank import BankTest, Difficulty, Irt, Problem, RubricItem
from interviewkit.problems.runner import ProblemRunner

MIN_TESTS = 8
DIFFICULTY_B = {"easy": -1.0, "medium": 0.2, "hard": 1.3}
SYSTEM = """You write coding interview problems. Answer with one JSON object and nothing else:
{"title": str, "description": str (Markdown, with a **Constraints** section),
 "entry_point": str (camelCase), "signature": {"params": [{"name": str, "type": str}],
 "returns": str}, "tests": [{"name": str, "input": [args...], "expected": value}] (12 tests,
 edge cases included), "reference_python": str (class Solution with the entry point method),
 "hints": [three graded hints]}
Types: int, long, double, bool, string, and 1-D or 2-D arrays of them such as "int[]"."""


class Draft(BaseModel):
    """What the model must return."""

    model_config = ConfigDict(extra="ignore")

    title: str = Field(min_length=1, max_length=200)
    description: str = Field(min_length=1, max_length=20_000)
    entry_point: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
    signature: Signature
    tests: list[BankTest] = Field(min_length=1, max_length=100)
    reference_python: str = Field(min_length=1, max_length=20_000)
    hints: list[str] = Field(default_factory=list)


class Rejected(Exception):
    """The model's problem did not survive vetting; says why."""


def extract_json(text: str) -> Any:
    """The first JSON object in ``text`` (models like to wrap it in prose or fences)."""
    match = re.search(r"\{.*\}", text, re.DOTALL)
    if match is None:
        raise Rejected("the reply holds no JSON object")
    try:
        return json.loads(match.group(0))
    except json.JSONDecodeError as exc:
        raise Rejected(f"the reply's JSON does not parse: {exc}") from None


async def ask(chain: ProviderChain, difficulty: str, tags: list[str]) -> str:
    prompt = f"Write one {difficulty} problem" + (f" about {', '.join(tags)}." if tags else ".")
    text = ""
    try:
        async for served in chain.stream([ChatMessage("user", prompt)], SYSTEM, max_tokens=4000):
            text += served.chunk.text
    except (AllProvidersFailed, MidStreamFailure) as exc:
        raise Rejected(f"no provider wrote a problem: {exc}") from None
    return text


def vet(text: str, difficulty: Difficulty, tags: list[str], runner: ProblemRunner) -> Problem:
    """Parse, then keep only the tests the reference passes in the sandbox."""
    try:
        draft = Draft.model_validate(extract_json(text))
    except ValidationError as exc:
        raise Rejected(f"the problem is malformed: {exc.errors()[0]['msg']}") from None
    digest = hashlib.sha256(text.encode()).hexdigest()[:8]
    slug = re.sub(r"[^a-z0-9]+", "-", draft.title.lower()).strip("-")[:40] or "problem"
    names = [f"t{i + 1}" for i in range(len(draft.tests))]
    candidate = _problem(
        f"gen-{slug}-{digest}",
        draft,
        difficulty,
        tags,
        [t.model_copy(update={"name": n}) for t, n in zip(draft.tests, names, strict=True)],
    )
    calls = [
        CallTest(name=n, input=t.input, expected=t.expected)
        for t, n in zip(draft.tests, names, strict=True)
    ]
    result = runner.run(candidate, "python", draft.reference_python, calls)
    if result.compile is not None and result.compile.status != "accepted":
        raise Rejected("the reference does not compile")
    passing = {t.name for t in result.tests if t.status == "accepted"}
    kept = [
        t.model_copy(update={"name": n})
        for t, n in zip(draft.tests, names, strict=True)
        if n in passing
    ]
    if len(kept) < MIN_TESTS:
        raise Rejected(f"only {len(kept)} of {len(draft.tests)} tests survived; need {MIN_TESTS}")
    return _problem(candidate.id, draft, difficulty, tags, kept)


def _problem(
    problem_id: str, draft: Draft, difficulty: Difficulty, tags: list[str], tests: list[BankTest]
) -> Problem:
    hints = (draft.hints + ["Start from a small example by hand."] * 3)[:3]
    return Problem(
        id=problem_id,
        title=draft.title,
        description=draft.description,
        difficulty=difficulty,
        tags=tags or ["generated"],
        entry_point=draft.entry_point,
        signature=draft.signature,
        starter=starters(draft.entry_point, draft.signature),
        solutions={"python": draft.reference_python},
        tests=tests[:2],
        hidden_tests=tests[2:],
        hints=hints,
        follow_ups=["What is the time and space complexity?", "Which edge cases did you test?"],
        rubric=[
            RubricItem(criterion="Correctness", weight=0.6, description="Passes the tests."),
            RubricItem(
                criterion="Complexity", weight=0.4, description="Chooses an efficient approach."
            ),
        ],
        irt=Irt(a=1.0, b=DIFFICULTY_B[difficulty]),
        source="generated",
    )


def starters(entry: str, signature: Signature) -> dict[str, str]:
    """Code that compiles in each language and returns a default: the candidate's start."""
    return {spec.name: spec.starter(entry, signature) for spec in all_languages()}
