"""ListNode, TreeNode and char in the Python and JavaScript harnesses, run for real.

Every test goes through the engine on the real sandbox (with each language's environment
prepared, as the server does): a suite of many tests is one sandbox run, so a property
draws a batch of values per example. Values are LeetCode's JSON forms: a list is the array
of its values, a tree its level order with trailing nulls trimmed, ``[]`` is null.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from interviewkit.execution.schemas import ExecutionResult
from tests.execution.conftest import Program, Runner, languages, show
from tests.execution.helpers import call_suite as suite

INT32 = st.sampled_from([0, -1, 2**31 - 1, -(2**31)]) | st.integers(-(2**31), 2**31 - 1)
Tree = tuple[int, "Tree | None", "Tree | None"]

IDENTITY = {
    "python": Program("solution.py", {"solution.py": "class Solution:\n    def f(self, x):\n"
                                                     "        return x\n"}),
    "javascript": Program("solution.js", {"solution.js": "var f = function (x) {\n"
                                                         "  return x;\n};\n"}),
}  # fmt: skip


def trees() -> st.SearchStrategy[Tree | None]:
    """Random binary trees of int32 values, as nested (val, left, right) tuples."""
    return st.recursive(
        st.none(),
        lambda children: st.tuples(INT32, children, children),
        max_leaves=24,
    )


def level_order(tree: Tree | None) -> list[int | None]:
    """LeetCode's serialisation, written independently of the harnesses'."""
    out: list[int | None] = []
    level: list[Tree | None] = [tree]
    while any(node is not None for node in level):
        below: list[Tree | None] = []
        for node in level:
            if node is None:
                out.append(None)
            else:
                out.append(node[0])
                below += [node[1], node[2]]
        level = below
    return trim(out)  # a null's children are never written; trailing nulls are trimmed


def trim(values: list[int | None]) -> list[int | None]:
    while values and values[-1] is None:
        values.pop()
    return values


def canonical_trees() -> st.SearchStrategy[list[int | None]]:
    """Level orders of random trees, as LeetCode writes them."""
    return trees().map(level_order)


def chars() -> st.SearchStrategy[str]:
    return st.sampled_from(["0", "1", '"', "\\", "\x00", "\x7f"]) | st.characters(max_codepoint=127)


VALUES: dict[str, st.SearchStrategy[Any]] = {
    "ListNode": st.lists(INT32, max_size=12),
    "TreeNode": canonical_trees(),
    "ListNode[]": st.lists(st.lists(INT32, max_size=6), max_size=4),
    "TreeNode[]": st.lists(canonical_trees(), max_size=3),
    "char[][]": st.lists(st.lists(chars(), max_size=4), max_size=4),
}


def run_suite(
    runner: Runner, language: str, source: str, entry: str, params: dict[str, str],
    returns: str, tests: list[Any],
) -> ExecutionResult:  # fmt: skip
    program = IDENTITY[language]
    files = {program.entry: source}
    return runner.run(program, language, suite=suite(entry, params, returns, tests), files=files)


def messages(result: ExecutionResult) -> list[str]:
    return [test.message or "" for test in result.tests]


@pytest.mark.parametrize("language", languages("python", "javascript"))
@pytest.mark.parametrize("type_name", list(VALUES))
@settings(
    max_examples=3,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_identity_round_trip(
    runner: Runner, language: str, type_name: str, data: st.DataObject
) -> None:
    """f(x) -> x returns every list, tree, list of them and char grid unchanged."""
    values = data.draw(st.lists(VALUES[type_name], min_size=1, max_size=25), label="values")
    program = IDENTITY[language]
    result = runner.run(
        program, language, suite=suite("f", {"x": type_name}, type_name,
                                       [([value], value) for value in values]),
    )  # fmt: skip
    assert [test.actual for test in result.tests] == values, show(result)
    assert result.passed == len(values), show(result)


PY_NODES = """\
class Solution:
    def f(self, head: Optional[ListNode], root: Optional[TreeNode], mode: str):
        if mode == "list-cycle":
            head.next.next = head
            return head
        if mode == "merge":
            dummy = tail = ListNode()
            node = head
            while node:
                tail.next = ListNode(node.val * 2)
                tail, node = tail.next, node.next
            return dummy.next
        if mode == "tree-cycle":
            root.left.left = root
            return root
        if mode == "tree-shared":
            root.right = root.left
            return root
        if mode == "mirror":
            def flip(node):
                if node:
                    node.left, node.right = flip(node.right), flip(node.left)
                return node
            return flip(root)
        if mode == "not-a-node":
            return 42
        return None
"""
JS_NODES = """\
var f = function (head, root, mode) {
  if (mode === "list-cycle") { head.next.next = head; return head; }
  if (mode === "merge") {
    const dummy = new ListNode();
    let tail = dummy;
    for (let node = head; node; node = node.next) {
      tail.next = new ListNode(node.val * 2);
      tail = tail.next;
    }
    return dummy.next;
  }
  if (mode === "tree-cycle") { root.left.left = root; return root; }
  if (mode === "tree-shared") { root.right = root.left; return root; }
  if (mode === "mirror") {
    const flip = (node) => {
      if (node) [node.left, node.right] = [flip(node.right), flip(node.left)];
      return node;
    };
    return flip(root);
  }
  if (mode === "not-a-node") return 42;
  return null;
};
"""
NODE_SOURCES = {"python": PY_NODES, "javascript": JS_NODES}


@pytest.mark.parametrize("language", languages("python", "javascript"))
def test_node_returns_cycles_and_input_errors(runner: Runner, language: str) -> None:
    """Candidates build nodes with LeetCode's classes without defining them; a cycle or a
    shared node is a clear error, not a hang; a value out of range is a per-test error."""
    tree = [1, 2, 3, None, 4]
    list_tree = {"head": "ListNode", "root": "TreeNode", "mode": "string"}
    cases: list[tuple[str, str, list[Any], Any]] = [
        ("merge", "ListNode", [[1, 2, 3], [], "merge"], [2, 4, 6]),
        ("mirror", "TreeNode", [[], tree, "mirror"], [1, 3, 2, None, None, 4]),
        ("null list", "ListNode", [[], [], "none"], []),
        ("null tree", "TreeNode", [[], [], "none"], []),
        ("trailing nulls", "TreeNode", [[], [1, None, 2, None, None], "mirror"], [1, 2]),
    ]
    for name, returns, args, expected in cases:
        result = run_suite(
            runner, language, NODE_SOURCES[language], "f", list_tree, returns, [(args, expected)]
        )
        assert result.tests[0].actual == expected, (name, show(result))
        assert result.tests[0].status == "accepted", (name, show(result))

    failures: list[tuple[str, list[Any], str]] = [
        ("ListNode", [[1, 2, 3], [], "list-cycle"], "returned ListNode has a cycle"),
        ("TreeNode", [[], tree, "tree-cycle"], "returned TreeNode reaches a node twice"),
        ("TreeNode", [[], tree, "tree-shared"], "returned TreeNode reaches a node twice"),
        ("ListNode", [[1, 2**31], [], "none"], "at head[1]: 2147483648 does not fit in int"),
        ("ListNode", [[1, 2.5], [], "none"], "at head[1]: expected int, got number 2.5"),
        ("TreeNode", [[], [1, None, None, 3], "none"], "at root[3]: a value whose parent is null"),
        ("TreeNode", [[], [None, 1], "none"], "at root[1]: a value below a null root"),
        ("TreeNode", [[], ["1"], "none"], "at root[0]: expected int, got string"),
        ("ListNode", [{"val": 1}, [], "none"], "expected ListNode (an array of int), got object"),
    ]
    for returns, args, message in failures:
        result = run_suite(
            runner, language, NODE_SOURCES[language], "f", list_tree, returns, [(args, None)]
        )
        assert result.tests[0].status == "runtime_error", (message, show(result))
        assert message in messages(result)[0], (message, show(result))


@pytest.mark.parametrize("language", languages("python", "javascript"))
def test_scalar_ranges_and_chars(runner: Runner, language: str) -> None:
    """int is 32-bit and long 64-bit: a value outside is an input error, never narrowed;
    a char is one ASCII character; a char[][] grid is LeetCode's number-of-islands input."""
    sources = {
        "python": "def f(grid, n, big):\n    return sum(row.count('1') for row in grid) + n\n",
        "javascript": "function f(grid, n, big) {\n"
        "  return grid.flat().filter((c) => c === '1').length + n;\n}\n",
    }
    params = {"grid": "char[][]", "n": "int", "big": "long"}
    grid = [["1", "1", "0"], ["0", "1", "0"]]
    tests: list[tuple[list[Any], Any]] = [
        ([grid, 1, 2**63 - 1], 4),
        ([grid, 2**31, 0], None),
        ([grid, -(2**31) - 1, 0], None),
        ([grid, 1, 2**63], None),
        ([[["10"]], 1, 0], None),
        ([[["é"]], 1, 0], None),
        ([[[1]], 1, 0], None),
    ]
    result = run_suite(runner, language, sources[language], "f", params, "int", tests)
    assert result.tests[0].status == "accepted", show(result)
    got = messages(result)
    assert "parameter 'n' (int): 2147483648 does not fit in int" in got[1]
    assert "parameter 'n' (int): -2147483649 does not fit in int" in got[2]
    assert "parameter 'big' (long): 9223372036854775808 does not fit in long" in got[3]
    assert 'at grid[0][0]: expected char (a one-character ASCII string), got "10"' in got[4]
    assert 'got "é"' in got[5]
    assert "at grid[0][0]: expected char (a one-character ASCII string), got number" in got[6]
    assert all(test.status == "runtime_error" for test in result.tests[1:]), show(result)


OWN_CLASSES = {
    "python": """\
# LeetCode's commented definition, pasted uncommented, with a different constructor
class ListNode:
    def __init__(self, x):
        self.val = x
        self.next = None
        self.mine = True


class TreeNode:
    def __init__(self, x):
        self.val = x
        self.left = self.right = None
        self.mine = True


class Solution:
    def f(self, head, root):
        assert head.mine and root.mine and root.left.mine
        return [head.next.val, root.left.val]
""",
    "javascript": """\
class ListNode {
  constructor(x) { this.val = x; this.next = null; this.mine = true; }
}
function TreeNode(x) { this.val = x; this.left = this.right = null; this.mine = true; }
var f = function (head, root) {
  if (!(head.mine && root.mine && root.left.mine)) throw new Error("not my classes");
  return [head.next.val, root.left.val];
};
""",
}


@pytest.mark.parametrize("language", languages("python", "javascript"))
def test_candidates_own_node_classes_win(runner: Runner, language: str) -> None:
    """A candidate who defines ListNode/TreeNode gets inputs built with theirs: no duplicate
    definition error, and their fields are there."""
    params = {"head": "ListNode", "root": "TreeNode"}
    result = run_suite(
        runner, language, OWN_CLASSES[language], "f", params, "int[]", [([[1, 2], [3, 4]], [2, 4])]
    )
    assert result.tests[0].status == "accepted", show(result)
