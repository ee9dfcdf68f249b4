"""The seccomp deny-list every sandboxed process runs under.

Built once with libseccomp (through ``pyseccomp``, a ctypes binding to the system library)
and handed to ``bwrap --seccomp`` as compiled BPF. A deny-list, not an allow-list, because
four language runtimes (CPython, V8, the JVM, glibc programs) need a wide and changing set of
calls; what no candidate's program needs is short and stable, and it is what the kernel
exploits of the last decade went through.
"""

from __future__ import annotations

import socket
import tempfile
from functools import lru_cache

DENIED_SYSCALLS = (
    # debugging and other processes' memory
    "ptrace", "process_vm_readv", "process_vm_writev", "kcmp", "pidfd_getfd",
    # namespaces and mounts (bwrap has finished setting up before the filter applies)
    "mount", "umount2", "pivot_root", "chroot", "unshare", "setns", "open_tree", "move_mount",
    "fsopen", "fsconfig", "fsmount", "fspick", "mount_setattr",
    "name_to_handle_at", "open_by_handle_at",
    # kernel keyrings, BPF, perf, io_uring, userfaultfd: the usual exploit surface
    "keyctl", "add_key", "request_key", "bpf", "perf_event_open",
    "io_uring_setup", "io_uring_enter", "io_uring_register", "userfaultfd",
    # the machine itself
    "kexec_load", "kexec_file_load", "reboot", "init_module", "finit_module", "delete_module",
    "swapon", "swapoff", "acct", "quotactl", "syslog", "settimeofday", "clock_settime",
    "clock_adjtime", "adjtimex", "iopl", "ioperm", "uselib", "vhangup", "lookup_dcookie",
    "fanotify_init", "personality",
)  # fmt: skip


@lru_cache(maxsize=1)
def deny_list_bpf() -> bytes:
    """Compiled BPF for this machine's architecture (other ABIs are killed by default)."""
    import pyseccomp as seccomp  # imported lazily: the process backend works without it

    rules = seccomp.SyscallFilter(seccomp.ALLOW)
    denied = seccomp.ERRNO(1)  # EPERM: programs see an ordinary refusal
    for name in DENIED_SYSCALLS:
        try:
            rules.add_rule(denied, name)
        except (RuntimeError, ValueError, OSError):
            continue  # a call this kernel/architecture does not have
    vsock = getattr(socket, "AF_VSOCK", 40)
    rules.add_rule(denied, "socket", seccomp.Arg(0, seccomp.EQ, vsock))
    with tempfile.TemporaryFile() as compiled:
        rules.export_bpf(compiled)
        compiled.seek(0)
        return compiled.read()


def seccomp_available() -> bool:
    try:
        deny_list_bpf()
    except (ImportError, OSError, RuntimeError):
        return False
    return True
