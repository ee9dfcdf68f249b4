"""Timeline markers and session statistics, computed in one pass over the event log."""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

ACTIVITY = frozenset(
    {
        "edit",
        "cursor",
        "selection",
        "paste",
        "file_created",
        "file_deleted",
        "file_moved",
        "file_written",
        "execution_requested",
        "ai_interaction",
        "transcript",
        "note",
    }
)
"""Events that mean someone was doing something (a keyframe or a verdict does not)."""


class Spans:
    """Idle stretches and time away, fed one event at a time (timeline and stats share it)."""

    def __init__(self, idle_ms: int) -> None:
        self.idle_ms = idle_ms
        self.idle: list[dict[str, int]] = []
        self.away: list[dict[str, int]] = []
        self.end = 0
        self._last_active: int | None = None
        self._left_at: int | None = None

    def see(self, kind: str, t: int) -> None:
        self.end = t
        if kind in ACTIVITY:
            if self._last_active is not None and t - self._last_active >= self.idle_ms:
                self.idle.append({"start_ms": self._last_active, "end_ms": t})
            self._last_active = t
        if kind == "blur" and self._left_at is None:
            self._left_at = t
        elif kind == "focus" and self._left_at is not None:
            self.away.append({"start_ms": self._left_at, "end_ms": t})
            self._left_at = None

    def close(self) -> None:
        """A candidate still away at the end was away until the end."""
        if self._left_at is not None:
            self.away.append({"start_ms": self._left_at, "end_ms": self.end})
            self._left_at = None


DETECTED_PASTES = {
    "edit": "large_insert",
    "file_created": "large_insert",
    "file_written": "rewrite",
}
"""Flagged events the server found large by itself (timeline marker kinds)."""


def _brought_in(event: Mapping[str, Any]) -> int:
    """Characters a flagged event brought in at once."""
    kind = event["type"]
    if kind == "edit":
        return len(event.get("insert", ""))
    if kind == "file_written":
        return int(event.get("replaced", len(event.get("content", ""))))
    return len(event.get("content", ""))


def _total(spans: list[dict[str, int]]) -> int:
    return sum(span["end_ms"] - span["start_ms"] for span in spans)


def timeline(events: Iterable[Mapping[str, Any]], idle_ms: int) -> dict[str, Any]:
    """Markers a player draws: runs, pastes, time away, AI turns, notes, part changes, idle
    stretches."""
    markers: list[dict[str, Any]] = []
    spans = Spans(idle_ms)
    for event in events:
        kind, t = event["type"], int(event["t_ms"])
        spans.see(kind, t)
        if kind == "execution_result":
            markers.append(
                {
                    "kind": "run",
                    "t_ms": t,
                    "seq": event["seq"],
                    "execution_id": event.get("execution_id"),
                    "status": event.get("status"),
                    "mode": event.get("mode"),
                    "passed": event.get("passed"),
                    "total": event.get("total"),
                }
            )
        elif kind == "paste":
            markers.append(
                {
                    "kind": "paste",
                    "t_ms": t,
                    "seq": event["seq"],
                    "size": event["size"],
                    "flagged": event.get("flagged", False),
                    "source": event.get("source"),
                }
            )
        elif event.get("flagged") and kind in DETECTED_PASTES:
            markers.append(
                {
                    "kind": DETECTED_PASTES[kind],
                    "t_ms": t,
                    "seq": event["seq"],
                    "file": event.get("file"),
                    "size": _brought_in(event),
                    "flagged": True,
                    "source": event.get("source"),
                }
            )
        elif kind == "ai_interaction":
            markers.append({"kind": "ai", "t_ms": t, "seq": event["seq"], "role": event["role"]})
        elif kind == "note":
            markers.append(
                {
                    "kind": "note",
                    "t_ms": t,
                    "seq": event["seq"],
                    "text": event["text"],
                    "source": event.get("source"),
                }
            )
        elif kind == "part_changed":
            markers.append(
                {
                    "kind": "part",
                    "t_ms": t,
                    "seq": event["seq"],
                    "ended": event.get("ended"),
                    "ended_by": event.get("ended_by"),
                    "part": event.get("part"),
                    "problem": event.get("problem"),
                }
            )
    spans.close()
    return {"duration_ms": spans.end, "markers": markers, "away": spans.away, "idle": spans.idle}


def session_stats(events: Iterable[Mapping[str, Any]], idle_ms: int) -> dict[str, Any]:
    """The origin documents' ``getSessionStats``, from the log."""
    counts: Counter[str] = Counter()
    verdicts: Counter[str] = Counter()
    keystrokes = inserted = pasted = largest_paste = 0
    large_inserts = largest_insert = rewrites = flagged = 0
    tokens_in = tokens_out = 0
    cost = 0.0
    first_run = first_accepted = None
    spans = Spans(idle_ms)
    voice_turns: list[Mapping[str, Any]] = []
    for event in events:
        kind, t = event["type"], int(event["t_ms"])
        counts[kind] += 1
        spans.see(kind, t)
        if event.get("flagged"):
            flagged += 1
            if kind in ("edit", "file_created"):
                large_inserts += 1
                largest_insert = max(largest_insert, _brought_in(event))
            elif kind == "file_written":
                rewrites += 1
        if kind == "edit":
            keystrokes += 1
            inserted += len(event.get("insert", ""))
        elif kind == "paste":
            pasted += 1
            largest_paste = max(largest_paste, int(event["size"]))
        elif kind == "execution_result":
            verdicts[str(event.get("status"))] += 1
            first_run = t if first_run is None else first_run
            if event.get("status") == "accepted" and first_accepted is None:
                first_accepted = t
        elif kind == "ai_interaction":
            tokens_in += int(event.get("tokens_in", 0))
            tokens_out += int(event.get("tokens_out", 0))
            cost += float(event.get("cost_usd", 0.0))
        elif kind == "voice_turn":
            voice_turns.append(event)
    spans.close()
    end, idle_total = spans.end, _total(spans.idle)
    return {
        "events": sum(counts.values()),
        "by_type": dict(sorted(counts.items())),
        "duration_ms": end,
        "active_ms": max(0, end - idle_total),
        "idle_ms": idle_total,
        "keystrokes": keystrokes,
        "characters_typed": inserted,
        "pastes": {"count": pasted, "largest": largest_paste},
        "large_inserts": {"count": large_inserts, "largest": largest_insert},
        "rewrites": rewrites,
        "flagged": flagged,
        "time_away_ms": _total(spans.away),
        "runs": sum(verdicts.values()),
        "verdicts": dict(sorted(verdicts.items())),
        "time_to_first_run_ms": first_run,
        "time_to_first_accepted_ms": first_accepted,
        "ai": {
            "turns": counts["ai_interaction"],
            "tokens_in": tokens_in,
            "tokens_out": tokens_out,
            "cost_usd": round(cost, 6),
        },
        "voice": voice_usage(voice_turns, counts),
    }


VOICE_STAGES = ("end_of_turn", "stt_final", "first_token", "first_audio")
"""A spoken exchange's stages, each timed from the candidate's last voiced frame."""


def voice_usage(turns: list[Mapping[str, Any]], counts: Mapping[str, int]) -> dict[str, Any]:
    """The spoken exchanges: how many, how many the candidate cut short, and the median
    time to each stage of the reply (None without exchanges)."""
    medians: dict[str, float | None] = {}
    for stage in VOICE_STAGES:
        values = [float(turn[f"{stage}_ms"]) for turn in turns if f"{stage}_ms" in turn]
        medians[stage] = round(statistics.median(values), 1) if values else None
    return {
        "turns": len(turns),
        "barge_ins": sum(1 for turn in turns if turn.get("barge_in")),
        "commands": counts.get("voice_command", 0),
        "median_ms": medians,
    }
