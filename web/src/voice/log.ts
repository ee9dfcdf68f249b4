/**
 * The voice interview as the staff pages show it: the recorded events `transcript`,
 * `voice_command`, `voice_turn` and `voice_audio` turned into lines for the live view
 * and the replay player. Pure (tested in web/test/voice-log.test.ts) except `loadVoice`,
 * which reads them from the event log a page at a time.
 */

/** What a stored event carries (the envelope and the fields read here). */
export type VoiceRecord = { seq: number; t_ms: number; type: string; [key: string]: unknown };

export type VoiceLine =
  | { kind: "said"; seq: number; t_ms: number; speaker: string; text: string; utterance: number | null }
  | { kind: "command"; seq: number; t_ms: number; command: string; said: string | null; outcome: string; text: string }
  | { kind: "turn"; seq: number; t_ms: number; utterance: number; text: string; first_audio_ms: number; barge_in: boolean }
  | { kind: "audio"; seq: number; t_ms: number; speaker: string; utterance: number; duration_ms: number };

export const VOICE_EVENT_TYPES = new Set(["transcript", "voice_command", "voice_turn", "voice_audio"]);
/** The events API's `types` filter for them: a long session's edits are not read. */
export const VOICE_TYPES = [...VOICE_EVENT_TYPES].join(",");

const COMMAND_TEXT: Record<string, string> = {
  run: "run the code",
  submit: "submit",
  hint: "a hint",
  repeat: "the question again",
  time: "the time left",
  "stop-talking": "quiet",
};

function str(value: unknown): string {
  return typeof value === "string" ? value : "";
}

function num(value: unknown): number {
  return typeof value === "number" && Number.isFinite(value) ? value : 0;
}

/** The line of one recorded event, or null for events that are not the voice's. */
export function voiceLine(event: VoiceRecord): VoiceLine | null {
  const { seq, t_ms } = event;
  switch (event.type) {
    case "transcript": {
      const text = str(event.text).trim();
      if (!text) return null;
      const utterance = typeof event.utterance === "number" ? event.utterance : null;
      return { kind: "said", seq, t_ms: typeof event.start_ms === "number" ? event.start_ms : t_ms, speaker: str(event.speaker) || "candidate", text, utterance };
    }
    case "voice_command": {
      const command = str(event.command);
      const said = str(event.said) || null;
      const outcome = str(event.outcome);
      const asked = `Asked for ${COMMAND_TEXT[command] ?? command}${said ? ` (“${said}”)` : " (button)"}`;
      return { kind: "command", seq, t_ms, command, said, outcome, text: outcome ? `${asked}: ${outcome}` : asked };
    }
    case "voice_turn": {
      const stages = `end of turn ${Math.round(num(event.end_of_turn_ms))} ms, transcript ${Math.round(num(event.stt_final_ms))} ms, first words ${Math.round(num(event.first_token_ms))} ms`;
      const first = Math.round(num(event.first_audio_ms));
      const barge = event.barge_in === true;
      return { kind: "turn", seq, t_ms, utterance: num(event.utterance), first_audio_ms: first, barge_in: barge, text: `Answered in ${first} ms (${stages})${barge ? "; the candidate cut in" : ""}` };
    }
    case "voice_audio":
      return { kind: "audio", seq, t_ms: typeof event.start_ms === "number" ? event.start_ms : t_ms, speaker: str(event.speaker), utterance: num(event.utterance), duration_ms: num(event.duration_ms) };
    default:
      return null;
  }
}

/** Who said it, as the pages name them. */
export function speakerName(speaker: string): string {
  return speaker === "interviewer" ? "Interviewer" : speaker === "candidate" ? "Candidate" : speaker;
}

/** Keys of the turns whose audio was kept: `${utterance}:${speaker}`. */
export function audioKeys(lines: readonly VoiceLine[]): Set<string> {
  const keys = new Set<string>();
  for (const line of lines) if (line.kind === "audio") keys.add(`${line.utterance}:${line.speaker}`);
  return keys;
}

/** The index of the last line said at or before `t` (lines sorted by time), or -1. */
export function lineAt(lines: readonly { t_ms: number }[], t: number): number {
  let lo = 0;
  let hi = lines.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (lines[mid].t_ms <= t) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

export type Page = { events: VoiceRecord[]; next_from_seq: number | null };

/** Every voice line of the log, read a page at a time (the log has no filter by type). */
export async function loadVoice(page: (fromSeq: number) => Promise<Page>): Promise<VoiceLine[]> {
  const lines: VoiceLine[] = [];
  let from: number | null = 1; // the log starts at seq 1
  while (from !== null) {
    const answer: Page = await page(from);
    for (const event of answer.events) {
      if (!VOICE_EVENT_TYPES.has(event.type)) continue;
      const line = voiceLine(event);
      if (line) lines.push(line);
    }
    from = answer.next_from_seq;
  }
  return lines.sort((a, b) => a.t_ms - b.t_ms || a.seq - b.seq);
}
