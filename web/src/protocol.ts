/**
 * The live channel's wire format (docs/live-protocol.md, protocol version 1), typed so
 * that a change of the spec shows up as a compile error here and nowhere else.
 */

export const PROTOCOL = "interviewkit.v1";

export type EditOp = {
  op: "edit";
  file: string;
  offset: number;
  delete: number;
  insert: string;
  base_version: number;
};
export type CreateOp = { op: "create"; file: string; content: string };
export type RenameOp = { op: "rename"; file: string; to: string; base_version?: number };
export type DeleteOp = { op: "delete"; file: string; base_version?: number };
export type FileOp = EditOp | CreateOp | RenameOp | DeleteOp;

export type ClientEvent =
  | { type: "cursor" | "selection"; file: string; offset: number; end?: number; ts: number }
  | { type: "focus" | "blur"; ts: number }
  | { type: "paste"; file?: string; size: number; ts: number }
  /** Staff only: a private note (the server never sends it to a candidate). */
  | { type: "note"; text: string; ts: number };

export type ClientMessage =
  | { type: "hello"; token?: string; last_seq?: number; client_id?: string }
  | { type: "file-operation"; id: string; ops: FileOp[] }
  | { type: "event"; id: string; events: ClientEvent[] }
  | {
      type: "code-execution";
      id: string;
      action: "request";
      mode: "run" | "submit";
      file?: string;
      language?: string;
      stdin?: string;
    }
  | { type: "ping"; id?: string }
  | { type: "pong" }
  | { type: "voice"; id: string; action: VoiceAction; mode?: VoiceMode }
  | { type: "voice-command"; id: string; command: VoiceCommand };

// ---- voice (docs/live-protocol.md, "Voice") -----------------------------------------------

export type VoiceMode = "push-to-talk" | "hands-free";
export type VoiceAction = "start" | "stop" | "mode" | "talk" | "release" | "mute" | "unmute";
/** What a candidate can ask the voice interviewer for, by voice or by button. */
export const VOICE_COMMANDS = ["run", "submit", "hint", "repeat", "time", "stop-talking"] as const;
export type VoiceCommand = (typeof VOICE_COMMANDS)[number];
export type TurnStateName = "listening" | "candidate" | "thinking" | "interviewer";

/** One recognised word: seconds from the start of the utterance. */
export type WordTiming = { w: string; start: number; end: number };

export type VoiceState = {
  type: "voice";
  status: "on" | "off" | "unavailable";
  re?: string | null;
  mode: VoiceMode;
  muted: boolean;
  recording_audio: boolean;
  detail?: string | null;
  engines: Record<string, string>;
};

export type TranscriptLine = {
  type: "transcript";
  speaker: "candidate" | "interviewer";
  utterance: number;
  text: string;
  /** False for a running partial of the candidate's utterance. */
  final: boolean;
  words: WordTiming[];
};

/** The interviewer starts saying `text`: binary frames of `speech` follow at `sample_rate`. */
export type InterviewerSpeech = {
  type: "interviewer-speech";
  speech: number;
  text: string;
  sample_rate: number;
  command?: string | null;
};

export type TurnState = { type: "turn"; state: TurnStateName; phase: string };
export type Flush = { type: "flush"; speech: number };
export type VoiceMessage = VoiceState | TranscriptLine | InterviewerSpeech | TurnState | Flush;

/** A stored recording event as the server pushes it (only the fields the room reads). */
export type StoredEvent = {
  type: string;
  id?: string | null;
  file?: string;
  to?: string;
  offset?: number;
  delete?: number;
  insert?: string;
  content?: string;
  files?: Record<string, string>;
  version?: number;
  status?: string | null;
  [key: string]: unknown;
};

export type SessionInfo = {
  status: string;
  deadline_at: string | null;
  seconds_left: number | null;
  current_part: unknown;
};

export type OpResult = {
  status: "stored" | "duplicate" | "rejected";
  seq?: number;
  version?: number;
  reason?: string;
};

export type ServerMessage =
  | {
      type: "welcome";
      protocol: number;
      connection_id: string;
      role: "candidate" | "staff";
      seq: number;
      session: SessionInfo;
      workspace?: Record<string, { content: string; version: number }>;
      resumed?: boolean;
    }
  | { type: "file-operation" | "event"; seq: number; t_ms: number; source: string; event: StoredEvent }
  | { type: "ack"; re: string; results: OpResult[] }
  | { type: "code-execution"; re: string; phase: "queued" | "running" | "result"; result?: ExecutionResult }
  | { type: "presence"; participants: { connection_id: string; role: string }[] }
  | ({ type: "session" } & SessionInfo)
  | { type: "error"; code: string; detail: string; re?: string }
  | { type: "ping"; id?: string }
  | { type: "pong"; re?: string }
  | VoiceMessage;

export type RunResult = {
  stdout: string;
  stderr: string;
  exit_code: number | null;
  time_ms: number;
  stdout_truncated?: boolean;
  stderr_truncated?: boolean;
};

export type TestResult = {
  name: string;
  status: string;
  hidden: boolean;
  input?: unknown;
  expected?: unknown;
  actual?: unknown;
  stdout?: string | null;
  stderr?: string | null;
  message?: string | null;
  time_ms?: number | null;
};

export type ExecutionResult = {
  id: string;
  language: string;
  language_version: string;
  status: string | null;
  state: string;
  compile: { status: string; output: string; time_ms: number } | null;
  run: RunResult | null;
  tests: TestResult[];
  passed: number;
  total: number;
  mode: string | null;
};
