"""The LLM rubric grade over real HTTP (the fake OpenAI server): kept only where its quotes
are in the transcript, never invented offline."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from interviewkit.assistant.service import build_chain
from interviewkit.llm.chain import ProviderChain
from interviewkit.video.grading import grade_answer, quote_found
from interviewkit.video.results import TimedWord, TranscriptResult
from tests.conftest import make_settings
from tests.fakes.llm_server import FakeLLM, fail

QUESTION = "Tell me about a time you made a slow system fast."
TRANSCRIPT_TEXT = (
    "At my last job the checkout page took eight seconds to load. "
    "I profiled the database queries and added a Redis cache in front of them. "
    "As a result the page loads in under one second now."
)


def transcript() -> TranscriptResult:
    words = [
        TimedWord(text=w, start=i * 0.4, end=i * 0.4 + 0.3)
        for i, w in enumerate(TRANSCRIPT_TEXT.split())
    ]
    return TranscriptResult(text=TRANSCRIPT_TEXT, words=words, engine="test")


def chain(tmp_path: Path, llm: FakeLLM, provider: str = "openai,offline") -> ProviderChain:
    settings = make_settings(
        tmp_path,
        llm_provider=provider,
        openai_base_url=llm.base_url + "/v1",
        openai_api_key="test",
        openai_model="fake-gpt",
        llm_retry_attempts=1,
    )
    return build_chain(settings)


def criterion(name: str, score: int, *evidence: str) -> dict[str, Any]:
    return {"criterion": name, "score": score, "evidence": list(evidence), "comment": "ok"}


@pytest.fixture
def fake(llm: FakeLLM) -> FakeLLM:
    llm.reset()
    return llm


def test_a_grade_keeps_only_criteria_whose_quotes_are_real(tmp_path: Path, fake: FakeLLM) -> None:
    body = {
        "criteria": [
            criterion("Answers the question", 5, "I profiled the database queries"),
            criterion("Covers 'caching'", 4, "added a REDIS cache, in front of them"),
            criterion("Covers 'load testing'", 5, "I ran a load test with ten thousand users"),
            criterion("Clarity", 3, "the page", "loads in under one second"),
        ],
        "score": 5,
        "summary": "Clear and concrete.",
    }
    fake.script("Here is the grade:\n```json\n" + json.dumps(body) + "\n```")
    grade = grade_answer(chain(tmp_path, fake), QUESTION, ["caching", "load testing"], transcript())

    assert grade is not None
    kept = [c.criterion for c in grade.criteria]
    assert kept == ["Answers the question", "Covers 'caching'"]  # forged and too-short dropped
    assert grade.score == 4  # recomputed from what survived, not the model's 5
    assert grade.model == "fake-gpt"
    assert grade.summary == "Clear and concrete."
    sent = fake.last_request.body
    prompt = json.dumps(sent["messages"])
    assert "Redis cache" in prompt
    assert "load testing" in prompt
    assert QUESTION in prompt


def test_a_grade_with_only_forged_quotes_is_no_grade(tmp_path: Path, fake: FakeLLM) -> None:
    body = {
        "criteria": [criterion("Answers the question", 5, "we rewrote it all in Rust")],
        "score": 5,
        "summary": "Great.",
    }
    fake.script(json.dumps(body))
    assert grade_answer(chain(tmp_path, fake), QUESTION, [], transcript()) is None


@pytest.mark.parametrize("reply", ["I would give it a 4.", '{"criteria": "none", "score": 9}'])
def test_a_reply_that_is_not_a_grade_is_no_grade(tmp_path: Path, fake: FakeLLM, reply: str) -> None:
    fake.script(reply)
    assert grade_answer(chain(tmp_path, fake), QUESTION, [], transcript()) is None


def test_a_failing_provider_is_no_grade(tmp_path: Path, fake: FakeLLM) -> None:
    fake.script(fail(500))
    assert grade_answer(chain(tmp_path, fake, "openai"), QUESTION, [], transcript()) is None


def test_offline_there_is_no_grade_and_no_request(tmp_path: Path, fake: FakeLLM) -> None:
    assert grade_answer(chain(tmp_path, fake, "offline"), QUESTION, [], transcript()) is None
    assert grade_answer(None, QUESTION, [], transcript()) is None
    assert fake.requests == []


def test_a_single_provider_works_like_the_chain(tmp_path: Path, fake: FakeLLM) -> None:
    body = {"criteria": [criterion("Clarity", 4, "the checkout page took eight seconds")]}
    fake.script(json.dumps({**body, "score": 4, "summary": ""}))
    provider = chain(tmp_path, fake, "openai").providers[0]
    grade = grade_answer(provider, QUESTION, [], transcript())
    assert grade is not None
    assert grade.score == 4


def test_quotes_are_compared_without_case_punctuation_or_spacing() -> None:
    assert quote_found("As a RESULT, the page loads", TRANSCRIPT_TEXT)
    assert quote_found("eight seconds to load. I profiled", TRANSCRIPT_TEXT)
    assert not quote_found("the page", TRANSCRIPT_TEXT)  # too short to prove anything
    assert not quote_found("page load", TRANSCRIPT_TEXT)
    assert not quote_found("seconds to loaded", TRANSCRIPT_TEXT)  # words, not substrings


def test_one_chain_grades_answer_after_answer(tmp_path: Path, fake: FakeLLM) -> None:
    """The pipeline keeps one chain for every answer, from plain worker threads."""
    shared = chain(tmp_path, fake, "openai")
    body = {"criteria": [criterion("Clarity", 3, "added a Redis cache")], "score": 3}
    for _ in range(3):
        fake.script(json.dumps({**body, "summary": ""}))
        grade = grade_answer(shared, QUESTION, [], transcript())
        assert grade is not None
        assert grade.score == 3
    assert len(fake.requests) == 3
