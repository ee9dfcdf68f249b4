"""LeetCode's ListNode/TreeNode JSON forms as hypothesis strategies, for the harness tests.

Kept out of the test modules so that tests import helpers, never other tests.
"""

from __future__ import annotations

from collections import deque
from typing import Any

from hypothesis import strategies as st

INT32 = st.integers(-(2**31), 2**31 - 1)


def canonical_tree(level_order: list[int | None]) -> list[int | None]:
    """Any list of values and nulls read as LeetCode does (values without a parent dropped),
    written back in its canonical form: the inputs the properties use are all valid."""
    if not level_order or level_order[0] is None:
        return []
    root: list[Any] = [level_order[0], None, None]
    open_nodes = deque([root])
    index = 1
    while index < len(level_order) and open_nodes:
        parent = open_nodes.popleft()
        for side in (1, 2):
            if index < len(level_order) and level_order[index] is not None:
                child = [level_order[index], None, None]
                parent[side] = child
                open_nodes.append(child)
            index += 1
    out: list[int | None] = []
    queue: deque[list[Any] | None] = deque([root])
    while queue:
        node = queue.popleft()
        if node is None:
            out.append(None)
            continue
        out.append(node[0])
        queue.extend([node[1], node[2]])
    while out and out[-1] is None:
        out.pop()
    return out


def lists(values: st.SearchStrategy[int] = INT32, max_size: int = 30) -> st.SearchStrategy[Any]:
    """A ``ListNode`` in JSON: the array of its values (``[]`` is null)."""
    return st.lists(values, max_size=max_size)


def trees(values: st.SearchStrategy[int] = INT32, max_size: int = 40) -> st.SearchStrategy[Any]:
    """A ``TreeNode`` in JSON: canonical level order of a random shape (``[]`` is null)."""
    return st.lists(st.none() | values, max_size=max_size).map(canonical_tree)


ASCII = st.characters(min_codepoint=0, max_codepoint=127)
"""A ``char``: one ASCII character."""
