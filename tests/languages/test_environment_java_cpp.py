"""Java's and C++'s environments as data: what ``prepare`` gives the sandbox, and starters.

The engine tests (tests/execution/test_environment_java_cpp.py) compile and run the result;
these pin the rewriting itself: line numbers kept, ``package`` respected, comments ignored,
a candidate's own ``ListNode``/``TreeNode`` left as the only one.
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from interviewkit.execution.harness import Param, Signature
from interviewkit.languages.c_family import defined_types, strip_comments
from interviewkit.languages.cpp import CPP, PRELUDE_FILE
from interviewkit.languages.java import IMPORTS, JAVA, with_imports

LEETCODE_LIST_HEADER = """\
/**
 * Definition for singly-linked list.
 * public class ListNode {
 *     int val;
 *     ListNode next;
 *     ListNode() {}
 * }
 */
"""


def test_java_imports_go_on_line_one() -> None:
    source = "class Solution {\n    Map<Integer, Integer> m;\n}\n"
    prepared = with_imports(source)
    assert prepared == IMPORTS + source
    assert prepared.count("\n") == source.count("\n")
    assert "import java.util.*;" in prepared.split("\n")[0]
    for package in ("java.util.function", "java.util.stream", "java.math"):
        assert f"import {package}.*;" in IMPORTS


def test_java_imports_follow_a_package_declaration_after_comments() -> None:
    source = "// header\n/* package fake;\n */\npackage com.example.app;\nclass A {}\n"
    prepared = with_imports(source)
    lines = prepared.split("\n")
    assert len(lines) == len(source.split("\n"))
    assert lines[:3] == source.split("\n")[:3]
    assert lines[3] == "package com.example.app; " + IMPORTS
    assert lines[4] == "class A {}"


@given(st.text(alphabet="ab/*\n\"' packgeim;{}.", max_size=60))
def test_java_import_rewrite_only_inserts_the_imports(source: str) -> None:
    """Whatever the text, the imports are inserted once, on line 1 or after ``package ...;``,
    and nothing else changes (so no line moves)."""
    prepared = with_imports(source)
    if prepared == IMPORTS + source:
        return
    at = prepared.index(" " + IMPORTS)
    assert prepared[:at] + prepared[at + len(IMPORTS) + 1 :] == source
    assert prepared[:at].rstrip().endswith(";")
    assert "\n" not in IMPORTS


@given(st.text(max_size=80))
def test_strip_comments_keeps_offsets(source: str) -> None:
    stripped = strip_comments(source)
    assert len(stripped) == len(source)
    assert [i for i, c in enumerate(stripped) if c == "\n"] == [
        i for i, c in enumerate(source) if c == "\n"
    ]


def test_defined_types_ignores_comments_strings_and_forward_declarations() -> None:
    names = ("ListNode", "TreeNode")
    assert defined_types([LEETCODE_LIST_HEADER], names, "class|struct") == set()
    assert defined_types(['const char* s = "struct ListNode {";'], names, "class|struct") == set()
    assert defined_types(["struct ListNode;\nstruct TreeNode;"], names, "class|struct") == set()
    own = "struct TreeNode {\n    int val;\n    TreeNode *left, *right;\n};\n"
    assert defined_types([own], names, "class|struct") == {"TreeNode"}
    assert defined_types(["class ListNode extends Base {}"], names, "class") == {"ListNode"}


def test_java_prepare_adds_only_the_nodes_the_candidate_lacks() -> None:
    files = {"Solution.java": (LEETCODE_LIST_HEADER + "class Solution {}\n").encode()}
    prepared = JAVA.environment.prepare(files)
    assert set(prepared) == {"Solution.java", "__ik_ListNode.java", "__ik_TreeNode.java"}
    assert b"ListNode(int val, ListNode next)" in prepared["__ik_ListNode.java"]
    assert prepared["Solution.java"].startswith(IMPORTS.encode())

    own = b"class TreeNode { int val; TreeNode left, right; }\nclass Solution {}\n"
    prepared = JAVA.environment.prepare({"Solution.java": own})
    assert "__ik_TreeNode.java" not in prepared
    assert "__ik_ListNode.java" in prepared


def test_cpp_prepare_adds_the_prelude_without_the_candidates_own_nodes() -> None:
    files = {"solution.cpp": (LEETCODE_LIST_HEADER + "class Solution {};\n").encode()}
    prelude = CPP.environment.prepare(files)[PRELUDE_FILE].decode()
    assert "#include <bits/stdc++.h>" in prelude
    assert "using namespace std;" in prelude
    assert "ListNode(int x, ListNode *next)" in prelude
    assert "TreeNode(int x, TreeNode *left, TreeNode *right)" in prelude

    own = (
        b"struct ListNode {\n    int val;\n    ListNode *next;\n"
        b"    ListNode(int x) : val(x), next(NULL) {}\n};\n"
    )
    prepared = CPP.environment.prepare({"solution.cpp": own})
    assert prepared["solution.cpp"] == own  # sources are never rewritten
    prelude = prepared[PRELUDE_FILE].decode()
    assert "struct ListNode" not in prelude
    assert "struct TreeNode" in prelude


def test_cpp_compiles_as_cpp20_with_the_prelude() -> None:
    assert CPP.compile is not None
    command = " ".join(CPP.compile)
    assert "-std=c++20" in command
    assert f"-include bits/stdc++.h -include {PRELUDE_FILE}" in command
    assert CPP.environment.standard == "C++20"
    assert JAVA.environment.standard == "Java 17"


def test_starters_know_the_node_and_char_types() -> None:
    signature = Signature(
        params=[
            Param(name="lists", type="ListNode[]"),
            Param(name="grid", type="char[][]"),
            Param(name="k", type="int"),
        ],
        returns="TreeNode",
    )
    assert CPP.starter("solve", signature) == (
        "class Solution {\npublic:\n"
        "    TreeNode* solve(std::vector<ListNode*>& lists,"
        " std::vector<std::vector<char>>& grid, signed& k) {\n"
        "        return {};\n    }\n};\n"
    )
    assert JAVA.starter("solve", signature) == (
        "class Solution {\n"
        "    public TreeNode solve(ListNode[] lists, char[][] grid, int k) {\n"
        "        return null;\n    }\n}\n"
    )
    assert JAVA.environment.starter_note.startswith("// java.util.*")
    assert CPP.environment.starter_note.startswith("// #include <bits/stdc++.h>")


def test_java_leetcode_public_node_header_is_made_package_private() -> None:
    """``public class TreeNode`` in Solution.java would not compile; in TreeNode.java it may."""
    source = "public class TreeNode {\n    int val;\n}\npublic class Solution {}\n"
    prepared = JAVA.environment.prepare({"Solution.java": source.encode()})
    text = prepared["Solution.java"].decode()
    assert text == IMPORTS + "       class TreeNode {\n    int val;\n}\npublic class Solution {}\n"
    assert "__ik_TreeNode.java" not in prepared
    own_file = JAVA.environment.prepare({"TreeNode.java": b"public class TreeNode { int val; }\n"})
    assert own_file["TreeNode.java"].decode() == IMPORTS + "public class TreeNode { int val; }\n"
