// The voice interview's recorded events as the staff pages list them (run by `npm test`).
import assert from "node:assert/strict";
import { test } from "node:test";

import fc from "fast-check";

import { audioKeys, lineAt, loadVoice, voiceLine, type VoiceRecord } from "../src/voice/log";

void test("each voice event becomes its line; other events none", () => {
  const said = voiceLine({ seq: 3, t_ms: 5000, type: "transcript", speaker: "candidate", text: " could you repeat the question ", start_ms: 4200, utterance: 2 });
  assert.deepEqual(said, { kind: "said", seq: 3, t_ms: 4200, speaker: "candidate", text: "could you repeat the question", utterance: 2 });
  const command = voiceLine({ seq: 4, t_ms: 5100, type: "voice_command", command: "run", said: "run my code", outcome: "2 of 3 tests pass" });
  assert.equal(command?.kind, "command");
  assert.match(command?.kind === "command" ? command.text : "", /run the code.*run my code.*2 of 3 tests pass/);
  const turn = voiceLine({ seq: 5, t_ms: 5200, type: "voice_turn", utterance: 2, end_of_turn_ms: 410, stt_final_ms: 520, first_token_ms: 530, first_audio_ms: 760.4, barge_in: true });
  assert.equal(turn?.kind === "turn" && turn.first_audio_ms, 760);
  assert.match(turn?.kind === "turn" ? turn.text : "", /760 ms.*cut in/);
  assert.equal(voiceLine({ seq: 6, t_ms: 1, type: "edit" }), null);
  assert.equal(voiceLine({ seq: 7, t_ms: 1, type: "transcript", speaker: "candidate", text: "  " }), null);
});

void test("the turns with kept audio are known by utterance and speaker", () => {
  const lines = [
    voiceLine({ seq: 1, t_ms: 10, type: "voice_audio", speaker: "candidate", utterance: 1, key: "k", start_ms: 8, duration_ms: 900 }),
    voiceLine({ seq: 2, t_ms: 20, type: "voice_audio", speaker: "interviewer", utterance: 1, key: "k2", start_ms: 15, duration_ms: 700 }),
  ].filter((l) => l !== null);
  assert.deepEqual([...audioKeys(lines)].sort(), ["1:candidate", "1:interviewer"]);
});

void test("lineAt finds the last line said at or before a moment", () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 0, max: 10_000 })), fc.integer({ min: -10, max: 10_010 }), (times, t) => {
      const lines = [...times].sort((a, b) => a - b).map((t_ms) => ({ t_ms }));
      const index = lineAt(lines, t);
      const expected = lines.reduce((found, line, i) => (line.t_ms <= t ? i : found), -1);
      assert.equal(index, expected);
    }),
  );
});

void test("loadVoice reads every page and keeps only the voice, in time order", async () => {
  const log: VoiceRecord[] = [];
  for (let seq = 1; seq <= 45; seq++) {
    const type = seq % 3 === 0 ? "transcript" : seq % 5 === 0 ? "voice_command" : "edit";
    log.push({ seq, t_ms: 1000 * (50 - seq), type, speaker: "interviewer", text: `line ${seq}`, command: "hint" });
  }
  const asked: number[] = [];
  const lines = await loadVoice((from) => {
    asked.push(from);
    const events = log.filter((e) => e.seq >= from).slice(0, 10);
    const next = events.length === 10 ? events[events.length - 1].seq + 1 : null;
    return Promise.resolve({ events, next_from_seq: next });
  });
  assert.deepEqual(asked, [1, 11, 21, 31, 41]);
  assert.equal(lines.length, log.filter((e) => e.type !== "edit").length);
  for (let i = 1; i < lines.length; i++) assert.ok(lines[i - 1].t_ms <= lines[i].t_ms);
});
