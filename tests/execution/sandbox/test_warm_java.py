"""The warm JVM: a warm Java run must read as a cold one, be held to the same limits, and
leave nothing behind for the next run.

Every test runs real programs through the real engine, once on a sandbox with a warm java
pool and once on a cold one, and compares what a candidate would see. The programs are
compiled once (the compile cache is shared), so only the run differs.
"""

from __future__ import annotations

import os
import shutil
import stat
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

import pytest

from interviewkit.execution.engine import CompileCache, Engine, ExecutionJob, compile_cache_root
from interviewkit.execution.limits import Limits
from interviewkit.execution.sandbox import BwrapSandbox, SandboxJob, SandboxResult, create_sandbox
from interviewkit.execution.sandbox.port import Mount
from interviewkit.execution.sandbox.warm_java import (
    BOOT_JAR,
    JavaRuntime,
    TooLarge,
    class_files,
    runtime,
)
from interviewkit.execution.schemas import ExecutionResult, TestSuite
from interviewkit.execution.toolchains import LanguageRegistry, Toolchain
from interviewkit.languages.java import JAVA

SANDBOX_UID = 64999
POOL_SIZE = 2

pytestmark = [
    pytest.mark.skipif(
        os.geteuid() != 0 or shutil.which("bwrap") is None, reason="needs root and bubblewrap"
    ),
    pytest.mark.skipif(shutil.which("javac", path="/usr/bin:/bin") is None, reason="needs a JDK"),
]

LIMITS = Limits(cpu_time_s=2, wall_time_s=4, memory_mb=256)
"""A run's own limits (the JVM gets its heap of this and the language's allowance on top)."""


@dataclass
class Recording:
    """The real sandbox, passed through; it remembers which warm runtime served each run."""

    inner: BwrapSandbox
    served: list[str | None] = field(default_factory=list)
    name: str = "bwrap"
    isolated: bool = True

    def paths(self) -> Mapping[str, str]:
        return self.inner.paths()

    def run(self, job: SandboxJob) -> SandboxResult:
        result = self.inner.run(job)
        self.served.append(result.warm)
        return result

    def close(self) -> None:
        self.inner.close()


@pytest.fixture(scope="module")
def chain() -> Toolchain:
    found = LanguageRegistry().available().get("java")
    assert found is not None, "java and javac under /usr are required"
    return found


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> CompileCache:
    root = compile_cache_root(tmp_path_factory.mktemp("java-cache"))
    return CompileCache(root, 100, SANDBOX_UID, SANDBOX_UID)


@pytest.fixture(scope="module")
def java_runtime(chain: Toolchain, cache: CompileCache) -> JavaRuntime:
    built = runtime(
        chain.run_command("{entry}", LIMITS.memory_mb), chain.executables, cache.root / ".warm"
    )
    assert built is not None
    return built


@pytest.fixture(scope="module")
def cold(cache: CompileCache) -> Engine:
    sandbox = create_sandbox("bwrap", uid=SANDBOX_UID, gid=SANDBOX_UID)
    return Engine(sandbox, cache)


def pool_limits() -> Limits:
    """The pool's: the run's limits with the JVM's allowance, and CPU for the start-up."""
    limits = LIMITS.with_memory_allowance(JAVA.memory_allowance_mb)
    return replace(limits, cpu_time_s=LIMITS.cpu_time_s + JAVA.startup_allowance_s)


@pytest.fixture(scope="module")
def warm(java_runtime: JavaRuntime, cache: CompileCache) -> Iterator[tuple[Engine, Recording]]:
    sandbox = create_sandbox("bwrap", uid=SANDBOX_UID, gid=SANDBOX_UID)
    assert isinstance(sandbox, BwrapSandbox)
    sandbox.start_warm_pool(java_runtime, pool_limits(), POOL_SIZE)
    recording = Recording(sandbox)
    yield Engine(recording, cache), recording
    sandbox.close()


def pool_filled(recording: Recording) -> None:
    """Wait until every warm JVM is up, so the next run really takes the warm path."""
    pool = recording.inner.pools["java"]
    deadline = time.monotonic() + 60
    while pool.ready() < POOL_SIZE:
        assert time.monotonic() < deadline, "the warm java pool never filled"
        time.sleep(0.05)


def job_of(chain: Toolchain, source: str, stdin: str = "", limits: Limits = LIMITS) -> ExecutionJob:
    return ExecutionJob("exe_java", chain, {"Main.java": source}, "Main.java", stdin, limits=limits)


def both(
    warm: tuple[Engine, Recording], cold: Engine, job: ExecutionJob
) -> tuple[ExecutionResult, ExecutionResult]:
    """The job cold (compiling it into the shared cache), then warm: served by the pool."""
    plain = cold.execute(job)
    engine, recording = warm
    pool_filled(recording)
    recording.served.clear()
    hot = engine.execute(job)
    assert recording.served, "the warm engine ran nothing"
    assert set(recording.served) == {"java"}, recording.served
    return hot, plain


def same_run(hot: ExecutionResult, plain: ExecutionResult) -> None:
    assert hot.run is not None
    assert plain.run is not None
    assert (hot.status, hot.run.exit_code) == (plain.status, plain.run.exit_code)
    assert hot.run.stdout == plain.run.stdout
    assert hot.run.stderr == plain.run.stderr


ENVIRONMENT = """\
import java.io.*;
import java.util.*;
public class Main {
    public static void main(String[] args) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        for (String line; (line = in.readLine()) != null; ) System.out.println("read " + line);
        System.out.println(args.length + " " + new TreeMap<>(System.getenv()));
        for (String key : new String[] {"java.class.path", "sun.java.command", "user.dir",
                "user.home", "user.name", "file.encoding", "stdout.encoding", "java.home"})
            System.out.println(key + "=" + System.getProperty(key));
        List<String> ours = new ArrayList<>();
        for (String key : System.getProperties().stringPropertyNames())
            if (key.startsWith("interviewkit") || key.startsWith("IK_")) ours.add(key);
        Thread me = Thread.currentThread();
        ClassLoader app = ClassLoader.getSystemClassLoader();
        System.out.println(ours + " " + me.getName() + " " + me.getThreadGroup().getName()
            + " " + me.isDaemon() + " " + (me.getContextClassLoader() == app)
            + " " + (Main.class.getClassLoader() == app) + " " + new File(".").getCanonicalPath()
            + " " + Arrays.toString(new File("/work").list()));
        System.err.println("to stderr");
    }
}
"""

PROGRAMS = {
    "environment": ENVIRONMENT,
    "exception": """\
public class Main {
    static int depth(int n) {
        if (n == 0) throw new IllegalStateException("outer", new ArithmeticException("inner"));
        return depth(n - 1) + 1;
    }
    public static void main(String[] args) {
        System.out.println("before");
        depth(3);
    }
}
""",
    "exit": """\
public class Main {
    public static void main(String[] args) {
        System.out.print("leaving");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> System.out.print(" hook")));
        System.exit(3);
    }
}
""",
    "non_daemon_thread": """\
public class Main {
    public static void main(String[] args) {
        Thread worker = new Thread(() -> {
            try { Thread.sleep(300); } catch (InterruptedException e) { return; }
            System.out.println("worker done in " + Thread.currentThread().getName());
        });
        worker.start();
        System.out.println("main returns");
    }
}
""",
    "thread_outlives_a_throwing_main": """\
public class Main {
    public static void main(String[] args) {
        new Thread(() -> {
            try { Thread.sleep(300); } catch (InterruptedException e) { return; }
            System.out.println("worker still ran");
        }, "worker").start();
        throw new UnsupportedOperationException("main gives up");
    }
}
""",
    "package_line": "package app;\npublic class Main {\n"
    '    public static void main(String[] args) { System.out.println("in a package"); }\n}\n',
    "nested_classes": """\
import java.util.*;
public class Main {
    static class Counter { int n; void add() { n++; } }
    class Inner { int twice(int x) { return 2 * x; } }
    enum Colour { RED, GREEN }
    record Point(int x, int y) {}
    interface Shape { double area(); }
    public static void main(String[] args) {
        Counter counter = new Counter();
        counter.add();
        Shape square = new Shape() { public double area() { return 4.0; } };
        Comparator<Point> byX = Comparator.comparingInt(Point::x);
        List<Point> points = new ArrayList<>(List.of(new Point(3, 1), new Point(1, 2)));
        points.sort(byX);
        System.out.println(counter.n + " " + new Main().new Inner().twice(21) + " "
            + Arrays.toString(Colour.values()) + " " + points + " " + square.area()
            + " " + square.getClass().getName() + " " + Inner.class.getName());
    }
}
""",
    "no_main_method": "public class Main {\n    public static int solve() { return 1; }\n}\n",
    "instance_main": "public class Main {\n    public void main(String[] args) {}\n}\n",
    "failing_static_initialiser": """\
public class Main {
    static final int VALUE = compute();
    static int compute() { throw new IllegalArgumentException("no value"); }
    public static void main(String[] args) { System.out.println(VALUE); }
}
""",
    "non_public_class": (
        "class Main {\n"
        '    public static void main(String[] args) { System.out.println("ok"); }\n}\n'
    ),
}


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_a_warm_run_reads_as_a_cold_one(
    name: str, warm: tuple[Engine, Recording], cold: Engine, chain: Toolchain
) -> None:
    job = job_of(chain, PROGRAMS[name], stdin="first line\nsecond line\n")
    hot, plain = both(warm, cold, job)
    assert plain.compile is not None
    assert plain.compile.status == "accepted", plain.compile.output
    same_run(hot, plain)


def test_the_environment_and_launcher_state_are_the_cold_ones(
    warm: tuple[Engine, Recording], cold: Engine, chain: Toolchain
) -> None:
    hot, plain = both(warm, cold, job_of(chain, ENVIRONMENT, stdin="typed\n"))
    same_run(hot, plain)
    assert hot.run is not None
    lines = hot.run.stdout.splitlines()
    assert lines[0] == "read typed"
    assert "IK_" not in lines[1]
    assert "java.class.path=/build" in lines
    assert "sun.java.command=Main" in lines
    assert lines[-1].startswith("[] main main false true true /work [")


def test_an_uncaught_exception_shows_only_the_programs_frames(
    warm: tuple[Engine, Recording], cold: Engine, chain: Toolchain
) -> None:
    hot, plain = both(warm, cold, job_of(chain, PROGRAMS["exception"]))
    same_run(hot, plain)
    assert hot.run is not None
    assert hot.run.exit_code == 1
    assert hot.run.stderr.startswith('Exception in thread "main" java.lang.IllegalStateException')
    assert "interviewkit" not in hot.run.stderr
    assert "java.lang.invoke" not in hot.run.stderr
    tail = "\tat Main.main(Main.java:8)\nCaused by: java.lang.ArithmeticException: inner\n"
    assert hot.run.stderr.endswith(tail + "\t... 5 more\n")


def test_exit_codes_and_non_daemon_threads_behave_as_cold(
    warm: tuple[Engine, Recording], cold: Engine, chain: Toolchain
) -> None:
    exited, _ = both(warm, cold, job_of(chain, PROGRAMS["exit"]))
    assert exited.run is not None
    assert (exited.run.exit_code, exited.run.stdout) == (3, "leaving hook")
    waited, _ = both(warm, cold, job_of(chain, PROGRAMS["thread_outlives_a_throwing_main"]))
    assert waited.run is not None
    assert waited.run.exit_code == 1
    assert waited.run.stdout == "worker still ran\n"


TWO_SUM = """\
class Solution {
    public int[] twoSum(int[] nums, int target) {
        if (target == 0) throw new IllegalArgumentException("no target");
        if (target < 0) { long[] waste = new long[1 << 28]; return new int[] {(int) waste[0]}; }
        Map<Integer, Integer> seen = new HashMap<>();
        for (int i = 0; i < nums.length; i++) {
            Integer j = seen.get(target - nums[i]);
            if (j != null) return new int[] {j, i};
            seen.put(nums[i], i);
        }
        return new int[0];
    }
}
"""


def two_sum_suite() -> TestSuite:
    tests: list[dict[str, object]] = [
        {"name": f"pair{i}", "input": [[2, 7, 11, 15], 9], "expected": [0, 1]} for i in range(6)
    ]
    tests += [
        {"name": "wrong", "input": [[1, 2], 3], "expected": [1, 0]},
        {"name": "throws", "input": [[1], 0], "expected": []},
        {"name": "hidden", "input": [[3, 3], 6], "expected": [0, 1], "hidden": True},
        {"name": "memory", "input": [[1], -1], "expected": [], "hidden": True},
    ]
    signature = {
        "params": [{"name": "nums", "type": "int[]"}, {"name": "target", "type": "int"}],
        "returns": "int[]",
    }
    return TestSuite.model_validate(
        {"entry_point": "twoSum", "signature": signature, "tests": tests}
    )


def test_a_ten_test_submission_is_judged_alike_warm_and_cold(
    warm: tuple[Engine, Recording], cold: Engine, chain: Toolchain
) -> None:
    job = ExecutionJob(
        "exe_java",
        chain,
        {"Solution.java": TWO_SUM},
        "Solution.java",
        suite=two_sum_suite(),
        limits=LIMITS,
    )
    hot, plain = both(warm, cold, job)
    verdicts = [(test.name, test.status, test.actual) for test in hot.tests]
    assert verdicts == [(test.name, test.status, test.actual) for test in plain.tests]
    assert [status for _, status, _ in verdicts] == [
        *["accepted"] * 6,
        "wrong_answer",
        "runtime_error",
        "accepted",
        "memory_limit_exceeded",
    ]


LIMIT_PROGRAMS = {
    "memory_limit_exceeded": "public class Main { public static void main(String[] a) {\n"
    "  java.util.List<long[]> keep = new java.util.ArrayList<>();\n"
    "  while (true) keep.add(new long[1 << 20]);\n} }\n",
    "time_limit_exceeded": "public class Main { public static void main(String[] a) {\n"
    "  long n = 0; while (n >= 0) n++;\n} }\n",
    "output_limit_exceeded": "public class Main { public static void main(String[] a) {\n"
    '  String line = "x".repeat(1000); while (true) System.out.println(line);\n} }\n',
    "sleeps": "public class Main { public static void main(String[] a) throws Exception {\n"
    "  Thread.sleep(60_000);\n} }\n",
}


@pytest.mark.parametrize("name", sorted(LIMIT_PROGRAMS))
def test_warm_runs_are_held_to_the_runs_own_limits(
    name: str, warm: tuple[Engine, Recording], chain: Toolchain
) -> None:
    """Time limits lower than the pool's are the run's own (the supervisor's from the
    hand-over on); memory is the JVM's heap and the cgroup, fixed at start."""
    engine, recording = warm
    limits = replace(LIMITS, cpu_time_s=0.5, wall_time_s=1.5)
    if name == "memory_limit_exceeded":  # filling the heap takes GC time: not a CPU verdict
        limits = LIMITS
    pool_filled(recording)
    recording.served.clear()
    result = engine.execute(job_of(chain, LIMIT_PROGRAMS[name], limits=limits))
    assert recording.served[-1] == "java"
    expected = "time_limit_exceeded" if name == "sleeps" else name
    assert result.status == expected, result.model_dump_json()[:2000]
    assert result.run is not None
    assert len(result.run.stdout.encode()) <= limits.output_bytes
    assert result.run.wall_ms < 10_000


WRITER = """\
import java.nio.file.*;
public class Main {
    public static void main(String[] args) throws Exception {
        Files.writeString(Path.of("/tmp/left"), "x");
        Files.writeString(Path.of("/work/left"), "x");
        Files.writeString(Path.of("/build/Planted.class"), "x");
        System.setProperty("left.behind", "yes");
        Thread sleeper = new Thread(() -> { try { Thread.sleep(60_000); } catch (Exception e) {} });
        sleeper.setDaemon(true);
        sleeper.start();
        new ProcessBuilder("sleep", "30").start();
        System.out.println("written");
    }
}
"""

READER = """\
import java.io.File;
import java.nio.file.*;
public class Main {
    public static void main(String[] args) {
        File[] pids = new File("/proc").listFiles(f -> f.getName().matches("\\\\d+"));
        System.out.println(Files.exists(Path.of("/tmp/left")) + " "
            + Files.exists(Path.of("/work/left")) + " "
            + Files.exists(Path.of("/build/Planted.class")) + " "
            + System.getProperty("left.behind") + " " + pids.length);
    }
}
"""


def test_nothing_survives_from_one_warm_run_to_the_next(
    warm: tuple[Engine, Recording], cold: Engine, chain: Toolchain
) -> None:
    first = job_of(chain, WRITER)
    hot, _ = both(warm, cold, first)
    assert hot.run is not None
    assert hot.run.stdout == "written\n", hot.run.stderr
    after, _ = both(warm, cold, job_of(chain, READER))
    assert after.run is not None
    seen = after.run.stdout.split()
    assert seen[:4] == ["false", "false", "false", "null"]
    assert int(seen[4]) <= 2  # bwrap's init and this JVM


def test_only_runs_the_template_fits_are_served(java_runtime: JavaRuntime, tmp_path: Path) -> None:
    command = [part.replace("{entry}", "Main") for part in java_runtime.command]
    build = Mount(tmp_path, "/build")
    fits = SandboxJob(command=command, mounts=[build], binds=JAVA.binds)
    assert java_runtime.serves(fits)
    harness_env = {"IK_TESTS": "/ik/tests.json", "IK_START": "0", "IK_STDOUT_LIMIT": "8192"}
    assert java_runtime.serves(replace(fits, env=harness_env))
    other_heap = [part.replace("-Xmx256m", "-Xmx512m") for part in command]
    assert not java_runtime.serves(replace(fits, command=other_heap))
    assert not java_runtime.serves(replace(fits, env={"JAVA_TOOL_OPTIONS": "-Xint"}))
    assert not java_runtime.serves(replace(fits, mounts=[Mount(tmp_path, "/build", True)]))
    assert not java_runtime.serves(replace(fits, mounts=[]))
    assert not java_runtime.serves(replace(fits, binds=()))
    injected = [*command[:-1], "Main -XX:+PrintFlagsFinal"]
    assert not java_runtime.serves(replace(fits, command=injected))


def test_the_hand_over_reads_the_cache_entry_without_following_links(tmp_path: Path) -> None:
    entry = tmp_path / "entry"
    (entry / "app").mkdir(parents=True)
    (entry / "Main.class").write_bytes(b"main")
    (entry / "app" / "Helper.class").write_bytes(b"helper")
    secret = tmp_path / "secret"
    secret.write_bytes(b"host secret")
    (entry / "Link.class").symlink_to(secret)
    (entry / "linked").symlink_to(tmp_path)
    assert class_files(entry) == [("Main.class", b"main"), ("app/Helper.class", b"helper")]
    huge = tmp_path / "huge"
    huge.mkdir()
    (huge / "Huge.class").write_bytes(b"")
    os.truncate(huge / "Huge.class", 65 * 1024 * 1024)
    with pytest.raises(TooLarge):
        class_files(huge)


def test_the_bootstrap_is_built_once_root_owned_and_read_only(
    chain: Toolchain, tmp_path: Path
) -> None:
    template = chain.run_command("{entry}", LIMITS.memory_mb)
    first = runtime(template, chain.executables, tmp_path / ".warm")
    second = runtime(template, chain.executables, tmp_path / ".warm")
    assert first is not None
    assert second is not None
    assert first.boot == second.boot
    jar = first.boot / BOOT_JAR
    info = jar.stat()
    assert info.st_uid == 0
    assert not info.st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
    assert not first.boot.stat().st_mode & (stat.S_IWGRP | stat.S_IWOTH)
    assert [path.name for path in (tmp_path / ".warm").iterdir()] == [first.boot.name]
