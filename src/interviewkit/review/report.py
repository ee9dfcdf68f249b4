"""The report's facts, in one pass over a session's recording.

A pass is kept per session (``ReviewService``) with the last ``seq`` it saw: the report
of an ended session is read once, and a live one's next report feeds only the new events.

:class:`EventPass` reads the log once, in ``seq`` order, and keeps per part (a
``part_changed`` event closes one) what the report shows: runs, the first run and first
accepted run relative to the part's start, the last submission, questions to the
assistant; and for the whole session the integrity signals and the charts. Everything
else (tests of a judged run, final code, hints) is looked up afterwards by id, so the
pass stays a loop of dictionary reads over the 200k-event session.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from interviewkit.recording.contents import REFS
from interviewkit.recording.stats import Spans
from interviewkit.review.schemas import ActivityPoint, Moment, Span, TestsPoint

EDITING = frozenset({"edit", "paste", "file_created", "file_deleted", "file_moved", "file_written"})
"""Events that count as editing in the activity chart."""
INSERTS = frozenset({"edit", "file_created", "file_written"})
"""Events the server flags when they bring in a large block of text at once (a whole-file
write is flagged when it replaces most of the file: a paste in disguise)."""


@dataclass
class PartFacts:
    """What one part's stretch of the log shows."""

    position: int
    start_ms: int
    end_ms: int | None = None
    runs: int = 0
    first_run_ms: int | None = None
    first_accepted_ms: int | None = None
    last_submit: str | None = None
    last_run: str | None = None
    turns: int = 0


@dataclass
class EventPass:
    """Feed it every event (:meth:`see`), then read its fields."""

    idle_ms: int
    parts: list[PartFacts] = field(default_factory=lambda: [PartFacts(0, 0)])
    pastes: list[Moment] = field(default_factory=list)
    large_inserts: list[Moment] = field(default_factory=list)
    tests_passing: list[TestsPoint] = field(default_factory=list)
    edits: dict[int, int] = field(default_factory=dict)
    runs: dict[int, int] = field(default_factory=dict)
    ai: dict[int, int] = field(default_factory=dict)
    turns: int = 0
    tokens_in: int = 0
    tokens_out: int = 0
    cost_usd: float = 0.0
    end_ms: int = 0
    spans: Spans = field(init=False)

    def __post_init__(self) -> None:
        self.spans = Spans(self.idle_ms)

    seq: int = 0
    """The last event seen: a later report of a live session feeds only what came after."""

    def feed(self, events: Iterable[Mapping[str, Any]]) -> EventPass:
        for event in events:
            self.see(event)
        return self

    def see(self, event: Mapping[str, Any]) -> None:
        kind, t = event["type"], int(event["t_ms"])
        self.seq = int(event["seq"])
        self.end_ms = t
        self.spans.see(kind, t)
        minute = t // 60_000
        part = self.parts[-1]
        if kind in EDITING:
            self.edits[minute] = self.edits.get(minute, 0) + 1
            if kind == "paste":
                self.pastes.append(Moment(t_ms=t, file=event.get("file"), size=int(event["size"])))
            elif kind in INSERTS and event.get("flagged"):
                self.large_inserts.append(Moment(t_ms=t, file=event.get("file"), size=_size(event)))
        elif kind == "execution_result":
            self.runs[minute] = self.runs.get(minute, 0) + 1
            since = t - part.start_ms
            part.runs += 1
            part.last_run = event.get("execution_id")
            if event.get("mode") == "submit":
                part.last_submit = event.get("execution_id")
            if part.first_run_ms is None:
                part.first_run_ms = since
            if event.get("status") == "accepted" and part.first_accepted_ms is None:
                part.first_accepted_ms = since
            self.tests_passing.append(
                TestsPoint(
                    t_ms=t,
                    passed=int(event.get("passed") or 0),
                    total=int(event.get("total") or 0),
                    position=part.position,
                )
            )
        elif kind == "ai_interaction":
            self.tokens_in += int(event.get("tokens_in") or 0)
            self.tokens_out += int(event.get("tokens_out") or 0)
            self.cost_usd += float(event.get("cost_usd") or 0.0)
            if event.get("role") == "user":
                self.ai[minute] = self.ai.get(minute, 0) + 1
                self.turns += 1
                part.turns += 1
        elif kind == "part_changed":
            part.end_ms = t
            following = event.get("part")
            if isinstance(following, int):
                self.parts.append(PartFacts(following, t))

    def activity(self, duration_ms: int) -> list[ActivityPoint]:
        """One point per minute from the start to the end (quiet minutes are zeros)."""
        last = max(duration_ms, self.end_ms) // 60_000
        return [
            ActivityPoint(
                minute=m,
                edits=self.edits.get(m, 0),
                runs=self.runs.get(m, 0),
                ai=self.ai.get(m, 0),
            )
            for m in range(last + 1)
        ]

    def _away(self) -> list[dict[str, int]]:
        """Time away so far, a candidate still away being away until the last event (the
        pass itself stays open, so more events can follow)."""
        spans = copy.copy(self.spans)
        spans.away = list(self.spans.away)
        spans.close()
        return spans.away

    @property
    def away(self) -> list[Span]:
        return [Span(**span) for span in self._away()]

    @property
    def time_away_ms(self) -> int:
        return sum(span["end_ms"] - span["start_ms"] for span in self._away())

    def part(self, position: int) -> PartFacts | None:
        return next((p for p in self.parts if p.position == position), None)


def _size(event: Mapping[str, Any]) -> int:
    """Characters a flagged insert brought in; a block stored by reference (the log keeps
    large contents in the object store) gives its size in bytes instead."""
    if event["type"] == "file_written" and "replaced" in event:
        return int(event["replaced"])
    name = "insert" if event["type"] == "edit" else "content"
    refs = event.get(REFS)
    if isinstance(refs, Mapping) and name in refs:
        return int(refs[name].get("bytes", 0))
    return len(event.get(name, ""))
