"""Which protections a sandbox really gives, and the policy that refuses a weak one.

Candidates' code is hostile by assumption, so a server must not quietly run it with less
isolation than its operator believes it has: the ``process`` backend (rlimits only) is
refused wherever the app is built unless ``sandbox_allow_process`` says yes, and a bwrap
sandbox without its seccomp filter or without cgroup limits (memory, pids) is refused
unless ``sandbox_allow_weak`` says yes. ``interviewkit doctor`` shows the same findings,
each probed on this machine (namespaces by running a program and comparing its namespaces
with the host's), so what it prints is what a run gets.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from interviewkit.config import Settings
from interviewkit.execution.sandbox.bwrap import BwrapSandbox
from interviewkit.execution.sandbox.cgroups import CGROUP_ROOT
from interviewkit.execution.sandbox.port import Sandbox, SandboxJob

NAMESPACES = ("user", "pid", "net", "mnt", "ipc", "uts")


class SandboxRefused(RuntimeError):
    """The configured sandbox is weaker than the settings accept; the message says the fix."""


@dataclass(frozen=True)
class Protection:
    name: str
    on: bool
    detail: str
    fix: str = ""


def refuse_process_backend(settings: Settings) -> None:
    """Called wherever the app is built: no isolation is opt-in, never a silent default."""
    if settings.sandbox == "process" and not settings.sandbox_allow_process:
        raise SandboxRefused(
            "INTERVIEWKIT_SANDBOX=process runs candidates' code without isolation (rlimits "
            "only); install bubblewrap, or set INTERVIEWKIT_SANDBOX_ALLOW_PROCESS=true on a "
            "machine only you use"
        )


def refuse_weak_sandbox(settings: Settings, sandbox: Sandbox) -> None:
    """Refuse a sandbox built from ``settings`` that lacks a protection it should have."""
    if not getattr(sandbox, "isolated", False):
        refuse_process_backend(settings)
        return
    missing = [name for name, on in _bwrap_parts(sandbox).items() if not on]
    if missing and not settings.sandbox_allow_weak:
        raise SandboxRefused(
            f"the bwrap sandbox lacks {' and '.join(missing)} on this machine (see "
            "'interviewkit doctor'); run as root with cgroup memory and pids controllers "
            "and libseccomp, or set INTERVIEWKIT_SANDBOX_ALLOW_WEAK=true to run without them"
        )


def _bwrap_parts(sandbox: Sandbox) -> dict[str, bool]:
    return {
        "seccomp": getattr(sandbox, "seccomp_bpf", None) is not None,
        "cgroups": getattr(sandbox, "cgroups", None) is not None,
    }


def protections(sandbox: Sandbox) -> list[Protection]:
    """Each protection of ``sandbox`` on this machine, probed rather than assumed."""
    if not isinstance(sandbox, BwrapSandbox):
        return [
            Protection(
                "isolation",
                False,
                f"UNSAFE: the {sandbox.name} backend isolates nothing (rlimits only)",
                "install bubblewrap and unset INTERVIEWKIT_SANDBOX",
            )
        ]
    return [
        _namespaces(sandbox),
        _seccomp(sandbox),
        *_cgroups(sandbox),
        _uid(sandbox),
    ]


def _namespaces(sandbox: BwrapSandbox) -> Protection:
    script = "; ".join(f"echo {name} $(readlink /proc/self/ns/{name})" for name in NAMESPACES)
    fix = "enable unprivileged user namespaces (kernel.unprivileged_userns_clone=1)"
    try:
        outcome = sandbox.run(SandboxJob(command=["/bin/sh", "-c", script]))
    except OSError as exc:
        return Protection("sandbox namespaces", False, f"could not run a program: {exc}", fix)
    inside = dict(
        line.split(" ", 1) for line in outcome.stdout.decode().splitlines() if " " in line
    )
    fresh: list[str] = []
    shared: list[str] = []
    for name in NAMESPACES:
        try:
            host = str(Path(f"/proc/self/ns/{name}").readlink())
        except OSError:
            continue
        (fresh if inside.get(name, host) != host else shared).append(name)
    if outcome.exit_code != 0 or shared:
        detail = f"shared with the host: {', '.join(shared) or 'unknown (the probe failed)'}"
        return Protection("sandbox namespaces", False, detail, fix)
    return Protection("sandbox namespaces", True, f"fresh {', '.join(fresh)}")


def _seccomp(sandbox: BwrapSandbox) -> Protection:
    if sandbox.seccomp_bpf is None:
        return Protection(
            "sandbox seccomp", False, "libseccomp not found", "apt-get install libseccomp2"
        )
    return Protection("sandbox seccomp", True, "deny-list filter loaded for every run")


def _cgroups(sandbox: BwrapSandbox, root: Path = CGROUP_ROOT) -> list[Protection]:
    fix = "run as root with the memory, pids and cpu (cpuacct) cgroup controllers"
    cgroups = sandbox.cgroups
    if cgroups is None:
        return [
            Protection(f"sandbox cgroup {name}", False, "no writable cgroup hierarchy", fix)
            for name in ("memory", "pids", "cpu")
        ]
    if cgroups.version == "v1":
        present = {
            "memory": (root / "memory" / "memory.memsw.limit_in_bytes").exists(),
            "pids": (root / "pids" / "pids.max").exists() or (root / "pids").is_dir(),
            "cpu": (root / "cpuacct").is_dir(),
        }
    else:
        try:
            controllers = set((root / "cgroup.controllers").read_text().split())
        except OSError:
            controllers = set()
        present = {name: name in controllers for name in ("memory", "pids", "cpu")}
    meaning = {
        "memory": "memory (swap included) capped per run",
        "pids": "processes and threads capped per run",
        "cpu": "CPU time measured across every process of a run",
    }
    return [
        Protection(
            f"sandbox cgroup {name}",
            on,
            f"cgroup {cgroups.version}: {meaning[name]}" if on else "controller missing",
            "" if on else fix,
        )
        for name, on in present.items()
    ]


def _uid(sandbox: BwrapSandbox) -> Protection:
    host_uid = sandbox.uid if os.geteuid() == 0 else os.geteuid()
    if host_uid == 0:
        return Protection("sandbox uid", False, "runs as host root", "set sandbox_uid")
    return Protection("sandbox uid", True, f"runs as unprivileged host uid {host_uid}")
