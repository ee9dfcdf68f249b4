"""The voice interviewer with the real services: a session from the bank, the real
sandbox for spoken runs, the offline tutor (and a local OpenAI-compatible server for the
LLM path), the recording. Time is moved with the interviewer's clock, never slept through.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import aclosing
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import pytest
from fastapi.testclient import TestClient

from interviewkit.app import Container
from interviewkit.assistant.policy import REFUSAL
from interviewkit.auth.service import Principal, Role
from interviewkit.db import utcnow
from interviewkit.execution.runs import run_in_session
from interviewkit.execution.schemas import SessionExecuteRequest
from interviewkit.problems.bank import load_bank
from interviewkit.voice.interviewer import Interviewer, InterviewerDeps
from interviewkit.voice.persona import spoken_value
from interviewkit.voice.speakable import speakable
from tests.conftest import new_session
from tests.execution.conftest import requires_sandbox
from tests.fakes.llm_server import FakeLLM, reply

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
TWO_SUM = load_bank().problems["two-sum"]
WRONG = "class Solution:\n    def twoSum(self, nums, target):\n        return [0, 0]\n"
T = TypeVar("T")
CHECKIN = "How's it going? Tell me what you're thinking."


@pytest.fixture
def provider() -> str:
    return "offline"


@pytest.fixture
def settings_overrides(llm: FakeLLM, provider: str, tmp_path: Path) -> dict[str, Any]:
    llm.reset()
    templates = tmp_path / "mine" / "templates"
    templates.mkdir(parents=True)
    (templates / "voice-brisk.yaml").write_text(
        "id: voice-brisk\ntitle: Brisk screen\nparts:\n  - {problem: two-sum, minutes: 30}\n"
        "languages: [python]\nvoice: {name: Sam, tone: brisk, strictness: strict}\n"
    )
    (templates / "voice-two.yaml").write_text(
        "id: voice-two\ntitle: Two parts\nlanguages: [python]\nparts:\n"
        "  - {problem: two-sum, minutes: 15}\n  - {problem: contains-duplicate, minutes: 15}\n"
    )
    return {
        "llm_provider": provider,
        "openai_api_key": "test-key",
        "openai_base_url": llm.base_url + "/v1",
        "openai_model": "fake-gpt",
        "llm_retry_base_s": 0.01,
        "ai_messages_per_minute": 50,
        "voice_checkin_idle_minutes": 1.0,
        "voice_checkin_failed_runs": 2,
        "problems_dir": tmp_path / "mine",
    }


class Clock:
    """The interviewer's now, moved by the test."""

    def __init__(self, behind_s: float = 0) -> None:
        self.now = utcnow() - timedelta(seconds=behind_s)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def deps_of(container: Container) -> InterviewerDeps:
    return InterviewerDeps(
        container.settings,
        container.sessions,
        container.problems,
        container.executions,
        container.assistant,
        container.recording,
    )


def open_session(client: TestClient, **body: Any) -> str:
    fields = {"problem_id": "two-sum", "language": "python", "candidate_name": "Ada Lovelace"}
    return str(new_session(client, **(fields | body))["id"])


def interviewer(container: Container, sid: str, clock: Clock | None = None) -> Interviewer:
    principal = Principal(Role.candidate, session_id=sid)
    return Interviewer(deps_of(container), sid, principal, clock=clock or Clock())


async def said(lines: AsyncIterator[str]) -> list[str]:
    return [line async for line in lines]


def run(scenario: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """One event loop per test (the services' background work belongs to it)."""
    return asyncio.run(scenario())


def events_of(container: Container, sid: str, kind: str) -> list[dict[str, Any]]:
    return [e for e in container.recording.all_events(sid) if e["type"] == kind]


def test_start_greets_by_name_and_summarises_without_hidden_data(
    client: TestClient, container: Container
) -> None:
    sid = open_session(client, config={"time_limit_minutes": 45})
    voice = interviewer(container, sid)
    lines = run(lambda: said(voice.start()))
    text = " ".join(lines)
    assert lines[0].startswith("Hi Ada, I'm Alex")
    assert "about 45 minutes" in text
    assert "Two Sum" in text
    assert "two Sum, takes nums, a list of integers and target, an integer" in text
    assert "with nums the list 2, 7, 11 and 15, and target 9" in text  # one visible example
    assert voice.phase == "clarify"
    spoken = text.lower()
    for secret in [*TWO_SUM.hints, *TWO_SUM.follow_ups]:
        assert secret.lower()[:40] not in spoken
    reference = [line.strip() for line in TWO_SUM.solutions["python"].splitlines()]
    assert not [line for line in reference if len(line) > 12 and line.lower() in spoken]
    for test in TWO_SUM.hidden_tests:  # no hidden input is read out
        assert f"the list {', '.join(map(str, test.input[0]))}" not in text
    assert "100000" not in text  # a summary: the constraints stay in the editor
    assert "same element twice" not in text  # as does the second paragraph


def test_a_summary_cut_short_still_opens_the_interview_and_can_be_repeated(
    client: TestClient, container: Container
) -> None:
    sid = open_session(client)
    voice = interviewer(container, sid)

    async def scenario() -> list[str]:
        lines = voice.start()
        async with aclosing(lines):  # the candidate speaks over the greeting
            await anext(lines)
        return await said(voice.reply("Can you repeat the question?", utterance=1))

    again = run(scenario)
    assert voice.phase == "clarify"
    assert again[1].startswith("The problem is called Two Sum.")


def test_a_template_persona_sets_the_name_and_tone(
    client: TestClient, container: Container
) -> None:
    sid = str(new_session(client, template_id="voice-brisk", candidate_name="Ada")["id"])
    voice = interviewer(container, sid)
    lines = run(lambda: said(voice.start()))
    assert lines[0] == "Hello Ada, I'm Sam, and I'll be your interviewer today."
    assert voice.voice.strictness == "strict"
    assert "Think out loud" not in " ".join(lines)  # the warm tone's line


def test_a_clarifying_question_is_answered_from_the_statement(
    client: TestClient, container: Container
) -> None:
    sid = open_session(client)
    voice = interviewer(container, sid)

    async def scenario() -> list[str]:
        await said(voice.start())
        question = "What are the constraints on the input?"
        opening = voice.opener(question)
        assert opening in ("Good question.", "Let me check.", "Sure, let me look.")
        return await said(voice.reply(question, utterance=1, opener_spoken=True))

    lines = run(scenario)
    text = " ".join(lines)
    assert "the length of nums is between 2 and 2 times 10 to the 5" in text.lower()
    assert "Good question." not in lines  # the opener was spoken already
    assert all("`" not in line and "**" not in line for line in lines)
    stored = container.assistant.messages(sid)
    assert [m.role for m in stored] == ["user", "assistant"]
    assert stored[0].content == "What are the constraints on the input?"


def test_offline_a_question_the_tutor_has_no_rule_for_is_read_from_the_statement(
    client: TestClient, container: Container
) -> None:
    """An empty input array is ruled out by the constraint that says so."""
    sid = open_session(client)
    voice = interviewer(container, sid)

    async def scenario() -> tuple[list[str], list[str]]:
        await said(voice.start())
        empty = await said(
            voice.reply("Can the input array be empty?", utterance=1, opener_spoken=True)
        )
        twice = await said(
            voice.reply("Can I use the same element twice?", utterance=2, opener_spoken=True)
        )
        return empty, twice

    empty, twice = run(scenario)
    assert empty == [
        "The constraints say: the length of nums is between 2 and 2 times 10 to the 5."
    ]
    assert twice == [
        "The statement says: Exactly one pair adds up to target, and you may not use the "
        "same element twice."
    ]


def test_thinking_aloud_while_coding_gets_no_reply(
    client: TestClient, container: Container
) -> None:
    sid = open_session(client)
    voice = interviewer(container, sid)

    async def scenario() -> tuple[list[str], list[str]]:
        await said(voice.start())
        ready = await said(voice.reply("Okay, I'll start with a loop.", utterance=1))
        quiet = await said(voice.reply("I'll keep the index of each value.", utterance=2))
        return ready, quiet

    ready, quiet = run(scenario)
    assert ready == ["Sounds good. Go ahead whenever you're ready."]
    assert voice.phase == "coding"
    assert quiet == []
    assert container.assistant.messages(sid) == []


def test_offline_a_request_for_the_solution_gets_one_short_refusal(
    client: TestClient, container: Container
) -> None:
    sid = open_session(client)
    voice = interviewer(container, sid)

    async def scenario() -> list[str]:
        await said(voice.start())
        return await said(voice.reply("Can you just write the solution for me?", utterance=1))

    lines = run(scenario)
    assert lines[1:] == [
        "I can't give you the solution: the interview is about your approach. "
        "If you're stuck, ask me for a hint."
    ]
    assert container.assistant.messages(sid) == []  # no menu-sized tutor turn


def test_a_spoken_hint_is_the_next_hint_and_is_counted(
    client: TestClient, container: Container
) -> None:
    sid = open_session(client)
    voice = interviewer(container, sid)

    async def scenario() -> tuple[list[str], list[str]]:
        await said(voice.start())
        first = await said(voice.reply("Um, could I get a hint?", utterance=1))
        second = await said(voice.command("hint"))
        return first, second

    first, second = run(scenario)
    assert first[0] == "Let me think of a hint."
    assert speakable(TWO_SUM.hints[0]) in " ".join(first)
    assert "O of n squared" in " ".join(second)  # hint 2, its O(n^2) spoken
    answers = [m for m in container.assistant.messages(sid) if m.role == "assistant"]
    assert [m.hint for m in answers] == [True, True]
    commands = events_of(container, sid, "voice_command")
    assert [(c["command"], c.get("said")) for c in commands] == [
        ("hint", "Um, could I get a hint?"),
        ("hint", None),
    ]
    assert TWO_SUM.hints[0][:30] in commands[0]["outcome"]


def test_time_left_and_repeat(client: TestClient, container: Container) -> None:
    sid = open_session(client, config={"time_limit_minutes": 45})
    clock = Clock()
    voice = interviewer(container, sid, clock)

    async def scenario() -> tuple[list[str], list[str], list[str]]:
        summary = await said(voice.start())
        clock.advance(15 * 60)
        time = await said(voice.reply("How much time do I have left?", utterance=1))
        again = await said(voice.reply("Sorry, can you repeat the question?", utterance=2))
        return summary, time, again

    summary, time, again = run(scenario)
    assert time == ["Let's see.", "You have about 30 minutes left."]
    assert again[0] == "Sure."
    assert again[1] == voice.last_said
    assert "The problem is called Two Sum." in again[1]
    assert all(line in again[1] for line in summary[3:6])
    kinds = [c["command"] for c in events_of(container, sid, "voice_command")]
    assert kinds == ["time", "repeat"]


def test_poll_checks_in_after_the_idle_minutes_and_not_before(
    client: TestClient, container: Container
) -> None:
    sid = open_session(client)
    clock = Clock()
    voice = interviewer(container, sid, clock)

    async def scenario() -> list[list[str]]:
        await said(voice.start())
        polls = [await voice.poll()]
        clock.advance(50)
        polls.append(await voice.poll())
        clock.advance(15)  # 65 s without an edit or a word
        polls.append(await voice.poll())
        polls.append(await voice.poll())  # said once
        clock.advance(61)  # another idle period after the check-in
        polls.append(await voice.poll())
        return polls

    polls = run(scenario)
    assert polls == [[], [], [CHECKIN], [], [CHECKIN]]


def test_an_edit_or_a_word_counts_as_activity(client: TestClient, container: Container) -> None:
    sid = open_session(client)
    clock = Clock(behind_s=600)  # the interview began 10 minutes "ago"
    voice = interviewer(container, sid, clock)

    async def scenario() -> list[list[str]]:
        await said(voice.start())
        written, _ = await asyncio.to_thread(
            container.sessions.write_file, sid, "/solution.py", WRONG
        )
        clock.now = written.updated_at + timedelta(seconds=50)
        polls = [await voice.poll()]  # 50 s after the edit, 650 s after the start
        await said(voice.reply("I think a dictionary would help here.", utterance=1))
        clock.advance(59)
        polls.append(await voice.poll())  # 59 s after the last word
        clock.advance(2)
        polls.append(await voice.poll())
        return polls

    assert run(scenario) == [[], [], [CHECKIN]]
    assert voice.phase == "coding"


def test_the_deadline_wraps_up_and_ends_the_conversation(
    client: TestClient, container: Container
) -> None:
    sid = open_session(client, config={"time_limit_minutes": 30})
    clock = Clock()
    voice = interviewer(container, sid, clock)

    async def scenario() -> tuple[list[str], list[str], list[str], list[str]]:
        await said(voice.start())
        clock.advance(28 * 60 + 5)  # 115 s left
        warning = await voice.poll()
        clock.advance(2 * 60)
        ending = await voice.poll()
        after = await said(voice.reply("What about duplicates?", utterance=3))
        return warning, ending, after, await voice.poll()

    warning, ending, after, later = run(scenario)
    assert warning == ["Just so you know, we have about 2 minutes left."]
    assert ending == ["That's time.", "Thank you, Ada; that's the end of the interview."]
    assert voice.phase == "done"
    assert after == ["The interview is over. Thank you for your time."]
    assert later == []


@requires_sandbox
def test_run_my_code_runs_the_sandbox_and_speaks_the_counts(
    client: TestClient, container: Container
) -> None:
    sid = open_session(client)
    container.sessions.write_file(sid, "/solution.py", WRONG)
    voice = interviewer(container, sid)

    async def scenario() -> list[str]:
        await said(voice.start())
        return await said(voice.reply("Can you run my code?", utterance=1))

    lines = run(scenario)
    total = len(TWO_SUM.tests)
    assert lines[0] == "Sure, running your code now."
    assert lines[1] == f"0 of {total} tests pass."
    first = TWO_SUM.tests[0]
    assert lines[2] == (
        f"The first failure is with nums {spoken_value(first.input[0])}, and target"
        f" {first.input[1]}: expected {spoken_value(first.expected)}, but got the list 0 and 0."
    )
    (command,) = events_of(container, sid, "voice_command")
    (row,) = container.executions.list_for_session(sid, 5)
    assert command["command"] == "run"
    assert command["execution_id"] == row.id  # the same execution as the Run button's
    assert command["said"] == "Can you run my code?"
    assert row.mode == "run"
    assert row.requested_by == f"candidate:{sid}"
    assert voice.phase == "coding"


@requires_sandbox
def test_submit_by_voice_speaks_hidden_tests_only_by_count(
    client: TestClient, container: Container
) -> None:
    sid = open_session(client)
    container.sessions.write_file(sid, "/solution.py", WRONG)
    voice = interviewer(container, sid)

    async def scenario() -> list[str]:
        await said(voice.start())
        return await said(voice.reply("I'm done, submit my solution.", utterance=1))

    lines = run(scenario)
    (row,) = container.executions.list_for_session(sid, 5)
    assert row.mode == "submit"
    assert lines[:2] == ["Okay, submitting your solution.", "Submitted."]
    assert lines[2] == f"{row.passed} of {row.total} tests pass."
    assert lines[3].startswith("The first failure is with nums ")  # a visible example
    assert lines[4].endswith("hidden tests fail as well.")
    text = " ".join(lines)
    for test in TWO_SUM.hidden_tests:
        assert spoken_value(test.input[0]) not in text
    (command,) = events_of(container, sid, "voice_command")
    assert (command["command"], command["execution_id"]) == ("submit", row.id)


@requires_sandbox
def test_a_run_cut_short_by_a_barge_in_is_still_recorded(
    client: TestClient, container: Container
) -> None:
    sid = open_session(client)
    container.sessions.write_file(sid, "/solution.py", WRONG)
    voice = interviewer(container, sid)

    async def scenario() -> list[str]:
        await said(voice.start())
        lines = voice.reply("Run my code.", utterance=1)
        async with aclosing(lines):  # the candidate speaks over the second sentence
            return [await anext(lines), await anext(lines)]

    heard = run(scenario)
    assert heard[1].endswith("tests pass.")
    (command,) = events_of(container, sid, "voice_command")
    (row,) = container.executions.list_for_session(sid, 5)
    assert command["execution_id"] == row.id
    assert command["outcome"].startswith("interrupted: 0 of")


@requires_sandbox
def test_follow_ups_come_only_once_the_tests_pass(client: TestClient, container: Container) -> None:
    sid = open_session(client)
    voice = interviewer(container, sid)
    principal = Principal(Role.candidate, session_id=sid)
    request = SessionExecuteRequest(file="/solution.py")

    async def scenario() -> dict[str, list[str]]:
        out: dict[str, list[str]] = {"start": await said(voice.start())}
        await asyncio.to_thread(container.sessions.write_file, sid, "/solution.py", WRONG)
        out["failing"] = await said(voice.command("run"))
        for _ in range(2):  # the Run button, twice: failing runs in a row
            await run_in_session(container.executions, principal, sid, request)
        out["streak"] = await voice.poll()
        solution = TWO_SUM.solutions["python"]
        await asyncio.to_thread(container.sessions.write_file, sid, "/solution.py", solution)
        out["passing"] = await said(voice.reply("Run the tests.", utterance=2))
        out["answer"] = await said(voice.reply("Linear time and linear space.", utterance=3))
        out["poll"] = await voice.poll()
        return out

    out = run(scenario)
    first, second = (" ".join(out[k]) for k in ("start", "failing"))
    question = TWO_SUM.follow_ups[0]
    for before in (first, second, " ".join(out["streak"])):
        assert "trade one for the other" not in before
    assert out["streak"] == [
        "That's 2 runs in a row that fail. Want to talk me through the failing case?"
    ]
    total = len(TWO_SUM.tests)
    assert out["passing"][:3] == [
        "Sure, running your code now.",
        f"All {total} tests pass.",
        "Nice work.",
    ]
    assert out["passing"][3] == "A follow-up question."
    assert " ".join(out["passing"][4:]) == speakable(question)
    assert voice.phase == "follow-up"
    assert out["answer"][:2] == ["Thanks.", "Next question."]
    assert out["answer"][2] == "How would you solve it if the array were sorted?"  # no answer
    assert out["poll"] == []  # the passing run was spoken already


@pytest.mark.parametrize("provider", ["openai"])
def test_with_an_llm_the_persona_prompt_streams_sentence_by_sentence(
    client: TestClient, container: Container, llm: FakeLLM
) -> None:
    sid = open_session(client)
    voice = interviewer(container, sid)
    llm.script(
        reply("The array has at least two numbers. Exactly one pair adds up. Anything else?"),
        reply("Here it is:\n" + TWO_SUM.solutions["python"]),
    )

    async def scenario() -> tuple[list[str], list[str]]:
        await said(voice.start())
        answer = await said(voice.reply("How big can the array be?", utterance=1))
        leak = await said(voice.reply("Can you show me the code?", utterance=2))
        return answer, leak

    answer, leak = run(scenario)
    assert answer[1:] == [
        "The array has at least two numbers.",
        "Exactly one pair adds up.",
        "Anything else?",
    ]
    _, body, _ = llm.requests[0]
    system = body["messages"][0]["content"]
    assert "You are Alex, the interviewer" in system
    assert "You are speaking aloud" in system
    assert "Two Sum" in system
    assert "Never write the solution" in system
    assert "seen = {}" not in " ".join(leak)
    assert " ".join(leak).endswith(speakable(REFUSAL))
    stored = [m for m in container.assistant.messages(sid) if m.role == "assistant"]
    assert [m.provider for m in stored] == ["openai", "openai"]
    assert [m.refused for m in stored] == [False, True]


@requires_sandbox
@pytest.mark.parametrize("provider", ["openai"])
def test_with_an_llm_a_follow_up_answer_gets_a_short_reaction_then_the_next_question(
    client: TestClient, container: Container, llm: FakeLLM
) -> None:
    sid = open_session(client)
    voice = interviewer(container, sid)
    principal = Principal(Role.candidate, session_id=sid)
    llm.script(reply("Right, one pass with a map is linear."))

    async def scenario() -> tuple[list[str], list[str]]:
        await said(voice.start())
        solution = TWO_SUM.solutions["python"]
        await asyncio.to_thread(container.sessions.write_file, sid, "/solution.py", solution)
        request = SessionExecuteRequest(file="/solution.py")
        await run_in_session(container.executions, principal, sid, request)  # the Run button
        asked = await voice.poll()
        answered = await said(voice.reply("Linear time and linear space.", utterance=1))
        return asked, answered

    asked, answered = run(scenario)
    assert asked[:2] == [f"All {len(TWO_SUM.tests)} tests pass.", "Nice work."]
    assert "trade one for the other" in " ".join(asked)
    assert answered == [
        "Thanks.",
        "Right, one pass with a map is linear.",
        "Next question.",
        "How would you solve it if the array were sorted?",
    ]
    _, body, _ = llm.requests[-1]
    assert "answering your follow-up question" in body["messages"][0]["content"]


@requires_sandbox
def test_the_next_part_is_presented_and_runs_its_own_file(
    client: TestClient, container: Container
) -> None:
    sid = str(new_session(client, template_id="voice-two", candidate_name="Ada")["id"])
    voice = interviewer(container, sid)

    async def scenario() -> tuple[list[str], list[str], list[str]]:
        await said(voice.start())
        await container.problems.next_part(sid, "candidate")
        moved = await voice.poll()
        again = await said(voice.reply("Repeat the question.", utterance=1))
        ran = await said(voice.reply("Run my code.", utterance=2))
        return moved, again, ran

    moved, again, ran = run(scenario)
    assert moved[:2] == [
        "Let's move on to the next part.",
        "The problem is called Contains Duplicate.",
    ]
    assert voice.phase in ("clarify", "coding")
    assert again[1].startswith("The problem is called Contains Duplicate.")
    assert ran[1].endswith("tests pass.")
    runs = container.executions.list_for_session(sid, 5)
    (row,) = [r for r in runs if r.mode == "run"]
    (command,) = events_of(container, sid, "voice_command")[-1:]
    assert command["execution_id"] == row.id
    _, result = container.executions.get(row.id)
    assert result.tests[0].name == load_bank().problems["contains-duplicate"].tests[0].name
