"""ListNode, TreeNode and char grids in the Java and C++ harnesses, on the real engine.

LeetCode's JSON forms (a list is the array of its values, a tree its level order with
``null`` for a missing child, trailing nulls trimmed, ``[]`` for null) go in and come back
unchanged through an identity method; a candidate's own definition of the classes is used
instead of the built-in one; a returned cycle or shared node is a clear runtime error.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.execution import nodes
from tests.execution.conftest import Program, Runner, languages, show
from tests.execution.helpers import call_suite as suite
from tests.execution.helpers import statuses

COMPILED = languages("java", "cpp")


TREES = nodes.trees()
LISTS = nodes.lists()
CHARS = nodes.ASCII
GRIDS = st.lists(st.lists(CHARS, max_size=6), max_size=6)

IDENTITY = {
    "java": (
        "Solution.java",
        "class Solution {\n"
        "    ListNode list(ListNode x) { return x; }\n"
        "    TreeNode tree(TreeNode x) { return x; }\n"
        "    ListNode[] lists(ListNode[] x) { return x; }\n"
        "    TreeNode[] trees(TreeNode[] x) { return x; }\n"
        "    char[][] grid(char[][] x) { return x; }\n"
        "    char letter(char x) { return x; }\n"
        "}\n",
    ),
    "cpp": (
        "solution.cpp",
        "class Solution {\n"
        "public:\n"
        "    ListNode* list(ListNode* x) { return x; }\n"
        "    TreeNode* tree(TreeNode* x) { return x; }\n"
        "    vector<ListNode*> lists(vector<ListNode*>& x) { return x; }\n"
        "    vector<TreeNode*> trees(vector<TreeNode*>& x) { return x; }\n"
        "    vector<vector<char>> grid(vector<vector<char>>& x) { return x; }\n"
        "    char letter(char x) { return x; }\n"
        "};\n",
    ),
}
KINDS: dict[str, tuple[str, st.SearchStrategy[Any]]] = {
    "list": ("ListNode", LISTS),
    "tree": ("TreeNode", TREES),
    "lists": ("ListNode[]", st.lists(LISTS, max_size=4)),
    "trees": ("TreeNode[]", st.lists(TREES, max_size=4)),
    "grid": ("char[][]", GRIDS),
    "letter": ("char", CHARS),
}


@pytest.mark.parametrize("kind", list(KINDS))
@pytest.mark.parametrize("language", COMPILED)
@settings(
    max_examples=3,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_identity_round_trips(
    runner: Runner, language: str, kind: str, data: st.DataObject
) -> None:
    """f(x) -> x gives back exactly the LeetCode form it was given (many values per run)."""
    type_name, strategy = KINDS[kind]
    values = data.draw(st.lists(strategy, min_size=1, max_size=15), label="values")
    entry, source = IDENTITY[language]
    program = Program(entry, {entry: source})
    tests = [[[value], value] for value in values]
    result = runner.run(program, language, suite=suite(kind, {"x": type_name}, type_name, tests))
    assert result.compile is not None
    assert result.compile.status == "accepted", result.compile.output
    assert statuses(result) == ["accepted"] * len(values), show(result)


# ---------------------------------------------------------------------------- own classes

OWN_CLASSES = {
    "java": (
        "Solution.java",
        "/**\n"
        " * Definition for singly-linked list.\n"
        " * public class ListNode {\n"
        " *     int val;\n"
        " *     ListNode next;\n"
        " * }\n"
        " */\n"
        "public class TreeNode {\n"
        "    int val;\n"
        "    TreeNode left, right;\n"
        "    TreeNode(int x) { val = x; }\n"
        "}\n"
        "class Solution {\n"
        "    public int maxDepth(TreeNode root) {\n"
        "        if (root == null) return 0;\n"
        "        return 1 + Math.max(maxDepth(root.left), maxDepth(root.right));\n"
        "    }\n"
        "    public ListNode reverse(ListNode head) {\n"
        "        ListNode prev = null;\n"
        "        while (head != null) { ListNode next = head.next; head.next = prev; prev = head;"
        " head = next; }\n"
        "        return prev;\n"
        "    }\n"
        "}\n",
    ),
    "cpp": (
        "solution.cpp",
        "/**\n"
        " * Definition for singly-linked list.\n"
        " * struct ListNode {\n"
        " *     int val;\n"
        " *     ListNode *next;\n"
        " * };\n"
        " */\n"
        "struct TreeNode {\n"
        "    int val;\n"
        "    TreeNode *left;\n"
        "    TreeNode *right;\n"
        "    TreeNode(int x) : val(x), left(NULL), right(NULL) {}\n"
        "};\n"
        "class Solution {\n"
        "public:\n"
        "    int maxDepth(TreeNode* root) {\n"
        "        return root ? 1 + max(maxDepth(root->left), maxDepth(root->right)) : 0;\n"
        "    }\n"
        "    ListNode* reverse(ListNode* head) {\n"
        "        ListNode* prev = nullptr;\n"
        "        while (head) { ListNode* next = head->next; head->next = prev; prev = head;"
        " head = next; }\n"
        "        return prev;\n"
        "    }\n"
        "};\n",
    ),
}


@pytest.mark.parametrize("language", COMPILED)
def test_a_candidates_own_node_class_is_used(runner: Runner, language: str) -> None:
    """LeetCode's TreeNode header pasted uncommented (public in Java; one constructor, taking the
    value) is the class the harness builds; the commented ListNode header changes nothing."""
    entry, source = OWN_CLASSES[language]
    program = Program(entry, {entry: source})
    depth = runner.run(
        program,
        language,
        suite=suite(
            "maxDepth",
            {"root": "TreeNode"},
            "int",
            [[[[3, 9, 20, None, None, 15, 7]], 3], [[[]], 0], [[[1, None, 2]], 2]],
        ),
    )
    assert depth.compile is not None
    assert depth.compile.status == "accepted", depth.compile.output
    assert statuses(depth) == ["accepted"] * 3, show(depth)
    reverse = runner.run(
        program,
        language,
        suite=suite(
            "reverse", {"head": "ListNode"}, "ListNode", [[[[1, 2, 3]], [3, 2, 1]], [[[]], []]]
        ),
    )
    assert statuses(reverse) == ["accepted"] * 2, show(reverse)


# ---------------------------------------------------------------------------- broken results

BROKEN = {
    "java": (
        "Solution.java",
        "class Solution {\n"
        "    ListNode loop(ListNode head) {\n"
        "        ListNode tail = head;\n"
        "        while (tail.next != null) tail = tail.next;\n"
        "        tail.next = head.next;\n"
        "        return head;\n"
        "    }\n"
        "    TreeNode shared(TreeNode root) {\n"
        "        root.right = root.left;\n"
        "        return root;\n"
        "    }\n"
        "}\n",
    ),
    "cpp": (
        "solution.cpp",
        "class Solution {\n"
        "public:\n"
        "    ListNode* loop(ListNode* head) {\n"
        "        ListNode* tail = head;\n"
        "        while (tail->next) tail = tail->next;\n"
        "        tail->next = head->next;\n"
        "        return head;\n"
        "    }\n"
        "    TreeNode* shared(TreeNode* root) {\n"
        "        root->right = root->left;\n"
        "        return root;\n"
        "    }\n"
        "};\n",
    ),
}


@pytest.mark.parametrize("language", COMPILED)
def test_a_returned_cycle_or_shared_node_is_a_clear_error(runner: Runner, language: str) -> None:
    entry, source = BROKEN[language]
    program = Program(entry, {entry: source})
    loop = runner.run(
        program,
        language,
        suite=suite("loop", {"head": "ListNode"}, "ListNode", [[[[1, 2, 3]], [1]]]),
    )
    assert statuses(loop) == ["runtime_error"], show(loop)
    message = loop.tests[0].message or ""
    assert "the returned ListNode list has a cycle" in message
    assert "val 2" in message

    shared = runner.run(
        program,
        language,
        suite=suite("shared", {"root": "TreeNode"}, "TreeNode", [[[[1, 2]], [1]]]),
    )
    assert statuses(shared) == ["runtime_error"], show(shared)
    assert "the returned TreeNode is not a tree: the node with val 2 is reached twice" in (
        shared.tests[0].message or ""
    )


BAD_INPUTS: list[tuple[str, Any, str]] = [
    ("TreeNode", [None, 1], "t[0]: a tree's level order cannot start with null"),
    ("TreeNode", [1, None, 2, None, None, 3], "t[5]: this value has no parent"),
    ("TreeNode", [1, 2**31], "t[1]: 2147483648 does not fit in int"),
    ("ListNode", [1, 1.5], "t[1]: expected int, got number 1.5"),
    ("ListNode", None, "expected ListNode (a JSON array of its values, [] for null), got null"),
    (
        "char[][]",
        [["ab"]],
        't[0][0]: expected char (a one-character ASCII string), got the string "ab"',
    ),
    ("char[][]", [["\u00e9"]], "expected char (a one-character ASCII string)"),
]


@pytest.mark.parametrize("language", COMPILED)
def test_bad_node_and_char_inputs_are_clear_errors(runner: Runner, language: str) -> None:
    """The same message in both languages, naming the parameter and the position."""
    for type_name, value, expected in BAD_INPUTS:
        entry, source = IDENTITY[language]
        entry_point = {"TreeNode": "tree", "ListNode": "list", "char[][]": "grid"}[type_name]
        program = Program(entry, {entry: source})
        result = runner.run(
            program,
            language,
            suite=suite(entry_point, {"t": type_name}, type_name, [[[value], []]]),
        )
        assert statuses(result) == ["runtime_error"], show(result)
        message = result.tests[0].message or ""
        assert f"parameter 't' ({type_name})" in message, message
        assert expected in message, message


# ---------------------------------------------------------------------------- LeetCode-style

LEETCODE = {
    "java": (
        "Solution.java",
        "class Solution {\n"
        "    public int numIslands(char[][] grid) {\n"
        "        int count = 0;\n"
        "        for (int i = 0; i < grid.length; i++)\n"
        "            for (int j = 0; j < grid[0].length; j++)\n"
        "                if (grid[i][j] == '1') { count++; sink(grid, i, j); }\n"
        "        return count;\n"
        "    }\n"
        "    void sink(char[][] g, int i, int j) {\n"
        "        if (i < 0 || j < 0 || i >= g.length || j >= g[0].length) return;\n"
        "        if (g[i][j] != '1') return;\n"
        "        g[i][j] = '0';\n"
        "        sink(g, i + 1, j); sink(g, i - 1, j); sink(g, i, j + 1); sink(g, i, j - 1);\n"
        "    }\n"
        "    public ListNode mergeKLists(ListNode[] lists) {\n"
        "        PriorityQueue<ListNode> pq = new PriorityQueue<>((a, b) -> a.val - b.val);\n"
        "        for (ListNode l : lists) if (l != null) pq.add(l);\n"
        "        ListNode dummy = new ListNode(0), tail = dummy;\n"
        "        while (!pq.isEmpty()) {\n"
        "            ListNode n = pq.poll();\n"
        "            tail.next = n; tail = n;\n"
        "            if (n.next != null) pq.add(n.next);\n"
        "        }\n"
        "        return dummy.next;\n"
        "    }\n"
        "}\n",
    ),
    "cpp": (
        "solution.cpp",
        "class Solution {\n"
        "public:\n"
        "    int numIslands(vector<vector<char>>& grid) {\n"
        "        int count = 0;\n"
        "        for (int i = 0; i < (int)grid.size(); i++)\n"
        "            for (int j = 0; j < (int)grid[0].size(); j++)\n"
        "                if (grid[i][j] == '1') { count++; sink(grid, i, j); }\n"
        "        return count;\n"
        "    }\n"
        "    void sink(vector<vector<char>>& g, int i, int j) {\n"
        "        if (i < 0 || j < 0 || i >= (int)g.size() || j >= (int)g[0].size()"
        " || g[i][j] != '1') return;\n"
        "        g[i][j] = '0';\n"
        "        sink(g, i + 1, j); sink(g, i - 1, j); sink(g, i, j + 1); sink(g, i, j - 1);\n"
        "    }\n"
        "    ListNode* mergeKLists(vector<ListNode*>& lists) {\n"
        "        auto cmp = [](ListNode* a, ListNode* b) { return a->val > b->val; };\n"
        "        priority_queue<ListNode*, vector<ListNode*>, decltype(cmp)> pq;\n"
        "        for (auto l : lists) if (l) pq.push(l);\n"
        "        ListNode dummy, *tail = &dummy;\n"
        "        while (!pq.empty()) {\n"
        "            auto n = pq.top(); pq.pop();\n"
        "            tail->next = n; tail = n;\n"
        "            if (n->next) pq.push(n->next);\n"
        "        }\n"
        "        return dummy.next;\n"
        "    }\n"
        "};\n",
    ),
}


@pytest.mark.parametrize("language", COMPILED)
def test_leetcode_grid_and_list_solutions_are_accepted(runner: Runner, language: str) -> None:
    entry, source = LEETCODE[language]
    program = Program(entry, {entry: source})
    grid = [["1", "1", "0", "0"], ["1", "0", "0", "1"], ["0", "0", "1", "1"]]
    islands = runner.run(
        program,
        language,
        suite=suite("numIslands", {"grid": "char[][]"}, "int", [[[grid], 2], [[[["0"]]], 0]]),
    )
    assert statuses(islands) == ["accepted"] * 2, show(islands)
    merged = runner.run(
        program,
        language,
        suite=suite(
            "mergeKLists",
            {"lists": "ListNode[]"},
            "ListNode",
            [
                [[[[1, 4, 5], [1, 3, 4], [2, 6]]], [1, 1, 2, 3, 4, 4, 5, 6]],
                [[[]], []],
                [[[[]]], []],
            ],
        ),
    )
    assert statuses(merged) == ["accepted"] * 3, show(merged)
