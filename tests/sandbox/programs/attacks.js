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
  // ---- warm pools: what one run may leave for the next, and what a run may find ----------
  leave(marker) {
    for (const folder of LEFT_FOLDERS) {
      try {
        fs.writeFileSync(`${folder}/${marker}`, marker);
        say(`file ${folder}`, "ok");
      } catch (error) {
        say(`file ${folder}`, error.code);
      }
    }
    // a detached process that ignores the polite signals
    const beat = `/tmp/${marker}-process`;
    const code = `for (const s of ["SIGTERM", "SIGHUP"]) process.on(s, () => {});
      setInterval(() => require("fs").writeFileSync(${JSON.stringify(beat)}, String(Date.now())), 50);`;
    childProcess.spawn(process.execPath, ["-e", code], { detached: true, stdio: "ignore" }).unref();
    setInterval(() => fs.writeFileSync(`/tmp/${marker}-timer`, String(Date.now())), 10).unref();
    globalThis.IK_LEFT = marker;
    Object.prototype.ikLeft = marker; // eslint-disable-line no-extend-native
    require("fs").ikLeft = marker;
    process.env.IK_LEFT = marker;
    process.on("SIGTERM", () => {});
    const held = fs.openSync(`/tmp/${marker}-fd`, "w");
    say("left", `${marker} fd=${held}`);
  },
  look(marker) {
    const found = [];
    for (const folder of LEFT_FOLDERS) {
      try {
        found.push(...fs.readdirSync(folder).filter((name) => name.includes(marker)));
      } catch (error) {
        // a folder that is not there holds nothing
      }
    }
    say("found_files", `[${found.sort().join(", ")}]`);
    const leftovers = [];
    if (globalThis.IK_LEFT !== undefined) leftovers.push("global");
    if ({}.ikLeft !== undefined) leftovers.push("Object.prototype");
    if (require("fs").ikLeft !== undefined) leftovers.push("module");
    if (process.env.IK_LEFT !== undefined) leftovers.push("env");
    if (process.listenerCount("SIGTERM") > 0) leftovers.push("handler SIGTERM");
    for (const fd of fs.readdirSync("/proc/self/fd")) {
      try {
        if (fs.readlinkSync(`/proc/self/fd/${fd}`).includes(marker)) leftovers.push(`fd ${fd}`);
      } catch (error) {
        // the listing's own descriptor, closed by now
      }
    }
    say("leftovers", `[${leftovers.join(", ")}]`);
    say("processes", pids().length);
  },
  fds() {
    const result = process.env.IK_RESULT_FD;
    for (const pid of pids()) {
      let names;
      try {
        names = fs.readdirSync(`/proc/${pid}/fd`);
      } catch (error) {
        say(`fds_${pid}`, error.code);
        continue;
      }
      for (const name of names) {
        if (String(pid) === String(process.pid) && (Number(name) <= 2 || name === result)) {
          continue;
        }
        const link = `/proc/${pid}/fd/${name}`;
        let target;
        try {
          target = fs.readlinkSync(link);
        } catch (error) {
          continue;
        }
        const streaming = /^(pipe|socket|anon_inode):/.test(target);
        say(`fd_${pid}_${name}`, `${target} ${streaming ? drain(link) : "file"}`);
      }
    }
  },
  kill_all() {
    try {
      process.kill(-1, "SIGKILL");
      say("kill", "sent");
    } catch (error) {
      say("kill", error.code);
    }
    say("survived", "yes");
  },
};

const LEFT_FOLDERS = ["/tmp", "/work", "/dev/shm"];

function pids() {
  return fs.readdirSync("/proc").filter((name) => /^\d+$/.test(name)).map(Number);
}

function drain(link) {
  let fd;
  try {
    fd = fs.openSync(link, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  } catch (error) {
    return error.code;
  }
  try {
    return `read=${fs.readSync(fd, Buffer.alloc(1 << 20))}`;
  } catch (error) {
    return error.code;
  } finally {
    fs.closeSync(fd);
  }
}

// children of the fork bomb get their attack as arguments, everyone else on stdin
const words =
  process.argv.length > 2
    ? process.argv.slice(2)
    : fs.readFileSync(0, "utf8").split("\n")[0].trim().split(/\s+/);
attacks[words[0]](...words.slice(1));
