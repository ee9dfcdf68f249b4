"""The warm Node.js pool: a warm run must read as a cold one to the program, and be as isolated.

Each fidelity test runs the same job in a warm sandbox (taken from the pool directly, so the
run really is warm) and in a cold one, and compares what the candidate would see: stdout,
stderr (stack traces included) and the exit code. The limit and leftover tests provoke a
limit or look for a trace of an earlier run through the warm path.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Iterator, Mapping
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from interviewkit.execution.engine import CompileCache, Engine, ExecutionJob, compile_cache_root
from interviewkit.execution.limits import Limits
from interviewkit.execution.sandbox import (
    BwrapSandbox,
    Mount,
    SandboxJob,
    SandboxResult,
    create_sandbox,
)
from interviewkit.execution.sandbox.warm_node import NodeRuntime, runtime
from interviewkit.execution.schemas import TestSuite
from interviewkit.execution.toolchains import LanguageRegistry, Toolchain
from interviewkit.languages.javascript import PRELUDE_FILE
from interviewkit.languages.prelude import javascript_prelude

SANDBOX_UID = 64999
HEAP_MB = 128
"""The program's heap (``--max-old-space-size``); the sandbox has node's allowance on top."""
POOL_LIMITS = Limits(cpu_time_s=6, wall_time_s=8, memory_mb=HEAP_MB + 128)
"""The pool's: a job may ask for less CPU and wall time (a problem's own limits)."""
JOB_LIMITS = replace(POOL_LIMITS, cpu_time_s=3, wall_time_s=4)

pytestmark = [
    pytest.mark.skipif(
        os.geteuid() != 0 or shutil.which("bwrap") is None, reason="needs root and bubblewrap"
    ),
    pytest.mark.skipif(shutil.which("node") is None, reason="needs node"),
]


@pytest.fixture(scope="module")
def node() -> Toolchain:
    chain = LanguageRegistry().available().get("javascript")
    assert chain is not None, "node under /usr is required"
    return chain


@pytest.fixture(scope="module")
def node_runtime(node: Toolchain, tmp_path_factory: pytest.TempPathFactory) -> NodeRuntime:
    template = node.run_command("{entry}", HEAP_MB)
    found = runtime(template, node.executables, tmp_path_factory.mktemp("warm"))
    assert found is not None, "the toolchain's own command is the shape the bootstrap serves"
    return found


@pytest.fixture(scope="module")
def cold() -> Iterator[BwrapSandbox]:
    sandbox = create_sandbox("bwrap", uid=SANDBOX_UID, gid=SANDBOX_UID)
    assert isinstance(sandbox, BwrapSandbox)
    yield sandbox
    sandbox.close()


@pytest.fixture(scope="module")
def warm(node_runtime: NodeRuntime) -> Iterator[BwrapSandbox]:
    sandbox = create_sandbox("bwrap", uid=SANDBOX_UID, gid=SANDBOX_UID)
    assert isinstance(sandbox, BwrapSandbox)
    sandbox.start_warm_pool(node_runtime, POOL_LIMITS, 2)
    yield sandbox
    sandbox.close()


def run_warm(sandbox: BwrapSandbox, job: SandboxJob) -> SandboxResult:
    """Wait until a warm sandbox is ready, so the run really takes the warm path."""
    pool = sandbox.pools["javascript"]
    assert pool.accepts(job)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        result = pool.run(job)
        if result is not None:
            assert result.warm == "javascript"
            return result
        time.sleep(0.02)
    raise AssertionError("the warm node pool never had a sandbox ready")


def js_job(
    node: Toolchain,
    source: str,
    *,
    entry: str = "main.js",
    files: Mapping[str, str] | None = None,
    limits: Limits = JOB_LIMITS,
    **extra: object,
) -> SandboxJob:
    """A job as the engine builds it: the toolchain's command, the prelude beside the entry."""
    sources = {entry: source, **(files or {})}
    return SandboxJob(
        command=node.run_command(entry, HEAP_MB),
        files={
            **{path: text.encode() for path, text in sources.items()},
            PRELUDE_FILE: javascript_prelude(),
        },
        limits=limits,
        **extra,  # type: ignore[arg-type]
    )


# -- fidelity: the same program, warm and cold ----------------------------------------------

SEES = """
const fs = require('fs');
const list = (dir) => fs.readdirSync(dir).sort().map((name) => {
  const info = fs.statSync(`${dir}/${name}`);
  return [name, info.mode.toString(8), info.isDirectory() ? list(`${dir}/${name}`) : info.size];
});
console.log(JSON.stringify({
  argv: process.argv, execArgv: process.execArgv, cwd: process.cwd(), file: __filename,
  dir: __dirname, main: require.main === module, env: process.env, work: list('/work'),
  helper: require('./lib/helper.js').greet(), argv0: process.argv0, title: process.title,
  cache: Object.keys(require.cache), globals: Object.getOwnPropertyNames(globalThis).sort(),
  listeners: ['exit', 'uncaughtException', 'unhandledRejection', 'SIGINT']
    .map((event) => process.listenerCount(event)),
  resources: process.getActiveResourcesInfo(), pid: process.pid, ppid: process.ppid,
  umask: process.umask(), runMain: require('module').runMain.name,
}));
console.error('to stderr');
"""

PROGRAMS = {
    "what it sees": (SEES, {"lib/helper.js": "exports.greet = () => 'hi';\n"}, b""),
    "stdin read whole": (
        "const text = require('fs').readFileSync(0, 'utf8');\n"
        "console.log(JSON.stringify(text.split('\\n')));\n",
        {},
        b"3 4\nfive\n\nlast line without newline",
    ),
    "stdin as a stream": (
        "let seen = '';\nprocess.stdin.setEncoding('utf8');\n"
        "process.stdin.on('data', (chunk) => { seen += chunk; });\n"
        "process.stdin.on('end', () => console.log(seen.trim().split(/\\s+/).map(Number)"
        ".reduce((a, b) => a + b, 0)));\n",
        {},
        b"1 2 3\n4 5\n",
    ),
    "stdin with readline": (
        "const rl = require('readline').createInterface({ input: process.stdin });\n"
        "const lines = [];\nrl.on('line', (line) => lines.push(line));\n"
        "rl.on('close', () => console.log(lines.reverse().join('|')));\n",
        {},
        b"a\nb\nc\n",
    ),
    "stdin as a file": (
        "const fs = require('fs');\nconst info = fs.fstatSync(0);\n"
        "process.stdin.setEncoding('utf8');  // a pipe would now be non-blocking: EAGAIN\n"
        "const text = fs.readFileSync(0, 'utf8');\n"
        "console.log(info.isFile(), info.size, info.mode.toString(8), text.length,"
        " process.stdin.constructor.name);\n",
        {},
        b"7 " * 150_000,
    ),
    "import syntax in a .js file": ("import fs from 'fs';\nconsole.log(typeof fs);\n", {}, b""),
    "a worker thread and a forked child": (
        "const { Worker, isMainThread, parentPort } = require('worker_threads');\n"
        "if (process.argv[2] === 'child') {\n"
        "  console.log('child:', typeof ListNode, process.argv.length);\n"
        "} else if (isMainThread) {\n"
        "  new Worker(__filename).on('message', (m) => {\n"
        "    console.log('worker:', m);\n"
        "    require('child_process').fork(__filename, ['child'])"
        ".on('exit', (code) => console.log('child exit', code));\n"
        "  });\n"
        "} else {\n"
        "  parentPort.postMessage([typeof _, process.execArgv.length, process.cwd()]);\n"
        "}\n",
        {},
        b"",
    ),
    "an uncaught exception": (
        "function inner() { throw new TypeError('bad ' + typeof undefined); }\n"
        "function outer() { inner(); }\nconsole.log('before');\nouter();\n",
        {},
        b"",
    ),
    "an unhandled rejection": (
        "async function later() { throw new Error('rejected'); }\nlater();\n"
        "setTimeout(() => console.log('never'), 50);\n",
        {},
        b"",
    ),
    "process.exit(3)": (
        "process.on('exit', (code) => console.log('exiting', code));\n"
        "console.log('out');\nprocess.exit(3);\nconsole.log('not reached');\n",
        {},
        b"",
    ),
    "process.exitCode": ("process.exitCode = 4;\nconsole.log('set');\n", {}, b""),
    "a syntax error": ("const x = ;\n", {}, b""),
    "recursion too deep": (
        "function down(n) { return down(n + 1) + 1; }\ndown(0);\n",
        {},
        b"",
    ),
    "the prelude's globals": (
        "const queue = new MinPriorityQueue();\n[5, 1, 3].forEach((x) => queue.enqueue(x));\n"
        "console.log(queue.dequeue(), _.chunk([1, 2, 3], 2), String(ListNode).length,"
        " new TreeNode(1).left, typeof Deque);\n",
        {},
        b"",
    ),
    "an error thrown inside the prelude": (
        "console.log(String(_.chunk).length);\nnew MinPriorityQueue(5);\n",
        {},
        b"",
    ),
    "a timer and a microtask": (
        "setTimeout(() => console.log('timer'), 10);\n"
        "Promise.resolve().then(() => console.log('microtask'));\n"
        "process.nextTick(() => console.log('tick'));\nconsole.log('sync');\n",
        {},
        b"",
    ),
}


@pytest.mark.parametrize("name", list(PROGRAMS))
def test_a_warm_run_reads_as_a_cold_one(
    name: str, node: Toolchain, warm: BwrapSandbox, cold: BwrapSandbox
) -> None:
    source, files, stdin = PROGRAMS[name]
    job = js_job(node, source, files=files, stdin=stdin)
    hot, plain = run_warm(warm, job), cold.run(job)
    assert (hot.stdout, hot.stderr) == (plain.stdout, plain.stderr)
    assert (hot.exit_code, hot.signal) == (plain.exit_code, plain.signal)
    assert plain.stdout or plain.stderr  # the program did run


def test_what_a_warm_program_sees_is_the_cold_view(node: Toolchain, warm: BwrapSandbox) -> None:
    """The comparison above could pass with both wrong: pin down the values themselves."""
    source, files, _ = PROGRAMS["what it sees"]
    seen = json.loads(run_warm(warm, js_job(node, source, files=files)).stdout)
    assert seen["argv"] == [node.executables["node"], "/work/main.js"]
    assert seen["execArgv"] == [
        f"--max-old-space-size={HEAP_MB}",
        "--stack-size=16000",
        f"--require=/work/{PRELUDE_FILE}",
    ]
    assert (seen["cwd"], seen["file"], seen["dir"], seen["main"]) == (
        "/work",
        "/work/main.js",
        "/work",
        True,
    )
    assert seen["helper"] == "hi"
    assert seen["env"] == {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": "/tmp",
        "LANG": "C.UTF-8",
        "TMPDIR": "/tmp",
        "PWD": "/work",
    }  # no result channel was asked for: no IK_RESULT_FD


def test_an_es_module_entry_runs_as_one(
    node: Toolchain, warm: BwrapSandbox, cold: BwrapSandbox
) -> None:
    source = (
        "import { readFileSync } from 'node:fs';\nimport { twice } from './twice.mjs';\n"
        "const data = await Promise.resolve(readFileSync(0, 'utf8'));\n"
        "console.log(twice(Number(data)), import.meta.url, typeof require);\n"
    )
    job = js_job(
        node,
        source,
        entry="main.mjs",
        files={"twice.mjs": "export const twice = (x) => 2 * x;\n"},
        stdin=b"21",
    )
    hot, plain = run_warm(warm, job), cold.run(job)
    assert hot.stdout == plain.stdout == b"42 file:///work/main.mjs undefined\n"
    assert hot.stderr == plain.stderr
    assert hot.exit_code == plain.exit_code == 0


def test_the_result_channel_is_the_one_a_cold_run_gets(
    node: Toolchain, warm: BwrapSandbox, cold: BwrapSandbox
) -> None:
    source = (
        "const fd = Number(process.env.IK_RESULT_FD);\n"
        "require('fs').writeSync(fd, JSON.stringify({ event: 'result', ok: true }) + '\\n');\n"
    )
    job = js_job(node, source, result_channel=True)
    hot, plain = run_warm(warm, job), cold.run(job)
    assert (
        list(hot.result_lines()) == list(plain.result_lines()) == [{"event": "result", "ok": True}]
    )


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    data=st.one_of(
        st.binary(max_size=4096),
        st.binary(min_size=1, max_size=64).map(lambda chunk: chunk * (300_000 // len(chunk))),
    )
)
def test_stdin_bytes_reach_the_program_unchanged(
    data: bytes, node: Toolchain, warm: BwrapSandbox
) -> None:
    """Any bytes, from none to more than a pipe holds, whichever way the program reads."""
    echo = "process.stdout.write(require('fs').readFileSync(0));\n"
    limits = replace(JOB_LIMITS, output_bytes=1 << 20)
    assert run_warm(warm, js_job(node, echo, stdin=data, limits=limits)).stdout == data
    stream = "process.stdin.pipe(process.stdout);\n"
    assert run_warm(warm, js_job(node, stream, stdin=data, limits=limits)).stdout == data


# -- isolation: nothing of one run reaches the next -----------------------------------------


def test_nothing_of_a_warm_run_survives_into_the_next(node: Toolchain, warm: BwrapSandbox) -> None:
    writer = (
        "const fs = require('fs');\n"
        "fs.writeFileSync('/tmp/left', 'x'); fs.writeFileSync('/work/left', 'x');\n"
        "globalThis.leftover = 1; process.env.LEFT = '1';\n"
        "setInterval(() => fs.writeFileSync('/tmp/timer', 'x'), 5);\n"
        "require('child_process').spawn('sleep', ['30'], { detached: true, stdio: 'ignore' })"
        ".unref();\nsetTimeout(() => { console.log('done'); process.exit(0); }, 30);\n"
    )
    reader = (
        "const fs = require('fs');\nconst exists = (p) => fs.existsSync(p);\n"
        "console.log(JSON.stringify([exists('/tmp/left'), exists('/work/left'),"
        " exists('/tmp/timer'), typeof globalThis.leftover, process.env.LEFT,"
        " fs.readdirSync('/proc').filter((p) => /^\\d+$/.test(p)).length]));\n"
    )
    assert run_warm(warm, js_job(node, writer)).stdout == b"done\n"
    for _ in range(2):  # the other sandbox that waited beside it, then a fresh one
        seen = run_warm(warm, js_job(node, reader)).stdout
        assert seen.startswith(b'[false,false,false,"undefined",null,')
        processes = int(seen.decode().rstrip("]\n").rsplit(",", 1)[1])
        assert processes <= 2  # bwrap's init and node: nothing left from the writer


# -- limits hold warm ------------------------------------------------------------------------


def test_a_heap_beyond_the_limit_fails_warm_as_cold(
    node: Toolchain, warm: BwrapSandbox, cold: BwrapSandbox
) -> None:
    hog = "const keep = [];\nfor (;;) keep.push(new Array(1 << 16).fill(keep.length));\n"
    job = js_job(node, hog)
    hot, plain = run_warm(warm, job), cold.run(job)
    assert b"heap out of memory" in hot.stderr
    assert b"heap out of memory" in plain.stderr
    assert (hot.exit_code, hot.signal) == (plain.exit_code, plain.signal)


def test_memory_outside_the_heap_meets_the_cgroup(node: Toolchain, warm: BwrapSandbox) -> None:
    hog = (
        "const keep = [];\n"
        "for (;;) keep.push(Buffer.alloc(16 << 20, 1));\n"  # off V8's heap: only the cgroup
    )
    result = run_warm(warm, js_job(node, hog))
    assert result.memory_exceeded
    assert result.exit_code != 0


def test_a_problems_own_cpu_limit_holds_warm(node: Toolchain, warm: BwrapSandbox) -> None:
    """The job asks for less CPU than the pool was started with: the supervisor enforces
    the job's. (Without it, the job's wall limit would end the run first: timed out.)"""
    limits = replace(JOB_LIMITS, cpu_time_s=0.3, wall_time_s=POOL_LIMITS.cpu_time_s - 1)
    result = run_warm(warm, js_job(node, "for (;;) {}\n", limits=limits))
    assert result.cpu_exceeded
    assert not result.timed_out


def test_an_output_flood_is_cut_at_the_cap(node: Toolchain, warm: BwrapSandbox) -> None:
    # fs.writeSync blocks on the full pipe (process.stdout.write would queue in the heap
    # until node aborts, warm or cold, whichever the race between reader and writer gives)
    flood = "const line = 'x'.repeat(4096) + '\\n';\nfor (;;) require('fs').writeSync(1, line);\n"
    result = run_warm(warm, js_job(node, flood))
    assert result.output_exceeded
    assert len(result.stdout) <= JOB_LIMITS.output_bytes


def test_a_sleeper_is_stopped_at_the_wall_limit(node: Toolchain, warm: BwrapSandbox) -> None:
    limits = replace(JOB_LIMITS, wall_time_s=1)
    result = run_warm(warm, js_job(node, "setTimeout(() => {}, 60_000);\n", limits=limits))
    assert result.timed_out


# -- which jobs a warm node serves -----------------------------------------------------------


def test_only_jobs_a_warm_node_can_become_are_served(
    node: Toolchain, node_runtime: NodeRuntime, tmp_path: Path
) -> None:
    plain = js_job(node, "console.log(1);\n")
    assert node_runtime.serves(plain)
    assert node_runtime.serves(js_job(node, "export {};\n", entry="src/app.mjs"))
    other_prelude = replace(plain, files={**plain.files, PRELUDE_FILE: b"// another\n"})
    no_prelude = replace(plain, files={"main.js": b"1\n"})
    package = replace(plain, files={**plain.files, "package.json": b'{"type": "module"}'})
    node_options = replace(plain, env={"NODE_OPTIONS": "--max-old-space-size=4096"})
    mounted = replace(plain, mounts=[Mount(tmp_path, "/build")])
    bound = replace(plain, binds=("/etc/hostname",))
    other_heap = replace(plain, command=node.run_command("main.js", 2 * HEAP_MB))
    outside = replace(plain, command=[*plain.command[:-1], "{work}/../etc/passwd"])
    rejected = [other_prelude, no_prelude, package, node_options, mounted, bound, other_heap]
    for job in [*rejected, outside]:
        assert not node_runtime.serves(job)
    assert node_runtime.serves(replace(plain, env={"IK_TESTS": "/ik/tests.json"}))


def test_a_stdin_too_large_for_the_copy_stays_a_pipe(
    node: Toolchain, node_runtime: NodeRuntime
) -> None:
    """The bootstrap copies stdin into the warm sandbox's /ik to reopen it as a file; one
    that would not fit there is left a pipe rather than cut short."""
    room = JOB_LIMITS.tmpfs_mb * 1024 * 1024
    small = js_job(node, "1\n", stdin=b"x" * 1000)
    large = js_job(node, "1\n", stdin=b"x" * room)
    assert json.loads(node_runtime.message(small, {}))["stdin_file"] == "/ik/.ik-stdin"
    assert json.loads(node_runtime.message(large, {}))["stdin_file"] is None


def test_a_run_command_of_another_shape_gets_no_runtime(node: Toolchain, tmp_path: Path) -> None:
    template = node.run_command("{entry}", 128)
    assert runtime(template, node.executables, tmp_path) is not None
    without_prelude = [part for part in template if not part.startswith("--require")]
    assert runtime(without_prelude, node.executables, tmp_path) is None
    assert runtime([*template, "--extra"], node.executables, tmp_path) is None
    assert runtime(template, {"node": "/usr/local/bin/node"}, tmp_path) is None


# -- the function-call harness through the engine --------------------------------------------


class Recording:
    """The sandbox as the engine sees it, noting which runtime served each run."""

    def __init__(self, inner: BwrapSandbox) -> None:
        self.inner = inner
        self.name = inner.name
        self.isolated = inner.isolated
        self.served: list[str | None] = []

    def paths(self) -> Mapping[str, str]:
        return self.inner.paths()

    def run(self, job: SandboxJob) -> SandboxResult:
        result = self.inner.run(job)
        self.served.append(result.warm)
        return result

    def close(self) -> None:
        """The fixture closes the wrapped sandbox."""


SOLUTION = """
var twoSum = function (nums, target) {
  if (target === 0) throw new RangeError('zero target');
  if (target === -1) process.exit(2);
  if (target === -2) return undefined;
  console.log('looking for', target);
  const seen = new Map();
  for (let i = 0; i < nums.length; i++) {
    if (seen.has(target - nums[i])) return [seen.get(target - nums[i]), i];
    seen.set(nums[i], i);
  }
  return [-1, -1];
};
"""


def test_a_ten_test_submission_is_judged_warm_as_cold(
    node: Toolchain, warm: BwrapSandbox, cold: BwrapSandbox, tmp_path: Path
) -> None:
    tests = [
        {"name": f"t{index}", "input": [[1, 2, 3, 4, 5], 3 + index % 4], "expected": [0, 1]}
        for index in range(7)
    ]
    tests += [
        {"name": "throws", "input": [[1, 2], 0], "expected": [0, 1]},
        {"name": "exits", "input": [[1, 2], -1], "expected": [0, 1]},
        {"name": "nothing", "input": [[1, 2], -2], "expected": [0, 1]},
    ]
    suite = TestSuite.model_validate(
        {
            "entry_point": "twoSum",
            "signature": {
                "params": [{"name": "nums", "type": "int[]"}, {"name": "target", "type": "int"}],
                "returns": "int[]",
            },
            "tests": tests,
        }
    )
    job = ExecutionJob("exe_warm", node, {"solution.js": SOLUTION}, "solution.js", suite=suite)
    job = replace(job, limits=replace(JOB_LIMITS, memory_mb=HEAP_MB))  # the engine adds 128
    cache = CompileCache(compile_cache_root(tmp_path), 10, SANDBOX_UID, SANDBOX_UID)
    pool = warm.pools["javascript"]
    deadline = time.monotonic() + 30
    while pool.ready() < pool.size and time.monotonic() < deadline:
        time.sleep(0.02)
    recording = Recording(warm)
    hot = Engine(recording, cache).execute(job)
    plain = Engine(cold, cache).execute(job)
    assert recording.served
    assert set(recording.served) == {"javascript"}
    verdicts = [(test.status, test.actual, test.stdout) for test in hot.tests]
    assert verdicts == [(test.status, test.actual, test.stdout) for test in plain.tests]
    statuses = [test.status for test in hot.tests]
    assert statuses[:7] == [
        "accepted" if test["input"][1] == 3 else "wrong_answer" for test in tests[:7]
    ]
    assert statuses[7:] == ["runtime_error", "runtime_error", "wrong_answer"]
    assert hot.tests[0].stdout == "looking for 3\n"
    assert hot.status == plain.status
