"""HTTP routes of code execution: parse, authorise, call the service, shape the result."""

from __future__ import annotations

from functools import partial
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from interviewkit.auth.deps import (
    SessionAccess,
    Staff,
    authenticate,
    require_admin,
)
from interviewkit.auth.service import Principal
from interviewkit.db import ID_PATTERN
from interviewkit.errors import ProblemError
from interviewkit.execution import stages
from interviewkit.execution.callbacks import (
    SIGNATURE_HEADER,
    callback_key,
)
from interviewkit.execution.limits import resolve_limits
from interviewkit.execution.runs import pinned, run_in_session, suite_of, who
from interviewkit.execution.schemas import (
    CallbackKey,
    ExecuteRequest,
    ExecutionList,
    ExecutionResult,
    ExecutionSummary,
    LanguageList,
    SessionExecuteRequest,
)
from interviewkit.execution.service import ExecutionService, Submission
from interviewkit.execution.stages import StageClock

router = APIRouter(prefix="/api/v1", tags=["execution"])

ExecutionId = Annotated[str, Path(pattern=ID_PATTERN, max_length=64)]


def _service(request: Request) -> ExecutionService:
    service: ExecutionService = request.app.state.container.executions
    return service


def _shown(result: ExecutionResult, principal: Principal) -> Response:
    """Candidates see hidden tests as name and status only; staff see everything."""
    if not principal.is_staff:
        result = result.for_candidate()
    status = 202 if result.state != "finished" else 200
    body = result.stored_json if principal.is_staff else None
    return Response(body or result.model_dump_json(), status, media_type="application/json")


def _timed(request: Request, response: Response, clock: StageClock) -> Response:
    """The response with its ``Server-Timing`` header; the stages go to ``/metrics`` too."""
    response.headers[stages.HEADER] = clock.header()
    clock.observe(stages.stage_histogram(request.app.state.container.metrics.registry))
    return response


@router.get("/languages", response_model=LanguageList, summary="Languages on this server")
async def list_languages(request: Request) -> LanguageList:
    """Each language this server runs: its toolchain's version and its environment (what
    code may use without an import, as on LeetCode; see docs/languages.md). Any
    credential may read it, a candidate's token included: the room shows it."""
    await authenticate(request)
    languages = await run_in_threadpool(_service(request).languages)
    return LanguageList(languages=languages)


@router.post(
    "/execute",
    response_model=ExecutionResult,
    summary="Run code (stateless), optionally against tests",
    responses={202: {"description": "Queued (wait=false)"}, 429: {"description": "Queue full"}},
)
async def execute(body: ExecuteRequest, request: Request, principal: Staff) -> Response:
    """A small request is planned on the event loop (planning it costs less than a thread
    hop); a large one, or one whose callback host must be resolved, in a worker thread."""
    with stages.measuring() as clock:
        service = _service(request)
        prepare = partial(_stateless_submission, service, body, principal)
        blocking = body.callback_url is not None or _body_bytes(request) > PLAN_ON_LOOP_BYTES
        result = await service.run_prepared(prepare, wait=body.wait, in_thread=blocking)
        return _timed(request, _shown(result, principal), clock)


PLAN_ON_LOOP_BYTES = 64 * 1024
"""Requests up to this size are planned on the event loop (about 0.1 ms)."""


def _body_bytes(request: Request) -> int:
    """The request body's declared size; unknown (chunked) counts as large."""
    try:
        return int(request.headers["content-length"])
    except (KeyError, ValueError):
        return PLAN_ON_LOOP_BYTES + 1


def _stateless_submission(
    service: ExecutionService, body: ExecuteRequest, principal: Principal
) -> Submission:
    """The job of a stateless run (422 for anything the planner refuses)."""
    suite = suite_of(body.tests, body)
    limits = resolve_limits(service.settings, body.limits)
    files = {item.path.lstrip("/"): item.content for item in body.files}
    if len(files) != len(body.files):
        raise ProblemError(422, "duplicate_file", "two files have the same path")
    for path in files:
        service.sessions.normalize(path)  # the workspace's path rules apply here too
    job = service.planner.job(
        files=files,
        entry=body.entry,
        language=body.language,
        stdin=body.stdin,
        suite=suite,
        limits=limits,
    )
    callback = pinned(service, body.callback_url)
    return Submission(
        job,
        who(principal),
        callback_url=body.callback_url,
        callback=callback,
        key_id=principal.key_id,
    )


@router.post(
    "/sessions/{session_id}/execute",
    response_model=ExecutionResult,
    summary="Run the session's workspace (run: your tests; submit: the problem's)",
    responses={202: {"description": "Queued (wait=false)"}, 429: {"description": "Queue full"}},
)
async def execute_in_session(
    access: SessionAccess, body: SessionExecuteRequest, request: Request
) -> Response:
    principal = access.principal
    with stages.measuring() as clock:
        result = await run_in_session(_service(request), principal, access.session_id, body)
        return _timed(request, _shown(result, principal), clock)


@router.get(
    "/sessions/{session_id}/executions",
    response_model=ExecutionList,
    summary="Runs of a session, newest first",
)
async def list_session_executions(
    access: SessionAccess,
    request: Request,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> ExecutionList:
    service = _service(request)
    rows = await run_in_threadpool(service.list_for_session, access.session_id, limit)
    return ExecutionList(executions=[ExecutionSummary.of(row) for row in rows])


@router.get("/executions/{execution_id}", response_model=ExecutionResult, summary="One execution")
async def get_execution(execution_id: ExecutionId, request: Request) -> Response:
    principal = await authenticate(request)
    row, result = await run_in_threadpool(_service(request).get, execution_id)
    if not principal.is_staff and (
        row.session_id is None or row.session_id != principal.session_id
    ):
        raise ProblemError(404, "execution_not_found", f"no execution {execution_id!r}")
    return _shown(result, principal)


@router.get(
    "/callback-signing-key",
    response_model=CallbackKey,
    summary="The key that signs callback bodies (admins), for receivers to verify them",
)
async def callback_signing_key(request: Request, response: Response) -> CallbackKey:
    await require_admin(request)
    response.headers["Cache-Control"] = "no-store"
    return CallbackKey(
        header=SIGNATURE_HEADER,
        algorithm="HMAC-SHA256",
        signed="t=<unix seconds>,v1=hex(HMAC(key, '<t>.' + body))",
        key=callback_key(_service(request).settings).hex(),
    )
