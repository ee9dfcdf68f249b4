// Attacks on the sandbox, in Node.js: the first stdin line names one and gives its arguments.
// Run inside the sandbox by the tests in this folder, never on the host.
"use strict";
const fs = require("fs");
const net = require("net");
const childProcess = require("child_process");

const MB = 1024 * 1024;
const say = (key, value) => fs.writeSync(1, `${key}: ${value}\n`);

const attacks = {
  fork_bomb() {
    for (;;) {
      try {
        const child = childProcess.spawn(process.execPath, [__filename, "fork_bomb"], {
          stdio: "ignore",
        });
        child.on("error", () => {});
      } catch (error) {
        // EAGAIN once the process limit is reached: keep trying
      }
    }
  },
  memory_sudden() {
    const block = Buffer.alloc(1024 * MB, 1);
    say("allocated", block.length);
  },
  memory_gradual() {
    const chunks = [];
    for (;;) {
      chunks.push(Buffer.alloc(10 * MB, 1));
      say("allocated_mb", 10 * chunks.length);
    }
  },
  busy_loop() {
    for (;;) {}
  },
  sleep() {
    setTimeout(() => {}, 3600 * 1000);
  },
  stdout_flood() {
    const line = "A".repeat(1023) + "\n";
    for (;;) fs.writeSync(1, line);
  },
  stderr_flood() {
    const line = "E".repeat(1023) + "\n";
    for (;;) fs.writeSync(2, line);
  },
  connect(port) {
    const socket = net.connect({ host: "127.0.0.1", port: Number(port) });
    socket.setTimeout(3000, () => {
      say("connect", "timeout");
      socket.destroy();
    });
    socket.on("connect", () => {
      say("connected", "yes");
      socket.destroy();
    });
    socket.on("error", (error) => say("connect", error.code));
  },
  exec_shadow() {
    try {
      const out = childProcess.execSync("cat /etc/shadow", { stdio: ["ignore", "pipe", "pipe"] });
      say("content", JSON.stringify(out.toString()));
    } catch (error) {
      say("exec", `status=${error.status} ${JSON.stringify(String(error.stderr))}`);
    }
    try {
      const out = childProcess.execFileSync("/bin/ls", ["-a", "/"]);
      say("root", JSON.stringify(out.toString().split("\n").filter(Boolean)));
    } catch (error) {
      say("ls", error.code || error.status);
    }
  },
  recursion() {
    const deeper = (depth) => deeper(depth + 1) + 1;
    deeper(0);
  },
  environment() {
    say("environ", JSON.stringify(process.env));
    for (const pid of fs.readdirSync("/proc").filter((name) => /^\d+$/.test(name))) {
      try {
        say(`proc_${pid}_environ`, JSON.stringify(fs.readFileSync(`/proc/${pid}/environ`, "latin1")));
      } catch (error) {
        say(`proc_${pid}_environ`, error.code);
      }
    }
  },
};

// children of the fork bomb get their attack as arguments, everyone else on stdin
const words =
  process.argv.length > 2
    ? process.argv.slice(2)
    : fs.readFileSync(0, "utf8").split("\n")[0].trim().split(/\s+/);
attacks[words[0]](...words.slice(1));
