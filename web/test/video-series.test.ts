// Properties of the video report's chart and transcript data (run by `npm test`).
import assert from "node:assert/strict";
import { test } from "node:test";

import fc from "fast-check";

import { mergeSpans, percent, percentSeries, spanLabel, speechSeries, wordAt } from "../src/video/series";

void test("shares become percentages at each second's middle; gaps stay gaps; values stay in 0..100", () => {
  fc.assert(
    fc.property(fc.array(fc.option(fc.double({ min: -1, max: 2, noNaN: true }), { nil: null }), { maxLength: 400 }), fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 400 }), (a, b) => {
      const { x, series } = percentSeries(a, b);
      assert.equal(x.length, Math.max(a.length, b.length));
      x.forEach((t, i) => assert.equal(t, i + 0.5));
      series.forEach((s, k) => {
        const source = [a, b][k];
        s.forEach((v, i) => {
          if (i >= source.length || source[i] === null) assert.equal(v, null);
          else assert.ok(v !== null && v >= 0 && v <= 100);
        });
      });
    }),
  );
  assert.deepEqual(percentSeries([1, 0.5, 0]).series[0], [100, 50, 0]);
});

void test("speech series: words per minute as measured, the share of each second spoken as %", () => {
  const { x, series } = speechSeries([120, 0, 150.5], [1, 0, 0.5, 0.25]);
  assert.deepEqual(x, [0.5, 1.5, 2.5, 3.5]);
  assert.deepEqual(series[0], [120, 0, 150.5, null]);
  assert.deepEqual(series[1], [100, 0, 50, 25]);
});

void test("spans are clipped, sorted and merged: no overlaps, and every covered moment stays covered", () => {
  const span = fc.record({ start: fc.double({ min: -10, max: 120, noNaN: true }), end: fc.double({ min: -10, max: 120, noNaN: true }) });
  fc.assert(
    fc.property(fc.array(span, { maxLength: 30 }), fc.double({ min: 1, max: 100, noNaN: true }), fc.double({ min: 0, max: 100, noNaN: true }), (spans, duration, probe) => {
      const merged = mergeSpans(spans, duration);
      merged.forEach((s, i) => {
        assert.ok(s.start >= 0 && s.end <= duration && s.end > s.start);
        if (i > 0) assert.ok(s.start > merged[i - 1].end);
      });
      const inside = (list: { start: number; end: number }[]) => list.some((s) => Math.min(s.start, s.end) <= probe && probe <= Math.max(s.start, s.end));
      if (probe <= duration && inside(spans) && probe > 0) assert.ok(inside(merged), `${probe} lost`);
      if (inside(merged)) assert.ok(inside(spans));
    }),
  );
});

void test("the word at a moment is the last one started at or before it", () => {
  const starts = fc.uniqueArray(fc.double({ min: 0, max: 600, noNaN: true }), { maxLength: 200 }).map((xs) => xs.sort((a, b) => a - b));
  fc.assert(
    fc.property(starts, fc.double({ min: -1, max: 700, noNaN: true }), (list, t) => {
      const words = list.map((start) => ({ text: "w", start, end: start + 0.2 }));
      const expected = words.reduce((found, w, i) => (w.start <= t ? i : found), -1);
      assert.equal(wordAt(words, t), expected);
    }),
  );
});

void test("labels: spans read m:ss with their length, shares as whole percents, unmeasured as a dash", () => {
  assert.equal(spanLabel({ start: 12.2, end: 75 }), "0:12–1:15 (62.8 s)");
  assert.equal(percent(0.857), "86%");
  assert.equal(percent(null), "—");
  assert.equal(percent(undefined), "—");
});
