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


def test_acknowledged_runs_survive_a_kill(tmp_path: Path) -> None:
    """A run's result is answered only after the commit that stores it (in its row when
    small): killed right after, the server still has every run it answered."""
    data_dir = tmp_path / "data"
    with running_server(data_dir) as server:
        headers = {"Authorization": f"Bearer {create_key(data_dir)}"}
        api = httpx.Client(base_url=server.base_url, headers=headers, timeout=30)
        session = api.post("/api/v1/sessions", json={"candidate_name": "Ada"}).json()
        program = "import sys\nprint(sys.stdin.read().upper())\n"
        put = api.put(f"/api/v1/sessions/{session['id']}/files/main.py", json={"content": program})
        assert put.status_code == 201
        answered = []
        for index in range(3):
            stateless = api.post(
                "/api/v1/execute",
                json={
                    "language": "python",
                    "files": [{"path": "main.py", "content": program}],
                    "stdin": f"run {index}",
                },
            )
            in_session = api.post(
                f"/api/v1/sessions/{session['id']}/execute",
                json={"file": "main.py", "stdin": f"session run {index}"},
            )
            for response in (stateless, in_session):
                assert response.status_code == 200, response.text
                answered.append(response.json())
        server.process.send_signal(signal.SIGKILL)
        server.process.wait()

    with running_server(data_dir) as restarted:
        api = httpx.Client(base_url=restarted.base_url, headers=headers, timeout=30)
        for body in answered:
            assert api.get(f"/api/v1/executions/{body['id']}").json() == body
        listing = api.get(f"/api/v1/sessions/{session['id']}/executions").json()
        assert len(listing["executions"]) == 3
