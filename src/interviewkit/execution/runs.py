"""Building and running a session's code run: one function for every way of asking.

``POST /sessions/{id}/execute`` and the live channel's ``code-execution`` request both run
the session's workspace through :func:`run_in_session`, so a run asked for either way is
planned, limited, admitted and recorded the same way.
"""

from __future__ import annotations

from functools import partial

from pydantic import ValidationError

from interviewkit.auth.service import Principal
from interviewkit.errors import ProblemError
from interviewkit.execution.callbacks import PinnedCallback, check_callback
from interviewkit.execution.limits import resolve_limits
from interviewkit.execution.schemas import (
    CallTest,
    ExecuteRequest,
    ExecutionResult,
    SessionExecuteRequest,
    StdioTest,
    TestSuite,
)
from interviewkit.execution.service import ExecutionService, Submission


def who(principal: Principal) -> str:
    """Who an execution row names as its requester."""
    return principal.key_id or f"candidate:{principal.session_id}"


async def run_in_session(
    service: ExecutionService, principal: Principal, session_id: str, body: SessionExecuteRequest
) -> ExecutionResult:
    """Run the session's workspace (``run``: the caller's tests or the examples;
    ``submit``: the problem's); the full result, which the caller shows by role.

    Reading the workspace, admitting and recording the run share one thread hop."""
    if body.callback_url and not principal.is_staff:
        raise ProblemError(403, "forbidden", "only interviewers may set a callback_url")
    prepare = partial(_session_submission, service, principal, session_id, body)
    return await service.run_prepared(prepare, wait=body.wait, in_thread=True)


def _session_submission(
    service: ExecutionService, principal: Principal, session_id: str, body: SessionExecuteRequest
) -> Submission:
    """The job of a session run: its workspace, the tests the mode asks for, the limits
    (blocking: it reads the session's workspace)."""
    suite = suite_of(body.tests, body) if body.mode == "run" else None
    limits = resolve_limits(service.settings, body.limits, candidate=not principal.is_staff)
    session, job = service.session_job(
        session_id,
        file=body.file,
        language=body.language,
        stdin=body.stdin,
        suite=suite,
        mode=body.mode,
        limits=limits,
    )
    callback = pinned(service, body.callback_url)
    return Submission(
        job,
        who(principal),
        session=session,
        mode=body.mode,
        callback_url=body.callback_url,
        callback=callback,
        key_id=principal.key_id,
    )


def pinned(service: ExecutionService, url: str | None) -> PinnedCallback | None:
    """Check ``callback_url`` now (422 ``callback_url_refused``), before any row exists
    (blocking: it resolves the host)."""
    if url is None:
        return None
    return check_callback(url, service.settings)


def suite_of(
    tests: list[StdioTest | CallTest] | None, body: ExecuteRequest | SessionExecuteRequest
) -> TestSuite | None:
    if not tests:
        return None
    float_tolerance = getattr(body, "float_tolerance", None)
    unordered = getattr(body, "unordered", False)
    try:
        return TestSuite(
            entry_point=body.entry_point,
            signature=body.signature,
            tests=tests,
            float_tolerance=float_tolerance,
            unordered=unordered,
        )
    except ValidationError as exc:
        message = str(exc.errors()[0]["msg"]).removeprefix("Value error, ")
        raise ProblemError(422, "invalid_tests", message) from None
