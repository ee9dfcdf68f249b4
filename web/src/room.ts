/**
 * The candidate room: wires the REST API, the live channel, the editor and the panels.
 * Files live in FileSync objects (sync.ts); the one EditorView shows the active one.
 */
import { EditorView } from "@codemirror/view";

import { ApiError, type Api } from "./api";
import { Channel, type ChannelState } from "./channel";
import { $, el } from "./dom";
import { MAX_PASTE, baseExtensions, languageMode, modeFor } from "./editor";
import { Chat } from "./panels/chat";
import { EnvironmentPanel, type Language } from "./panels/environment";
import { Signals } from "./panels/integrity";
import { OutputPanel } from "./panels/output";
import { renderProblem, type Problem } from "./panels/problem";
import { Timer } from "./panels/timer";
import { FileTree } from "./panels/tree";
import type { ClientMessage, ExecutionResult, FileOp, ServerMessage, StoredEvent } from "./protocol";
import { FileSync, applyFileEvent, type SyncHost } from "./sync";
import { toCodePoints } from "./text";
import { VoicePanel } from "./voice/panel";

type Session = {
  id: string;
  status: string;
  language: string | null;
  deadline_at: string | null;
  part_index: number | null;
  part_count: number | null;
  part_label: string | null;
  problem_title: string | null;
};
type Parts = {
  parts: { number: number; label: string; ended_at: string | null }[];
  current: { number: number; file: string } | null;
  has_next: boolean;
};

const EXTENSIONS: Record<string, string> = { python: "py", javascript: "js", java: "java", cpp: "cpp" };
const RUN_SETTLE_MS = 5000;

export class Room implements SyncHost {
  readonly clientId = `c${Math.random().toString(36).slice(2, 10)}`;
  private counter = 0;
  readonly files = new Map<string, FileSync>();
  private activePath: string | null = null;
  private readonly view: EditorView;
  private readonly channel: Channel;
  private readonly tree: FileTree;
  private readonly output = new OutputPanel();
  private readonly timer = new Timer();
  private readonly signals: Signals;
  private readonly chat: Chat;
  private readonly environment = new EnvironmentPanel();
  private readonly voice: VoicePanel;
  private channelState: ChannelState = "connecting";
  private structural = new Map<string, ClientMessage>();
  private runs = new Map<string, (result: ExecutionResult | null, error?: string) => void>();
  private problem: Problem | null = null;
  private partNumber: number | null = null;
  private languages: Language[] = [];
  private language: string | null = null;
  private ended = false;

  /** `micWorklet`: the URL of the microphone's AudioWorklet module (build.mjs). */
  constructor(private readonly api: Api, token: string, micWorklet: string) {
    this.view = new EditorView({
      parent: $("#editor"),
      dispatchTransactions: (transactions, view) => {
        view.update(transactions);
        const sync = this.active;
        for (const tr of transactions) {
          sync?.local(tr);
          if (sync && tr.selection && !tr.docChanged) this.reportCursor(sync);
        }
      },
    });
    this.view.contentDOM.addEventListener("paste", (event: ClipboardEvent) => {
      const pasted = event.clipboardData?.getData("text/plain") ?? "";
      this.signals.paste(this.activePath ?? undefined, toCodePoints(pasted, pasted.length));
    });
    this.channel = new Channel(api.sessionId, token, this.clientId, {
      message: (message) => this.receive(message),
      state: (state, code) => this.channelChanged(state, code),
      opened: () => this.resendAll(),
      audio: (frame) => this.voice.audio(frame),
    });
    this.signals = new Signals((events) => this.send({ type: "event", id: this.nextId(), events }));
    this.tree = new FileTree({
      files: () => [...this.files.keys()],
      active: () => this.activePath,
      open: (path) => this.open(path, true),
      create: (path) => this.structure({ op: "create", file: path, content: "" }),
      rename: (path, to) => this.structure({ op: "rename", file: path, to, base_version: this.files.get(path)?.version }),
      remove: (path) => this.structure({ op: "delete", file: path, base_version: this.files.get(path)?.version }),
    });
    this.chat = new Chat(api);
    this.voice = new VoicePanel(
      { send: (message) => this.send(message), sendAudio: (frame) => this.channel.sendBinary(frame), nextId: () => this.nextId() },
      micWorklet,
    );
    $("#run-button").addEventListener("click", () => void this.execute("run"));
    $("#submit-button").addEventListener("click", () => void this.execute("submit"));
    ($("#language") as HTMLSelectElement).addEventListener("change", (event) =>
      this.chooseLanguage((event.target as HTMLSelectElement).value),
    );
    for (const tab of document.querySelectorAll<HTMLButtonElement>("[data-output-tab]")) {
      tab.addEventListener("click", () => this.outputTab(tab.dataset.outputTab ?? "console"));
    }
    // Ctrl/Cmd+Enter runs from anywhere but the chat box (where Enter sends)
    document.addEventListener("keydown", (event) => {
      const chat = event.target instanceof HTMLElement && event.target.id === "chat-input";
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && !chat && !event.defaultPrevented) {
        event.preventDefault();
        void this.execute("run");
      }
    });
    window.addEventListener("beforeunload", (event) => {
      if (this.dirty) event.preventDefault();
    });
  }

  // ---- start ----------------------------------------------------------------------

  async start(): Promise<void> {
    this.renderStatus();
    this.channel.connect();
    const [session, problem, languages, parts] = await Promise.all([
      this.api.json<Session>(this.api.base),
      this.api.json<Problem>(`${this.api.base}/problem`).catch((error: unknown) => {
        if (error instanceof ApiError && error.status === 404) return null;
        throw error;
      }),
      this.api.json<{ languages: Language[] }>("/api/v1/languages").catch(() => ({ languages: [] })),
      this.api.json<Parts>(`${this.api.base}/parts`).catch(() => null),
    ]);
    this.languages = languages.languages;
    this.language = session.language;
    this.showProblem(problem, parts, session.problem_title);
    this.timer.set(session.deadline_at);
    this.renderLanguages();
    if (session.status !== "active" && session.status !== "created") this.end(session.status);
    await this.chat.load();
  }

  private showProblem(problem: Problem | null, parts: Parts | null, title: string | null = null): void {
    this.problem = problem;
    this.partNumber = parts?.current?.number ?? problem?.part?.number ?? null;
    $("#session-title").textContent = problem?.title ?? title ?? "Interview";
    if (problem) renderProblem($("#problem"), problem);
    else $("#problem").replaceChildren(el("p", { class: "muted" }, "Your interviewer has not attached a problem yet."));
    this.renderParts(parts);
    const file = parts?.current?.file ?? problem?.part?.file;
    if (file && this.files.has(file)) this.open(file);
  }

  /** The part changed (the candidate moved on, or the interviewer did): show the new one. */
  private async refreshProblem(): Promise<void> {
    const [problem, parts] = await Promise.all([
      this.api.json<Problem>(`${this.api.base}/problem`).catch(() => null),
      this.api.json<Parts>(`${this.api.base}/parts`).catch(() => null),
    ]);
    this.showProblem(problem, parts);
    this.renderLanguages();
  }

  private async nextPart(): Promise<void> {
    if (!window.confirm("Submit this part as it is and move on to the next one? You cannot come back to it.")) return;
    try {
      await this.saved(this.active ?? undefined);
      await this.api.post<Parts>(`${this.api.base}/parts/next`, {});
      await this.refreshProblem();
    } catch (error) {
      this.notify(error instanceof Error ? error.message : String(error), "bad");
    }
  }

  // ---- SyncHost ---------------------------------------------------------------------

  nextId(): string {
    this.counter += 1;
    return `${this.clientId}-${this.counter}`;
  }

  send(message: ClientMessage): boolean {
    return this.channel.send(message);
  }

  changed(): void {
    this.renderStatus();
  }

  report(text: string): void {
    this.notify(text, "bad");
  }

  resync(sync: FileSync, keepLocal: boolean): void {
    const path = sync.path;
    const local = keepLocal ? sync.text : null;
    this.api
      .json<{ content: string; version: number }>(`${this.api.base}/files/${path.split("/").map(encodeURIComponent).join("/")}`)
      .then((file) => sync.reset(file.content, file.version, local))
      .catch(() => this.notify(`Could not reload ${path}`, "bad"));
  }

  // ---- the channel ------------------------------------------------------------------

  private receive(message: ServerMessage): void {
    switch (message.type) {
      case "welcome":
        this.welcome(message.workspace);
        this.session(message.session.status, message.session.deadline_at, message.session.seconds_left, message.session.current_part);
        return;
      case "file-operation":
        this.fileEvent(message.event);
        return;
      case "event":
        if (message.event.type === "session_ended") this.end(String(message.event.status ?? "completed"));
        return;
      case "ack":
        this.ack(message.re, message.results);
        return;
      case "code-execution":
        if (message.phase === "result") this.runs.get(message.re)?.(message.result ?? null);
        else this.output.progress(message.phase === "queued" ? "Queued…" : "Running…");
        return;
      case "session":
        this.session(message.status, message.deadline_at, message.seconds_left, message.current_part);
        return;
      case "voice":
      case "transcript":
      case "interviewer-speech":
      case "turn":
      case "flush":
        this.voice.receive(message);
        return;
      case "error":
        if (message.re && this.runs.has(message.re)) {
          this.runs.get(message.re)?.(null, message.detail);
          return;
        }
        this.notify(message.detail, "bad");
        if (message.re) {
          this.structural.delete(message.re);
          for (const sync of this.files.values()) sync.failed(message.re);
        }
        this.renderStatus();
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
    for (const path of [...this.files.keys()]) {
      if (!(path in workspace) && !this.files.get(path)?.dirty) this.dropFile(path);
    }
    if (!this.activePath || !this.files.has(this.activePath)) this.open(this.preferredFile());
    this.tree.render();
  }

  private preferredFile(): string {
    const wanted = this.problem?.part?.file;
    if (wanted && this.files.has(wanted)) return wanted;
    const ext = this.language ? EXTENSIONS[this.language] : undefined;
    const byLanguage = [...this.files.keys()].find((p) => ext && p.endsWith(`.${ext}`));
    return byLanguage ?? [...this.files.keys()].sort()[0] ?? "";
  }

  private fileEvent(event: StoredEvent): void {
    applyFileEvent(this, event);
    if (event.type === "file_created" && this.isOwn(event.id)) this.open(event.file ?? "", true);
    this.tree.render();
    this.renderStatus();
  }

  private isOwn(id: string | null | undefined): boolean {
    return Boolean(id && id.startsWith(`${this.clientId}-`));
  }

  private ack(re: string, results: { status: "stored" | "duplicate" | "rejected"; reason?: string; version?: number; seq?: number }[]): void {
    if (this.structural.delete(re)) {
      const refused = results.find((r) => r.status === "rejected");
      if (refused) this.notify(`The file change was refused: ${refused.reason ?? "rejected"}`, "bad");
      this.renderStatus();
      return;
    }
    for (const sync of this.files.values()) sync.ack(re, results);
    this.renderStatus();
  }

  private resendAll(): void {
    for (const [id, message] of this.structural) this.send({ ...message, id } as ClientMessage);
    for (const sync of this.files.values()) sync.resend();
    this.signals.flush();
    this.renderStatus();
  }

  private channelChanged(state: ChannelState, code?: number): void {
    this.channelState = state;
    if (state !== "open") this.voice.channelLost();
    if (code === 4410) this.end("completed");
    else if (code === 4401) this.fatal("Your invite link is no longer valid. Ask your interviewer for a new one.");
    else if (code === 4404) this.fatal("This interview session does not exist.");
    else if (code === 4413) this.notify("The server refused a message as too large and closed the connection; reconnecting.", "bad");
    this.renderStatus();
  }

  // ---- files ------------------------------------------------------------------------

  addFile(path: string, content: string, version: number): FileSync {
    const sync = new FileSync(path, content, version, this, () =>
      baseExtensions(
        path,
        () => void this.execute("run"),
        () => this.ended,
        (size) => this.notify(`That paste is too large: ${size} characters, at most ${MAX_PASTE} at a time.`, "bad"),
      ),
    );
    this.files.set(path, sync);
    modeFor(path)
      .then((mode) => sync.reconfigure(languageMode.reconfigure(mode)))
      .catch(() => undefined); // no highlighting is better than no editor
    return sync;
  }

  dropFile(path: string): void {
    const sync = this.files.get(path);
    if (!sync) return;
    if (this.activePath === path) {
      sync.attach(null);
      this.activePath = null;
    }
    this.files.delete(path);
    if (!this.activePath && this.files.size) this.open(this.preferredFile());
  }

  moveFile(from: string, to: string, version: number | undefined): void {
    const sync = this.files.get(from);
    if (!sync) return;
    this.files.delete(from);
    sync.path = to;
    if (version !== undefined) sync.version = version;
    this.files.set(to, sync);
    if (this.activePath === from) this.activePath = to;
    $("#file-name").textContent = this.activePath ?? "";
  }

  private get active(): FileSync | null {
    return this.activePath ? (this.files.get(this.activePath) ?? null) : null;
  }

  /** Show `path` in the editor (and put the caret there when the candidate asked for it). */
  open(path: string, focus = false): void {
    const sync = this.files.get(path);
    if (focus) window.setTimeout(() => this.view.focus(), 0);
    if (!sync || path === this.activePath) return;
    this.active?.attach(null);
    this.activePath = path;
    sync.attach(this.view);
    $("#file-name").textContent = path;
    this.syncLanguageToFile(path);
    this.tree.render();
  }

  private structure(op: FileOp): void {
    const sync = this.files.get(op.file);
    if (op.op !== "create" && sync?.dirty) {
      this.notify("Wait until your changes are saved, then try again.", "bad");
      return;
    }
    const id = this.nextId();
    const message: ClientMessage = { type: "file-operation", id, ops: [op] };
    this.structural.set(id, message);
    if (!this.send(message)) this.notify("Offline: the change is sent when the connection is back.", "muted");
    this.renderStatus();
  }

  private reportCursor(sync: FileSync): void {
    const range = this.view.state.selection.main;
    const doc = this.view.state.doc;
    const head = toCodePoints(doc.sliceString(0, range.from, "\n"), range.from);
    const end = range.empty ? null : head + toCodePoints(doc.sliceString(range.from, range.to, "\n"), range.to - range.from);
    this.signals.cursor(sync.path, head, end);
  }

  // ---- languages, parts, session ----------------------------------------------------

  private renderLanguages(): void {
    const select = $("#language") as HTMLSelectElement;
    const allowed = this.problem?.languages?.length ? this.problem.languages : this.language ? [this.language] : [];
    const titles = new Map(this.languages.map((l) => [l.name, l.version ? `${l.title} (${l.version})` : l.title]));
    select.replaceChildren(...allowed.map((name) => el("option", { value: name }, titles.get(name) ?? name)));
    select.disabled = allowed.length < 2;
    if (this.activePath) this.syncLanguageToFile(this.activePath);
    this.showEnvironment();
  }

  /** The environment disclosure follows the language shown in the picker. */
  private showEnvironment(): void {
    this.environment.show(this.languages.find((l) => l.name === this.language));
  }

  private syncLanguageToFile(path: string): void {
    const ext = path.slice(path.lastIndexOf(".") + 1);
    const language = Object.entries(EXTENSIONS).find(([, e]) => e === ext)?.[0];
    const select = $("#language") as HTMLSelectElement;
    if (language && [...select.options].some((o) => o.value === language)) {
      select.value = language;
      this.language = language;
    }
    this.showEnvironment();
  }

  /** Switch language: open that language's solution file, creating it from the starter. */
  private chooseLanguage(language: string): void {
    this.language = language;
    this.showEnvironment();
    const ext = EXTENSIONS[language];
    const current = this.activePath ?? this.problem?.part?.file ?? "solution.py";
    const stem = current.includes(".") ? current.slice(0, current.lastIndexOf(".")) : current;
    // the server's solution file, in the current file's folder: Java's class Solution must
    // live in Solution.java, where the judge, the assistant and the interviewer look for it
    const folder = current.slice(0, current.lastIndexOf("/") + 1);
    const named = this.languages.find((l) => l.name === language)?.solution_file;
    const path = named ? `${folder}${named}` : `${stem}.${ext}`;
    if (this.files.has(path)) this.open(path, true);
    else this.structure({ op: "create", file: path, content: this.problem?.starter?.[language] ?? "" });
  }

  private renderParts(parts: Parts | null): void {
    const nav = $("#parts");
    if (!parts || (parts.parts.length < 2 && !parts.has_next)) {
      nav.hidden = true; // a single question needs no navigation
      return;
    }
    nav.hidden = false;
    const items: HTMLElement[] = parts.parts.map((part) => {
      const current = parts.current?.number === part.number;
      const label = `${part.number}. ${part.label}${part.ended_at ? " ✓" : ""}`;
      return el("span", { class: `part ${part.ended_at ? "done" : ""} ${current ? "current" : ""}`, "aria-current": current ? "step" : "false" }, label);
    });
    if (parts.has_next && !this.ended) {
      const next = el("button", { class: "button part-next", type: "button" }, "Next part →");
      next.addEventListener("click", () => void this.nextPart());
      items.push(next);
    }
    nav.replaceChildren(...items);
  }

  private session(status: string, deadline: string | null, secondsLeft: number | null, part: unknown = null): void {
    this.timer.set(deadline, secondsLeft);
    const number = (part as { number?: number } | null)?.number ?? null;
    if (number !== null && this.partNumber !== null && number !== this.partNumber) void this.refreshProblem();
    if (status !== "active" && status !== "created") this.end(status);
  }

  private end(status: string): void {
    if (this.ended) return;
    this.ended = true;
    document.body.classList.add("ended");
    for (const id of ["#run-button", "#submit-button", "#chat-send", "#hint-button", "#new-file"]) {
      ($(id) as HTMLButtonElement).disabled = true;
    }
    this.voice.end();
    this.view.dispatch({}); // the editor re-reads `ended` and refuses typing from now on
    this.notify(`This interview has ended (${status}). Thank you!`, "muted", true);
  }

  // ---- running ----------------------------------------------------------------------

  /** Run or submit the active file, once what was typed is saved (the server runs its copy). */
  async execute(mode: "run" | "submit"): Promise<void> {
    const sync = this.active;
    if (!sync || this.ended) return;
    const buttons = [$("#run-button"), $("#submit-button")] as HTMLButtonElement[];
    buttons.forEach((b) => (b.disabled = true));
    this.output.progress(mode === "submit" ? "Submitting…" : "Running…");
    this.outputTab("console");
    try {
      await this.saved(sync);
      const result = await this.requestRun(mode, sync.path);
      this.output.show(result);
    } catch (error) {
      this.output.error(error instanceof Error ? error.message : String(error));
    } finally {
      buttons.forEach((b) => (b.disabled = this.ended));
    }
  }

  /** Resolves once what was typed in `sync` (every file when absent) is stored. */
  private saved(sync?: FileSync): Promise<void> {
    return new Promise((resolve, reject) => {
      const started = Date.now();
      const check = (): void => {
        if (sync ? !sync.dirty : !this.dirty) resolve();
        else if (Date.now() - started > RUN_SETTLE_MS) reject(new Error("Your latest changes are not saved yet (offline?). Try again in a moment."));
        else window.setTimeout(check, 30);
      };
      check();
    });
  }

  private requestRun(mode: "run" | "submit", file: string): Promise<ExecutionResult> {
    const language = this.language ?? undefined;
    if (!this.channel.isOpen) {
      return this.api.post<ExecutionResult>(`${this.api.base}/execute`, { mode, file, language });
    }
    const id = this.nextId();
    return new Promise((resolve, reject) => {
      this.runs.set(id, (result, error) => {
        this.runs.delete(id);
        if (result) resolve(result);
        else reject(new Error(error ?? "The run failed."));
      });
      this.send({ type: "code-execution", id, action: "request", mode, file, language });
    });
  }

  private outputTab(name: string): void {
    for (const tab of document.querySelectorAll<HTMLButtonElement>("[data-output-tab]")) {
      const selected = tab.dataset.outputTab === name;
      tab.setAttribute("aria-selected", String(selected));
      const panel = document.getElementById(tab.getAttribute("aria-controls") ?? "");
      if (panel) panel.hidden = !selected;
    }
  }

  // ---- status -----------------------------------------------------------------------

  private get dirty(): boolean {
    return this.structural.size > 0 || [...this.files.values()].some((f) => f.dirty);
  }

  private renderStatus(): void {
    const node = $("#connection-status");
    // once the session ended the channel closes for good: what was saved stays "Saved"
    const offline = this.channelState !== "open" && !(this.ended && !this.dirty);
    const text = offline ? "Offline" : this.dirty ? "Saving…" : "Saved";
    if (node.textContent !== text) node.textContent = text;
    node.dataset.state = offline ? "offline" : this.dirty ? "saving" : "saved";
    node.title = offline ? "Reconnecting… your work is kept in this tab and sent when the connection is back" : text;
  }

  private notify(text: string, tone: "bad" | "muted", sticky = false): void {
    const node = $("#notice");
    node.textContent = text;
    node.dataset.tone = tone;
    node.hidden = false;
    if (!sticky) window.setTimeout(() => (node.hidden = node.textContent !== text), 6000);
  }

  private fatal(text: string): void {
    const node = $("#fatal");
    node.querySelector("p")!.textContent = text;
    node.hidden = false;
  }
}
