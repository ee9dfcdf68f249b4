"""The room page's "Environment" disclosure: where it sits and how a keyboard reaches it.

What it lists comes from ``GET /api/v1/languages`` (tests/execution/test_languages_api.py)
and is rendered by web/src/panels/environment.ts (web/test/environment.test.ts; the whole
path in a browser: tests/browser/test_room_environment.py). Here: the page's markup.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from interviewkit.app import Container, create_app
from interviewkit.web import api as web_api
from tests.conftest import Keys, new_session

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@dataclass
class Node:
    tag: str
    attrs: dict[str, str | None]
    children: list[Node] = field(default_factory=list)
    text: str = ""

    def find(self, **wanted: str) -> Node | None:
        if all(self.attrs.get(name.replace("_", "-")) == value for name, value in wanted.items()):
            return self
        return next((hit for c in self.children if (hit := c.find(**wanted))), None)

    def all_text(self) -> str:
        return self.text + "".join(child.all_text() for child in self.children)


VOID = {"meta", "link", "input", "br", "img", "hr", "source", "area", "base", "col", "wbr"}


class Tree(HTMLParser):
    """The page as a tree of elements (the stdlib parser; the room's HTML is well formed)."""

    def __init__(self) -> None:
        super().__init__()
        self.root = Node("#document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, dict(attrs))
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_endtag(self, tag: str) -> None:
        while len(self.stack) > 1 and self.stack.pop().tag != tag:
            pass

    def handle_data(self, data: str) -> None:
        self.stack[-1].text += data


@pytest.fixture
def room_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, container: Container, keys: Keys
) -> Node:
    """The room page of a new session, served with a stand-in bundle (no npm needed)."""
    dist = tmp_path / "static" / "dist"
    dist.mkdir(parents=True)
    (dist / "room-TEST.js").write_text("")
    (dist / "manifest.json").write_text(json.dumps({"room.js": "room-TEST.js"}))
    monkeypatch.setattr(web_api, "STATIC_DIR", dist.parent)
    monkeypatch.setattr(web_api, "DIST_DIR", dist)
    app: FastAPI = create_app(container=container)
    staff = TestClient(app, headers=Keys.bearer(keys.interviewer))
    page = TestClient(app).get(f"/room/{new_session(staff)['id']}")
    assert page.status_code == 200, page.text
    tree = Tree()
    tree.feed(page.text)
    return tree.root


def test_the_disclosure_follows_the_language_picker_and_opens_from_the_keyboard(
    room_page: Node,
) -> None:
    toolbar = room_page.find(**{"class": "toolbar"})
    assert toolbar is not None
    tags = [(child.tag, child.attrs.get("id")) for child in toolbar.children]
    picker = tags.index(("select", "language"))
    assert tags[picker + 1] == ("details", "environment"), "the disclosure sits by the picker"

    details = toolbar.children[picker + 1]
    # a native <details>: its first child, a <summary>, is focusable and toggles it with
    # Enter or Space; hidden until the room knows the language's environment
    assert "hidden" in details.attrs
    assert details.attrs["data-testid"] == "environment"
    summary = details.children[0]
    assert summary.tag == "summary"
    assert "Environment" in summary.all_text()
    assert summary.attrs["data-testid"] == "environment-summary"
    panel = details.find(id="environment-panel")
    assert panel is not None
    assert panel in details.children
    assert panel.attrs["role"] == "region"
    assert panel.attrs["aria-label"], "the panel has an accessible name"
    assert not panel.children, "its contents come from the languages API, not the page"
