/**
 * The live captions as data: the candidate's running partial of an utterance is replaced
 * by its next partial, then by its final line; the interviewer's lines come from what it
 * starts to say (`interviewer-speech`), so a caption appears as the voice does, and the
 * interviewer's `transcript` line of the same words does not show it twice. Pure (tested
 * in web/test/voice-captions.test.ts); the panel draws what it holds.
 */
import type { InterviewerSpeech, TranscriptLine } from "../protocol";

export type Caption = {
  key: string;
  speaker: "candidate" | "interviewer";
  text: string;
  final: boolean;
  interrupted: boolean;
};

/** Lines kept: the panel shows the recent conversation, the recording keeps all of it. */
export const MAX_CAPTIONS = 200;
/** How far back an interviewer transcript line is matched to a spoken caption. */
const MATCH_BACK = 12;

function same(a: string, b: string): boolean {
  const norm = (s: string) => s.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, " ").trim();
  return norm(a) === norm(b);
}

export class Captions {
  readonly lines: Caption[] = [];
  private counter = 0;

  /** A transcript line; returns the caption it added or changed (null: nothing to show). */
  transcript(line: TranscriptLine): Caption | null {
    if (line.speaker === "candidate") {
      const key = `c${line.utterance}`;
      const known = this.lines.find((c) => c.key === key);
      if (known) {
        if (known.final && !line.final) return null; // a late partial after the final
        known.text = line.text;
        known.final = line.final;
        return known;
      }
      if (!line.text.trim()) return null;
      return this.add({ key, speaker: "candidate", text: line.text, final: line.final, interrupted: false });
    }
    const recent = this.lines.slice(-MATCH_BACK);
    const spoken = recent.find((c) => c.speaker === "interviewer" && same(c.text, line.text));
    if (spoken) return null;
    if (!line.text.trim()) return null;
    this.counter += 1;
    return this.add({ key: `t${this.counter}`, speaker: "interviewer", text: line.text, final: true, interrupted: false });
  }

  /** The interviewer starts saying something. */
  speech(message: InterviewerSpeech): Caption | null {
    if (!message.text.trim()) return null;
    return this.add({ key: `s${message.speech}-${++this.counter}`, speaker: "interviewer", text: message.text, final: true, interrupted: false });
  }

  /** A speech was cut off (the candidate barged in): its caption says so. */
  flushed(speech: number): Caption | null {
    const prefix = `s${speech}-`;
    for (let i = this.lines.length - 1; i >= 0; i--) {
      if (this.lines[i].key.startsWith(prefix)) {
        this.lines[i].interrupted = true;
        return this.lines[i];
      }
    }
    return null;
  }

  private add(caption: Caption): Caption {
    this.lines.push(caption);
    if (this.lines.length > MAX_CAPTIONS) this.lines.splice(0, this.lines.length - MAX_CAPTIONS);
    return caption;
  }
}
