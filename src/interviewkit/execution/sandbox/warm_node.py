"""The warm Node.js runtime: node started in its sandbox, waiting for its program.

A cold run is ``node <V8 flags> --require=/work/__ik_prelude.js /work/<entry>``. A warm
sandbox starts the very same command, except that ``/work/__ik_prelude.js`` is the
bootstrap below and the entry is a stand-in. Node loads ``--require`` modules after it has
set up the process and before it runs the entry, so the bootstrap runs there: it runs the
prelude's exact text in its own module (compiled under the prelude's file name, as
``--require`` would have), loads the builtins a run needs first, and waits on the control
pipe until a run is handed over. It then writes the run's files (the prelude's own text
back into its file), sets the environment and ``process.argv``, and returns; a job is
served only if it carries that very prelude. Node itself then runs the entry as the
main module: its flags, ``process.execArgv``, ``require.main``, ESM/CJS detection, stack
traces, uncaught errors and exit codes are node's own, so a warm run reads as a cold one.

The entry is swapped in through ``Module.runMain``, which node documents as patchable from
a ``--require`` script: a one-shot getter hands node a bound ``runMain`` for the real entry
and puts the original back, so no frame of ours is left on the program's stack.

Node cannot replace its own descriptor 0, so the pool writes the job's stdin into a pipe
after the hand-over; the bootstrap copies it into a file in the warm sandbox's ``/ik``, closes
0 and opens the copy (open() takes the lowest free descriptor), then unlinks it: the program
reads a regular file, as from a cold run's memfd (fs streams for ``process.stdin``, no EAGAIN
for ``readFileSync(0)``).

What still differs from a cold run: ``/proc/self/fd/0`` names ``/ik/.ik-stdin (deleted)``
and is owned by the sandbox user (a cold run's memfd by nobody), and its pages count
towards the run's memory; a stdin too large for ``/ik`` stays a pipe.
``process.uptime()`` and ``performance.now()`` count from the sandbox's start,
``/proc/self/cmdline`` names the stand-in entry, and ``process.moduleLoadList`` lists the
builtins loaded in advance.
"""

from __future__ import annotations

import json
import posixpath
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from interviewkit.execution.limits import Limits
from interviewkit.execution.sandbox.port import SandboxJob
from interviewkit.execution.sandbox.warm import WORK_FILE_MODE, b64, job_files
from interviewkit.languages.javascript import PRELUDE_FILE
from interviewkit.languages.prelude import PreludeMissingError, javascript_prelude

STAND_IN_ENTRY = "main.js"
"""The entry a warm sandbox is started with (the default one: a plain run's command line
then reads as a cold one's); the bootstrap swaps in the run's own."""

PRELOADED_BUILTINS = ("net", "tty", "stream", "readline", "util", "vm", "perf_hooks", "url")
"""Built-in modules the bootstrap loads while it waits: what stdout/stdin streams (a pipe
each), readline and the function-call harness load on first use (about 3-5 ms of CPU a run).
Loading a built-in has no effect a program can see beyond ``process.moduleLoadList``."""

STARTUP_ENV_PREFIXES = ("NODE_", "UV_", "V8_", "OPENSSL_", "SSL_CERT_", "LC_")
STARTUP_ENV_NAMES = frozenset({"LANG", "TZ", "ICU_DATA", "LANGUAGE"})
"""Environment node reads while it starts (options, module paths, locale, threads, TLS):
a job that sets them differently from the warm sandbox's start runs cold."""

BOOTSTRAP = r"""'use strict';
// interviewkit warm node bootstrap, loaded with --require in the prelude's place. It runs
// the prelude (its exact text, as node would run that file), waits for the hand-over on the
// control pipe, writes the run's files, environment and argv, and lets node run the entry.
(() => {
  const fs = require('fs');
  const path = require('path');
  const vm = require('vm');
  const Module = require('module');
  const control = __IK_CONTROL_FD__;
  const prelude = Buffer.from('__IK_PRELUDE__', 'base64');
  const resultChannel = process.env.IK_RESULT_FD; // the warm sandbox's, set at its start

  const wrapper = vm.compileFunction(
    prelude.toString('utf8'),
    ['exports', 'require', 'module', '__filename', '__dirname'],
    { filename: module.filename },
  );
  wrapper.call(module.exports, module.exports, require, module, module.filename,
    path.dirname(module.filename));

  // builtins a run's first console.log, process.stdin or the harness would load: loaded
  // once here, off the run's clock (the same module objects a cold run gets on first use)
  for (const name of __IK_PRELOAD__) require(name);

  const chunks = [];
  const buffer = Buffer.allocUnsafe(1 << 20);
  for (;;) {
    let count;
    try {
      count = fs.readSync(control, buffer, 0, buffer.length, null);
    } catch (error) {
      if (error.code === 'EAGAIN' || error.code === 'EINTR') continue;
      throw error;
    }
    if (count === 0) break;
    chunks.push(Buffer.from(buffer.subarray(0, count)));
  }
  fs.closeSync(control);
  if (chunks.length === 0) process.reallyExit(0); // the pool closed without a run
  const job = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  chunks.length = 0;
  const files = [[module.filename, prelude, job.prelude_mode], ...Object.entries(job.files).map(
    ([file, [content, mode]]) => [file, Buffer.from(content, 'base64'), mode])];
  const folders = new Set(['/', '/work', '/ik']);
  const makeFolder = (folder) => { // 0755 whatever the umask, as bwrap's --dir makes them
    if (folders.has(folder)) return;
    makeFolder(path.dirname(folder));
    if (!fs.existsSync(folder)) {
      fs.mkdirSync(folder);
      fs.chmodSync(folder, 0o755);
    }
    folders.add(folder);
  };
  for (const [file, content, mode] of files) {
    makeFolder(path.dirname(file));
    fs.writeFileSync(file, content, { mode });
    fs.chmodSync(file, mode); // the prelude's file exists already: writeFileSync keeps its mode
  }
  if (job.stdin_file) {
    // the pool writes stdin into a pipe; a cold run's stdin is a regular file (fs streams,
    // and no EAGAIN for readFileSync(0) once process.stdin made the pipe non-blocking).
    // Copy it into a file and open that as descriptor 0: open() takes the lowest free one.
    const copy = fs.openSync(job.stdin_file, 'wx', 0o600);
    for (;;) {
      let count;
      try {
        count = fs.readSync(0, buffer, 0, buffer.length, null);
      } catch (error) {
        if (error.code === 'EAGAIN' || error.code === 'EINTR') continue;
        throw error;
      }
      if (count === 0) break;
      for (let done = 0; done < count;) done += fs.writeSync(copy, buffer, done, count - done);
    }
    fs.closeSync(copy);
    fs.closeSync(0);
    const stdin = fs.openSync(job.stdin_file, 'r+'); // read-write, as the cold memfd is
    fs.unlinkSync(job.stdin_file);
    fs.fchmodSync(stdin, 0o777);
    if (stdin !== 0) throw new Error(`stdin reopened as descriptor ${stdin}, not 0`);
  }
  if (job.env.IK_RESULT_FD === undefined && resultChannel !== undefined) {
    fs.closeSync(Number(resultChannel)); // a cold run without a result channel has none
  }
  for (const name of Object.keys(process.env)) delete process.env[name];
  for (const [name, value] of Object.entries(job.env)) process.env[name] = value;
  const entry = job.entry; // the getter below keeps this string, not the whole message
  process.argv[1] = entry;
  const runMain = Module.runMain;
  Object.defineProperty(Module, 'runMain', {
    configurable: true,
    enumerable: true,
    get() {
      Object.defineProperty(Module, 'runMain', {
        value: runMain, writable: true, enumerable: true, configurable: true,
      });
      return runMain.bind(Module, entry);
    },
  });
})();
"""

STDIN_FILE = "/ik/.ik-stdin"
"""Where the bootstrap copies stdin to reopen it as a file (unlinked before the program
starts): the warm sandbox's ``/ik`` is its own tmpfs, so the copy costs the program's
``/tmp`` nothing."""
STDIN_ROOM_BYTES = 1024 * 1024
"""Room left in ``/ik`` beside the data and the copy; a stdin that does not fit stays a pipe."""


PRELUDE_ARGUMENT = "--require={work}/" + PRELUDE_FILE


@dataclass(frozen=True)
class NodeRuntime:
    """Serves runs of the toolchain's own node command (``prefix`` + ``{work}/<entry>``)
    that carry this ``prelude``: the bootstrap has run it before the hand-over."""

    prefix: tuple[str, ...]
    """The command before the entry: node, its V8 flags and the prelude's ``--require``."""
    prelude: bytes = field(repr=False)
    binds: tuple[str, ...] = ()
    name: str = "javascript"
    stdin_pipe: bool = True

    def template(self, control_fd: int, limits: Limits) -> SandboxJob:
        bootstrap = (
            BOOTSTRAP.replace("__IK_CONTROL_FD__", str(int(control_fd)))
            .replace("__IK_PRELUDE__", b64(self.prelude))
            .replace("__IK_PRELOAD__", json.dumps(PRELOADED_BUILTINS))
        )
        return SandboxJob(
            command=[*self.prefix, f"{{work}}/{STAND_IN_ENTRY}"],
            files={PRELUDE_FILE: bootstrap.encode()},
            limits=limits,
            binds=self.binds,
            result_channel=True,
        )

    def serves(self, job: SandboxJob) -> bool:
        command = list(job.command)
        return (
            len(command) == len(self.prefix) + 1
            and tuple(command[:-1]) == self.prefix
            and _entry_of(command[-1]) is not None
            and not job.mounts
            and tuple(job.binds) == self.binds
            and job.files.get(PRELUDE_FILE) == self.prelude
            # node caches the package scope of /work at start: a package.json there
            # ("type": "module") must be seen by a fresh node
            and "package.json" not in job.files
            and not any(_read_at_startup(name) for name in job.env)
        )

    def message(self, job: SandboxJob, env: dict[str, str]) -> bytes:
        entry = _entry_of(job.command[-1])
        assert entry is not None, "serves() accepts only entries under {work}/"
        files = job_files(job)
        del files[f"/work/{PRELUDE_FILE}"]  # the bootstrap has it, and has run it
        message = {
            "files": files,
            "stdin_file": STDIN_FILE if _stdin_fits(job) else None,
            "prelude_mode": WORK_FILE_MODE,
            "env": _in_cold_order(env),
            "entry": f"/work/{entry}",
        }
        return json.dumps(message).encode()


def _entry_of(part: str) -> str | None:
    """The entry's path under ``{work}/``, if it is a plain relative one."""
    if not part.startswith("{work}/"):
        return None
    relative = part.removeprefix("{work}/")
    if not relative or "{" in relative or posixpath.normpath(relative) != relative:
        return None
    if relative.startswith("../") or relative == "..":
        return None
    return relative


def _stdin_fits(job: SandboxJob) -> bool:
    """Whether a copy of stdin fits in the warm sandbox's ``/ik`` beside the job's data."""
    data = sum(len(content) for content in job.data.values())
    return len(job.stdin) + data + STDIN_ROOM_BYTES <= job.limits.tmpfs_mb * 1024 * 1024


def _read_at_startup(name: str) -> bool:
    return name in STARTUP_ENV_NAMES or name.startswith(STARTUP_ENV_PREFIXES)


def _in_cold_order(env: Mapping[str, str]) -> dict[str, str]:
    """The environment in the order a cold run's ``environ`` has it (``process.env``'s keys
    keep it): bwrap sets the job's variables, then the result channel, then ``PWD`` when it
    changes into ``/work``."""
    last = ("IK_RESULT_FD", "PWD")
    ordered = {name: value for name, value in env.items() if name not in last}
    ordered.update({name: env[name] for name in last if name in env})
    return ordered


def runtime(
    template: Sequence[str], executables: Mapping[str, str], cache_root: Path
) -> NodeRuntime | None:
    """The node runtime for this toolchain's run command (see :mod:`..warm_runtimes`), or
    None when the command is not the shape the bootstrap stands in for."""
    command = list(template)
    if len(command) < 3 or command[-1] != "{work}/{entry}" or command[-2] != PRELUDE_ARGUMENT:
        return None
    if command[0] != executables.get("node"):
        return None
    try:
        prelude = javascript_prelude()
    except PreludeMissingError:
        return None  # cold runs report it
    return NodeRuntime(tuple(command[:-1]), prelude)
