"""LeetCode's Python and JavaScript environments: what code may use without imports.

Real sandbox runs through the engine (plain runs and function-call suites, so Run and Submit
are both covered), plus checks that what the specs list for the docs and
``GET /api/v1/languages`` is what the sandbox really has.
"""

from __future__ import annotations

import builtins
import importlib
import json
import re
from pathlib import Path
from typing import Any

import pytest

from interviewkit.execution.harness import Signature
from interviewkit.languages import get
from interviewkit.languages.prelude import PreludeMissingError, _read_javascript
from interviewkit.languages.prelude.python import MODULES, ik_preloaded
from tests.execution.conftest import Program, Runner, languages, show

ROOT = Path(__file__).resolve().parents[2]

PY_PLAIN = """\
import builtins
import json

defaultdict = "mine"  # the candidate's own definition wins
print(json.dumps({
    "name": __name__,
    "pow": [pow(2, 3), type(pow(2, 3)).__name__, pow(3, 4, 5)],
    "builtins": [abs is builtins.abs, compile is builtins.compile, max is builtins.max],
    "defaultdict": defaultdict,
    "names": [
        deque([1, 2]).pop(), Counter("aab")["a"], nsmallest(1, [3, 1]),
        bisect_left([1, 2, 3], 2), bisect.bisect_right([1, 2], 2), list(accumulate([1, 2, 3])),
        list(combinations([1, 2, 3], 2))[0], reduce(xor, [1, 2, 3]), gcd(12, 18), isqrt(17),
        comb(5, 2), ascii_lowercase[:3], inf > 10**18, math.floor(2.5), List[int] is not None,
        str(Optional[int]), lru_cache(None)(lambda: 7)(), sub("a", "b", "aa"),
    ],
    "nodes": [ListNode(1).next, TreeNode(2).left, ListNode(3, ListNode(4)).next.val],
}))
1 // 0
"""

PY_CALL = """\
class Solution:
    def topKFrequent(self, nums: List[int], k: int) -> List[int]:
        counts = Counter(nums)
        heap: List[Tuple[int, int]] = []
        for value, count in counts.items():
            heappush(heap, (count, value))
            if len(heap) > k:
                heappop(heap)
        return sorted(value for _, value in heap)

    def mine(self, n: int) -> str:
        return defaultdict(n)

    def search(self, nums: List[int], target: int) -> int:  # re.search is preloaded too
        i = bisect_left(nums, target)
        return i if i < len(nums) and nums[i] == target else -1


def defaultdict(n):
    return f"my defaultdict({n})"
"""


def test_python_plain_run_has_leetcodes_names(runner: Runner) -> None:
    """A plain ``python3 main.py`` sees the preloaded names in ``__main__``; its own
    definitions win, builtins stay builtins, and a traceback shows only its own frames."""
    result = runner.run(Program("main.py", {"main.py": PY_PLAIN}), "python")
    assert result.run is not None
    checks = json.loads(result.run.stdout)
    assert checks["name"] == "__main__"
    assert checks["pow"] == [8, "int", 1]
    assert checks["builtins"] == [True, True, True]
    assert checks["defaultdict"] == "mine"
    assert checks["names"] == [
        *[2, 2, [1], 1, 2, [1, 3, 6], [1, 2], 0, 6, 4, 10, "abc", True, 2, True],
        *["typing.Optional[int]", 7, "bb"],
    ]
    assert checks["nodes"] == [None, None, 4]
    stderr = result.run.stderr
    assert 'File "/work/main.py", line 19, in <module>' in stderr, stderr
    assert stderr.rstrip().endswith("ZeroDivisionError: integer division or modulo by zero")
    assert "__ik" not in stderr, stderr
    assert "sitecustomize" not in stderr, stderr


def test_python_call_tests_use_the_same_names(runner: Runner) -> None:
    """Submit sees what Run sees: LeetCode-style code without imports is accepted, the
    candidate's own ``defaultdict`` replaces the preloaded one, and ``Solution.search`` is
    the entry point although ``search`` (re.search) is a preloaded function."""
    program = Program("solution.py", {"solution.py": PY_CALL})
    top_k = {
        "entry_point": "topKFrequent",
        "signature": {
            "params": [{"name": "nums", "type": "int[]"}, {"name": "k", "type": "int"}],
            "returns": "int[]",
        },
        "tests": [
            {"name": "example", "input": [[1, 1, 1, 2, 2, 3], 2], "expected": [1, 2]},
            {"name": "one", "input": [[1], 1], "expected": [1]},
        ],
    }
    result = runner.run(program, "python", suite=top_k)
    assert result.passed == 2, show(result)
    mine = {
        "entry_point": "mine",
        "signature": {"params": [{"name": "n", "type": "int"}], "returns": "string"},
        "tests": [{"name": "own", "input": [3], "expected": "my defaultdict(3)"}],
    }
    result = runner.run(program, "python", suite=mine)
    assert result.passed == 1, show(result)
    search = {
        "entry_point": "search",
        "signature": {
            "params": [{"name": "nums", "type": "int[]"}, {"name": "target", "type": "int"}],
            "returns": "int",
        },
        "tests": [{"name": "found", "input": [[-1, 0, 3, 5, 9, 12], 9], "expected": 4}],
    }
    result = runner.run(program, "python", suite=search)
    assert result.passed == 1, show(result)


JS_PLAIN = """\
const q = new MinPriorityQueue();
[5, 1, 3].forEach((x) => q.enqueue(x));
const m = new MaxPriorityQueue((x) => x.score);
m.enqueue({ score: 2 }).enqueue({ score: 9 });
const p = new PriorityQueue((a, b) => a[1] - b[1]);
p.enqueue(["a", 3]).enqueue(["b", 1]);
const queue = new Queue([1, 2, 3]);
const deque = new Deque([1, 2, 3]);
deque.pushFront(0);
console.log(JSON.stringify([
  q.dequeue(), q.size(), m.dequeue().score, p.dequeue()[0], queue.dequeue(), queue.size(),
  deque.popFront(), deque.popBack(), _.chunk([1, 2, 3], 2), _.sum([1, 2]),
  new ListNode(1).next, new TreeNode(2).left, String(ListNode).startsWith("function ListNode"),
]));
null.x;
"""
JS_OWN = """\
const _ = { chunk: () => "mine" };
class Queue { dequeue() { return "my queue"; } }
console.log(_.chunk([1]), new Queue().dequeue(), typeof Deque);
"""
JS_CALL = """\
/**
 * @param {number[]} nums
 * @param {number} k
 * @return {number}
 */
var findKthLargest = function (nums, k) {
  const heap = new MinPriorityQueue();
  for (const n of nums) {
    heap.enqueue(n);
    if (heap.size() > k) heap.dequeue();
  }
  return heap.front();
};
"""


def test_javascript_plain_run_has_leetcodes_globals(runner: Runner) -> None:
    """The npm globals work without a require; an error points at the candidate's line."""
    result = runner.run(Program("main.js", {"main.js": JS_PLAIN}), "javascript")
    assert result.run is not None
    assert json.loads(result.run.stdout) == [
        *[1, 2, 9, "b", 1, 2, 0, 3, [[1, 2], [3]], 3, None, None, True],
    ], show(result)
    assert "/work/main.js:15" in result.run.stderr, show(result)
    own = runner.run(Program("main.js", {"main.js": JS_OWN}), "javascript")
    assert own.run is not None
    assert own.run.stdout == "mine my queue function\n", show(own)


def test_javascript_call_tests_use_the_same_globals(runner: Runner) -> None:
    program = Program("solution.js", {"solution.js": JS_CALL})
    suite = {
        "entry_point": "findKthLargest",
        "signature": {
            "params": [{"name": "nums", "type": "int[]"}, {"name": "k", "type": "int"}],
            "returns": "int",
        },
        "tests": [
            {"name": "example", "input": [[3, 2, 1, 5, 6, 4], 2], "expected": 5},
            {"name": "dups", "input": [[3, 2, 3, 1, 2, 4, 5, 5, 6], 4], "expected": 4},
        ],
    }
    result = runner.run(program, "javascript", suite=suite)
    assert result.passed == 2, show(result)


# ---------------------------------------------------------------- what the specs say


def test_python_preloaded_names_follow_the_rule() -> None:
    """Every public name of the modules, no builtin shadowed, the modules themselves."""
    names = ik_preloaded()
    assert not set(names) & set(vars(builtins)), "a builtin is shadowed"
    for module_name in MODULES:
        module = importlib.import_module(module_name)
        assert names[module_name] is module
        public = getattr(module, "__all__", None) or [n for n in vars(module) if n[0] != "_"]
        missing = {n for n in public if n not in vars(builtins) and n not in names}
        assert not missing, (module_name, missing)
    assert names["Counter"] is importlib.import_module("collections").Counter
    assert names["inf"] == float("inf")


def test_python_environment_lists_only_real_names() -> None:
    """The docs' lines (``module: a, b, ...``) name things the sandbox really preloads."""
    names = ik_preloaded()
    environment = get("python").environment
    assert environment.standard == "Python 3.11"
    listed = 0
    for line in environment.preloaded:
        module_name, colon, rest = line.partition(": ")
        if not colon:
            continue
        module = importlib.import_module(module_name)
        for name in re.findall(r"[A-Za-z_]\w*", rest.split("(")[0]):
            assert name in names, (line, name)
            assert getattr(module, name) is names[name], (line, name)
            listed += 1
    assert listed > 60


def test_javascript_environment_names_the_locked_packages() -> None:
    """The versions the docs show are the ones package.json pins (and the bundle holds)."""
    dependencies = json.loads((ROOT / "web" / "package.json").read_text())["dependencies"]
    text = "\n".join(get("javascript").environment.preloaded)
    for package in (
        "@datastructures-js/priority-queue",
        "@datastructures-js/queue",
        "@datastructures-js/deque",
        "lodash",
    ):
        assert f"{package} {dependencies[package]}" in text


def test_missing_javascript_prelude_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(PreludeMissingError, match=r"not built: run `make install`"):
        _read_javascript(tmp_path / "javascript.js")


@pytest.mark.parametrize("language", languages("python", "javascript"))
def test_starters_show_leetcodes_node_comments(language: str) -> None:
    spec = get(language)
    signature = Signature.model_validate(
        {"params": [{"name": "lists", "type": "ListNode[]"}], "returns": "ListNode"}
    )
    text = spec.starter("mergeKLists", signature)
    assert "Definition for singly-linked list" in text
    assert "binary tree" not in text
    tree: dict[str, Any] = {"params": [{"name": "root", "type": "TreeNode"}], "returns": "int"}
    text = spec.starter("maxDepth", Signature.model_validate(tree))
    assert "Definition for a binary tree node" in text
    assert "maxDepth(" in text
