/**
 * The replay's moving parts that need no browser: the recording's events applied to a
 * workspace (the same rules as the server's `recording/events.py: apply`, offsets in code
 * points), the paged event stream playback reads from, and the seek guard that lets the
 * latest request win. Tested with fast-check in web/test/stream.test.ts.
 */
import { toUtf16 } from "../text";

/** An event of `GET /sessions/{id}/events` (the fields the player reads). */
export type RecordedEvent = {
  seq: number;
  t_ms: number;
  type: string;
  id?: string | null;
  source?: string | null;
  file?: string;
  to?: string;
  offset?: number;
  delete?: number;
  insert?: string;
  content?: string;
  files?: Record<string, string>;
  [key: string]: unknown;
};

export type EventPage = { events: RecordedEvent[]; next_from_seq: number | null };

/** Workspace path -> content. */
export type Files = Map<string, string>;

const KEYFRAMES = new Set(["snapshot", "session_started"]);
const CHANGES_FILES = new Set(["edit", "file_created", "file_deleted", "file_moved", "file_written", ...KEYFRAMES]);

export function normalisePath(path: string): string {
  return `/${path.replace(/^\/+|\/+$/g, "")}`;
}

export function changesFiles(type: string): boolean {
  return CHANGES_FILES.has(type);
}

/**
 * Apply one stored event to `files` in place; returns the paths it changed (empty for
 * events that do not touch files). Stored events always apply on the server; one that does
 * not apply here (a bug, or a page that went missing) leaves `files` as they were.
 */
export function applyEvent(files: Files, event: RecordedEvent): string[] {
  const kind = event.type;
  if (!CHANGES_FILES.has(kind)) return [];
  if (KEYFRAMES.has(kind)) {
    const changed = new Set([...files.keys(), ...Object.keys(event.files ?? {})]);
    files.clear();
    for (const [path, content] of Object.entries(event.files ?? {})) files.set(path, content);
    return [...changed];
  }
  const path = normalisePath(event.file ?? "");
  if (kind === "edit") {
    const text = files.get(path);
    if (text === undefined) return [];
    const from = toUtf16(text, event.offset ?? 0);
    const to = from + toUtf16(text.slice(from), event.delete ?? 0);
    files.set(path, text.slice(0, from) + (event.insert ?? "") + text.slice(to));
    return [path];
  }
  if (kind === "file_created" || kind === "file_written") {
    if (kind === "file_created" && files.has(path)) return [];
    files.set(path, event.content ?? "");
    return [path];
  }
  const under = [...files.keys()].filter((p) => p === path || p.startsWith(`${path}/`));
  if (kind === "file_deleted") {
    for (const name of under) files.delete(name);
    return under;
  }
  const target = normalisePath(event.to ?? path);
  const moved: string[] = [];
  const contents = under.map((name) => [name, files.get(name) ?? ""] as const);
  for (const [name] of contents) files.delete(name);
  for (const [name, content] of contents) {
    const to = target + name.slice(path.length);
    files.set(to, content);
    moved.push(name, to);
  }
  return moved;
}

/**
 * The log from some seq on, fetched in pages as playback needs it. `take(until)` hands
 * out, in seq order, the buffered events up to a moment; the next page is requested while
 * a quarter of the current one is still unread, so playback rarely waits. `reset` (a
 * seek) starts over from another seq: answers to the old position's requests are dropped.
 */
export class EventStream {
  private buffer: RecordedEvent[] = [];
  private index = 0;
  private nextFrom: number | null = null;
  private loading: Promise<void> | null = null;
  private generation = 0;
  /** The last error of a page request (playback stops at the buffer's end meanwhile). */
  error: unknown = null;

  constructor(
    private readonly source: (fromSeq: number, limit: number) => Promise<EventPage>,
    readonly pageSize = 1000,
  ) {}

  /**
   * Start from `fromSeq` (the seq after the moment a seek landed on). Nothing is fetched
   * until playback asks (`take` or `prime`): a drag along the seek bar costs the server
   * one workspace per moment shown, not a page of events too.
   */
  reset(fromSeq: number): void {
    this.generation += 1;
    this.buffer = [];
    this.index = 0;
    this.nextFrom = fromSeq;
    this.loading = null;
    this.error = null;
  }

  /** Fetch the first page now (playback is about to start). */
  prime(): void {
    this.prefetch();
  }

  /** Buffered events not handed out yet. */
  get buffered(): number {
    return this.buffer.length - this.index;
  }

  /** True once every event of the log was handed out. */
  get exhausted(): boolean {
    return this.nextFrom === null && this.buffered === 0;
  }

  /** The request in flight, if any (resolves once its page is buffered or dropped). */
  get pending(): Promise<void> | null {
    return this.loading;
  }

  /**
   * The buffered events with `t_ms <= until`, in seq order. `starved` is true when the
   * buffer ran out before `until` while the log has more: playback should wait for
   * `pending` rather than run ahead of the events.
   */
  take(until: number): { events: RecordedEvent[]; starved: boolean } {
    const start = this.index;
    while (this.index < this.buffer.length && this.buffer[this.index].t_ms <= until) this.index++;
    const events = this.buffer.slice(start, this.index);
    if (this.index > this.pageSize) {
      this.buffer = this.buffer.slice(this.index);
      this.index = 0;
    }
    const starved = this.index >= this.buffer.length && this.nextFrom !== null;
    this.prefetch();
    return { events, starved };
  }

  /** The moment of the next event not handed out, or null when none is buffered. */
  peek(): number | null {
    return this.index < this.buffer.length ? this.buffer[this.index].t_ms : null;
  }

  private prefetch(): void {
    if (this.loading || this.nextFrom === null || this.error !== null) return;
    if (this.buffered > this.pageSize / 4) return;
    const generation = this.generation;
    const from = this.nextFrom;
    this.loading = this.source(from, this.pageSize).then(
      (page) => {
        if (generation !== this.generation) return; // a seek moved on meanwhile
        this.loading = null;
        const fresh = page.events.filter((e) => e.seq >= from);
        this.buffer.push(...fresh);
        const last = fresh.length ? fresh[fresh.length - 1].seq + 1 : from;
        this.nextFrom = page.next_from_seq === null ? null : Math.max(page.next_from_seq, last);
        this.prefetch();
      },
      (error: unknown) => {
        if (generation !== this.generation) return;
        this.loading = null;
        this.error = error;
      },
    );
  }

  /** Try again after a failed page request. */
  retry(): void {
    this.error = null;
    this.prefetch();
  }
}

/**
 * Seeks as a slider drags: one request in flight at a time, and of those asked for
 * meanwhile only the latest is sent next (the ones in between are never fetched). An
 * answer is shown only if no later request was shown before it, so a slow answer never
 * replaces a newer moment. Each `request` resolves once its moment (or a later one) is
 * shown, or its load failed.
 */
export class LatestOnly<T> {
  private busy = false;
  private queued: { key: number; target: T } | null = null;
  private shownKey = 0;
  private counter = 0;
  private waiters: { key: number; resolve: () => void }[] = [];

  constructor(
    private readonly load: (target: T) => Promise<unknown>,
    private readonly show: (target: T, answer: unknown) => void,
  ) {}

  request(target: T): Promise<void> {
    const key = ++this.counter;
    const done = new Promise<void>((resolve) => this.waiters.push({ key, resolve }));
    if (this.busy) this.queued = { key, target };
    else void this.run(key, target);
    return done;
  }

  /** The number of loads started so far (what the dragging cost the server). */
  loads = 0;

  private async run(key: number, target: T): Promise<void> {
    this.busy = true;
    this.loads += 1;
    try {
      const answer = await this.load(target);
      if (key > this.shownKey) {
        this.shownKey = key;
        this.show(target, answer);
      }
    } catch {
      // a failed load is superseded by the next request; its waiters are released below
    } finally {
      this.busy = false;
      const released = this.waiters.filter((w) => w.key <= key);
      this.waiters = this.waiters.filter((w) => w.key > key);
      for (const waiter of released) waiter.resolve();
      const next = this.queued;
      this.queued = null;
      if (next) void this.run(next.key, next.target);
    }
  }
}
