/**
 * The room's "Voice interviewer" panel (markup in templates/room.html): start and stop,
 * push-to-talk or hands-free, mute, the microphone's "Recording" state, who has the
 * floor, live captions, and buttons for the voice commands.
 *
 * It owns the microphone and the speaker but not the socket: frames and messages go out
 * through the room's channel (`VoiceHost`). Nothing here is needed by the rest of the
 * room: without a microphone, or with voice unavailable on the server, the panel says
 * why and everything else keeps working.
 */
import { $, el } from "../dom";
import type { ClientMessage, TurnStateName, VoiceAction, VoiceCommand, VoiceMessage, VoiceMode, VoiceState } from "../protocol";
import { Captions, type Caption } from "./captions";
import { AUDIO_FROM_CLIENT, AUDIO_FROM_SERVER, AUDIO_LAST, packAudio, unpackAudio } from "./frames";
import { MicError, Microphone, explain } from "./mic";
import type { MicMessage } from "./mic-worklet";
import { SpeechPlayer, WebAudioOut } from "./playback";

export interface VoiceHost {
  send(message: ClientMessage): boolean;
  sendAudio(frame: ArrayBuffer): boolean;
  nextId(): string;
}

type Status = "off" | "starting" | "on" | "unavailable";

const TURN_TEXT: Record<TurnStateName, string> = {
  listening: "Listening",
  candidate: "You're speaking",
  thinking: "Thinking…",
  interviewer: "Interviewer speaking",
};
/** How long a `voice start` may wait for its answer (the first loads the speech engines). */
const START_TIMEOUT_MS = 30_000;

export class VoicePanel {
  private status: Status = "off";
  private mode: VoiceMode = "hands-free";
  private muted = false;
  private talking = false;
  private recordingAudio = false;
  private seq = 0;
  private context: AudioContext | null = null;
  private mic: Microphone | null = null;
  private player: SpeechPlayer | null = null;
  private startTimer: number | undefined;
  /** The id of the pending `voice start`: its answer confirms the mode asked for. */
  private startId: string | null = null;
  private ended = false;
  private readonly captions = new Captions();
  private readonly shown = new Map<string, HTMLElement>();

  constructor(
    private readonly host: VoiceHost,
    private readonly workletUrl: string,
  ) {
    $("#voice-toggle").addEventListener("click", () => void (this.status === "on" || this.status === "starting" ? this.stop() : this.start()));
    $("#voice-mute").addEventListener("click", () => this.setMuted(!this.muted));
    for (const radio of document.querySelectorAll<HTMLInputElement>("input[name=voice-mode]")) {
      radio.addEventListener("change", () => radio.checked && this.setMode(radio.value as VoiceMode));
    }
    for (const button of document.querySelectorAll<HTMLButtonElement>("[data-voice-command]")) {
      button.addEventListener("click", () => this.command(button.dataset.voiceCommand as VoiceCommand));
    }
    this.wireTalk();
    this.render();
  }

  // ---- from the room ---------------------------------------------------------------------

  receive(message: VoiceMessage): void {
    switch (message.type) {
      case "voice":
        this.state(message);
        return;
      case "transcript":
        this.draw(this.captions.transcript(message));
        return;
      case "interviewer-speech":
        this.player?.begin(message.speech, message.sample_rate);
        this.draw(this.captions.speech(message));
        return;
      case "flush":
        this.player?.flush(message.speech);
        this.draw(this.captions.flushed(message.speech));
        return;
      case "turn":
        this.turn(message.state, message.phase);
        return;
    }
  }

  /** A binary frame from the server: the interviewer's voice. */
  audio(buffer: ArrayBuffer): void {
    const chunk = unpackAudio(buffer);
    if (!chunk || chunk.kind !== AUDIO_FROM_SERVER || !this.player) return;
    this.player.frame(chunk.speech, chunk.seq, chunk.pcm, (chunk.flags & AUDIO_LAST) !== 0);
  }

  /** The connection dropped: the server ended this connection's conversation with it. */
  channelLost(): void {
    if (this.status !== "on" && this.status !== "starting") return;
    this.release();
    this.message("The connection dropped, so voice stopped. Start it again once you are back online.");
  }

  /** The session ended: no more voice. */
  end(): void {
    this.ended = true;
    this.release();
  }

  // ---- start and stop --------------------------------------------------------------------

  async start(): Promise<void> {
    if (this.ended || this.status === "starting" || this.status === "on") return;
    this.message(null);
    this.status = "starting";
    this.render();
    try {
      this.context = new AudioContext({ latencyHint: "interactive" });
      this.mic = await Microphone.open(this.context, this.workletUrl, (m) => this.fromMic(m));
    } catch (error) {
      this.release();
      this.message(error instanceof MicError ? error.message : explain(error).message);
      return;
    }
    this.mic.enabled = !this.muted;
    this.player = new SpeechPlayer(new WebAudioOut(this.context));
    this.startId = this.host.nextId();
    if (!this.control("start", this.mode, this.startId)) {
      this.release();
      this.message("You are offline: start voice again once the connection is back.");
      return;
    }
    this.startTimer = window.setTimeout(() => {
      if (this.status !== "starting") return;
      this.release();
      this.message("The server did not start voice in time. Try again in a moment.");
    }, START_TIMEOUT_MS);
  }

  stop(): void {
    if (this.status === "on" || this.status === "starting") this.control("stop");
    this.release();
  }

  /** Microphone, speaker and state back to off (the server is told separately, if at all). */
  private release(): void {
    window.clearTimeout(this.startTimer);
    this.player?.stopAll();
    this.player = null;
    this.mic?.close();
    this.mic = null;
    void this.context?.close().catch(() => undefined);
    this.context = null;
    this.talking = false;
    if (this.status !== "unavailable") this.status = "off";
    this.render();
  }

  private state(message: VoiceState): void {
    window.clearTimeout(this.startTimer);
    if (message.status === "unavailable") {
      this.release();
      this.status = "unavailable";
      this.message(`Voice is unavailable: ${message.detail ?? "the server has no voice interviewer."} Everything else in the room works.`);
      this.render();
      return;
    }
    if (message.status === "off") {
      this.release();
      if (message.detail) this.message(message.detail);
      return;
    }
    if (!this.mic) return; // stopped here while the server was starting: it is told "stop"
    this.status = "on";
    if (message.re === this.startId && message.mode !== this.mode) {
      // the answer to our start in another mode than asked: the candidate's choice wins
      this.control("mode", this.mode);
    } else {
      this.mode = message.mode;
    }
    this.startId = null;
    this.muted = message.muted;
    this.mic.enabled = !this.muted;
    this.recordingAudio = message.recording_audio;
    const engines = Object.entries(message.engines).map(([k, v]) => `${k}: ${v}`).join(", ");
    $("#voice-title").title = engines ? `Speech engines: ${engines}` : "";
    this.render();
  }

  // ---- the microphone --------------------------------------------------------------------

  /** True while what the microphone hears goes to the server. */
  private get sending(): boolean {
    return this.status === "on" && !this.muted && (this.mode === "hands-free" || this.talking);
  }

  private fromMic(message: MicMessage): void {
    if (message.type === "level") {
      $("#voice-level").style.width = `${this.sending ? Math.round(Math.min(1, message.rms * 6) * 100) : 0}%`;
      return;
    }
    if (!this.sending) return;
    this.host.sendAudio(packAudio(AUDIO_FROM_CLIENT, this.seq, message.pcm));
    this.seq = (this.seq + 1) >>> 0;
  }

  private setMuted(muted: boolean): void {
    if (this.status !== "on") return;
    this.muted = muted;
    if (this.mic) this.mic.enabled = !muted;
    this.control(muted ? "mute" : "unmute");
    this.render();
  }

  private setMode(mode: VoiceMode): void {
    this.mode = mode;
    if (this.talking) this.setTalking(false);
    if (this.status === "on") this.control("mode", mode);
    this.render();
  }

  private setTalking(talking: boolean): void {
    if (talking === this.talking || this.mode !== "push-to-talk" || this.status !== "on") return;
    this.talking = talking;
    this.control(talking ? "talk" : "release");
    this.render();
  }

  /** Push-to-talk: hold the button, or Space anywhere but where Space types or presses. */
  private wireTalk(): void {
    const talk = $("#voice-talk");
    talk.addEventListener("pointerdown", (event) => {
      talk.setPointerCapture(event.pointerId);
      this.setTalking(true);
    });
    for (const name of ["pointerup", "pointercancel", "lostpointercapture"]) talk.addEventListener(name, () => this.setTalking(false));
    document.addEventListener("keydown", (event) => {
      if (event.key !== " " || !this.spaceTalks(event.target)) return;
      event.preventDefault();
      if (!event.repeat) this.setTalking(true);
    });
    document.addEventListener("keyup", (event) => {
      if (event.key === " " && this.talking) {
        event.preventDefault();
        this.setTalking(false);
      }
    });
    window.addEventListener("blur", () => this.setTalking(false)); // a key released elsewhere
  }

  private spaceTalks(target: EventTarget | null): boolean {
    if (this.mode !== "push-to-talk" || this.status !== "on") return false;
    if (!(target instanceof HTMLElement)) return true;
    if (target.id === "voice-talk") return true;
    return !target.closest("input, textarea, select, button, a, [contenteditable], .cm-editor");
  }

  // ---- commands and controls ------------------------------------------------------------

  private command(command: VoiceCommand): void {
    if (this.status !== "on") return;
    if (command === "stop-talking") this.player?.stopAll(); // quiet at once, the server flushes too
    this.host.send({ type: "voice-command", id: this.host.nextId(), command });
  }

  private control(action: VoiceAction, mode?: VoiceMode, id = this.host.nextId()): boolean {
    const message: ClientMessage = { type: "voice", id, action };
    if (action === "start" || action === "mode") message.mode = mode ?? this.mode;
    return this.host.send(message);
  }

  // ---- drawing ---------------------------------------------------------------------------

  private turn(state: TurnStateName, phase: string): void {
    const node = $("#voice-turn");
    node.dataset.state = state;
    node.textContent = TURN_TEXT[state] ?? state;
    $("#voice-phase").textContent = phase ? phase.replace("-", " ") : "";
  }

  private draw(caption: Caption | null): void {
    if (!caption) return;
    const list = $("#voice-captions");
    let item = this.shown.get(caption.key);
    if (!item) {
      item = el("li", { "data-testid": "voice-caption" });
      this.shown.set(caption.key, item);
      list.append(item);
      while (list.children.length > this.captions.lines.length) {
        const first = list.firstElementChild as HTMLElement;
        this.shown.forEach((node, key) => node === first && this.shown.delete(key));
        first.remove();
      }
    }
    item.className = `caption ${caption.speaker}${caption.final ? "" : " partial"}${caption.interrupted ? " interrupted" : ""}`;
    item.dataset.speaker = caption.speaker;
    item.dataset.final = String(caption.final);
    item.replaceChildren(el("span", { class: "who" }, caption.speaker === "candidate" ? "You" : "Interviewer"), el("span", { class: "said" }, caption.text));
    // the newest line read from its start: a long one shows its beginning, not its end
    if (item === list.lastElementChild) list.scrollTop = Math.min(list.scrollHeight - list.clientHeight, item.offsetTop - 4);
  }

  private message(text: string | null): void {
    const node = $("#voice-message");
    node.textContent = text ?? "";
    node.hidden = text === null;
  }

  private render(): void {
    const on = this.status === "on";
    const panel = $("#voice-panel");
    panel.dataset.status = this.status;
    panel.dataset.mode = this.mode;
    const toggle = $("#voice-toggle") as HTMLButtonElement;
    toggle.textContent = on ? "Stop voice" : this.status === "starting" ? "Starting…" : "Start voice";
    toggle.setAttribute("aria-pressed", String(on));
    toggle.disabled = this.ended;
    const mute = $("#voice-mute") as HTMLButtonElement;
    mute.disabled = !on;
    mute.setAttribute("aria-pressed", String(this.muted));
    mute.textContent = this.muted ? "Unmute" : "Mute";
    for (const radio of document.querySelectorAll<HTMLInputElement>("input[name=voice-mode]")) radio.checked = radio.value === this.mode;
    $("#voice-live").hidden = !(on || this.status === "starting");
    const talk = $("#voice-talk") as HTMLButtonElement;
    talk.hidden = this.mode !== "push-to-talk";
    talk.disabled = !on || this.muted;
    talk.setAttribute("aria-pressed", String(this.talking));
    for (const button of document.querySelectorAll<HTMLButtonElement>("[data-voice-command]")) button.disabled = !on;
    this.renderRecording();
  }

  private renderRecording(): void {
    const node = $("#voice-recording");
    const live = this.status === "on" && this.mic !== null;
    node.hidden = !live;
    const sending = this.sending;
    node.dataset.state = sending ? "recording" : "paused";
    node.textContent = sending ? "Recording" : this.muted ? "Muted" : "Hold to talk";
    $("#voice-audio-kept").hidden = !(live && this.recordingAudio);
    node.title = this.recordingAudio
      ? "Your microphone is live. Your words are transcribed and the audio of each turn is kept for your interviewer."
      : "Your microphone is live. Your words are transcribed for your interviewer; the audio itself is not kept.";
  }
}
