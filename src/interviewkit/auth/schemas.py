"""Requests and responses of the API-key routes."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from interviewkit.auth.models import ApiKey
from interviewkit.auth.service import Role


class KeyCreate(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    role: Role = Role.interviewer


class KeyOut(BaseModel):
    id: str
    name: str
    role: str
    key_prefix: str
    created_at: datetime
    revoked_at: datetime | None

    @classmethod
    def of(cls, key: ApiKey) -> KeyOut:
        return cls(
            id=key.id,
            name=key.name,
            role=key.role,
            key_prefix=key.key_prefix,
            created_at=key.created_at,
            revoked_at=key.revoked_at,
        )


class KeyCreated(KeyOut):
    key: str = Field(description="The secret; shown this once, only its hash is kept")


class KeyList(BaseModel):
    items: list[KeyOut]
