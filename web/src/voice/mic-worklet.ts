/**
 * The microphone's AudioWorklet (its own esbuild entry, bundled with no imports left:
 * a worklet module cannot share the page's chunks). It runs on the audio thread, takes
 * the 128-sample blocks at the context's rate, resamples them to 16 kHz and posts 20 ms
 * PCM16 frames (transferred, not copied) and, every 100 ms, the input level for the meter.
 */
import { MIC_FRAME_SAMPLES, MIC_SAMPLE_RATE } from "./frames";
import { Framer, Resampler, rms } from "./resample";

// the AudioWorkletGlobalScope's names (TypeScript's DOM library does not declare them)
declare const sampleRate: number;
declare class AudioWorkletProcessor {
  readonly port: MessagePort;
}
declare function registerProcessor(name: string, processor: new () => AudioWorkletProcessor): void;

/** What the processor posts to the page. */
export type MicMessage = { type: "frame"; pcm: Int16Array } | { type: "level"; rms: number };

const LEVEL_EVERY_FRAMES = 5;

class MicProcessor extends AudioWorkletProcessor {
  private readonly resampler = new Resampler(sampleRate, MIC_SAMPLE_RATE);
  private readonly framer = new Framer(MIC_FRAME_SAMPLES);
  private frames = 0;
  private level = 0;

  process(inputs: Float32Array[][]): boolean {
    const channels = inputs[0];
    if (!channels || channels.length === 0) return true; // no input connected (yet)
    const mono = channels.length === 1 ? channels[0] : mix(channels);
    this.level = Math.max(this.level, rms(mono));
    for (const pcm of this.framer.push(this.resampler.process(mono))) {
      this.port.postMessage({ type: "frame", pcm } satisfies MicMessage, [pcm.buffer]);
      if (++this.frames % LEVEL_EVERY_FRAMES === 0) {
        this.port.postMessage({ type: "level", rms: this.level } satisfies MicMessage);
        this.level = 0;
      }
    }
    return true;
  }
}

function mix(channels: Float32Array[]): Float32Array {
  const out = new Float32Array(channels[0].length);
  for (const channel of channels) for (let i = 0; i < out.length; i++) out[i] += channel[i] / channels.length;
  return out;
}

registerProcessor("interviewkit-mic", MicProcessor);
