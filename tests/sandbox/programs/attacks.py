"""Attacks on the sandbox, in Python: the first stdin line names one and gives its arguments.

Run inside the sandbox by the tests in this folder, never on the host. Every attack
prints ``KEY: value`` lines the tests read; a refused operation prints the errno name.
"""

import builtins
import contextlib
import ctypes
import errno
import os
import signal
import socket
import sys
import threading
import time
from pathlib import Path

MB = 1024 * 1024


def say(key: str, value: object) -> None:
    print(f"{key}: {value}", flush=True)


def failure(exc: OSError) -> str:
    return errno.errorcode.get(exc.errno or 0, str(exc))


def fork_bomb() -> None:
    while True:
        with contextlib.suppress(OSError):
            os.fork()


def thread_bomb() -> None:
    started = 0
    while True:
        threading.Thread(target=time.sleep, args=(3600,), daemon=True).start()
        started += 1
        if started % 16 == 0:
            say("threads", started)


def memory_sudden() -> None:
    block = bytearray(1024 * MB)
    say("allocated", len(block))


def memory_gradual() -> None:
    chunks: list[bytes] = []
    while True:
        chunks.append(b"x" * (10 * MB))
        say("allocated_mb", 10 * len(chunks))


def busy_loop() -> None:
    while True:
        pass


def sleep() -> None:
    time.sleep(3600)


def stdout_flood() -> None:
    line = "A" * 1023 + "\n"
    while True:
        sys.stdout.write(line)


def stderr_flood() -> None:
    line = "E" * 1023 + "\n"
    while True:
        sys.stderr.write(line)


def fill(folder: str) -> None:
    """Many files of 4 MB each (below the file-size limit): only the folder's size stops it."""
    written = 0
    chunk = b"\0" * MB
    try:
        for index in range(1024):
            with Path(folder, f"fill-{index}").open("wb") as out:
                for _ in range(4):
                    out.write(chunk)
                    out.flush()
                    written += len(chunk)
    except OSError as exc:
        say("error", failure(exc))
    say("written_mb", written // MB)


def big_file(folder: str) -> None:
    """One file growing until the file-size limit refuses it (Python ignores SIGXFSZ)."""
    written = 0
    chunk = b"\0" * MB
    try:
        with Path(folder, "big").open("wb") as out:
            for _ in range(1024):
                out.write(chunk)
                out.flush()
                written += len(chunk)
    except OSError as exc:
        say("error", failure(exc))
    say("written_mb", written // MB)


def connect(port: str) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(3)
        try:
            sock.connect(("127.0.0.1", int(port)))
            sock.sendall(b"GET /healthz HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
            say("connected", sock.recv(100))
        except OSError as exc:
            say("connect", failure(exc) if exc.errno else type(exc).__name__)


def read(path: str) -> None:
    try:
        say("content", Path(path).read_bytes()[:4096])
    except OSError as exc:
        say("read", failure(exc))
    try:
        say("listing", sorted(entry.name for entry in Path(path).parent.iterdir()))
    except OSError as exc:
        say("list", failure(exc))


def environment() -> None:
    say("environ", dict(os.environ))
    for pid in pids():
        try:
            say(f"proc_{pid}_environ", Path(f"/proc/{pid}/environ").read_bytes())
        except OSError as exc:
            say(f"proc_{pid}_environ", failure(exc))


def write(path: str) -> None:
    try:
        Path(path).write_bytes(b"owned\n")
        say("write", "ok")
    except OSError as exc:
        say("write", failure(exc))


def pids() -> list[int]:
    return sorted(int(entry.name) for entry in Path("/proc").iterdir() if entry.name.isdigit())


def processes() -> None:
    say("pids", pids())
    for pid in pids():
        try:
            say(f"cmdline_{pid}", Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" "))
        except OSError as exc:
            say(f"cmdline_{pid}", failure(exc))


def root_probe() -> None:
    """Write back the very value read (harmless even if it worked); report each refusal."""
    say("uid", os.getuid())
    say("euid", os.geteuid())
    say("uid_map", " ".join(Path("/proc/self/uid_map").read_text().split()))
    for path in ("/proc/sys/kernel/hostname", "/proc/sys/vm/overcommit_memory"):
        value = Path(path).read_bytes()
        try:
            Path(path).write_bytes(value)
            say(path, "written")
        except OSError as exc:
            say(path, failure(exc))
    try:
        os.setuid(0)
        say("setuid", "ok")
    except OSError as exc:
        say("setuid", failure(exc))


def kill_all() -> None:
    try:
        os.kill(-1, signal.SIGKILL)
        say("kill", "sent")
    except OSError as exc:
        say("kill", failure(exc))
    time.sleep(0.2)
    say("survived", "yes")


def kill_parent() -> None:
    say("parent", os.getppid())
    try:
        os.kill(os.getppid(), signal.SIGKILL)
        say("kill", "sent")
    except OSError as exc:
        say("kill", failure(exc))
    time.sleep(0.2)
    say("survived", "yes")


def daemon() -> None:
    """The classic double fork: a grandchild in its own session, detached from every pipe."""
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            null = os.open(os.devnull, os.O_RDWR)
            for fd in (0, 1, 2):
                os.dup2(null, fd)
            signal.signal(signal.SIGHUP, signal.SIG_IGN)
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            time.sleep(600)
        os._exit(0)
    os.wait()
    say("parent", "exiting")


def recursion() -> None:
    sys.setrecursionlimit(10**6)

    def deeper(depth: int) -> int:
        return deeper(depth + 1) + 1

    deeper(0)


def c_recursion() -> None:
    """Recursion through C code (a key function): the interpreter's own stack overflows."""
    sys.setrecursionlimit(10**6)

    def deeper() -> list[int]:
        return sorted([0], key=lambda _: deeper())

    deeper()


def symlink(target: str) -> None:
    Path("/work/link").symlink_to(target)
    Path("/tmp/link").symlink_to(target)
    try:
        Path("/work/link").replace("/work/main.py")
        say("replaced", "ok")
    except OSError as exc:
        say("replaced", failure(exc))
    read("/work/main.py")


def marker_write(name: str) -> None:
    for folder in ("/work", "/tmp"):
        Path(folder, name).write_text("secret of run A\n")
    time.sleep(3)
    say("still_there", all(Path(folder, name).exists() for folder in ("/work", "/tmp")))


def marker_find(name: str) -> None:
    found = [str(path) for folder in ("/work", "/tmp") for path in Path(folder).rglob("*")]
    say("files", found)
    say("marker_found", any(name in path for path in found))
    processes()


def exec_host(path: str) -> None:
    try:
        os.execv(path, [path, "--version"])  # noqa: S606 - the attack: run a host program
    except OSError as exc:
        say("exec", failure(exc))


SYSCALLS = {
    "x86_64": {
        "ptrace": 101, "unshare": 272, "mount": 165, "keyctl": 250,
        "io_uring_setup": 425, "bpf": 321,
    },
    "aarch64": {
        "ptrace": 117, "unshare": 97, "mount": 40, "keyctl": 219,
        "io_uring_setup": 425, "bpf": 280,
    },
}  # fmt: skip


def seccomp() -> None:
    """Arguments that would succeed (or fail otherwise than EPERM) without the filter."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    numbers = SYSCALLS[os.uname().machine]
    arguments = {
        "ptrace": (0, 0, 0, 0),  # PTRACE_TRACEME
        "unshare": (0,),  # no flags: a no-op that succeeds when allowed
        "mount": (None, None, None, 0, None),
        "keyctl": (0, -3, 0),  # KEYCTL_GET_KEYRING_ID of the session keyring
        "io_uring_setup": (1, None),
        "bpf": (0, None, 0),
    }
    for name, number in numbers.items():
        result = libc.syscall(number, *arguments[name])
        code = ctypes.get_errno()
        say(name, "ok" if result >= 0 else errno.errorcode.get(code, str(code)))
    try:
        socket.socket(getattr(socket, "AF_VSOCK", 40), socket.SOCK_STREAM).close()
        say("vsock", "ok")
    except OSError as exc:
        say("vsock", failure(exc))


# ---- warm pools: what one run may leave for the next, and what a run may find ------------

LEFT_FOLDERS = ("/tmp", "/work", "/dev/shm")
LEFT_FD = 77


def leave(marker: str) -> None:
    """Everything a run could leave behind for the next run of the same warm pool."""
    for folder in LEFT_FOLDERS:
        try:
            Path(folder, marker).write_text(marker)
            say(f"file {folder}", "ok")
        except OSError as exc:
            say(f"file {folder}", failure(exc))
    if os.fork() == 0:  # a detached process that ignores the polite signals
        os.setsid()
        for name in ("SIGHUP", "SIGTERM", "SIGINT"):
            signal.signal(getattr(signal, name), signal.SIG_IGN)
        null = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(null, fd)
        while True:
            with contextlib.suppress(OSError):
                Path("/tmp", f"{marker}-process").write_text(str(time.time()))
            time.sleep(0.05)

    def keep_writing() -> None:
        while True:
            with contextlib.suppress(OSError):
                Path("/tmp", f"{marker}-thread").write_text(str(time.time()))
            time.sleep(0.01)

    threading.Thread(target=keep_writing, daemon=True).start()
    setattr(builtins, "IK_LEFT", marker)  # noqa: B010 - the attack: a changed builtin
    os.environ["IK_LEFT"] = marker
    sys.path.insert(0, f"/tmp/{marker}")
    signal.signal(signal.SIGTERM, lambda *_: None)
    signal.signal(signal.SIGUSR1, lambda *_: None)
    held = os.open(f"/tmp/{marker}-fd", os.O_CREAT | os.O_RDWR, 0o644)
    os.dup2(held, LEFT_FD, inheritable=True)
    say("left", marker)


def look(marker: str) -> None:
    """What this run finds of an earlier run's leftovers: the tests expect nothing."""
    found = []
    for folder in LEFT_FOLDERS:
        with contextlib.suppress(OSError):
            found += [entry.name for entry in Path(folder).iterdir() if marker in entry.name]
    say("found_files", sorted(found))
    leftovers = []
    if hasattr(builtins, "IK_LEFT"):
        leftovers.append("builtin")
    if "IK_LEFT" in os.environ:
        leftovers.append("env")
    if any(marker in entry for entry in sys.path):
        leftovers.append("sys.path")
    for name in ("SIGTERM", "SIGUSR1"):
        if signal.getsignal(getattr(signal, name)) is not signal.SIG_DFL:
            leftovers.append(f"handler {name}")
    if Path(f"/proc/self/fd/{LEFT_FD}").exists():
        leftovers.append(f"fd {LEFT_FD}")
    say("leftovers", leftovers)
    say("processes", len(pids()))
    say("cmdlines", [_cmdline(pid) for pid in pids()])


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()[:120]
    except OSError as exc:
        return failure(exc)


def _drain(path: str) -> str:
    """Open ``path`` (a ``/proc/<pid>/fd/<n>`` link) and read what is waiting in it."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as exc:
        return failure(exc)
    try:
        return f"read={len(os.read(fd, 1 << 20))}"
    except OSError as exc:
        return failure(exc)
    finally:
        os.close(fd)


def fds() -> None:
    """Every descriptor any process here holds beyond stdio, and what reading it gives.

    A pipe or socket that still holds bytes would be a hand-over message (this run's or
    another's); regular files (a runtime's libraries) are reported but not read.
    """
    result_fd = os.environ.get("IK_RESULT_FD")
    for pid in pids():
        try:
            names = sorted((entry.name for entry in Path(f"/proc/{pid}/fd").iterdir()), key=int)
        except OSError as exc:
            say(f"fds_{pid}", failure(exc))
            continue
        for name in names:
            if pid == os.getpid() and (int(name) <= 2 or name == result_fd):
                continue
            link = f"/proc/{pid}/fd/{name}"
            try:
                target = str(Path(link).readlink())
            except OSError:
                continue  # the listing's own descriptor, closed by now
            streaming = target.startswith(("pipe:", "socket:", "anon_inode:"))
            say(f"fd_{pid}_{name}", f"{target} {_drain(link) if streaming else 'file'}")


def snoop(reversed_secret: str) -> None:
    """Look for another run's secret everywhere a process can read here (it comes reversed,
    so this run's own stdin does not hold it)."""
    secret = reversed_secret[::-1]
    found = []
    for pid in pids():
        for part in ("cmdline", "environ"):
            with contextlib.suppress(OSError):
                if secret.encode() in Path(f"/proc/{pid}/{part}").read_bytes():
                    found.append(f"/proc/{pid}/{part}")
        with contextlib.suppress(OSError):
            for entry in Path(f"/proc/{pid}/fd").iterdir():
                link = str(entry)
                with contextlib.suppress(OSError):
                    fd = os.open(link, os.O_RDONLY | os.O_NONBLOCK)
                    try:
                        if secret.encode() in os.read(fd, 1 << 22):
                            found.append(link)
                    except OSError:
                        pass
                    finally:
                        os.close(fd)
    for folder in (*LEFT_FOLDERS, "/ik", "/build"):
        for path in Path(folder).rglob("*") if Path(folder).is_dir() else []:
            with contextlib.suppress(OSError):
                if path.is_file() and secret.encode() in path.read_bytes():
                    found.append(str(path))
    say("secret_found", found)


def neighbours() -> None:
    """Try to reach any other process: the other warm sandboxes waiting in the pool."""
    say("pids", pids())
    reached = []
    for pid in range(1, 4096):
        if pid in (os.getpid(), 1):
            continue
        try:
            os.kill(pid, 0)
            reached.append(pid)
        except OSError:
            pass
    say("reachable", reached)
    libc = ctypes.CDLL(None, use_errno=True)
    libc.ptrace.restype = ctypes.c_long
    result = libc.ptrace(16, 1, None, None)  # PTRACE_ATTACH to the sandbox's init
    say("ptrace", "ok" if result == 0 else errno.errorcode.get(ctypes.get_errno(), "?"))
    kill_all()


def main() -> None:
    words = sys.stdin.readline().split()
    attack = globals()[words[0]]
    attack(*words[1:])


main()
