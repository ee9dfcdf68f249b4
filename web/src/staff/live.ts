/**
 * The live view (`/sessions/{id}/live`): the candidate's workspace as they type, read only,
 * with their caret and selection; runs and verdicts as they happen; the assistant
 * conversation; focus and paste signals; the interviewer's private notes (staff `note`
 * events sent over the channel, which the server never forwards to the candidate).
 *
 * It joins the session's live channel as staff with the sign-in cookie (no credential in
 * the page) and reuses the room's pieces: the Channel (resume on reconnect), FileSync (each
 * file applied in version order, exactly as the room does) and the editor setup.
 */
import "./apps.css";

import { EditorView } from "@codemirror/view";

import { Channel, type ChannelState } from "../channel";
import { $, el } from "../dom";
import { languageMode, modeFor } from "../editor";
import { verdict } from "../panels/output";
import { Timer } from "../panels/timer";
import type { ClientEvent, ClientMessage, ServerMessage, StoredEvent } from "../protocol";
import { FileSync, applyFileEvent, type SyncHost } from "../sync";
import { toUtf16 } from "../text";
import { StaffApi } from "./http";
import { formatMs, runTone, type Marker, type Timeline } from "./timeline";
import { setPeer, viewerExtensions } from "./viewer";
import { VoiceFeed } from "../voice/feed";
import { VOICE_EVENT_TYPES, VOICE_TYPES, loadVoice, voiceLine, type Page } from "../voice/log";

type Execution = { id: string; status: string | null; state: string; passed: number; total: number; mode: string | null; created_at?: string };
type AssistantMessage = { id: string; role: string; content: string };
type PendingNote = { id: string; text: string };

/** Event types the history shows from the timeline's markers (the rest come only live). */
const FROM_TIMELINE = new Set(["paste", "note"]);


export class LiveView implements SyncHost {
  readonly clientId = `s${Math.random().toString(36).slice(2, 10)}`;
  private counter = 0;
  readonly files = new Map<string, FileSync>();
  private readonly peers = new Map<string, { offset: number; end: number | null }>();
  private activePath: string | null = null;
  private readonly view: EditorView;
  private readonly channel: Channel;
  private readonly timer = new Timer();
  private readonly seen = new Set<number>();
  private readonly runs = new Map<string, HTMLElement>();
  private readonly notes = new Map<string, PendingNote>();
  private blurAt: number | null = null;
  private ended = false;
  /** The voice interview: both speakers' lines, commands, reply latencies. */
  private readonly voice = new VoiceFeed($("#live-voice"));

  constructor(private readonly api: StaffApi) {
    this.view = new EditorView({ parent: $("#live-editor") });
    // an empty token: no bearer subprotocol credential, the server reads the sign-in cookie
    this.channel = new Channel(api.sessionId, null, this.clientId, {
      message: (message) => this.receive(message),
      state: (state, code) => this.channelChanged(state, code),
      opened: () => this.resendNotes(),
    });
    const form = $("#live-note-form") as HTMLFormElement;
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.addNote();
    });
    $("#live-note").addEventListener("keydown", (event: KeyboardEvent) => {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        this.addNote();
      }
    });
  }

  start(): void {
    this.channel.connect();
    void this.loadHistory();
  }

  // ---- SyncHost: the viewer never types, so it never sends ----------------------------

  nextId(): string {
    this.counter += 1;
    return `${this.clientId}-${this.counter}`;
  }

  send(): boolean {
    return false;
  }

  changed(): void {}

  report(text: string): void {
    this.notify(text);
  }

  resync(sync: FileSync): void {
    const path = sync.path.split("/").filter(Boolean).map(encodeURIComponent).join("/");
    this.api
      .json<{ content: string; version: number }>(`${this.api.base}/files/${path}`)
      .then((file) => sync.reset(file.content, file.version))
      .catch(() => this.notify(`Could not reload ${sync.path}`));
  }

  // ---- what happened before this page opened -------------------------------------------

  /** Runs, the conversation and the signals so far (the channel brings what follows). */
  private async loadHistory(): Promise<void> {
    void this.loadVoice();
    const [executions, conversation, timeline] = await Promise.all([
      this.api.json<{ executions: Execution[] }>(`/api/v1/sessions/${encodeURIComponent(this.api.sessionId)}/executions?limit=50`).catch(() => null),
      this.api.json<{ messages: AssistantMessage[] }>(`${this.api.base}/assistant/messages`).catch(() => null),
      this.api.json<Timeline>(`${this.api.base}/timeline`).catch(() => null),
    ]);
    for (const run of [...(executions?.executions ?? [])].reverse()) {
      this.showRun(run.id, run.mode, run.status, run.passed, run.total, run.state !== "finished" && !run.status, null, true);
    }
    for (const message of conversation?.messages ?? []) this.showAi(message.role, message.content, null, true);
    if (timeline) {
      const items: { t: number; node: () => void }[] = [];
      for (const marker of timeline.markers) {
        if (this.seen.has(marker.seq)) continue;
        if (marker.kind === "paste" || marker.kind === "large_insert" || marker.kind === "rewrite" || marker.kind === "note") {
          this.seen.add(marker.seq);
          items.push({ t: marker.t_ms, node: () => this.feedMarker(marker) });
        }
      }
      for (const span of timeline.away) {
        items.push({ t: span.start_ms, node: () => this.feed("away", span.start_ms, `Left the tab for ${seconds(span.end_ms - span.start_ms)}`, true) });
      }
      items.sort((a, b) => a.t - b.t).forEach((item) => item.node());
    }
  }

  /** What was said before this page opened (the log has it; the channel brings the rest). */
  private async loadVoice(): Promise<void> {
    const lines = await loadVoice((from) => this.api.json<Page>(`${this.api.base}/events?from_seq=${from}&limit=5000&types=${VOICE_TYPES}`)).catch(() => []);
    this.voice.add(lines);
  }

  private feedMarker(marker: Marker): void {
    if (marker.kind === "note") this.feed("note", marker.t_ms, marker.text ?? "", true, marker.source ?? null);
    else if (marker.kind === "paste") this.feed("paste", marker.t_ms, `Pasted ${marker.size ?? 0} characters${marker.flagged ? " (flagged)" : ""}`, true);
    else this.feed("paste", marker.t_ms, `${marker.kind === "rewrite" ? "Rewrote" : "Inserted"} ${marker.size ?? 0} characters without typing${marker.file ? ` in ${marker.file}` : ""}`, true);
  }

  // ---- the channel -----------------------------------------------------------------------

  private receive(message: ServerMessage): void {
    switch (message.type) {
      case "welcome":
        this.welcome(message.workspace);
        this.session(message.session.status, message.session.deadline_at, message.session.seconds_left);
        return;
      case "file-operation":
        this.fileEvent(message.event);
        return;
      case "event":
        this.event(message.seq, message.t_ms, message.event, message.source);
        return;
      case "ack":
        this.ack(message.re, message.results);
        return;
      case "presence":
        this.presence(message.participants);
        return;
      case "session":
        this.session(message.status, message.deadline_at, message.seconds_left);
        return;
      case "error":
        if (message.re && this.notes.has(message.re)) this.notify(`The note was not saved: ${message.detail}`);
        else this.notify(message.detail);
        return;
      default:
        return;
    }
  }

  private welcome(workspace: Record<string, { content: string; version: number }> | undefined): void {
    if (!workspace) return; // resumed: the backfill follows
    for (const [path, file] of Object.entries(workspace)) {
      const known = this.files.get(path);
      if (known) known.welcome(file.content, file.version);
      else this.addFile(path, file.content, file.version);
    }
    for (const path of [...this.files.keys()]) if (!(path in workspace)) this.dropFile(path);
    if (!this.activePath || !this.files.has(this.activePath)) this.open([...this.files.keys()].sort()[0] ?? "");
    this.renderTabs();
  }

  private fileEvent(event: StoredEvent): void {
    applyFileEvent(this, event);
    const path = event.file ?? "";
    if (event.type === "edit" && path !== this.activePath && this.files.has(path)) this.open(path);
    if (!this.activePath && this.files.size) this.open([...this.files.keys()].sort()[0]);
    this.drawPeer();
    this.renderTabs();
  }

  private event(seq: number, t: number, event: StoredEvent, source: string): void {
    if (VOICE_EVENT_TYPES.has(event.type)) {
      const line = voiceLine({ ...event, seq, t_ms: t, type: event.type });
      if (line) this.voice.add([line]);
      return;
    }
    if (FROM_TIMELINE.has(event.type)) {
      // the history read from /timeline may hold it already (it raced the channel)
      if (this.seen.has(seq)) return;
      this.seen.add(seq);
    }
    switch (event.type) {
      case "cursor":
      case "selection":
        if (source !== "candidate") return;
        this.peers.set(event.file ?? "", { offset: Number(event.offset ?? 0), end: event.end === undefined || event.end === null ? null : Number(event.end) });
        if (event.file && event.file !== this.activePath && this.files.has(event.file)) this.open(event.file);
        this.drawPeer();
        return;
      case "blur":
        this.blurAt = t;
        this.feed("away", t, "Left the tab…", false);
        return;
      case "focus":
        this.feed("back", t, this.blurAt === null ? "Came back to the tab" : `Came back after ${seconds(t - this.blurAt)}`, false);
        this.blurAt = null;
        return;
      case "paste":
        this.feed("paste", t, `Pasted ${Number(event.size ?? 0)} characters${event.file ? ` in ${event.file}` : ""}`, false);
        return;
      case "note":
        this.feed("note", t, str(event.text), false, source);
        return;
      case "execution_requested":
        this.showRun(String(event.execution_id), (event.mode as string | null) ?? null, null, 0, 0, true, t, false);
        return;
      case "execution_result":
        this.showRun(String(event.execution_id), (event.mode as string | null) ?? null, (event.status as string | null) ?? null, Number(event.passed ?? 0), Number(event.total ?? 0), false, t, false);
        return;
      case "ai_interaction":
        this.showAi(str(event.role), str(event.content), t, false);
        return;
      case "session_ended":
        this.end(String(event.status ?? "completed"));
        return;
      default:
        return;
    }
  }

  private channelChanged(state: ChannelState, code?: number): void {
    const node = $("#live-connection");
    node.dataset.state = state;
    node.textContent = state === "open" ? "Live" : state === "connecting" ? "Connecting…" : "Offline";
    if (code === 4410) this.end("ended");
    else if (code === 4401) this.fatal("Your sign-in ended. Sign in again to keep watching.");
    else if (code === 4404) this.fatal("This session does not exist.");
  }

  // ---- files -----------------------------------------------------------------------------

  addFile(path: string, content: string, version: number): void {
    const sync = new FileSync(path, content, version, this, () => viewerExtensions(path, "Candidate's code"));
    this.files.set(path, sync);
    modeFor(path)
      .then((mode) => sync.reconfigure(languageMode.reconfigure(mode)))
      .catch(() => undefined);
  }

  dropFile(path: string): void {
    const sync = this.files.get(path);
    if (!sync) return;
    if (this.activePath === path) {
      sync.attach(null);
      this.activePath = null;
    }
    this.files.delete(path);
  }

  moveFile(from: string, to: string, version: number | undefined): void {
    const sync = this.files.get(from);
    if (!sync) return;
    this.files.delete(from);
    sync.path = to;
    if (version !== undefined) sync.version = version;
    this.files.set(to, sync);
    if (this.activePath === from) this.activePath = to;
  }

  private open(path: string): void {
    const sync = this.files.get(path);
    if (!sync || path === this.activePath) return;
    this.files.get(this.activePath ?? "")?.attach(null);
    this.activePath = path;
    sync.attach(this.view);
    this.drawPeer();
    this.renderTabs();
  }

  private renderTabs(): void {
    const tabs = [...this.files.keys()].sort().map((path) => {
      const tab = el("button", { type: "button", class: "file-tab", role: "tab", "aria-selected": String(path === this.activePath), "data-path": path }, path.replace(/^\//, ""));
      tab.addEventListener("click", () => this.open(path));
      return tab;
    });
    $("#live-files").replaceChildren(...tabs);
  }

  /** The candidate's caret and selection on the shown file (code points -> UTF-16). */
  private drawPeer(): void {
    const path = this.activePath;
    const peer = path ? this.peers.get(path) : undefined;
    if (!path || !peer) {
      this.view.dispatch({ effects: setPeer.of(null) });
      return;
    }
    const text = this.view.state.doc.toString();
    const head = toUtf16(text, peer.offset);
    const anchor = peer.end === null ? head : toUtf16(text, peer.end);
    this.view.dispatch({ effects: setPeer.of({ anchor, head }) });
  }

  // ---- panels ----------------------------------------------------------------------------

  private showRun(id: string, mode: string | null, status: string | null, passed: number, total: number, running: boolean, t: number | null, history: boolean): void {
    let row = this.runs.get(id);
    if (!row) {
      row = el("li", { class: "run-row", "data-testid": "live-run" });
      this.runs.set(id, row);
      $("#live-runs").prepend(row);
    }
    const tone = running ? "running" : runTone(status);
    const badge = el("span", { class: `badge verdict ${tone}`, "data-status": status ?? "" }, running ? "Running…" : verdict(status));
    const when = t === null ? (history ? "earlier" : "") : formatMs(t);
    row.replaceChildren(
      el("span", { class: "when" }, when),
      el("span", { class: "mode" }, mode === "submit" ? "Submit" : "Run"),
      badge,
      el("span", { class: "counts" }, total ? `${passed}/${total}` : ""),
    );
    if (t === null && row.dataset.t) return;
    if (t !== null) row.dataset.t = String(t);
  }

  private showAi(role: string, content: string, t: number | null, history: boolean): void {
    const list = $("#live-ai");
    const item = el("li", { class: `ai-turn ${role}` }, el("span", { class: "who" }, role === "user" ? "Candidate" : role === "assistant" ? "Assistant" : role), el("span", { class: "when" }, t === null ? "" : formatMs(t)), el("p", {}, content));
    list.append(item);
    if (!history) list.scrollTop = list.scrollHeight;
  }

  private feed(kind: string, t: number, text: string, history: boolean, source: string | null = null): void {
    const list = $("#live-feed");
    const item = el("li", { class: `feed-item ${kind}`, "data-kind": kind }, el("span", { class: "when" }, formatMs(t)), el("span", { class: "what" }, kind === "note" && source ? `Note: ${text}` : text));
    list.append(item);
    if (!history) list.scrollTop = list.scrollHeight;
  }

  private presence(participants: { connection_id: string; role: string }[]): void {
    const candidates = participants.filter((p) => p.role === "candidate").length;
    const node = $("#live-presence");
    node.textContent = candidates ? "Candidate connected" : "Candidate not connected";
    node.dataset.state = candidates ? "on" : "off";
  }

  private session(status: string, deadline: string | null, secondsLeft: number | null): void {
    this.timer.set(deadline, secondsLeft);
    const node = $("#live-status");
    node.textContent = status;
    node.dataset.status = status;
    if (status !== "active" && status !== "created") this.end(status);
  }

  private end(status: string): void {
    if (this.ended) return;
    this.ended = true;
    const node = $("#live-status");
    node.textContent = status === "ended" ? "ended" : status;
    node.dataset.status = "ended";
    ($("#live-note-add") as HTMLButtonElement).disabled = true;
    this.notify("The session has ended. Its replay shows everything that happened.", true);
    if (!this.files.size) void this.showFinal();
  }

  /** An ended session's channel closes before any workspace: show its files as they ended. */
  private async showFinal(): Promise<void> {
    try {
      const final = await this.api.json<{ files: Record<string, string> }>(`${this.api.base}/replay?at_ms=${10 ** 12}`);
      if (this.files.size) return;
      for (const [path, content] of Object.entries(final.files)) this.addFile(path, content, 0);
      this.open([...this.files.keys()].sort()[0] ?? "");
    } catch {
      // no recording yet: nothing to show
    }
  }

  // ---- notes -----------------------------------------------------------------------------

  private addNote(): void {
    const input = $("#live-note") as HTMLTextAreaElement;
    const text = input.value.trim();
    if (!text || this.ended) return;
    const note: PendingNote = { id: this.nextId(), text };
    this.notes.set(note.id, note);
    input.value = "";
    this.sendNote(note);
    this.renderPending();
  }

  private sendNote(note: PendingNote): void {
    const event: ClientEvent = { type: "note", text: note.text, ts: Date.now() };
    // the protocol's ClientEvent names the candidate's events; staff may also send `note`
    const message: ClientMessage = { type: "event", id: note.id, events: [event] };
    this.channel.send(message); // offline: sent again (same id, stored once) on reconnect
  }

  private resendNotes(): void {
    for (const note of this.notes.values()) this.sendNote(note);
  }

  private ack(re: string, results: { status: string; reason?: string }[]): void {
    const note = this.notes.get(re);
    if (!note) return;
    this.notes.delete(re);
    const refused = results.find((r) => r.status === "rejected");
    if (refused) {
      this.notify(`The note was not saved: ${refused.reason ?? "rejected"}`);
      const input = $("#live-note") as HTMLTextAreaElement;
      if (!input.value) input.value = note.text;
    }
    this.renderPending();
  }

  private renderPending(): void {
    const node = $("#live-note-state");
    node.textContent = this.notes.size ? `Saving ${this.notes.size} note${this.notes.size > 1 ? "s" : ""}…` : "";
  }

  // ---- messages --------------------------------------------------------------------------

  private notify(text: string, sticky = false): void {
    const node = $("#live-notice");
    node.textContent = text;
    node.hidden = false;
    if (!sticky) window.setTimeout(() => (node.hidden = node.textContent !== text), 6000);
  }

  private fatal(text: string): void {
    this.notify(text, true);
  }
}

function str(value: unknown): string {
  return typeof value === "string" ? value : "";
}

function seconds(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return s < 120 ? `${s} s` : `${Math.round(s / 60)} min`;
}

function boot(): void {
  const root = document.getElementById("live");
  if (!root) return;
  const live = new LiveView(new StaffApi(root.dataset.sessionId ?? ""));
  live.start();
}

boot();
