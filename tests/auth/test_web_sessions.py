"""Staff browser sign-in: the session cookie, CSRF, expiry, sign-out, revocation, login
links, the ``next`` redirect, and the staff pages' dependency."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
from fastapi import FastAPI, Request
from fastapi.responses import PlainTextResponse
from fastapi.testclient import TestClient
from hypothesis import example, given
from hypothesis import strategies as st
from sqlalchemy import text
from typer.testing import CliRunner

from interviewkit.app import Container
from interviewkit.auth.service import Role
from interviewkit.auth.web import SESSION_COOKIE
from interviewkit.cli import app as cli_app
from interviewkit.web.signin import DEFAULT_NEXT, LOGIN_COOKIE, StaffPage, safe_next, verify_csrf
from tests.auth.helpers import Browser, browser, form_token, sign_in
from tests.conftest import Keys, assert_problem, new_session

UNSAFE = ["POST", "PUT", "PATCH", "DELETE"]


def set_cookies(response: Any) -> dict[str, SimpleCookie]:
    """Each Set-Cookie of ``response`` parsed, by cookie name."""
    found: dict[str, SimpleCookie] = {}
    for header in response.headers.get_list("set-cookie"):
        parsed: SimpleCookie = SimpleCookie()
        parsed.load(header)
        for name in parsed:
            found[name] = parsed
    return found


@pytest.fixture
def signed_in(app: FastAPI, keys: Keys) -> Browser:
    return browser(app, keys.interviewer)


@pytest.fixture
def clock(container: Container) -> Iterator[list[timedelta]]:
    """Move the sign-in service's clock by appending to the returned list."""
    web = container.web
    real = web.clock
    shift: list[timedelta] = []
    web.clock = lambda: real() + sum(shift, timedelta())
    yield shift
    web.clock = real


# ---- the cookie ---------------------------------------------------------------------------


def test_signing_in_sets_an_httponly_samesite_lax_cookie_and_redirects(
    app: FastAPI, keys: Keys
) -> None:
    client = TestClient(app, follow_redirects=False)
    response = sign_in(client, keys.interviewer, "/sessions/ses_abc?tab=report")

    assert response.status_code == 303
    assert response.headers["location"] == "/sessions/ses_abc?tab=report"
    cookie = set_cookies(response)[SESSION_COOKIE][SESSION_COOKIE]
    assert cookie["httponly"] is True
    assert cookie["samesite"].lower() == "lax"
    assert cookie["path"] == "/"
    assert not cookie["secure"]  # plain http: a Secure cookie would never come back
    assert keys.interviewer not in response.headers.get("set-cookie", "")


def test_the_cookie_is_secure_over_https(app: FastAPI, keys: Keys) -> None:
    client = TestClient(app, base_url="https://testserver", follow_redirects=False)
    response = sign_in(client, keys.interviewer)
    assert set_cookies(response)[SESSION_COOKIE][SESSION_COOKIE]["secure"] is True


@pytest.mark.parametrize("settings_overrides", [{"public_url": "https://ik.example"}])
def test_the_cookie_is_secure_when_the_public_url_is_https(app: FastAPI, keys: Keys) -> None:
    """Behind a TLS-terminating proxy the app sees http; the public URL says https."""
    client = TestClient(app, follow_redirects=False)
    token = form_token(client.get("/login").text)
    client.cookies.set(LOGIN_COOKIE, token)  # the browser, on https, sends it back
    response = client.post("/login", data={"key": keys.interviewer, "csrf_token": token})
    assert response.status_code == 303, response.text
    assert set_cookies(response)[SESSION_COOKIE][SESSION_COOKIE]["secure"] is True


def test_only_a_hash_of_the_cookie_is_stored(container: Container, signed_in: Browser) -> None:
    with container.engine.connect() as connection:
        rows = connection.execute(text("SELECT token_hash, csrf_token FROM web_sessions")).all()
    assert len(rows) == 1
    assert signed_in.cookie not in {rows[0][0], rows[0][1]}


# ---- the login form -----------------------------------------------------------------------


def test_a_wrong_key_answers_the_form_again_with_401_and_a_message(
    app: FastAPI, keys: Keys
) -> None:
    client = TestClient(app, raise_server_exceptions=False, follow_redirects=False)
    for wrong in ["ik_" + "x" * 43, "not a key", "", keys.interviewer + "x"]:
        response = sign_in(client, wrong)
        assert response.status_code == 401, response.text
        assert 'data-testid="login-error"' in response.text
        assert 'data-testid="login-form"' in response.text
        assert SESSION_COOKIE not in set_cookies(response)


def test_a_login_post_without_the_forms_token_is_refused(app: FastAPI, keys: Keys) -> None:
    """Login CSRF: another site must not sign a visitor into an account of its choosing."""
    client = TestClient(app, raise_server_exceptions=False, follow_redirects=False)
    client.get("/login")
    forged = client.post("/login", data={"key": keys.interviewer, "csrf_token": "guess"})
    assert forged.status_code == 403
    assert SESSION_COOKIE not in set_cookies(forged)
    fresh = TestClient(app, raise_server_exceptions=False, follow_redirects=False)
    no_cookie = fresh.post("/login", data={"key": keys.interviewer, "csrf_token": "x" * 43})
    assert no_cookie.status_code == 403


def test_login_attempts_are_rate_limited_per_address(app: FastAPI) -> None:
    client = TestClient(app, raise_server_exceptions=False, follow_redirects=False)
    token = form_token(client.get("/login").text)
    statuses = [
        client.post("/login", data={"key": "ik_wrong", "csrf_token": token}).status_code
        for _ in range(12)
    ]
    assert statuses[0] == 401
    assert statuses[-1] == 429
    limited = client.post("/login", data={"key": "ik_wrong", "csrf_token": token})
    assert int(limited.headers["retry-after"]) >= 1
    assert 'data-testid="login-error"' in limited.text


def test_a_signed_in_browser_opening_login_goes_on(signed_in: Browser) -> None:
    response = signed_in.client.get("/login", params={"next": "/candidates"})
    assert response.status_code == 303
    assert response.headers["location"] == "/candidates"


# ---- CSRF on the API ----------------------------------------------------------------------


@pytest.fixture
def session_id(app: FastAPI, keys: Keys) -> str:
    staff = TestClient(app, headers=Keys.bearer(keys.interviewer))
    created: str = new_session(staff, files=[{"path": "/a.py", "content": "x = 1\n"}])["id"]
    return created


def _unsafe_call(method: str, session_id: str) -> tuple[str, dict[str, Any]]:
    calls: dict[str, tuple[str, dict[str, Any]]] = {
        "POST": ("/api/v1/sessions", {"json": {}}),
        "PUT": (f"/api/v1/sessions/{session_id}/files/a.py", {"json": {"content": "y\n"}}),
        "PATCH": (f"/api/v1/sessions/{session_id}", {"json": {"candidate_name": "Bo"}}),
        "DELETE": (f"/api/v1/sessions/{session_id}/files/a.py", {}),
    }
    return calls[method]


@pytest.mark.parametrize("method", UNSAFE)
@pytest.mark.parametrize("sent", [None, "wrong-token", ""])
def test_a_cookie_call_that_changes_state_needs_the_csrf_token(
    signed_in: Browser, session_id: str, method: str, sent: str | None
) -> None:
    url, body = _unsafe_call(method, session_id)
    headers = {} if sent is None else {"X-CSRF-Token": sent}
    response = signed_in.client.request(method, url, headers=headers, **body)
    assert_problem(response, 403, "csrf_failed")
    still = signed_in.client.get(f"/api/v1/sessions/{session_id}/files/a.py")
    assert still.status_code == 200, still.text  # nothing was changed or deleted


@pytest.mark.parametrize("method", UNSAFE)
def test_a_cookie_call_with_the_csrf_token_works(
    signed_in: Browser, session_id: str, method: str
) -> None:
    url, body = _unsafe_call(method, session_id)
    response = signed_in.client.request(
        method, url, headers={"X-CSRF-Token": signed_in.csrf}, **body
    )
    assert response.status_code < 300, response.text


def test_a_cookie_read_needs_no_csrf_token(signed_in: Browser, session_id: str) -> None:
    response = signed_in.client.get(f"/api/v1/sessions/{session_id}")
    assert response.status_code == 200
    assert response.json()["id"] == session_id


def test_a_bearer_key_never_needs_a_csrf_token(app: FastAPI, keys: Keys) -> None:
    client = TestClient(app, headers=Keys.bearer(keys.interviewer))
    assert client.post("/api/v1/sessions", json={}).status_code == 201


def test_a_cookie_principal_is_the_keys_role(app: FastAPI, keys: Keys) -> None:
    """An interviewer's sign-in cannot do what only an admin's key may."""
    interviewer = browser(app, keys.interviewer)
    refused = interviewer.client.get("/api/v1/keys")
    assert_problem(refused, 403, "forbidden")
    admin = browser(app, keys.admin)
    assert admin.client.get("/api/v1/keys").status_code == 200


# ---- how a session ends ---------------------------------------------------------------------


def test_a_session_expires_after_web_session_minutes(
    container: Container, signed_in: Browser, clock: list[timedelta]
) -> None:
    assert signed_in.client.get("/api/v1/sessions").status_code == 200
    clock.append(timedelta(minutes=container.settings.web_session_minutes - 1))
    assert signed_in.client.get("/api/v1/sessions").status_code == 200
    clock.append(timedelta(minutes=2))
    assert_problem(signed_in.client.get("/api/v1/sessions"), 401, "unauthenticated")


def test_signing_out_ends_the_session_and_clears_the_cookie(signed_in: Browser) -> None:
    stolen = signed_in.cookie
    out = signed_in.client.post("/logout", data={"csrf_token": signed_in.csrf})
    assert out.status_code == 303
    assert out.headers["location"] == "/login"
    cleared = set_cookies(out)[SESSION_COOKIE][SESSION_COOKIE]
    assert cleared.value == "" or cleared["max-age"] == "0"
    replay = TestClient(signed_in.client.app, raise_server_exceptions=False)
    replay.cookies.set(SESSION_COOKIE, stolen)
    assert_problem(replay.get("/api/v1/sessions"), 401, "unauthenticated")


def test_signing_out_needs_the_csrf_token(signed_in: Browser) -> None:
    """Otherwise any site could sign an interviewer out mid-interview."""
    assert_problem(
        signed_in.client.post("/logout", data={"csrf_token": "nope"}), 403, "csrf_failed"
    )
    assert signed_in.client.get("/api/v1/sessions").status_code == 200


def test_revoking_the_key_ends_its_browser_sessions(
    app: FastAPI, container: Container, keys: Keys
) -> None:
    key, secret = container.auth.create_key("leaving", Role.interviewer)
    signed = browser(app, secret)
    assert signed.client.get("/api/v1/sessions").status_code == 200
    admin = TestClient(app, headers=Keys.bearer(keys.admin))
    assert admin.delete(f"/api/v1/keys/{key.id}").status_code == 200
    assert_problem(signed.client.get("/api/v1/sessions"), 401, "unauthenticated")
    again = sign_in(TestClient(app, follow_redirects=False), secret)
    assert again.status_code == 401


# ---- login links ----------------------------------------------------------------------------


def _key_id(container: Container, name: str) -> str:
    return next(key.id for key in container.auth.list_keys() if key.name == name)


def use_link(app: FastAPI, token: str) -> Any:
    client = TestClient(app, raise_server_exceptions=False, follow_redirects=False)
    page = client.get("/login/link")
    assert page.status_code == 200
    assert token not in page.text
    response = client.post(
        "/login/link", data={"token": token, "csrf_token": form_token(page.text)}
    )
    response.client = client  # type: ignore[attr-defined]
    return response


def test_a_login_link_signs_in_once(app: FastAPI, container: Container, keys: Keys) -> None:
    token, _ = container.web.make_link(_key_id(container, "test interviewer"))

    first = use_link(app, token)
    assert first.status_code == 303, first.text
    assert first.headers["location"] == DEFAULT_NEXT
    client: TestClient = first.client
    me = client.get("/api/v1/sessions")
    assert me.status_code == 200

    second = use_link(app, token)
    assert second.status_code == 401
    assert "already used" in second.text
    assert 'data-testid="login-error"' in second.text
    assert SESSION_COOKIE not in set_cookies(second)


def test_a_login_link_survives_its_sessions_sign_out(
    app: FastAPI, container: Container, keys: Keys
) -> None:
    """Signing out does not make a spent link usable again."""
    token, _ = container.web.make_link(_key_id(container, "test interviewer"))
    first = use_link(app, token)
    client: TestClient = first.client
    csrf = container.web.lookup(client.cookies[SESSION_COOKIE])
    assert csrf is not None
    client.post("/logout", data={"csrf_token": csrf.csrf_token})
    assert use_link(app, token).status_code == 401


def test_a_login_link_expires(
    app: FastAPI, container: Container, keys: Keys, clock: list[timedelta]
) -> None:
    token, _expires = container.web.make_link(_key_id(container, "test interviewer"), minutes=5)
    clock.append(timedelta(minutes=5, seconds=1))
    response = use_link(app, token)
    assert response.status_code == 401
    assert "expired" in response.text


def test_a_revoked_keys_login_link_fails(app: FastAPI, container: Container, keys: Keys) -> None:
    key, _ = container.auth.create_key("leaving", Role.interviewer)
    token, _ = container.web.make_link(key.id)
    container.auth.revoke_key(key.id)
    response = use_link(app, token)
    assert response.status_code == 401
    assert "revoked" in response.text


@pytest.mark.parametrize("mangle", ["swap_key", "longer", "truncate", "garbage"])
def test_a_tampered_login_link_fails(
    app: FastAPI, container: Container, keys: Keys, mangle: str
) -> None:
    token, _ = container.web.make_link(_key_id(container, "test interviewer"))
    key_id, expires, nonce, mac = token.split(".")
    admin_id = _key_id(container, "test admin")
    forged = {
        "swap_key": f"{admin_id}.{expires}.{nonce}.{mac}",
        "longer": f"{key_id}.{int(expires) + 86400}.{nonce}.{mac}",
        "truncate": f"{key_id}.{expires}.{nonce}",
        "garbage": "x" * 40,
    }[mangle]
    response = use_link(app, forged)
    assert response.status_code == 401
    assert SESSION_COOKIE not in set_cookies(response)


def test_the_cli_prints_a_link_whose_token_is_in_the_fragment(
    app: FastAPI, container: Container, keys: Keys
) -> None:
    key_id = _key_id(container, "test interviewer")
    settings = container.settings
    result = CliRunner().invoke(
        cli_app,
        [
            "--data-dir",
            str(settings.data_dir),
            *(["--database-url", settings.database_url] if settings.database_url else []),
            "keys",
            "login-link",
            key_id,
            "--minutes",
            "3",
        ],
        env={"INTERVIEWKIT_SECRET_KEY": settings.effective_secret_key},
    )
    assert result.exit_code == 0, (result.stdout, result.stderr)
    url = result.stdout.strip().splitlines()[-1]
    parts = urlsplit(url)
    assert url.startswith(f"{settings.effective_public_url}/login/link#")
    assert parts.path == "/login/link"
    assert not parts.query
    response = use_link(app, parts.fragment)
    assert response.status_code == 303, response.text


def test_the_cli_refuses_a_link_for_an_unknown_key(container: Container) -> None:
    settings = container.settings
    result = CliRunner().invoke(
        cli_app,
        [
            "--data-dir",
            str(settings.data_dir),
            *(["--database-url", settings.database_url] if settings.database_url else []),
            "keys",
            "login-link",
            "key_doesnotexist",
        ],
    )
    assert result.exit_code == 1
    assert "key_doesnotexist" in result.stderr


def test_the_link_page_reads_the_fragment_with_an_inline_script(app: FastAPI) -> None:
    """The token never reaches the server in a URL (so never its access log): the page's
    own script (allowed by the CSP by hash) posts it."""
    page = TestClient(app).get("/login/link")
    assert "location.hash" in page.text
    assert "'sha256-" in page.headers["content-security-policy"]


# ---- next= ----------------------------------------------------------------------------------

HOSTILE_NEXT = [
    "//evil.example/",
    "///evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "https://evil.example/",
    "javascript:alert(1)",
    "/\t/evil.example",
    "/\n/evil.example",
    " //evil.example",
    "http:/evil.example",
    "evil.example",
    "",
]


@given(st.text(max_size=60) | st.sampled_from(HOSTILE_NEXT).map(lambda s: s + "x"))
@example("//evil.example")
@example("/\\evil.example")
@example("/%2F%2Fevil.example")
def test_next_never_leaves_the_server(value: str) -> None:
    """Whatever ``next`` holds, a browser resolving the redirect stays on this host."""
    target = safe_next(value)
    assert target in (value, DEFAULT_NEXT)
    resolved = urlsplit(urljoin("https://ik.example/login", target))
    assert resolved.scheme == "https"
    assert resolved.netloc == "ik.example"
    assert target.startswith("/")
    assert not target.startswith("//")
    assert "\\" not in target
    assert not any(ord(c) < 0x21 for c in target)


@pytest.mark.parametrize("hostile", HOSTILE_NEXT)
def test_login_never_redirects_off_site(app: FastAPI, keys: Keys, hostile: str) -> None:
    client = TestClient(app, follow_redirects=False)
    assert sign_in(client, keys.interviewer, hostile).headers["location"] == DEFAULT_NEXT


def test_a_local_next_with_a_query_is_kept(app: FastAPI, keys: Keys) -> None:
    client = TestClient(app, follow_redirects=False)
    location = sign_in(client, keys.interviewer, "/sessions?status=active&q=a%20b")
    assert location.headers["location"] == "/sessions?status=active&q=a%20b"


# ---- StaffPage and verify_csrf --------------------------------------------------------------


@pytest.fixture
def paged(app: FastAPI) -> FastAPI:
    """The app with a staff page and a staff form, built like C's and D's pages."""

    @app.get("/probe/page")
    def page(staff: StaffPage) -> PlainTextResponse:
        return PlainTextResponse(f"{staff.name}|{staff.role}|{staff.key_id}|{staff.csrf_token}")

    @app.post("/probe/form")
    async def form(request: Request, staff: StaffPage) -> PlainTextResponse:
        await verify_csrf(request, staff)
        return PlainTextResponse("changed")

    return app


def test_a_staff_page_sends_a_signed_out_browser_to_login(paged: FastAPI) -> None:
    client = TestClient(paged, follow_redirects=False)
    response = client.get("/probe/page", params={"tab": "x y"})
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/probe/page%3Ftab%3Dx%2By"
    # and signing in from there comes back to the page
    page = client.get(response.headers["location"])
    assert 'name="next" value="/probe/page?tab=x+y"' in page.text


def test_a_staff_page_sees_who_signed_in(paged: FastAPI, keys: Keys) -> None:
    signed = browser(paged, keys.interviewer)
    name, role, key_id, csrf = signed.client.get("/probe/page").text.split("|")
    assert (name, role, csrf) == ("test interviewer", "interviewer", signed.csrf)
    assert key_id.startswith("key_")


def test_a_staff_page_is_not_opened_by_a_bearer_key(paged: FastAPI, keys: Keys) -> None:
    """Pages are for browsers: the key's owner signs in once, then uses the cookie."""
    client = TestClient(paged, follow_redirects=False, headers=Keys.bearer(keys.interviewer))
    assert client.get("/probe/page").status_code == 303


@pytest.mark.parametrize("sent", [None, "wrong"])
def test_a_staff_form_without_its_csrf_token_is_refused(
    paged: FastAPI, keys: Keys, sent: str | None
) -> None:
    signed = browser(paged, keys.interviewer)
    data = {} if sent is None else {"csrf_token": sent}
    assert_problem(signed.client.post("/probe/form", data=data), 403, "csrf_failed")


def test_a_staff_form_with_its_csrf_token_works(paged: FastAPI, keys: Keys) -> None:
    signed = browser(paged, keys.interviewer)
    by_field = signed.client.post("/probe/form", data={"csrf_token": signed.csrf, "x": "1"})
    assert by_field.text == "changed"
    by_header = signed.client.post("/probe/form", headers={"X-CSRF-Token": signed.csrf})
    assert by_header.text == "changed"
