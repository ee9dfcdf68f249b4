"""HTTP routes of sessions and workspaces: parse, authorise, call the service, shape."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Depends, Header, Path, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import PlainTextResponse
from pydantic import ValidationError

from interviewkit.auth.deps import SessionAccess, Staff
from interviewkit.auth.service import AuthService
from interviewkit.db import ID_PATTERN
from interviewkit.errors import ProblemError, conflict
from interviewkit.sessions.models import SessionFile, SessionStatus
from interviewkit.sessions.schemas import (
    FileIn,
    FileListing,
    FileMeta,
    FileOut,
    FileWrite,
    InviteOut,
    InviteRequest,
    MoveRequest,
    MoveResult,
    SafeText,
    SessionCreate,
    SessionList,
    SessionOut,
    SessionPatch,
    TreeNode,
)
from interviewkit.sessions.service import (
    UNSET,
    IfMatch,
    NewFile,
    SessionDraft,
    SessionService,
    file_tree,
)

router = APIRouter(prefix="/api/v1/sessions", tags=["sessions"])

SessionId = Annotated[
    str, Path(pattern=ID_PATTERN, max_length=64, description="A session id such as ses_…")
]
FilePath = Annotated[str, Path(description="Workspace path, e.g. utils/helper.py")]
IfMatchHeader = Annotated[str | None, Header(alias="If-Match", max_length=1024)]
IfNoneMatchHeader = Annotated[str | None, Header(alias="If-None-Match", max_length=1024)]

RAW_BODY_DOC: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": FileWrite.model_json_schema()},
            "text/plain": {"schema": {"type": "string"}},
        },
    }
}


def sessions(request: Request) -> SessionService:
    service: SessionService = request.app.state.container.sessions
    return service


Service = Annotated[SessionService, Depends(sessions)]


def etag(row: SessionFile) -> str:
    return f'"{row.version}"'


def parse_if_match(value: str | None) -> IfMatch | None:
    """``*``, or a list of strong ETags such as ``"3"``; weak ETags never match."""
    if value is None:
        return None
    versions: set[int] = set()
    for item in value.split(","):
        tag = item.strip()
        if tag == "*":
            return IfMatch(any_version=True)
        if tag.startswith("W/"):
            continue
        tag = tag.strip('"')
        if tag.isascii() and tag.isdigit() and len(tag) < 19:
            versions.add(int(tag))
    return IfMatch(frozenset(versions))


async def file_content(request: Request) -> str:
    """The new content: JSON ``{"content": …}``, or the raw body for text/* and octet-stream."""
    media_type = request.headers.get("content-type", "application/json").split(";")[0]
    media_type = media_type.strip().lower()
    body = await request.body()
    if media_type == "application/json" or media_type.endswith("+json"):
        try:
            return FileWrite.model_validate_json(body).content
        except ValidationError as exc:
            raise RequestValidationError(
                [{**error, "loc": ("body", *error["loc"])} for error in exc.errors()]
            ) from None
    if media_type.startswith("text/") or media_type == "application/octet-stream":
        try:
            return body.decode("utf-8")
        except UnicodeDecodeError:
            raise ProblemError(415, "binary_content", "file content must be UTF-8 text") from None
    raise ProblemError(
        415,
        "unsupported_media_type",
        f"send application/json or text/plain, not {media_type!r}",
    )


Content = Annotated[str, Depends(file_content)]


def _file_response(response: Response, row: SessionFile) -> FileMeta:
    response.headers["ETag"] = etag(row)
    return FileMeta.of(row)


# ---- sessions ---------------------------------------------------------------------------


@router.post("", status_code=201, response_model=SessionOut, summary="Create a session")
def create_session(
    body: SessionCreate, service: Service, response: Response, _: Staff
) -> SessionOut:
    draft = SessionDraft(
        template_id=body.template_id,
        problem_id=body.problem_id,
        candidate_name=body.candidate_name,
        candidate_email=body.candidate_email,
        config=body.config,
        files=[NewFile(item.path, item.content) for item in body.files],
    )
    interview = service.create_session(draft)
    response.headers["Location"] = f"{router.prefix}/{interview.id}"
    return SessionOut.of(interview)


@router.get("", response_model=SessionList, summary="List sessions, newest first")
def list_sessions(
    request: Request,
    service: Service,
    _: Staff,
    status: SessionStatus | None = None,
    candidate: Annotated[SafeText | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1)] = 20,
    cursor: Annotated[str | None, Query(max_length=512)] = None,
) -> SessionList:
    limit = min(limit, request.app.state.container.settings.max_page_size)
    page = service.list_sessions(status=status, candidate=candidate, limit=limit, cursor=cursor)
    return SessionList(
        items=[SessionOut.of(row) for row in page.items], next_cursor=page.next_cursor
    )


@router.get("/{session_id}", response_model=SessionOut)
def get_session(session_id: SessionId, service: Service, _: SessionAccess) -> SessionOut:
    return SessionOut.of(service.get_session(session_id))


@router.patch("/{session_id}", response_model=SessionOut)
def update_session(
    session_id: SessionId, body: SessionPatch, service: Service, _: Staff
) -> SessionOut:
    given = body.model_fields_set
    updated = service.update_session(
        session_id,
        candidate_name=body.candidate_name if "candidate_name" in given else UNSET,
        candidate_email=body.candidate_email if "candidate_email" in given else UNSET,
        config=body.config if "config" in given and body.config is not None else UNSET,
        status=SessionStatus(body.status) if body.status else UNSET,
    )
    return SessionOut.of(updated)


@router.delete("/{session_id}", response_model=SessionOut, summary="End a session")
def end_session(
    session_id: SessionId,
    service: Service,
    _: Staff,
    status: Literal["completed", "terminated"] = "completed",
) -> SessionOut:
    return SessionOut.of(service.end_session(session_id, status))


@router.post("/{session_id}/invite", response_model=InviteOut, status_code=201)
def invite_candidate(
    session_id: SessionId,
    request: Request,
    service: Service,
    _: Staff,
    body: InviteRequest | None = None,
) -> InviteOut:
    """Mint a candidate token: it opens this one session's workspace and nothing else."""
    interview = service.get_session(session_id)
    if not interview.is_active:
        raise conflict("session_ended", f"session is {interview.status}; no new invitations")
    container = request.app.state.container
    auth: AuthService = container.auth
    ttl = (body.ttl_seconds if body else None) or container.settings.candidate_token_ttl_seconds
    minted = auth.mint_candidate_token(session_id, ttl)
    return InviteOut(session_id=session_id, token=minted.token, expires_at=minted.expires_at)


# ---- workspace --------------------------------------------------------------------------


@router.get("/{session_id}/files", response_model=FileListing, summary="Workspace tree")
def list_files(session_id: SessionId, service: Service, _: SessionAccess) -> FileListing:
    interview, files = service.list_files(session_id)
    return FileListing(
        session_id=session_id,
        file_count=interview.file_count,
        total_bytes=interview.workspace_bytes,
        read_only=not interview.is_active,
        files=[FileMeta.of(row) for row in files],
        tree=TreeNode.model_validate(file_tree(files)),
    )


@router.post("/{session_id}/files", response_model=FileMeta, status_code=201)
def create_file(
    session_id: SessionId, body: FileIn, service: Service, response: Response, _: SessionAccess
) -> FileMeta:
    row = service.create_file(session_id, body.path, body.content)
    response.headers["Location"] = f"{router.prefix}/{session_id}/files{quote(row.path)}"
    return _file_response(response, row)


@router.post(
    "/{session_id}/files/{file_path:path}:move",
    response_model=MoveResult,
    summary="Rename a file or folder",
)
def move_file(
    session_id: SessionId,
    file_path: FilePath,
    body: MoveRequest,
    service: Service,
    _: SessionAccess,
) -> MoveResult:
    moved = service.move(session_id, file_path, body.to, overwrite=body.overwrite)
    return MoveResult(moved=[FileMeta.of(row) for row in moved])


@router.get(
    "/{session_id}/files/{file_path:path}",
    response_model=FileOut,
    responses={200: {"content": {"text/plain": {}}}},
    summary="Read a file (JSON, or the raw text with Accept: text/plain)",
)
def read_file(
    session_id: SessionId,
    file_path: FilePath,
    request: Request,
    response: Response,
    service: Service,
    _: SessionAccess,
) -> FileOut | Response:
    found = service.read_file(session_id, file_path)
    headers = {"ETag": etag(found.file), "Cache-Control": "no-cache"}
    if request.headers.get("if-none-match") == headers["ETag"]:
        return Response(status_code=304, headers=headers)
    if request.headers.get("accept", "").startswith("text/plain"):
        return PlainTextResponse(found.content, headers=headers)
    response.headers.update(headers)
    return FileOut(**FileMeta.of(found.file).model_dump(), content=found.content)


@router.put(
    "/{session_id}/files/{file_path:path}",
    response_model=FileMeta,
    openapi_extra=RAW_BODY_DOC,
    responses={201: {"model": FileMeta, "description": "Created"}},
    summary="Create or replace a file; If-Match guards against lost updates",
)
def write_file(
    session_id: SessionId,
    file_path: FilePath,
    content: Content,
    service: Service,
    response: Response,
    _: SessionAccess,
    if_match: IfMatchHeader = None,
    if_none_match: IfNoneMatchHeader = None,
) -> FileMeta:
    row, created = service.write_file(
        session_id,
        file_path,
        content,
        if_match=parse_if_match(if_match),
        create_only=(if_none_match or "").strip() == "*",
    )
    response.status_code = 201 if created else 200
    return _file_response(response, row)


@router.delete("/{session_id}/files/{file_path:path}", status_code=204)
def delete_file(
    session_id: SessionId,
    file_path: FilePath,
    service: Service,
    _: SessionAccess,
    recursive: bool = False,
    if_match: IfMatchHeader = None,
) -> Response:
    service.delete_file(
        session_id, file_path, if_match=parse_if_match(if_match), recursive=recursive
    )
    return Response(status_code=204)
