/**
 * Binary `audio-chunk` frames of the live channel (live/protocol.py AUDIO_HEADER ">BBHI"):
 * an 8-byte big-endian header (kind, flags, speech, seq) then little-endian PCM16 mono.
 * Pure: packed and read with a DataView so the byte order is explicit whatever the CPU.
 */

export const AUDIO_HEADER_BYTES = 8;
/** The candidate's microphone, 16 kHz; `speech` is 0. */
export const AUDIO_FROM_CLIENT = 1;
/** The interviewer's voice, at the `sample_rate` of its `interviewer-speech`. */
export const AUDIO_FROM_SERVER = 2;
/** Flag: the last frame of a speech (its payload may be empty). */
export const AUDIO_LAST = 0x01;
export const MIC_SAMPLE_RATE = 16_000;
/** 20 ms at 16 kHz: what the microphone sends per frame. */
export const MIC_FRAME_SAMPLES = 320;

export type AudioChunk = { kind: number; flags: number; speech: number; seq: number; pcm: Int16Array };

/** One frame: header then `pcm` as little-endian samples; seq wraps at 2^32. */
export function packAudio(kind: number, seq: number, pcm: Int16Array, speech = 0, flags = 0): ArrayBuffer {
  const buffer = new ArrayBuffer(AUDIO_HEADER_BYTES + pcm.length * 2);
  const view = new DataView(buffer);
  view.setUint8(0, kind);
  view.setUint8(1, flags);
  view.setUint16(2, speech & 0xffff);
  view.setUint32(4, seq >>> 0);
  for (let i = 0; i < pcm.length; i++) view.setInt16(AUDIO_HEADER_BYTES + 2 * i, pcm[i], true);
  return buffer;
}

/** A frame from the server; null when it is not an audio-chunk of whole samples. */
export function unpackAudio(buffer: ArrayBuffer): AudioChunk | null {
  if (buffer.byteLength < AUDIO_HEADER_BYTES || (buffer.byteLength - AUDIO_HEADER_BYTES) % 2) return null;
  const view = new DataView(buffer);
  const kind = view.getUint8(0);
  if (kind !== AUDIO_FROM_CLIENT && kind !== AUDIO_FROM_SERVER) return null;
  const pcm = new Int16Array((buffer.byteLength - AUDIO_HEADER_BYTES) / 2);
  for (let i = 0; i < pcm.length; i++) pcm[i] = view.getInt16(AUDIO_HEADER_BYTES + 2 * i, true);
  return { kind, flags: view.getUint8(1), speech: view.getUint16(2), seq: view.getUint32(4), pcm };
}
