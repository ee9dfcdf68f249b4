/**
 * The WebSocket to /api/v1/sessions/{id}/live: connects, authenticates with the
 * `bearer.<token>` subprotocol (never the URL), reconnects with backoff and resumes from
 * the last seq it handed on. It knows nothing of files: the room subscribes to messages.
 */
import { PROTOCOL, type ClientMessage, type ServerMessage } from "./protocol";

export type ChannelState = "connecting" | "open" | "closed";

/** Close codes after which reconnecting cannot help. */
const FINAL_CLOSES = new Set([4401, 4404, 4410]);

export interface ChannelHandlers {
  message(message: ServerMessage): void;
  state(state: ChannelState, code?: number): void;
  /** Called after each `welcome`: the moment to re-send what was not confirmed. */
  opened(): void;
  /** A binary frame (an `audio-chunk` of the interviewer's voice). */
  audio?(frame: ArrayBuffer): void;
}

/** Audio waiting in the socket's buffer beyond which a new frame is dropped, not queued:
 * late speech is worse than a lost 20 ms on a slow link (about 2 s of 16 kHz PCM16). */
const MAX_BUFFERED_AUDIO = 64 * 1024;

export class Channel {
  private socket: WebSocket | null = null;
  private attempt = 0;
  private timer: number | undefined;
  private stopped = false;
  /** The last seq of the log handed to the room (resume point). */
  lastSeq: number | null = null;

  constructor(
    private readonly sessionId: string,
    /** The candidate's token; null for a signed-in staff browser, whose cookie is sent. */
    private readonly token: string | null,
    readonly clientId: string,
    private readonly handlers: ChannelHandlers,
  ) {}

  connect(): void {
    if (this.stopped) return;
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const url = `${scheme}//${location.host}/api/v1/sessions/${encodeURIComponent(this.sessionId)}/live`;
    this.handlers.state("connecting");
    let socket: WebSocket;
    try {
      socket = new WebSocket(url, this.token === null ? [PROTOCOL] : [PROTOCOL, `bearer.${this.token}`]);
    } catch {
      this.retry();
      return;
    }
    this.socket = socket;
    socket.binaryType = "arraybuffer";
    socket.onopen = () => {
      const hello: ClientMessage = { type: "hello", client_id: this.clientId };
      if (this.lastSeq !== null) hello.last_seq = this.lastSeq;
      socket.send(JSON.stringify(hello));
    };
    socket.onmessage = (frame: MessageEvent) => this.receive(frame);
    socket.onclose = (closed: CloseEvent) => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.handlers.state("closed", closed.code);
      if (FINAL_CLOSES.has(closed.code)) this.stopped = true;
      else this.retry();
    };
  }

  /** True when a message handed to `send` now reaches the server's socket buffer. */
  get isOpen(): boolean {
    return this.socket !== null && this.socket.readyState === WebSocket.OPEN && this.welcomed;
  }

  private welcomed = false;

  send(message: ClientMessage): boolean {
    if (!this.isOpen || this.socket === null) return false;
    this.socket.send(JSON.stringify(message));
    return true;
  }

  /** A binary frame (the microphone's audio); false when it could not be sent now. */
  sendBinary(frame: ArrayBuffer): boolean {
    if (!this.isOpen || this.socket === null || this.socket.bufferedAmount > MAX_BUFFERED_AUDIO) return false;
    this.socket.send(frame);
    return true;
  }

  /** Drop the connection (as a network failure would); it reconnects by itself. */
  drop(): void {
    this.socket?.close();
  }

  private receive(frame: MessageEvent): void {
    if (frame.data instanceof ArrayBuffer) {
      this.handlers.audio?.(frame.data);
      return;
    }
    if (typeof frame.data !== "string") return;
    let message: ServerMessage;
    try {
      message = JSON.parse(frame.data) as ServerMessage;
    } catch {
      return;
    }
    if (message.type === "ping") {
      this.socket?.send(JSON.stringify({ type: "pong" }));
      return;
    }
    if (message.type === "welcome") {
      this.welcomed = true;
      this.attempt = 0;
      this.lastSeq = this.lastSeq === null || !message.resumed ? message.seq : this.lastSeq;
      this.handlers.message(message);
      this.handlers.state("open");
      this.handlers.opened();
      return;
    }
    if (message.type === "file-operation" || message.type === "event") {
      if (this.lastSeq !== null && message.seq <= this.lastSeq) return; // already handled
      this.lastSeq = message.seq;
    }
    this.handlers.message(message);
  }

  private retry(): void {
    this.welcomed = false;
    window.clearTimeout(this.timer);
    // 0.25 s, 0.5 s, 1 s, ... up to 8 s, with jitter so a restarted server is not stormed
    const delay = Math.min(8000, 250 * 2 ** this.attempt) * (0.75 + Math.random() / 2);
    this.attempt++;
    this.timer = window.setTimeout(() => this.connect(), delay);
  }
}
