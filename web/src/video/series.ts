/**
 * The report's data, shaped for uPlot and for the transcript (pure: tested in
 * web/test/video-series.test.ts). The analysis stores 1 Hz series (index i covers
 * seconds [i, i+1)); the charts put each value at the middle of its second.
 */

export type Aligned = { x: number[]; series: (number | null)[][] };
export type Span = { start: number; end: number };
export type TimedWord = { text: string; start: number; end: number; filler?: boolean };

/** Shares (0..1) as percentages at each second's middle; missing values stay gaps. */
export function percentSeries(...shares: readonly (readonly (number | null | undefined)[])[]): Aligned {
  const length = Math.max(0, ...shares.map((s) => s.length));
  const x = Array.from({ length }, (_, i) => i + 0.5);
  const series = shares.map((s) =>
    x.map((_, i) => {
      const v = s[i];
      return v === null || v === undefined || !Number.isFinite(v) ? null : Math.round(Math.min(1, Math.max(0, v)) * 1000) / 10;
    }),
  );
  return { x, series };
}

/** Words per minute (as measured) and the share of each second spoken (as %). */
export function speechSeries(rate: readonly number[], speech: readonly number[]): Aligned {
  const shares = percentSeries(speech);
  const length = Math.max(rate.length, speech.length);
  const x = Array.from({ length }, (_, i) => i + 0.5);
  const wpm = x.map((_, i) => (i < rate.length && Number.isFinite(rate[i]) ? Math.max(0, rate[i]) : null));
  const spoken = x.map((_, i) => shares.series[0][i] ?? null);
  return { x, series: [wpm, spoken] };
}

/** Spans clipped to [0, duration] and merged where they touch or overlap, in order. */
export function mergeSpans(spans: readonly Span[], duration: number): Span[] {
  const clipped = spans
    .map((s) => ({ start: Math.max(0, Math.min(s.start, s.end)), end: Math.min(duration, Math.max(s.start, s.end)) }))
    .filter((s) => s.end > s.start)
    .sort((a, b) => a.start - b.start);
  const merged: Span[] = [];
  for (const span of clipped) {
    const last = merged[merged.length - 1];
    if (last && span.start <= last.end) last.end = Math.max(last.end, span.end);
    else merged.push({ ...span });
  }
  return merged;
}

/** The index of the word being said at `t` (the last word started at or before it), or -1. */
export function wordAt(words: readonly TimedWord[], t: number): number {
  let low = 0;
  let high = words.length - 1;
  let found = -1;
  while (low <= high) {
    const mid = (low + high) >> 1;
    if (words[mid].start <= t) {
      found = mid;
      low = mid + 1;
    } else high = mid - 1;
  }
  return found;
}

/** `m:ss` for a moment of an answer (the axes and the span lists). */
export function secondsLabel(t: number): string {
  const whole = Math.max(0, Math.floor(t));
  return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, "0")}`;
}

/** "0:12–0:15 (3.0 s)" for an integrity flag. */
export function spanLabel(span: Span): string {
  return `${secondsLabel(span.start)}–${secondsLabel(span.end)} (${(span.end - span.start).toFixed(1)} s)`;
}

/** A share as a whole percentage, or a dash when it was not measured. */
export function percent(share: number | null | undefined): string {
  return share === null || share === undefined || !Number.isFinite(share) ? "—" : `${Math.round(share * 100)}%`;
}
