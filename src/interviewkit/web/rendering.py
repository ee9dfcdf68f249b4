"""How the staff pages render: their Jinja environment and filters, client errors as
pages, and :class:`Page`, what every staff route is handed.

A staff route raises the domains' :class:`~interviewkit.errors.ProblemError` as the API
does; :class:`PageRoute` turns a 4xx into a page in the staff layout (a browser would show
problem+json as raw text). Values read the same on every page through the filters here:
times in UTC to the minute (the shell's script makes them relative), durations, scores.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import Depends, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.routing import APIRoute
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from pydantic import ValidationError
from starlette.datastructures import FormData

from interviewkit.db import ID_PATTERN
from interviewkit.errors import ProblemError
from interviewkit.web.api import HERE, BundleMissing, Entry, bundle_entry, problem_page
from interviewkit.web.signin import StaffPage, StaffView, read_form, verify_csrf

if TYPE_CHECKING:
    from interviewkit.app import Container

NO_STORE = {"Cache-Control": "no-store"}
"""Staff pages carry a CSRF token and, for an active session, a candidate's invite link."""
RATING_LABELS = {1: "Poor", 2: "Mixed", 3: "Good", 4: "Excellent"}
RECOMMENDATION_LABELS = {
    "strong_no": "Strong no",
    "no": "No",
    "yes": "Yes",
    "strong_yes": "Strong yes",
}
pages = Environment(
    loader=FileSystemLoader(HERE / "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)


# ---- how values read on a page --------------------------------------------------------------


def utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _as_datetime(value: datetime | str) -> datetime:
    return utc(datetime.fromisoformat(value) if isinstance(value, str) else value)


def iso(value: datetime | str) -> str:
    """For ``<time datetime>``: the shell turns it into "3 min ago"."""
    return _as_datetime(value).isoformat()


def stamp(value: datetime | str) -> str:
    """What a page shows without the script, and what it prints: minutes, in UTC."""
    return _as_datetime(value).strftime("%Y-%m-%d %H:%M UTC")


def duration(ms: int | float | None) -> str:
    """``1 h 05 min``, ``12 min 03 s``, ``41 s``; a dash for nothing."""
    if ms is None:
        return "—"
    seconds = max(0, int(ms // 1000))
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes:02d} min"
    if minutes:
        return f"{minutes} min {seconds:02d} s"
    return f"{seconds} s"


def clock(ms: int) -> str:
    """A moment of the session from its start: ``4:05`` or ``1:02:03``."""
    seconds = max(0, int(ms // 1000))
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


def filesize(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    scaled = float(size)
    for unit in ("KB", "MB", "GB"):
        scaled /= 1024
        if scaled < 1024 or unit == "GB":
            break
    return f"{scaled:.1f} {unit}"


def score_band(value: float) -> str:
    """The colour a 0..100 score reads in (the same cut-offs on every page)."""
    return "high" if value >= 70 else "mid" if value >= 40 else "low"


def _markdown() -> Callable[[str], str] | None:
    """markdown-it-py when installed (not a declared dependency), with raw HTML off and
    markdown-it's own link check, so a statement cannot put script on a staff page."""
    try:
        from markdown_it import MarkdownIt
    except ImportError:  # pragma: no cover - the page then shows the source as text
        return None
    return MarkdownIt("commonmark", {"html": False}).enable("table").render


_RENDER_MARKDOWN = _markdown()


def markdown(text: str) -> Markup:
    if _RENDER_MARKDOWN is None:
        return Markup('<pre class="plain">{}</pre>').format(text)
    return Markup(_RENDER_MARKDOWN(text))  # noqa: S704 - html is off: markdown-it escapes


pages.filters.update(
    iso=iso,
    stamp=stamp,
    duration=duration,
    clock=clock,
    filesize=filesize,
    score_band=score_band,
    markdown=markdown,
)
pages.globals.update(
    rating_labels=RATING_LABELS,
    recommendation_labels=RECOMMENDATION_LABELS,
)


# ---- errors as pages ------------------------------------------------------------------------


class PageRoute(APIRoute):
    """A route whose client errors come back as a page a person reads.

    The API's handlers answer problem+json, which a browser shows as raw JSON; here a
    4xx :class:`ProblemError` (an unknown session, a refused CSRF token, a bad cursor) is
    the staff layout with the error's title and detail; a malformed path parameter is a
    404 page, a malformed query parameter a 400. Anything else (a 5xx, the sign-in
    redirect) goes on to the app's handlers.
    """

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()

        async def page(request: Request) -> Response:
            try:
                return await handle(request)
            except ProblemError as exc:
                if not 400 <= exc.status < 500:
                    raise
                return error_page(request, exc.status, exc.title, exc.detail, exc.headers)
            except RequestValidationError as exc:
                if any(error["loc"][:1] == ("path",) for error in exc.errors()):
                    return error_page(
                        request, 404, "Not found", "This address does not name anything here."
                    )
                first = exc.errors()[0]
                where = " ".join(str(part) for part in first["loc"][1:])
                return error_page(request, 400, "Bad request", f"{where}: {first['msg']}")

        return page


def error_page(
    request: Request,
    status: int,
    title: str,
    detail: str,
    headers: Mapping[str, str] | None = None,
) -> HTMLResponse:
    """The error inside the staff layout when the person is known, else the plain page."""
    view: StaffView | None = getattr(request.state, "staff_view", None)
    if view is None:
        return problem_page(status, title, detail)
    html = pages.get_template("staff_error.html").render(
        layout(view),
        status=status,
        title=title,
        detail=detail,
    )
    return HTMLResponse(html, status_code=status, headers={**NO_STORE, **(headers or {})})


# ---- the page context -------------------------------------------------------------------------


def entry(name: str) -> Entry | None:
    """A bundle when built; the pages work without it (forms post, links link)."""
    try:
        return bundle_entry(name)
    except BundleMissing:
        return None


def layout(view: StaffView) -> dict[str, Any]:
    """What ``staff_base.html`` needs (its contract with D's pages too)."""
    return {"staff": view, "csrf_token": view.csrf_token, "shell": entry("staff")}


@dataclass(frozen=True)
class Page:
    """One staff page being answered: who asks, and the domains it reads."""

    view: StaffView
    request: Request

    @property
    def container(self) -> Container:
        found: Container = self.request.app.state.container
        return found

    def render(
        self, name: str, section: str, status_code: int = 200, **context: Any
    ) -> HTMLResponse:
        html = pages.get_template(name).render(layout(self.view), section=section, **context)
        return HTMLResponse(html, status_code=status_code, headers=NO_STORE)

    async def form(self) -> FormData:
        """The posted form, after its CSRF token checks out (403 ``csrf_failed``)."""
        await verify_csrf(self.request, self.view)
        return await read_form(self.request)


async def staff_page(view: StaffPage, request: Request) -> Page:
    request.state.staff_view = view  # for error_page
    return Page(view, request)


StaffRequest = Annotated[Page, Depends(staff_page)]


def see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def form_value(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def messages(exc: ValidationError, labels: Mapping[str, str]) -> list[str]:
    """Pydantic's errors as sentences naming the form's fields."""
    found = []
    for error in exc.errors():
        where = str(error["loc"][0]) if error["loc"] else ""
        label = labels.get(where, where.replace("_", " ").capitalize())
        message = str(error["msg"]).removeprefix("Value error, ")
        if error["type"] == "string_pattern_mismatch":
            message = "is not in the expected form"
        found.append(f"{label}: {message}" if label else message)
    return found


def check_id(value: str, pattern: str = ID_PATTERN) -> str:
    if not re.fullmatch(pattern, value):
        raise ProblemError(404, "not_found", "This address does not name anything here.")
    return value
