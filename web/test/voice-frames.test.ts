// The binary audio-chunk frames, byte for byte as live/protocol.py packs them (run by `npm test`).
import assert from "node:assert/strict";
import { test } from "node:test";

import fc from "fast-check";

import { AUDIO_FROM_CLIENT, AUDIO_FROM_SERVER, AUDIO_LAST, packAudio, unpackAudio } from "../src/voice/frames";

void test("a frame is the server's struct '>BBHI' then little-endian PCM16", () => {
  // python: pack_audio(1, 258, np.array([1, -2], np.int16).tobytes(), speech=0, flags=0)
  const frame = new Uint8Array(packAudio(AUDIO_FROM_CLIENT, 258, Int16Array.of(1, -2)));
  assert.deepEqual([...frame], [1, 0, 0, 0, 0, 0, 1, 2, 1, 0, 0xfe, 0xff]);
  // python: pack_audio(2, 0x01020304, b"", speech=0xbeef, flags=AUDIO_LAST)
  const last = new Uint8Array(packAudio(AUDIO_FROM_SERVER, 0x01020304, new Int16Array(0), 0xbeef, AUDIO_LAST));
  assert.deepEqual([...last], [2, 1, 0xbe, 0xef, 1, 2, 3, 4]);
});

void test("what is packed unpacks to the same chunk", () => {
  fc.assert(
    fc.property(
      fc.constantFrom(AUDIO_FROM_CLIENT, AUDIO_FROM_SERVER),
      fc.integer({ min: 0, max: 2 ** 32 - 1 }),
      fc.integer({ min: 0, max: 0xffff }),
      fc.integer({ min: 0, max: 255 }),
      fc.array(fc.integer({ min: -32768, max: 32767 }), { maxLength: 2000 }),
      (kind, seq, speech, flags, samples) => {
        const chunk = unpackAudio(packAudio(kind, seq, Int16Array.from(samples), speech, flags));
        assert.ok(chunk);
        assert.deepEqual({ ...chunk, pcm: [...chunk.pcm] }, { kind, seq, speech, flags, pcm: samples });
      },
    ),
  );
});

void test("sequence numbers wrap at 2^32 as the server's do", () => {
  const chunk = unpackAudio(packAudio(AUDIO_FROM_CLIENT, 2 ** 32 + 5, new Int16Array(0)));
  assert.equal(chunk?.seq, 5);
});

void test("a short, odd-sized or unknown frame is refused, never misread", () => {
  assert.equal(unpackAudio(new ArrayBuffer(7)), null);
  assert.equal(unpackAudio(new ArrayBuffer(9)), null);
  const unknown = new Uint8Array(packAudio(AUDIO_FROM_CLIENT, 1, Int16Array.of(1)));
  unknown[0] = 9;
  assert.equal(unpackAudio(unknown.buffer), null);
});
