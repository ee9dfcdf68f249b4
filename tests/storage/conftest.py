"""Object stores for the storage tests: a local directory and S3 on moto's real HTTP server.

The local store's signed URLs point at the application served by uvicorn over real HTTP
(one server per test session; each test mounts its own store on it), so the contract
suite downloads and uploads through a plain HTTP client for every adapter.
"""

from __future__ import annotations

import io
import logging
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from interviewkit.app import Container, create_app
from interviewkit.storage import LocalObjectStore, ObjectStore, create_object_store
from interviewkit.storage.port import InvalidKeyError
from interviewkit.storage.s3 import S3ObjectStore
from tests.conftest import make_settings, unavailable

START_TIMEOUT_SECONDS = 30.0

S3StoreFactory = Callable[..., S3ObjectStore]


def _wait_for(condition: Callable[[], bool], timeout: float) -> bool:
    """Poll until ``condition`` holds; False when it never did (not a timing assertion)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return condition()


# ---- S3 on moto ---------------------------------------------------------------------------


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    """``http://127.0.0.1:{port}`` of moto's standalone S3 server, for the whole session."""
    try:
        from moto.server import ThreadedMotoServer
    except ImportError as exc:
        unavailable("moto S3 server", f"moto[server] is not installed ({exc})")
    werkzeug_logger = logging.getLogger("werkzeug")
    previous_level = werkzeug_logger.level
    werkzeug_logger.setLevel(logging.WARNING)  # one access line per request otherwise
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    # start() waits forever when the server thread dies before binding; bound the wait.
    starter = threading.Thread(target=server.start, daemon=True)
    starter.start()
    starter.join(START_TIMEOUT_SECONDS)
    if starter.is_alive():
        werkzeug_logger.setLevel(previous_level)
        unavailable("moto S3 server", f"did not start within {START_TIMEOUT_SECONDS}s")
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    try:
        httpx.get(endpoint, timeout=10)
    except httpx.HTTPError as exc:
        server.stop()
        werkzeug_logger.setLevel(previous_level)
        unavailable("moto S3 server", f"{endpoint} does not answer: {exc}")
    yield endpoint
    server.stop()
    werkzeug_logger.setLevel(previous_level)


@pytest.fixture
def s3_store_factory(moto_endpoint: str, tmp_path: Path) -> S3StoreFactory:
    """Build S3 stores on moto through ``from_settings``, each in a fresh bucket by default."""

    def build(**overrides: Any) -> S3ObjectStore:
        values: dict[str, Any] = {
            "object_store": "s3",
            "s3_bucket": f"ik-test-{uuid.uuid4().hex}",
            "s3_endpoint_url": moto_endpoint,
            "s3_access_key_id": "testing",
            "s3_secret_access_key": "testing",
            "s3_create_bucket": True,
            **overrides,
        }
        return S3ObjectStore.from_settings(make_settings(tmp_path / "s3-settings", **values))

    return build


@pytest.fixture
def s3_store(s3_store_factory: S3StoreFactory) -> S3ObjectStore:
    return s3_store_factory()


# ---- the local store, served by the real application --------------------------------------


class ObjectsServer:
    """The application on uvicorn over real HTTP, serving whichever local store is mounted."""

    def __init__(self, container: Container, url: str) -> None:
        self.container = container
        self.url = url

    def mount(self, store: LocalObjectStore) -> None:
        self.container.object_store = store


@pytest.fixture(scope="session")
def objects_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ObjectsServer]:
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    url = f"http://127.0.0.1:{listener.getsockname()[1]}"
    container = Container.build(
        make_settings(tmp_path_factory.mktemp("objects-app"), public_url=url)
    )
    config = uvicorn.Config(
        create_app(container=container), log_config=None, log_level="warning", access_log=False
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    if not _wait_for(lambda: server.started or not thread.is_alive(), START_TIMEOUT_SECONDS):
        pytest.fail(f"uvicorn did not start on {url} within {START_TIMEOUT_SECONDS}s")
    if not server.started:
        pytest.fail(f"uvicorn failed to start on {url}")
    yield ObjectsServer(container, url)
    server.should_exit = True
    thread.join(START_TIMEOUT_SECONDS)
    listener.close()
    container.engine.dispose()


@pytest.fixture
def local_store(tmp_path: Path, objects_server: ObjectsServer) -> LocalObjectStore:
    """A fresh local store whose signed URLs reach the running application."""
    store = create_object_store(make_settings(tmp_path, public_url=objects_server.url))
    assert isinstance(store, LocalObjectStore)
    objects_server.mount(store)
    return store


# ---- every adapter ------------------------------------------------------------------------


@pytest.fixture(params=["local", pytest.param("s3", marks=pytest.mark.s3)])
def store(request: pytest.FixtureRequest) -> ObjectStore:
    """A fresh, empty object store of each kind."""
    fixture = "local_store" if request.param == "local" else "s3_store"
    built: ObjectStore = request.getfixturevalue(fixture)
    return built


def assert_every_operation_refuses(store: ObjectStore, key: str, *, presign: bool = True) -> None:
    """Each operation that takes a key raises InvalidKeyError for ``key``."""
    operations: list[Callable[[], object]] = [
        lambda: store.put(key, b"data"),
        lambda: store.put(key, io.BytesIO(b"data")),
        lambda: store.get(key),
        lambda: list(store.iter_chunks(key)),
        lambda: store.head(key),
        lambda: store.exists(key),
        lambda: store.delete(key),
    ]
    if presign:
        operations += [
            lambda: store.presign_get(key, 60),
            lambda: store.presign_put(key, 60, "text/plain"),
        ]
    for operation in operations:
        with pytest.raises(InvalidKeyError):
            operation()
