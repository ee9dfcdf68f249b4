"""Where an execute request's time goes, stage by stage: for the client and for Prometheus.

Every ``wait=true`` execute response carries a standard ``Server-Timing`` header (one
``name;dur=<ms>`` per stage), so a client, the benchmark or a browser's network panel sees
what the platform adds around the sandbox without access to the server. The same
durations feed the ``interviewkit_execution_stage_seconds{stage}`` histogram.

The stages, in request order:

* ``plan``: route entry until the job exists (validation, planner, session snapshot);
* ``admission``: the in-flight count that may refuse the run with 429;
* ``record``: the execution row written at the start (and a session's request event);
* ``queue``: waiting for a worker slot;
* ``compile``, ``handover`` (sandbox start or warm hand-over), ``run`` (the rest of the
  engine's time): reported by the engine (:class:`EngineTimings`);
* ``store``: the result and the row's finish;
* ``event``: the session recording's result event;
* ``total``: route entry until the response body is built.

The clock of the request travels in a context variable, so code several calls down (and in
the worker thread, which anyio runs in a copy of the request's context) adds to it without
passing it around; outside a measured request the stages cost one lookup and record nothing.
Durations reveal nothing a client could not time itself: candidates get the header too.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from weakref import WeakKeyDictionary

from prometheus_client import CollectorRegistry, Histogram

STAGES = (
    "plan",
    "admission",
    "record",
    "queue",
    "compile",
    "handover",
    "run",
    "store",
    "event",
    "total",
)
"""Every metric name ``Server-Timing`` may carry, in the order it lists them."""
HEADER = "Server-Timing"
STAGE_BUCKETS = (0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)


@dataclass
class EngineTimings:
    """What one :meth:`Engine.execute` spent where, in milliseconds (host clock)."""

    compile_ms: float = 0.0
    """Compilation, or the compile cache's lookup."""
    handover_ms: float = 0.0
    """The sum of every sandbox's start (cold) or hand-over (warm)."""
    total_ms: float = 0.0
    """The whole call, preparation and judging included."""
    served: list[str] = field(default_factory=list)
    """Per program run, the warm runtime that served it, or ``cold``."""

    @property
    def served_by(self) -> str | None:
        """``python`` when every run was served by that warm runtime, ``cold`` when every
        one started its own sandbox, both joined by ``+`` when mixed; None: nothing ran."""
        kinds = sorted(set(self.served), key=self.served.index)
        return "+".join(kinds) if kinds else None

    @property
    def run_ms(self) -> float:
        """The engine's time outside compilation and hand-overs: programs running, judging."""
        return max(0.0, self.total_ms - self.compile_ms - self.handover_ms)


class StageClock:
    """The stage durations of one request, in milliseconds; repeated stages add up."""

    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.durations: dict[str, float] = {}
        self.descriptions: dict[str, str] = {}

    def add(self, name: str, milliseconds: float) -> None:
        if name not in STAGES or name == "total":
            raise ValueError(f"unknown stage {name!r}")
        self.durations[name] = self.durations.get(name, 0.0) + max(0.0, milliseconds)

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        """Time the block as ``name`` (also when it raises: a refusal took time too)."""
        started = time.perf_counter()
        try:
            yield
        finally:
            self.add(name, (time.perf_counter() - started) * 1000)

    def add_engine(self, timings: EngineTimings) -> None:
        self.add("compile", timings.compile_ms)
        self.add("handover", timings.handover_ms)
        if timings.served_by is not None:  # which runtime answered: warm, or a cold start
            self.descriptions["handover"] = timings.served_by
        self.add("run", timings.run_ms)

    def elapsed_ms(self) -> float:
        return (time.perf_counter() - self.started) * 1000

    def header(self) -> str:
        """The ``Server-Timing`` value: each stage measured, then ``total`` (now)."""
        total = self.elapsed_ms()
        parts = [
            f"{name};dur={self.durations[name]:.3f}" + self._description(name)
            for name in STAGES
            if name in self.durations
        ]
        parts.append(f"total;dur={total:.3f}")
        return ", ".join(parts)

    def _description(self, name: str) -> str:
        described = self.descriptions.get(name)
        return f';desc="{described}"' if described else ""

    def observe(self, histogram: Histogram) -> None:
        """Add this request's stages (and its total so far) to the histogram."""
        for name, milliseconds in self.durations.items():
            histogram.labels(name).observe(milliseconds / 1000)
        histogram.labels("total").observe(self.elapsed_ms() / 1000)


_current: ContextVar[StageClock | None] = ContextVar("execution_stage_clock", default=None)


@contextmanager
def measuring() -> Iterator[StageClock]:
    """Start the clock of one request; stages measured inside the block land on it."""
    clock = StageClock()
    token = _current.set(clock)
    try:
        yield clock
    finally:
        _current.reset(token)


def current() -> StageClock | None:
    """The clock of the request being served, if it is measured."""
    return _current.get()


def forget() -> None:
    """Measure nothing more in this context (a background run outlives its request)."""
    _current.set(None)


@contextmanager
def stage(name: str) -> Iterator[None]:
    """Time the block as ``name`` on the current request's clock (none: time nothing)."""
    clock = _current.get()
    if clock is None:
        yield
        return
    with clock.stage(name):
        yield


def add(name: str, milliseconds: float) -> None:
    """Add a duration measured elsewhere to the current request's clock, if any."""
    clock = _current.get()
    if clock is not None:
        clock.add(name, milliseconds)


_HISTOGRAMS: WeakKeyDictionary[CollectorRegistry, Histogram] = WeakKeyDictionary()
_HISTOGRAMS_LOCK = threading.Lock()


def stage_histogram(registry: CollectorRegistry) -> Histogram:
    """The stage histogram of ``registry`` (the app's ``/metrics``), registered once."""
    with _HISTOGRAMS_LOCK:  # two first requests at once must not register it twice
        found = _HISTOGRAMS.get(registry)
        return found if found is not None else _register(registry)


def _register(registry: CollectorRegistry) -> Histogram:
    histogram = Histogram(
        "interviewkit_execution_stage_seconds",
        "Time an execute request spent in each stage (plan, admission, record, queue, "
        "compile, handover, run, store, event, total)",
        ["stage"],
        buckets=STAGE_BUCKETS,
        registry=registry,
    )
    _HISTOGRAMS[registry] = histogram
    return histogram
