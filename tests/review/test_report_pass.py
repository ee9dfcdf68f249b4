"""The report's pass over a log: what it counts, and that feeding a log in pieces (a live
session's report extended event by event) ends exactly where one pass over it ends."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from interviewkit.review.report import EDITING, EventPass

KINDS = ["edit", "cursor", "paste", "blur", "focus", "execution_result", "ai_interaction", "note"]


@st.composite
def logs(draw: st.DrawFn) -> list[dict[str, Any]]:
    """A log in seq order with non-decreasing t_ms, and a few part changes."""
    count = draw(st.integers(0, 60))
    t, part = 0, 0
    events: list[dict[str, Any]] = []
    for seq in range(1, count + 1):
        t += draw(st.integers(0, 90_000))
        kind = draw(st.sampled_from([*KINDS, "part_changed"]))
        event: dict[str, Any] = {"seq": seq, "t_ms": t, "type": kind}
        if kind == "edit":
            event |= {"file": "/a.py", "insert": draw(st.text(max_size=5)), "offset": 0}
            if draw(st.booleans()):
                event["flagged"] = True
        elif kind == "paste":
            event |= {"file": "/a.py", "size": draw(st.integers(0, 5000))}
        elif kind == "execution_result":
            total = draw(st.integers(0, 10))
            event |= {
                "execution_id": f"exe_{seq}",
                "mode": draw(st.sampled_from(["run", "submit"])),
                "status": draw(st.sampled_from(["accepted", "wrong_answer", "error"])),
                "passed": draw(st.integers(0, total)),
                "total": total,
            }
        elif kind == "ai_interaction":
            event |= {"role": draw(st.sampled_from(["user", "assistant"])), "tokens_in": 3}
        elif kind == "part_changed":
            event |= {"ended": part, "part": part + 1}
            part += 1
        events.append(event)
    return events


@given(logs(), st.data())
def test_a_pass_fed_in_pieces_equals_one_pass(
    events: list[dict[str, Any]], data: st.DataObject
) -> None:
    whole = EventPass(30_000).feed(events)
    cuts = sorted(data.draw(st.lists(st.integers(0, len(events)), max_size=4)))
    pieces = EventPass(30_000)
    start = 0
    for cut in [*cuts, len(events)]:
        pieces = copy.deepcopy(pieces).feed(events[start:cut])  # as a report extends a copy
        assert isinstance(pieces.away, list)  # reading in between never closes the pass
        start = cut
    for name in ("pastes", "large_inserts", "tests_passing", "edits", "runs", "ai", "turns"):
        assert getattr(pieces, name) == getattr(whole, name), name
    assert pieces.parts == whole.parts
    assert pieces.away == whole.away
    assert pieces.seq == whole.seq == (events[-1]["seq"] if events else 0)


@given(logs())
def test_the_pass_counts_what_the_log_holds(events: list[dict[str, Any]]) -> None:
    facts = EventPass(30_000).feed(events)
    runs = [e for e in events if e["type"] == "execution_result"]
    assert len(facts.tests_passing) == len(runs) == sum(p.runs for p in facts.parts)
    assert sum(facts.edits.values()) == sum(e["type"] in EDITING for e in events)
    assert [p.size for p in facts.pastes] == [e["size"] for e in events if e["type"] == "paste"]
    assert len(facts.large_inserts) == sum(e["type"] == "edit" and "flagged" in e for e in events)
    questions = sum(e["type"] == "ai_interaction" and e["role"] == "user" for e in events)
    assert facts.turns == questions == sum(p.turns for p in facts.parts)
    assert [p.position for p in facts.parts] == list(range(len(facts.parts)))
    for part in facts.parts:
        if part.first_accepted_ms is not None:
            assert part.first_run_ms is not None
            assert 0 <= part.first_run_ms <= part.first_accepted_ms
    duration = events[-1]["t_ms"] if events else 0
    activity = facts.activity(duration)
    assert [point.minute for point in activity] == list(range(duration // 60_000 + 1))
    assert sum(point.runs for point in activity) == len(runs)
    assert 0 <= facts.time_away_ms <= duration
