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

export type Replacement = { from: number; to: number; insert: string };

const LCS_CELLS = 4_000_000;

/** The lines of a text, each with its "\n" (the last one without). */
function linesOf(text: string): string[] {
  const lines = text.split("\n");
  return lines.map((line, i) => (i < lines.length - 1 ? `${line}\n` : line));
}

/**
 * The changes turning `before` into `after`, line by line (a longest common subsequence
 * of the lines that differ), so that a whole-file write maps positions in unchanged lines
 * onto themselves: the candidate's caret and unconfirmed work stay where they were. Falls
 * back to one replacement when the differing part is too large to compare cheaply.
 */
export function lineDiff(before: string, after: string): Replacement[] {
  if (before === after) return [];
  const a = linesOf(before);
  const b = linesOf(after);
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const start = a.slice(0, head).join("").length;
  const midA = a.slice(head, a.length - tail);
  const midB = b.slice(head, b.length - tail);
  if (midA.length * midB.length > LCS_CELLS) {
    return [{ from: start, to: start + midA.join("").length, insert: midB.join("") }];
  }
  return lcsChanges(midA, midB, start);
}

/** Replacements (positions from `offset`) that turn lines `a` into lines `b`. */
function lcsChanges(a: string[], b: string[], offset: number): Replacement[] {
  const n = a.length;
  const m = b.length;
  const width = m + 1;
  const table = new Uint32Array((n + 1) * width);
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      table[i * width + j] =
        a[i] === b[j] ? table[(i + 1) * width + j + 1] + 1 : Math.max(table[(i + 1) * width + j], table[i * width + j + 1]);
    }
  }
  const changes: Replacement[] = [];
  let current: Replacement | null = null;
  let pos = offset;
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) {
      if (current) changes.push(current);
      current = null;
      pos += a[i].length;
      i++;
      j++;
    } else if (j < m && (i >= n || table[i * width + j + 1] >= table[(i + 1) * width + j])) {
      current ??= { from: pos, to: pos, insert: "" };
      current.insert += b[j];
      j++;
    } else {
      current ??= { from: pos, to: pos, insert: "" };
      pos += a[i].length;
      current.to = pos;
      i++;
    }
  }
  if (current) changes.push(current);
  return changes;
}
