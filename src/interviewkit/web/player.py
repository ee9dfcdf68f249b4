"""The live view and the replay player: staff pages that host TypeScript apps.

Each page is a shell: the session's id, its title and the elements the app fills in
(``web/src/staff/live.ts``, ``replay.ts``). The apps read everything else through the API
with the sign-in cookie and the page's CSRF token, so these routes only check who asks and
that the session exists. They share the staff pages' layout and error pages
(:class:`~interviewkit.web.rendering.PageRoute`): an unknown session is a readable 404 page,
not problem+json, and a signed-out browser is sent to ``/login``.
"""

from __future__ import annotations

import re

from fastapi import APIRouter
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from interviewkit.db import ID_PATTERN
from interviewkit.errors import not_found
from interviewkit.sessions.models import InterviewSession
from interviewkit.web.api import BundleMissing, Entry, bundle_entry
from interviewkit.web.rendering import PageRoute, StaffRequest

router = APIRouter(include_in_schema=False, route_class=PageRoute)


def _bundle(name: str) -> Entry | None:
    """The page's app; without a build the page says how to build it instead."""
    try:
        return bundle_entry(name)
    except BundleMissing:
        return None


async def _session(page: StaffRequest, session_id: str) -> InterviewSession:
    if not re.fullmatch(ID_PATTERN, session_id):
        raise not_found("session_not_found", "This address does not name a session.")
    session: InterviewSession = await run_in_threadpool(
        page.container.sessions.get_session, session_id
    )
    return session


@router.get("/sessions/{session_id}/live")
async def live_view(page: StaffRequest, session_id: str) -> HTMLResponse:
    """Watch the candidate work, as it happens (an ended session points to its replay)."""
    session = await _session(page, session_id)
    return page.render("live.html", "sessions", session=session, bundle=_bundle("live"))


@router.get("/sessions/{session_id}/replay")
async def replay_player(page: StaffRequest, session_id: str) -> HTMLResponse:
    """Play the session's recording back, live or ended."""
    session = await _session(page, session_id)
    return page.render("replay.html", "sessions", session=session, bundle=_bundle("replay"))
