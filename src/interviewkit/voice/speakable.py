"""Markdown made speakable: what the tutor or a model writes, turned into sentences a voice
can read, and cut into sentences as it streams so that speech starts with the first one.

A text-to-speech voice reads symbols badly ("O(n log n)" becomes "O n log n", a code block
becomes a minute of punctuation), so: code blocks are not read (one short sentence says
there is one), inline code is read as words, operators and complexity classes are spelled
out, lists become sentences, and links keep their text.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterable, AsyncIterator

__all__ = ["CODE_BLOCK", "sentences", "speak", "speakable", "split_sentences", "spoken_code"]

CODE_BLOCK = "There's a code example here that I can't read aloud."
MAX_LIST_ITEMS = 4
"""A longer list is read as its first items and how many more there are."""

_FENCE = re.compile(r"```[^\n]*\n?(.*?)(?:```|\Z)", re.DOTALL)
_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_URL = re.compile(r"https?://\S+")
_INLINE = re.compile(r"`([^`]*)`")
_EMPHASIS = re.compile(r"(\*\*|__|\*|_)(?=\S)(.+?)(?<=\S)\1")
_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
_BIG_O = re.compile(r"\bO\(([^()]*(?:\([^()]*\)[^()]*)*)\)")
_OPERATORS: tuple[tuple[str, str], ...] = (
    (r"->|=>|→", " gives "),
    (r"<=|≤", " at most "),
    (r">=|≥", " at least "),
    (r"!=|≠", " not equal to "),
    (r"===|==", " equals "),
    (r"&&", " and "),
    (r"\|\|", " or "),
    (r"\+\+", " plus one"),
    (r"\s<\s", " less than "),
    (r"\s>\s", " greater than "),
    (r"\*\*", " to the "),
    (r"\^", " to the "),
    (r"(?<=[\w)])\s*\*\s*(?=[\w(])", " times "),
    (r"(?<=[\w)])\s*\+\s*(?=[\w(])", " plus "),
    (r"(?<=[\w)])\s+-\s+(?=[\w(])", " minus "),
    (r"(?<=[\w)])\s*%\s*(?=[\w(])", " mod "),
    (r"(?<=[\w)])\s+/\s+(?=[\w(])", " divided by "),
    (r"(?<=\s)=(?=\s)", " is "),
)
_COMPILED_OPERATORS = tuple((re.compile(p), words) for p, words in _OPERATORS)
_CODE_LINE = re.compile(
    r"^(?: {4}|\t)(?![-*+] )|^\s*(?:def|class|for|while|if|elif|else|try|except|with)\b.*:\s*$"
    r"|[;{}]\s*$|^\s*(?:function|public|private|#include|import|const|let|var)\b"
    r"|^\s*(?:return|print)\b.*[()\[\]=]"
)
"""A line only code has: how unfenced code in a model's answer is recognised."""
_BOUND = r"-?[\w^*.]+(?:\s*[*+-]\s*[\w^.]+)*"
_BETWEEN = re.compile(rf"^\s*({_BOUND})\s*(?:<=|≤)\s*(.+?)\s*(?:<=|≤)\s*({_BOUND})\s*$")
"""A bounds constraint, ``2 <= nums.length <= 10^5``: said "… is between 2 and …". A bound
may hold operators, as LeetCode writes them: ``1 <= n <= 2 * 10^4``, ``-2^31 <= x <= 2^31 - 1``."""
_LENGTH = re.compile(r"\b(\w+)\.length\b")
_ABBREVIATIONS = ("e.g.", "i.e.", "etc.", "vs.", "mr.", "ms.", "dr.", "no.")


def spoken_complexity(expression: str) -> str:
    """``n log n`` -> "O of n log n"; ``n^2`` -> "O of n squared"."""
    inner = expression.strip()
    inner = re.sub(r"\^\s*2\b|\*\*\s*2\b|²", " squared", inner)
    inner = re.sub(r"\^\s*3\b|\*\*\s*3\b|³", " cubed", inner)
    inner = re.sub(r"\^\s*(\w+)", r" to the \1", inner)
    inner = re.sub(r"\s*\*\s*|\s*·\s*", " times ", inner)
    inner = re.sub(r"\s*\+\s*", " plus ", inner)
    return "O of " + " ".join(inner.split())


def spoken_code(code: str) -> str:
    """One short piece of code (an identifier, an expression, a value) as words."""
    text = _BIG_O.sub(lambda m: spoken_complexity(m.group(1)), code)
    text = _BETWEEN.sub(r"\2 is between \1 and \3", text)
    text = _LENGTH.sub(r"the length of \1", text)
    text = re.sub(r"\b(\w+)\[\]\[\]", r"list of lists of \1s", text)
    text = re.sub(r"\b(\w+)\[\]", r"list of \1s", text)
    text = re.sub(r"\[\s*\]", " an empty list ", text)
    text = re.sub(r"(\w)\[([^\[\]]+)\]", r"\1 at \2", text)  # nums[i] -> nums at i
    text = re.sub(r"\[([^\[\]]*)\]", r" the list \1 ", text)
    for pattern, words in _COMPILED_OPERATORS:
        text = pattern.sub(words, text)
    text = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", text)  # twoSum -> two Sum
    text = re.sub(r"(?<=\w)_(?=\w)", " ", text)  # max_sum -> max sum
    text = re.sub(r"[()]", ", ", text)
    text = re.sub(r"[{}\[\];`]", " ", text)
    text = re.sub(r"\s*,(?:\s*,)+", ",", " ".join(text.split()))
    return text.strip(" ,")


def speakable(markdown: str) -> str:
    """The whole text as plain speakable prose (sentences separated by spaces)."""
    return " ".join(speak(markdown))


def speak(markdown: str) -> list[str]:
    """The text as speakable sentences, code blocks replaced by one short sentence."""
    out: list[str] = []
    last = 0
    for block in _FENCE.finditer(markdown):
        out += _prose(markdown[last : block.start()])
        if block.group(1).strip() and (not out or out[-1] != CODE_BLOCK):
            out.append(CODE_BLOCK)
        last = block.end()
    out += _prose(markdown[last:])
    return out


def _prose(markdown: str) -> list[str]:
    """Paragraphs, list items and headings as sentences; code a model wrote without a
    fence (indented, or lines that only code has) as one short sentence, like a block."""
    out: list[str] = []
    for paragraph in re.split(r"\n\s*\n", markdown):
        lines = [line for line in paragraph.splitlines() if line.strip()]
        prose = [line for line in lines if not _CODE_LINE.search(line)]
        if len(prose) < len(lines):
            out += _prose("\n".join(prose))
            if not out or out[-1] != CODE_BLOCK:
                out.append(CODE_BLOCK)
            continue
        items = [line for line in lines if _ITEM.match(line)]
        if items and len(items) == len(lines):
            out += _list_sentences([_ITEM.sub("", line) for line in items])
            continue
        out += split_sentences(" ".join(_line(line) for line in lines))
    return [sentence for sentence in out if sentence]


def _line(line: str) -> str:
    line = re.sub(r"^\s*#+\s*(.*)$", r"\1.", line)  # a heading reads as a sentence
    line = re.sub(r"^\s*>\s?", "", line)  # a quote reads as its text
    return _ITEM.sub("", line)


def _list_sentences(items: list[str]) -> list[str]:
    shown = items if len(items) <= MAX_LIST_ITEMS else items[: MAX_LIST_ITEMS - 1]
    out = [_finished(_inline(item)) for item in shown]
    if len(shown) < len(items):
        out.append(f"And {len(items) - len(shown)} more.")
    return [sentence for sentence in out if sentence]


def _inline(text: str) -> str:
    """Links, URLs, emphasis and inline code of one line, as words."""
    text = _LINK.sub(r"\1", text)
    text = _URL.sub("the link in the chat", text)
    text = _INLINE.sub(lambda m: spoken_code(m.group(1)), text)
    text = _EMPHASIS.sub(r"\2", text)
    text = _BIG_O.sub(lambda m: spoken_complexity(m.group(1)), text)
    for pattern, words in _COMPILED_OPERATORS[:5]:  # arrows and comparisons in prose
        text = pattern.sub(words, text)
    text = re.sub(r"(?<=\d)\s*%", " percent", text)
    text = re.sub(r"\b(\d+(?:\.\d+)?) ?ms\b", r"\1 milliseconds", text)
    text = re.sub(r"\b(\d+(?:\.\d+)?) ?s\b", r"\1 seconds", text)
    text = re.sub(r"[*_#`|]+", " ", text)
    text = re.sub(r"\s+([,.;:!?])", r"\1", text)
    return " ".join(text.split())


def _finished(sentence: str) -> str:
    sentence = sentence.strip().rstrip(":;,")
    if not sentence:
        return ""
    if sentence[-1] not in ".!?":
        sentence += "."
    return sentence[0].upper() + sentence[1:]


_SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=\S)")


def split_sentences(text: str) -> list[str]:
    """Prose cut after ``.``, ``!`` or ``?`` (not after "e.g." or inside "1.5")."""
    text = _inline(text)
    out: list[str] = []
    start = 0
    for end in _SENTENCE_END.finditer(text):
        piece = text[start : end.start()].strip()
        if piece.lower().endswith(_ABBREVIATIONS):
            continue
        out.append(_finished(piece))
        start = end.end()
    out.append(_finished(text[start:]))
    return [sentence for sentence in out if sentence]


_STREAM_BOUNDARY = re.compile(
    r"(?<=[.!?])[\"')\]*_]*[ \t]+(?=\S)|\n[ \t]*\n(?=\s*\S)"
    r"|\n(?=[ \t]*(?:[-*+][ \t]|\d+[.)][ \t]|#|>|```))"
)


def _boundary(buffer: str) -> int | None:
    """Where the first complete piece of ``buffer`` ends, or None while it may go on."""
    fence = buffer.find("```")
    if fence > 0 and buffer[:fence].strip():
        return _sentence_end(buffer[:fence]) or fence
    if fence >= 0:  # the buffer starts with a code block: wait for its closing fence
        close = buffer.find("```", fence + 3)
        if close < 0:
            return None
        line_end = buffer.find("\n", close)
        return len(buffer) if line_end < 0 else line_end + 1
    return _sentence_end(buffer)


def _sentence_end(text: str) -> int | None:
    """The end of the first complete sentence, list item or paragraph of ``text``."""
    for found in _STREAM_BOUNDARY.finditer(text):
        before = text[: found.start()].rstrip()
        if not before.lower().endswith(_ABBREVIATIONS):
            return found.end()
    return None


async def sentences(chunks: AsyncIterable[str]) -> AsyncIterator[str]:
    """Speakable sentences from streamed Markdown, each yielded as soon as it is complete
    (so a model's first sentence is spoken while it writes the second)."""
    buffer = ""
    async for chunk in chunks:
        buffer += chunk
        while (cut := _boundary(buffer)) is not None and cut > 0:
            piece, buffer = buffer[:cut], buffer[cut:]
            for sentence in speak(piece):
                yield sentence
    for sentence in speak(buffer):
        yield sentence
