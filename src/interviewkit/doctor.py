"""What this machine offers the platform: each probe says OK or MISSING, and the fix.

The database and object store are required; the rest (sandbox, language runtimes, speech
engines) are needed by later domains, and the report says so instead of failing.
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from interviewkit.storage import PortCheck

APT_FIX = "apt-get install {packages}"


@dataclass(frozen=True)
class ToolProbe:
    name: str
    command: list[str]
    packages: str


RUNTIMES = [
    ToolProbe("python", ["python3", "--version"], "python3"),
    ToolProbe("javascript (node)", ["node", "--version"], "nodejs"),
    ToolProbe("java (javac)", ["javac", "-version"], "default-jdk-headless"),
    ToolProbe("c++ (g++)", ["g++", "--version"], "g++"),
    ToolProbe("ffmpeg", ["ffmpeg", "-version"], "ffmpeg"),
]


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


def probe_sandbox() -> list[PortCheck]:
    fix = APT_FIX.format(packages="bubblewrap")
    ok, detail = _run(
        ["bwrap", "--ro-bind", "/", "/", "--unshare-all", "--die-with-parent", "true"]
    )
    checks = [PortCheck("sandbox (bubblewrap)", ok, detail or "bwrap ran", "" if ok else fix)]
    memory = Path("/sys/fs/cgroup/memory")
    unified = Path("/sys/fs/cgroup/cgroup.controllers")
    has_cgroups = memory.is_dir() or unified.is_file()
    kind = "v1" if memory.is_dir() else "v2" if unified.is_file() else "none"
    checks.append(
        PortCheck(
            "sandbox cgroups",
            has_cgroups,
            f"cgroup {kind}",
            "" if has_cgroups else "mount the memory and pids cgroup controllers",
        )
    )
    return checks


def probe_module(name: str, module: str, package: str) -> PortCheck:
    found = importlib.util.find_spec(module) is not None
    detail = f"python module {module}" + ("" if found else " not installed")
    return PortCheck(name, found, detail, "" if found else f"pip install {package}")


def machine_checks() -> list[PortCheck]:
    return [
        *probe_sandbox(),
        *(probe_tool(probe) for probe in RUNTIMES),
        probe_module("speech-to-text (pocketsphinx)", "pocketsphinx", "pocketsphinx"),
        probe_module("text-to-speech (espeak-ng)", "espeakng_loader", "espeakng-loader"),
    ]
