/**
 * The voice interview on the staff pages: a list of what each speaker said, the commands
 * and each reply's latency, in time order; on the replay each line seeks to its moment,
 * the line at the playhead is marked, and a turn whose audio was kept plays it
 * (`GET /sessions/{id}/voice/{utterance}/{speaker}`, OGG Opus, decoded by the browser).
 */
import "./staff.css";

import { el } from "../dom";
import { formatMs } from "../staff/timeline";
import { audioKeys, lineAt, speakerName, type VoiceLine } from "./log";

export interface FeedOptions {
  /** Replay: clicking a line seeks there. */
  seek?: (t: number) => void;
  /** Replay: the bytes of a turn's kept audio. */
  audio?: (utterance: number, speaker: string) => Promise<ArrayBuffer>;
}

export class VoiceFeed {
  private lines: VoiceLine[] = [];
  private readonly seqs = new Set<number>();
  private items: HTMLElement[] = [];
  private current = -1;
  private clip: { source: AudioBufferSourceNode; button: HTMLElement } | null = null;
  private context: AudioContext | null = null;

  constructor(
    private readonly list: HTMLElement,
    private readonly options: FeedOptions = {},
  ) {}

  get size(): number {
    return this.lines.length;
  }

  /** Lines from the log (any order, duplicates of shown lines ignored). */
  add(lines: readonly VoiceLine[]): void {
    const fresh = lines.filter((l) => !this.seqs.has(l.seq)).sort((a, b) => a.t_ms - b.t_ms || a.seq - b.seq);
    if (!fresh.length) return;
    for (const line of fresh) this.seqs.add(line.seq);
    const last = this.lines[this.lines.length - 1];
    const appended = !last || fresh[0].t_ms >= last.t_ms;
    this.lines.push(...fresh);
    this.lines.sort((a, b) => a.t_ms - b.t_ms || a.seq - b.seq);
    // kept audio adds a play button to a line already shown: draw them all again
    if (!appended || fresh.some((l) => l.kind === "audio")) {
      this.redraw();
      return;
    }
    const kept = audioKeys(this.lines);
    const nodes = fresh.map((l) => this.item(l, kept));
    this.items.push(...nodes);
    this.list.append(...nodes);
    this.list.scrollTop = this.list.scrollHeight;
  }

  /** Replay: mark the line at `t` (the last one said before it) and keep it in view. */
  highlight(t: number): void {
    const index = lineAt(this.items.map((node) => ({ t_ms: Number(node.dataset.t) })), t);
    if (index === this.current) return;
    this.items[this.current]?.classList.remove("now");
    this.current = index;
    const node = this.items[index];
    if (!node) return;
    node.classList.add("now");
    const top = node.offsetTop; // the list is positioned (staff.css)
    if (top < this.list.scrollTop || top > this.list.scrollTop + this.list.clientHeight - node.offsetHeight) this.list.scrollTop = Math.max(0, top - 8);
  }

  private redraw(): void {
    const kept = audioKeys(this.lines);
    this.items = this.lines.filter((l) => l.kind !== "audio").map((l) => this.item(l, kept));
    this.current = -1;
    this.list.replaceChildren(...this.items);
  }

  private item(line: VoiceLine, kept: Set<string>): HTMLElement {
    const who = line.kind === "said" ? speakerName(line.speaker) : line.kind === "command" ? "Command" : "Timing";
    const text = line.kind === "audio" ? "" : line.text;
    const item = el(
      "li",
      { class: `voice-line ${line.kind} ${line.kind === "said" ? line.speaker : ""}`, "data-testid": "voice-line", "data-kind": line.kind, "data-t": String(line.t_ms) },
      el("span", { class: "when" }, formatMs(line.t_ms)),
      el("span", { class: "who" }, who),
      el("span", { class: "what" }, text),
    );
    if (line.kind === "said") item.dataset.speaker = line.speaker;
    if (this.options.seek) {
      item.tabIndex = 0;
      item.title = "Go to this moment";
      const seek = () => this.options.seek?.(line.t_ms);
      item.addEventListener("click", (event) => !(event.target as HTMLElement).closest("button") && seek());
      item.addEventListener("keydown", (event) => event.key === "Enter" && seek());
    }
    if (line.kind === "said" && line.utterance !== null && this.options.audio && kept.has(`${line.utterance}:${line.speaker}`)) {
      item.append(this.playButton(line.utterance, line.speaker));
    }
    return item;
  }

  private playButton(utterance: number, speaker: string): HTMLElement {
    const button = el("button", { type: "button", class: "voice-play", "data-testid": "voice-play", "aria-label": `Play what the ${speaker} said (turn ${utterance})` }, "▶");
    button.addEventListener("click", () => void this.play(utterance, speaker, button));
    return button;
  }

  /** Play a turn's audio; a second click (or another turn) stops it. */
  private async play(utterance: number, speaker: string, button: HTMLElement): Promise<void> {
    const playing = this.clip?.button === button;
    this.stopClip();
    if (playing || !this.options.audio) return;
    button.textContent = "…";
    try {
      this.context ??= new AudioContext();
      const decoded = await this.context.decodeAudioData(await this.options.audio(utterance, speaker));
      const source = this.context.createBufferSource();
      source.buffer = decoded;
      source.connect(this.context.destination);
      source.onended = () => this.clip?.source === source && this.stopClip();
      source.start();
      this.clip = { source, button };
      button.textContent = "■";
      button.dataset.state = "playing";
    } catch (error) {
      button.textContent = "▶";
      button.title = `The audio could not play: ${error instanceof Error ? error.message : String(error)}`;
    }
  }

  private stopClip(): void {
    if (!this.clip) return;
    const { source, button } = this.clip;
    this.clip = null;
    source.onended = null;
    try {
      source.stop();
    } catch {
      // already ended
    }
    button.textContent = "▶";
    delete button.dataset.state;
  }
}
