"""The sandbox security suite's fixtures: a real bwrap sandbox, an engine on it, and a guard.

Modelled on snekbox's ``tests/test_nsjail.py`` and Piston's tests: every test runs a hostile
program through the real engine (or the real API) and asserts two things, the verdict the
engine gives it and that the host is unaffected. The ``host`` guard checks the second part
after every test: no process left running as the sandbox uid, no cgroup left behind, no
file the sandbox uid owns on the host, no staging folder or memfd left over and, where a
server runs, that it still answers ``/healthz``.

The attack programs live in ``programs/`` (one kit per language; the first stdin line names
the attack), so a compiled kit is compiled once per test session and every attack on it
costs one run. The guard reads machine-wide state (``/proc``, the cgroup tree): run these
tests serially, as ``make test`` does.

Every attack runs in two modes (the ``runner`` fixture's parameter): ``cold``, a fresh
sandbox started for the run, and ``warm``, the engine a server builds, whose runs are
handed to pre-started sandboxes of one warm pool per language runtime. In warm mode each run
must really be served warm by its language's runtime, or the test fails: a warm runtime
the suite does not cover is a warm runtime nobody has attacked. Tests whose job no warm
pool can serve (limits fixed at sandbox start, a compile) run ``cold-only-<why>``.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import httpx
import pytest

from interviewkit.app import Container
from interviewkit.auth.service import Role
from interviewkit.config import Settings
from interviewkit.execution.engine import CompileCache, Engine, ExecutionJob
from interviewkit.execution.limits import Limits
from interviewkit.execution.planner import JobPlanner, build_engine
from interviewkit.execution.sandbox import BwrapSandbox, SandboxJob, SandboxResult, create_sandbox
from interviewkit.execution.sandbox.cgroups import CGROUP_ROOT, PARENT_NAME, Cgroups, RunCgroup
from interviewkit.execution.sandbox.warm import WarmPool
from interviewkit.execution.schemas import ExecutionResult
from interviewkit.execution.toolchains import LanguageRegistry, Toolchain
from interviewkit.languages import CompileSettings
from tests.conftest import make_settings, unavailable
from tests.server import Server, running_server

PROGRAMS = Path(__file__).parent / "programs"
SANDBOX_UID = 64999
"""The default ``sandbox_uid``: the host uid every sandboxed process must run as."""

KITS: Mapping[str, tuple[str, str]] = {
    "python": ("main.py", "attacks.py"),
    "javascript": ("main.js", "attacks.js"),
    "java": ("Main.java", "Main.java"),
    "cpp": ("main.cpp", "attacks.cpp"),
}
"""Per language: the entry file name in the workspace, and the kit's file in ``programs/``."""

DEFAULT_LIMITS = Limits()
FAST = Limits(cpu_time_s=1.0, wall_time_s=2.0)
"""For attacks that only a time limit stops: keeps the suite quick."""

QUICK_COMPILE = CompileSettings(wall_time_s=3.0, cpu_time_s=3.0, memory_mb=256, processes=32)
"""Compile limits for the compile bombs (the production default lets g++ run 30 s)."""

SETTLE_SECONDS = 15.0
"""How long the guard waits for another test run's (or another developer's) processes."""

OUTPUT_CAP = DEFAULT_LIMITS.output_bytes

WARM_RUNTIME: Mapping[str, str] = {
    "python": "python",
    "cpp": "cpp",
    "javascript": "javascript",
    "java": "java",
}
"""Per language: the warm runtime that must serve its runs in warm mode (a compiled C++
program is ``execve``d by a CPython bootstrap in a pool of its own)."""

WARM_MODULE: Mapping[str, str] = {
    "python": "warm_python",
    "cpp": "warm_python",
    "javascript": "warm_node",
    "java": "warm_java",
}
"""Where each runtime lives (``interviewkit.execution.sandbox.<module>.runtime``)."""

POOL_READY_SECONDS = 60.0
"""How long a run waits for its pool to be full again (a JVM starts in about a second)."""


def cold_only(why: str) -> pytest.MarkDecorator:
    """Run a test in cold mode only, saying why in its id: a job no warm pool can serve."""
    return pytest.mark.parametrize("runner", [f"cold-only-{why}"], indirect=True)


def warm_only() -> pytest.MarkDecorator:
    """Run a test in warm mode only (attacks on the warm pools themselves)."""
    return pytest.mark.parametrize("runner", ["warm"], indirect=True)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "slow: a sandbox attack that needs a second or more (a time limit, a JVM)"
    )


# ---- the host, seen from outside ----------------------------------------------------------


class RecordingCgroups:
    """The sandbox's cgroup factory, noting the name of every run's group."""

    def __init__(self, inner: Cgroups) -> None:
        self.inner = inner
        self.version = inner.version
        self.created: list[str] = []

    def create(self, name: str, memory_bytes: int, processes: int) -> RunCgroup:
        self.created.append(name)
        return self.inner.create(name, memory_bytes, processes)

    def directories(self, name: str) -> list[Path]:
        if self.version == "v1":
            return [CGROUP_ROOT / c / PARENT_NAME / name for c in ("memory", "pids", "cpuacct")]
        return [CGROUP_ROOT / PARENT_NAME / name]


def run_cgroups() -> set[str]:
    """Every per-run cgroup on the machine, as ``controller/name`` (v1) or ``name`` (v2)."""
    found: set[str] = set()
    for parent in (CGROUP_ROOT / "memory", CGROUP_ROOT / "pids", CGROUP_ROOT / "cpuacct"):
        with contextlib.suppress(OSError):
            found |= {f"{parent.name}/{d.name}" for d in (parent / PARENT_NAME).iterdir()
                      if d.is_dir()}  # fmt: skip
    with contextlib.suppress(OSError):
        found |= {d.name for d in (CGROUP_ROOT / PARENT_NAME).iterdir() if d.is_dir()}
    return found


@dataclass(frozen=True)
class HostProcess:
    pid: int
    uids: tuple[int, ...]
    state: str
    cgroup: str
    cmdline: str

    @property
    def exited(self) -> bool:
        """A zombie runs nothing; it waits for its reaper (see ``HostGuard.stray_processes``)."""
        return self.state.startswith(("Z", "X"))


def _read(path: Path) -> str:
    try:
        return path.read_bytes().decode(errors="replace")
    except OSError:
        return ""


def sandbox_processes(uid: int = SANDBOX_UID) -> list[HostProcess]:
    """Processes on the host whose real, effective, saved or filesystem uid is ``uid``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        status = _read(entry / "status")
        fields = dict(row.split(":\t", 1) for row in status.splitlines() if ":\t" in row)
        uids = tuple(int(value) for value in fields.get("Uid", "").split())
        if uid not in uids:
            continue
        cmdline = _read(entry / "cmdline").replace("\0", " ").strip()
        state = fields.get("State", "?")
        pid = int(entry.name)
        found.append(HostProcess(pid, uids, state, process_cgroup(pid), cmdline))
    return found


BWRAP = "/usr/bin/bwrap "


def group_name(cgroup: str) -> str:
    return cgroup.rstrip("/").rsplit("/", 1)[-1]


def in_groups(process: HostProcess, names: set[str]) -> bool:
    """In one of the groups ``names``, or the outer bwrap watching a sandbox in one."""
    if group_name(process.cgroup) in names:
        return True
    if not process.cmdline.startswith(BWRAP):
        return False
    groups = [group_name(process_cgroup(child)) for child in children(process.pid)]
    return bool(groups) and all(group in names for group in groups)


def in_sandbox_group(cgroup: str) -> bool:
    return f"/{PARENT_NAME}/run-" in cgroup or f"/{PARENT_NAME}/warm-" in cgroup


def children(pid: int) -> list[int]:
    return [int(child) for child in _read(Path(f"/proc/{pid}/task/{pid}/children")).split()]


def process_cgroup(pid: int) -> str:
    """The pids controller's group on v1, the unified group on v2."""
    rows = _read(Path(f"/proc/{pid}/cgroup")).splitlines()
    pids_group = next((row.split(":", 2)[2] for row in rows if ":pids:" in row), "")
    return pids_group or next((row.split(":", 2)[2] for row in rows if row.startswith("0::")), "")


def parent_of(pid: int) -> int:
    for row in _read(Path(f"/proc/{pid}/status")).splitlines():
        if row.startswith("PPid:"):
            return int(row.split()[1])
    return 0


def lineage_is_ours(pid: int) -> bool:
    """Started by this test run (directly or by its live server), or orphaned to init.

    An orphan is what escaping the sandbox looks like; a process under some other parent
    belongs to another program on the machine (a developer validating problems meanwhile).
    """
    me = os.getpid()
    parent = parent_of(pid)
    if parent in (0, 1):
        return True
    while parent not in (0, 1):
        if parent == me:
            return True
        parent = parent_of(parent)
    return False


def cgroup_busy(name: str) -> bool:
    """Whether a process runs in the group ``controller/name`` (v1) or ``name`` (v2)."""
    folder = CGROUP_ROOT / name.split("/", 1)[0] / PARENT_NAME / name.split("/", 1)[-1]
    if "/" not in name:
        folder = CGROUP_ROOT / PARENT_NAME / name
    return bool(_read(folder / "cgroup.procs").split())


def owned_files(roots: list[Path], uid: int, *, skip: tuple[Path, ...] = ()) -> list[Path]:
    """Files and folders under ``roots`` that ``uid`` owns (a sandbox writing to the host)."""
    found: list[Path] = []
    for root in roots:
        for folder, dirs, files in os.walk(root):
            here = Path(folder)
            dirs[:] = [d for d in dirs if here / d not in skip]
            for entry in [*dirs, *files]:
                with contextlib.suppress(OSError):
                    if (here / entry).lstat().st_uid == uid:
                        found.append(here / entry)
    return found


def top_level_owned(folders: tuple[str, ...], uid: int) -> list[Path]:
    found: list[Path] = []
    for folder in folders:
        with contextlib.suppress(OSError):
            for entry in os.scandir(folder):
                with contextlib.suppress(OSError):
                    if entry.stat(follow_symlinks=False).st_uid == uid:
                        found.append(Path(entry.path))
    return found


def descriptors() -> dict[str, int]:
    """How many memfds and pipes this process holds (the sandbox opens both for every run)."""
    counts = {"memfd": 0, "pipe": 0}
    for fd in Path("/proc/self/fd").iterdir():
        with contextlib.suppress(OSError):
            target = str(fd.readlink())
            for kind in counts:
                counts[kind] += target.startswith((f"/{kind}:", f"{kind}:"))
    return counts


@dataclass
class WarmPools:
    """The suite's own warm sandboxes: they wait between tests, and are not a run's leftovers."""

    sandboxes: list[BwrapSandbox] = field(default_factory=list)

    def pools(self) -> list[WarmPool]:
        return [pool for sandbox in self.sandboxes for pool in sandbox.pools.values()]

    def idle_groups(self) -> set[str]:
        """The cgroups of the sandboxes waiting in a pool right now."""
        return {name for pool in self.pools() for name in pool.cgroup_names()}

    def full(self) -> bool:
        return all(pool.ready() >= pool.size for pool in self.pools())

    def settle(self, timeout: float) -> bool:
        """Wait until every pool is full again (a run's replacement has started)."""
        return wait_for(self.full, timeout)


def answers_healthz(base_url: str) -> bool:
    try:
        return httpx.get(f"{base_url}/healthz", timeout=5).status_code == 200
    except httpx.HTTPError:
        return False


@dataclass
class HostGuard:
    """What the ``host`` fixture checks after the test; a test may add servers to check."""

    recorder: RecordingCgroups
    root: Path
    """Every data dir of the suite lives under here (engine, API tests, the live server)."""
    warm: WarmPools = field(default_factory=WarmPools)
    """The suite's own warm pools: their waiting sandboxes are allowed, nothing else."""
    servers: list[str] = field(default_factory=list)
    recorded_before: int = 0
    cgroups_before: set[str] = field(default_factory=set)
    descriptors_before: dict[str, int] = field(default_factory=dict)

    def ours(self) -> set[str]:
        """This test's groups: new run groups, and every warm group of ours not waiting idle
        (a warm sandbox that served a run, in this test or before, must be gone)."""
        created = set(self.recorder.created[self.recorded_before :])
        warm = {name for name in self.recorder.created if name.startswith("warm-")}
        return (created | warm) - self.warm.idle_groups()

    def run_processes(self) -> list[HostProcess]:
        """Live sandbox-uid processes this test run started, but not the idle warm ones."""
        idle = self.warm.idle_groups()
        return [
            process
            for process in sandbox_processes()
            if not process.exited and lineage_is_ours(process.pid) and not in_groups(process, idle)
        ]

    def stray_processes(self) -> list[HostProcess]:
        """Sandbox-uid processes of this test's runs, or outside every sandbox's cgroup.

        Sandboxes of other tests and of the live server (its warm pool waits between tests)
        live in their own ``interviewkit/run-*`` or ``warm-*`` groups and are left alone,
        as is the outer bwrap watching one of them (it stays in its parent's group, see
        ``BwrapSandbox._start``); one of ours, or one that escaped its group, is a leak.
        Zombies are not: bwrap's outer process exits without reaping the sandbox's init,
        which the host's init then reaps (in its own time).
        """
        ours = self.ours()
        return [
            process
            for process in sandbox_processes()
            if not process.exited
            and lineage_is_ours(process.pid)
            and (group_name(process.cgroup) in ours or not self._foreign_sandbox(process))
        ]

    def lasting_strays(self) -> list[HostProcess]:
        """Strays still there a moment later: another program's process, dying as the
        guard walks its parents, reads as an orphan for an instant (helpers share a host)."""
        first = self.stray_processes()
        if not first:
            return []
        time.sleep(0.5)
        again = {process.pid for process in self.stray_processes()}
        return [process for process in first if process.pid in again]

    def _foreign_sandbox(self, process: HostProcess) -> bool:
        """In another sandbox's group, or the outer bwrap of one."""
        ours = self.ours()
        if in_sandbox_group(process.cgroup):
            return group_name(process.cgroup) not in ours
        if not process.cmdline.startswith(BWRAP):
            return False
        groups = [process_cgroup(child) for child in children(process.pid)]
        return bool(groups) and all(
            in_sandbox_group(group) and group_name(group) not in ours for group in groups
        )

    def left_behind(self) -> list[Path]:
        """Groups of this test's runs still on disk (a busy one waits for the janitor)."""
        return [path for name in self.ours() for path in self.recorder.directories(name)
                if path.exists()]  # fmt: skip

    def new_cgroups(self) -> set[str]:
        """Sandbox groups made during the test that are ours, or, in a test that drives the
        live server (whose groups this process does not record), that nothing runs in.

        Without a server, a group nobody here recorded is another program's: other servers
        and test runs on a shared machine make (and may leave) theirs meanwhile.
        """
        ours = self.ours()
        idle = self.warm.idle_groups()
        return {
            name
            for name in run_cgroups() - self.cgroups_before
            if name.rsplit("/", 1)[-1] in ours
            or (self.servers and name.rsplit("/", 1)[-1] not in idle and not cgroup_busy(name))
        }

    def unsettled(self) -> bool:
        return bool(self.left_behind() or self.stray_processes()) or not self.warm.full()

    def check(self) -> None:
        """Assert the host is as it was; waits briefly for other runs to finish (and for
        the warm pools to have replaced the sandboxes the test used)."""
        deadline = time.monotonic() + SETTLE_SECONDS
        while time.monotonic() < deadline and self.unsettled():
            time.sleep(0.05)
        assert not self.left_behind(), f"the runs left cgroups behind: {self.left_behind()}"
        survivors = self.lasting_strays()
        assert not survivors, f"sandbox processes survived: {survivors}"
        # an idle group made during the test must go; groups other processes keep making
        # meanwhile (a live server's runs, a developer's) are not this test's to judge
        suspects = self.new_cgroups()
        while suspects and time.monotonic() < deadline + SETTLE_SECONDS:
            time.sleep(0.05)
            suspects &= self.new_cgroups()
        assert not suspects, f"cgroups left behind: {suspects}"
        caches = list(self.root.glob("*/exec-cache"))
        staging = [path for cache in caches for path in cache.glob(".staging-*")]
        assert not staging, f"compile staging folders left behind: {staging}"
        entries = tuple(entry for cache in caches for entry in cache.iterdir())
        strays = owned_files([self.root], SANDBOX_UID, skip=entries)
        strays += top_level_owned(("/tmp", "/var/tmp", "/dev/shm"), SANDBOX_UID)
        assert not strays, f"files the sandbox uid owns on the host: {strays}"
        after = descriptors()
        for kind, count in self.descriptors_before.items():
            assert after[kind] <= count, f"{kind} descriptors leaked: {count} -> {after[kind]}"
        for base_url in self.servers:
            assert answers_healthz(base_url), f"{base_url} stopped answering /healthz"


# ---- the sandbox and the engine -----------------------------------------------------------


def traversable_dir(path: Path) -> Path:
    """A folder the sandbox uid may pass through (bwrap opens bind sources as that uid)."""
    path.mkdir(parents=True, exist_ok=True)
    path.chmod(0o711)
    return path


@pytest.fixture(scope="session")
def exec_root() -> Iterator[Path]:
    """A root-owned folder outside pytest's private (0700) temporary tree."""
    root = traversable_dir(Path(tempfile.mkdtemp(prefix="ik-sandbox-tests-")))
    yield root
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def sandbox() -> BwrapSandbox:
    if os.geteuid() != 0:
        unavailable("root", "the sandbox suite checks the unprivileged host uid and cgroups")
    try:
        made = create_sandbox("bwrap", uid=SANDBOX_UID, gid=SANDBOX_UID)
    except RuntimeError as exc:
        unavailable("bubblewrap", str(exc))
    assert isinstance(made, BwrapSandbox)
    if made.cgroups is None:
        unavailable("cgroups", "no writable memory/pids/cpuacct hierarchy")
    if made.seccomp_bpf is None:
        unavailable("seccomp", "libseccomp (pyseccomp) is missing")
    assert made.cgroups is not None
    made.cgroups = RecordingCgroups(made.cgroups)
    return made


@pytest.fixture(scope="session")
def recorder(sandbox: BwrapSandbox) -> RecordingCgroups:
    assert isinstance(sandbox.cgroups, RecordingCgroups)
    return sandbox.cgroups


@pytest.fixture(scope="session")
def engine_data_dir(exec_root: Path) -> Path:
    return traversable_dir(exec_root / "engine")


@pytest.fixture(scope="session")
def engine(sandbox: BwrapSandbox, engine_data_dir: Path) -> Engine:
    cache = CompileCache(engine_data_dir / "exec-cache", 100, SANDBOX_UID, SANDBOX_UID)
    return Engine(sandbox, cache)


@pytest.fixture(scope="session")
def registry() -> LanguageRegistry:
    return LanguageRegistry()


class RecordingSandbox(BwrapSandbox):
    """The warm mode's sandbox: notes every job it ran, by thread, and what served it."""

    def __init__(self, like: BwrapSandbox) -> None:
        super().__init__(
            uid=like.uid,
            gid=like.gid,
            cgroups=like.cgroups,
            seccomp_bpf=like.seccomp_bpf,
            bwrap=like.bwrap,
        )
        self.runs: list[tuple[int, SandboxJob, SandboxResult]] = []

    def run(self, job: SandboxJob) -> SandboxResult:
        result = super().run(job)
        self.runs.append((threading.get_ident(), job, result))
        return result

    def program_runs(self, since: int) -> list[tuple[SandboxJob, SandboxResult]]:
        """This thread's runs since ``since`` that ran a program (a compile writes its
        build folder: those always run cold)."""
        me = threading.get_ident()
        return [(job, result) for thread, job, result in self.runs[since:]
                if thread == me and not any(m.writable for m in job.mounts)]  # fmt: skip


@dataclass
class Runner:
    """Runs attack kits and one-off programs through the real engine (cold or warm)."""

    engine: Engine
    planner: JobPlanner
    registry: LanguageRegistry
    mode: str = "cold"
    warm_pools: WarmPools | None = None
    taken: list[str] = field(default_factory=list)
    """Warm mode: the cgroups of the pool sandboxes the last run took (one per program run)."""

    @property
    def warm(self) -> bool:
        return self.mode == "warm"

    def pool(self, language: str) -> WarmPool:
        """The pool that must serve ``language`` in warm mode; fails clearly when missing."""
        sandbox = self.engine.sandbox
        assert isinstance(sandbox, BwrapSandbox)
        runtime = WARM_RUNTIME[language]
        pool = sandbox.pools.get(runtime)
        if pool is None:
            pytest.fail(
                f"warm mode: no warm {runtime!r} pool, so {language} runs cold and its warm "
                f"runtime is never attacked (interviewkit.execution.sandbox."
                f"{WARM_MODULE[runtime]}.runtime() returned None on this machine)",
                pytrace=False,
            )
        return pool

    def execute(self, language: str, job: ExecutionJob) -> ExecutionResult:
        """Run ``job``; in warm mode, assert every program run was served by its pool."""
        if not self.warm:
            return self.engine.execute(job)
        sandbox = self.engine.sandbox
        assert isinstance(sandbox, RecordingSandbox)
        pool = self.pool(language)
        full = wait_for(lambda: pool.ready() >= pool.size, POOL_READY_SECONDS)
        assert full, f"the warm {pool.runtime.name} pool never had {pool.size} sandboxes ready"
        idle = set(pool.cgroup_names())
        since = len(sandbox.runs)
        result = self.engine.execute(job)
        self.taken = sorted(idle - set(pool.cgroup_names()))
        runs = sandbox.program_runs(since)
        cold = [run_job for run_job, outcome in runs if outcome.warm != pool.runtime.name]
        assert runs, f"warm mode: no program ran: {explain(result)}"
        assert not cold, (
            f"warm mode: {len(cold)} of {len(runs)} {language} runs were not served by the "
            f"warm {pool.runtime.name!r} pool (it accepts the job: "
            f"{[pool.accepts(run_job) for run_job in cold]}): {explain(result)}"
        )
        return result

    def toolchain(self, language: str) -> Toolchain:
        found = self.registry.available().get(language)
        if found is None:
            unavailable(language, "its toolchain is not installed under /usr")
        assert found is not None
        return found

    def source(
        self,
        language: str,
        source: str,
        *,
        entry: str | None = None,
        stdin: str = "",
        limits: Limits = DEFAULT_LIMITS,
        compile_limits: CompileSettings | None = None,
    ) -> ExecutionResult:
        self.toolchain(language)
        entry = entry or KITS[language][0]
        job = self.planner.job(
            files={entry: source},
            entry=entry,
            language=language,
            stdin=stdin,
            suite=None,
            limits=limits,
        )
        if compile_limits is not None:
            spec = replace(job.toolchain.spec, compile_limits=compile_limits)
            job = replace(job, toolchain=replace(job.toolchain, spec=spec))
        return self.execute(language, job)

    def attack(
        self,
        language: str,
        attack: str,
        *args: object,
        limits: Limits = DEFAULT_LIMITS,
        entry: str | None = None,
    ) -> ExecutionResult:
        kit = (PROGRAMS / KITS[language][1]).read_text()
        stdin = " ".join([attack, *map(str, args)]) + "\n"
        return self.source(language, kit, entry=entry, stdin=stdin, limits=limits)


@pytest.fixture(scope="session")
def warm_pools() -> WarmPools:
    return WarmPools()


@pytest.fixture(scope="session", params=["cold", "warm"])
def runner(
    request: pytest.FixtureRequest,
    sandbox: BwrapSandbox,
    engine: Engine,
    registry: LanguageRegistry,
    engine_data_dir: Path,
    warm_pools: WarmPools,
) -> Iterator[Runner]:
    """``cold``: the plain engine. ``warm``: the engine ``build_engine`` gives a server, with
    a warm pool per runtime (started once per session, closed when the warm tests are done).
    """
    settings = make_settings(engine_data_dir)
    planner = JobPlanner(registry, settings)
    if request.param != "warm":
        yield Runner(engine, planner, registry, mode="cold")
        return
    warm_sandbox = RecordingSandbox(sandbox)
    warm_engine = build_engine(settings, warm_sandbox, registry)
    warm_pools.sandboxes.append(warm_sandbox)
    try:
        warm_pools.settle(POOL_READY_SECONDS)
        yield Runner(warm_engine, planner, registry, mode="warm", warm_pools=warm_pools)
    finally:
        warm_pools.sandboxes.remove(warm_sandbox)
        warm_sandbox.close()


@pytest.fixture(autouse=True)
def host(recorder: RecordingCgroups, exec_root: Path, warm_pools: WarmPools) -> Iterator[HostGuard]:
    """After every test: the host has no trace of the attack (see ``HostGuard.check``)."""
    guard = HostGuard(recorder, exec_root, warm_pools)
    warm_pools.settle(SETTLE_SECONDS)  # the baseline holds full pools, as the check will
    guard.recorded_before = len(recorder.created)
    guard.cgroups_before = run_cgroups()
    guard.descriptors_before = descriptors()
    yield guard
    guard.check()


@pytest.fixture
def settings(
    exec_root: Path, sqlite_template: Path, settings_overrides: dict[str, Any]
) -> Settings:
    """The app fixtures' settings, on SQLite in a data dir the sandbox uid can pass through."""
    data_dir = traversable_dir(exec_root / f"api-{secrets.token_hex(6)}")
    shutil.copy(sqlite_template, data_dir / "interviewkit.db")
    return make_settings(data_dir, database_url=None, **settings_overrides)


# ---- results ------------------------------------------------------------------------------


def facts(result: ExecutionResult) -> dict[str, str]:
    """The ``key: value`` lines a kit printed (the last value of a repeated key wins)."""
    assert result.run is not None, explain(result)
    found: dict[str, str] = {}
    for line in result.run.stdout.splitlines():
        key, sep, value = line.partition(": ")
        if sep:
            found[key] = value
    return found


def explain(result: ExecutionResult) -> str:
    """Enough of a result to see why an assertion failed."""
    shown: dict[str, Any] = {"status": result.status}
    if result.compile is not None:
        shown["compile"] = result.compile.output[-1500:]
    if result.run is not None:
        run = result.run
        shown |= {
            "stdout": run.stdout[-1500:],
            "stderr": run.stderr[-1500:],
            "exit_code": run.exit_code,
            "signal": run.signal,
            "time_ms": run.time_ms,
            "wall_ms": run.wall_ms,
            "memory_kb": run.memory_kb,
        }
    return repr(shown)


def assert_status(result: ExecutionResult, *allowed: str) -> None:
    assert result.status in allowed, explain(result)


# ---- a real server ------------------------------------------------------------------------


@dataclass
class LiveServer:
    """``interviewkit serve`` in a subprocess, with a staff key and a known secret key."""

    server: Server
    api: httpx.Client
    secret_key: str

    @property
    def base_url(self) -> str:
        return self.server.base_url

    @property
    def port(self) -> int:
        return int(self.base_url.rsplit(":", 1)[1])

    def execute(
        self, language: str, source: str, *, stdin: str = "", limits: dict[str, Any] | None = None
    ) -> ExecutionResult:
        entry = KITS[language][0]
        body: dict[str, Any] = {
            "language": language,
            "files": [{"path": entry, "content": source}],
            "entry": entry,
            "stdin": stdin,
        }
        if limits is not None:
            body["limits"] = limits
        response = self.api.post("/api/v1/execute", json=body)
        assert response.status_code == 200, response.text
        return ExecutionResult.model_validate(response.json())

    def attack(
        self, attack: str, *args: object, limits: dict[str, Any] | None = None
    ) -> ExecutionResult:
        kit = (PROGRAMS / KITS["python"][1]).read_text()
        stdin = " ".join([attack, *map(str, args)]) + "\n"
        return self.execute("python", kit, stdin=stdin, limits=limits)


@pytest.fixture(scope="session")
def live_server(exec_root: Path, sandbox: BwrapSandbox) -> Iterator[LiveServer]:
    """One real server for the session (each start costs a second or two)."""
    data_dir = traversable_dir(exec_root / "server")
    secret_key = f"server-secret-{secrets.token_hex(16)}"
    with running_server(
        data_dir,
        INTERVIEWKIT_SECRET_KEY=secret_key,
        INTERVIEWKIT_LOG_LEVEL="WARNING",
        INTERVIEWKIT_SANDBOX="bwrap",
    ) as server:
        container = Container.build(make_settings(data_dir, secret_key=secret_key))
        try:
            _, key = container.auth.create_key("sandbox suite", Role.interviewer)
        finally:
            container.engine.dispose()
        headers = {"Authorization": f"Bearer {key}"}
        with httpx.Client(base_url=server.base_url, headers=headers, timeout=60) as api:
            yield LiveServer(server, api, secret_key)


@pytest.fixture
def server(live_server: LiveServer, host: HostGuard) -> LiveServer:
    """The live server, which the guard checks still answers after the test."""
    host.servers.append(live_server.base_url)
    return live_server


def wait_for(condition: Callable[[], bool], timeout: float) -> bool:
    """Poll until ``condition`` holds; False when it never did (not a timing assertion)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()
