/**
 * The report's chart data, shaped for uPlot (pure: tested in web/test/charts.test.ts).
 * uPlot takes one shared x array and one y array per series; the tests-passing chart has
 * one step line per part, each carried forward from its first measurement (a part's
 * tests stay passing until a later run says otherwise) and empty before it.
 */

export type ActivityPoint = { minute: number; edits: number; runs: number; ai: number };
export type TestsPoint = { t_ms: number; passed: number; total: number; position: number };

export type Aligned = { x: number[]; series: (number | null)[][] };

/** Minutes on x; edits, runs and AI turns per minute (missing minutes are zero). */
export function activitySeries(points: readonly ActivityPoint[]): Aligned {
  if (!points.length) return { x: [], series: [[], [], []] };
  const byMinute = new Map(points.map((p) => [p.minute, p]));
  const last = Math.max(...points.map((p) => p.minute));
  const first = Math.min(0, ...points.map((p) => p.minute));
  const x: number[] = [];
  const edits: number[] = [];
  const runs: number[] = [];
  const ai: number[] = [];
  for (let minute = first; minute <= last; minute++) {
    const p = byMinute.get(minute);
    x.push(minute);
    edits.push(p?.edits ?? 0);
    runs.push(p?.runs ?? 0);
    ai.push(p?.ai ?? 0);
  }
  return { x, series: [edits, runs, ai] };
}

/** The parts in the data, in order. */
export function partsOf(points: readonly TestsPoint[]): number[] {
  return [...new Set(points.map((p) => p.position))].sort((a, b) => a - b);
}

/**
 * Minutes on x (every measurement's moment, and the session's end); per part the share of
 * its tests passing (0..100), carried forward from its first measurement.
 */
export function testsSeries(points: readonly TestsPoint[], endMs: number | null = null): Aligned {
  const parts = partsOf(points);
  const times = [...new Set(points.map((p) => p.t_ms).concat(endMs !== null ? [endMs] : []))].sort((a, b) => a - b);
  const sorted = [...points].sort((a, b) => a.t_ms - b.t_ms);
  const series = parts.map((part) => {
    const mine = sorted.filter((p) => p.position === part);
    let index = 0;
    let current: number | null = null;
    return times.map((t) => {
      while (index < mine.length && mine[index].t_ms <= t) {
        const p = mine[index++];
        current = p.total > 0 ? (100 * p.passed) / p.total : 0;
      }
      return current;
    });
  });
  return { x: times.map((t) => t / 60_000), series };
}
