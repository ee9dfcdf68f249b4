"""The interviewer's server-rendered pages: what a signed-in browser sees and can do.

A browser here is a TestClient holding an ``ik_session`` cookie (as ``/login`` sets it)
and the page's CSRF token, never an API key; the API (with a bearer key) is used only to
set up and to check what the pages did.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx2 import Response  # what starlette's TestClient returns once httpx2 is installed
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from markupsafe import escape

from interviewkit.app import Container
from interviewkit.auth.service import Role
from interviewkit.auth.web import SESSION_COOKIE
from interviewkit.web import staff
from interviewkit.web.staff import SCORES_PER_VIEW
from tests.conftest import Keys, new_session
from tests.execution.conftest import requires_sandbox

PROBLEM = "binary-search"
TEMPLATE = "new-grad-30"
FIXTURES_OK = [HealthCheck.function_scoped_fixture]  # one app per test, not per example


@dataclass
class Browser:
    """A signed-in staff browser: its client (cookie set) and the pages' CSRF token."""

    client: TestClient
    csrf: str

    def get(self, url: str) -> Response:
        return self.client.get(url)

    def post(self, url: str, **fields: str) -> Response:
        return self.client.post(url, data={"csrf_token": self.csrf, **fields})


def sign_in(app: FastAPI, container: Container, secret: str) -> Browser:
    signed = container.web.sign_in_with_key(secret)
    client = TestClient(app, raise_server_exceptions=False, follow_redirects=False)
    client.cookies.set(SESSION_COOKIE, signed.cookie)
    return Browser(client, signed.identity.csrf_token)


@pytest.fixture
def browser(app: FastAPI, container: Container, keys: Keys) -> Browser:
    return sign_in(app, container, keys.interviewer)


@pytest.fixture
def api(app: FastAPI, keys: Keys) -> TestClient:
    return TestClient(app, raise_server_exceptions=False, headers=Keys.bearer(keys.interviewer))


def rows(page: str) -> list[str]:
    """The session ids of a sessions table, in order."""
    return re.findall(r'data-testid="session-row" data-session-id="([^"]+)"', page)


def errors(page: str) -> list[str]:
    return [html.unescape(m) for m in re.findall(r'class="notice error"[^>]*>([^<]*)<', page)]


def create_through_form(browser: Browser, **fields: str) -> str:
    """POST the new-session form; the id of the session it made."""
    answer = browser.post("/sessions", **fields)
    assert answer.status_code == 303, errors(answer.text) or answer.text
    location = answer.headers["location"]
    assert location.endswith("?done=created")
    return location.removeprefix("/sessions/").removesuffix("?done=created")


def invite_link(page: str) -> str:
    found = re.search(r'value="([^"]+)" data-testid="invite-link"', page)
    assert found is not None, "no invite link on the page"
    return html.unescape(found.group(1))


def report_data(page: str) -> Any:
    found = re.search(
        r'<script type="application/json" id="report-data">(.*?)</script>', page, re.S
    )
    assert found is not None
    return json.loads(found.group(1))


# ---- signing in ------------------------------------------------------------------------------


def staff_paths(api: TestClient) -> list[str]:
    session = new_session(api, problem_id=PROBLEM, candidate_name="Ada")["id"]
    free = new_session(api)["id"]  # no problem, no candidate: a free workspace
    return [
        "/sessions",
        f"/sessions/{session}",
        f"/sessions/{session}/scorecard",
        f"/reports/{session}",
        f"/sessions/{free}",
        f"/sessions/{free}/scorecard",
        f"/reports/{free}",
        "/candidates",
        "/problems",
        f"/problems/{PROBLEM}",
        "/templates",
        f"/templates/{TEMPLATE}/compare",
    ]


def test_every_staff_page_opens_for_a_signed_in_interviewer(
    browser: Browser, api: TestClient
) -> None:
    for path in staff_paths(api):
        page = browser.get(path)
        assert page.status_code == 200, (path, page.text[:500])
        assert page.headers["content-type"].startswith("text/html")
        assert page.headers["cache-control"] == "no-store"  # CSRF token, invite links
        assert f'<meta name="csrf-token" content="{browser.csrf}">' in page.text
        assert 'data-testid="sign-out"' in page.text


def test_a_signed_out_browser_is_sent_to_sign_in_and_back(app: FastAPI, api: TestClient) -> None:
    anonymous = TestClient(app, raise_server_exceptions=False, follow_redirects=False)
    for path in [*staff_paths(api), "/sessions?status=active&q=ada"]:
        answer = anonymous.get(path)
        assert answer.status_code == 303, path
        target = urlsplit(answer.headers["location"])
        assert target.path == "/login"
        assert unquote(parse_qs(target.query)["next"][0]) == path


def test_an_api_key_alone_does_not_open_a_page(app: FastAPI, keys: Keys) -> None:
    """Pages ride the browser sign-in; a bearer key is for the API."""
    client = TestClient(
        app, raise_server_exceptions=False, follow_redirects=False, headers=Keys.bearer(keys.admin)
    )
    assert client.get("/sessions").status_code == 303


# ---- CSRF ------------------------------------------------------------------------------------


def test_forms_refuse_a_missing_or_wrong_csrf_token_and_change_nothing(
    browser: Browser, api: TestClient
) -> None:
    session = new_session(api, problem_id=PROBLEM, candidate_name="Ada")["id"]
    posts = {
        "/sessions": {"choice": f"problem:{PROBLEM}", "candidate_name": "Mallory"},
        f"/sessions/{session}/end": {"status": "terminated"},
        f"/sessions/{session}/invite": {},
        f"/sessions/{session}/scorecard": {"notes": "forged", "action": "save"},
    }
    for url, fields in posts.items():
        for token in (None, "not-the-token"):
            data = fields if token is None else {**fields, "csrf_token": token}
            answer = browser.client.post(url, data=data)
            assert answer.status_code == 403, url
            assert answer.headers["content-type"].startswith("text/html")
            assert 'data-testid="error-page"' in answer.text
    assert api.get(f"/api/v1/sessions/{session}").json()["status"] == "active"
    listed = api.get("/api/v1/sessions").json()["items"]
    assert [s["candidate_name"] for s in listed] == ["Ada"]
    assert api.get(f"/api/v1/sessions/{session}/scorecards").json()["scorecards"] == []


# ---- sessions --------------------------------------------------------------------------------


def test_a_session_made_with_the_form_shows_an_invite_link_that_opens_its_room(
    browser: Browser, app: FastAPI, api: TestClient
) -> None:
    session = create_through_form(
        browser,
        choice=f"template:{TEMPLATE}",
        candidate_name="Grace Hopper",
        candidate_email="grace@example.com",
        language="python",
        minutes="20",
    )
    page = browser.get(f"/sessions/{session}?done=created")
    assert page.status_code == 200
    assert "Session created" in page.text
    link = urlsplit(invite_link(page.text))
    assert link.path == f"/room/{session}"
    token = parse_qs(link.fragment)["token"][0]
    candidate = TestClient(app, headers=Keys.bearer(token))
    seen = candidate.get(f"/api/v1/sessions/{session}").json()
    assert seen["candidate_name"] == "Grace Hopper"
    assert seen["time_limit_minutes"] == 20
    assert seen["part_count"] == 2  # the template's parts
    created = api.get(f"/api/v1/sessions/{session}").json()
    assert created["template_id"] == TEMPLATE
    assert created["candidate_email"] == "grace@example.com"


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"choice": ""}, "Choose a template or a problem"),
        ({"choice": "problem:no-such-problem"}, "no-such-problem"),
        ({"choice": f"problem:{PROBLEM}", "candidate_email": "not an email"}, "Candidate email"),
        ({"choice": f"problem:{PROBLEM}", "minutes": "-5"}, "Minutes must be"),
        ({"choice": f"problem:{PROBLEM}", "language": "cobol"}, "cobol"),
    ],
)
def test_a_refused_new_session_form_comes_back_with_the_reason_and_the_values(
    browser: Browser, api: TestClient, fields: dict[str, str], reason: str
) -> None:
    answer = browser.post("/sessions", candidate_name="Keep <me>", **fields)
    assert 400 <= answer.status_code < 500
    assert any(reason in message for message in errors(answer.text)), errors(answer.text)
    assert 'value="Keep &lt;me&gt;"' in answer.text  # typed values survive
    assert 'data-testid="sessions-table"' not in answer.text or rows(answer.text) == []
    assert api.get("/api/v1/sessions").json()["items"] == []


def test_ending_and_terminating_from_the_session_page(browser: Browser, api: TestClient) -> None:
    first = new_session(api, problem_id=PROBLEM, candidate_name="Ada")["id"]
    second = new_session(api, problem_id=PROBLEM, candidate_name="Bob")["id"]
    page = browser.get(f"/sessions/{first}").text
    assert 'data-testid="end-session"' in page
    answer = browser.post(f"/sessions/{first}/end", status="completed")
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/sessions/{first}?done=ended"
    assert browser.post(f"/sessions/{second}/end", status="terminated").status_code == 303
    assert api.get(f"/api/v1/sessions/{first}").json()["status"] == "completed"
    assert api.get(f"/api/v1/sessions/{second}").json()["status"] == "terminated"
    ended = browser.get(f"/sessions/{first}").text
    assert 'data-testid="invite-link"' not in ended  # no invitation into an ended room
    assert 'data-testid="end-session"' not in ended
    # ending twice changes nothing (the API's end is idempotent too)
    assert browser.post(f"/sessions/{first}/end", status="terminated").status_code == 303
    assert api.get(f"/api/v1/sessions/{first}").json()["status"] == "completed"


def test_a_new_invite_link_revokes_the_earlier_ones(
    browser: Browser, app: FastAPI, api: TestClient
) -> None:
    session = new_session(api, problem_id=PROBLEM)["id"]
    before = parse_qs(urlsplit(invite_link(browser.get(f"/sessions/{session}").text)).fragment)
    assert browser.post(f"/sessions/{session}/invite").status_code == 303
    after = parse_qs(urlsplit(invite_link(browser.get(f"/sessions/{session}").text)).fragment)
    old = TestClient(app, raise_server_exceptions=False, headers=Keys.bearer(before["token"][0]))
    new = TestClient(app, raise_server_exceptions=False, headers=Keys.bearer(after["token"][0]))
    assert old.get(f"/api/v1/sessions/{session}").status_code == 401
    assert new.get(f"/api/v1/sessions/{session}").status_code == 200


def test_search_and_filters_narrow_the_sessions_table(browser: Browser, api: TestClient) -> None:
    ada = new_session(api, problem_id=PROBLEM, candidate_name="Ada Lovelace")["id"]
    bob = new_session(
        api, template_id=TEMPLATE, candidate_name="Bob", candidate_email="bob@corp.example"
    )["id"]
    eve = new_session(api, problem_id=PROBLEM, candidate_name="Eve 100%_done")["id"]
    api.delete(f"/api/v1/sessions/{eve}")
    assert rows(browser.get("/sessions").text) == [eve, bob, ada]
    assert rows(browser.get("/sessions?q=lovelace").text) == [ada]
    assert rows(browser.get("/sessions?q=CORP.example").text) == [bob]  # email, any case
    assert rows(browser.get("/sessions?q=100%25_").text) == [eve]  # % and _ are literal
    assert rows(browser.get("/sessions?status=completed").text) == [eve]
    assert rows(browser.get("/sessions?status=active").text) == [bob, ada]
    assert rows(browser.get(f"/sessions?template={TEMPLATE}").text) == [bob]
    assert rows(browser.get("/sessions?from=2000-01-01&to=2999-12-31").text) == [eve, bob, ada]
    assert rows(browser.get("/sessions?from=2999-01-01").text) == []
    assert rows(browser.get("/sessions?to=2000-01-01").text) == []
    empty = browser.get("/sessions?q=nobody").text
    assert 'data-testid="sessions-empty"' in empty
    assert "No session matches" in empty


def test_the_export_link_carries_the_lists_filters(browser: Browser, api: TestClient) -> None:
    new_session(api, problem_id=PROBLEM, candidate_name="Ada")
    new_session(api, template_id=TEMPLATE, candidate_name="Bob")
    page = browser.get(f"/sessions?template={TEMPLATE}&from=2000-01-01").text
    found = re.search(r'href="([^"]+)" data-testid="export-csv"', page)
    assert found is not None
    export = browser.get(html.unescape(found.group(1)))  # the cookie is enough for a GET
    assert export.status_code == 200
    assert export.headers["content-type"].startswith("text/csv")
    assert "Bob" in export.text
    assert "Ada" not in export.text


@pytest.mark.parametrize(
    "path", ["/sessions?q=%00", "/candidates?q=a%00b", "/candidates?external_ref=%1b"]
)
def test_a_search_with_control_characters_is_a_bad_request_page(
    browser: Browser, path: str
) -> None:
    """PostgreSQL cannot compare text holding NUL: refused before any query runs."""
    answer = browser.get(path)
    assert answer.status_code == 400
    assert answer.headers["content-type"].startswith("text/html")


def test_a_bad_filter_is_named_and_the_rest_still_apply(browser: Browser, api: TestClient) -> None:
    ada = new_session(api, problem_id=PROBLEM, candidate_name="Ada")["id"]
    new_session(api, problem_id=PROBLEM, candidate_name="Bob")
    answer = browser.get("/sessions?q=ada&from=yesterday&status=paused")
    assert answer.status_code == 400
    assert rows(answer.text) == [ada]
    found = errors(answer.text)
    assert any(message.startswith("From:") for message in found)
    assert any(message.startswith("Status:") for message in found)


class TestPages:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, Any]:
        return {"staff_page_size": 2}

    def test_pages_of_the_sessions_table_show_each_session_once_in_order(
        self, browser: Browser, api: TestClient
    ) -> None:
        made = [
            new_session(api, problem_id=PROBLEM, candidate_name=f"c{i}")["id"] for i in range(5)
        ]
        seen: list[str] = []
        url: str | None = "/sessions?status=active"
        while url is not None:
            page = browser.get(html.unescape(url)).text
            shown = rows(page)
            assert 1 <= len(shown) <= 2
            seen += shown
            found = re.search(r'href="([^"]+)" data-testid="page-next"', page)
            url = found.group(1) if found else None
            if url is not None:
                assert "status=active" in url  # the filter rides along
        assert seen == made[::-1]

    @pytest.mark.parametrize("cursor", ["garbage", "x" * 600])
    def test_a_malformed_cursor_is_a_bad_request_page(self, browser: Browser, cursor: str) -> None:
        answer = browser.get(f"/sessions?cursor={cursor}")
        assert answer.status_code == 400
        assert 'data-testid="error-page"' in answer.text


# ---- what must never run on a page -----------------------------------------------------------

hostile_names = st.text(
    st.characters(exclude_categories=("Cc", "Cs")), min_size=1, max_size=60
).filter(lambda name: name.strip() != "")


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(name=hostile_names)
@example(name="<script>alert(1)</script>")
@example(name='"><img src=x onerror=alert(1)>')
@example(name="</script><script>alert(1)</script>")
@example(name="{{ 7*7 }}")
def test_a_hostile_candidate_name_is_text_on_every_page(
    browser: Browser, api: TestClient, name: str
) -> None:
    session = new_session(api, problem_id=PROBLEM, candidate_name=name)["id"]
    for path in ("/sessions", f"/sessions/{session}", f"/reports/{session}"):
        page = browser.get(path).text
        assert str(escape(name)) in page, path  # shown, as text
        if "<" in name:
            assert name not in page, path
    report = browser.get(f"/reports/{session}").text
    assert report_data(report)["session"]["candidate_name"] == name  # JSON survives intact
    api.delete(f"/api/v1/sessions/{session}")


LIST_PAGES = ["/sessions", "/candidates", "/problems", f"/templates/{TEMPLATE}/compare"]
any_text = st.text(st.characters(exclude_categories=["Cs"]), max_size=40)


@settings(max_examples=40, deadline=None, suppress_health_check=FIXTURES_OK)
@given(
    path=st.sampled_from(LIST_PAGES),
    params=st.dictionaries(
        st.sampled_from(
            ["q", "status", "template", "from", "to", "cursor", "external_ref", "tag", "pick"]
        ),
        any_text,
        max_size=4,
    ),
)
@example(path="/sessions", params={"q": "\x00", "from": "2024-02-30"})
@example(path="/candidates", params={"cursor": "MjAyNHxzZXNfeA"})
def test_no_query_string_makes_a_list_page_fail(
    browser: Browser, path: str, params: dict[str, str]
) -> None:
    answer = browser.client.get(path, params=params)
    assert answer.status_code < 500, (path, params, answer.text[:300])
    assert answer.headers["content-type"].startswith("text/html")


# ---- errors as pages -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/sessions/ses_doesnotexist",
        "/sessions/ses_doesnotexist/scorecard",
        "/reports/ses_doesnotexist",
        "/sessions/not..an.id",
        "/problems/no-such-problem",
        "/problems/Not_A_Problem",
        "/candidates/can_nobody",
        "/templates/no-such-template/compare",
    ],
)
def test_an_unknown_thing_is_a_not_found_page_in_the_staff_layout(
    browser: Browser, path: str
) -> None:
    page = browser.get(path)
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert 'data-testid="error-page"' in page.text
    assert 'data-testid="sign-out"' in page.text  # still signed in, still navigable


# ---- scorecards ------------------------------------------------------------------------------


def rubric_fields(page: str) -> list[str]:
    return sorted(set(re.findall(r'name="(rating-\d+-\d+)"', page)))


def test_a_scorecard_is_drafted_submitted_then_read_only(
    browser: Browser, api: TestClient, app: FastAPI, container: Container
) -> None:
    session = new_session(api, problem_id=PROBLEM, candidate_name="Ada")["id"]
    page = browser.get(f"/sessions/{session}/scorecard").text
    assert 'data-testid="scorecard-form"' in page
    fields = rubric_fields(page)
    assert fields == ["rating-0-0", "rating-0-1", "rating-0-2", "rating-0-3"]  # 4 criteria

    saved = browser.post(
        f"/sessions/{session}/scorecard", **{fields[0]: "3"}, notes="Solid", action="save"
    )
    assert saved.status_code == 303
    draft = browser.get(f"/sessions/{session}/scorecard").text
    assert 'name="rating-0-0" value="3" checked' in draft
    assert ">Solid</textarea>" in draft

    refused = browser.post(f"/sessions/{session}/scorecard", notes="Solid", action="submit")
    assert refused.status_code == 422
    assert any("recommendation" in message for message in errors(refused.text))
    assert ">Solid</textarea>" in refused.text  # what was typed is not lost

    submitted = browser.post(
        f"/sessions/{session}/scorecard",
        **dict.fromkeys(fields, "4"),
        notes="Hire",
        recommendation="strong_yes",
        action="submit",
    )
    assert submitted.status_code == 303
    final = browser.get(f"/sessions/{session}/scorecard").text
    assert 'data-testid="scorecard-submit"' not in final
    assert 'value="4" checked disabled' in final
    cards = api.get(f"/api/v1/sessions/{session}/scorecards").json()["scorecards"]
    assert [(c["status"], c["recommendation"], c["rubric_score"]) for c in cards] == [
        ("submitted", "strong_yes", 100.0)
    ]
    again = browser.post(f"/sessions/{session}/scorecard", notes="changed", action="save")
    assert again.status_code == 409

    # a second interviewer sees the first one's submitted card, and has a blank form
    _, other_key = container.auth.create_key("Second Interviewer", Role.interviewer)
    other = sign_in(app, container, other_key)
    theirs = other.get(f"/sessions/{session}/scorecard").text
    assert 'data-testid="other-scorecard"' in theirs
    assert "Hire" in theirs
    assert 'data-testid="scorecard-submit"' in theirs
    assert " checked" not in theirs.split('data-testid="scorecard-form"')[1].split("</form>")[0]


def test_a_rating_out_of_range_is_refused(browser: Browser, api: TestClient) -> None:
    session = new_session(api, problem_id=PROBLEM)["id"]
    answer = browser.post(f"/sessions/{session}/scorecard", **{"rating-0-0": "9"}, action="save")
    assert answer.status_code == 422
    assert any("1 to 4" in message for message in errors(answer.text))


def test_notes_keep_line_breaks_and_refuse_control_characters(
    browser: Browser, api: TestClient
) -> None:
    session = new_session(api, problem_id=PROBLEM)["id"]
    refused = browser.post(f"/sessions/{session}/scorecard", notes="a\x00b", action="save")
    assert refused.status_code == 422
    assert api.get(f"/api/v1/sessions/{session}/scorecards").json()["scorecards"] == []
    saved = browser.post(f"/sessions/{session}/scorecard", notes="one\r\n\ttwo", action="save")
    assert saved.status_code == 303
    cards = api.get(f"/api/v1/sessions/{session}/scorecards").json()["scorecards"]
    assert cards[0]["notes"].splitlines() == ["one", "\ttwo"]


# ---- the report, candidates, the bank, compare -----------------------------------------------


def test_the_report_page_embeds_the_api_report_and_the_chart_places(
    browser: Browser, api: TestClient
) -> None:
    session = new_session(api, problem_id=PROBLEM, candidate_name="Ada")["id"]
    api.delete(f"/api/v1/sessions/{session}")
    page = browser.get(f"/reports/{session}").text
    for hook in ('data-testid="report"', 'data-testid="report-print"', 'id="chart-activity"'):
        assert hook in page
    assert 'id="chart-tests"' in page
    assert f'href="/api/v1/sessions/{session}/report"' in page
    assert "/api/v1/exports/sessions.csv?" in page
    assert report_data(page) == api.get(f"/api/v1/sessions/{session}/report").json()


def _list_row(browser: Browser, session: str) -> str:
    return browser.get("/sessions").text.split(f'data-session-id="{session}"')[1].split("</tr>")[0]


@requires_sandbox
def test_the_sessions_list_shows_an_ended_sessions_score(browser: Browser, api: TestClient) -> None:
    session = new_session(api, problem_id=PROBLEM, candidate_name="Ada")["id"]
    body = {"file": "solution.py", "mode": "submit"}
    ran = api.post(f"/api/v1/sessions/{session}/execute", json=body)
    assert ran.status_code == 200, ran.text
    api.delete(f"/api/v1/sessions/{session}")
    total = api.get(f"/api/v1/sessions/{session}/report").json()["score"]["total"]
    row = _list_row(browser, session)
    assert f">{total:.0f}</span>" in row
    assert f'href="/reports/{session}"' in row


def test_a_session_ended_before_any_run_shows_no_score_rather_than_a_zero(
    browser: Browser, api: TestClient
) -> None:
    session = new_session(api, problem_id=PROBLEM, candidate_name="Ada")["id"]
    api.delete(f"/api/v1/sessions/{session}")
    row = _list_row(browser, session)
    assert '<td class="num"><span class="muted">—</span></td>' in row


def test_the_list_computes_a_few_scores_per_view_and_fills_in_the_rest(
    browser: Browser, api: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(staff, "SETTLED", timedelta(0))  # as if they ended long ago
    count = SCORES_PER_VIEW + 2
    ended = [new_session(api, problem_id=PROBLEM)["id"] for _ in range(count)]
    for session in ended:
        api.delete(f"/api/v1/sessions/{session}")
    pending = 'title="Not computed yet'
    assert browser.get("/sessions").text.count(pending) == 2
    assert browser.get("/sessions").text.count(pending) == 0


def test_a_just_ended_sessions_total_is_not_frozen_before_it_settles(
    browser: Browser, api: TestClient
) -> None:
    """A run in flight at the end can still land: the list recomputes until it settles."""
    ended = [new_session(api, problem_id=PROBLEM)["id"] for _ in range(SCORES_PER_VIEW + 1)]
    for session in ended:
        api.delete(f"/api/v1/sessions/{session}")
    pending = 'title="Not computed yet'
    assert browser.get("/sessions").text.count(pending) == 1
    assert browser.get("/sessions").text.count(pending) == 1


def test_candidates_are_searchable_and_show_their_sessions(
    browser: Browser, api: TestClient
) -> None:
    made = {}
    for name, email, ref in [
        ("Ada Lovelace", "ada@example.com", "ats-1"),
        ("Bob <b>", "bob@example.com", "ats-2"),
    ]:
        answer = api.post(
            "/api/v1/candidates", json={"name": name, "email": email, "external_ref": ref}
        )
        assert answer.status_code == 201
        made[name] = answer.json()["id"]
    session = new_session(api, problem_id=PROBLEM, candidate_email="ADA@example.com")["id"]
    listing = browser.get("/candidates").text
    assert 'data-testid="candidates-table"' in listing
    assert listing.count('data-testid="candidate-row"') == 2
    assert "Bob &lt;b&gt;" in listing
    assert browser.get("/candidates?q=lovelace").text.count('data-testid="candidate-row"') == 1
    by_ref = browser.get("/candidates?external_ref=ats-2").text
    assert by_ref.count('data-testid="candidate-row"') == 1
    assert made["Bob <b>"] in by_ref
    page = browser.get(f"/candidates/{made['Ada Lovelace']}").text
    assert f'href="/sessions/{session}"' in page  # by email, in any case


def test_the_problem_bank_lists_every_problem_and_hides_references_until_asked(
    browser: Browser, container: Container
) -> None:
    listing = browser.get("/problems").text
    assert 'data-testid="problems-table"' in listing
    assert listing.count('data-testid="problem-row"') == len(container.problems.bank.problems)
    easy = browser.get("/problems?difficulty=easy").text.count('data-testid="problem-row"')
    assert 0 < easy < len(container.problems.bank.problems)
    problem = container.problems.bank.problems[PROBLEM]
    page = browser.get(f"/problems/{PROBLEM}").text
    assert "<strong>distinct</strong>" in page  # the statement's Markdown, rendered
    assert f"{len(problem.hidden_tests)} hidden" in page
    reference = html.escape(problem.solutions["python"], quote=False).splitlines()[0]
    before, _, after = page.partition(reference)
    assert after, "the reference solution is on the page"
    assert before.rfind("<details") > before.rfind("</details>")  # inside a closed <details>


def test_compare_shows_the_templates_ended_sessions_side_by_side(
    browser: Browser, api: TestClient
) -> None:
    ended = [
        new_session(api, template_id=TEMPLATE, candidate_name=name)["id"] for name in ("A", "B")
    ]
    running = new_session(api, template_id=TEMPLATE, candidate_name="C")["id"]
    for session in ended:
        api.delete(f"/api/v1/sessions/{session}")
    page = browser.get(f"/templates/{TEMPLATE}/compare").text
    assert page.count('data-testid="compare-row"') == 2
    assert running not in page
    picked = browser.get(f"/templates/{TEMPLATE}/compare?pick={ended[0]}").text
    assert picked.count('data-testid="compare-row"') == 1
    templates = browser.get("/templates").text
    assert f'href="/templates/{TEMPLATE}/compare"' in templates
