"""LeetCode's Python environment, shipped into the sandbox as ``__ik_site/sitecustomize.py``.

This file is not imported by the server: it is copied into every Python sandbox and
``PYTHONPATH=__ik_site`` makes the interpreter import it at start-up (``site`` imports
``sitecustomize``). It then puts the preloaded names into ``__main__`` before the program's
first line runs, so a plain run (``python3 main.py``) sees what LeetCode preloads, with
``__name__ == "__main__"`` and no extra frame in a traceback. The function-call harness
calls :func:`ik_preloaded` for the candidate's module instead (it loads this file by path
when the interpreter did not, e.g. in a warm sandbox).

What is preloaded, in this order (a later module's name wins over an earlier one's):
``typing, collections, heapq, bisect, itertools, functools, math, string, operator, re``:
each module itself and every name in its ``__all__`` (its public names when it has none),
except names that are builtins (``math.pow``, ``operator.abs``, ``re.compile`` stay the
builtins ``pow``, ``abs``, ``compile``); then the modules' own names (``bisect`` is the module,
not ``bisect.bisect``), ``inf`` (``math.inf``) and LeetCode's
``ListNode`` and ``TreeNode``. The program's own definitions win: they run after these
names are set, exactly as if they were assigned on line 0.
"""

from __future__ import annotations

import builtins
import importlib
import sys
from typing import Any

MODULES = (
    "typing",
    "collections",
    "heapq",
    "bisect",
    "itertools",
    "functools",
    "math",
    "string",
    "operator",
    "re",
)
"""Modules preloaded with their public names; later ones win (collections.Counter over
typing.Counter)."""


class ListNode:
    """LeetCode's singly-linked list node, word for word."""

    def __init__(self, val: int = 0, next: ListNode | None = None) -> None:
        self.val = val
        self.next = next


class TreeNode:
    """LeetCode's binary tree node, word for word."""

    def __init__(
        self, val: int = 0, left: TreeNode | None = None, right: TreeNode | None = None
    ) -> None:
        self.val = val
        self.left = left
        self.right = right


ListNode.__module__ = TreeNode.__module__ = "builtins"  # reprs read <ListNode object at ...>


def _public(module: Any) -> list[str]:
    names = getattr(module, "__all__", None)
    if names is None:
        names = [name for name in vars(module) if not name.startswith("_")]
    return list(names)


def ik_preloaded() -> dict[str, Any]:
    """Every preloaded name and its value (see the module docstring for the rule)."""
    shadowed = set(vars(builtins))
    names: dict[str, Any] = {}
    modules = [importlib.import_module(module_name) for module_name in MODULES]
    for module in modules:
        for name in _public(module):
            if name in shadowed or name.startswith("_"):
                continue
            value = getattr(module, name, None)
            if value is not None:
                names[name] = value
    for module in modules:  # `bisect.bisect_left(...)` needs the module, not bisect.bisect
        names[module.__name__] = module
    names["inf"] = names["math"].inf  # also one of math's names; LeetCode code relies on it
    names["ListNode"] = ListNode
    names["TreeNode"] = TreeNode
    return names


def _install() -> None:
    """Put the names into ``__main__``, keeping anything it already has."""
    main = sys.modules.get("__main__")
    if main is None:
        return
    namespace = vars(main)
    for name, value in ik_preloaded().items():
        namespace.setdefault(name, value)


if __name__ == "sitecustomize":
    _install()
