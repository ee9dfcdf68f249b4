"""HTTP routes of sessions and workspaces: parse, authorise, call the service, shape."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel, ValidationError
from starlette.concurrency import run_in_threadpool

from interviewkit.auth.deps import (
    SessionAccess,
    SessionId,
    authenticate,
    ensure_staff,
    require_session_access,
)
from interviewkit.auth.service import AuthService, Principal
from interviewkit.errors import ProblemError
from interviewkit.sessions.models import InterviewSession, SessionFile, SessionStatus
from interviewkit.sessions.schemas import (
    CandidateSessionOut,
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

FilePath = Annotated[str, Path(description="Workspace path, e.g. utils/helper.py")]


def _header_doc(name: str, description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "header",
        "required": False,
        "schema": {"type": "string"},
        "description": description,
    }


IF_MATCH_DOC = _header_doc("If-Match", 'Current ETag (e.g. "3") or *; 412 when stale')
IF_NONE_MATCH_WRITE_DOC = _header_doc("If-None-Match", "* to create only; 412 if it exists")
IF_NONE_MATCH_READ_DOC = _header_doc("If-None-Match", "The ETag you hold; 304 if unchanged")
WRITE_DOC: dict[str, Any] = {
    "parameters": [IF_MATCH_DOC, IF_NONE_MATCH_WRITE_DOC],
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": FileWrite.model_json_schema()},
            "text/plain": {"schema": {"type": "string"}},
        },
    },
}


def _service(request: Request) -> SessionService:
    service: SessionService = request.app.state.container.sessions
    return service


async def staff_sessions(request: Request) -> SessionService:
    """The service, for interviewers and admins only."""
    ensure_staff(await authenticate(request))
    return _service(request)


StaffService = Annotated[SessionService, Depends(staff_sessions)]


@dataclass(frozen=True)
class FileCall:
    """A call on one workspace path whose caller may use this session.

    The hot file routes take this one flat dependency and read their conditional
    headers themselves: FastAPI's per-request cost grows with every parameter and
    dependant, and these routes carry most of the traffic.
    """

    service: SessionService
    session_id: str
    path: str
    request: Request

    def header(self, name: str) -> str | None:
        return self.request.headers.get(name)

    @property
    def actor(self) -> str:
        """Who the session's record names for this change."""
        principal: Principal = self.request.state.principal
        return principal.actor


async def file_call(session_id: SessionId, file_path: FilePath, request: Request) -> FileCall:
    await require_session_access(session_id, request)
    return FileCall(_service(request), session_id, file_path, request)


OneFile = Annotated[FileCall, Depends(file_call)]


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


def json_response(
    body: BaseModel, status_code: int = 200, headers: dict[str, str] | None = None
) -> Response:
    """Serialise with pydantic's own encoder and hand FastAPI a finished response.

    A route that returns a model makes FastAPI validate it again, in the thread pool for a
    sync route; returning a Response skips both (``response_model`` still documents it).
    """
    return Response(body.model_dump_json(), status_code, headers, media_type="application/json")


def _file_response(row: SessionFile, status_code: int = 200, **headers: str) -> Response:
    return json_response(FileMeta.of(row), status_code, {"ETag": etag(row), **headers})


# ---- one workspace file (first: most requests match here) --------------------------------


@router.post(
    "/{session_id}/files/{file_path:path}:move",
    response_model=MoveResult,
    summary="Rename a file or folder",
)
def move_file(call: OneFile, body: MoveRequest) -> Response:
    moved = call.service.move(
        call.session_id, call.path, body.to, overwrite=body.overwrite, actor=call.actor
    )
    return json_response(MoveResult(moved=[FileMeta.of(row) for row in moved]))


@router.get(
    "/{session_id}/files/{file_path:path}",
    response_model=FileOut,
    responses={200: {"content": {"text/plain": {}}}},
    openapi_extra={"parameters": [IF_NONE_MATCH_READ_DOC]},
    summary="Read a file (JSON, or the raw text with Accept: text/plain)",
)
def read_file(call: OneFile) -> Response:
    found = call.service.read_file(call.session_id, call.path)
    headers = {"ETag": etag(found.file), "Cache-Control": "no-cache"}
    if call.header("if-none-match") == headers["ETag"]:
        return Response(status_code=304, headers=headers)
    if (call.header("accept") or "").startswith("text/plain"):
        return PlainTextResponse(found.content, headers=headers)
    return json_response(FileOut.of(found.file, content=found.content), headers=headers)


@router.put(
    "/{session_id}/files/{file_path:path}",
    response_model=FileMeta,
    openapi_extra=WRITE_DOC,
    responses={201: {"model": FileMeta, "description": "Created"}},
    summary="Create or replace a file; If-Match guards against lost updates",
)
async def write_file(call: OneFile) -> Response:
    content = await file_content(call.request)
    row, created = await run_in_threadpool(
        call.service.write_file,
        call.session_id,
        call.path,
        content,
        if_match=parse_if_match(call.header("if-match")),
        create_only=(call.header("if-none-match") or "").strip() == "*",
        actor=call.actor,
    )
    return _file_response(row, 201 if created else 200)


@router.delete(
    "/{session_id}/files/{file_path:path}",
    status_code=204,
    openapi_extra={"parameters": [IF_MATCH_DOC]},
    summary="Delete a file, or a folder with recursive=true",
)
def delete_file(call: OneFile, recursive: bool = False) -> Response:
    if_match = parse_if_match(call.header("if-match"))
    call.service.delete_file(
        call.session_id, call.path, if_match=if_match, recursive=recursive, actor=call.actor
    )
    return Response(status_code=204)


# ---- sessions ---------------------------------------------------------------------------


@router.post("", status_code=201, response_model=SessionOut, summary="Create a session")
def create_session(body: SessionCreate, service: StaffService, request: Request) -> Response:
    draft = SessionDraft(
        template_id=body.template_id,
        problem_id=body.problem_id,
        candidate_name=body.candidate_name,
        candidate_email=body.candidate_email,
        config=body.config,
        files=[NewFile(item.path, item.content) for item in body.files],
    )
    # the problems domain fills in the template's questions and starter files
    draft = request.app.state.container.problems.compose(draft, body.language)
    interview = service.create_session(draft)
    location = f"{router.prefix}/{interview.id}"
    return json_response(SessionOut.of(interview), 201, {"Location": location})


def _moment(name: str, value: str | None) -> datetime | None:
    """An ISO date (midnight UTC) or date-time (UTC when it names no offset)."""
    if value is None:
        return None
    try:
        moment = (
            datetime.fromisoformat(value)
            if "T" in value or " " in value
            else datetime.combine(date.fromisoformat(value), time.min)
        )
    except ValueError:
        raise ProblemError(
            400, "invalid_parameter", f"{name}: an ISO date (2026-12-06) or date-time"
        ) from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


@dataclass(frozen=True)
class SessionFilters:
    """The session list's filters, shared by the list and its CSV export."""

    status: SessionStatus | None
    candidate: str | None
    template: str | None
    created_after: datetime | None
    created_before: datetime | None

    def given(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "candidate": self.candidate,
            "template": self.template,
            "created_after": self.created_after,
            "created_before": self.created_before,
        }


def session_filters(
    status: SessionStatus | None = None,
    candidate: Annotated[
        SafeText | None, Query(max_length=200, description="Part of the name or email")
    ] = None,
    template: Annotated[str | None, Query(max_length=64, pattern=r"^[a-z0-9][a-z0-9-]*$")] = None,
    created_after: Annotated[
        str | None, Query(max_length=40, description="ISO date or date-time, inclusive")
    ] = None,
    created_before: Annotated[
        str | None, Query(max_length=40, description="ISO date or date-time, exclusive")
    ] = None,
) -> SessionFilters:
    return SessionFilters(
        status=status,
        candidate=candidate,
        template=template,
        created_after=_moment("created_after", created_after),
        created_before=_moment("created_before", created_before),
    )


Filters = Annotated[SessionFilters, Depends(session_filters)]


@router.get("", response_model=SessionList, summary="List sessions, newest first")
def list_sessions(
    request: Request,
    service: StaffService,
    filters: Filters,
    limit: Annotated[int, Query(ge=1)] = 20,
    cursor: Annotated[str | None, Query(max_length=512)] = None,
) -> Response:
    limit = min(limit, request.app.state.container.settings.max_page_size)
    page = service.list_sessions(**filters.given(), limit=limit, cursor=cursor)
    items = [SessionOut.of(row) for row in page.items]
    return json_response(SessionList(items=items, next_cursor=page.next_cursor))


def session_view(request: Request, row: InterviewSession) -> BaseModel:
    """The full session for staff; for a candidate, the allow-listed candidate view.

    Every route that shows a session to a caller who may be its candidate goes through
    here, so no route can hand a candidate the config by forgetting to filter it.
    """
    principal: Principal = request.state.principal
    if principal.is_staff:
        return SessionOut.of(row)
    title = None
    if row.problem_id is not None:
        try:
            title = request.app.state.container.problems.problem(row.problem_id).title
        except ProblemError:
            title = None  # a problem gone from the bank: the id still says which
    return CandidateSessionOut.of(row, title)


@router.get(
    "/{session_id}",
    response_model=SessionOut | CandidateSessionOut,
    summary="A session: the full record for staff, the candidate view for its candidate",
)
def get_session(access: SessionAccess, request: Request) -> Response:
    return json_response(session_view(request, _service(request).get_session(access.session_id)))


@router.patch("/{session_id}", response_model=SessionOut)
def update_session(session_id: SessionId, body: SessionPatch, service: StaffService) -> Response:
    given = body.model_fields_set
    updated = service.update_session(
        session_id,
        candidate_name=body.candidate_name if "candidate_name" in given else UNSET,
        candidate_email=body.candidate_email if "candidate_email" in given else UNSET,
        config=body.config if "config" in given and body.config is not None else UNSET,
        status=SessionStatus(body.status) if body.status else UNSET,
    )
    return json_response(SessionOut.of(updated))


@router.delete("/{session_id}", response_model=SessionOut, summary="End a session")
def end_session(
    session_id: SessionId,
    service: StaffService,
    status: Literal["completed", "terminated"] = "completed",
) -> Response:
    return json_response(SessionOut.of(service.end_session(session_id, status)))


@router.post("/{session_id}/invite", response_model=InviteOut, status_code=201)
def invite_candidate(
    session_id: SessionId,
    request: Request,
    service: StaffService,
    body: InviteRequest | None = None,
) -> Response:
    """Mint a candidate token: it opens this one session's workspace and nothing else,
    until the session ends; ``revoke_previous`` makes every earlier token stop working."""
    settings = request.app.state.container.settings
    cap = settings.candidate_token_max_ttl_seconds
    ttl = (body.ttl_seconds if body else None) or min(settings.candidate_token_ttl_seconds, cap)
    if ttl > cap:
        raise ProblemError(
            422,
            "token_ttl_too_long",
            f"ttl_seconds is {ttl}; a candidate token lives at most {cap} s",
            limit=cap,
        )
    generation = service.invite(session_id, revoke_previous=bool(body and body.revoke_previous))
    auth: AuthService = request.app.state.container.auth
    minted = auth.mint_candidate_token(session_id, ttl, generation)
    base = settings.public_url or str(request.base_url)
    invite = InviteOut(
        session_id=session_id,
        token=minted.token,
        expires_at=minted.expires_at,
        url=room_url(base, session_id, minted.token),
    )
    return json_response(invite, 201)


def room_url(base: str, session_id: str, token: str) -> str:
    """The candidate's room link: ``{base}/room/{session_id}#token=<token>``. The page
    reads the token from the fragment, which never leaves the browser."""
    return f"{base.rstrip('/')}/room/{quote(session_id, safe='')}#token={quote(token, safe='')}"


# ---- workspace --------------------------------------------------------------------------


@router.get("/{session_id}/files", response_model=FileListing, summary="Workspace tree")
def list_files(access: SessionAccess, request: Request) -> Response:
    interview, files = _service(request).list_files(access.session_id)
    listing = FileListing(
        session_id=access.session_id,
        file_count=interview.file_count,
        total_bytes=interview.workspace_bytes,
        read_only=not interview.is_active,
        files=[FileMeta.of(row) for row in files],
        tree=TreeNode.model_validate(file_tree(files)),
    )
    return json_response(listing)


@router.post("/{session_id}/files", response_model=FileMeta, status_code=201)
def create_file(access: SessionAccess, body: FileIn, request: Request) -> Response:
    session_id = access.session_id
    row = _service(request).create_file(session_id, body.path, body.content, actor=access.actor)
    location = f"{router.prefix}/{session_id}/files{quote(row.path)}"
    return _file_response(row, 201, Location=location)
