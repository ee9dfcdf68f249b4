// The interviewer's voice: jitter buffer, back-to-back scheduling, flush (run by `npm test`).
import assert from "node:assert/strict";
import { test } from "node:test";

import fc from "fast-check";

import { JITTER_S, LEAD_S, SpeechPlayer, type AudioOut, type Playing } from "../src/voice/playback";

/** An audio output on a clock the test moves: it records what is played when, and stopped. */
class Clock implements AudioOut {
  t = 0;
  played: { speech: number; at: number; end: number; stopped: boolean }[] = [];
  speech = 0;

  now(): number {
    return this.t;
  }

  play(pcm: Int16Array, sampleRate: number, at: number): Playing {
    const item = { speech: this.speech, at, end: at + pcm.length / sampleRate, stopped: false };
    this.played.push(item);
    return { stop: () => (item.stopped = true) };
  }
}

const RATE = 22050;
const chunk = (ms: number) => new Int16Array(Math.round((RATE * ms) / 1000));

void test("nothing plays until the jitter buffer holds enough, then it all plays back to back", () => {
  const out = new Clock();
  const player = new SpeechPlayer(out);
  player.begin(1, RATE);
  player.frame(1, 0, chunk(40), false);
  assert.equal(out.played.length, 0, "40 ms is below the jitter buffer");
  player.frame(1, 1, chunk(40), false);
  assert.equal(out.played.length, 2);
  assert.ok(Math.abs(out.played[0].at - LEAD_S) < 1e-9);
  assert.ok(Math.abs(out.played[1].at - out.played[0].end) < 1e-9, "no gap, no overlap");
  assert.ok(JITTER_S <= 0.08 + 1e-9);
});

void test("a short speech plays at once when its last frame arrives", () => {
  const out = new Clock();
  const player = new SpeechPlayer(out);
  player.begin(3, RATE);
  player.frame(3, 0, chunk(20), true);
  assert.equal(out.played.length, 1);
});

void test("chunks arriving at any pace play in order, never overlapping, never before the clock", () => {
  fc.assert(
    fc.property(fc.array(fc.record({ ms: fc.integer({ min: 1, max: 120 }), gap: fc.integer({ min: 0, max: 200 }) }), { minLength: 1, maxLength: 60 }), (chunks) => {
      const out = new Clock();
      const player = new SpeechPlayer(out);
      player.begin(7, RATE);
      chunks.forEach((c, i) => {
        out.t += c.gap / 1000;
        const before = out.played.length;
        player.frame(7, i, chunk(c.ms), i === chunks.length - 1);
        for (const item of out.played.slice(before)) assert.ok(item.at >= out.t, "scheduled in the past");
      });
      assert.equal(out.played.length, chunks.length, "every chunk played once");
      for (let i = 1; i < out.played.length; i++) assert.ok(out.played[i].at >= out.played[i - 1].end - 1e-9);
    }),
  );
});

void test("a duplicated or replayed frame is not played twice", () => {
  const out = new Clock();
  const player = new SpeechPlayer(out);
  player.begin(1, RATE);
  player.frame(1, 0, chunk(100), false);
  player.frame(1, 0, chunk(100), false);
  assert.equal(out.played.length, 1);
});

void test("flush stops the speech now, and what was queued after it, and drops its late frames", () => {
  const out = new Clock();
  const player = new SpeechPlayer(out);
  out.speech = 1;
  player.begin(1, RATE);
  player.frame(1, 0, chunk(100), false);
  out.speech = 2;
  player.begin(2, RATE);
  player.frame(2, 0, chunk(100), true);
  out.speech = 0;
  player.begin(0, RATE); // an earlier id does not mean an earlier speech: order of arrival does
  out.t = 0.05;
  assert.ok(player.speaking);
  player.flush(1);
  assert.ok(out.played.filter((p) => p.speech !== 0).every((p) => p.stopped), "speech 1 and the queued speech 2 stop");
  assert.ok(player.isFlushed(1) && player.isFlushed(2));
  const played = out.played.length;
  player.frame(1, 1, chunk(100), true);
  assert.equal(out.played.length, played, "late frames of a flushed speech are dropped");
  assert.ok(!player.speaking);
  player.begin(9, RATE);
  player.frame(9, 0, chunk(100), true);
  assert.ok(Math.abs(out.played[out.played.length - 1].at - (out.t + LEAD_S)) < 1e-9, "what follows starts at once, not after the flushed audio");
});

void test("frames of a speech never announced, or flushed before it began, are dropped", () => {
  const out = new Clock();
  const player = new SpeechPlayer(out);
  player.frame(4, 0, chunk(200), true);
  player.flush(5);
  player.begin(5, RATE);
  player.frame(5, 0, chunk(200), true);
  assert.equal(out.played.length, 0);
});

void test("stopAll silences everything", () => {
  const out = new Clock();
  const player = new SpeechPlayer(out);
  player.begin(1, RATE);
  player.frame(1, 0, chunk(300), true);
  player.stopAll();
  assert.ok(out.played.every((p) => p.stopped));
  assert.ok(!player.speaking);
});
