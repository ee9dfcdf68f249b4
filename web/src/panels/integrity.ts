/**
 * Integrity signals the room records (and tells the candidate about): the page gaining
 * and losing focus, pastes (their size only, never their text), and the cursor, at most
 * four times a second. They are sent as `event` messages; while offline a bounded queue
 * keeps them for the reconnect.
 */
import type { ClientEvent } from "../protocol";

const CURSOR_INTERVAL_MS = 250;
const QUEUE_LIMIT = 200;

export class Signals {
  private queue: ClientEvent[] = [];
  private cursorTimer: number | undefined;
  private lastCursorAt = 0;
  private pendingCursor: ClientEvent | null = null;

  constructor(private readonly sendEvents: (events: ClientEvent[]) => boolean) {
    window.addEventListener("focus", () => this.push({ type: "focus", ts: Date.now() }));
    window.addEventListener("blur", () => this.push({ type: "blur", ts: Date.now() }));
    document.addEventListener("visibilitychange", () =>
      this.push({ type: document.visibilityState === "hidden" ? "blur" : "focus", ts: Date.now() }),
    );
  }

  paste(file: string | undefined, size: number): void {
    this.push({ type: "paste", file, size, ts: Date.now() });
  }

  /** The cursor or selection moved: sent at most every 250 ms, the latest one wins. */
  cursor(file: string, offset: number, end: number | null): void {
    this.pendingCursor =
      end === null || end === offset
        ? { type: "cursor", file, offset, ts: Date.now() }
        : { type: "selection", file, offset, end, ts: Date.now() };
    const wait = this.lastCursorAt + CURSOR_INTERVAL_MS - Date.now();
    if (this.cursorTimer !== undefined) return;
    this.cursorTimer = window.setTimeout(() => {
      this.cursorTimer = undefined;
      this.lastCursorAt = Date.now();
      if (this.pendingCursor) this.push(this.pendingCursor);
      this.pendingCursor = null;
    }, Math.max(0, wait));
  }

  private push(event: ClientEvent): void {
    this.queue.push(event);
    if (this.queue.length > QUEUE_LIMIT) this.queue.splice(0, this.queue.length - QUEUE_LIMIT);
    this.flush();
  }

  /** Send what is queued (called again on reconnect). */
  flush(): void {
    if (!this.queue.length) return;
    if (this.sendEvents(this.queue)) this.queue = [];
  }
}
