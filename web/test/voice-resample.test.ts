// The microphone's resampler and framer: what the speech engines receive (run by `npm test`).
import assert from "node:assert/strict";
import { test } from "node:test";

import fc from "fast-check";

import { Framer, Resampler, rms, toPcm16 } from "../src/voice/resample";

/** The rates AudioContexts run at in practice (and a few odd ones). */
const RATES = [8000, 11025, 16000, 22050, 24000, 32000, 44100, 48000, 88200, 96000];
const rate = fc.constantFrom(...RATES);

function tone(frequency: number, rate: number, length: number, amplitude = 0.5, phase = 0): Float32Array {
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) out[i] = amplitude * Math.sin((2 * Math.PI * frequency * i) / rate + phase);
  return out;
}

/** Feed `input` in chunks of the given sizes (cycled), as the worklet's 128-sample blocks would. */
function run(resampler: Resampler, input: Float32Array, sizes: number[]): Float32Array {
  const parts: number[] = [];
  let offset = 0;
  for (let k = 0; offset < input.length; k++) {
    const size = Math.max(1, sizes[k % sizes.length]);
    parts.push(...resampler.process(input.subarray(offset, offset + size)));
    offset += size;
  }
  return Float32Array.from(parts);
}

/** The steady part of a stream: the kernel's edges (start, and the tail not yet emitted) cut off. */
function steady(samples: Float32Array, margin: number): Float32Array {
  return samples.subarray(margin, Math.max(margin, samples.length - margin));
}

void test("the output does not depend on how the input is cut into blocks", () => {
  fc.assert(
    fc.property(rate, rate, fc.array(fc.integer({ min: 1, max: 700 }), { minLength: 1, maxLength: 8 }), fc.integer({ min: 0, max: 5000 }), (from, to, sizes, length) => {
      const input = Float32Array.from({ length }, (_, i) => Math.sin(i * 0.37) * 0.8 + ((i * 7919) % 13) / 40 - 0.15);
      const whole = run(new Resampler(from, to), input, [length || 1]);
      const blocks = run(new Resampler(from, to), input, sizes);
      assert.deepEqual(blocks, whole);
    }),
    { numRuns: 60 },
  );
});

void test("as many samples come out as the ratio says, less the kernel's look-ahead", () => {
  fc.assert(
    fc.property(rate, rate, fc.integer({ min: 0, max: 20_000 }), (from, to, length) => {
      const resampler = new Resampler(from, to);
      const out = run(resampler, new Float32Array(length), [128]);
      const ideal = (length * to) / from;
      const lookAhead = ((resampler.half + 1) * to) / from + 1;
      assert.ok(out.length <= Math.ceil(ideal), `${out.length} > ${ideal}`);
      assert.ok(out.length >= ideal - lookAhead, `${out.length} < ${ideal} - ${lookAhead}`);
    }),
    { numRuns: 80 },
  );
});

void test("a constant comes out unchanged (each phase of the kernel sums to one)", () => {
  fc.assert(
    fc.property(rate, rate, fc.double({ min: -1, max: 1, noNaN: true }), (from, to, level) => {
      const resampler = new Resampler(from, to);
      const out = run(resampler, new Float32Array(from).fill(level), [128]);
      const margin = Math.ceil((resampler.half * to) / from) + 1;
      for (const sample of steady(out, margin)) assert.ok(Math.abs(sample - level) < 1e-5, `${sample} != ${level}`);
    }),
    { numRuns: 60 },
  );
});

void test("a tone in the speech band keeps its frequency, amplitude and timing", () => {
  fc.assert(
    fc.property(rate, fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 6.28, noNaN: true }), (from, share, phase) => {
      // 100 Hz to 3.4 kHz (the telephone band), below 0.3 of an 8 kHz microphone's rate
      const frequency = 100 + share * (Math.min(3400, 0.3 * from) - 100);
      const to = 16_000;
      const resampler = new Resampler(from, to);
      const out = run(resampler, tone(frequency, from, Math.floor(from / 4), 0.5, phase), [128]);
      const expected = tone(frequency, to, out.length, 0.5, phase);
      const margin = Math.ceil((resampler.half * to) / from) + 2;
      let worst = 0;
      for (let i = margin; i < out.length - margin; i++) worst = Math.max(worst, Math.abs(out[i] - expected[i]));
      assert.ok(worst < 0.01, `off by ${worst} at ${frequency} Hz from ${from} Hz`);
    }),
    { numRuns: 60 },
  );
});

void test("what lies above the new Nyquist is filtered out, not folded into the speech band", () => {
  fc.assert(
    fc.property(fc.constantFrom(32000, 44100, 48000, 96000), fc.double({ min: 9500, max: 15_000, noNaN: true }), (from, frequency) => {
      const resampler = new Resampler(from, 16_000);
      const out = run(resampler, tone(frequency, from, Math.floor(from / 4), 0.5), [128]);
      const level = rms(steady(out, resampler.half));
      // 0.35 rms in; at most -50 dB of it comes out (linear interpolation lets most through).
      // 9.5 kHz would fold to 6.5 kHz; the filter's transition band lies between 6 and 9 kHz
      assert.ok(level < 0.0011, `${frequency} Hz from ${from} Hz: rms ${level}`);
    }),
    { numRuns: 40 },
  );
});

void test("rates must be positive integers", () => {
  assert.throws(() => new Resampler(0, 16000), RangeError);
  assert.throws(() => new Resampler(44100.5, 16000), RangeError);
});

void test("the framer cuts exact 20 ms frames and loses no sample", () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 0, max: 900 }), { maxLength: 30 }), (sizes) => {
      const framer = new Framer(320);
      const all: number[] = [];
      const frames: Int16Array[] = [];
      let n = 0;
      for (const size of sizes) {
        const block = Float32Array.from({ length: size }, () => ((n++ % 200) - 100) / 100);
        all.push(...toPcm16(block));
        frames.push(...framer.push(block));
      }
      assert.equal(frames.length, Math.floor(all.length / 320));
      for (const frame of frames) assert.equal(frame.length, 320);
      const flat = frames.flatMap((f) => [...f]);
      assert.deepEqual(flat, all.slice(0, flat.length));
    }),
  );
});

void test("PCM16 conversion rounds within half a step and clips instead of wrapping", () => {
  fc.assert(
    fc.property(fc.double({ min: -4, max: 4, noNaN: true }), (value) => {
      const [pcm] = toPcm16(Float32Array.of(value));
      const clipped = Math.max(-1, Math.min(1, Math.fround(value)));
      assert.ok(Math.abs(pcm / 32767 - clipped) <= 0.5 / 32767 + 1e-9);
      assert.ok(pcm >= -32767 && pcm <= 32767);
    }),
  );
});
