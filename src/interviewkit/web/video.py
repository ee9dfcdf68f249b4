"""The video interview pages: the interviewer's list, detail and report, and the
candidate's recording page.

Every page here is a shell that a TypeScript app fills in through the public video API
(``/api/v1/video``): the staff apps ride the sign-in cookie and the page's CSRF token
(``web/src/video/staff.ts``, ``report.ts``), the candidate's app the token from the invite
link's fragment (``web/src/video/record.ts``). So these routes only check who asks and
that the address is well formed; the API decides what exists and who may see it (a token
of another interview gets its 404), and the rubric keywords never reach a candidate's
page because the page holds no interview data at all: the candidate's API view leaves
them out.
"""

from __future__ import annotations

import re

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from interviewkit.web.api import BundleMissing, Entry, bundle_entry, problem_page, templates
from interviewkit.web.rendering import PageRoute, StaffRequest, check_id

VIDEO_ID = r"^vid_[A-Za-z0-9_]{1,60}$"
"""A video interview's id as the API makes them (``vid_…``)."""

staff_router = APIRouter(include_in_schema=False, route_class=PageRoute)
candidate_router = APIRouter(include_in_schema=False)
router = APIRouter(include_in_schema=False)
router.include_router(staff_router)
router.include_router(candidate_router)


def _bundle(name: str) -> Entry | None:
    """The page's app; without a build the page says how to build it instead."""
    try:
        return bundle_entry(name)
    except BundleMissing:
        return None


def _limits(page: StaffRequest) -> dict[str, int]:
    """What the new-interview form offers, from the server's settings."""
    settings = page.container.settings
    return {
        "max_questions": settings.video_max_questions,
        "max_attempts": settings.video_max_attempts,
        "max_answer_s": settings.video_max_answer_s,
    }


@staff_router.get("/staff/video")
async def video_list(page: StaffRequest) -> HTMLResponse:
    """The video interviews, newest first, and the form that creates one (its "start from a
    template" choice lists the question templates; the app fetches one's questions from the
    API when it is chosen)."""
    return page.render(
        "video/list.html",
        "video",
        bundle=_bundle("video-staff"),
        limits=_limits(page),
        question_templates=list(page.container.video.templates.values()),
    )


@staff_router.get("/staff/video/{interview_id}")
async def video_detail(page: StaffRequest, interview_id: str) -> HTMLResponse:
    """One interview: its invite link, and each question's answer as it is analysed."""
    check_id(interview_id, VIDEO_ID)
    return page.render(
        "video/detail.html", "video", interview_id=interview_id, bundle=_bundle("video-staff")
    )


@staff_router.get("/staff/video/{interview_id}/report")
async def video_report(page: StaffRequest, interview_id: str) -> HTMLResponse:
    """The printable report: videos with captions, transcripts, charts and scores."""
    check_id(interview_id, VIDEO_ID)
    return page.render(
        "video/report.html", "video", interview_id=interview_id, bundle=_bundle("video-report")
    )


@candidate_router.get("/video/{interview_id:path}")
def candidate_page(interview_id: str) -> HTMLResponse:
    """The candidate records their answers here; the token stays in the URL fragment."""
    if not re.fullmatch(VIDEO_ID, interview_id):
        return problem_page(
            404,
            "No such video interview",
            "This link does not name a video interview. Check the link your interviewer sent you.",
        )
    bundle = _bundle("video")
    if bundle is None:
        return problem_page(
            503,
            "The page is not built",
            "This server has no browser bundle. Its operator builds it with `make install` "
            "(or `cd web && npm ci && npm run build`), then restarts the server.",
        )
    html = templates.get_template("video/candidate.html").render(
        interview_id=interview_id, bundle=bundle
    )
    return HTMLResponse(html, headers={"Cache-Control": "no-cache"})
