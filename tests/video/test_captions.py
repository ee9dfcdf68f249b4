"""WebVTT captions: parsed back by a strict reader, every word once and in order, cues
short enough to read."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from hypothesis import given, settings
from hypothesis import strategies as st

from interviewkit.video.captions import LINE_CHARS, MAX_CUE_S, MAX_LINES, timestamp, to_webvtt
from interviewkit.video.results import TimedWord, TranscriptResult

TIMING = re.compile(
    r"^(\d{2,}):([0-5]\d):([0-5]\d)\.(\d{3}) --> (\d{2,}):([0-5]\d):([0-5]\d)\.(\d{3})$"
)


@dataclass
class Cue:
    start: float
    end: float
    lines: list[str]


def seconds(h: str, m: str, s: str, ms: str) -> float:
    return int(h) * 3600 + int(m) * 60 + int(s) + int(ms) / 1000


def parse_webvtt(text: str) -> list[Cue]:
    """A strict reader of what we write (WebVTT: header, blank line, cue blocks)."""
    assert text.startswith("WEBVTT\n") or text == "WEBVTT\n"
    assert "\r" not in text
    blocks = text.rstrip("\n").split("\n\n")
    assert blocks[0] == "WEBVTT"
    cues: list[Cue] = []
    for block in blocks[1:]:
        lines = block.split("\n")
        assert "-->" not in lines[0], "a cue id line"
        match = TIMING.match(lines[1])
        assert match is not None, lines[1]
        start, end = seconds(*match.groups()[:4]), seconds(*match.groups()[4:])
        assert end > start
        payload = lines[2:]
        assert payload
        assert all(line.strip() for line in payload)
        assert all("-->" not in line and "<" not in line for line in payload)
        assert all(re.fullmatch(r"(?:[^&]|&(?:amp|lt|gt);)*", line) for line in payload)
        cues.append(Cue(start, end, payload))
    assert [c.start for c in cues] == sorted(c.start for c in cues)
    return cues


def words_of(cues: list[Cue]) -> list[str]:
    return [html.unescape(w) for cue in cues for line in cue.lines for w in line.split()]


def test_timestamps() -> None:
    assert timestamp(0) == "00:00:00.000"
    assert timestamp(3725.4567) == "01:02:05.457"


def test_a_sentence_per_cue_and_markup_escaped() -> None:
    words = [
        TimedWord(text=t, start=i * 0.5, end=i * 0.5 + 0.4)
        for i, t in enumerate(
            ["I", "used", "<b>Redis</b>", "&", "Postgres.", "Then", "-->", "it", "failed."]
        )
    ]
    text = to_webvtt(TranscriptResult(text="", words=words, engine="test"))
    cues = parse_webvtt(text)
    assert len(cues) == 2
    assert cues[0].lines == ["I used &lt;b&gt;Redis&lt;/b&gt; &amp; Postgres."]
    assert words_of(cues) == [w.text for w in words]
    assert cues[0].start == 0.0
    assert cues[1].start == 2.5


def test_nothing_said_is_a_valid_empty_file() -> None:
    assert parse_webvtt(to_webvtt(TranscriptResult(text="", words=[], engine="t"))) == []


word_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1, max_size=50
).filter(lambda s: s.strip() != "")


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(word_text, st.floats(0, 4, allow_nan=False), st.floats(0, 3, allow_nan=False)),
        max_size=80,
    )
)
def test_any_words_give_valid_readable_cues(spec: list[tuple[str, float, float]]) -> None:
    words: list[TimedWord] = []
    clock = 0.0
    for text, gap, length in spec:
        clock += gap
        words.append(TimedWord(text=text, start=clock, end=clock + length))
        clock += length
    cues = parse_webvtt(to_webvtt(TranscriptResult(text="", words=words, engine="t")))
    assert words_of(cues) == [p for w in words for p in w.text.split()]
    for cue in cues:
        assert len(cue.lines) <= MAX_LINES
        for line in cue.lines:
            assert len(html.unescape(line)) <= LINE_CHARS or " " not in html.unescape(line)
        if sum(len(line.split()) for line in cue.lines) > 1:
            assert cue.end - cue.start <= MAX_CUE_S + 0.002
