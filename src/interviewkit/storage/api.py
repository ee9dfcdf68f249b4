"""Routes behind the local object store's signed URLs (S3 serves its own)."""

from __future__ import annotations

import logging
import mimetypes
import tempfile
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from starlette.concurrency import run_in_threadpool

from interviewkit.errors import ProblemError, problem_response
from interviewkit.storage.local import LocalObjectStore, part_method
from interviewkit.storage.port import (
    MAX_PART_NUMBER,
    InvalidUploadError,
    ObjectKeyConflictError,
    ObjectNotFoundError,
    UploadNotFoundError,
    validate_key,
)

router = APIRouter(prefix="/api/v1/objects", tags=["objects"])
logger = logging.getLogger("interviewkit.storage")


PLAYABLE_TYPES = frozenset({"text/vtt", "application/json"})
"""Besides audio and video, the types a download is served as (a <track> needs text/vtt);
anything else is application/octet-stream, so no stored file renders as a page of ours."""


def download_type(key: str) -> str:
    """The Content-Type a signed download gets, from the key's extension (see above)."""
    guessed = mimetypes.guess_type(key)[0] or ""
    if guessed.startswith(("video/", "audio/")) or guessed in PLAYABLE_TYPES:
        return guessed
    return "application/octet-stream"


async def object_store_error(_: Request, exc: Exception) -> JSONResponse:
    """A failing store is the server's trouble (503), a file/folder key clash a conflict."""
    if isinstance(exc, ObjectKeyConflictError):
        return problem_response(409, "object_key_conflict", str(exc))
    logger.error("object store failure: %s", exc)
    return problem_response(
        503, "storage_unavailable", "The object store is unavailable; try again shortly."
    )


def _authorised_store(
    request: Request, method: str, key: str, expires: int, signature: str, content_type: str | None
) -> LocalObjectStore:
    store = request.app.state.container.object_store
    if not isinstance(store, LocalObjectStore):
        raise ProblemError(404, "not_found", "signed URLs are served by the S3 endpoint")
    validate_key(key)
    if not store.signer.verify(method, key, expires, signature, content_type):
        raise ProblemError(403, "invalid_signature", "the URL signature is invalid or expired")
    return store


@router.get(
    "/{key:path}",
    response_class=StreamingResponse,
    responses={200: {"content": {"application/octet-stream": {}}, "description": "The bytes"}},
    summary="Download through a signed URL",
)
def download_object(
    request: Request,
    key: str,
    expires: Annotated[int, Query()],
    signature: Annotated[str, Query(max_length=128)],
) -> StreamingResponse:
    store = _authorised_store(request, "GET", key, expires, signature, None)
    try:
        info = store.head(key)
    except ObjectNotFoundError:
        raise ProblemError(404, "object_not_found", f"no object {key!r}") from None
    return StreamingResponse(
        store.iter_chunks(key),
        media_type=download_type(key),
        headers={"Content-Length": str(info.size)},
    )


@router.put(
    "/{key:path}",
    response_class=Response,
    responses={
        200: {"description": "Stored (an empty body, as S3 answers); a part's ETag in the header"}
    },
    summary="Upload an object or one part of a multipart upload through a signed URL",
    status_code=200,
)
async def upload_object(
    request: Request,
    key: str,
    expires: Annotated[int, Query()],
    signature: Annotated[str, Query(max_length=128)],
    content_type: Annotated[str | None, Query(max_length=255)] = None,
    upload_id: Annotated[str | None, Query(alias="uploadId", max_length=64)] = None,
    part_number: Annotated[int | None, Query(alias="partNumber", ge=1, le=MAX_PART_NUMBER)] = None,
) -> Response:
    """One object, or with ``uploadId`` and ``partNumber`` one part (as S3's URLs do).

    A part's signature covers its upload id and number (see ``local.part_method``), so
    neither can be changed in the URL. The ETag header names the part's bytes, as S3's does.
    """
    settings = request.app.state.container.settings
    if (upload_id is None) != (part_number is None):
        raise ProblemError(400, "invalid_part", "uploadId and partNumber come together")
    if upload_id is not None and part_number is not None:
        method = part_method(upload_id, part_number)
        store = _authorised_store(request, method, key, expires, signature, None)
        limit = max(settings.max_upload_bytes, settings.video_part_bytes)
    else:
        store = _authorised_store(request, "PUT", key, expires, signature, content_type)
        if content_type and request.headers.get("content-type") != content_type:
            # as S3 does: the signed content type is a promise about the upload
            raise ProblemError(
                403, "invalid_signature", "the Content-Type differs from the signed one"
            )
        limit = settings.max_upload_bytes
    with tempfile.SpooledTemporaryFile(max_size=8 << 20) as spool:
        received = 0
        async for chunk in request.stream():
            received += len(chunk)
            if received > limit:
                raise ProblemError(413, "upload_too_large", f"uploads are limited to {limit} bytes")
            spool.write(chunk)
        spool.seek(0)
        if upload_id is None or part_number is None:
            await run_in_threadpool(store.put, key, spool, content_type)  # type: ignore[arg-type]
            return Response(status_code=200)
        try:
            part = await run_in_threadpool(store.upload_part, key, upload_id, part_number, spool)  # type: ignore[arg-type]
        except UploadNotFoundError:
            raise ProblemError(
                404, "upload_not_found", "no such upload (completed or aborted?)"
            ) from None
        except InvalidUploadError as exc:
            raise ProblemError(400, "invalid_part", str(exc)) from None
    return Response(status_code=200, headers={"ETag": part.etag})
