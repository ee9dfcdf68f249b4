"""Speech to score engines on: real recordings a Debian package ships, and interview lines.

* :func:`asterisk_clips`: Allison Smith's recorded prompts from Debian's
  ``asterisk-core-sounds-en-wav`` (8 kHz telephone-band WAV), with the package's own
  transcripts (``core-sounds-en.txt.gz``, "name: text" lines). Non-speech entries
  (``[beep tone]``, ``(3 seconds of silence)``) are skipped, bracketed symbols and
  parenthesized notes dropped ("at [@]" -> "at"), and the
  keypad signs read as the voice reads them (``*`` star, ``#`` pound).
* :data:`INTERVIEW_SENTENCES`: what candidates say in an interview, for synthesized speech.

Used by the contract tests (a few clips) and by ``bench/speech_bench.py`` (all of them).
"""

from __future__ import annotations

import gzip
import os
import random
import re
from dataclasses import dataclass
from pathlib import Path

ASTERISK_SOUNDS = Path("/usr/share/asterisk/sounds/en_US_f_Allison")
ASTERISK_TRANSCRIPTS = Path("/usr/share/doc/asterisk-core-sounds-en/core-sounds-en.txt.gz")
REQUIRE_SERVICES = os.environ.get("INTERVIEWKIT_REQUIRE_SERVICES") == "1"

INTERVIEW_SENTENCES = (
    "Can you run my code please?",
    "I think the time complexity is linear in the length of the array.",
    "Could you repeat the question?",
    "Is the input list always sorted?",
    "Give me a hint about the second test case.",
    "I'm going to use a hash map to count the characters.",
    "What should the function return when the string is empty?",
    "Let me think about the edge cases for a moment.",
    "I believe this runs in logarithmic time because we halve the range each step.",
    "Submit my solution, I am done.",
    "How much time is left?",
    "The recursion stops when the node is null.",
    "Can the numbers be negative?",
    "I would sort the intervals by their start time first.",
    "Stop talking for a second, I want to try something.",
    "My tests pass now, what would you like to ask next?",
    "Should I handle duplicate values in the input?",
    "I will keep two pointers, one at each end of the array.",
    "This uses constant extra memory apart from the output.",
    "Run the tests again please.",
    "I'm not sure why the third test fails.",
    "We could cache the results to avoid computing them twice.",
    "The queue holds the nodes we still have to visit.",
    "Is it fine if I write a helper function?",
    "The answer should fit in a sixty four bit integer.",
    "I'm checking whether the window still contains every character.",
    "What happens if two intervals touch at a single point?",
    "Let me rename this variable so it is clearer.",
    "A binary search would find the boundary faster.",
    "I think I have an off by one error in the loop.",
    "Could you give me an example with an empty tree?",
    "The dictionary maps each word to its position in the list.",
)
"""32 sentences a candidate might say, each spoken by Piper in the tests and the bench."""


@dataclass(frozen=True)
class Clip:
    path: Path
    text: str


def _reference(text: str) -> str:
    unsaid = r"\[[^\]]*\]|\([^)]*\)"  # [beep], (3 seconds of silence), (note: ...)
    spoken = re.sub(unsaid, " ", text).replace("*", " star ").replace("#", " pound ")
    return " ".join(spoken.split())


def asterisk_clips() -> list[Clip]:
    """Every transcribed speech prompt whose WAV file is installed ([] if the package isn't)."""
    if not (ASTERISK_TRANSCRIPTS.is_file() and ASTERISK_SOUNDS.is_dir()):
        return []
    clips: list[Clip] = []
    with gzip.open(ASTERISK_TRANSCRIPTS, "rt", encoding="utf-8", errors="replace") as lines:
        for line in lines:
            name, colon, text = line.strip().partition(":")
            if not colon or name.startswith(";"):
                continue
            path = ASTERISK_SOUNDS / f"{name.strip()}.wav"
            reference = _reference(text)
            if reference and path.is_file():
                clips.append(Clip(path, reference))
    return clips


def sample_clips(count: int, *, min_words: int = 4, seed: int = 14) -> list[Clip]:
    """A fixed sample of ``count`` clips of at least ``min_words`` words."""
    eligible = [clip for clip in asterisk_clips() if len(clip.text.split()) >= min_words]
    return random.Random(seed).sample(eligible, min(count, len(eligible)))
