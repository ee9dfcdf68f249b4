"""Object storage: the port, its adapters, and the factory that picks one from settings."""

from __future__ import annotations

from interviewkit.config import Settings
from interviewkit.storage.local import LocalObjectStore
from interviewkit.storage.port import (
    ObjectInfo,
    ObjectNotFoundError,
    ObjectStore,
    ObjectStoreError,
    PortCheck,
    session_key,
    validate_key,
)
from interviewkit.storage.signing import UrlSigner

__all__ = [
    "LocalObjectStore",
    "ObjectInfo",
    "ObjectNotFoundError",
    "ObjectStore",
    "ObjectStoreError",
    "PortCheck",
    "UrlSigner",
    "create_object_store",
    "session_key",
    "validate_key",
]


def create_object_store(settings: Settings) -> ObjectStore:
    if settings.object_store == "s3":
        from interviewkit.storage.s3 import S3ObjectStore

        return S3ObjectStore.from_settings(settings)
    signer = UrlSigner(settings.effective_secret_key, settings.effective_public_url)
    return LocalObjectStore(settings.objects_dir, signer)
