"""Prometheus collectors of the voice interviewer: where a reply's latency goes."""

from __future__ import annotations

from dataclasses import dataclass

from prometheus_client import Gauge, Histogram

from interviewkit.observability import Metrics

STAGE_BUCKETS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 1.0, 1.2, 1.5, 2.0, 3.0, 5.0, 10.0)
"""Around the targets (p50 800 ms, p95 1.2 s voice to voice)."""
STAGES = ("end_of_turn", "stt_final", "first_token", "first_audio")
"""Each measured from the candidate's last voiced frame, so they add up along a turn."""


@dataclass(frozen=True)
class TurnTimes:
    """One exchange's timings in ms from the candidate's last voiced frame (cumulative)."""

    utterance: int
    end_of_turn_ms: float
    stt_final_ms: float
    first_token_ms: float
    first_audio_ms: float
    barge_in: bool = False

    def event(self) -> dict[str, object]:
        """The ``voice_turn`` recording event."""
        return {
            "type": "voice_turn",
            "utterance": self.utterance,
            "end_of_turn_ms": round(self.end_of_turn_ms, 1),
            "stt_final_ms": round(self.stt_final_ms, 1),
            "first_token_ms": round(self.first_token_ms, 1),
            "first_audio_ms": round(self.first_audio_ms, 1),
            "barge_in": self.barge_in,
        }


@dataclass(frozen=True)
class VoiceMetrics:
    stages: Histogram
    conversations: Gauge
    barge_ins: Histogram
    """Seconds from the candidate's first voiced frame to the ``flush`` sent."""

    @classmethod
    def register(cls, metrics: Metrics) -> VoiceMetrics:
        registry = metrics.registry
        return cls(
            Histogram(
                "interviewkit_voice_stage_seconds",
                "Voice reply latency by stage, from the candidate's last voiced frame",
                ["stage"],
                buckets=STAGE_BUCKETS,
                registry=registry,
            ),
            Gauge(
                "interviewkit_voice_conversations",
                "Voice conversations open in this process",
                registry=registry,
            ),
            Histogram(
                "interviewkit_voice_barge_in_seconds",
                "From the candidate's first voiced frame to the flush of the interviewer",
                buckets=STAGE_BUCKETS,
                registry=registry,
            ),
        )

    def observe(self, times: TurnTimes) -> None:
        values = (
            times.end_of_turn_ms,
            times.stt_final_ms,
            times.first_token_ms,
            times.first_audio_ms,
        )
        for stage, value in zip(STAGES, values, strict=True):
            self.stages.labels(stage).observe(value / 1000)
