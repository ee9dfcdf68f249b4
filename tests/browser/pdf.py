"""The text of a PDF that Chromium printed, enough to check what a printed page says.

Chromium (Skia) writes each run of text as hex glyph ids (``<0012003A> Tj``) in a font
with Identity-H encoding and a ``/ToUnicode`` CMap that maps glyph ids back to text; the
streams are Flate-compressed. No PDF library is installed, and the check needs only that:
decompress the streams, read each font's CMap, decode the ``Tj``/``TJ`` runs with the font
``Tf`` selected, in every content stream (pages and form XObjects alike). Runs of one text
object (``BT``…``ET``) are joined without spaces (Skia splits words at kerning
adjustments), text objects are separated by newlines: compare with :func:`squeeze` on
both sides.
"""

from __future__ import annotations

import re
import unicodedata
import zlib

_OBJECT = re.compile(rb"(\d+) 0 obj\b")
_LENGTH = re.compile(rb"/Length (\d+)(?! \d+ R)")
_FONT_ENTRY = re.compile(rb"/([A-Za-z0-9_.+-]+) (\d+) 0 R")
_FONT_DICT = re.compile(rb"/Font\s*<<(.*?)>>", re.S)
_TO_UNICODE = re.compile(rb"/ToUnicode (\d+) 0 R")
_BFCHAR = re.compile(rb"beginbfchar(.*?)endbfchar", re.S)
_BFRANGE = re.compile(rb"beginbfrange(.*?)endbfrange", re.S)
_HEX = re.compile(rb"<([0-9A-Fa-f]+)>")
_TOKEN = re.compile(rb"/([A-Za-z0-9_.+-]+)\s+[-\d.]+\s+Tf|<([0-9A-Fa-f]*)>|\b(BT|ET)\b|\[|\]")


def _objects(data: bytes) -> dict[int, tuple[bytes, bytes | None]]:
    """Object number -> (its dictionary text, its decompressed stream or None).

    A stream is cut by its ``/Length``, not by searching for ``endstream``: compressed
    bytes may end in a carriage return or hold "endobj" by chance.
    """
    found: dict[int, tuple[bytes, bytes | None]] = {}
    position = 0
    while (match := _OBJECT.search(data, position)) is not None:
        start = match.end()
        stream_at, end_at = data.find(b"stream", start), data.find(b"endobj", start)
        if end_at == -1:
            break
        content: bytes | None = None
        head = data[start:end_at]
        if stream_at != -1 and stream_at < end_at:
            head = data[start:stream_at]
            begin = stream_at + len(b"stream")
            begin += 2 if data[begin : begin + 2] == b"\r\n" else 1
            length = _LENGTH.search(head)
            stop = begin + int(length.group(1)) if length else data.find(b"endstream", begin)
            raw = data[begin:stop]
            content = zlib.decompressobj().decompress(raw) if b"/FlateDecode" in head else raw
            end_at = data.find(b"endobj", stop)
        found[int(match.group(1))] = (head, content)
        if end_at == -1:
            break
        position = end_at + len(b"endobj")
    return found


def _text(hex_code: bytes) -> str:
    return bytes.fromhex(hex_code.decode()).decode("utf-16-be", errors="replace")


def _cmap(source: bytes) -> dict[int, str]:
    """Glyph id -> text, from a ToUnicode CMap's ``bfchar`` and ``bfrange`` sections."""
    mapping: dict[int, str] = {}
    for section in _BFCHAR.findall(source):
        codes = _HEX.findall(section)
        for glyph, text in zip(codes[::2], codes[1::2], strict=False):
            mapping[int(glyph, 16)] = _text(text)
    for section in _BFRANGE.findall(source):
        for line in section.strip().splitlines():
            codes = _HEX.findall(line)
            if len(codes) < 3:
                continue
            first, last = int(codes[0], 16), int(codes[1], 16)
            if b"[" in line:  # <first> <last> [<text> <text> ...]: one text per glyph
                for offset, text in enumerate(codes[2 : 2 + last - first + 1]):
                    mapping[first + offset] = _text(text)
                continue
            start = _text(codes[2])
            for offset in range(last - first + 1):
                mapping[first + offset] = start[:-1] + chr(ord(start[-1]) + offset)
    return mapping


def pdf_text(data: bytes) -> str:
    """The text of every page of ``data`` (a PDF Chromium made), in stream order."""
    objects = _objects(data)
    fonts: dict[bytes, dict[int, str]] = {}
    for head, _ in objects.values():
        for entries in _FONT_DICT.findall(head):
            for name, number in _FONT_ENTRY.findall(entries):
                font_head = objects.get(int(number), (b"", None))[0]
                reference = _TO_UNICODE.search(font_head)
                if reference is not None:
                    cmap_source = objects.get(int(reference.group(1)), (b"", None))[1] or b""
                    fonts[name] = _cmap(cmap_source)
    lines: list[str] = []
    for _, content in objects.values():
        # pages' content and form XObjects (Skia draws some text in those): what selects fonts
        if content is None or b" Tf" not in content:
            continue
        font: dict[int, str] = {}
        current: list[str] = []
        for match in _TOKEN.finditer(content):
            name, hex_code, marker = match.group(1), match.group(2), match.group(3)
            if name is not None:
                font = fonts.get(name, {})
            elif hex_code is not None:
                glyphs = bytes.fromhex(hex_code.decode())
                for index in range(0, len(glyphs) - 1, 2):
                    current.append(font.get(int.from_bytes(glyphs[index : index + 2]), ""))
            elif marker == b"ET":
                lines.append("".join(current))
                current = []
    return "\n".join(lines)


def squeeze(text: str) -> str:
    """``text`` without whitespace, ligatures spelt out (NFKC: "ﬁ" is "fi"): how to
    compare it with a PDF's text."""
    return "".join(unicodedata.normalize("NFKC", text).split())
