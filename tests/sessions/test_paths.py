"""Workspace path rules, by example and by property."""

from __future__ import annotations

import posixpath
import unicodedata

import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st

from interviewkit.sessions.paths import (
    InvalidPathError,
    PathRules,
    is_under,
    language_for,
    normalize_path,
)
from tests.conftest import assert_problem, new_session

RULES = PathRules()

path_text = st.one_of(
    st.text(max_size=300),
    st.lists(
        st.sampled_from(["a", "b.py", "..", ".", "", " ", "é", "\x00", "\\", "\n", "x" * 300]),
        max_size=20,
    ).map("/".join),
)


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("main.py", "/main.py"),
        ("/main.py", "/main.py"),
        ("utils/helper.py", "/utils/helper.py"),
        ("/a b/ü.txt", "/a b/ü.txt"),
        ("/.gitignore", "/.gitignore"),
        ("/a/..b/c..", "/a/..b/c.."),
    ],
)
def test_safe_paths_have_one_canonical_form(raw: str, canonical: str) -> None:
    assert normalize_path(raw, RULES) == canonical


@given(path_text)
def test_any_accepted_path_stays_inside_the_workspace(raw: str) -> None:
    try:
        path = normalize_path(raw, RULES)
    except InvalidPathError as error:
        rejection = (error.status, error.code)
        assert rejection == (400, "invalid_path")
        return
    assert path.startswith("/")
    assert posixpath.normpath(path) == path, "normalising changes nothing"
    assert normalize_path(path, RULES) == path, "canonical form is a fixed point"
    segments = path.split("/")[1:]
    assert ".." not in segments
    assert "." not in segments
    assert "" not in segments
    assert len(segments) <= RULES.max_depth
    assert all(len(segment.encode()) <= RULES.max_segment_bytes for segment in segments)
    assert not any(char in path for char in "\x00\\\n\r")
    assert posixpath.join("/workspace", path.lstrip("/")).startswith("/workspace/")


@given(st.lists(st.sampled_from(["a", "b", "c"]), min_size=1, max_size=4).map("/".join))
def test_is_under_means_a_strict_descendant(relative: str) -> None:
    path = "/" + relative
    assert not is_under(path, path)
    assert is_under(path + "/x", path)
    assert not is_under(path + "x", path)


def test_language_from_extension() -> None:
    assert language_for("/a/b.PY") == "python"
    assert language_for("/Main.java") == "java"
    assert language_for("/x.hpp") == "cpp"
    assert language_for("/README") == "plaintext"


format_characters = st.characters(categories=["Cf"])


@given(st.text(max_size=40), format_characters, st.text(max_size=40))
def test_format_characters_are_refused_anywhere_in_a_path(
    before: str, hidden: str, after: str
) -> None:
    """Bidi overrides and zero-width characters make a name read as another one."""
    with pytest.raises(InvalidPathError) as caught:
        normalize_path(f"/{before}{hidden}{after}.py", RULES)
    assert (caught.value.status, caught.value.code) == (400, "invalid_path")


@pytest.mark.parametrize(
    "raw",
    [
        "/main\u202egnp.py",  # right-to-left override: shows as /mainyp.png
        "/sol\u200bution.py",  # zero-width space
        "/\u2066a\u2069.py",  # left-to-right isolate
        "/\ufeffmain.py",  # byte order mark
        "/a\u00adb.py",  # soft hyphen
    ],
)
def test_known_format_characters_are_refused(raw: str) -> None:
    with pytest.raises(InvalidPathError):
        normalize_path(raw, RULES)


segment_text = st.text(
    st.characters(exclude_categories=["Cc", "Cs", "Cf", "Zl", "Zp"], exclude_characters="/\\"),
    min_size=1,
    max_size=30,
)


@given(st.lists(segment_text, min_size=1, max_size=4).map("/".join))
def test_every_normal_form_of_a_path_names_one_file(relative: str) -> None:
    """``café`` typed precomposed or with a combining accent is the same file."""
    forms = {unicodedata.normalize(form, relative) for form in ("NFC", "NFD")}
    outcomes: set[str] = set()
    for form in forms:
        try:
            outcomes.add(normalize_path(form, RULES))
        except InvalidPathError:
            outcomes.add("rejected")
    assert len(outcomes) == 1, outcomes
    (path,) = outcomes
    if path != "rejected":
        assert unicodedata.is_normalized("NFC", path)


def test_cafe_typed_two_ways_is_one_file(client: TestClient) -> None:
    session = new_session(client)
    files = f"/api/v1/sessions/{session['id']}/files"
    composed, decomposed = "/caf\u00e9.py", "/cafe\u0301.py"
    assert client.put(files + decomposed, json={"content": "1"}).status_code == 201
    assert client.put(files + composed, json={"content": "2"}).status_code == 200
    assert client.get(files + decomposed).json()["content"] == "2"
    listing = client.get(files).json()
    assert [item["path"] for item in listing["files"]] == [composed]
    refused = client.put(files + "/main\u202egnp.py", json={"content": "x"})
    assert_problem(refused, 400, "invalid_path")
