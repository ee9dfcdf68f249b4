"""Voice commands from transcript text: varied phrasing and STT slips are recognised, and
ordinary talk about code (which uses the same words) is not.

``COMMAND_SET`` (47 phrasings) is the text twin of the spoken set helper D benchmarks; the
bar is the issue's 95 %, and this text set is held to all of it.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from interviewkit.live.protocol import VOICE_COMMANDS
from interviewkit.voice.commands import PHRASES, match_command, normalise, parse_command

COMMAND_SET: dict[str, str] = {
    "run my code": "run",
    "Can you run the tests?": "run",
    "Run it.": "run",
    "Execute.": "run",
    "Okay, let's run this.": "run",
    "Could you run my solution please": "run",
    "Try running it.": "run",
    "Run my cold.": "run",  # a tiny.en slip
    "Test my code.": "run",
    "Run the examples.": "run",
    "Submit.": "submit",
    "I'm done, submit my solution.": "submit",
    "Submit my code please.": "submit",
    "Summit.": "submit",
    "Okay, that's my final answer.": "submit",
    "Let's submit it.": "submit",
    "Hand it in.": "submit",
    "Give me a hint.": "hint",
    "Could I get a hint?": "hint",
    "I'm stuck.": "hint",
    "Um, any hints?": "hint",
    "Can I have another hint please?": "hint",
    "I need a hint.": "hint",
    "I'm stuck. Can you help me?": "hint",  # two hint phrases, together the whole line
    "Hint, please.": "hint",
    "Repeat the question.": "repeat",
    "Say that again?": "repeat",
    "What was the question?": "repeat",
    "What's the question again?": "repeat",
    "Sorry, can you repeat that?": "repeat",
    "I didn't catch that.": "repeat",
    "Come again?": "repeat",
    "How much time is left?": "time",
    "How long do I have?": "time",
    "Time check.": "time",
    "How many minutes do I have left?": "time",
    "Am I running out of time?": "time",
    "What's the time left?": "time",
    "How much time do I have?": "time",
    "Stop talking.": "stop-talking",
    "Be quiet.": "stop-talking",
    "Okay, stop.": "stop-talking",
    "Hold on a second.": "stop-talking",
    "Wait.": "stop-talking",
    "Shut up, please.": "stop-talking",
    "That's enough, thanks.": "stop-talking",
    "Hang on.": "stop-talking",
}

INTERVIEW_TALK = (
    "I'll run a loop over the array.",
    "The hint in the statement says the answer is unique.",
    "I want to submit a question about the input.",
    "I think I'll use a hash map here.",
    "So the time complexity is linear.",
    "Wait, this index is off by one.",
    "I'm done with the first loop, now the second one.",
    "What does the function return when there is no pair?",
    "Let me think about the edge cases for a moment.",
    "The run time is dominated by the sort.",
    "This should stop when the two pointers meet.",
    "We need to repeat this for every element in the list.",
    "I'll store the complement and its index in a dictionary.",
    "How does the second example get zero and one?",
    "I'm going to sort the intervals by their start first.",
    "Each test case has exactly one solution, right?",
    "Okay, so if the number is negative we skip it.",
    "I'm not sure about the time limit per test.",
    "So the quiet part is handling duplicates correctly.",
    "Let me write a helper that checks whether it's valid.",
    "We can stop the loop early when we find the pair.",
    "My solution should run in linear time.",
    "The tests in the example look right to me.",
    "This loop runs once per element.",
    "Can the input array be empty?",
)
"""Sentences a candidate says while working, many with a command word in them."""

FILLERS = ("um", "uh", "okay", "so", "please", "alright", "hey", "actually", "just", "well")


def test_the_command_set_covers_every_command_and_is_big_enough() -> None:
    assert len(COMMAND_SET) >= 40
    assert set(COMMAND_SET.values()) == set(VOICE_COMMANDS) == set(PHRASES)


def test_at_least_95_percent_of_the_command_set_is_recognised() -> None:
    wrong = {text: parse_command(text) for text, want in COMMAND_SET.items()}
    wrong = {text: got for text, got in wrong.items() if got != COMMAND_SET[text]}
    assert len(wrong) / len(COMMAND_SET) <= 0.05, wrong
    assert not wrong, wrong  # the text set is recognised in full; the spoken bench has slack


@pytest.mark.parametrize("text", INTERVIEW_TALK)
def test_talk_about_code_is_not_a_command(text: str) -> None:
    assert parse_command(text) is None, match_command(text)


def test_decided_ambiguities() -> None:
    """Submitting is final: "I'm done" alone and submitting "a question" are not commands."""
    assert parse_command("I'm done.") is None
    assert parse_command("I want to submit a question") is None
    assert parse_command("I'm done, submit it.") == "submit"


def test_normalise_lowercases_drops_punctuation_spells_numbers_and_fixes_slips() -> None:
    assert normalise("Summit my CODE, now!") == "submit my code now"
    assert normalise("Do I have 5 minutes?") == "do i have five minutes"
    assert normalise("What's the question?") == "what is the question"


@settings(max_examples=200, deadline=None)
@given(
    text=st.sampled_from(sorted(COMMAND_SET)),
    before=st.lists(st.sampled_from(FILLERS), max_size=3),
    after=st.lists(st.sampled_from(FILLERS), max_size=2),
    punctuation=st.sampled_from(["", ",", "...", " -"]),
)
def test_fillers_around_a_command_still_match(
    text: str, before: list[str], after: list[str], punctuation: str
) -> None:
    said = " ".join([*before, text.rstrip(".?!") + punctuation, *after])
    assert parse_command(said) == COMMAND_SET[text], said


@settings(max_examples=200, deadline=None)
@given(
    first=st.sampled_from(INTERVIEW_TALK),
    second=st.sampled_from(INTERVIEW_TALK),
    filler=st.sampled_from(("", *FILLERS)),
)
def test_joined_interview_talk_is_never_a_command(first: str, second: str, filler: str) -> None:
    said = f"{filler} {first} {second}".strip()
    assert parse_command(said) is None, said


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_any_text_parses_to_a_command_or_none(text: str) -> None:
    assert parse_command(text) in (None, *VOICE_COMMANDS)


@pytest.mark.parametrize(
    ("heard", "command"),
    [
        ("Could you give me your hand?", "hint"),
        ("Any hands.", "hint"),
        ("Can I get a hand please?", "hint"),
        ("Okay, to mid it.", "submit"),
        ("I'm done to admit my code.", "submit"),
        ("to met.", "submit"),
    ],
)
def test_whisper_slips_measured_on_spoken_commands_still_parse(heard: str, command: str) -> None:
    """Lines Whisper tiny.en really heard for spoken commands (bench/voice_commands.py)."""
    assert parse_command(heard) == command


@pytest.mark.parametrize(
    "talk",
    ["On the other hand, I could use a map.", "I admit my loop is slow.", "Hand me the result."],
)
def test_the_slips_do_not_turn_talk_into_commands(talk: str) -> None:
    assert parse_command(talk) is None
