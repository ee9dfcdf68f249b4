// Live captions: partials replaced by finals, the interviewer's words shown once (run by `npm test`).
import assert from "node:assert/strict";
import { test } from "node:test";

import fc from "fast-check";

import { Captions, MAX_CAPTIONS } from "../src/voice/captions";
import type { TranscriptLine } from "../src/protocol";

const candidate = (utterance: number, text: string, final: boolean): TranscriptLine => ({ type: "transcript", speaker: "candidate", utterance, text, final, words: [] });

void test("a candidate's partials are one caption, replaced by the final line", () => {
  const captions = new Captions();
  captions.transcript(candidate(1, "could you", false));
  captions.transcript(candidate(1, "could you repeat", false));
  captions.transcript(candidate(1, "Could you repeat the question?", true));
  captions.transcript(candidate(1, "could you repeat the", false)); // late partial
  assert.equal(captions.lines.length, 1);
  assert.deepEqual({ text: captions.lines[0].text, final: captions.lines[0].final }, { text: "Could you repeat the question?", final: true });
});

void test("the interviewer's transcript line of words it already said is not shown twice", () => {
  const captions = new Captions();
  captions.speech({ type: "interviewer-speech", speech: 1, text: "Hello! I'm your interviewer today.", sample_rate: 22050 });
  captions.transcript({ type: "transcript", speaker: "interviewer", utterance: 0, text: "hello, I'm your interviewer today", final: true, words: [] });
  assert.equal(captions.lines.length, 1);
  captions.transcript({ type: "transcript", speaker: "interviewer", utterance: 0, text: "Something not spoken", final: true, words: [] });
  assert.equal(captions.lines.length, 2);
});

void test("a flushed speech's caption is marked interrupted", () => {
  const captions = new Captions();
  captions.speech({ type: "interviewer-speech", speech: 4, text: "Let me explain the problem.", sample_rate: 22050 });
  assert.equal(captions.flushed(4)?.interrupted, true);
  assert.equal(captions.flushed(5), null);
});

void test("whatever arrives, one caption per utterance and never more than the limit", () => {
  fc.assert(
    fc.property(fc.array(fc.record({ u: fc.integer({ min: 0, max: 300 }), text: fc.string({ minLength: 1 }), final: fc.boolean() }), { maxLength: 600 }), (lines) => {
      const captions = new Captions();
      for (const line of lines) captions.transcript(candidate(line.u, line.text, line.final));
      const keys = captions.lines.map((c) => c.key);
      assert.equal(new Set(keys).size, keys.length);
      assert.ok(captions.lines.length <= MAX_CAPTIONS);
    }),
  );
});
