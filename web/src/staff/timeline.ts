/**
 * The replay's timeline as data: marks bucketed so a 2-hour session with thousands of
 * runs, pastes and AI turns draws a few hundred buttons at most, spans merged to what a
 * pixel can show, idle stretches to skip, and the playback speeds. Pure: no DOM, tested
 * with fast-check in web/test/timeline.test.ts.
 */

export type Span = { start_ms: number; end_ms: number };

/** A marker of `GET /sessions/{id}/timeline` (the fields of every kind, optional). */
export type Marker = {
  kind: string;
  t_ms: number;
  seq: number;
  status?: string | null;
  mode?: string | null;
  passed?: number | null;
  total?: number | null;
  size?: number;
  flagged?: boolean;
  role?: string;
  text?: string;
  file?: string | null;
  /** Part markers: the 0-based part that ended, how, and the part that began. */
  ended?: number | null;
  ended_by?: string | null;
  part?: number | null;
  problem?: string | null;
  /** Run markers: the execution whose output `GET /executions/{id}` has. */
  execution_id?: string | null;
  source?: string | null;
};

export type Timeline = { duration_ms: number; markers: Marker[]; away: Span[]; idle: Span[] };

/** The rows of the timeline, top to bottom. */
export const LANES = ["run", "paste", "ai", "voice", "note", "part"] as const;
export type Lane = (typeof LANES)[number];

export const LANE_TITLES: Record<Lane, string> = {
  run: "Runs",
  paste: "Pastes",
  ai: "AI turns",
  voice: "Voice",
  note: "Notes",
  part: "Part changes",
};

/** The lane a marker kind is drawn in (server-detected inserts and rewrites are pastes). */
export function laneOf(kind: string): Lane | null {
  if (kind === "run") return "run";
  if (kind === "paste" || kind === "large_insert" || kind === "rewrite") return "paste";
  if (kind === "ai") return "ai";
  // the voice interview's lines and commands (the replay adds them from the event log)
  if (kind === "speech" || kind === "voice_command") return "voice";
  if (kind === "note") return "note";
  if (kind === "part" || kind === "part_changed") return "part";
  return null;
}

/** One drawn mark: the markers of one lane that fall in one bucket of time. */
export type Mark = {
  lane: Lane;
  bucket: number;
  /** Where the mark seeks to: its first marker's moment. */
  t_ms: number;
  seq: number;
  count: number;
  /** A colour class: a run's verdict (the last run in the bucket), else the lane. */
  tone: string;
  last: Marker;
};

export function bucketOf(t: number, durationMs: number, buckets: number): number {
  if (durationMs <= 0) return 0;
  return Math.min(buckets - 1, Math.max(0, Math.floor((t / durationMs) * buckets)));
}

/** A run's colour: accepted, failed (any other verdict), or pending (no verdict). */
export function runTone(status: string | null | undefined): string {
  if (!status) return "pending";
  return status === "accepted" ? "accepted" : status === "compilation_error" ? "compile" : "failed";
}

/**
 * The markers grouped per lane into `buckets` equal slices of the session: at most
 * `LANES.length * buckets` marks whatever the session's length, sorted by lane then time.
 */
export function bucketMarkers(markers: readonly Marker[], durationMs: number, buckets: number): Mark[] {
  const found = new Map<string, Mark>();
  for (const marker of markers) {
    const lane = laneOf(marker.kind);
    if (lane === null) continue;
    const bucket = bucketOf(marker.t_ms, durationMs, buckets);
    const key = `${lane}:${bucket}`;
    const mark = found.get(key);
    const tone = lane === "run" ? runTone(marker.status) : lane === "voice" && marker.kind === "voice_command" ? "command" : lane;
    if (!mark) {
      found.set(key, { lane, bucket, t_ms: marker.t_ms, seq: marker.seq, count: 1, tone, last: marker });
      continue;
    }
    mark.count += 1;
    if (marker.t_ms < mark.t_ms || (marker.t_ms === mark.t_ms && marker.seq < mark.seq)) {
      mark.t_ms = marker.t_ms;
      mark.seq = marker.seq;
    }
    if (marker.seq >= mark.last.seq) {
      mark.last = marker;
      mark.tone = tone;
    }
  }
  return [...found.values()].sort((a, b) => LANES.indexOf(a.lane) - LANES.indexOf(b.lane) || a.bucket - b.bucket);
}

/**
 * Spans sorted and merged where they overlap or lie closer than `gapMs` (what one pixel
 * of the bar covers): a session that left the tab a thousand times draws a few hundred
 * rectangles, covering every moment the originals covered.
 */
export function mergeSpans(spans: readonly Span[], gapMs: number): Span[] {
  const sorted = spans.filter((s) => s.end_ms >= s.start_ms).sort((a, b) => a.start_ms - b.start_ms);
  const merged: Span[] = [];
  for (const span of sorted) {
    const last = merged[merged.length - 1];
    if (last && span.start_ms <= last.end_ms + gapMs) last.end_ms = Math.max(last.end_ms, span.end_ms);
    else merged.push({ start_ms: span.start_ms, end_ms: span.end_ms });
  }
  return merged;
}

/**
 * Where playback goes from `t` when idle stretches are skipped: the end of the idle span
 * `t` falls in (spans sorted by start, not overlapping), else `t` itself.
 */
export function skipIdle(t: number, idle: readonly Span[]): number {
  let lo = 0;
  let hi = idle.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const span = idle[mid];
    if (t < span.start_ms) hi = mid - 1;
    else if (t >= span.end_ms) lo = mid + 1;
    else return span.end_ms;
  }
  return t;
}

/** Playback speeds the player offers. */
export const SPEEDS = [0.5, 1, 2, 4, 8, 16, 32] as const;

/** The speed one step faster (`+1`) or slower (`-1`) than `speed`, within SPEEDS. */
export function stepSpeed(speed: number, direction: 1 | -1): number {
  const index = nearestSpeed(speed);
  return SPEEDS[Math.min(SPEEDS.length - 1, Math.max(0, index + direction))];
}

function nearestSpeed(speed: number): number {
  let best = 0;
  for (let i = 1; i < SPEEDS.length; i++) {
    if (Math.abs(Math.log2(SPEEDS[i] / speed)) < Math.abs(Math.log2(SPEEDS[best] / speed))) best = i;
  }
  return best;
}

/** A speed from the select's value, clamped to what the player offers. */
export function parseSpeed(value: string): number {
  const speed = Number(value);
  return Number.isFinite(speed) && speed > 0 ? SPEEDS[nearestSpeed(speed)] : 1;
}

/**
 * The next moment of playback after `elapsedMs` of wall time at `speed`: never past the
 * end, and over idle stretches at once when `skip` is on.
 */
export function advance(t: number, elapsedMs: number, speed: number, durationMs: number, idle: readonly Span[], skip: boolean): number {
  let next = Math.min(durationMs, t + Math.max(0, elapsedMs) * speed);
  if (skip) next = Math.min(durationMs, skipIdle(next, idle));
  return next;
}

/** `m:ss`, or `h:mm:ss` from an hour on. */
export function formatMs(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const ss = String(s).padStart(2, "0");
  return h ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}
