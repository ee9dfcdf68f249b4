"""The interviewer's directory pages: candidates, the problem bank, templates and the
comparison of a template's candidates. Thin routes over the problems and review services,
rendered with :mod:`.rendering` like the pages of :mod:`.staff`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from interviewkit.problems.bank import PROBLEM_ID, Problem, Template
from interviewkit.review.service import COMPARE_MAX
from interviewkit.sessions.models import InterviewSession
from interviewkit.sessions.schemas import SafeText
from interviewkit.web.rendering import PageRoute, StaffRequest, check_id
from interviewkit.web.staff import problem_title, session_rows

if TYPE_CHECKING:
    from interviewkit.app import Container

router = APIRouter(include_in_schema=False, route_class=PageRoute)


# ---- candidates -------------------------------------------------------------------------------


@router.get("/candidates")
async def candidates_list(
    page: StaffRequest,
    q: Annotated[SafeText | None, Query(max_length=200)] = None,
    external_ref: Annotated[SafeText | None, Query(max_length=200)] = None,
    cursor: Annotated[str | None, Query(max_length=512)] = None,
) -> HTMLResponse:
    container = page.container
    q = (q or "").strip() or None
    external_ref = (external_ref or "").strip() or None
    rows, next_cursor = await run_in_threadpool(
        lambda: container.problems.list_candidates(
            q=q,
            external_ref=external_ref,
            limit=container.settings.staff_page_size,
            cursor=cursor,
        )
    )
    query = {"q": q, "external_ref": external_ref}

    def link(**extra: str) -> str:
        values = {name: value for name, value in {**query, **extra}.items() if value}
        return f"/candidates?{urlencode(values)}"

    return page.render(
        "candidates.html",
        "candidates",
        rows=rows,
        q=q or "",
        external_ref=external_ref or "",
        searching=bool(q or external_ref),
        next_url=link(cursor=next_cursor) if next_cursor else None,
        first_url=link(),
        on_first_page=not cursor,
    )


@router.get("/candidates/{candidate_id}")
async def candidate_page(page: StaffRequest, candidate_id: str) -> HTMLResponse:
    check_id(candidate_id)
    container = page.container

    def load() -> tuple[Any, list[InterviewSession], list[Any]]:
        candidate = container.problems.candidate(candidate_id)
        sessions, attempts = container.problems.candidate_sessions(candidate_id)
        return candidate, sessions, attempts

    candidate, sessions, attempts = await run_in_threadpool(load)
    rows = await run_in_threadpool(session_rows, container, sessions)
    return page.render(
        "candidate.html",
        "candidates",
        candidate=candidate,
        rows=rows,
        attempts=attempts,
        titles={a.problem_id: problem_title(container, a.problem_id) for a in attempts},
    )


# ---- the problem bank and templates -------------------------------------------------------------


@router.get("/problems")
async def problems_list(
    page: StaffRequest,
    difficulty: Annotated[str | None, Query()] = None,
    tag: Annotated[str | None, Query(max_length=50)] = None,
) -> HTMLResponse:
    bank = page.container.problems.bank
    difficulty = difficulty if difficulty in {"easy", "medium", "hard"} else None
    tag = tag if tag in bank.tags else None
    order = {"easy": 0, "medium": 1, "hard": 2}
    shown = sorted(
        (
            p
            for p in bank.problems.values()
            if (difficulty is None or p.difficulty == difficulty) and (tag is None or tag in p.tags)
        ),
        key=lambda p: (order[p.difficulty], p.title.lower()),
    )
    return page.render(
        "problems.html",
        "problems",
        problems=shown,
        difficulty=difficulty or "",
        tag=tag or "",
        tags=bank.tags,
        total=len(bank.problems),
    )


@router.get("/problems/{problem_id}")
async def problem_detail(page: StaffRequest, problem_id: str) -> HTMLResponse:
    check_id(problem_id, PROBLEM_ID)
    container = page.container
    problem: Problem = await run_in_threadpool(container.problems.problem, problem_id)
    used_by = [
        t
        for t in container.problems.bank.templates.values()
        if any(part.problem == problem_id for part in t.parts)
    ]
    return page.render("bank_problem.html", "problems", problem=problem, used_by=used_by)


def _part_text(container: Container, template: Template) -> list[str]:
    """Each part in words: its problem, or what a problem is drawn by."""
    described = []
    for part in template.parts:
        if part.problem is not None:
            what = problem_title(container, part.problem) or part.problem
        else:
            tags = f" ({', '.join(part.tags)})" if part.tags else ""
            what = f"a random {part.difficulty} problem{tags}"
        described.append(f"{part.label}: {what}, {part.minutes} min")
    return described


@router.get("/templates")
async def templates_list(page: StaffRequest) -> HTMLResponse:
    container = page.container
    templates = sorted(container.problems.bank.templates.values(), key=lambda t: t.title.lower())
    return page.render(
        "templates.html",
        "templates",
        templates=templates,
        parts={t.id: _part_text(container, t) for t in templates},
    )


@router.get("/templates/{template_id}/compare")
async def compare(
    page: StaffRequest,
    template_id: str,
    sessions: Annotated[str | None, Query(max_length=COMPARE_MAX * 40)] = None,
    pick: Annotated[list[str] | None, Query(max_length=COMPARE_MAX * 4)] = None,
) -> HTMLResponse:
    """The template's latest ended sessions side by side, or the ones named: by
    ``sessions`` (comma-separated ids, as the API takes them) or by the ticked rows
    (``pick``, what the page's own form sends)."""
    check_id(template_id, PROBLEM_ID)
    container = page.container
    template = container.problems.template(template_id)
    named = [s.strip() for s in (sessions or "").split(",")] + list(pick or [])
    chosen = list(dict.fromkeys(s for s in named if s)) or None
    for session_id in chosen or []:
        check_id(session_id)
    found = await run_in_threadpool(container.review.compare, template_id, chosen)
    return page.render(
        "compare.html",
        "templates",
        template=template,
        compare=found,
        chosen=chosen,
        max_rows=COMPARE_MAX,
    )
