"""Run the real ``interviewkit serve`` in a subprocess for end-to-end tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

INTERVIEWKIT = Path(sys.prefix) / "bin" / "interviewkit"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def clean_env(**extra: str) -> dict[str, str]:
    """This process's environment without stray INTERVIEWKIT_* settings, plus ``extra``."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("INTERVIEWKIT_")}
    return {**env, **extra}


@dataclass
class Server:
    base_url: str
    data_dir: Path
    process: subprocess.Popen[bytes]
    log: Path
    """Where the server's output goes: a file, since a pipe nobody reads fills up and
    freezes a chatty server mid-test."""

    def output(self) -> str:
        """Everything the server printed so far."""
        return self.log.read_text(errors="replace")


@contextmanager
def running_server(data_dir: Path, *, port: int | None = None, **env: str) -> Iterator[Server]:
    """Start a server on ``data_dir``; stop it (gracefully) when the block ends."""
    port = port or free_port()
    environment = clean_env(INTERVIEWKIT_DATA_DIR=str(data_dir), INTERVIEWKIT_PORT=str(port), **env)
    log = data_dir.parent / f"server-{port}.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [str(INTERVIEWKIT), "serve"],
            env=environment,
            cwd=data_dir.parent,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    server = Server(f"http://127.0.0.1:{port}", data_dir, process, log)
    try:
        wait_until_healthy(server)
        yield server
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def wait_until_healthy(server: Server, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"the server exited early:\n{server.output()}")
        try:
            if httpx.get(f"{server.base_url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    raise RuntimeError("the server did not become healthy in time")


def create_key(data_dir: Path) -> str:
    """An admin API key made by the CLI in ``data_dir`` (for a server started there)."""
    done = subprocess.run(
        [str(INTERVIEWKIT), "keys", "create", "--name", "durability", "--quiet"],
        env=clean_env(INTERVIEWKIT_DATA_DIR=str(data_dir)),
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()
