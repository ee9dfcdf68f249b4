/**
 * Offsets: the server counts Unicode code points, CodeMirror counts UTF-16 code units.
 * Every position that crosses the wire goes through these two functions.
 */
import type { Text } from "@codemirror/state";

/** The code-point offset of UTF-16 position `pos` in `text`. */
export function toCodePoints(text: string, pos: number): number {
  let points = 0;
  for (let i = 0; i < pos; i++) {
    const unit = text.charCodeAt(i);
    // a high surrogate followed by a low one is one code point: count it once
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < pos) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
    points++;
  }
  return points;
}

/** The UTF-16 position of code-point offset `points` in `text` (clamped to its end). */
export function toUtf16(text: string, points: number): number {
  let pos = 0;
  for (let seen = 0; seen < points && pos < text.length; seen++) {
    const unit = text.charCodeAt(pos);
    const pair =
      unit >= 0xd800 && unit <= 0xdbff && pos + 1 < text.length &&
      text.charCodeAt(pos + 1) >= 0xdc00 && text.charCodeAt(pos + 1) <= 0xdfff;
    pos += pair ? 2 : 1;
  }
  return pos;
}

/** Code points in a string (what the server calls its length). */
export function codePointLength(text: string): number {
  return toCodePoints(text, text.length);
}

/** The document as one string with "\n" between lines (the editor keeps "\r" as text). */
export function docString(doc: Text): string {
  return doc.sliceString(0, doc.length, "\n");
}

/**
 * The smallest single replacement turning `before` into `after` (common prefix and
 * suffix kept), in UTF-16 positions: how a whole-file write becomes an edit that local
 * unconfirmed work can be rebased over.
 */
export function singleDiff(before: string, after: string): { from: number; to: number; insert: string } {
  let start = 0;
  const limit = Math.min(before.length, after.length);
  while (start < limit && before.charCodeAt(start) === after.charCodeAt(start)) start++;
  let endBefore = before.length;
  let endAfter = after.length;
  while (endBefore > start && endAfter > start && before.charCodeAt(endBefore - 1) === after.charCodeAt(endAfter - 1)) {
    endBefore--;
    endAfter--;
  }
  // never split a surrogate pair
  if (start > 0 && isLow(before.charCodeAt(start))) start--;
  if (endBefore < before.length && isLow(before.charCodeAt(endBefore))) {
    endBefore++;
    endAfter++;
  }
  return { from: start, to: endBefore, insert: after.slice(start, endAfter) };
}

function isLow(unit: number): boolean {
  return unit >= 0xdc00 && unit <= 0xdfff;
}
