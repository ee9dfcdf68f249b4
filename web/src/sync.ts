/**
 * One file's editing protocol (docs/live-protocol.md, "Edits, versions and conflicts").
 *
 * The editor state carries @codemirror/collab: every local transaction is one unconfirmed
 * update. What is unconfirmed when we send goes as ONE `edit` op (the updates composed,
 * sent as the one replacement spanning them): one message, one op, one server version.
 * One op per message because an op is computed on the document its predecessors made: if
 * the first of several ops were rejected, the next could still match the file's version
 * and be stored out of context. At most one message per file is in flight; what is typed
 * meanwhile waits and goes in the next one.
 *
 * The server's events for the file are applied in version order: our own (recognised by
 * the id prefix `<clientId>-`) confirm the oldest unconfirmed update; anyone else's are
 * remote updates that collab rebases our unconfirmed work over. A `version_mismatch`
 * rejection waits for the events that moved the file on, then re-sends the rebased work.
 * After a reconnect the in-flight message is re-sent with the same id (the server answers
 * `duplicate` for what it stored): nothing typed is lost and nothing is stored twice.
 */
import { collab, getSyncedVersion, receiveUpdates, sendableUpdates, type Update } from "@codemirror/collab";
import { ChangeSet, EditorState, Text, type Extension, type StateEffect, type Transaction } from "@codemirror/state";
import type { EditorView } from "@codemirror/view";

import type { EditOp, OpResult, StoredEvent } from "./protocol";
import { lineDiff, singleDiff, toCodePoints, toUtf16 } from "./text";

/** What a FileSync needs from the room: the channel, ids, and how to report. */
export interface SyncHost {
  readonly clientId: string;
  nextId(): string;
  /** Send now; false when offline (the message will be re-sent on reconnect). */
  send(message: { type: "file-operation"; id: string; ops: EditOp[] }): boolean;
  changed(): void;
  report(text: string): void;
  /** Reload the file from the server; `keepLocal`: then re-apply this tab's text over it. */
  resync(sync: FileSync, keepLocal: boolean): void;
}

interface Inflight {
  id: string;
  ops: EditOp[];
  /** The unconfirmed updates the op carries: its echo confirms all of them. */
  updates: readonly Update[];
  /** Indices the server answered; `null` until the ack arrives. */
  results: OpResult[] | null;
  /** Indices whose stored event we saw in the stream. */
  echoed: Set<number>;
}

/** Waiting for the server's view of the file after a fresh (non-resumed) welcome. */
interface PendingWelcome {
  content: string;
  version: number;
  queued: StoredEvent[];
}

const REMOTE = "remote";
const MISMATCH_FALLBACK_MS = 2000;
const RETRY_MS = 3000;

export function textOf(content: string): Text {
  return Text.of(content.split("\n"));
}

export class FileSync {
  private state: EditorState;
  /** The document at `version`: what the server holds (our confirmed work included). */
  private confirmed: Text;
  version: number;
  private inflight: Inflight | null = null;
  private waitAbove: number | null = null;
  private waitTimer: ReturnType<typeof setTimeout> | undefined;
  private pendingWelcome: PendingWelcome | null = null;
  view: EditorView | null = null;

  constructor(
    public path: string,
    content: string,
    version: number,
    private readonly host: SyncHost,
    private readonly extensions: () => Extension,
  ) {
    this.version = version;
    this.confirmed = textOf(content);
    this.state = this.freshState(content, version);
  }

  private freshState(content: string, version: number): EditorState {
    return EditorState.create({
      doc: textOf(content),
      extensions: [
        EditorState.lineSeparator.of("\n"),
        collab({ startVersion: version, clientID: this.host.clientId }),
        this.extensions(),
      ],
    });
  }

  /** The current state (the view's while this file is shown). */
  get current(): EditorState {
    return this.view ? this.view.state : this.state;
  }

  /** Attach to (or detach from) the editor view that shows this file. */
  attach(view: EditorView | null): void {
    if (this.view) this.state = this.view.state;
    this.view = view;
    if (view) view.setState(this.state);
  }

  /** The view reports its transactions here when this file is shown. */
  local(transaction: Transaction): void {
    if (!this.view) this.state = transaction.state;
    if (transaction.docChanged && !this.receiving) this.flush();
  }

  /** True while the server's events are applied (their transactions are not ours). */
  private receiving = false;

  get text(): string {
    return this.current.doc.sliceString(0, this.current.doc.length, "\n");
  }

  get dirty(): boolean {
    return this.inflight !== null || sendableUpdates(this.current).length > 0;
  }

  private dispatch(transaction: Transaction): void {
    this.receiving = true;
    try {
      if (this.view) this.view.dispatch(transaction);
      else this.state = transaction.state;
    } finally {
      this.receiving = false;
    }
  }

  /** Change the configuration (the language mode, once loaded): not an edit. */
  reconfigure(effects: StateEffect<unknown>): void {
    this.dispatch(this.current.update({ effects }));
  }

  /** Send the unconfirmed updates not yet in flight (one message at a time). */
  flush(): void {
    if (this.inflight || this.waitAbove !== null || this.pendingWelcome) return;
    const updates = sendableUpdates(this.current);
    if (updates.length === 0) {
      this.host.changed();
      return;
    }
    const changes = updates.slice(1).reduce((all, u) => all.compose(u.changes), updates[0].changes);
    if (changes.empty) {
      // typed and undone before it was sent: nothing to store, confirm it here
      this.dispatch(receiveUpdates(this.current, this.own(updates)));
      this.host.changed();
      return;
    }
    const ops = [this.opOf(changes, this.confirmed, this.version)];
    this.inflight = { id: this.host.nextId(), ops, updates, results: null, echoed: new Set() };
    this.host.send({ type: "file-operation", id: this.inflight.id, ops });
    this.host.changed();
  }

  /** Updates as collab's `receiveUpdates` takes our own. */
  private own(updates: readonly Update[]): Update[] {
    return updates.map((u) => ({ changes: u.changes, clientID: this.host.clientId }));
  }

  /** One replacement spanning every range of `changes`, in code points of `doc`. */
  private opOf(changes: ChangeSet, doc: Text, baseVersion: number): EditOp {
    let fromA = Infinity, toA = -1, fromB = Infinity, toB = -1;
    changes.iterChangedRanges((a0, a1, b0, b1) => {
      fromA = Math.min(fromA, a0);
      toA = Math.max(toA, a1);
      fromB = Math.min(fromB, b0);
      toB = Math.max(toB, b1);
    });
    if (toA < 0) [fromA, toA, fromB, toB] = [0, 0, 0, 0];
    const after = changes.apply(doc);
    const prefix = doc.sliceString(0, fromA, "\n");
    return {
      op: "edit",
      file: this.path,
      offset: toCodePoints(prefix, prefix.length),
      delete: toCodePoints(doc.sliceString(fromA, toA, "\n"), toA - fromA),
      insert: after.sliceString(fromB, toB, "\n"),
      base_version: baseVersion,
    };
  }

  /** Re-send the message in flight with its original id (after a reconnect). */
  resend(): void {
    if (this.inflight) {
      this.inflight.results = null;
      this.host.send({ type: "file-operation", id: this.inflight.id, ops: this.inflight.ops });
    } else {
      this.flush();
    }
  }

  /** The server's answer to one of our messages. */
  ack(id: string, results: OpResult[]): void {
    const inflight = this.inflight;
    if (!inflight || inflight.id !== id) return;
    inflight.results = results;
    if (this.pendingWelcome) this.settleWelcome(inflight);
    const rejected = results.findIndex((r) => r.status === "rejected");
    if (rejected >= 0) {
      const reason = results[rejected].reason ?? "rejected";
      if (!reason.startsWith("version_mismatch")) {
        this.inflight = null;
        this.host.report(`${this.path}: ${reason}; reloading the file from the server`);
        this.host.resync(this, false);
        return;
      }
      // the file moved on: wait for those events (unless they came before this answer),
      // then send the rebased work again
      const base = inflight.ops[rejected].base_version;
      if (this.version <= base) {
        this.waitAbove = base;
        globalThis.clearTimeout(this.waitTimer);
        this.waitTimer = globalThis.setTimeout(() => this.stopWaiting(), MISMATCH_FALLBACK_MS);
      }
    }
    this.complete();
  }

  /**
   * The server answered our message with an error instead of an ack (it stored nothing):
   * try the same message again a little later; the room shows the error meanwhile.
   */
  failed(id: string): void {
    if (this.inflight?.id !== id) return;
    globalThis.clearTimeout(this.retryTimer);
    this.retryTimer = globalThis.setTimeout(() => this.resend(), RETRY_MS);
  }

  private retryTimer: ReturnType<typeof setTimeout> | undefined;

  private stopWaiting(): void {
    this.waitAbove = null;
    this.flush();
  }

  /** The in-flight message is done once answered and every stored op came back. */
  private complete(): void {
    const inflight = this.inflight;
    if (!inflight || !inflight.results) return;
    const waiting = inflight.results.some(
      (r, i) => r.status !== "rejected" && !inflight.echoed.has(i) && (r.version ?? 0) > this.version,
    );
    if (waiting) return;
    this.inflight = null;
    this.flush();
  }

  /** A stored event that touches this file, in seq order. */
  receive(event: StoredEvent): void {
    if (this.pendingWelcome) {
      this.pendingWelcome.queued.push(event);
      return;
    }
    if (event.version !== undefined && event.version <= this.version) return; // seen
    try {
      if (event.type === "edit") this.receiveEdit(event);
      else if (event.type === "file_written") this.replaceWith(event.content ?? "");
    } catch (error) {
      // our copy and the server's disagree (a bug somewhere): take the server's
      this.host.report(`${this.path}: out of step with the server (${String(error)}); reloading it`);
      this.host.resync(this, true);
      return;
    }
    if (event.version !== undefined) this.version = event.version;
    if (this.waitAbove !== null && this.version > this.waitAbove) {
      globalThis.clearTimeout(this.waitTimer);
      this.waitAbove = null;
    }
    this.complete();
    this.flush();
  }

  private receiveEdit(event: StoredEvent): void {
    const own = this.ownIndex(event.id);
    const before = this.confirmed.sliceString(0, this.confirmed.length, "\n");
    const from = toUtf16(before, event.offset ?? 0);
    const to = from + toUtf16(before.slice(from), event.delete ?? 0);
    const changes = ChangeSet.of({ from, to, insert: event.insert ?? "" }, this.confirmed.length, "\n");
    this.confirmed = changes.apply(this.confirmed);
    if (own !== null && this.inflight) {
      this.inflight.echoed.add(own);
      this.dispatch(receiveUpdates(this.current, this.own(this.inflight.updates)));
    } else {
      this.dispatch(receiveUpdates(this.current, [{ changes, clientID: REMOTE }]));
    }
  }

  /** The op index of an event we sent in the message now in flight, else null. */
  private ownIndex(id: string | null | undefined): number | null {
    if (!id || !this.inflight || !id.startsWith(`${this.inflight.id}:`)) return null;
    const index = Number(id.slice(this.inflight.id.length + 1));
    return Number.isInteger(index) ? index : null;
  }

  /** A whole-file write: applied as the change it makes, so local work rebases over it. */
  private replaceWith(content: string): void {
    const before = this.confirmed.sliceString(0, this.confirmed.length, "\n");
    const changes = ChangeSet.of(lineDiff(before, content), this.confirmed.length, "\n");
    this.confirmed = changes.apply(this.confirmed);
    this.dispatch(receiveUpdates(this.current, [{ changes, clientID: REMOTE }]));
  }

  /**
   * A fresh welcome (the server could not resume us) says the file is `content` at
   * `version`. With nothing in flight that is a whole-file write; with a message in flight
   * we re-send it first and settle once its ack says which of its ops were stored.
   */
  welcome(content: string, version: number): void {
    if (version === this.version && !this.inflight) return;
    if (!this.inflight) {
      this.replaceWith(content);
      this.version = version;
      this.flush();
      return;
    }
    this.pendingWelcome = { content, version, queued: [] };
  }

  private settleWelcome(inflight: Inflight): void {
    const pending = this.pendingWelcome;
    if (!pending || !inflight.results) return;
    this.pendingWelcome = null;
    inflight.results.forEach((result, index) => {
      if (result.status !== "duplicate" || inflight.echoed.has(index)) return;
      // stored before this connection: confirm it as if its event had come back
      const op = inflight.ops[index];
      this.receiveEdit({ type: "edit", id: `${inflight.id}:${index}`, ...op });
      this.version = result.version ?? this.version + 1;
    });
    if (this.version < pending.version) {
      this.replaceWith(pending.content);
      this.version = pending.version;
    }
    for (const event of pending.queued) this.receive(event);
  }

  /**
   * Start again from the server's copy (after a rejection we cannot rebase). With
   * `local`, that text is then typed over it as one local change, so nothing is lost.
   */
  reset(content: string, version: number, local: string | null = null): void {
    this.inflight = null;
    this.waitAbove = null;
    this.pendingWelcome = null;
    this.version = version;
    this.confirmed = textOf(content);
    this.state = this.freshState(content, version);
    if (this.view) this.view.setState(this.state);
    if (local !== null && local !== content) {
      const changes = singleDiff(content, local);
      if (this.view) this.view.dispatch({ changes });
      else this.state = this.state.update({ changes }).state;
    }
    this.flush();
  }

  /** collab's own count, exposed for tests and debugging. */
  get syncedVersion(): number {
    return getSyncedVersion(this.current);
  }
}

/** What applying a stored workspace event needs of a page that holds the files. */
export interface FileSet {
  readonly files: Map<string, FileSync>;
  addFile(path: string, content: string, version: number): unknown;
  moveFile(from: string, to: string, version: number | undefined): void;
  dropFile(path: string): void;
}

/**
 * Applies one stored workspace event (a `file-operation` message's event) to `set`: the
 * room and the interviewer's live view keep their files the same way, each then doing
 * what its page needs (opening the file, redrawing).
 */
export function applyFileEvent(set: FileSet, event: StoredEvent): void {
  const path = event.file ?? "";
  switch (event.type) {
    case "file_created":
      if (!set.files.has(path)) set.addFile(path, event.content ?? "", event.version ?? 1);
      break;
    case "file_moved":
      set.moveFile(path, event.to ?? path, event.version);
      break;
    case "file_deleted":
      set.dropFile(path);
      break;
    case "snapshot":
    case "session_started":
      for (const [file, content] of Object.entries(event.files ?? {})) {
        const sync = set.files.get(file);
        if (sync) sync.receive({ type: "file_written", content, version: sync.version + 1 });
        else set.addFile(file, content, 1);
      }
      break;
    default:
      set.files.get(path)?.receive(event);
  }
}
