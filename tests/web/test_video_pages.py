"""The video interview pages: who may open them, what they carry, and what they never do.

The staff pages are shells their TypeScript fills from ``/api/v1/video``, so here they
must open only for a signed-in interviewer, carry the page's CSRF token and the elements
the browser tests drive, and turn a malformed address into a readable 404 page. The
candidate's page must work with nothing but the link (the token rides in the fragment),
hold no interview data, and so no rubric keyword; the API behind it answers 404 to a
token of another interview.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlsplit

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from interviewkit.app import Container
from interviewkit.auth.web import SESSION_COOKIE
from interviewkit.web import api as web_api
from interviewkit.web import video
from tests.conftest import Keys, new_session

FIXTURES_OK = [HealthCheck.function_scoped_fixture]
STAFF_PAGES = ["/staff/video", "/staff/video/vid_abc123", "/staff/video/vid_abc123/report"]
STAFF_HOOKS = {
    "/staff/video": [
        "new-video-form",
        "video-title",
        "add-question",
        "question-row",
        "video-rows",
        "video-template",
        "video-template-option",
        "video-template-description",
    ],
    "/staff/video/vid_abc123": ["invite-make", "invite-url", "invite-copy", "video-answers"],
    "/staff/video/vid_abc123/report": [
        "video-report",
        "video-report-answers",
        "video-report-print",
    ],
}
CANDIDATE_HOOKS = ["video-app", "camera", "review", "ready", "record", "stop", "rerecord", "submit"]
CANDIDATE_HOOKS += ["upload-progress", "analysis", "question-text", "video-message", "next"]
BUNDLES = ["video", "video-staff", "video-report", "staff"]


@pytest.fixture
def pages(app: FastAPI) -> FastAPI:
    """The app, which serves the video pages and the video API."""
    return app


@pytest.fixture
def bundle(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A built bundle of our own in place of web/'s (these tests do not depend on npm)."""
    dist = tmp_path / "static" / "dist"
    dist.mkdir(parents=True)
    manifest: dict[str, Any] = {}
    for name in BUNDLES:
        (dist / f"{name}-ABCD1234.js").write_text(f"console.log('{name}')")
        manifest[f"{name}.js"] = f"{name}-ABCD1234.js"
    (dist / "manifest.json").write_text(json.dumps(manifest))
    monkeypatch.setattr(web_api, "STATIC_DIR", dist.parent)
    monkeypatch.setattr(web_api, "DIST_DIR", dist)
    return dist


@pytest.fixture
def staff(pages: FastAPI, container: Container, keys: Keys) -> tuple[TestClient, str]:
    """A signed-in interviewer's browser (the cookie /login sets) and its CSRF token."""
    signed = container.web.sign_in_with_key(keys.interviewer)
    client = TestClient(pages, raise_server_exceptions=False, follow_redirects=False)
    client.cookies.set(SESSION_COOKIE, signed.cookie)
    return client, signed.identity.csrf_token


def hooks(page: str) -> set[str]:
    return set(re.findall(r'data-testid="([^"]+)"', page))


def test_a_signed_out_browser_is_sent_to_sign_in_and_back(pages: FastAPI) -> None:
    anonymous = TestClient(pages, raise_server_exceptions=False, follow_redirects=False)
    for path in STAFF_PAGES:
        answer = anonymous.get(path)
        assert answer.status_code == 303, path
        target = urlsplit(answer.headers["location"])
        assert target.path == "/login"
        assert unquote(parse_qs(target.query)["next"][0]) == path


def test_an_api_key_alone_does_not_open_a_page(pages: FastAPI, keys: Keys) -> None:
    client = TestClient(pages, follow_redirects=False, headers=Keys.bearer(keys.admin))
    assert client.get("/staff/video").status_code == 303


def test_the_staff_pages_open_signed_in_with_their_bundle_token_and_hooks(
    staff: tuple[TestClient, str], bundle: Path
) -> None:
    client, csrf = staff
    for path, expected in STAFF_HOOKS.items():
        page = client.get(path)
        assert page.status_code == 200, (path, page.text[:300])
        assert page.headers["cache-control"] == "no-store"
        assert f'<meta name="csrf-token" content="{csrf}">' in page.text
        assert set(expected) <= hooks(page.text), path
        # the nav names this section, and the page loads its app
        assert re.search(
            r'href="/staff/video" data-testid="nav-video" aria-current="page"', page.text
        )
        app_bundle = "video-report" if path.endswith("/report") else "video-staff"
        assert f"/static/dist/{app_bundle}-ABCD1234.js" in page.text
        assert "This page needs the browser bundle" not in page.text


def test_the_other_staff_pages_link_to_the_video_interviews(staff: tuple[TestClient, str]) -> None:
    client, _ = staff
    page = client.get("/sessions")
    assert page.status_code == 200
    assert 'href="/staff/video" data-testid="nav-video"' in page.text


def test_without_a_build_the_staff_pages_say_how_to_build_it(
    staff: tuple[TestClient, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(web_api, "DIST_DIR", tmp_path / "nothing")
    client, _ = staff
    for path in STAFF_PAGES:
        page = client.get(path)
        assert page.status_code == 200
        assert "make install" in page.text


@pytest.mark.parametrize(
    "path", ["/staff/video/ses_abc", "/staff/video/vid_", "/staff/video/vid_a%20b/report"]
)
def test_an_address_that_names_no_video_interview_is_a_404_page(
    staff: tuple[TestClient, str], path: str
) -> None:
    client, _ = staff
    page = client.get(path)
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert 'data-testid="sign-out"' in page.text  # still inside the staff layout


def test_the_new_interview_form_offers_the_servers_limits(
    staff: tuple[TestClient, str], container: Container
) -> None:
    client, _ = staff
    settings = container.settings
    page = client.get("/staff/video").text
    assert f'data-max-questions="{settings.video_max_questions}"' in page
    assert f'max="{settings.video_max_answer_s}"' in page
    assert f'name="attempts" min="1" max="20" value="{settings.video_max_attempts}"' in page
    # one row shown, one kept as the template the script clones
    assert page.count('data-testid="question-row"') == 2
    assert page.count('name="keywords"') == 2


def test_the_new_interview_form_offers_every_question_template(
    staff: tuple[TestClient, str], container: Container
) -> None:
    """The "start from a template" choice lists each template (ours and the operator's) by
    id, after a blank choice that keeps the rows as typed."""
    client, _ = staff
    page = client.get("/staff/video").text
    select = re.search(r'<select id="video-template".*?</select>', page, re.DOTALL)
    assert select is not None
    values = re.findall(r'<option value="([^"]*)"', select.group(0))
    assert values == ["", *container.video.templates]
    assert {"behavioral-screen", "engineering-manager", "new-grad-intro"} <= set(values)
    for template in container.video.templates.values():
        assert f">{template.title} ({len(template.questions)} questions)<" in select.group(0)


# ---- the candidate's page ---------------------------------------------------------------------


def test_the_candidate_page_opens_with_nothing_but_the_link(pages: FastAPI, bundle: Path) -> None:
    anonymous = TestClient(pages, raise_server_exceptions=False, follow_redirects=False)
    page = anonymous.get("/video/vid_abc123")
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-cache"
    assert set(CANDIDATE_HOOKS) <= hooks(page.text)
    assert 'data-interview-id="vid_abc123"' in page.text
    assert "/static/dist/video-ABCD1234.js" in page.text
    assert "csrf" not in page.text.lower()  # nothing of a staff sign-in


@settings(max_examples=60, deadline=None, suppress_health_check=FIXTURES_OK)
@given(st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=70))
@example("vid_abc")
@example("vid_abc\n")
@example("vid_" + "a" * 61)
@example("../staff/video")
def test_any_candidate_address_is_a_page_or_a_404_page_never_an_error(
    pages: FastAPI, bundle: Path, tail: str
) -> None:
    client = TestClient(pages, raise_server_exceptions=False, follow_redirects=False)

    answer = client.get("/video/" + quote(tail, safe=""))
    assert answer.status_code in {200, 404}, answer.text[:200]
    if re.fullmatch(video.VIDEO_ID, tail):
        assert answer.status_code == 200
    if answer.status_code == 200:
        # the page names exactly a well-formed id (a routing "$" drops one final newline)
        shown = re.search(r'data-interview-id="([^"]*)"', answer.text)
        assert shown is not None
        assert re.fullmatch(video.VIDEO_ID, shown.group(1))
        assert tail in {shown.group(1), shown.group(1) + "\n"}


def test_without_a_build_the_candidate_page_says_how_to_build_it(
    pages: FastAPI, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(web_api, "DIST_DIR", tmp_path / "nothing")
    page = TestClient(pages, raise_server_exceptions=False).get("/video/vid_abc123")
    assert page.status_code == 503
    assert "make install" in page.text


# ---- with the video API behind the pages -------------------------------------------------------


@pytest.fixture
def video_api(pages: FastAPI, keys: Keys) -> TestClient:
    """Staff on the video API."""
    return TestClient(pages, raise_server_exceptions=False, headers=Keys.bearer(keys.interviewer))


def make_interview(client: TestClient, keywords: list[str]) -> dict[str, Any]:
    body = {
        "title": "Behavioural screen",
        "candidate_name": "Ada",
        "questions": [{"text": "Tell me about a hard bug.", "keywords": keywords}],
    }
    made = client.post("/api/v1/video/interviews", json=body)
    assert made.status_code == 201, made.text
    found: dict[str, Any] = made.json()
    return found


def candidate_client(pages: FastAPI, staff: TestClient, interview_id: str) -> TestClient:
    invite = staff.post(f"/api/v1/video/interviews/{interview_id}/invite", json={})
    assert invite.status_code == 201, invite.text
    url = urlsplit(invite.json()["url"])
    assert url.path == f"/video/{interview_id}"
    assert url.fragment.startswith("token=")
    assert "token" not in url.query
    return TestClient(
        pages, raise_server_exceptions=False, headers=Keys.bearer(invite.json()["token"])
    )


def test_no_rubric_keyword_reaches_the_candidate(
    pages: FastAPI, bundle: Path, video_api: TestClient
) -> None:
    keywords = ["zebracorn", "quokkaflux"]
    made = make_interview(video_api, keywords)
    candidate = candidate_client(pages, video_api, made["id"])
    page = candidate.get(f"/video/{made['id']}")
    assert page.status_code == 200
    view = candidate.get(f"/api/v1/video/interviews/{made['id']}/candidate")
    assert view.status_code == 200, view.text
    for keyword in keywords:
        assert keyword not in page.text
        assert keyword not in view.text
    assert "keywords" not in view.text
    assert view.json()["questions"][0]["text"] == "Tell me about a hard bug."
    # staff see them
    assert (
        video_api.get(f"/api/v1/video/interviews/{made['id']}").json()["questions"][0]["keywords"]
        == keywords
    )


def test_a_token_of_another_interview_or_session_opens_nothing(
    pages: FastAPI, video_api: TestClient
) -> None:
    first = make_interview(video_api, [])
    second = make_interview(video_api, [])
    other = candidate_client(pages, video_api, second["id"])
    for path in ["/candidate", "/answers/0"]:
        answer = other.get(f"/api/v1/video/interviews/{first['id']}{path}")
        assert answer.status_code == 404, (path, answer.text)
        assert answer.headers["content-type"].startswith("application/problem+json")
    session = new_session(video_api, problem_id="binary-search")
    room = video_api.post(f"/api/v1/sessions/{session['id']}/invite", json={"ttl_seconds": 600})
    roomer = TestClient(
        pages, raise_server_exceptions=False, headers=Keys.bearer(room.json()["token"])
    )
    assert roomer.get(f"/api/v1/video/interviews/{first['id']}/candidate").status_code == 404
