// Properties of the candidate page's upload and recording logic (run by `npm test`).
import assert from "node:assert/strict";
import { test } from "node:test";

import fc from "fast-check";

import { backoffMs, bytesHeld, contentType, formatClock, HttpFailure, missingParts, pickRecordingType, planParts, retryable, withRetry } from "../src/video/plan";

const MIB = 1024 * 1024;

void test("parts cover the blob exactly once, in order, each at most the part size, only the last shorter", () => {
  fc.assert(
    fc.property(fc.nat(200 * MIB), fc.integer({ min: 5 * MIB, max: 64 * MIB }), (size, partBytes) => {
      const parts = planParts(size, partBytes);
      assert.ok(parts.length >= 1);
      assert.equal(parts[0].start, 0);
      assert.equal(parts[parts.length - 1].end, size);
      parts.forEach((part, i) => {
        assert.equal(part.number, i + 1);
        if (i > 0) assert.equal(part.start, parts[i - 1].end);
        assert.ok(part.end - part.start <= partBytes);
        if (i < parts.length - 1) assert.equal(part.end - part.start, partBytes);
      });
      assert.equal(parts.length, Math.max(1, Math.ceil(size / partBytes)));
    }),
  );
  assert.throws(() => planParts(-1, 5 * MIB), RangeError);
  assert.throws(() => planParts(10, 0), RangeError);
});

void test("resume sends exactly the parts not held in full; held bytes and missing bytes add up to the blob", () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 100 * MIB }), fc.integer({ min: 5 * MIB, max: 16 * MIB }), fc.array(fc.tuple(fc.boolean(), fc.boolean())), (size, partBytes, flags) => {
      const plan = planParts(size, partBytes);
      // the server holds some parts whole, some cut short, misses the rest
      const received = plan.flatMap((part, i) => {
        const [held, whole] = flags[i] ?? [false, false];
        if (!held) return [];
        const full = part.end - part.start;
        return [{ number: part.number, size: whole || full === 0 ? full : full - 1 }];
      });
      const missing = missingParts(plan, received);
      const wholeNumbers = new Set(received.filter((r) => r.size === plan[r.number - 1].end - plan[r.number - 1].start).map((r) => r.number));
      assert.deepEqual(
        missing.map((p) => p.number),
        plan.filter((p) => !wholeNumbers.has(p.number)).map((p) => p.number),
      );
      const missingBytes = missing.reduce((sum, p) => sum + p.end - p.start, 0);
      assert.equal(bytesHeld(plan, received) + missingBytes, size);
    }),
  );
  // a part the server knows nothing of, or reports for a number outside the plan, changes nothing
  const plan = planParts(12 * MIB, 5 * MIB);
  assert.deepEqual(missingParts(plan, [{ number: 9, size: 5 }]).length, 3);
  assert.deepEqual(missingParts(plan, plan.map((p) => ({ number: p.number, size: p.end - p.start }))), []);
});

void test("backoff grows, never passes its cap, and keeps at least half of it fixed", () => {
  fc.assert(
    fc.property(fc.nat(40), fc.integer({ min: 1, max: 5000 }), fc.integer({ min: 1, max: 120_000 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (attempt, base, max, random) => {
      const wait = backoffMs(attempt, base, max, random);
      const ceiling = Math.min(max, base * 2 ** attempt);
      assert.ok(wait <= Math.ceil(ceiling) && wait >= Math.floor(ceiling / 2), `${wait} in [${ceiling / 2}, ${ceiling}]`);
      assert.ok(backoffMs(attempt, base, max, 0) <= backoffMs(attempt + 1, base, max, 0));
    }),
  );
});

void test("withRetry retries network and server failures until it succeeds, and never a refusal", async () => {
  await fc.assert(
    fc.asyncProperty(fc.nat(6), fc.integer({ min: 1, max: 6 }), fc.constantFrom(0, 500, 503, 429, 408), async (failures, attempts, status) => {
      let calls = 0;
      const waits: number[] = [];
      const run = () => {
        calls++;
        return calls <= failures ? Promise.reject(new HttpFailure(status, "down")) : Promise.resolve("ok");
      };
      const outcome = await withRetry(run, { attempts, baseMs: 100, maxMs: 1000, sleep: (ms) => (waits.push(ms), Promise.resolve()), random: () => 0.5 }).catch((e: unknown) => e);
      if (failures < attempts) {
        assert.equal(outcome, "ok");
        assert.equal(calls, failures + 1);
      } else {
        assert.ok(outcome instanceof HttpFailure);
        assert.equal(calls, attempts);
      }
      assert.equal(waits.length, calls - 1);
      waits.forEach((w) => assert.ok(w >= 50 && w <= 1000));
    }),
  );
  let calls = 0;
  const refused = await withRetry(() => (calls++, Promise.reject(new HttpFailure(403, "expired"))), { attempts: 5, baseMs: 1, maxMs: 1, sleep: () => Promise.resolve() }).catch((e: unknown) => e);
  assert.ok(refused instanceof HttpFailure && refused.status === 403);
  assert.equal(calls, 1);
  for (const status of [400, 401, 403, 404, 409, 413, 415, 422]) assert.equal(retryable(status), false);
});

void test("the recording type is the first the browser supports; its upload type drops the codecs", () => {
  assert.equal(pickRecordingType(() => true), "video/webm;codecs=vp8,opus");
  assert.equal(pickRecordingType((t) => t.startsWith("video/mp4")), "video/mp4;codecs=avc1,mp4a");
  assert.equal(pickRecordingType(() => false), null);
  assert.equal(contentType("video/webm;codecs=vp8,opus"), "video/webm");
  assert.equal(contentType("Video/MP4"), "video/mp4");
});

void test("a countdown reads m:ss (h:mm:ss past an hour), rounds up, and stops at zero", () => {
  assert.equal(formatClock(7), "0:07");
  assert.equal(formatClock(119.2), "2:00");
  assert.equal(formatClock(3605), "1:00:05");
  assert.equal(formatClock(-3), "0:00");
  assert.equal(formatClock(Number.NaN), "0:00");
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 10 * 3600 }), (s) => {
      const parts = formatClock(s).split(":").map(Number);
      const total = parts.reduce((acc, v) => acc * 60 + v, 0);
      assert.equal(total, s);
    }),
  );
});
