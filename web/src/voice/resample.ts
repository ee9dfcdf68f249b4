/**
 * The microphone's audio from the AudioContext's rate (48 kHz, 44.1 kHz, ...) to the
 * 16 kHz the speech engines take, and cut into 20 ms PCM16 frames. Pure and streaming:
 * the AudioWorklet (mic-worklet.ts) feeds it 128-sample blocks; tested in
 * web/test/voice-resample.test.ts.
 *
 * Why a windowed sinc and not linear interpolation: dropping from 48 kHz to 16 kHz folds
 * everything between 8 and 24 kHz (fans, keyboard clicks, sibilants) back into the speech
 * band unless it is filtered out first; linear interpolation filters almost nothing. The
 * rates are integers, so the ratio is rational (up/down after dividing by their gcd) and
 * every output sample falls on one of `up` phases: a table of `up` Blackman-windowed sinc
 * kernels, each normalised to sum 1 (a constant comes out unchanged), is computed once.
 */

/** Zero crossings of the sinc on each side: the filter's sharpness (and its cost). */
const ZERO_CROSSINGS = 8;
/** The passband edge as a share of the lower Nyquist: leaves room for the transition. */
const PASSBAND = 0.9;

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

function blackman(x: number): number {
  // x in [-1, 1]
  const t = (x + 1) / 2;
  return 0.42 - 0.5 * Math.cos(2 * Math.PI * t) + 0.08 * Math.cos(4 * Math.PI * t);
}

function sinc(x: number): number {
  if (x === 0) return 1;
  const px = Math.PI * x;
  return Math.sin(px) / px;
}

/** A streaming resampler: `process` takes any number of input samples, returns the output due. */
export class Resampler {
  readonly up: number;
  readonly down: number;
  /** Kernel half-width, in input samples. */
  readonly half: number;
  private readonly taps: number;
  private readonly table: Float32Array[];
  /** Input samples not yet consumed, preceded by the `half` samples of history. */
  private buffer: Float32Array;
  private filled: number;
  /** The next output sample's position, as (integer input index, phase out of `up`). */
  private index: number;
  private phase = 0;

  constructor(
    readonly rateIn: number,
    readonly rateOut: number,
  ) {
    if (!(Number.isInteger(rateIn) && Number.isInteger(rateOut) && rateIn > 0 && rateOut > 0)) {
      throw new RangeError(`sample rates are positive integers, not ${rateIn} -> ${rateOut}`);
    }
    const g = gcd(rateIn, rateOut);
    this.up = rateOut / g;
    this.down = rateIn / g;
    // cutoff in cycles per input sample, and the kernel width that gives it ZERO_CROSSINGS
    const cutoff = (PASSBAND * Math.min(rateIn, rateOut)) / (2 * rateIn);
    this.half = Math.ceil(ZERO_CROSSINGS / (2 * cutoff));
    this.taps = 2 * this.half;
    this.table = [];
    for (let p = 0; p < this.up; p++) this.table.push(this.kernel(p / this.up, cutoff));
    this.buffer = new Float32Array(Math.max(4096, 4 * this.taps));
    // start with `half` samples of silence before the first input sample: output 0 is at
    // input time 0 (no delay), and the buffer's index 0 is input sample -half
    this.filled = this.half;
    this.index = this.half;
  }

  /** Taps for an output at `frac` past an input sample: tap j weighs input (i - half + 1 + j). */
  private kernel(frac: number, cutoff: number): Float32Array {
    const row = new Float32Array(this.taps);
    let sum = 0;
    for (let j = 0; j < this.taps; j++) {
      const x = frac - (j - this.half + 1); // distance from the output to the tap, in input samples
      const weight = Math.abs(x) >= this.half ? 0 : 2 * cutoff * sinc(2 * cutoff * x) * blackman(x / this.half);
      row[j] = weight;
      sum += weight;
    }
    for (let j = 0; j < this.taps; j++) row[j] /= sum;
    return row;
  }

  /** The output samples that `input` (the next samples of the stream) completes. */
  process(input: Float32Array): Float32Array {
    this.append(input);
    const out: number[] = [];
    // output at (index + phase/up) needs inputs index-half+1 .. index+half
    while (this.index + this.half < this.filled) {
      const row = this.table[this.phase];
      const start = this.index - this.half + 1;
      let acc = 0;
      for (let j = 0; j < this.taps; j++) acc += row[j] * this.buffer[start + j];
      out.push(acc);
      this.phase += this.down;
      this.index += Math.floor(this.phase / this.up);
      this.phase %= this.up;
    }
    this.compact();
    return Float32Array.from(out);
  }

  private append(input: Float32Array): void {
    if (this.filled + input.length > this.buffer.length) {
      const grown = new Float32Array(Math.max(2 * this.buffer.length, this.filled + input.length));
      grown.set(this.buffer.subarray(0, this.filled));
      this.buffer = grown;
    }
    this.buffer.set(input, this.filled);
    this.filled += input.length;
  }

  /** Drop the samples no future output reads (keeps the buffer small and its indices low). */
  private compact(): void {
    const keep = this.index - this.half + 1;
    if (keep <= 0) return;
    this.buffer.copyWithin(0, keep, this.filled);
    this.filled -= keep;
    this.index -= keep;
  }
}

/** Float samples in [-1, 1] to PCM16, clipped (a clipped peak beats a wrapped one). */
export function toPcm16(samples: Float32Array): Int16Array {
  const out = new Int16Array(samples.length);
  for (let i = 0; i < samples.length; i++) {
    const s = Math.max(-1, Math.min(1, samples[i]));
    out[i] = Math.round(s * 32767);
  }
  return out;
}

/** Cuts a stream of samples into frames of exactly `size` PCM16 samples. */
export class Framer {
  private pending: Int16Array;
  private count = 0;

  constructor(readonly size: number) {
    this.pending = new Int16Array(size);
  }

  /** The whole frames `samples` completes (the rest waits for the next call). */
  push(samples: Float32Array): Int16Array[] {
    const pcm = toPcm16(samples);
    const frames: Int16Array[] = [];
    let offset = 0;
    while (offset < pcm.length) {
      const take = Math.min(this.size - this.count, pcm.length - offset);
      this.pending.set(pcm.subarray(offset, offset + take), this.count);
      this.count += take;
      offset += take;
      if (this.count === this.size) {
        frames.push(this.pending);
        this.pending = new Int16Array(this.size);
        this.count = 0;
      }
    }
    return frames;
  }
}

/** Root mean square of a block: the panel's microphone level. */
export function rms(samples: Float32Array): number {
  if (!samples.length) return 0;
  let sum = 0;
  for (const s of samples) sum += s * s;
  return Math.sqrt(sum / samples.length);
}
