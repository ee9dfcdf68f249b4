"""Acknowledged writes survive the server being killed (SIGKILL, no clean shutdown)."""

from __future__ import annotations

import signal
from pathlib import Path

import httpx

from tests.server import create_key, running_server


def test_acknowledged_files_survive_a_kill(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    big = "# large file kept in the object store\n" * 3000
    with running_server(data_dir) as server:
        headers = {"Authorization": f"Bearer {create_key(data_dir)}"}
        api = httpx.Client(base_url=server.base_url, headers=headers, timeout=10)
        session = api.post("/api/v1/sessions", json={"candidate_name": "Ada"}).json()
        files = f"/api/v1/sessions/{session['id']}/files"
        acknowledged = {}
        for index in range(20):
            content = f"print({index})\n"
            response = api.put(f"{files}/src/f{index}.py", json={"content": content})
            assert response.status_code == 201
            acknowledged[f"/src/f{index}.py"] = content
        assert api.put(f"{files}/big.txt", json={"content": big}).status_code == 201
        acknowledged["/big.txt"] = big
        server.process.send_signal(signal.SIGKILL)
        server.process.wait()

    with running_server(data_dir) as restarted:
        api = httpx.Client(base_url=restarted.base_url, headers=headers, timeout=10)
        listing = api.get(files).json()
        assert listing["file_count"] == len(acknowledged)
        for path, content in acknowledged.items():
            assert api.get(f"{files}{path}").json()["content"] == content
