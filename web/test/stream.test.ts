// Model tests of the replay's event application, paged stream and seek guard (run by `npm test`).
import assert from "node:assert/strict";
import { test } from "node:test";

import fc from "fast-check";

import { EventStream, LatestOnly, applyEvent, type EventPage, type Files, type RecordedEvent } from "../src/staff/stream";

const piece = fc.constantFrom("a", "b", "\n", "é", "😀", "𝄞", "xy");
const text = fc.array(piece, { maxLength: 12 }).map((p) => p.join(""));
const PATHS = ["/main.py", "/lib/util.py", "/lib/x.py", "/notes.txt"];

/** The reference: the server's rules over arrays of code points. */
function reference(files: Map<string, string[]>, e: RecordedEvent): void {
  if (e.type === "snapshot") {
    files.clear();
    for (const [p, c] of Object.entries(e.files ?? {})) files.set(p, [...c]);
  } else if (e.type === "edit") {
    const cps = files.get(e.file!);
    if (!cps) return;
    const offset = Math.min(e.offset!, cps.length);
    cps.splice(offset, Math.min(e.delete!, cps.length - offset), ...[...(e.insert ?? "")]);
  } else if (e.type === "file_created") {
    if (!files.has(e.file!)) files.set(e.file!, [...(e.content ?? "")]);
  } else if (e.type === "file_written") {
    files.set(e.file!, [...(e.content ?? "")]);
  } else if (e.type === "file_deleted") {
    for (const p of [...files.keys()]) if (p === e.file || p.startsWith(`${e.file}/`)) files.delete(p);
  } else if (e.type === "file_moved") {
    const moving = [...files.entries()].filter(([p]) => p === e.file || p.startsWith(`${e.file}/`));
    for (const [p] of moving) files.delete(p);
    for (const [p, c] of moving) files.set(e.to! + p.slice(e.file!.length), c);
  }
}

const event = fc.oneof(
  fc.record({ type: fc.constant("edit"), file: fc.constantFrom(...PATHS), offset: fc.nat(20), delete: fc.nat(5), insert: text }),
  fc.record({ type: fc.constant("file_created"), file: fc.constantFrom(...PATHS), content: text }),
  fc.record({ type: fc.constant("file_written"), file: fc.constantFrom(...PATHS), content: text }),
  fc.record({ type: fc.constant("file_deleted"), file: fc.constantFrom(...PATHS, "/lib") }),
  fc.record({ type: fc.constant("file_moved"), file: fc.constantFrom(...PATHS, "/lib"), to: fc.constantFrom("/moved.py", "/pkg") }),
  fc.record({ type: fc.constant("snapshot"), files: fc.dictionary(fc.constantFrom(...PATHS), text) }),
  fc.record({ type: fc.constantFrom("cursor", "note", "execution_result") }),
);
const log = fc.array(event, { maxLength: 60 }).map((list) => list.map((e, i): RecordedEvent => ({ ...e, seq: i + 1, t_ms: i * 10 })));

void test("events apply to a workspace as the server applies them, counting code points", () => {
  fc.assert(
    fc.property(log, (events) => {
      const files: Files = new Map();
      const model = new Map<string, string[]>();
      for (const e of events) {
        applyEvent(files, e);
        reference(model, e);
        assert.deepEqual(Object.fromEntries(files), Object.fromEntries([...model].map(([p, c]) => [p, c.join("")])));
      }
    }),
  );
});

void test("playing on from a keyframe's state gives the workspace playing from the start gives", () => {
  fc.assert(
    fc.property(log, fc.nat(), (events, cut) => {
      const at = events.length ? cut % events.length : 0;
      const whole: Files = new Map();
      for (const e of events) applyEvent(whole, e);
      const seeked: Files = new Map();
      for (const e of events.slice(0, at)) applyEvent(seeked, e); // what /replay answers
      const resumed = new Map(seeked);
      for (const e of events.slice(at)) applyEvent(resumed, e);
      assert.deepEqual(resumed, whole);
    }),
  );
});

/** A log served in pages whose answers arrive when the test says (in any order). */
class SlowSource {
  readonly calls: { from: number; limit: number; answer: () => void }[] = [];
  constructor(private readonly events: RecordedEvent[]) {}
  fetch = (from: number, limit: number): Promise<EventPage> =>
    new Promise((resolve) => {
      const page = this.events.filter((e) => e.seq >= from).slice(0, limit);
      const next = page.length === limit ? page[page.length - 1].seq + 1 : null;
      this.calls.push({ from, limit, answer: () => resolve({ events: page, next_from_seq: next }) });
    });
}

const flush = () => new Promise((r) => setImmediate(r));

void test("the paged stream hands out every event after the seek point once, in order, fetching ahead", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 0, max: 300 }),
      fc.integer({ min: 1, max: 40 }),
      fc.array(fc.record({ step: fc.integer({ min: 0, max: 400 }), answer: fc.boolean(), prime: fc.boolean(), seekTo: fc.option(fc.nat(300), { freq: 6 }) }), { maxLength: 80 }),
      async (count, pageSize, steps) => {
        const events: RecordedEvent[] = Array.from({ length: count }, (_, i) => ({ seq: i + 1, t_ms: i * 7, type: "edit" }));
        const source = new SlowSource(events);
        const stream = new EventStream(source.fetch, pageSize);
        let from = 1;
        let clock = 0;
        let seen: RecordedEvent[] = [];
        stream.reset(from);
        assert.equal(source.calls.length, 0, "a seek alone fetches no events");
        for (const step of steps) {
          if (step.seekTo !== null) {
            // a seek: answers still owed to the old position must not leak into the new one
            from = step.seekTo + 1;
            clock = step.seekTo * 7;
            seen = [];
            stream.reset(from);
          }
          if (step.prime) stream.prime();
          if (step.answer && source.calls.length) source.calls.shift()!.answer();
          await flush();
          clock += step.step;
          const taken = stream.take(clock);
          seen.push(...taken.events);
          const expected = events.filter((e) => e.seq >= from && e.t_ms <= clock);
          assert.deepEqual(seen.map((e) => e.seq), expected.slice(0, seen.length).map((e) => e.seq), "a prefix of the log from the seek, in order");
          if (!taken.starved) assert.equal(seen.length, expected.length, "not starved: everything due was handed out");
          assert.ok(stream.buffered <= 2 * pageSize, "at most about two pages are buffered");
        }
        // let every request answer: the stream reaches the end
        for (let i = 0; i < 1000 && !stream.exhausted; i++) {
          while (source.calls.length) source.calls.shift()!.answer();
          await flush();
          seen.push(...stream.take(Infinity).events);
        }
        assert.deepEqual(seen.map((e) => e.seq), events.filter((e) => e.seq >= from).map((e) => e.seq));
      },
    ),
    { numRuns: 150 },
  );
});

void test("seeks while dragging: one load in flight, the latest moment wins, never an older answer after a newer one", async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(fc.boolean(), { minLength: 1, maxLength: 30 }), async (answerFirst) => {
      const pending: { resolve: () => void }[] = [];
      let inFlight = 0;
      let maxInFlight = 0;
      const shown: number[] = [];
      const guard = new LatestOnly<number>(
        () =>
          new Promise<void>((resolve) => {
            inFlight++;
            maxInFlight = Math.max(maxInFlight, inFlight);
            pending.push({ resolve: () => (inFlight--, resolve()) });
          }),
        (index) => shown.push(index),
      );
      const done: Promise<void>[] = [];
      const resolved = new Set<number>();
      for (const [index, answer] of answerFirst.entries()) {
        if (answer && pending.length) pending.shift()!.resolve();
        await flush();
        done.push(guard.request(index).then(() => void resolved.add(index)));
      }
      while (pending.length) {
        pending.shift()!.resolve();
        await flush();
      }
      await Promise.all(done);
      assert.equal(maxInFlight, 1);
      assert.equal(shown[shown.length - 1], answerFirst.length - 1, "the last moment asked for is shown");
      for (let i = 1; i < shown.length; i++) assert.ok(shown[i] > shown[i - 1], "moments are shown in the order asked");
      assert.equal(resolved.size, answerFirst.length, "every request resolves");
      assert.ok(guard.loads <= answerFirst.length);
    }),
  );
});
