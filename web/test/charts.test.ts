// Properties of the report's chart data (run by `npm test`).
import assert from "node:assert/strict";
import { test } from "node:test";

import fc from "fast-check";

import { activitySeries, partsOf, testsSeries, type TestsPoint } from "../src/staff/charts";

void test("activity has one point per minute from the start to the last, missing minutes zero, counts kept", () => {
  fc.assert(
    fc.property(fc.uniqueArray(fc.record({ minute: fc.nat(300), edits: fc.nat(500), runs: fc.nat(9), ai: fc.nat(9) }), { selector: (p) => p.minute, maxLength: 60 }), (points) => {
      const { x, series } = activitySeries(points);
      if (!points.length) return assert.equal(x.length, 0);
      assert.equal(x.length, Math.max(...points.map((p) => p.minute)) + 1);
      x.forEach((m, i) => assert.equal(m, i));
      for (const [index, key] of (["edits", "runs", "ai"] as const).entries()) {
        assert.equal(series[index].length, x.length);
        assert.equal(series[index].reduce((a: number, b) => a + (b ?? 0), 0), points.reduce((a, p) => a + p[key], 0));
      }
    }),
  );
});

void test("tests passing: one step line per part, empty before its first run, then the latest share, within 0..100", () => {
  const point = fc.record({ t_ms: fc.nat(7_200_000), total: fc.integer({ min: 0, max: 20 }), position: fc.integer({ min: 1, max: 4 }), share: fc.double({ min: 0, max: 1, noNaN: true }) });
  fc.assert(
    fc.property(fc.uniqueArray(point, { selector: (p) => `${p.t_ms}`, maxLength: 50 }), fc.option(fc.integer({ min: 7_200_000, max: 8_000_000 })), (raw, end) => {
      const points: TestsPoint[] = raw.map((p) => ({ t_ms: p.t_ms, total: p.total, position: p.position, passed: Math.floor(p.share * p.total) }));
      const { x, series } = testsSeries(points, end);
      const parts = partsOf(points);
      assert.equal(series.length, parts.length);
      for (let i = 1; i < x.length; i++) assert.ok(x[i] > x[i - 1], "x increases");
      parts.forEach((part, index) => {
        const mine = points.filter((p) => p.position === part).sort((a, b) => a.t_ms - b.t_ms);
        x.forEach((minute, j) => {
          const before = mine.filter((p) => p.t_ms / 60_000 <= minute);
          const value = series[index][j];
          if (!before.length) assert.equal(value, null);
          else {
            const last = before[before.length - 1];
            assert.equal(value, last.total ? (100 * last.passed) / last.total : 0);
            assert.ok(value !== null && value >= 0 && value <= 100);
          }
        });
      });
    }),
  );
});
