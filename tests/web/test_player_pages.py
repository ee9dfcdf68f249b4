"""The live view's and the replay player's pages: who may open them, what an unknown
session shows, and the hooks and data their TypeScript apps (web/src/staff/) start from."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import quote

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from interviewkit.web import api as web_api
from tests.auth.helpers import Browser, browser
from tests.conftest import Keys, new_session

PAGES = ["live", "replay"]
LIVE_HOOKS = ["live-editor", "live-note", "live-note-add", "live-runs", "live-feed", "live-ai"]
REPLAY_HOOKS = [
    "replay-play",
    "replay-speed",
    "replay-seek",
    "replay-time",
    "replay-timeline",
    "replay-editor",
    "replay-diff",
    "replay-output",
    "replay-skip-idle",
]
BUNDLES = {
    "staff": "staff-AAAA1111.js",
    "live": "live-BBBB2222.js",
    "replay": "replay-CCCC3333.js",
}
SHARED_CHUNK = "chunk-DDDD4444.js"


@pytest.fixture
def bundle(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A build of our own in place of web/'s (these tests do not depend on npm)."""
    dist = tmp_path / "static" / "dist"
    dist.mkdir(parents=True)
    manifest: dict[str, object] = {}
    for name, script in BUNDLES.items():
        (dist / script).write_text(f"console.log({name!r})")
        manifest[f"{name}.js"] = script
        manifest[f"{name}.preload"] = [SHARED_CHUNK]
    (dist / SHARED_CHUNK).write_text("export const shared = 1")
    (dist / "live-EEEE5555.css").write_text(".live{}")
    manifest["live.css"] = "live-EEEE5555.css"
    (dist / "manifest.json").write_text(json.dumps(manifest))
    monkeypatch.setattr(web_api, "STATIC_DIR", dist.parent)
    monkeypatch.setattr(web_api, "DIST_DIR", dist)
    return dist


@pytest.fixture
def staff(bundle: Path, app: FastAPI, keys: Keys) -> Browser:
    return browser(app, keys.interviewer)


@pytest.fixture
def session_id(client: TestClient) -> str:
    session_id: str = new_session(client, candidate_name="Ada <Lovelace>")["id"]
    return session_id


def test_the_live_view_loads_its_app_for_the_session_with_every_hook(
    staff: Browser, session_id: str
) -> None:
    page = staff.client.get(f"/sessions/{session_id}/live")
    assert page.status_code == 200, page.text
    assert page.headers["content-type"].startswith("text/html")
    assert f'src="/static/dist/{BUNDLES["live"]}"' in page.text
    assert 'href="/static/dist/live-EEEE5555.css"' in page.text
    assert f'data-session-id="{session_id}"' in page.text
    for hook in LIVE_HOOKS:
        assert f'data-testid="{hook}"' in page.text, hook
    assert f'href="/sessions/{session_id}/replay"' in page.text
    # the candidate's name is text, not markup
    assert "Ada &lt;Lovelace&gt;" in page.text
    assert "<Lovelace>" not in page.text


def test_the_replay_player_loads_its_app_with_every_hook(staff: Browser, session_id: str) -> None:
    page = staff.client.get(f"/sessions/{session_id}/replay")
    assert page.status_code == 200, page.text
    assert f'src="/static/dist/{BUNDLES["replay"]}"' in page.text
    assert f'<link rel="modulepreload" href="/static/dist/{SHARED_CHUNK}">' in page.text
    for hook in REPLAY_HOOKS:
        assert f'data-testid="{hook}"' in page.text, hook
    seek = re.search(r'<input type="range"[^>]*data-testid="replay-seek"', page.text)
    assert seek is not None, "the seek bar is a range input (in ms)"


@pytest.mark.parametrize("name", PAGES)
def test_the_apps_get_the_sign_in_csrf_token_and_no_api_key(
    name: str, staff: Browser, session_id: str, keys: Keys
) -> None:
    """The apps call the API with the cookie and this token; no credential is in the page."""
    page = staff.client.get(f"/sessions/{session_id}/{name}")
    assert f'<meta name="csrf-token" content="{staff.csrf}">' in page.text
    assert keys.interviewer not in page.text
    assert staff.cookie not in page.text
    assert page.headers["cache-control"] == "no-store"


@pytest.mark.parametrize("name", PAGES)
def test_a_signed_out_browser_is_sent_to_sign_in_and_back(
    name: str, bundle: Path, app: FastAPI, session_id: str
) -> None:
    anonymous = TestClient(app, follow_redirects=False)
    page = anonymous.get(f"/sessions/{session_id}/{name}")
    assert page.status_code == 303
    assert page.headers["location"] == f"/login?next=/sessions/{session_id}/{name}"


@pytest.mark.parametrize("name", PAGES)
def test_an_api_key_alone_does_not_open_a_page(
    name: str, bundle: Path, app: FastAPI, keys: Keys, session_id: str
) -> None:
    """Pages are for signed-in browsers; a bearer key is the API's credential."""
    bearer = TestClient(app, follow_redirects=False, headers=Keys.bearer(keys.interviewer))
    assert bearer.get(f"/sessions/{session_id}/{name}").status_code == 303


@pytest.mark.parametrize("name", PAGES)
def test_an_unknown_session_is_a_404_page_in_the_staff_layout(name: str, staff: Browser) -> None:
    page = staff.client.get(f"/sessions/ses_doesnotexist/{name}")
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert 'data-testid="error-page"' in page.text
    assert 'data-testid="sign-out"' in page.text, "shown inside the staff layout"
    assert 'id="live"' not in page.text
    assert 'id="replay"' not in page.text


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.text(
        st.characters(codec="utf-8", exclude_categories=["Cs"], exclude_characters="/"),
        min_size=1,
        max_size=40,
    )
)
def test_any_other_session_address_is_a_page_never_an_error(staff: Browser, raw: str) -> None:
    for name in PAGES:
        page = staff.client.get(f"/sessions/{quote(raw, safe='')}/{name}")
        assert page.status_code in (404, 200), (raw, page.status_code)
        assert page.headers["content-type"].startswith("text/html")


def test_an_ended_session_still_has_its_live_page_pointing_to_the_replay(
    staff: Browser, client: TestClient, session_id: str
) -> None:
    ended = client.delete(f"/api/v1/sessions/{session_id}")
    assert ended.status_code == 200, ended.text
    page = staff.client.get(f"/sessions/{session_id}/live")
    assert page.status_code == 200
    assert "This session has ended" in page.text
    assert f'<a href="/sessions/{session_id}/replay">' in page.text


@pytest.mark.parametrize("name", PAGES)
def test_without_a_build_the_page_says_how_to_build_it(
    name: str,
    app: FastAPI,
    keys: Keys,
    session_id: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(web_api, "DIST_DIR", tmp_path / "nothing")
    signed = browser(app, keys.interviewer)
    page = signed.client.get(f"/sessions/{session_id}/{name}")
    assert page.status_code == 200
    assert "make install" in page.text
