/**
 * The microphone: getUserMedia (echo cancellation on, so the interviewer's voice from the
 * speakers is not heard as the candidate barging in) into the AudioWorklet that resamples
 * to 16 kHz and posts 20 ms PCM16 frames. What can go wrong is told apart, because the
 * candidate can fix some of it (a denied permission, no microphone plugged in) and not the
 * rest (a browser without AudioWorklet, or a page that is not https).
 */
import type { MicMessage } from "./mic-worklet";

export type MicProblem = "denied" | "no-microphone" | "busy" | "unsupported" | "failed";

export class MicError extends Error {
  constructor(
    readonly problem: MicProblem,
    message: string,
  ) {
    super(message);
  }
}

export const MIC_CONSTRAINTS: MediaStreamConstraints = {
  audio: { echoCancellation: true, noiseSuppression: true, autoGainControl: true, channelCount: 1 },
  video: false,
};

/** The message a candidate reads for a failed getUserMedia (DOMException names). */
export function explain(error: unknown): MicError {
  if (error instanceof MicError) return error;
  const name = error instanceof Error ? error.name : "";
  if (name === "NotAllowedError" || name === "SecurityError" || name === "PermissionDeniedError") {
    return new MicError("denied", "Microphone access was denied. Allow the microphone for this site (the icon in the address bar), then start voice again. Everything else in the room works without it.");
  }
  if (name === "NotFoundError" || name === "OverconstrainedError" || name === "DevicesNotFoundError") {
    return new MicError("no-microphone", "No microphone was found. Plug one in, then start voice again. Everything else in the room works without it.");
  }
  if (name === "NotReadableError" || name === "AbortError") {
    return new MicError("busy", "The microphone is in use by another application or could not start. Close it there, then start voice again.");
  }
  const detail = error instanceof Error ? error.message : String(error);
  return new MicError("failed", `The microphone could not start (${detail}). Everything else in the room works without it.`);
}

export class Microphone {
  private constructor(
    private readonly stream: MediaStream,
    private readonly source: MediaStreamAudioSourceNode,
    private readonly node: AudioWorkletNode,
  ) {}

  /** Ask for the microphone and start the worklet; throws a MicError saying what went wrong. */
  static async open(context: AudioContext, workletUrl: string, onMessage: (message: MicMessage) => void): Promise<Microphone> {
    if (!navigator.mediaDevices?.getUserMedia) {
      throw new MicError("unsupported", "This browser cannot share a microphone with this page (it needs a secure https address). Voice is off; everything else in the room works.");
    }
    if (!context.audioWorklet) {
      throw new MicError("unsupported", "This browser lacks AudioWorklet, which voice needs. Voice is off; everything else in the room works.");
    }
    let stream: MediaStream;
    try {
      stream = await navigator.mediaDevices.getUserMedia(MIC_CONSTRAINTS);
    } catch (error) {
      throw explain(error);
    }
    try {
      await context.audioWorklet.addModule(workletUrl);
      const source = context.createMediaStreamSource(stream);
      // no outputs: the node is pulled by its input alone and never reaches the speakers
      const node = new AudioWorkletNode(context, "interviewkit-mic", { numberOfInputs: 1, numberOfOutputs: 0, channelCount: 1, channelCountMode: "explicit" });
      node.port.onmessage = (event: MessageEvent<MicMessage>) => onMessage(event.data);
      source.connect(node);
      return new Microphone(stream, source, node);
    } catch (error) {
      for (const track of stream.getTracks()) track.stop();
      throw explain(error);
    }
  }

  /** A muted microphone sends silence to nobody: its track is disabled. */
  set enabled(on: boolean) {
    for (const track of this.stream.getAudioTracks()) track.enabled = on;
  }

  close(): void {
    this.node.port.onmessage = null;
    this.source.disconnect();
    for (const track of this.stream.getTracks()) track.stop();
  }
}
