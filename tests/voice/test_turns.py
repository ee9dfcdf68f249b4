"""End of turn (voice/turns.py): pure logic over speech probabilities and the audio clock."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from interviewkit.voice.turns import (
    START_FRAMES,
    Ending,
    TurnConfig,
    TurnDetector,
    TurnEvent,
    ending,
)

CONFIG = TurnConfig()
FRAME = CONFIG.frame_ms


def feed(
    detector: TurnDetector, probabilities: list[float], start_ms: float = 0.0
) -> list[tuple[float, TurnEvent]]:
    """Push frames from ``start_ms``; the events with the audio time they came at."""
    events = []
    now = start_ms
    for probability in probabilities:
        now += FRAME
        event = detector.push(probability, now)
        if event is not None:
            events.append((now, event))
    return events


def speech(ms: float) -> list[float]:
    return [0.95] * round(ms / FRAME)


def silence(ms: float) -> list[float]:
    return [0.02] * round(ms / FRAME)


def test_silence_and_noise_below_the_threshold_never_start_a_turn() -> None:
    detector = TurnDetector(CONFIG)
    assert feed(detector, silence(5000) + [0.45] * 100) == []


def test_a_click_shorter_than_the_start_frames_is_not_speech() -> None:
    detector = TurnDetector(CONFIG)
    blips = ([0.9] * (START_FRAMES - 1) + [0.1]) * 20
    assert feed(detector, blips) == []


def test_an_unclear_ending_waits_the_default_hangover() -> None:
    detector = TurnDetector(CONFIG)
    events = feed(detector, silence(320) + speech(1000) + silence(2000))
    kinds = [event for _, event in events]
    assert kinds == [TurnEvent.START, TurnEvent.PAUSE, TurnEvent.END]
    end_ms = events[-1][0]
    waited = end_ms - detector.last_voiced_ms
    assert CONFIG.hangover_ms <= waited < CONFIG.hangover_ms + FRAME


def test_the_start_is_placed_at_the_first_voiced_frame() -> None:
    detector = TurnDetector(CONFIG)
    feed(detector, silence(320) + speech(500))
    assert detector.started_ms == 320


def end_after(draft: str) -> float:
    """Silence from the last voiced frame to the END, with ``draft`` known at the pause."""
    detector = TurnDetector(CONFIG)
    feed(detector, speech(800))
    now = 800.0
    assert detector.push(0.0, now + FRAME) is TurnEvent.PAUSE
    now += FRAME
    assert detector.set_draft(draft) is None
    while True:
        now += FRAME
        if detector.push(0.0, now) is TurnEvent.END:
            return now - detector.last_voiced_ms


def test_a_complete_question_ends_sooner_and_a_trailing_so_waits_longer() -> None:
    complete = end_after("Can the list be empty?")
    unclear = end_after("I would use a hash map")
    trailing = end_after("I would sort it first and")
    assert complete < unclear < trailing
    assert complete < CONFIG.complete_ms + FRAME
    assert trailing >= CONFIG.trailing_ms


def test_a_draft_that_arrives_after_the_short_hangover_ends_the_turn_at_once() -> None:
    detector = TurnDetector(CONFIG)
    feed(detector, speech(800))
    feed(detector, silence(320), start_ms=800)  # a pause longer than complete_ms
    assert detector.speaking
    assert detector.set_draft("Run my tests.") is TurnEvent.END


def test_speech_after_a_pause_resumes_the_turn_and_drops_the_stale_draft() -> None:
    detector = TurnDetector(CONFIG)
    feed(detector, speech(640) + silence(96))
    detector.set_draft("So")
    events = feed(detector, speech(320), start_ms=736)
    assert [event for _, event in events] == [TurnEvent.RESUME]
    assert detector.draft is None


def test_push_to_talk_release_ends_the_turn_at_once() -> None:
    detector = TurnDetector(CONFIG)
    feed(detector, speech(640))
    assert detector.release() is TurnEvent.END
    assert detector.release() is None


def test_a_long_utterance_is_cut_into_turns() -> None:
    config = TurnConfig(max_utterance_ms=2000)
    detector = TurnDetector(config)
    events = [event for _, event in feed(detector, speech(5000))]
    assert events.count(TurnEvent.END) == 2
    assert events[:2] == [TurnEvent.START, TurnEvent.END]


def test_endings() -> None:
    assert ending("How long is the input?") is Ending.COMPLETE
    assert ending("Give me a hint.") is Ending.COMPLETE
    assert ending("So, um,") is Ending.TRAILING
    assert ending("I think that because") is Ending.TRAILING
    assert ending("Let me think...") is Ending.TRAILING
    assert ending("and then I would use a") is Ending.TRAILING
    assert ending("maybe a heap") is Ending.UNCLEAR
    assert ending("") is Ending.UNCLEAR


probabilities = st.lists(st.floats(0.0, 1.0), max_size=400)


@settings(max_examples=200, deadline=None)
@given(probabilities, st.lists(st.sampled_from(["", "ok.", "so", "maybe"]), max_size=5))
def test_events_follow_the_turn_grammar(values: list[float], drafts: list[str]) -> None:
    """START opens a turn, END closes it, PAUSE and RESUME alternate inside it."""
    detector = TurnDetector(CONFIG)
    state = "idle"
    now = 0.0
    for index, probability in enumerate(values):
        now += FRAME
        event = detector.push(probability, now)
        if drafts and index % 37 == 0 and event is None:
            event = detector.set_draft(drafts[index % len(drafts)])
        if event is None:
            continue
        allowed = {
            "idle": {TurnEvent.START},
            "speaking": {TurnEvent.PAUSE, TurnEvent.END},
            "paused": {TurnEvent.RESUME, TurnEvent.END},
        }[state]
        assert event in allowed, (state, event)
        state = {
            TurnEvent.START: "speaking",
            TurnEvent.RESUME: "speaking",
            TurnEvent.PAUSE: "paused",
            TurnEvent.END: "idle",
        }[event]
        assert detector.speaking == (state != "idle")


@settings(max_examples=200, deadline=None)
@given(probabilities)
def test_a_turn_never_ends_before_the_shortest_hangover(values: list[float]) -> None:
    """Without a release or the length cut, no turn ends sooner than complete_ms after the
    candidate's last voiced frame: a short breath never cuts anyone off."""
    config = TurnConfig(max_utterance_ms=10**9)
    detector = TurnDetector(config)
    now = 0.0
    for probability in values:
        now += FRAME
        detector.set_draft("Done.")
        if detector.push(probability, now) is TurnEvent.END:
            assert now - detector.last_voiced_ms >= config.complete_ms
