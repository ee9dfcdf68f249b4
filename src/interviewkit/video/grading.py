"""A rubric grade per answer from an LLM, kept only where its evidence is in the transcript.

The model is asked for one JSON object: a 1-5 score per criterion (the question itself,
each rubric keyword, structure, clarity) with quotes copied from the transcript. The
platform trusts none of it: every quote is normalised (case, punctuation, whitespace) and
looked for in the normalised transcript; a criterion with a quote that is not there, or
with no quote at all, is dropped, and the overall score is recomputed from the criteria
that survive (the model's own overall score was formed with the forged evidence). No
criterion left: no grade.

Offline there is no grade at all (``None``): the rule-based tutor cannot judge an answer
and a made-up grade would be a constant in disguise.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import threading
from collections.abc import AsyncIterator, Callable, Coroutine, Sequence
from typing import Any, TypeVar

import anyio.from_thread
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from interviewkit.llm.chain import AllProvidersFailed, MidStreamFailure, ProviderChain
from interviewkit.llm.port import ChatMessage, LLMProvider, ProviderError
from interviewkit.video.results import AnswerGrade, CriterionGrade, TranscriptResult

log = logging.getLogger(__name__)

OFFLINE = "offline"
MIN_QUOTE_WORDS = 3
"""A shorter quote ("the", "I think") proves nothing: it is in almost any answer."""
MAX_TOKENS = 1500
TRANSCRIPT_CHARS = 12_000
"""About ten minutes of speech; the rest is cut (the grade says so)."""
SYSTEM = """You grade one recorded interview answer against a rubric. Answer with one JSON
object and nothing else:
{"criteria": [{"criterion": str, "score": 1-5, "evidence": [str], "comment": str}],
 "score": 1-5, "summary": str}
Grade every criterion you are given, in order. "evidence" holds one to three quotes copied
word for word from the transcript (at least three words each) that support the score. Do
not paraphrase in "evidence"; a criterion the transcript says nothing about gets score 1
and an exact quote of the closest passage. Judge only what the transcript says."""

GradingLLM = LLMProvider | ProviderChain
T = TypeVar("T")
_NON_WORD = re.compile(r"[^a-z0-9']+")


class _Criterion(BaseModel):
    model_config = ConfigDict(extra="ignore")

    criterion: str = Field(min_length=1, max_length=300)
    score: int = Field(ge=1, le=5)
    evidence: list[str] = Field(default_factory=list, max_length=10)
    comment: str = Field("", max_length=2000)


class _Reply(BaseModel):
    model_config = ConfigDict(extra="ignore")

    criteria: list[_Criterion] = Field(min_length=1, max_length=30)
    score: int = Field(ge=1, le=5)
    summary: str = Field("", max_length=4000)


def normalise(text: str) -> str:
    """Lower case, curly apostrophes straightened, anything but letters, digits and
    apostrophes turned into single spaces: how quotes and transcript are compared."""
    return " ".join(_NON_WORD.sub(" ", text.lower().replace("\u2019", "'")).split())


def quote_found(quote: str, transcript: str) -> bool:
    """Whether ``quote`` occurs in ``transcript`` word for word (after :func:`normalise`)."""
    needle = normalise(quote)
    haystack = normalise(transcript)
    words = needle.split()
    if not words or len(words) < min(MIN_QUOTE_WORDS, len(haystack.split())):
        return False
    return f" {needle} " in f" {haystack} "


def criteria_for(question: str, keywords: Sequence[str]) -> list[str]:
    """The rubric: the question, one criterion per keyword, structure and clarity."""
    rubric = [f"Answers the question: {question.strip()}"]
    rubric += [f"Covers '{k.strip()}' correctly and concretely" for k in keywords if k.strip()]
    rubric += [
        "Structure: situation, task, action and result are clear",
        "Clarity: easy to follow, specific rather than vague",
    ]
    return rubric


def prompt(question: str, keywords: Sequence[str], transcript: TranscriptResult) -> str:
    text = transcript.text
    cut = len(text) > TRANSCRIPT_CHARS
    rubric = "\n".join(f"{i + 1}. {c}" for i, c in enumerate(criteria_for(question, keywords)))
    return (
        f"Question asked: {question.strip()}\n\nCriteria:\n{rubric}\n\n"
        f"Transcript{' (cut)' if cut else ''}:\n<<<\n{text[:TRANSCRIPT_CHARS]}\n>>>"
    )


def verify(reply_text: str, transcript: TranscriptResult, model: str) -> AnswerGrade | None:
    """The grade in ``reply_text`` with only the criteria whose every quote is real."""
    match = re.search(r"\{.*\}", reply_text, re.DOTALL)
    if match is None:
        log.warning("video grade: the reply holds no JSON object")
        return None
    try:
        reply = _Reply.model_validate(json.loads(match.group(0)))
    except (json.JSONDecodeError, ValidationError) as exc:
        log.warning("video grade: the reply is malformed: %s", str(exc)[:200])
        return None
    kept: list[CriterionGrade] = []
    for item in reply.criteria:
        quotes = [q.strip() for q in item.evidence if q.strip()]
        if quotes and all(quote_found(q, transcript.text) for q in quotes):
            kept.append(
                CriterionGrade(
                    criterion=item.criterion,
                    score=item.score,
                    evidence=quotes,
                    comment=item.comment,
                )
            )
        else:
            log.info("video grade: dropped %r (evidence not in the transcript)", item.criterion)
    if not kept:
        return None
    score = round(sum(c.score for c in kept) / len(kept))
    return AnswerGrade(score=score, criteria=kept, summary=reply.summary, model=model)


def grading_llm(llm: GradingLLM | None) -> GradingLLM | None:
    """``llm`` without the offline tutor, or None when that leaves nothing to ask."""
    if llm is None:
        return None
    if isinstance(llm, ProviderChain):
        online = llm.without(OFFLINE)
        return online if online.providers else None
    return None if llm.name == OFFLINE else llm


async def _ask(llm: GradingLLM, user: str) -> tuple[str, str]:
    """(reply text, model) from a chain or a single provider."""
    messages = [ChatMessage("user", user)]
    text, model = "", ""
    if isinstance(llm, ProviderChain):
        async for served in llm.stream(messages, SYSTEM, max_tokens=MAX_TOKENS):
            text += served.chunk.text
            model = served.chunk.model or model or served.provider.model
    else:
        stream: AsyncIterator[Any] = llm.stream(messages, SYSTEM, max_tokens=MAX_TOKENS)
        async for chunk in stream:
            text += chunk.text
            model = chunk.model or model or llm.model
    return text, model


_loop: asyncio.AbstractEventLoop | None = None
_loop_lock = threading.Lock()


def _run(function: Callable[..., Coroutine[Any, Any, T]], *args: Any) -> T:
    """Run a provider coroutine from the pipeline's worker thread.

    On one of the server's worker threads it runs on the server's loop (the SDK clients of
    a shared chain belong there). Anywhere else (a task worker thread, the CLI) it runs on
    one long-lived loop of this module's own, never a fresh ``asyncio.run`` per answer: an
    SDK client keeps pooled connections bound to the loop that opened them, and a second
    answer on a new loop would find them dead.
    """
    try:
        return anyio.from_thread.run(function, *args)
    except RuntimeError:  # not on a server's worker thread
        pass
    global _loop
    with _loop_lock:
        if _loop is None or _loop.is_closed():
            _loop = asyncio.new_event_loop()
            threading.Thread(target=_loop.run_forever, name="video-grade", daemon=True).start()
        loop = _loop
    return asyncio.run_coroutine_threadsafe(function(*args), loop).result()


def grade_answer(
    llm: GradingLLM | None,
    question: str,
    keywords: Sequence[str],
    transcript: TranscriptResult,
) -> AnswerGrade | None:
    """The verified rubric grade of one answer, or None (offline, nothing said, the
    provider failed, or no criterion's evidence was real). Blocking: call it from a worker
    thread (the pipeline's steps run in one)."""
    online = grading_llm(llm)
    if online is None or not question.strip() or not transcript.words:
        return None
    try:
        text, model = _run(_ask, online, prompt(question, keywords, transcript))
    except (AllProvidersFailed, MidStreamFailure, ProviderError) as exc:
        log.warning("video grade: no provider answered: %s", exc)
        return None
    return verify(text, transcript, model)
