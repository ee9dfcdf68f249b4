"""What the interviewer says must be speakable: Markdown, code and symbols in words, and
streamed text cut into sentences as soon as each is complete (so speech starts early)."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from interviewkit.problems.bank import Template, TemplateVoice, load_bank
from interviewkit.voice.persona import problem_summary, run_result, spoken_type, time_left
from interviewkit.voice.speakable import CODE_BLOCK, sentences, speak, spoken_code

BANK = load_bank()
SENTENCE = st.builds(
    lambda words, end: " ".join(words).capitalize() + end,
    st.lists(
        st.sampled_from(
            ["the", "array", "index", "pair", "loop", "map", "O(n)", "`nums[i]`", "**bold**", "a-b"]
        ),
        min_size=1,
        max_size=8,
    ),
    st.sampled_from([".", "?", "!"]),
)


async def _stream(pieces: list[str]) -> AsyncIterator[str]:
    for piece in pieces:
        yield piece
        await asyncio.sleep(0)


def streamed(pieces: list[str]) -> list[str]:
    async def collect() -> list[str]:
        return [s async for s in sentences(_stream(pieces))]

    return asyncio.run(collect())


def chunked(text: str, cuts: list[int]) -> list[str]:
    points = sorted({min(max(c, 0), len(text)) for c in cuts})
    edges = [0, *points, len(text)]
    return [text[a:b] for a, b in itertools.pairwise(edges) if b > a]


def test_code_blocks_are_not_read_and_symbols_are_words() -> None:
    answer = (
        "**Hint 2 of 3:** checking every pair is O(n^2); aim for O(n log n).\n\n"
        "```python\nseen = {}\nfor i, v in enumerate(nums):\n    pass\n```\n\n"
        "Use `a != b` and `nums[i] <= target` as the checks."
    )
    assert speak(answer) == [
        "Hint 2 of 3: checking every pair is O of n squared; aim for O of n log n.",
        CODE_BLOCK,
        "Use a not equal to b and nums at i at most target as the checks.",
    ]


def test_unfenced_code_from_a_model_is_not_read_either() -> None:
    answer = "Here it is:\nclass Solution:\n    def twoSum(self, nums, target):\n        seen = {}"
    assert speak(answer) == ["Here it is.", CODE_BLOCK]


def test_a_long_list_is_read_as_its_first_items_and_a_count() -> None:
    items = "\n".join(f"- case {n}" for n in range(1, 8))
    assert speak(items) == ["Case 1.", "Case 2.", "Case 3.", "And 4 more."]


def test_spoken_code_reads_types_calls_and_identifiers() -> None:
    assert spoken_code("twoSum(nums: int[], target: int) -> int[]") == (
        "two Sum, nums: list of ints, target: int, gives list of ints"
    )
    assert spoken_code("max_sum += x * 2") == "max sum += x times 2"


@settings(max_examples=150, deadline=None)
@given(
    paragraphs=st.lists(st.lists(SENTENCE, min_size=1, max_size=4), min_size=1, max_size=3),
    cuts=st.lists(st.integers(0, 400), max_size=30),
)
def test_streamed_sentences_do_not_depend_on_how_the_text_was_chunked(
    paragraphs: list[list[str]], cuts: list[int]
) -> None:
    text = "\n\n".join(" ".join(p) for p in paragraphs)
    whole = streamed([text])
    assert streamed(chunked(text, cuts)) == whole
    assert whole == speak(text)
    assert len(whole) == sum(len(p) for p in paragraphs)
    assert all("`" not in s and "**" not in s for s in whole)


def test_the_first_sentence_is_yielded_before_the_model_writes_the_rest() -> None:
    async def scenario() -> list[str]:
        more = asyncio.Event()
        order: list[str] = []

        async def model() -> AsyncIterator[str]:
            yield "The array is unsorted. "
            yield "Duplicates"
            await more.wait()  # the model is still writing
            order.append("rest written")
            yield " are allowed."

        async def consume() -> None:
            async for sentence in sentences(model()):
                order.append(sentence)
                more.set()

        await asyncio.wait_for(consume(), 5)
        return order

    assert asyncio.run(scenario()) == [
        "The array is unsorted.",
        "rest written",
        "Duplicates are allowed.",
    ]


@pytest.mark.parametrize("problem_id", sorted(BANK.problems))
def test_every_bank_problem_has_a_speakable_summary_without_secrets(problem_id: str) -> None:
    problem = BANK.problems[problem_id]
    lines = problem_summary(problem)
    text = " ".join(lines)
    assert problem.title in text
    assert all(symbol not in text for symbol in ("`", "**", "```", "->", "<="))
    for secret in [*problem.hints, *problem.follow_ups]:
        assert secret[:40] not in text
    assert len(lines) <= 8


def test_the_summary_says_how_the_problem_differs_and_reads_trees_as_written() -> None:
    """A candidate who knows LeetCode's version hears the difference first; a level-order
    tree's missing child is "null", as the statement writes it (not Python's "None")."""
    deep = BANK.problems["maximum-depth-binary-tree"]
    text = " ".join(problem_summary(deep))
    assert "Unlike the well-known version: Up to 10 to the 5 nodes" in text
    assert "root, a binary tree" in text
    assert "3, 9, 20, null, null, 15 and 7" in text
    assert "None" not in text
    assert "Unlike the well-known version" not in " ".join(
        problem_summary(BANK.problems["two-sum"])
    )


def test_types_and_time_in_words() -> None:
    assert spoken_type("int[][]") == "list of lists of integers"
    assert spoken_type("string[]") == "list of strings"
    assert spoken_type("ListNode[]") == "list of linked lists"
    assert spoken_type("char[][]") == "list of lists of characters"
    assert time_left(None) == "There's no time limit on this interview."
    assert time_left(30) == "You have less than a minute left."
    assert time_left(95 * 60) == "You have 1 hour and 35 minutes left."


def test_a_result_names_hidden_failures_only_by_count() -> None:
    from interviewkit.execution.schemas import ExecutionResult, TestResult

    problem = BANK.problems["two-sum"]
    result = ExecutionResult(
        id="exe_1",
        language="python",
        language_version="3",
        status="wrong_answer",
        passed=1,
        total=3,
        tests=[
            TestResult(name="a", status="accepted", input=[[1, 2], 3], expected=[0, 1]),
            TestResult(name="h1", status="wrong_answer", hidden=True),
            TestResult(name="h2", status="runtime_error", hidden=True),
        ],
    )
    assert run_result(result, problem) == ["1 of 3 tests pass.", "2 hidden tests fail as well."]


def test_a_template_voice_is_checked_when_the_bank_loads() -> None:
    base = {"id": "t", "title": "T", "parts": [{"problem": "two-sum", "minutes": 30}]}
    assert Template.model_validate(base).voice == TemplateVoice()
    loud = Template.model_validate({**base, "voice": {"tone": "brisk", "language": "French"}})
    assert (loud.voice.tone, loud.voice.language, loud.voice.name) == ("brisk", "French", "Alex")
    for wrong in ({"tone": "angry"}, {"strictness": "harsh"}, {"name": ""}, {"pitch": 3}):
        with pytest.raises(ValidationError):
            Template.model_validate({**base, "voice": wrong})


@pytest.mark.parametrize(
    ("bound", "said"),
    [
        ("2 <= nums.length <= 10^5", "the length of nums is between 2 and 10 to the 5"),
        ("1 <= n <= 2 * 10^4", "n is between 1 and 2 times 10 to the 4"),
        ("-2^31 <= x <= 2^31 - 1", "x is between -2 to the 31 and 2 to the 31 minus 1"),
        ("0 <= sum(lists[i].length) <= 10^5", "is between 0 and 10 to the 5"),
    ],
)
def test_leetcode_bounds_are_said_as_between(bound: str, said: str) -> None:
    """The bank renders bounds LeetCode's way, operators inside a bound included."""
    assert said in spoken_code(bound)
