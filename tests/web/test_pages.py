"""The HTML pages and the static bundle: what a browser (and a cache) gets from the app."""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import quote

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from interviewkit.app import Container, create_app
from interviewkit.web import api as web_api
from tests.conftest import Keys, new_session

TEST_IDS = [
    "problem",
    "file-tree",
    "editor",
    "run-button",
    "submit-button",
    "output",
    "test-results",
    "timer",
    "chat-input",
    "chat-send",
    "chat-messages",
    "connection-status",
]
SCRIPT = "room-ABCD1234.js"
CHUNK = "chunk-IJKL9012.js"
STYLE = "room-EFGH5678.css"


@pytest.fixture
def bundle(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A built bundle of our own in place of web/'s (tests do not depend on npm)."""
    static = tmp_path / "static"
    dist = static / "dist"
    dist.mkdir(parents=True)
    (dist / SCRIPT).write_text("console.log('room')")
    (dist / STYLE).write_text("body{}")
    (dist / CHUNK).write_text("export const shared = 1")
    (dist / f"{SCRIPT}.gz").write_bytes(gzip.compress(b"console.log('room')"))
    manifest = {"room.js": SCRIPT, "room.css": STYLE, "room.preload": [CHUNK]}
    (dist / "manifest.json").write_text(json.dumps(manifest))
    monkeypatch.setattr(web_api, "STATIC_DIR", static)
    monkeypatch.setattr(web_api, "DIST_DIR", dist)
    return dist


@pytest.fixture
def browser(bundle: Path, container: Container) -> TestClient:
    """A client without credentials, on an app that serves ``bundle``."""
    return TestClient(create_app(container=container), raise_server_exceptions=False)


def csp(headers: Mapping[str, str]) -> dict[str, str]:
    header = headers["content-security-policy"]
    pairs = (part.strip().partition(" ") for part in header.split(";") if part.strip())
    return {name: value for name, _, value in pairs}


def test_the_landing_page_says_what_interviewkit_is_and_links_the_api_docs(
    browser: TestClient,
) -> None:
    page = browser.get("/")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "InterviewKit" in page.text
    assert 'href="/docs"' in page.text


def test_the_room_page_loads_the_built_bundle_and_has_every_test_hook(
    browser: TestClient, app: FastAPI, keys: Keys
) -> None:
    staff = TestClient(app, headers=Keys.bearer(keys.interviewer))
    session = new_session(staff)
    page = browser.get(f"/room/{session['id']}")
    assert page.status_code == 200
    assert f'src="/static/dist/{SCRIPT}"' in page.text
    assert f'href="/static/dist/{STYLE}"' in page.text
    assert f'<link rel="modulepreload" href="/static/dist/{CHUNK}">' in page.text
    assert f'data-session-id="{session["id"]}"' in page.text
    for hook in TEST_IDS:
        assert f'data-testid="{hook}"' in page.text, hook
    assert page.headers["cache-control"] == "no-cache"


def test_the_room_page_never_holds_the_candidate_token(
    browser: TestClient, app: FastAPI, keys: Keys
) -> None:
    staff = TestClient(app, headers=Keys.bearer(keys.interviewer))
    session = new_session(staff)
    invite = staff.post(f"/api/v1/sessions/{session['id']}/invite", json={"ttl_seconds": 600})
    token = invite.json()["token"]
    # even a browser that sends the token along gets a page without it
    page = browser.get(f"/room/{session['id']}", headers=Keys.bearer(token))
    assert page.status_code == 200
    assert token not in page.text
    assert page.headers["referrer-policy"] == "no-referrer"


def test_the_room_page_policy_allows_only_its_own_scripts_and_connections(
    browser: TestClient,
) -> None:
    policy = csp(browser.get("/room/ses_abc").headers)
    assert policy["script-src"] == "'self'"  # no inline script, no CDN
    assert policy["connect-src"] == "'self'"  # the API and the live channel, same origin
    assert policy["default-src"] == "'none'"
    assert policy["frame-ancestors"] == "'none'"


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.text(st.characters(exclude_categories=("Cc", "Cs")), min_size=1, max_size=80).filter(
        lambda s: not re.fullmatch(r"[A-Za-z0-9_]{1,64}", s) and s not in (".", "..")
    )
)
@example("<script>alert(1)</script>")
@example("ses_1/../../api/v1/keys")
def test_a_link_without_a_session_id_gets_a_readable_not_found_page(
    browser: TestClient, session_id: str
) -> None:
    page = browser.get("/room/" + quote(session_id, safe=""))
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    if "<" in session_id:
        assert session_id not in page.text  # nothing of the link is echoed unescaped


def test_a_server_without_the_built_bundle_says_how_to_build_it(
    bundle: Path, browser: TestClient
) -> None:
    (bundle / CHUNK).unlink()  # half a build is no build
    page = browser.get("/room/ses_abc")
    assert page.status_code == 503
    assert "npm run build" in page.text
    assert page.headers["content-type"].startswith("text/html")
    (bundle / "manifest.json").unlink()
    assert browser.get("/room/ses_abc").status_code == 503


def test_hashed_files_are_cached_for_a_year_and_the_rest_revalidated(
    browser: TestClient,
) -> None:
    script = browser.get(f"/static/dist/{SCRIPT}")
    assert script.status_code == 200
    assert script.text == "console.log('room')"
    assert script.headers["cache-control"] == "public, max-age=31536000, immutable"
    manifest = browser.get("/static/dist/manifest.json")
    assert manifest.headers["cache-control"] == "no-cache"
    assert browser.get("/static/dist/room-ZZZZ9999.js").status_code == 404


def test_static_files_cannot_reach_outside_their_directory(browser: TestClient) -> None:
    response = browser.get("/static/..%2f..%2fapi.py")
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("accept", "compressed"),
    [
        ("gzip, deflate, br", True),
        ("br;q=1.0, gzip;q=0.8", True),
        ("*", True),
        ("identity", False),
        ("gzip;q=0", False),
        (None, False),
    ],
)
def test_the_bundle_is_sent_gzipped_to_a_browser_that_accepts_it(
    browser: TestClient, accept: str | None, compressed: bool
) -> None:
    headers = {"Accept-Encoding": accept} if accept else {"Accept-Encoding": ""}
    response = browser.get(f"/static/dist/{SCRIPT}", headers=headers)

    assert response.status_code == 200
    assert response.text == "console.log('room')"  # httpx decodes what was gzipped
    assert response.headers["content-type"].startswith("text/javascript")
    assert (response.headers.get("content-encoding") == "gzip") is compressed
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    # a file built without a .gz sibling goes as it is
    chunk = browser.get(f"/static/dist/{CHUNK}", headers=headers)
    assert "content-encoding" not in chunk.headers
