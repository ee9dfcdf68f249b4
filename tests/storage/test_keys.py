"""Property tests: no key, however odd, reaches outside the local store's root.

For any text, ``validate_key`` either refuses it or returns it unchanged, and an accepted
key round-trips through the local store as a file strictly under the root. Planted
symlinks and look-alikes of ``.``, ``/`` and ``\\`` (full-width, one-dot leaders, the
division slash, percent-encodings) never lead outside either.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from interviewkit.storage import LocalObjectStore, ObjectNotFoundError, ObjectStoreError
from interviewkit.storage.port import MAX_KEY_BYTES, InvalidKeyError, validate_key
from interviewkit.storage.signing import UrlSigner
from tests.conftest import TEST_SECRET

SECRET = b"outside the store"
PROPERTY_SETTINGS = settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)

TRICKY_SEGMENTS = [
    "..",
    ".",
    "...",
    "",
    " ",
    "~",
    "\u2024",  # one dot leader
    "\u2024\u2024",
    "\u2025",  # two dot leader
    "\uff0e\uff0e",  # full-width full stops
    "\ufe52\ufe52",  # small full stops
    "\u3002\u3002",  # ideographic full stops
    ".\u200b.",  # dots around a zero-width space
    "%2e%2e",
    "%2f",
    "\u2215",  # division slash
    "\u2044",  # fraction slash
    "\uff0f",  # full-width solidus
    "\uff3c",  # full-width reverse solidus
    "\\",
    "..\\..",
    "\x00",
    "\x1b",
    "\x7f",
    "\x85",
    "\u202e",  # right-to-left override
    "\ud800",  # lone surrogate
    ".tmp-x",
    "link",
    "file-link",
    "inner-link",
    "a" * 255,
    "a" * 256,
    "é" * 128,
]

segments = st.one_of(st.sampled_from(TRICKY_SEGMENTS), st.text(max_size=12))
joined_keys = st.lists(segments, min_size=1, max_size=8).map("/".join)
long_keys = st.lists(
    st.text(st.sampled_from("aé☃😀.-"), min_size=60, max_size=260), min_size=1, max_size=8
).map("/".join)
any_keys = st.one_of(st.text(), joined_keys, long_keys)


@dataclass
class Sandbox:
    """A store rooted at ``root`` with links planted in it, and a folder beside it."""

    store: LocalObjectStore
    root: Path
    outside: Path


@contextmanager
def sandbox() -> Iterator[Sandbox]:
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder).resolve()
        outside = base / "outside"
        outside.mkdir()
        (outside / "secret").write_bytes(SECRET)
        store = LocalObjectStore(base / "root", UrlSigner(TEST_SECRET, "http://objects.test"))
        (store.root / "link").symlink_to(outside, target_is_directory=True)
        (store.root / "file-link").symlink_to(outside / "secret")
        (store.root / "inner").mkdir()
        (store.root / "inner-link").symlink_to(store.root / "inner", target_is_directory=True)
        yield Sandbox(store, store.root, outside)


def files_under(folder: Path) -> dict[str, bytes]:
    """Regular files (not links) under ``folder``, by relative path."""
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in folder.rglob("*")
        if path.is_file() and not path.is_symlink()
    }


@PROPERTY_SETTINGS
@given(key=any_keys)
@example(key="a/" + "é" * 127 + "x")
@example(key="/".join(["s" * 204] * 5))
@example(key="\uff0e\uff0e/\u2025/x")
def test_validate_key_refuses_or_returns_the_key_unchanged(key: str) -> None:
    refused: InvalidKeyError | None = None
    try:
        accepted = validate_key(key)
    except InvalidKeyError as error:
        refused = error
    if refused is not None:
        assert refused.status == 400
        assert refused.code == "invalid_object_key"
        return
    assert accepted == key
    encoded = key.encode("utf-8")
    assert 0 < len(encoded) <= MAX_KEY_BYTES
    segments = key.split("/")
    assert all(segment not in {"", ".", ".."} for segment in segments)
    assert all(len(segment.encode()) <= 255 for segment in segments)
    assert not any(ord(char) < 0x20 or char in "\x7f\\" for char in key)


@PROPERTY_SETTINGS
@given(key=any_keys, data=st.binary(max_size=64))
@example(key="\u2025/x", data=b"lookalike")
@example(key="%2e%2e/%2e%2e/secret", data=b"percent")
@example(key="a" * 255, data=b"longest segment")
@example(key="a" * 256, data=b"segment too long for a file name")
@example(key="x/" + "é" * 128, data=b"segment too long for a file name")
def test_accepted_keys_round_trip_as_a_file_under_the_root(key: str, data: bytes) -> None:
    try:
        validate_key(key)
    except InvalidKeyError:
        return
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder).resolve()
        store = LocalObjectStore(base / "root", UrlSigner(TEST_SECRET, "http://objects.test"))
        try:
            info = store.put(key, data)
        except InvalidKeyError:
            # the one local-only rule: ".tmp-" names are the adapter's temp files
            assert any(segment.startswith(".tmp-") for segment in key.split("/"))
            return
        assert info.size == len(data)
        assert store.get(key) == data
        assert b"".join(store.iter_chunks(key)) == data
        assert [item.key for item in store.list()] == [key]
        assert files_under(base) == {f"root/{key}": data}
        store.delete(key)
        assert not store.exists(key)
        assert files_under(base) == {}
        assert list(store.root.iterdir()) == []


@PROPERTY_SETTINGS
@given(key=any_keys, data=st.binary(min_size=1, max_size=16))
@example(key="link/secret", data=b"overwrite")
@example(key="file-link", data=b"overwrite")
@example(key="inner-link/../../outside/secret", data=b"overwrite")
@example(key="link/\u2025/secret", data=b"overwrite")
def test_no_key_reaches_outside_the_root_even_through_planted_links(key: str, data: bytes) -> None:
    with sandbox() as box:
        with suppress(InvalidKeyError, ObjectStoreError):
            box.store.put(key, data)
        try:
            assert box.store.get(key) != SECRET
            assert box.store.head(key).size != len(SECRET)  # data is shorter than SECRET
        except (InvalidKeyError, ObjectNotFoundError):
            pass
        for item in box.store.list():
            assert item.size != len(SECRET)
            assert box.store.get(item.key) != SECRET
        with suppress(InvalidKeyError):
            box.store.delete(key)
        assert files_under(box.outside) == {"secret": SECRET}
