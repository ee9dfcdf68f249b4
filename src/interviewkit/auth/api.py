"""Admin routes for API keys (the CLI offers the same through ``interviewkit keys``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request

from interviewkit.auth.deps import Admin
from interviewkit.auth.schemas import KeyCreate, KeyCreated, KeyList, KeyOut
from interviewkit.auth.service import AuthService
from interviewkit.db import ID_PATTERN

router = APIRouter(prefix="/api/v1/keys", tags=["keys"])

KeyId = Annotated[str, Path(pattern=ID_PATTERN, max_length=64)]


def _auth(request: Request) -> AuthService:
    service: AuthService = request.app.state.container.auth
    return service


@router.post("", status_code=201, response_model=KeyCreated)
def create_key(body: KeyCreate, request: Request, _: Admin) -> KeyCreated:
    key, secret = _auth(request).create_key(body.name, body.role)
    return KeyCreated(**KeyOut.of(key).model_dump(), key=secret)


@router.get("", response_model=KeyList)
def list_keys(request: Request, _: Admin) -> KeyList:
    return KeyList(items=[KeyOut.of(key) for key in _auth(request).list_keys()])


@router.delete("/{key_id}", response_model=KeyOut)
def revoke_key(key_id: KeyId, request: Request, _: Admin) -> KeyOut:
    revoked = _auth(request).revoke_key(key_id)
    request.app.state.container.web.key_revoked()  # its browsers are signed out now
    return KeyOut.of(revoked)
