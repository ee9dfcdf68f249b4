// The editing protocol as a model: clients typing into one file over reordered delivery,
// dropped connections (resumed, or welcomed afresh) and whole-file writes by staff,
// against a server that applies an edit only at its base version (as docs/live-protocol.md
// says). Whatever the interleaving, every client ends with the server's text and no
// character anyone typed is lost.
import assert from "node:assert/strict";
import { test } from "node:test";

import fc from "fast-check";

import type { EditOp, OpResult, StoredEvent } from "../src/protocol";
import { FileSync, type SyncHost } from "../src/sync";

type ToServer = { id: string; ops: EditOp[] };
type ToClient = { kind: "ack"; re: string; results: OpResult[] } | { kind: "event"; event: StoredEvent };

const FILE = "/solution.py";

class Server {
  text = "1\n2\n";
  version = 1;
  clients: Client[] = [];
  private stored = new Map<string, OpResult>();

  receive(from: Client, message: ToServer): void {
    const results = message.ops.map((op, index) => this.apply(`${message.id}:${index}`, op));
    from.inbox.push({ kind: "ack", re: message.id, results });
  }

  /** A whole-file write through the files API (staff): here it adds a line at the top. */
  write(): void {
    this.text = `#\n${this.text}`;
    this.version += 1;
    const event: StoredEvent = { type: "file_written", file: FILE, content: this.text, version: this.version };
    for (const client of this.clients) client.inbox.push({ kind: "event", event });
  }

  private apply(id: string, op: EditOp): OpResult {
    const seen = this.stored.get(id);
    if (seen) return { ...seen, status: "duplicate" };
    if (op.base_version !== this.version) {
      return { status: "rejected", reason: `version_mismatch: at ${this.version}, not ${op.base_version}` };
    }
    const points = [...this.text];
    points.splice(op.offset, op.delete, ...op.insert);
    this.text = points.join("");
    this.version += 1;
    const result: OpResult = { status: "stored", version: this.version };
    this.stored.set(id, result);
    const event: StoredEvent = { type: "edit", id, file: op.file, offset: op.offset, delete: op.delete, insert: op.insert, version: this.version };
    for (const client of this.clients) client.inbox.push({ kind: "event", event });
    return result;
  }
}

class Client implements SyncHost {
  inbox: ToClient[] = [];
  outbox: ToServer[] = [];
  online = true;
  sync: FileSync;
  private counter = 0;

  constructor(readonly clientId: string, server: Server) {
    this.sync = new FileSync(FILE, server.text, server.version, this, () => []);
  }

  nextId(): string {
    this.counter += 1;
    return `${this.clientId}-${this.counter}`;
  }

  send(message: { id: string; ops: EditOp[] }): boolean {
    if (!this.online) return false;
    this.outbox.push({ id: message.id, ops: message.ops });
    return true;
  }

  changed(): void {}
  report(text: string): void {
    throw new Error(`unexpected report: ${text}`);
  }
  resync(): void {
    throw new Error("unexpected resync");
  }

  type(at: number, insert: string): void {
    const doc = this.sync.current.doc;
    const pos = at % (doc.length + 1);
    // never between the two halves of a surrogate pair
    const before = doc.sliceString(0, pos);
    const safe = /[\uD800-\uDBFF]$/.test(before) ? pos - 1 : pos;
    this.sync.local(this.sync.current.update({ changes: { from: safe, insert } }));
  }

  deliver(): void {
    const message = this.inbox.shift();
    if (!message) return;
    if (message.kind === "ack") this.sync.ack(message.re, message.results);
    else this.sync.receive(message.event);
  }
}

type Step =
  | { kind: "type"; client: number; at: number }
  | { kind: "toServer"; client: number }
  | { kind: "toClient"; client: number }
  | { kind: "drop"; client: number }
  | { kind: "write" }
  | { kind: "fresh"; client: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant("type" as const), client: fc.nat(2), at: fc.nat() }),
  fc.record({ kind: fc.constant("toServer" as const), client: fc.nat(2) }),
  fc.record({ kind: fc.constant("toClient" as const), client: fc.nat(2) }),
  fc.record({ kind: fc.constant("drop" as const), client: fc.nat(2) }),
  fc.constant({ kind: "write" as const }),
  fc.record({ kind: fc.constant("fresh" as const), client: fc.nat(2) }),
);

const LETTERS = ["a", "b", "😀"];

function count(text: string, char: string): number {
  return [...text].filter((c) => c === char).length;
}

void test("clients typing concurrently converge on the server's text and lose nothing", () => {
  fc.assert(fc.property(fc.array(step, { maxLength: 120 }), run), { numRuns: 300 });
});

function run(steps: Step[]): void {
  const server = new Server();
  const clients = LETTERS.map((_, i) => new Client(`c${i}`, server));
  server.clients = clients;
  const typed = LETTERS.map(() => 0);
  for (const s of steps) {
    if (s.kind === "write") {
      server.write();
      continue;
    }
    const client = clients[s.client];
    if (s.kind === "type") {
      client.type(s.at, LETTERS[s.client]);
      typed[s.client] += 1;
    } else if (s.kind === "toServer") {
      const message = client.outbox.shift();
      if (message) server.receive(client, message);
    } else if (s.kind === "toClient") {
      client.deliver();
    } else if (s.kind === "fresh") {
      // reconnected too late to resume: a welcome with the workspace instead of the
      // events missed, then the message in flight again with its id
      client.outbox = [];
      client.inbox = [];
      client.sync.welcome(server.text, server.version);
      client.sync.resend();
    } else {
      // the connection drops: what was in transit is lost; on reconnect the client
      // catches up from the log (here: the events it had not read are still queued)
      // and re-sends its message in flight with the same id
      client.outbox = [];
      client.inbox = client.inbox.filter((m) => m.kind === "event");
      client.sync.resend();
    }
  }
  // quiet: deliver everything until nothing moves
  for (let round = 0; round < 10_000; round++) {
    let moved = false;
    for (const client of clients) {
      const message = client.outbox.shift();
      if (message) {
        server.receive(client, message);
        moved = true;
      }
      if (client.inbox.length) {
        client.deliver();
        moved = true;
      }
    }
    if (!moved) break;
  }
  for (const [i, client] of clients.entries()) {
    assert.equal(client.sync.text, server.text, `client ${i} converged`);
    assert.equal(client.sync.dirty, false, `client ${i} has nothing unsent`);
  }
  LETTERS.forEach((letter, i) => assert.equal(count(server.text, letter), typed[i], `every ${letter} typed is stored`));
}
