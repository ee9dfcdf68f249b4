"""WebVTT captions from the timed words, for the report's video player.

Cues follow the usual subtitle guidance (BBC, Netflix): at most two lines of about
:data:`LINE_CHARS` characters and :data:`MAX_CUE_S` seconds on screen, a new cue at a
sentence end or a pause, so a caption never shows words long before or after they are
said. Cue text is escaped (``&``, ``<``, ``>``), so a transcript can never inject markup
or a ``-->`` into the file.
"""

from __future__ import annotations

from collections.abc import Sequence

from interviewkit.video.results import TimedWord, TranscriptResult

LINE_CHARS = 42
MAX_LINES = 2
MAX_CUE_S = 6.0
GAP_S = 1.0
"""A silence this long between two words starts a new cue."""
MIN_CUE_S = 0.1
"""A cue is on screen at least this long (a word Whisper timed as zero-length)."""
_SENTENCE_END = (".", "?", "!", "\u2026")


def timestamp(seconds: float) -> str:
    """WebVTT's ``hh:mm:ss.ttt``."""
    millis = max(0, round(seconds * 1000))
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}.{millis:03d}"


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def wrap(words: Sequence[str], width: int = LINE_CHARS) -> list[str]:
    """Words into lines of at most ``width`` characters (a longer word gets its own line)."""
    lines: list[str] = []
    for word in words:
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


def group_cues(words: Sequence[TimedWord]) -> list[list[TimedWord]]:
    """The words of each cue, in order."""
    cues: list[list[TimedWord]] = []
    current: list[TimedWord] = []
    for word in words:
        if current:
            texts = [w.text for w in current] + [word.text]
            too_long = len(wrap(texts)) > MAX_LINES
            too_slow = word.end - current[0].start > MAX_CUE_S
            gap = word.start - current[-1].end >= GAP_S
            sentence = current[-1].text.endswith(_SENTENCE_END)
            if too_long or too_slow or gap or sentence:
                cues.append(current)
                current = []
        current.append(word)
    if current:
        cues.append(current)
    return cues


def to_webvtt(transcript: TranscriptResult) -> str:
    """The transcript as a WebVTT file (a header only when nothing was said)."""
    words = [  # one entry per token: lines break only between tokens
        w.model_copy(update={"text": token})
        for w in sorted(transcript.words, key=lambda w: w.start)
        for token in w.text.split()
    ]
    blocks = ["WEBVTT"]
    groups = group_cues(words)
    for index, group in enumerate(groups):
        start = max(0.0, group[0].start)
        end = max(group[-1].end, start + MIN_CUE_S)
        if index + 1 < len(groups):
            end = min(end, max(start + MIN_CUE_S, groups[index + 1][0].start))
        text = "\n".join(escape(line) for line in wrap([w.text for w in group]))
        blocks.append(f"{index + 1}\n{timestamp(start)} --> {timestamp(end)}\n{text}")
    return "\n\n".join(blocks) + "\n"
