"""Properties over wide inputs: the parser refuses only with a validation error, and the
sequencer releases every item once, in seq order, whatever order they arrive in."""

from __future__ import annotations

import contextlib
import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from interviewkit.live.hub import Sequencer
from interviewkit.live.protocol import parse_client, stored_message

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)
TYPES = st.sampled_from(["hello", "file-operation", "event", "code-execution", "ping", "pong"])
OPS = st.sampled_from(["edit", "create", "rename", "delete", "teleport"])


@st.composite
def near_messages(draw: st.DrawFn) -> dict[str, Any]:
    """Messages of a known type with random fields: most are invalid in some field."""
    message: dict[str, Any] = draw(st.dictionaries(st.text(max_size=8), JSON, max_size=4))
    message["type"] = draw(TYPES)
    if draw(st.booleans()):
        message["id"] = draw(st.text(max_size=70))
    if draw(st.booleans()):
        message["ops"] = draw(
            st.lists(
                st.fixed_dictionaries(
                    {"op": OPS, "file": st.text(max_size=5)},
                    optional={"offset": JSON, "base_version": JSON, "insert": JSON, "to": JSON},
                ),
                max_size=3,
            )
        )
    return message


@settings(max_examples=300)
@given(st.one_of(JSON.map(json.dumps), near_messages().map(json.dumps), st.text()))
def test_the_parser_raises_nothing_but_a_validation_error(frame: str) -> None:
    with contextlib.suppress(ValidationError):
        parse_client(frame)


@settings(max_examples=300)
@given(st.binary(max_size=64))
def test_the_parser_takes_any_bytes(frame: bytes) -> None:
    with contextlib.suppress(ValidationError):
        parse_client(frame)


@given(
    start=st.integers(0, 1000),
    order=st.lists(st.integers(1, 40), min_size=1, max_size=80),
)
def test_the_sequencer_releases_each_seq_once_in_order(start: int, order: list[int]) -> None:
    """Any arrival order, with duplicates and stale seqs: what comes out is start+1,
    start+2, … with no gap and no repeat, up to the first seq never offered."""
    sequencer: Sequencer[str] = Sequencer(start)
    released: list[int] = []
    for offset in order:
        for seq, item in sequencer.push(start + offset, f"e{start + offset}"):
            assert item == f"e{seq}"
            released.append(seq)
        sequencer.push(start - offset, "stale")  # at or before the start: never released
    offered = set(order)
    expected = 0
    while expected + 1 in offered:
        expected += 1
    assert released == list(range(start + 1, start + expected + 1))
    gap = sequencer.gap
    if offered - set(range(1, expected + 1)):
        assert gap is not None
        assert gap[0] == start + expected + 1
    else:
        assert gap is None


@given(
    seq=st.integers(1, 2**40),
    kind=st.sampled_from(["edit", "file_written", "cursor", "note", "session_ended"]),
    data=st.dictionaries(st.sampled_from(["file", "insert", "text", "x"]), st.text(), max_size=3),
)
def test_a_stored_event_is_pushed_whole_with_its_envelope(
    seq: int, kind: str, data: dict[str, str]
) -> None:
    stored = {"seq": seq, "type": kind, "t_ms": 5, "source": "candidate", "id": "m:0", **data}
    pushed = json.loads(stored_message(stored))
    assert pushed["type"] == ("file-operation" if kind in ("edit", "file_written") else "event")
    assert (pushed["seq"], pushed["t_ms"], pushed["source"]) == (seq, 5, "candidate")
    assert pushed["event"] == {"type": kind, "id": "m:0", **data}
