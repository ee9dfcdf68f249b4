/**
 * The replay player (`/sessions/{id}/replay`): play, pause, speeds, a seek bar over a
 * colour timeline, every file as it was at the moment, a diff against another moment and
 * the output of the last run before it.
 *
 * Seeking asks the server for the workspace at the moment (`/replay?at_ms=`, which starts
 * from the nearest keyframe): the browser never replays from the start. While a slider
 * drags, one request is in flight and only the latest moment is asked next (LatestOnly).
 * Playing applies the log forward from the seek's seq, read in pages that are fetched
 * ahead (EventStream). One animation frame applies every event due and touches the DOM
 * once: the editor gets one change per frame, whatever the number of events.
 */
import "./apps.css";

import { EditorState } from "@codemirror/state";
import { EditorView } from "@codemirror/view";

import { $, el } from "../dom";
import { languageMode, modeFor } from "../editor";
import type { ExecutionResult } from "../protocol";
import { singleDiff } from "../text";
import { StaffApi } from "./http";
import { renderExecution, renderNoRun } from "./output";
import { EventStream, LatestOnly, applyEvent, type EventPage, type Files, type RecordedEvent } from "./stream";
import {
  LANES,
  LANE_TITLES,
  SPEEDS,
  advance,
  bucketMarkers,
  formatMs,
  mergeSpans,
  parseSpeed,
  stepSpeed,
  type Mark,
  type Marker,
  type Timeline,
} from "./timeline";
import { viewerExtensions } from "./viewer";
import { VoiceFeed } from "../voice/feed";
import { VOICE_TYPES, loadVoice, type Page, type VoiceLine } from "../voice/log";

type ReplayAnswer = { at_ms: number; seq: number; source: string | null; files: Record<string, string> };

/** Marks per lane across the bar: a few hundred buttons at most, whatever the session. */
const BUCKETS = 160;
const PAGE = 2000;
/** The width of the timeline's lane titles (apps.css: .timeline padding-left). */
const LANE_TITLE_PX = 92;

declare global {
  interface Window {
    __replay?: { seekTo(ms: number): Promise<void>; readonly atMs: number; readonly text: string };
  }
}

export class Player {
  private files: Files = new Map();
  private atMs = 0;
  private duration = 0;
  private timeline: Timeline = { duration_ms: 0, markers: [], away: [], idle: [] };
  private runs: Marker[] = [];
  private playing = false;
  private speed = 1;
  private skipIdle = false;
  private seeking = 0;
  private lastFrame = 0;
  private activePath: string | null = null;
  private pinned = false;
  private shownPaths = "";
  private readonly view: EditorView;
  private readonly stream: EventStream;
  private readonly seeks: LatestOnly<number>;
  private readonly outputs: LatestOnly<Marker | null>;
  private shownRun: number | null | undefined = undefined;
  private readonly executions = new Map<number, Promise<ExecutionResult>>();
  private compareMs: number | null = null;
  /** The voice interview, when there was one: lines to read, seek to and listen to. */
  private readonly voice: VoiceFeed;

  constructor(private readonly api: StaffApi) {
    this.view = new EditorView({ parent: $("#replay-editor"), state: this.stateFor("", "") });
    this.stream = new EventStream((from, limit) => this.api.json<EventPage>(`${this.api.base}/events?from_seq=${from}&limit=${limit}`), PAGE);
    this.seeks = new LatestOnly<number>(
      (ms) => this.api.json<ReplayAnswer>(`${this.api.base}/replay?at_ms=${Math.round(ms)}`),
      (ms, answer) => this.landed(ms, answer as ReplayAnswer),
    );
    this.outputs = new LatestOnly<Marker | null>(
      (run) => (run ? this.execution(run) : Promise.resolve(null)),
      (run, result) => this.showOutput(run, result as ExecutionResult | null),
    );
    this.voice = new VoiceFeed($("#replay-voice"), {
      seek: (t) => void this.seekTo(t),
      audio: async (utterance, speaker) => (await this.api.request(`${this.api.base}/voice/${utterance}/${encodeURIComponent(speaker)}`)).arrayBuffer(),
    });
    this.wire();
  }

  async start(): Promise<void> {
    this.timeline = await this.api.json<Timeline>(`${this.api.base}/timeline`);
    this.duration = this.timeline.duration_ms;
    this.timeline.idle = mergeSpans(this.timeline.idle, 0);
    this.runs = this.timeline.markers.filter((m) => m.kind === "run").sort((a, b) => a.t_ms - b.t_ms || a.seq - b.seq);
    const seek = $("#replay-seek") as HTMLInputElement;
    seek.max = String(this.duration);
    $("#replay-duration").textContent = formatMs(this.duration);
    this.drawTimeline();
    void this.loadVoice();
    this.fillCompare();
    const start = Number(new URLSearchParams(location.search).get("t") ?? "0");
    await this.seekTo(Number.isFinite(start) ? start : 0);
  }

  get text(): string {
    return this.view.state.doc.toString();
  }

  get moment(): number {
    return this.atMs;
  }

  // ---- seeking ---------------------------------------------------------------------------

  /** Show the workspace at `ms`; resolves once the editor shows that moment (or a later seek's). */
  seekTo(ms: number): Promise<void> {
    const target = Math.max(0, Math.min(this.duration || ms, ms));
    this.seeking += 1;
    this.showTime(target);
    return this.seeks.request(target).finally(() => {
      this.seeking -= 1;
      this.lastFrame = performance.now();
    });
  }

  private landed(ms: number, answer: ReplayAnswer): void {
    this.files = new Map(Object.entries(answer.files));
    this.atMs = ms;
    this.stream.reset(answer.seq + 1);
    this.render(null);
    this.showTime(ms);
    this.refreshOutput();
    if (this.compareMs !== null && !this.playing) void this.showDiff();
  }

  // ---- playing ---------------------------------------------------------------------------

  private toggle(): void {
    if (this.playing) this.pause();
    else this.play();
  }

  private play(): void {
    if (this.atMs >= this.duration) void this.seekTo(0);
    this.playing = true;
    this.stream.prime();
    this.lastFrame = performance.now();
    this.renderPlay();
    requestAnimationFrame((now) => this.frame(now));
  }

  private pause(): void {
    this.playing = false;
    this.renderPlay();
    this.refreshOutput();
    if (this.compareMs !== null) void this.showDiff();
  }

  private frame(now: number): void {
    if (!this.playing) return;
    const elapsed = now - this.lastFrame;
    this.lastFrame = now;
    if (this.seeking === 0) {
      const target = advance(this.atMs, elapsed, this.speed, this.duration, this.timeline.idle, this.skipIdle);
      const { events, starved } = this.stream.take(target);
      const changed = this.apply(events);
      // out of buffered events before the moment: hold there until the next page is in
      this.atMs = starved ? (events.length ? events[events.length - 1].t_ms : this.atMs) : target;
      this.render(changed);
      this.showTime(this.atMs);
      this.refreshOutput();
      if (this.stream.error !== null) {
        this.notify("Could not load the next events; retrying.");
        this.stream.retry();
      }
      if (this.atMs >= this.duration && this.stream.exhausted) {
        this.pause();
        return;
      }
    }
    requestAnimationFrame((next) => this.frame(next));
  }

  private apply(events: RecordedEvent[]): Set<string> {
    const changed = new Set<string>();
    for (const event of events) for (const path of applyEvent(this.files, event)) changed.add(path);
    return changed;
  }

  // ---- the editor ------------------------------------------------------------------------

  private stateFor(path: string, content: string): EditorState {
    return EditorState.create({ doc: content, extensions: [EditorState.lineSeparator.of("\n"), viewerExtensions(path || "file", "Recorded code")] });
  }

  /** Show the files; `changed` null: everything may have changed (a seek). */
  private render(changed: Set<string> | null): void {
    if (changed !== null && changed.size === 0) return;
    const paths = [...this.files.keys()].sort();
    if (!this.activePath || !this.files.has(this.activePath)) {
      this.activePath = paths[0] ?? null;
      this.pinned = false;
      this.showFile();
    } else if (!this.pinned && changed && !changed.has(this.activePath)) {
      // follow the candidate: show the file they are working in
      const edited = [...changed].find((p) => this.files.has(p));
      if (edited) {
        this.activePath = edited;
        this.showFile();
      }
    } else if (changed === null || changed.has(this.activePath)) {
      this.updateText();
    }
    const key = paths.join("\n") + "\u0000" + (this.activePath ?? "");
    if (key !== this.shownPaths) {
      this.shownPaths = key;
      this.renderFiles(paths);
    }
  }

  private showFile(): void {
    const path = this.activePath ?? "";
    this.view.setState(this.stateFor(path, this.files.get(path) ?? ""));
    this.view.dom.dataset.path = path;
    modeFor(path)
      .then((mode) => {
        if (this.activePath === path) this.view.dispatch({ effects: languageMode.reconfigure(mode) });
      })
      .catch(() => undefined);
  }

  /** The shown file's new text as one change (the scroll position and folds stay). */
  private updateText(): void {
    const wanted = this.files.get(this.activePath ?? "") ?? "";
    const current = this.view.state.doc.toString();
    if (current === wanted) return;
    this.view.dispatch({ changes: singleDiff(current, wanted) });
  }

  private renderFiles(paths: string[]): void {
    const items = paths.map((path) => {
      const tab = el("button", { type: "button", class: "file-tab", role: "tab", "aria-selected": String(path === this.activePath), "data-path": path }, path.replace(/^\//, ""));
      tab.addEventListener("click", () => {
        this.activePath = path;
        this.pinned = true;
        this.showFile();
        this.render(null);
      });
      return tab;
    });
    $("#replay-files").replaceChildren(...(items.length ? items : [el("span", { class: "muted" }, "No files at this moment")]));
  }

  // ---- the voice interview ---------------------------------------------------------------

  /** The voice lines from the event log (the timeline has no markers for them), then drawn. */
  private async loadVoice(): Promise<void> {
    let lines: VoiceLine[];
    try {
      lines = await loadVoice((from) => this.api.json<Page>(`${this.api.base}/events?from_seq=${from}&limit=5000&types=${VOICE_TYPES}`));
    } catch {
      return; // the player works without them
    }
    if (!lines.length) return;
    this.voice.add(lines);
    $("#replay-voice-card").hidden = false;
    for (const line of lines) {
      if (line.kind === "said") this.timeline.markers.push({ kind: "speech", t_ms: line.t_ms, seq: line.seq, role: line.speaker, text: line.text });
      else if (line.kind === "command") this.timeline.markers.push({ kind: "voice_command", t_ms: line.t_ms, seq: line.seq, text: line.text });
    }
    this.drawTimeline();
    this.showTime(this.atMs);
  }

  // ---- the timeline ----------------------------------------------------------------------

  private drawTimeline(): void {
    const root = $("#replay-timeline");
    const d = Math.max(1, this.duration);
    const pct = (t: number) => `${((100 * t) / d).toFixed(3)}%`;
    const gap = d / 800;
    const strip = (cls: string, title: string, spans: { start_ms: number; end_ms: number }[]) =>
      el(
        "div",
        { class: `lane spans ${cls}`, title },
        el("span", { class: "lane-title" }, title),
        ...mergeSpans(spans, gap).map((s) => {
          const button = el("button", { type: "button", class: `span ${cls}`, style: `left:${pct(s.start_ms)};width:max(2px, ${pct(s.end_ms - s.start_ms)})`, title: `${title}: ${formatMs(s.start_ms)}–${formatMs(s.end_ms)}`, "data-t": String(s.start_ms) }, "");
          button.setAttribute("aria-label", `${title} from ${formatMs(s.start_ms)} to ${formatMs(s.end_ms)}`);
          return button;
        }),
      );
    const marks = bucketMarkers(this.timeline.markers, d, BUCKETS);
    const shown = LANES.filter((lane) => lane !== "voice" || marks.some((m) => m.lane === "voice"));
    const lanes = shown.map((lane) =>
      el(
        "div",
        { class: `lane marks ${lane}` },
        el("span", { class: "lane-title" }, LANE_TITLES[lane]),
        ...marks.filter((m) => m.lane === lane).map((m) => this.markButton(m, pct)),
      ),
    );
    const playhead = el("div", { class: "playhead", id: "replay-playhead", "aria-hidden": "true" });
    root.replaceChildren(playhead, ...lanes, strip("away", "Time away", this.timeline.away), strip("idle", "Idle", this.timeline.idle));
  }

  private markButton(mark: Mark, pct: (t: number) => string): HTMLElement {
    const button = el("button", { type: "button", class: `mark ${mark.lane} ${mark.tone}`, style: `left:${pct(mark.t_ms)}`, "data-t": String(mark.t_ms), "data-kind": mark.lane, "data-testid": "timeline-mark" }, mark.count > 1 ? String(mark.count) : "");
    const label = describe(mark);
    button.title = label;
    button.setAttribute("aria-label", label);
    return button;
  }

  // ---- the last run's output -------------------------------------------------------------

  private lastRun(): Marker | null {
    let lo = 0;
    let hi = this.runs.length - 1;
    let found: Marker | null = null;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.runs[mid].t_ms <= this.atMs) {
        found = this.runs[mid];
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  }

  private refreshOutput(): void {
    const run = this.lastRun();
    const seq = run?.seq ?? null;
    if (seq === this.shownRun) return;
    this.shownRun = seq;
    void this.outputs.request(run);
  }

  /** The execution a run marker names, from the executions API (once per run). */
  private execution(run: Marker): Promise<ExecutionResult> {
    let found = this.executions.get(run.seq);
    if (!found) {
      const id = run.execution_id;
      found =
        typeof id === "string"
          ? this.api.json<ExecutionResult>(`/api/v1/executions/${encodeURIComponent(id)}`)
          : Promise.reject(new Error("the run's marker names no execution"));
      found.catch(() => this.executions.delete(run.seq));
      this.executions.set(run.seq, found);
    }
    return found;
  }

  private showOutput(run: Marker | null, result: ExecutionResult | null): void {
    const node = $("#replay-output-body");
    if (!run) renderNoRun(node, "No run before this moment.");
    else if (!result) renderNoRun(node, "The output of this run is not available.");
    else renderExecution(node, result, run.t_ms);
  }

  // ---- the diff --------------------------------------------------------------------------

  private fillCompare(): void {
    const select = $("#replay-compare") as HTMLSelectElement;
    const options = [el("option", { value: "" }, "Nothing (no diff)"), el("option", { value: "0" }, "The start (0:00)"), el("option", { value: String(this.duration) }, `The end (${formatMs(this.duration)})`)];
    for (const run of this.runs.slice(-60)) {
      options.push(el("option", { value: String(run.t_ms) }, `Run at ${formatMs(run.t_ms)}: ${run.status ?? "pending"}${run.total ? ` ${run.passed}/${run.total}` : ""}`));
    }
    select.replaceChildren(...options);
  }

  private async showDiff(): Promise<void> {
    const node = $("#replay-diff-text");
    if (this.compareMs === null) {
      node.replaceChildren();
      return;
    }
    const from = Math.round(this.compareMs);
    const to = Math.round(this.atMs);
    const [a, b] = from <= to ? [from, to] : [to, from];
    try {
      const text = await (await this.api.request(`${this.api.base}/replay/diff?from_ms=${a}&to_ms=${b}`)).text();
      $("#replay-diff-title").textContent = `Changes from ${formatMs(a)} to ${formatMs(b)}`;
      node.replaceChildren(...(text.trim() ? text.split("\n").map(diffLine) : [el("span", { class: "muted" }, "No changes between these moments.")]));
    } catch (error) {
      node.replaceChildren(el("span", { class: "bad" }, `Could not compute the diff: ${error instanceof Error ? error.message : String(error)}`));
    }
  }

  // ---- controls --------------------------------------------------------------------------

  private wire(): void {
    // on the timeline's root, once: the timeline is drawn again when the voice lines arrive
    $("#replay-timeline").addEventListener("click", (event) => {
      const target = (event.target as HTMLElement).closest<HTMLElement>("[data-t]");
      if (target) void this.seekTo(Number(target.dataset.t));
    });
    $("#replay-play").addEventListener("click", () => this.toggle());
    const speed = $("#replay-speed") as HTMLSelectElement;
    speed.replaceChildren(...SPEEDS.map((s) => el("option", { value: String(s) }, `${s}×`)));
    speed.value = "1";
    speed.addEventListener("change", () => (this.speed = parseSpeed(speed.value)));
    const skip = $("#replay-skip-idle") as HTMLInputElement;
    skip.addEventListener("change", () => (this.skipIdle = skip.checked));
    const seek = $("#replay-seek") as HTMLInputElement;
    seek.addEventListener("input", () => void this.seekTo(Number(seek.value)));
    const compare = $("#replay-compare") as HTMLSelectElement;
    compare.addEventListener("change", () => {
      this.compareMs = compare.value === "" ? null : Number(compare.value);
      void this.showDiff();
    });
    $("#replay-compare-here").addEventListener("click", () => {
      this.compareMs = this.atMs;
      const option = el("option", { value: String(Math.round(this.atMs)) }, `Pinned: ${formatMs(this.atMs)}`);
      compare.append(option);
      compare.value = option.value;
      void this.showDiff();
    });
    document.addEventListener("keydown", (event) => {
      const target = event.target as HTMLElement;
      if (target.closest("input, select, textarea, button")) return;
      if (event.key === " ") {
        event.preventDefault();
        this.toggle();
      } else if (event.key === "ArrowRight" || event.key === "ArrowLeft") {
        event.preventDefault();
        void this.seekTo(this.atMs + (event.key === "ArrowRight" ? 5000 : -5000));
      } else if (event.key === "+" || event.key === "-") {
        this.speed = stepSpeed(this.speed, event.key === "+" ? 1 : -1);
        speed.value = String(this.speed);
      }
    });
  }

  private renderPlay(): void {
    const button = $("#replay-play");
    button.textContent = this.playing ? "Pause" : "Play";
    button.setAttribute("aria-pressed", String(this.playing));
  }

  private showTime(ms: number): void {
    const text = formatMs(ms);
    const node = $("#replay-time");
    if (node.textContent !== text) node.textContent = text;
    node.dataset.ms = String(Math.round(ms));
    const seek = $("#replay-seek") as HTMLInputElement;
    if (document.activeElement !== seek || this.playing) seek.value = String(Math.round(ms));
    const head = document.getElementById("replay-playhead");
    // the lanes start after their titles: the playhead is placed within the lanes' width
    const share = Math.min(1, ms / Math.max(1, this.duration)).toFixed(5);
    if (head) head.style.left = `calc(${LANE_TITLE_PX}px + (100% - ${LANE_TITLE_PX}px) * ${share})`;
    this.voice.highlight(ms);
  }

  private notify(text: string): void {
    const node = $("#replay-notice");
    node.textContent = text;
    node.hidden = false;
    window.setTimeout(() => (node.hidden = node.textContent !== text), 6000);
  }
}

function describe(mark: Mark): string {
  const m = mark.last;
  const when = formatMs(mark.t_ms);
  const more = mark.count > 1 ? ` (${mark.count} here, the last shown)` : "";
  if (mark.lane === "run") return `${when} ${m.mode === "submit" ? "submission" : "run"}: ${m.status ?? "pending"}${m.total ? ` ${m.passed}/${m.total}` : ""}${more}`;
  if (mark.lane === "paste") return `${when} ${m.kind === "paste" ? "paste" : m.kind.replace("_", " ")} of ${m.size ?? 0} characters${more}`;
  if (mark.lane === "ai") return `${when} AI turn (${m.role ?? ""})${more}`;
  if (mark.lane === "voice") return `${when} ${m.kind === "voice_command" ? "" : `${m.role === "interviewer" ? "Interviewer" : "Candidate"}: `}${m.text ?? ""}${more}`;
  if (mark.lane === "note") return `${when} note: ${m.text ?? ""}${more}`;
  const began = typeof m.part === "number" ? `; part ${m.part + 1} began` : "";
  const ended = typeof m.ended === "number" ? `part ${m.ended + 1} ended (${m.ended_by ?? "next"})` : "part change";
  return `${when} ${ended}${began}${more}`;
}

function diffLine(line: string): HTMLElement {
  const cls = line.startsWith("+++") || line.startsWith("---") ? "file" : line.startsWith("@@") ? "hunk" : line.startsWith("+") ? "add" : line.startsWith("-") ? "del" : "ctx";
  return el("span", { class: `diff-line ${cls}` }, `${line}\n`);
}

function boot(): void {
  const root = document.getElementById("replay");
  if (!root) return;
  const player = new Player(new StaffApi(root.dataset.sessionId ?? ""));
  window.__replay = {
    seekTo: (ms: number) => player.seekTo(ms),
    get atMs() {
      return player.moment;
    },
    get text() {
      return player.text;
    },
  };
  player.start().catch((error: unknown) => {
    const node = $("#replay-notice");
    node.textContent = `The replay could not load: ${error instanceof Error ? error.message : String(error)}`;
    node.hidden = false;
  });
}

boot();
