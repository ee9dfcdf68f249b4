"""A staff browser signed in through the real /login form (cookie jar, CSRF token), for
the tests of sign-in and of the staff pages."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from interviewkit.auth.web import SESSION_COOKIE, WebSessionService


def form_token(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found is not None, html
    return found.group(1)


def sign_in(client: TestClient, key: str, next_path: str = "/sessions") -> Any:
    page = client.get("/login", params={"next": next_path})
    assert page.status_code == 200, page.text
    return client.post(
        "/login", data={"key": key, "csrf_token": form_token(page.text), "next": next_path}
    )


@dataclass
class Browser:
    """A signed-in browser: its client (cookie jar) and the page's CSRF token."""

    client: TestClient
    csrf: str
    cookie: str


def browser(app: FastAPI, key: str, **kwargs: Any) -> Browser:
    client = TestClient(app, raise_server_exceptions=False, follow_redirects=False, **kwargs)
    signed = sign_in(client, key)
    assert signed.status_code == 303, signed.text
    cookie = client.cookies[SESSION_COOKIE]
    web: WebSessionService = app.state.container.web
    identity = web.lookup(cookie)
    assert identity is not None
    return Browser(client, identity.csrf_token, cookie)
