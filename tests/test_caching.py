"""The bounded LRU cache: a model-based property, then the edges a caller relies on."""

from __future__ import annotations

import threading
from collections import OrderedDict

import pytest
from hypothesis import given
from hypothesis import strategies as st

from interviewkit.caching import LRUCache

operations = st.lists(
    st.one_of(
        st.tuples(st.just("put"), st.integers(0, 9), st.integers()),
        st.tuples(st.just("get"), st.integers(0, 9), st.none()),
        st.tuples(st.just("pop"), st.integers(0, 9), st.none()),
    ),
    max_size=200,
)


@given(bound=st.integers(0, 6), steps=operations)
def test_it_behaves_like_a_model_lru_and_never_exceeds_its_bound(
    bound: int, steps: list[tuple[str, int, int | None]]
) -> None:
    """Against an OrderedDict model: same answers, same survivors, never over the bound."""
    cache: LRUCache[int, int] = LRUCache(bound)
    model: OrderedDict[int, int] = OrderedDict()
    for operation, key, value in steps:
        if operation == "put":
            assert value is not None
            cache.put(key, value)
            model[key] = value
            model.move_to_end(key)
            while len(model) > bound:
                model.popitem(last=False)
            if bound:
                assert cache.get(key) == value, "a put value is returned until evicted"
                model.move_to_end(key)
        elif operation == "get":
            assert cache.get(key) == model.get(key)
            if key in model:
                model.move_to_end(key)
        else:
            assert cache.pop(key) == model.pop(key, None)
        assert len(cache) <= bound
        assert len(cache) == len(model)
    assert all(key in cache for key in model)


def test_the_least_recently_used_entry_leaves_first() -> None:
    cache: LRUCache[str, int] = LRUCache(2)
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.get("a") == 1  # "b" is now the least recently used
    cache.put("c", 3)
    assert "b" not in cache
    assert cache.get("a") == 1
    assert cache.get("c") == 3


def test_membership_does_not_refresh_an_entry() -> None:
    cache: LRUCache[str, int] = LRUCache(2)
    cache.put("a", 1)
    cache.put("b", 2)
    assert "a" in cache
    cache.put("c", 3)
    assert "a" not in cache


def test_a_zero_bound_keeps_nothing_and_a_negative_one_is_refused() -> None:
    cache: LRUCache[str, int] = LRUCache(0)
    cache.put("a", 1)
    assert cache.get("a") is None
    with pytest.raises(ValueError, match="max_entries"):
        LRUCache(-1)


def test_threads_sharing_it_never_push_it_past_its_bound() -> None:
    cache: LRUCache[int, int] = LRUCache(8)

    def hammer(offset: int) -> None:
        for index in range(2_000):
            cache.put(offset + index % 50, index)
            cache.get(offset + (index * 7) % 50)

    threads = [threading.Thread(target=hammer, args=(n * 100,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(cache) == 8
