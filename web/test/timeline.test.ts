// Properties of the replay timeline: bucketing, merged spans, idle skipping, speeds (run by `npm test`).
import assert from "node:assert/strict";
import { test } from "node:test";

import fc from "fast-check";

import {
  LANES,
  SPEEDS,
  advance,
  bucketMarkers,
  bucketOf,
  formatMs,
  mergeSpans,
  parseSpeed,
  skipIdle,
  stepSpeed,
  type Marker,
  type Span,
} from "../src/staff/timeline";

const KINDS = ["run", "paste", "large_insert", "rewrite", "ai", "note", "part", "unknown"];
const STATUSES = [null, "accepted", "wrong_answer", "compilation_error"];

const duration = fc.integer({ min: 1, max: 8 * 3600_000 });
const markers = (max: number) =>
  fc.array(
    fc.record({ kind: fc.constantFrom(...KINDS), t: fc.double({ min: 0, max: 1, noNaN: true }), status: fc.constantFrom(...STATUSES) }),
    { maxLength: 400 },
  ).map((raw) =>
    raw
      .map((m) => ({ kind: m.kind, t_ms: Math.floor(m.t * max), status: m.status }))
      .sort((a, b) => a.t_ms - b.t_ms)
      .map((m, i): Marker => ({ ...m, seq: i + 1 })),
  );

/** Sorted, disjoint spans within [0, max]. */
const spans = (max: number) =>
  fc.uniqueArray(fc.integer({ min: 0, max }), { maxLength: 40 }).map((points) => {
    const sorted = [...points].sort((a, b) => a - b);
    const out: Span[] = [];
    for (let i = 0; i + 1 < sorted.length; i += 2) out.push({ start_ms: sorted[i], end_ms: sorted[i + 1] });
    return out;
  });

void test("bucketing keeps every marker, draws at most one mark per lane and bucket, each within its slice", () => {
  fc.assert(
    fc.property(duration.chain((d) => fc.tuple(fc.constant(d), markers(d), fc.integer({ min: 1, max: 300 }))), ([d, list, buckets]) => {
      const marks = bucketMarkers(list, d, buckets);
      const drawn = list.filter((m) => m.kind !== "unknown");
      assert.equal(marks.reduce((n, m) => n + m.count, 0), drawn.length);
      assert.ok(marks.length <= LANES.length * buckets);
      assert.equal(new Set(marks.map((m) => `${m.lane}:${m.bucket}`)).size, marks.length);
      for (const mark of marks) {
        assert.equal(bucketOf(mark.t_ms, d, buckets), mark.bucket, "a mark seeks to a moment inside its own slice");
        const inside = drawn.filter((m) => bucketOf(m.t_ms, d, buckets) === mark.bucket && mark.lane === (m.kind === "large_insert" || m.kind === "rewrite" ? "paste" : m.kind));
        assert.equal(mark.t_ms, Math.min(...inside.map((m) => m.t_ms)), "it seeks to the first of its markers");
        assert.equal(mark.last.seq, Math.max(...inside.map((m) => m.seq)), "its colour is the latest marker's");
      }
    }),
  );
});

void test("merged spans cover exactly the moments the spans covered, plus gaps narrower than the merge width", () => {
  fc.assert(
    fc.property(spans(100_000), fc.integer({ min: 0, max: 5000 }), fc.integer({ min: 0, max: 100_000 }), (list, gap, t) => {
      const merged = mergeSpans(list, gap);
      const inOriginal = list.some((s) => s.start_ms <= t && t <= s.end_ms);
      const inMerged = merged.some((s) => s.start_ms <= t && t <= s.end_ms);
      if (inOriginal) assert.ok(inMerged);
      for (let i = 1; i < merged.length; i++) assert.ok(merged[i].start_ms > merged[i - 1].end_ms + gap, "merged spans are apart");
      if (gap === 0) assert.equal(inMerged, inOriginal);
    }),
  );
});

void test("skipping idle never lands inside an idle stretch and never goes back", () => {
  fc.assert(
    fc.property(spans(100_000), fc.integer({ min: 0, max: 100_000 }), (idle, t) => {
      const next = skipIdle(t, idle);
      assert.ok(next >= t);
      assert.ok(!idle.some((s) => s.start_ms <= next && next < s.end_ms));
      const inside = idle.find((s) => s.start_ms <= t && t < s.end_ms);
      assert.equal(next, inside ? inside.end_ms : t);
    }),
  );
});

void test("playback advances by wall time times speed, stops at the end, and skips idle only when asked", () => {
  fc.assert(
    fc.property(spans(100_000), fc.integer({ min: 0, max: 100_000 }), fc.integer({ min: 0, max: 2000 }), fc.constantFrom(...SPEEDS), fc.boolean(), (idle, t, dt, speed, skip) => {
      const next = advance(t, dt, speed, 100_000, idle, skip);
      assert.ok(next >= Math.min(t, 100_000) && next <= 100_000);
      if (!skip) assert.equal(next, Math.min(100_000, t + dt * speed));
      else assert.ok(!idle.some((s) => s.start_ms <= next && next < s.end_ms) || next === 100_000);
    }),
  );
});

void test("speeds step within 0.5x to 32x, and a step up then down comes back", () => {
  fc.assert(
    fc.property(fc.double({ min: 0.01, max: 1000, noNaN: true }), fc.constantFrom(1 as const, -1 as const), (raw, dir) => {
      const speed = parseSpeed(String(raw));
      assert.ok((SPEEDS as readonly number[]).includes(speed));
      const stepped = stepSpeed(speed, dir);
      assert.ok(stepped >= 0.5 && stepped <= 32);
      if (stepped !== speed) assert.equal(stepSpeed(stepped, dir === 1 ? -1 : 1), speed);
    }),
  );
  assert.equal(parseSpeed("nonsense"), 1);
});

void test("moments read as m:ss, or h:mm:ss from an hour on", () => {
  assert.equal(formatMs(0), "0:00");
  assert.equal(formatMs(61_999), "1:01");
  assert.equal(formatMs(3600_000 + 62_000), "1:01:02");
});

