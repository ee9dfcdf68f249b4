"""Who may do what: API keys, candidate tokens and every route, as a matrix."""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import jwt
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx2 import Response  # what starlette's TestClient returns once httpx2 is installed
from hypothesis import given
from hypothesis import strategies as st

from interviewkit.app import Container, create_app
from interviewkit.auth.service import TOKEN_AUDIENCE, TOKEN_ISSUER, Role
from interviewkit.config import Settings
from interviewkit.errors import ProblemError
from interviewkit.sessions.models import SessionStatus
from interviewkit.storage.signing import TOKEN_KEY_LABEL, URL_KEY_LABEL, UrlSigner, derive_key
from tests.conftest import TEST_SECRET, Keys, assert_problem, new_session


@dataclass
class World:
    """Two sessions (A with a file) and credentials of every kind."""

    app: FastAPI
    session_a: str
    session_b: str
    credentials: dict[str, str | None]

    def call(self, who: str, method: str, url: str, **kwargs: Any) -> Response:
        credential = self.credentials[who]
        headers = {"Authorization": credential} if credential else {}
        client = TestClient(self.app, raise_server_exceptions=False)
        response: Response = client.request(method, url, headers=headers, **kwargs)
        return response


TOKEN_KEY = derive_key(TEST_SECRET, TOKEN_KEY_LABEL)
URL_KEY = derive_key(TEST_SECRET, URL_KEY_LABEL)


def _token(
    session_id: str, *, secret: str | bytes = TOKEN_KEY, exp_offset: int = 3600, **extra: Any
) -> str:
    now = int(time.time())
    claims = {
        "iss": TOKEN_ISSUER,
        "aud": TOKEN_AUDIENCE,
        "sub": session_id,
        "iat": now,
        "exp": now + exp_offset,
        **extra,
    }
    return jwt.encode(claims, secret, algorithm="HS256")


@pytest.fixture
def world(app: FastAPI, container: Container, keys: Keys) -> World:
    staff = TestClient(app, headers=Keys.bearer(keys.interviewer))
    session_a = new_session(staff, files=[{"path": "/a.py", "content": "secret answer"}])["id"]
    session_b = new_session(staff)["id"]
    token_a = staff.post(f"/api/v1/sessions/{session_a}/invite").json()["token"]
    revoked_key, revoked_secret = container.auth.create_key("gone", Role.interviewer)
    container.auth.revoke_key(revoked_key.id)
    credentials: dict[str, str | None] = {
        "none": None,
        "basic": "Basic dXNlcjpwYXNz",
        "empty_bearer": "Bearer ",
        "unknown_key": "Bearer ik_" + "x" * 43,
        "revoked_key": f"Bearer {revoked_secret}",
        "garbage_token": "Bearer not.a.jwt",
        "forged_token": f"Bearer {_token(session_a, secret=OTHER_SECRET)}",
        "expired_token": f"Bearer {_token(session_a, exp_offset=-10)}",
        "wrong_audience": "Bearer "
        + jwt.encode({"sub": session_a, "exp": int(time.time()) + 60}, TOKEN_KEY, "HS256"),
        "raw_secret_token": f"Bearer {_token(session_a, secret=TEST_SECRET)}",
        "url_key_token": f"Bearer {_token(session_a, secret=URL_KEY)}",
        "candidate_a": f"Bearer {token_a}",
        "interviewer": f"Bearer {keys.interviewer}",
        "admin": f"Bearer {keys.admin}",
    }
    return World(app, session_a, session_b, credentials)


OTHER_SECRET = "another-secret-that-is-long-enough-for-hs256"
BAD_CREDENTIALS = [
    "none",
    "basic",
    "empty_bearer",
    "unknown_key",
    "revoked_key",
    "garbage_token",
    "forged_token",
    "expired_token",
    "wrong_audience",
    "raw_secret_token",
    "url_key_token",
]

Route = Callable[[World], tuple[str, str, dict[str, object]]]

SESSION_ROUTES: dict[str, Route] = {
    "get_session": lambda w: ("GET", f"/api/v1/sessions/{w.session_a}", {}),
    "list_files": lambda w: ("GET", f"/api/v1/sessions/{w.session_a}/files", {}),
    "read_file": lambda w: ("GET", f"/api/v1/sessions/{w.session_a}/files/a.py", {}),
    "write_file": lambda w: (
        "PUT",
        f"/api/v1/sessions/{w.session_a}/files/b.py",
        {"json": {"content": "x"}},
    ),
    "create_file": lambda w: (
        "POST",
        f"/api/v1/sessions/{w.session_a}/files",
        {"json": {"path": "/c.py", "content": ""}},
    ),
    "move_file": lambda w: (
        "POST",
        f"/api/v1/sessions/{w.session_a}/files/a.py:move",
        {"json": {"to": "/z.py"}},
    ),
    "delete_file": lambda w: ("DELETE", f"/api/v1/sessions/{w.session_a}/files/a.py", {}),
}

STAFF_ROUTES: dict[str, Route] = {
    "list_sessions": lambda w: ("GET", "/api/v1/sessions", {}),
    "create_session": lambda w: ("POST", "/api/v1/sessions", {"json": {}}),
    "patch_session": lambda w: ("PATCH", f"/api/v1/sessions/{w.session_a}", {"json": {}}),
    "end_session": lambda w: ("DELETE", f"/api/v1/sessions/{w.session_a}", {}),
    "invite": lambda w: ("POST", f"/api/v1/sessions/{w.session_a}/invite", {}),
}

ADMIN_ROUTES: dict[str, Route] = {
    "list_keys": lambda w: ("GET", "/api/v1/keys", {}),
    "create_key": lambda w: ("POST", "/api/v1/keys", {"json": {"name": "k"}}),
    "revoke_key": lambda w: ("DELETE", "/api/v1/keys/key_missing", {}),
}

ALL_ROUTES = {**SESSION_ROUTES, **STAFF_ROUTES, **ADMIN_ROUTES}


@pytest.mark.parametrize("who", BAD_CREDENTIALS)
def test_bad_credentials_are_401_on_every_route(world: World, who: str) -> None:
    for route in sorted(ALL_ROUTES):
        method, url, kwargs = ALL_ROUTES[route](world)
        response = world.call(who, method, url, **kwargs)
        assert_problem(response, 401, "unauthenticated")
        assert response.headers["www-authenticate"].startswith("Bearer"), route


@pytest.mark.parametrize("route", sorted(SESSION_ROUTES))
def test_a_candidate_works_in_its_own_session(world: World, route: str) -> None:
    method, url, kwargs = SESSION_ROUTES[route](world)
    assert world.call("candidate_a", method, url, **kwargs).is_success


@pytest.mark.parametrize("route", sorted(SESSION_ROUTES))
def test_a_candidate_cannot_see_another_session(world: World, route: str) -> None:
    method, url, kwargs = SESSION_ROUTES[route](world)
    other = url.replace(world.session_a, world.session_b)
    assert_problem(world.call("candidate_a", method, other, **kwargs), 404, "session_not_found")


@pytest.mark.parametrize("route", sorted({**STAFF_ROUTES, **ADMIN_ROUTES}))
def test_a_candidate_gets_no_staff_or_admin_route(world: World, route: str) -> None:
    method, url, kwargs = {**STAFF_ROUTES, **ADMIN_ROUTES}[route](world)
    assert_problem(world.call("candidate_a", method, url, **kwargs), 403, "forbidden")


@pytest.mark.parametrize("route", sorted(ADMIN_ROUTES))
def test_interviewers_get_no_admin_route(world: World, route: str) -> None:
    method, url, kwargs = ADMIN_ROUTES[route](world)
    assert_problem(world.call("interviewer", method, url, **kwargs), 403, "forbidden")


@pytest.mark.parametrize("who", ["interviewer", "admin"])
@pytest.mark.parametrize("route", sorted({**SESSION_ROUTES, **STAFF_ROUTES}))
def test_staff_reach_every_session_route(world: World, who: str, route: str) -> None:
    method, url, kwargs = {**SESSION_ROUTES, **STAFF_ROUTES}[route](world)
    assert world.call(who, method, url, **kwargs).is_success


def test_admins_manage_keys(world: World, container: Container) -> None:
    created = world.call("admin", "POST", "/api/v1/keys", json={"name": "ci", "role": "admin"})
    assert created.status_code == 201
    secret = created.json()["key"]
    assert container.auth.authenticate(secret).role == Role.admin
    listed = world.call("admin", "GET", "/api/v1/keys").json()["items"]
    assert created.json()["id"] in [item["id"] for item in listed]
    assert all("key" not in item for item in listed), "secrets are never listed"
    revoked = world.call("admin", "DELETE", f"/api/v1/keys/{created.json()['id']}")
    assert revoked.json()["revoked_at"] is not None
    with pytest.raises(Exception, match="revoked"):
        container.auth.authenticate(secret)
    bad_role = world.call("admin", "POST", "/api/v1/keys", json={"name": "x", "role": "candidate"})
    assert_problem(bad_role, 422, "invalid_role")
    missing = world.call("admin", "DELETE", "/api/v1/keys/key_missing")
    assert_problem(missing, 404, "api_key_not_found")


def test_only_hashes_of_keys_are_stored(container: Container, keys: Keys) -> None:
    from sqlalchemy import text

    with container.engine.connect() as connection:
        stored = " ".join(
            str(value)
            for row in connection.execute(text("SELECT * FROM api_keys"))
            for value in row
        )
    assert keys.admin not in stored
    assert keys.interviewer not in stored


def _staff(world: World) -> TestClient:
    return TestClient(world.app, headers={"Authorization": world.credentials["interviewer"] or ""})


def _as(world: World, token: str) -> TestClient:
    return TestClient(world.app, headers={"Authorization": f"Bearer {token}"})


@pytest.mark.parametrize(
    "end",
    [
        {"method": "DELETE", "params": {"status": "completed"}},
        {"method": "DELETE", "params": {"status": "terminated"}},
        {"method": "PATCH", "json": {"status": "completed"}},
    ],
    ids=["completed", "terminated", "patched"],
)
def test_a_candidate_token_stops_working_when_its_session_ends(
    world: World, end: dict[str, Any]
) -> None:
    """Even on the no-I/O path: the session's open state was cached by the first call."""
    url = f"/api/v1/sessions/{world.session_a}"
    assert world.call("candidate_a", "GET", url).status_code == 200  # cached as open
    ended = _staff(world).request(
        end["method"], url, **{k: v for k, v in end.items() if k != "method"}
    )
    assert ended.status_code == 200, ended.text
    for route in sorted(SESSION_ROUTES):
        method, route_url, kwargs = SESSION_ROUTES[route](world)
        response = world.call("candidate_a", method, route_url, **kwargs)
        problem = assert_problem(response, 401, "session_ended_token")
        assert response.headers["www-authenticate"].startswith("Bearer"), route
        assert "ended" in problem["detail"]
    assert _staff(world).get(f"{url}/files/a.py").json()["content"] == "secret answer"


def test_a_session_ended_by_the_service_refuses_its_tokens_at_once(
    world: World, container: Container
) -> None:
    """Other domains end sessions through the service (a deadline, a completed attempt)."""
    url = f"/api/v1/sessions/{world.session_a}"
    assert world.call("candidate_a", "GET", url).status_code == 200
    container.sessions.update_session(world.session_a, status=SessionStatus.expired)
    assert_problem(world.call("candidate_a", "GET", url), 401, "session_ended_token")
    assert_problem(world.call("candidate_a", "GET", url + "/files"), 401, "session_ended_token")


def test_a_session_ended_by_another_process_refuses_its_tokens(
    world: World, settings: Settings
) -> None:
    """With a cache of 0 s (the bound is candidate_token_cache_seconds) every token is
    checked against the database, so another server's ending is seen on the next call."""
    other = Container.build(settings.model_copy(update={"candidate_token_cache_seconds": 0}))
    try:
        url = f"/api/v1/sessions/{world.session_a}"
        token = _staff(world).post(f"{url}/invite").json()["token"]
        candidate = TestClient(create_app(container=other))
        headers = {"Authorization": f"Bearer {token}"}
        assert candidate.get(url, headers=headers).status_code == 200
        world_ended = _staff(world).delete(url)  # this process, not `other`, ends it
        assert world_ended.status_code == 200
        assert_problem(candidate.get(url, headers=headers), 401, "session_ended_token")
    finally:
        other.executions.close()
        other.recording.close()
        other.engine.dispose()


def test_revoke_previous_stops_every_earlier_token(world: World) -> None:
    invite = f"/api/v1/sessions/{world.session_a}/invite"
    url = f"/api/v1/sessions/{world.session_a}"
    staff = _staff(world)
    first = world.credentials["candidate_a"] or ""
    second = staff.post(invite).json()["token"]
    assert _as(world, second).get(url).status_code == 200, "a plain invite revokes nothing"
    assert world.call("candidate_a", "GET", url).status_code == 200
    third = staff.post(invite, json={"revoke_previous": True})
    assert third.status_code == 201, third.text
    for earlier in (first.removeprefix("Bearer "), second):
        response = _as(world, earlier).get(url)
        assert_problem(response, 401, "token_revoked")
        assert_problem(
            _as(world, earlier).put(f"{url}/files/x.py", json={"content": ""}), 401, "token_revoked"
        )
    fresh = _as(world, third.json()["token"])
    assert fresh.get(url).status_code == 200
    assert fresh.put(f"{url}/files/x.py", json={"content": "1"}).status_code == 201
    fourth = staff.post(invite).json()["token"]
    assert _as(world, fourth).get(url).status_code == 200, "later tokens work"
    assert fresh.get(url).status_code == 200


def test_a_token_for_a_session_that_does_not_exist_is_401(world: World) -> None:
    token = _token("ses_doesnotexist")
    response = _as(world, token).get("/api/v1/sessions/ses_doesnotexist")
    assert_problem(response, 401, "unauthenticated")


def test_a_token_of_a_newer_generation_than_the_session_is_refused(world: World) -> None:
    """A generation claim the session never reached (a token from a restored backup)."""
    token = _token(world.session_a, gen=7)
    assert_problem(
        _as(world, token).get(f"/api/v1/sessions/{world.session_a}"), 401, "token_revoked"
    )


def test_the_token_lifetime_is_capped(world: World, settings: Settings) -> None:
    invite = f"/api/v1/sessions/{world.session_a}/invite"
    cap = settings.candidate_token_max_ttl_seconds
    too_long = _staff(world).post(invite, json={"ttl_seconds": cap + 1})
    problem = assert_problem(too_long, 422, "token_ttl_too_long")
    assert problem["limit"] == cap
    assert_problem(
        _staff(world).post(invite, json={"ttl_seconds": 365 * 24 * 3600}), 422, "token_ttl_too_long"
    )
    at_cap = _staff(world).post(invite, json={"ttl_seconds": cap})
    assert at_cap.status_code == 201
    claims = jwt.decode(at_cap.json()["token"], options={"verify_signature": False})
    assert claims["exp"] - claims["iat"] == cap


def test_a_token_signed_with_the_url_key_is_refused(world: World) -> None:
    """Tokens and signed URLs have keys of their own, derived from the one secret."""
    assert URL_KEY != TOKEN_KEY
    assert TEST_SECRET.encode() not in (URL_KEY, TOKEN_KEY)
    forged = {"Authorization": f"Bearer {_token(world.session_a, secret=URL_KEY)}"}
    response = TestClient(world.app).get(f"/api/v1/sessions/{world.session_a}", headers=forged)
    assert_problem(response, 401, "unauthenticated")
    genuine = {"Authorization": f"Bearer {_token(world.session_a)}"}
    response = TestClient(world.app).get(f"/api/v1/sessions/{world.session_a}", headers=genuine)
    assert response.status_code == 200


def test_a_url_signed_with_the_token_key_is_refused() -> None:
    signer = UrlSigner(TEST_SECRET, "http://objects.test")
    expires = int(time.time()) + 60
    message = f"GET\nk\n{expires}\n".encode()
    for key in (TOKEN_KEY, TEST_SECRET.encode()):
        signature = hmac.new(key, message, hashlib.sha256).hexdigest()
        assert not signer.verify("GET", "k", expires, signature, None)
    genuine = hmac.new(URL_KEY, message, hashlib.sha256).hexdigest()
    assert signer.verify("GET", "k", expires, genuine, None)


@given(st.text(max_size=64), st.text(max_size=64), st.text(max_size=64))
def test_derived_keys_differ_by_label_and_by_secret(secret: str, one: str, other: str) -> None:
    assert (derive_key(secret, one) == derive_key(secret, other)) == (one == other)
    assert len(derive_key(secret, one)) == 32
    assert derive_key(secret + "x", one) != derive_key(secret, one)


def test_the_no_io_path_trusts_a_session_state_only_while_cached(
    world: World, container: Container
) -> None:
    """A cold token needs one lookup; a warm one none; an end drops the warm state."""
    token = (world.credentials["candidate_a"] or "").removeprefix("Bearer ")
    auth = container.auth
    assert auth.without_io(token) is None, "cold: the thread pool path must look it up"
    assert auth.authenticate(token).session_id == world.session_a
    warm = auth.without_io(token)
    assert warm is not None
    assert warm.session_id == world.session_a
    container.sessions.end_session(world.session_a)
    assert auth.without_io(token) is None, "the end was forgotten on commit"
    with pytest.raises(ProblemError) as ended:
        auth.authenticate(token)
    assert (ended.value.status, ended.value.code) == (401, "session_ended_token")
    with pytest.raises(ProblemError):
        auth.without_io(token)  # the ended state is cached too: refused without I/O
