"""CPython 3, the Debian interpreter under /usr (a virtualenv's would not be visible)."""

import re

from interviewkit.languages.base import (
    Environment,
    Install,
    LanguageSpec,
    SignatureLike,
    SourceFiles,
    split_type,
)
from interviewkit.languages.diagnostics import ErrorInfo, LanguageDiagnostics
from interviewkit.languages.prelude import python_prelude

PRELUDE_DIR = "__ik_site"
"""Where the prelude goes in the sandbox: ``PYTHONPATH`` names it, so the interpreter
imports ``sitecustomize`` from it at start-up (see ``languages/prelude/python.py``)."""

# LeetCode's comments above a starter that takes or returns its node classes.
NODE_COMMENTS = {
    "ListNode": (
        "# Definition for singly-linked list (predefined, as on LeetCode).\n"
        "# class ListNode:\n"
        "#     def __init__(self, val=0, next=None):\n"
        "#         self.val = val\n"
        "#         self.next = next\n"
    ),
    "TreeNode": (
        "# Definition for a binary tree node (predefined, as on LeetCode).\n"
        "# class TreeNode:\n"
        "#     def __init__(self, val=0, left=None, right=None):\n"
        "#         self.val = val\n"
        "#         self.left = left\n"
        "#         self.right = right\n"
    ),
}


def starter(entry: str, signature: SignatureLike) -> str:
    """A ``Solution`` class whose method returns ``None``, under LeetCode's node comments."""
    names = ", ".join(p.name for p in signature.params)
    used = {split_type(t)[0] for t in [*(p.type for p in signature.params), signature.returns]}
    comments = "".join(NODE_COMMENTS[node] + "\n" for node in NODE_COMMENTS if node in used)
    return f"{comments}class Solution:\n    def {entry}(self, {names}):\n        pass\n"


def prepare(files: SourceFiles) -> SourceFiles:
    """Adds the prelude that preloads LeetCode's names (sources are not rewritten)."""
    return {**files, f"{PRELUDE_DIR}/sitecustomize.py": python_prelude()}


ENVIRONMENT = Environment(
    version="1",
    standard="Python 3.11",
    preloaded=(
        "typing: List, Dict, Set, Tuple, Optional, Union, Any, ... (all of typing.__all__)",
        "collections: deque, defaultdict, Counter, OrderedDict, namedtuple, ChainMap, ...",
        "heapq: heappush, heappop, heapify, heapreplace, heappushpop, nlargest, nsmallest, merge",
        "bisect: bisect_left, bisect_right, insort, insort_left, insort_right",
        "itertools: accumulate, permutations, combinations, product, chain, groupby, "
        "zip_longest, pairwise, islice, count, cycle, ...",
        "functools: lru_cache, cache, reduce, cmp_to_key, partial, total_ordering, ...",
        "math: gcd, lcm, sqrt, isqrt, ceil, floor, log, log2, comb, perm, factorial, prod, "
        "pi, e, inf, ...",
        "string: ascii_lowercase, ascii_uppercase, ascii_letters, digits, punctuation, ...",
        "operator: add, mul, xor, or_, and_, itemgetter, attrgetter, ...",
        "re: match, fullmatch, search, sub, split, findall, finditer, escape, ...",
        "the modules themselves (collections, heapq, bisect, itertools, functools, math, "
        "string, operator, re, typing)",
        "inf (float('inf'))",
        "ListNode, TreeNode (LeetCode's definitions)",
    ),
    notes=(
        "Every public name of typing, collections, heapq, bisect, itertools, functools, math, "
        "string, operator and re is defined before your first line runs (a later module's "
        "name wins; the module names themselves win over members: bisect is the module).",
        "No builtin is shadowed: pow, abs and compile are Python's builtins, not math.pow, "
        "operator.abs or re.compile.",
        "Your own definitions and imports win: they run after the preloaded names are set.",
        "Run and Submit see the same names (plain programs get them in __main__).",
    ),
    starter_note="",
    prepare=prepare,
)


# What its errors mean (the offline tutor explains failures with it).
COMMON_ERRORS: dict[str, ErrorInfo] = {
    "IndexError": ErrorInfo(
        "an index past the end of a list or string",
        "check loop bounds (range(len(x)) vs range(len(x) + 1)), i + 1 / i - 1 at the "
        "ends, and empty input",
    ),
    "KeyError": ErrorInfo(
        "a dictionary lookup for a key that is not there",
        "check `key in d` first, or use `d.get(key)`",
    ),
    "TypeError": ErrorInfo(
        "a value of the wrong type, often None where a list or number was expected",
        "check what each function returns, especially paths that return nothing",
    ),
    "ValueError": ErrorInfo(
        "a value of the right type but an invalid content (e.g. int('') or list.index "
        "of a missing item)",
        "check the value before converting or searching",
    ),
    "ZeroDivisionError": ErrorInfo(
        "a division or modulo by zero",
        "guard the divisor: what if a count, length or difference is 0?",
    ),
    "AttributeError": ErrorInfo(
        "a method or field used on an object that does not have it, often None",
        "check for None before using the value, and the method's spelling",
    ),
    "NameError": ErrorInfo(
        "a name that is not defined: a typo, or a module that is not imported",
        "check the spelling and the imports",
    ),
    "UnboundLocalError": ErrorInfo(
        "a local variable read before it is assigned (on some path)",
        "assign it before the branch or loop that may skip the assignment",
    ),
    "RecursionError": ErrorInfo(
        "recursion too deep: a missing base case, or input too large for recursion",
        "check the base case; for large inputs use a loop with an explicit stack",
    ),
    "MemoryError": ErrorInfo("more memory than allowed", "avoid building huge lists or n*n tables"),
    "StopIteration": ErrorInfo(
        "next() on an exhausted iterator", "give next() a default: next(it, None)"
    ),
    "OverflowError": ErrorInfo(
        "a number too large for a float", "keep integers as int; avoid float('inf') math"
    ),
    "AssertionError": ErrorInfo("an assert that failed", "check the asserted condition"),
    "ModuleNotFoundError": ErrorInfo(
        "an import the sandbox does not have", "use only the standard library"
    ),
    "SyntaxError": ErrorInfo(
        "Python cannot parse the file", "check brackets, colons and quotes near the line"
    ),
    "IndentationError": ErrorInfo(
        "the indentation is inconsistent", "indent every block with the same 4 spaces"
    ),
    "TabError": ErrorInfo("tabs and spaces are mixed", "indent with spaces only"),
}

DETAILS = (
    (re.compile(r"list index out of range"), "an index past the end of a list"),
    (re.compile(r"string index out of range"), "an index past the end of a string"),
    (
        re.compile(r"'NoneType' object has no attribute '(\w+)'"),
        "`.{0}` used on None: a variable or a function result is None (a function "
        "without return gives None)",
    ),
    (
        re.compile(r"'NoneType' object is not (subscriptable|iterable)"),
        "indexing or looping over None: a variable or a function result is None",
    ),
    (
        re.compile(r"name '(\w+)' is not defined"),
        "`{0}` is not defined: a typo, or a name from a module you did not import",
    ),
    (
        re.compile(r"(?:local variable|cannot access local variable) '(\w+)'"),
        "the local variable `{0}` is read before it is assigned",
    ),
    (re.compile(r"maximum recursion depth"), "recursion too deep (no base case reached?)"),
    (
        re.compile(r"unsupported operand type\(s\) for (\S+): '(\w+)' and '(\w+)'"),
        "`{0}` between a {1} and a {2}: the operands have incompatible types",
    ),
    (
        re.compile(r"missing (\d+) required positional argument"),
        "the function takes more parameters than it was called with: does the "
        "signature match the problem's?",
    ),
)

DIAGNOSTICS = LanguageDiagnostics(
    name="Python",
    suffixes=(".py",),
    common_errors=COMMON_ERRORS,
    exception=re.compile(
        r"^(?P<kind>[A-Za-z_][\w.]*(?:Error|Exception|Exit|Interrupt|StopIteration|Warning))"
        r"(?::\s?(?P<message>.*))?$",
        re.MULTILINE,
    ),
    innermost_exception_last=True,
    details=DETAILS,
    frame=re.compile(r'File "(?P<file>[^"]+)", line (?P<line>\d+)'),
    innermost_frame_last=True,
    parse_errors=frozenset({"SyntaxError", "IndentationError", "TabError"}),
    parse_causes=(
        (re.compile(r"was never closed|unexpected EOF"), "an unclosed bracket"),
        (re.compile(r"expected ':'"), "a missing colon after if/for/while/def/class"),
        (re.compile(r"unindent does not match"), "the indentation does not match an outer block"),
        (re.compile(r"expected an indented block"), "an empty block: add its body (or `pass`)"),
        (re.compile(r"unexpected indent"), "a line indented more than the block it is in"),
        (re.compile(r"inconsistent use of tabs"), "tabs and spaces mixed in the indentation"),
        (re.compile(r"unmatched '(.)'"), "an extra closing bracket"),
    ),
    hidden_loops="`x in some_list`, list.index, list.pop(0), list.insert(0, x), slicing or "
    "string += in a loop",
    debug_print=re.compile(r"^\s*print\s*\("),
    loop_nesting="indent",
    library_paths=("site-packages",),
    harness_files=("__ik_harness", "__ik_site"),
)


PYTHON = LanguageSpec(
    name="python",
    diagnostics=DIAGNOSTICS,
    title="Python 3",
    extensions=(".py",),
    default_entry="main.py",
    solution_file="solution.py",
    starter=starter,
    aliases=("py", "python3"),
    install=Install("python", ("python3", "--version"), "python3"),
    tools={"python": "python3"},
    run=("{python}", "-B", "{entry}"),
    version=("{python}", "--version"),
    version_pattern=r"Python (\S+)",
    memory_error_markers=("MemoryError",),
    env={"PYTHONPATH": PRELUDE_DIR},
    environment=ENVIRONMENT,
)
