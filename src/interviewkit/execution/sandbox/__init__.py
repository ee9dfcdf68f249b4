"""The sandbox: the port (:mod:`.port`), its adapters and the factory that picks one.

``bwrap`` (:mod:`.bwrap`, with :mod:`.cgroups`, :mod:`.seccomp` and the warm pool in
:mod:`.warm`) is the default; ``process`` (:mod:`.process`) isolates nothing and is
refused unless the operator opts in (:mod:`.protections`). Both share the supervision
loop in :mod:`.supervise`. The names below are the package's public API.
"""

from __future__ import annotations

import os

from interviewkit.execution.sandbox.bwrap import BwrapSandbox
from interviewkit.execution.sandbox.cgroups import detect_cgroups
from interviewkit.execution.sandbox.port import (
    BUILD_DIR,
    Mount,
    Sandbox,
    SandboxJob,
    SandboxResult,
    SandboxUnavailable,
)
from interviewkit.execution.sandbox.process import ProcessSandbox
from interviewkit.execution.sandbox.seccomp import deny_list_bpf

__all__ = [
    "BUILD_DIR",
    "BwrapSandbox",
    "Mount",
    "ProcessSandbox",
    "Sandbox",
    "SandboxJob",
    "SandboxResult",
    "SandboxUnavailable",
    "create_sandbox",
]


def create_sandbox(kind: str, *, uid: int, gid: int) -> Sandbox:
    """The configured adapter; bwrap gets cgroups and seccomp when the machine has them."""
    if kind == "process":
        return ProcessSandbox(uid=uid, gid=gid)
    cgroups = detect_cgroups() if os.geteuid() == 0 else None
    try:
        bpf: bytes | None = deny_list_bpf()
    except (ImportError, OSError, RuntimeError):
        bpf = None
    return BwrapSandbox(uid=uid, gid=gid, cgroups=cgroups, seccomp_bpf=bpf)
