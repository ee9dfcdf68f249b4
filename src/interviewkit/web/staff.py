"""The interviewer's pages: sessions, scorecards and the report, rendered on the server
(candidates, the bank and templates are in :mod:`.catalog`).

Each route is thin like an ``api.py``: it parses, authorises (:data:`StaffPage`, and
:func:`verify_csrf` before any change), calls the domains' services and renders. Forms
answer ``303`` to the page that shows the result (POST-redirect-GET, so a reload never
posts twice); a refused form is shown again with its values and the reason, as a 4xx
page. Every other client error becomes a readable error page (:mod:`.rendering` holds
that, the page context and the filters). The interactive parts (live view, replay,
charts) are bundles of their own; the shell's script (``web/src/staff/shell.ts``) only
enhances what works without it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field, ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from interviewkit.caching import LRUCache
from interviewkit.errors import ProblemError
from interviewkit.languages import names as language_names
from interviewkit.problems.bank import PROBLEM_ID
from interviewkit.review.schemas import RECOMMENDATIONS, Report, ScorecardIn, ScorecardOut
from interviewkit.sessions.api import room_url
from interviewkit.sessions.models import InterviewSession, SessionStatus
from interviewkit.sessions.schemas import SafeText, SessionCreate, has_control_characters
from interviewkit.sessions.service import SessionDraft, SessionEnded
from interviewkit.web.rendering import (
    Page,
    PageRoute,
    StaffRequest,
    check_id,
    duration,
    entry,
    form_value,
    messages,
    see_other,
    utc,
)

if TYPE_CHECKING:
    from interviewkit.app import Container

_SCORE_CACHE_SIZE = 4096
SCORES_PER_VIEW = 5
"""Ended sessions' totals a list computes per view; the others show as pending."""

router = APIRouter(include_in_schema=False, route_class=PageRoute)


def problem_title(container: Container, problem_id: str | None) -> str | None:
    if problem_id is None:
        return None
    found = container.problems.bank.problems.get(problem_id)
    return found.title if found else problem_id


def _what(container: Container, row: InterviewSession) -> str:
    """How a session's interview reads in a list: its template, else its problem."""
    if row.template_id:
        template = container.problems.bank.templates.get(row.template_id)
        return template.title if template else row.template_id
    return problem_title(container, row.problem_id) or "Free workspace"


def _duration_ms(row: InterviewSession, now: datetime) -> int:
    end = utc(row.ended_at) if row.ended_at else now
    return max(0, int((end - utc(row.created_at)).total_seconds() * 1000))


# ---- sessions ---------------------------------------------------------------------------------


class SessionFilters(BaseModel):
    """The list's query string, checked like the API's ``GET /api/v1/sessions``."""

    q: SafeText | None = Field(None, max_length=200)
    status: SessionStatus | None = None
    template: str | None = Field(None, pattern=PROBLEM_ID)
    date_from: date | None = None
    date_to: date | None = None

    @property
    def any(self) -> bool:
        return any(value is not None for value in self.model_dump().values())

    def query(self, **extra: str) -> str:
        """This filter as a query string (for the pager and the CSV link)."""
        values = {
            "q": self.q,
            "status": self.status.value if self.status else None,
            "template": self.template,
            "from": self.date_from.isoformat() if self.date_from else None,
            "to": self.date_to.isoformat() if self.date_to else None,
            **extra,
        }
        return urlencode({name: value for name, value in values.items() if value})


FILTER_LABELS = {"q": "Candidate", "date_from": "From", "date_to": "To"}


def _filters(values: dict[str, str | None]) -> tuple[SessionFilters, list[str]]:
    """The valid filters, and a sentence for each one dropped."""
    given = {name: value for name, value in values.items() if value}
    try:
        return SessionFilters.model_validate(given), []
    except ValidationError as exc:
        bad = {str(error["loc"][0]) for error in exc.errors() if error["loc"]}
        kept = SessionFilters.model_validate({k: v for k, v in given.items() if k not in bad})
        return kept, messages(exc, FILTER_LABELS)


@dataclass(frozen=True)
class SessionRow:
    id: str
    candidate_name: str | None
    candidate_email: str | None
    what: str
    template_id: str | None
    status: str
    created_at: datetime
    duration_ms: int
    ended: bool
    score: float | None
    score_pending: bool = False
    """Ended, but its total is not computed yet (see :class:`FinalScores`)."""


@dataclass
class NewSessionForm:
    choice: str = ""
    candidate_name: str = ""
    candidate_email: str = ""
    language: str = ""
    minutes: str = ""
    errors: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, form: FormData) -> NewSessionForm:
        return cls(
            choice=form_value(form, "choice"),
            candidate_name=form_value(form, "candidate_name"),
            candidate_email=form_value(form, "candidate_email"),
            language=form_value(form, "language"),
            minutes=form_value(form, "minutes"),
        )

    def body(self, max_minutes: float) -> SessionCreate:
        """The API's request body for this form (its checks are the API's)."""
        kind, _, reference = self.choice.partition(":")
        if kind not in {"template", "problem"} or not reference:
            raise ProblemError(422, "validation_error", "Choose a template or a problem.")
        config: dict[str, Any] = {}
        if self.minutes:
            try:
                minutes = float(self.minutes)
            except ValueError:
                minutes = -1.0
            if not 0 < minutes <= max_minutes:
                raise ProblemError(
                    422,
                    "invalid_time_limit",
                    f"Minutes must be a number above 0 and at most {max_minutes:g}.",
                )
            config["time_limit_minutes"] = minutes
        return SessionCreate.model_validate(
            {
                f"{kind}_id": reference,
                "language": self.language or None,
                "candidate_name": self.candidate_name or None,
                "candidate_email": self.candidate_email or None,
                "config": config,
            }
        )


NEW_SESSION_LABELS = {
    "template_id": "Template",
    "problem_id": "Problem",
    "candidate_name": "Candidate name",
    "candidate_email": "Candidate email",
    "language": "Language",
}

_final_scores: LRUCache[str, tuple[float | None]] = LRUCache(_SCORE_CACHE_SIZE)
"""Totals of sessions ended at least :data:`SETTLED` ago, computed once per process."""
SETTLED = timedelta(minutes=2)
"""After this, an ended session's total is final: its judged parts were written with the
end, and a run still in flight at the end (the recording takes server events after it)
has finished, since no run outlives its time limit and queue wait by this much."""


def _keep_total(ended_at: datetime | None, session_id: str, total: float | None) -> None:
    if ended_at is not None and datetime.now(UTC) - utc(ended_at) >= SETTLED:
        _final_scores.put(session_id, (total,))


class FinalScores:
    """The totals a list shows, at most ``budget`` of them computed per page view.

    A total comes from the session's report, which reads its whole recording (15-30 ms on
    a short session, far more on a long one), so a cold first page of 25 ended sessions
    would take seconds. Each view computes a few and shows the rest as pending; settled
    totals are kept, so the list fills in over the next views and then costs nothing.
    """

    def __init__(self, container: Container, budget: int = SCORES_PER_VIEW) -> None:
        self.container = container
        self.budget = budget

    def known(self, row: InterviewSession) -> tuple[float | None] | None:
        """``(total,)`` when known or affordable now (total None: nothing to score, such
        as a session ended before its first run)."""
        cached = _final_scores.get(row.id)
        if cached is not None or self.budget <= 0:
            return cached
        self.budget -= 1
        try:
            report = self.container.review.report(row.id)
        except ProblemError:
            total = None
        else:  # a session that ended before any run has nothing to score, not a 0
            total = report.score.total if any(part.runs for part in report.parts) else None
        _keep_total(row.ended_at, row.id, total)
        return (total,)


def session_rows(container: Container, rows: Iterable[InterviewSession]) -> list[SessionRow]:
    now = datetime.now(UTC)
    scores = FinalScores(container)
    shown = []
    for row in rows:
        ended = row.status != SessionStatus.active
        known = scores.known(row) if ended else None
        shown.append(
            SessionRow(
                id=row.id,
                candidate_name=row.candidate_name,
                candidate_email=row.candidate_email,
                what=_what(container, row),
                template_id=row.template_id,
                status=row.status,
                created_at=row.created_at,
                duration_ms=_duration_ms(row, now),
                ended=ended,
                score=known[0] if known else None,
                score_pending=ended and known is None,
            )
        )
    return shown


async def _sessions_page(
    page: Page,
    filters: SessionFilters,
    filter_errors: list[str],
    cursor: str | None,
    form: NewSessionForm,
    status_code: int = 200,
) -> HTMLResponse:
    container = page.container
    settings = container.settings
    after = (
        datetime.combine(filters.date_from, datetime.min.time(), UTC) if filters.date_from else None
    )
    before = (
        datetime.combine(filters.date_to + timedelta(days=1), datetime.min.time(), UTC)
        if filters.date_to
        else None
    )

    def load() -> tuple[list[SessionRow], str | None]:
        listing = container.sessions.list_sessions(
            status=filters.status,
            candidate=filters.q,
            template=filters.template,
            created_after=after,
            created_before=before,
            limit=settings.staff_page_size,
            cursor=cursor,
        )
        return session_rows(container, listing.items), listing.next_cursor

    rows, next_cursor = await run_in_threadpool(load)
    bank = container.problems.bank
    return page.render(
        "sessions.html",
        "sessions",
        status_code,
        rows=rows,
        filters=filters,
        filter_errors=filter_errors,
        next_url=f"/sessions?{filters.query(cursor=next_cursor)}" if next_cursor else None,
        first_url=f"/sessions?{filters.query()}",
        on_first_page=not cursor,
        csv_url=f"/api/v1/exports/sessions.csv?{_csv_query(filters)}",
        statuses=[status.value for status in SessionStatus],
        templates=sorted(bank.templates.values(), key=lambda t: t.title.lower()),
        problems=sorted(bank.problems.values(), key=lambda p: p.title.lower()),
        languages=language_names(),
        max_minutes=settings.max_time_limit_minutes,
        form=form,
    )


def _csv_query(filters: SessionFilters) -> str:
    """The export takes the API's names for the same filters."""
    values = {
        "status": filters.status.value if filters.status else None,
        "candidate": filters.q,
        "template": filters.template,
        "created_after": filters.date_from.isoformat() if filters.date_from else None,
        "created_before": (filters.date_to + timedelta(days=1)).isoformat()
        if filters.date_to
        else None,
    }
    return urlencode({name: value for name, value in values.items() if value})


@router.get("/sessions")
async def sessions_list(
    page: StaffRequest,
    q: Annotated[str | None, Query()] = None,
    status: Annotated[str | None, Query()] = None,
    template: Annotated[str | None, Query()] = None,
    date_from: Annotated[str | None, Query(alias="from")] = None,
    date_to: Annotated[str | None, Query(alias="to")] = None,
    cursor: Annotated[str | None, Query(max_length=512)] = None,
) -> HTMLResponse:
    filters, errors = _filters(
        {"q": q, "status": status, "template": template, "date_from": date_from, "date_to": date_to}
    )
    return await _sessions_page(
        page, filters, errors, cursor, NewSessionForm(), 400 if errors else 200
    )


@router.post("/sessions")
async def create_session(page: StaffRequest) -> Response:
    form = NewSessionForm.of(await page.form())
    container = page.container

    def create() -> InterviewSession:
        body = form.body(container.settings.max_time_limit_minutes)
        draft = SessionDraft(
            template_id=body.template_id,
            problem_id=body.problem_id,
            candidate_name=body.candidate_name,
            candidate_email=body.candidate_email,
            config=body.config,
        )
        # the problems domain fills in the template's questions and starter files
        return container.sessions.create_session(container.problems.compose(draft, body.language))

    try:
        created = await run_in_threadpool(create)
    except ValidationError as exc:
        form.errors = messages(exc, NEW_SESSION_LABELS)
        return await _sessions_page(page, SessionFilters(), [], None, form, 422)
    except ProblemError as exc:
        if not 400 <= exc.status < 500:
            raise
        form.errors = [exc.detail]
        return await _sessions_page(page, SessionFilters(), [], None, form, exc.status)
    return see_other(f"/sessions/{created.id}?done=created")


@dataclass(frozen=True)
class PartView:
    number: int
    label: str
    minutes: float | None
    problem_id: str
    problem_title: str
    state: str
    """``done``, ``current`` or ``upcoming``."""
    passed: int | None = None
    total: int | None = None


@dataclass(frozen=True)
class InviteLink:
    url: str
    expires_at: datetime


NOTICES = {
    "created": "Session created. Send the candidate the invite link below.",
    "ended": "The session has ended. Its report and replay are ready.",
    "invited": "A new invite link is ready; every earlier link stopped working.",
}


def _invite(page: Page, session_id: str) -> InviteLink | None:
    """A fresh room link, made as ``POST /api/v1/sessions/{id}/invite`` makes one: the
    sessions service says which token generation it carries (None once it has ended,
    which may happen between reading the session and asking)."""
    container = page.container
    settings = container.settings
    try:
        generation = container.sessions.invite(session_id)
    except SessionEnded:
        return None
    ttl = min(settings.candidate_token_ttl_seconds, settings.candidate_token_max_ttl_seconds)
    minted = container.auth.mint_candidate_token(session_id, ttl, generation)
    base = settings.public_url or str(page.request.base_url)
    return InviteLink(room_url(base, session_id, minted.token), minted.expires_at)


def _parts(container: Container, row: InterviewSession) -> list[PartView]:
    plan = container.problems.plan(row)
    finished = container.problems.finished_parts(row.id)
    shown = []
    for part in plan:
        done = finished[part.position] if part.position < len(finished) else None
        if done is not None:
            state = "done"
        elif part.position == len(finished) and row.status == SessionStatus.active:
            state = "current"
        else:
            state = "upcoming"
        shown.append(
            PartView(
                number=part.position + 1,
                label=part.label,
                minutes=part.minutes,
                problem_id=part.problem_id,
                problem_title=problem_title(container, part.problem_id) or part.problem_id,
                state=state,
                passed=done.passed if done else None,
                total=done.total if done else None,
            )
        )
    return shown


@router.get("/sessions/{session_id}")
async def session_overview(
    page: StaffRequest, session_id: str, done: Annotated[str | None, Query()] = None
) -> HTMLResponse:
    check_id(session_id)
    container = page.container

    def load() -> tuple[InterviewSession, list[PartView], InviteLink | None]:
        row = container.sessions.get_session(session_id)
        invite = _invite(page, session_id) if row.status == SessionStatus.active else None
        return row, _parts(container, row), invite

    row, parts, invite = await run_in_threadpool(load)
    now = datetime.now(UTC)
    template = container.problems.bank.templates.get(row.template_id or "")
    language = row.config.get("language") if isinstance(row.config, dict) else None
    if row.status != SessionStatus.active:
        time_left = "ended"
    elif row.deadline_at is None:
        time_left = "no limit"
    else:
        left = int((utc(row.deadline_at) - now).total_seconds() * 1000)
        time_left = duration(left) if left > 0 else "time is up"
    return page.render(
        "session.html",
        "sessions",
        session=row,
        what=_what(container, row),
        template=template,
        language=language if isinstance(language, str) else None,
        parts=parts,
        invite=invite,
        time_left=time_left,
        duration_ms=_duration_ms(row, now),
        notice=NOTICES.get(done or ""),
        errors=[],
    )


@router.post("/sessions/{session_id}/end")
async def end_session(page: StaffRequest, session_id: str) -> Response:
    check_id(session_id)
    form = await page.form()
    status: Literal["completed", "terminated"] = (
        "terminated" if form_value(form, "status") == "terminated" else "completed"
    )
    await run_in_threadpool(page.container.sessions.end_session, session_id, status)
    return see_other(f"/sessions/{session_id}?done=ended")


@router.post("/sessions/{session_id}/invite")
async def revoke_invites(page: StaffRequest, session_id: str) -> Response:
    """A new link generation: every link sent before stops working (the page then shows
    a link of the new generation)."""
    check_id(session_id)
    await page.form()
    await run_in_threadpool(page.container.sessions.invite, session_id, revoke_previous=True)
    return see_other(f"/sessions/{session_id}?done=invited")


# ---- scorecards -------------------------------------------------------------------------------


@dataclass
class ScorecardForm:
    """The person's own card as the form shows it (saved, or as just posted)."""

    ratings: dict[str, dict[str, int]] = field(default_factory=dict)
    notes: str = ""
    recommendation: str | None = None
    submitted: bool = False
    errors: list[str] = field(default_factory=list)

    @classmethod
    def of_card(cls, card: ScorecardOut | None) -> ScorecardForm:
        if card is None:
            return cls()
        return cls(
            ratings=card.ratings,
            notes=card.notes,
            recommendation=card.recommendation,
            submitted=card.status == "submitted",
        )


async def _scorecard_page(
    page: Page, session_id: str, form: ScorecardForm | None, notice: str | None, status: int = 200
) -> HTMLResponse:
    container = page.container

    def load() -> tuple[InterviewSession, Any]:
        return container.sessions.get_session(session_id), container.review.scorecards(session_id)

    row, found = await run_in_threadpool(load)
    mine = next((c for c in found.scorecards if c.interviewer_id == page.view.key_id), None)
    others = [
        c
        for c in found.scorecards
        if c.interviewer_id != page.view.key_id and c.status == "submitted"
    ]
    if form is None:
        form = ScorecardForm.of_card(mine)
    elif mine is not None and mine.status == "submitted":
        form.submitted = True
    return page.render(
        "scorecard.html",
        "sessions",
        status,
        session=row,
        rubric=found.rubric,
        mine=mine,
        form=form,
        others=others,
        recommendations=RECOMMENDATIONS,
        notice=notice,
    )


@router.get("/sessions/{session_id}/scorecard")
async def scorecard(
    page: StaffRequest, session_id: str, done: Annotated[str | None, Query()] = None
) -> HTMLResponse:
    check_id(session_id)
    notice = {"saved": "Draft saved.", "submitted": "Scorecard submitted."}.get(done or "")
    return await _scorecard_page(page, session_id, None, notice)


@router.post("/sessions/{session_id}/scorecard")
async def save_scorecard(page: StaffRequest, session_id: str) -> Response:
    """Ratings come as ``rating-<problem>-<item>`` (positions in the rubric, so no
    criterion text has to survive a field name); ``action`` is ``save`` or ``submit``."""
    check_id(session_id)
    posted = await page.form()
    container = page.container
    rubric = (await run_in_threadpool(container.review.scorecards, session_id)).rubric
    form = ScorecardForm(notes=form_value(posted, "notes"))
    errors: list[str] = []
    if has_control_characters(form.notes):
        errors.append("Notes: control characters are not allowed.")
    for i, problem in enumerate(rubric):
        for j, item in enumerate(problem.items):
            value = form_value(posted, f"rating-{i}-{j}")
            if not value:
                continue
            if value not in {"1", "2", "3", "4"}:
                errors.append(f"{problem.title}, {item.criterion}: a rating is 1 to 4.")
                continue
            form.ratings.setdefault(problem.problem_id, {})[item.criterion] = int(value)
    recommendation = form_value(posted, "recommendation")
    form.recommendation = recommendation or None
    submit = form_value(posted, "action") == "submit"
    status = 422
    if not errors:
        try:
            body = ScorecardIn.model_validate(
                {
                    "ratings": form.ratings,
                    "notes": form.notes,
                    "recommendation": form.recommendation,
                    "submit": submit,
                }
            )
            await run_in_threadpool(
                container.review.save_scorecard, session_id, page.view.principal, body
            )
        except ValidationError as exc:
            errors = messages(exc, {"recommendation": "Recommendation", "notes": "Notes"})
        except ProblemError as exc:
            if not 400 <= exc.status < 500:
                raise
            errors = [exc.detail]
            status = exc.status
    if errors:
        form.errors = errors
        return await _scorecard_page(page, session_id, form, None, status)
    done = "submitted" if submit else "saved"
    return see_other(f"/sessions/{session_id}/scorecard?done={done}")


# ---- the report -------------------------------------------------------------------------------


@router.get("/reports/{session_id}")
async def report(page: StaffRequest, session_id: str) -> HTMLResponse:
    check_id(session_id)
    container = page.container
    found: Report = await run_in_threadpool(container.review.report, session_id)
    if found.session.ended_at is not None:
        _keep_total(datetime.fromisoformat(found.session.ended_at), session_id, found.score.total)
    template = container.problems.bank.templates.get(found.session.template_id or "")
    return page.render(
        "report.html",
        "sessions",
        report=found,
        data=found.model_dump(mode="json"),
        template=template,
        what=template.title
        if template
        else problem_title(container, found.session.problem_id) or "Free workspace",
        bundle=entry("report"),
        titles={
            problem_id: problem_title(container, problem_id)
            for card in found.scorecards
            for problem_id in card.ratings
        },
        csv_url="/api/v1/exports/sessions.csv?"
        + urlencode(
            {"candidate": found.session.candidate_email or found.session.candidate_name or ""}
        ),
    )
