/**
 * Playing the interviewer's voice: each `interviewer-speech` is followed by PCM16 frames
 * of that speech; they are scheduled back to back on the audio clock (no gap, no overlap)
 * once a small jitter buffer has filled, so a frame arriving a little late does not cut
 * the voice. `flush` (barge-in, "stop talking") stops a speech at once, and what was
 * queued after it, and drops its frames still on the way.
 *
 * The scheduling is pure over an `AudioOut` (the audio clock and "play this at t"), so it
 * is tested in node (web/test/voice-playback.test.ts); `WebAudioOut` is the browser's.
 */

export interface Playing {
  stop(): void;
}

export interface AudioOut {
  /** The audio clock, seconds. */
  now(): number;
  /** Play `pcm` (mono PCM16 at `sampleRate`) starting at `at` on the audio clock. */
  play(pcm: Int16Array, sampleRate: number, at: number): Playing;
}

/** Audio buffered before a speech starts: absorbs the network's jitter. */
export const JITTER_S = 0.08;
/** How far ahead of the clock a chunk is scheduled when nothing is queued. */
export const LEAD_S = 0.02;
/** Flushed speech ids remembered, to drop their late frames. */
const FLUSHED_KEPT = 64;

type Scheduled = { at: number; end: number; playing: Playing };

class Speech {
  pending: Int16Array[] = [];
  pendingSamples = 0;
  started = false;
  done = false;
  lastSeq = -1;
  scheduled: Scheduled[] = [];

  constructor(
    readonly id: number,
    readonly sampleRate: number,
  ) {}

  get end(): number {
    return this.scheduled.length ? this.scheduled[this.scheduled.length - 1].end : 0;
  }
}

export class SpeechPlayer {
  private readonly speeches = new Map<number, Speech>();
  private readonly flushed: number[] = [];
  private nextTime = 0;

  constructor(
    private readonly out: AudioOut,
    private readonly jitterS = JITTER_S,
    private readonly leadS = LEAD_S,
  ) {}

  /** A new speech: its frames follow. */
  begin(id: number, sampleRate: number): void {
    this.prune();
    this.speeches.set(id, new Speech(id, sampleRate));
  }

  /** A frame of speech `id`; `last` ends it. Frames of unknown or flushed speeches are dropped. */
  frame(id: number, seq: number, pcm: Int16Array, last: boolean): void {
    const speech = this.speeches.get(id);
    if (!speech || this.isFlushed(id) || seq <= speech.lastSeq) return;
    speech.lastSeq = seq;
    if (pcm.length) {
      speech.pending.push(pcm);
      speech.pendingSamples += pcm.length;
    }
    speech.done ||= last;
    if (!speech.started && (speech.pendingSamples / speech.sampleRate >= this.jitterS || speech.done)) speech.started = true;
    if (speech.started) this.drain(speech);
  }

  /** Stop speech `id` now, and every speech that began after it; drop their late frames. */
  flush(id: number): void {
    let found = false;
    for (const speech of this.speeches.values()) {
      found ||= speech.id === id;
      if (found) this.stop(speech);
    }
    if (!found) this.remember(id); // flushed before it began: its frames are dropped
    this.nextTime = 0;
  }

  /** Stop everything (voice stopped, the page goes away). */
  stopAll(): void {
    for (const speech of this.speeches.values()) this.stop(speech);
    this.nextTime = 0;
  }

  /** True while some speech is audible or about to be. */
  get speaking(): boolean {
    const now = this.out.now();
    for (const speech of this.speeches.values()) {
      if (this.isFlushed(speech.id)) continue;
      if (speech.end > now || (!speech.done && speech.started) || speech.pending.length) return true;
    }
    return false;
  }

  isFlushed(id: number): boolean {
    return this.flushed.includes(id);
  }

  private drain(speech: Speech): void {
    for (const pcm of speech.pending) {
      const at = Math.max(this.nextTime, this.out.now() + this.leadS);
      const end = at + pcm.length / speech.sampleRate;
      speech.scheduled.push({ at, end, playing: this.out.play(pcm, speech.sampleRate, at) });
      this.nextTime = end;
    }
    speech.pending = [];
    speech.pendingSamples = 0;
  }

  private stop(speech: Speech): void {
    for (const item of speech.scheduled) item.playing.stop();
    speech.scheduled = [];
    speech.pending = [];
    speech.pendingSamples = 0;
    this.speeches.delete(speech.id);
    this.remember(speech.id);
  }

  private remember(id: number): void {
    if (this.flushed.includes(id)) return;
    this.flushed.push(id);
    if (this.flushed.length > FLUSHED_KEPT) this.flushed.shift();
  }

  /** Forget speeches that ended: the map holds only what may still play. */
  private prune(): void {
    const now = this.out.now();
    for (const [id, speech] of this.speeches) if (speech.done && !speech.pending.length && speech.end <= now) this.speeches.delete(id);
  }
}

/** The browser's audio output: one AudioBufferSourceNode per chunk, on the context's clock. */
export class WebAudioOut implements AudioOut {
  constructor(private readonly context: AudioContext) {}

  now(): number {
    return this.context.currentTime;
  }

  play(pcm: Int16Array, sampleRate: number, at: number): Playing {
    const buffer = this.context.createBuffer(1, pcm.length, sampleRate);
    const data = buffer.getChannelData(0);
    for (let i = 0; i < pcm.length; i++) data[i] = pcm[i] / 32768;
    const source = this.context.createBufferSource();
    source.buffer = buffer;
    source.connect(this.context.destination);
    source.start(at);
    return {
      stop: () => {
        try {
          source.stop();
        } catch {
          // already stopped
        }
        source.disconnect();
      },
    };
  }
}
