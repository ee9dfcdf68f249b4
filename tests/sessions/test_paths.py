"""Workspace path rules, by example and by property."""

from __future__ import annotations

import posixpath

import pytest
from hypothesis import given
from hypothesis import strategies as st

from interviewkit.sessions.paths import (
    InvalidPathError,
    PathRules,
    is_under,
    language_for,
    normalize_path,
)

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
