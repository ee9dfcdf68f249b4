"""The PDF text reader the report's print test relies on reads what Chromium printed: every
word of a page in bold, links, tables, ligatures and several pages, and nothing that was
hidden from print."""

from __future__ import annotations

import zlib
from html import escape

from hypothesis import given, settings
from hypothesis import strategies as st
from playwright.sync_api import Browser

from tests.browser.pdf import _objects, pdf_text, squeeze

# words as a report holds them: names, titles, numbers, punctuation, accents, ligatures
WORDS = st.text(
    alphabet=st.sampled_from(
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.,:;()/%+-·éüñ"
    ),
    min_size=1,
    max_size=12,
)


def printed(browser: Browser, html: str) -> str:
    page = browser.new_page()
    try:
        page.set_content(html)
        page.emulate_media(media="print")
        return pdf_text(page.pdf())
    finally:
        page.close()


@settings(max_examples=15, deadline=None)
@given(words=st.lists(WORDS, min_size=1, max_size=30))
def test_every_word_printed_is_read_back(browser: Browser, words: list[str]) -> None:
    styled = [
        f"<b>{escape(word)}</b>"
        if index % 3 == 0
        else f"<a href='#'>{escape(word)}</a>"
        if index % 3 == 1
        else escape(word)
        for index, word in enumerate(words)
    ]
    text = printed(browser, f"<h1>Report</h1><p>{' '.join(styled)}</p>")
    assert squeeze("Report " + " ".join(words)) in squeeze(text)


def test_ligatures_tables_pages_and_print_only_hiding(browser: Browser) -> None:
    rows = "".join(f"<tr><td>Part {n}</td><td>first accepted {n} s</td></tr>" for n in range(200))
    html = f"""
        <style>@media print {{ nav {{ display: none }} }}</style>
        <nav>Sign out of the dashboard</nav>
        <h1>Candidate Ada Lovelace</h1>
        <p>The first fine office affiliation</p>
        <table>{rows}</table>
        <p>Last line of the last page</p>"""
    text = squeeze(printed(browser, html))
    assert squeeze("Candidate Ada Lovelace") in text
    assert squeeze("The first fine office affiliation") in text
    assert squeeze("Part 0 first accepted 0 s") in text
    assert squeeze("Part 199 first accepted 199 s") in text
    assert squeeze("Last line of the last page") in text
    assert "Signout" not in text


def test_a_stream_whose_compressed_bytes_end_in_a_carriage_return_is_read_whole() -> None:
    """Compressed bytes are arbitrary: one ending in CR before ``\\nendstream`` (as Chromium
    writes it) once made the reader cut the stream short."""
    payload = next(
        text
        for n in range(1024)
        if zlib.compress(text := b"BT /F1 12 Tf <0041> Tj ET %" + b"a" * n)[-1:] == b"\r"
    )
    packed = zlib.compress(payload)
    pdf = (
        b"%%PDF-1.4\n1 0 obj\n<</Filter /FlateDecode /Length %d>> stream\n" % len(packed)
        + packed
        + b"\nendstream\nendobj\n2 0 obj\n<</Type /Catalog>>\nendobj\n%%EOF\n"
    )
    objects = _objects(pdf)
    assert objects[1][1] == payload
    assert objects[2] == (b"\n<</Type /Catalog>>\n", None)
