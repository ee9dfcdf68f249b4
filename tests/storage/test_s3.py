"""The S3 adapter beyond the contract: bucket set-up and failures, against moto's server."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from interviewkit.config import Settings
from interviewkit.storage import ObjectStoreError
from interviewkit.storage.s3 import S3ObjectStore
from tests.conftest import make_settings
from tests.storage.conftest import S3StoreFactory

pytestmark = pytest.mark.s3


@pytest.fixture
def closed_endpoint() -> Iterator[str]:
    """An address where nothing listens: the port is bound but never accepts."""
    holder = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    holder.bind(("127.0.0.1", 0))
    yield f"http://127.0.0.1:{holder.getsockname()[1]}"
    holder.close()


def unreachable(tmp_path: Path, endpoint: str, **extra: object) -> Settings:
    """Settings for a bucket behind an endpoint where nothing answers."""
    return make_settings(
        tmp_path,
        object_store="s3",
        s3_bucket="ik-unreachable",
        s3_endpoint_url=endpoint,
        s3_access_key_id="testing",
        s3_secret_access_key="testing",
        **extra,
    )


def test_from_settings_creates_the_bucket_once_and_keeps_its_objects(
    s3_store_factory: S3StoreFactory,
) -> None:
    first = s3_store_factory(s3_bucket="ik-shared-bucket")
    first.put("kept", b"still here")
    again = s3_store_factory(s3_bucket="ik-shared-bucket")
    assert again.get("kept") == b"still here"
    assert [info.key for info in again.list()] == ["kept"]


def test_buckets_do_not_share_objects(s3_store_factory: S3StoreFactory) -> None:
    one = s3_store_factory()
    two = s3_store_factory()
    one.put("k", b"1")
    assert not two.exists("k")
    assert list(two.list()) == []


def test_check_reports_a_missing_bucket_with_a_fix(s3_store_factory: S3StoreFactory) -> None:
    store = s3_store_factory(s3_bucket="ik-never-created", s3_create_bucket=False)
    check = store.check()
    assert not check.ok
    assert "ik-never-created" in check.detail
    assert "INTERVIEWKIT_S3_" in check.fix


def test_check_reports_an_unreachable_endpoint_instead_of_raising(
    closed_endpoint: str, tmp_path: Path
) -> None:
    settings = unreachable(tmp_path, closed_endpoint)
    check = S3ObjectStore.from_settings(settings).check()
    assert not check.ok
    assert closed_endpoint in check.detail
    assert check.fix


def test_operations_on_an_unreachable_endpoint_raise_object_store_error(
    closed_endpoint: str, tmp_path: Path
) -> None:
    settings = unreachable(tmp_path, closed_endpoint)
    store = S3ObjectStore.from_settings(settings)
    with pytest.raises(ObjectStoreError):
        store.get("k")
    with pytest.raises(ObjectStoreError):
        store.put("k", b"1")


def test_creating_the_bucket_on_an_unreachable_endpoint_raises_object_store_error(
    closed_endpoint: str, tmp_path: Path
) -> None:
    settings = unreachable(tmp_path, closed_endpoint, s3_create_bucket=True)
    with pytest.raises(ObjectStoreError, match="ik-unreachable"):
        S3ObjectStore.from_settings(settings)
