// Properties of the offset conversions and diffs every edit crosses (run by `npm test`).
import assert from "node:assert/strict";
import { test } from "node:test";

import fc from "fast-check";

import { lineDiff, singleDiff, toCodePoints, toUtf16, type Replacement } from "../src/text";

/** Text with newlines, astral characters (surrogate pairs) and combining marks. */
const text = fc.array(fc.constantFrom("a", "b", "\n", "\r\n", "é", "e\u0301", "😀", "𝄞", "  ", "x\n"), { maxLength: 40 }).map((parts) => parts.join(""));

function apply(before: string, changes: Replacement[]): string {
  let out = "";
  let last = 0;
  for (const change of changes) {
    assert.ok(change.from >= last && change.to >= change.from, "changes are sorted and disjoint");
    out += before.slice(last, change.from) + change.insert;
    last = change.to;
  }
  return out + before.slice(last);
}

void test("a code-point offset and its UTF-16 position convert back and forth", () => {
  fc.assert(
    fc.property(text, fc.nat(), (s, n) => {
      const points = [...s].length;
      const offset = n % (points + 1);
      const pos = toUtf16(s, offset);
      assert.equal([...s.slice(0, pos)].length, offset);
      assert.equal(toCodePoints(s, pos), offset);
    }),
  );
});

void test("the line diff of a whole-file write rebuilds the new text", () => {
  fc.assert(fc.property(text, text, (a, b) => assert.equal(apply(a, lineDiff(a, b)), b)));
});

void test("the line diff leaves the lines both texts start and end with alone", () => {
  fc.assert(
    fc.property(text, text, text, (head, middle, tail) => {
      const before = `${head}\n${tail}`;
      const after = `${head}\n${middle}\n${tail}`;
      for (const change of lineDiff(before, after)) {
        assert.ok(change.from >= head.length + 1, "the shared first lines are not rewritten");
      }
    }),
  );
});

void test("the single diff rebuilds the new text and never splits a surrogate pair", () => {
  fc.assert(
    fc.property(text, text, (a, b) => {
      const change = singleDiff(a, b);
      assert.equal(apply(a, [change]), b);
      assert.ok(!/^[\uDC00-\uDFFF]/.test(a.slice(change.from)) || change.from === a.length);
    }),
  );
});
