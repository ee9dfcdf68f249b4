/**
 * The pure logic of recording and uploading an answer (tested in web/test/video-plan.test.ts):
 * which parts a multipart upload has and which are still missing after a failure, how
 * long to wait before a retry, which recording format this browser can make, and how a
 * countdown reads. Nothing here touches the DOM or the network, so it can be tested with
 * properties rather than a browser.
 */

/** One part of a multipart upload: bytes [start, end) of the recording, numbered from 1. */
export type PartPlan = { number: number; start: number; end: number };

/** What the server says it already holds of an upload (`GET …/uploads/{answer_id}`). */
export type ReceivedPart = { number: number; size: number };

/**
 * The parts of a `size`-byte blob cut into `partBytes` pieces (the last one shorter). S3
 * needs every part but the last to be at least 5 MiB, so the server chooses `partBytes`;
 * an empty blob still has one (empty) part, so that completing it is well defined.
 */
export function planParts(size: number, partBytes: number): PartPlan[] {
  if (!Number.isSafeInteger(size) || size < 0) throw new RangeError(`size ${size}`);
  if (!Number.isSafeInteger(partBytes) || partBytes < 1) throw new RangeError(`part size ${partBytes}`);
  const count = Math.max(1, Math.ceil(size / partBytes));
  return Array.from({ length: count }, (_, i) => ({ number: i + 1, start: i * partBytes, end: Math.min(size, (i + 1) * partBytes) }));
}

/**
 * The parts still to send: those the server does not hold, or holds with a size other
 * than planned (a part cut short by a dropped connection is sent again).
 */
export function missingParts(plan: readonly PartPlan[], received: readonly ReceivedPart[]): PartPlan[] {
  const held = new Map(received.map((part) => [part.number, part.size]));
  return plan.filter((part) => held.get(part.number) !== part.end - part.start);
}

/** Bytes of the plan the server already holds in full (for the progress bar). */
export function bytesHeld(plan: readonly PartPlan[], received: readonly ReceivedPart[]): number {
  const missing = new Set(missingParts(plan, received).map((part) => part.number));
  return plan.reduce((sum, part) => sum + (missing.has(part.number) ? 0 : part.end - part.start), 0);
}

/**
 * The wait before retry `attempt` (0 = the first retry): exponential from `baseMs`, capped
 * at `maxMs`, with "equal jitter" (half fixed, half random) so that many candidates whose
 * uploads failed together do not all retry at the same instant. `random` is in [0, 1).
 */
export function backoffMs(attempt: number, baseMs: number, maxMs: number, random: number): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt));
  return Math.round(ceiling / 2 + (ceiling / 2) * Math.min(Math.max(random, 0), 1));
}

/** Whether an HTTP failure may pass if tried again (0: the request never got an answer). */
export function retryable(status: number): boolean {
  return status === 0 || status === 408 || status === 429 || status >= 500;
}

/** A failed request: its HTTP status (0: no answer) and the API's problem code, if any. */
export class HttpFailure extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code: string = "http_error",
  ) {
    super(message);
  }
}

export type RetryOptions = {
  attempts: number;
  baseMs: number;
  maxMs: number;
  sleep: (ms: number) => Promise<void>;
  random?: () => number;
  onRetry?: (attempt: number, waitMs: number, error: unknown) => void;
};

/**
 * `run` until it succeeds, at most `attempts` times; only an {@link HttpFailure} that is
 * {@link retryable}, or an error that is not an HTTP answer at all (a network failure), is
 * tried again. The last error is thrown.
 */
export async function withRetry<T>(run: () => Promise<T>, options: RetryOptions): Promise<T> {
  const random = options.random ?? Math.random;
  for (let attempt = 0; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      const again = !(error instanceof HttpFailure) || retryable(error.status);
      if (!again || attempt + 1 >= options.attempts) throw error;
      const wait = backoffMs(attempt, options.baseMs, options.maxMs, random());
      options.onRetry?.(attempt + 1, wait, error);
      await options.sleep(wait);
    }
  }
}

/** Recording formats in order of preference: the server converts any of them to MP4. */
export const RECORDING_TYPES = [
  "video/webm;codecs=vp8,opus",
  "video/webm;codecs=vp9,opus",
  "video/webm",
  "video/mp4;codecs=avc1,mp4a",
  "video/mp4",
] as const;

/** The first format `isSupported` accepts (MediaRecorder.isTypeSupported), or null. */
export function pickRecordingType(isSupported: (type: string) => boolean): string | null {
  return RECORDING_TYPES.find((type) => isSupported(type)) ?? null;
}

/** The upload's Content-Type: the container without its codecs (`video/webm`). */
export function contentType(recordingType: string): string {
  return recordingType.split(";")[0].trim().toLowerCase();
}

/** A countdown as people read it: `0:07`, `2:00`, `1:00:05`; never negative. */
export function formatClock(seconds: number): string {
  const whole = Math.max(0, Math.ceil(Number.isFinite(seconds) ? seconds : 0));
  const hours = Math.floor(whole / 3600);
  const minutes = Math.floor((whole % 3600) / 60);
  const secs = String(whole % 60).padStart(2, "0");
  return hours ? `${hours}:${String(minutes).padStart(2, "0")}:${secs}` : `${minutes}:${secs}`;
}

/** "1.5 MB" for the upload's progress line. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}
