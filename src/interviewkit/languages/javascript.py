"""Node.js. V8 needs room beyond the program's heap, which ``--max-old-space-size`` caps."""

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
from interviewkit.languages.prelude import javascript_prelude

PRELUDE_FILE = "__ik_prelude.js"
"""The bundled environment in the sandbox; node ``--require``s it before the entry file."""

# LeetCode's comments above a starter that takes or returns its node classes.
NODE_COMMENTS = {
    "ListNode": (
        "/**\n"
        " * Definition for singly-linked list (predefined, as on LeetCode).\n"
        " * function ListNode(val, next) {\n"
        " *     this.val = (val===undefined ? 0 : val)\n"
        " *     this.next = (next===undefined ? null : next)\n"
        " * }\n"
        " */\n"
    ),
    "TreeNode": (
        "/**\n"
        " * Definition for a binary tree node (predefined, as on LeetCode).\n"
        " * function TreeNode(val, left, right) {\n"
        " *     this.val = (val===undefined ? 0 : val)\n"
        " *     this.left = (left===undefined ? null : left)\n"
        " *     this.right = (right===undefined ? null : right)\n"
        " * }\n"
        " */\n"
    ),
}


def starter(entry: str, signature: SignatureLike) -> str:
    """An empty function (it returns ``undefined``), under LeetCode's node comments."""
    names = ", ".join(p.name for p in signature.params)
    used = {split_type(t)[0] for t in [*(p.type for p in signature.params), signature.returns]}
    comments = "".join(NODE_COMMENTS[node] for node in NODE_COMMENTS if node in used)
    return f"{comments}function {entry}({names}) {{\n}}\n"


def prepare(files: SourceFiles) -> SourceFiles:
    """Adds the bundled prelude; a clear error if ``make install`` never built it."""
    return {**files, PRELUDE_FILE: javascript_prelude()}


ENVIRONMENT = Environment(
    version="1",
    standard="Node.js 20 (ES2023), CommonJS",
    preloaded=(
        "PriorityQueue, MinPriorityQueue, MaxPriorityQueue "
        "(@datastructures-js/priority-queue 6.4.0)",
        "Queue (@datastructures-js/queue 4.3.0)",
        "Deque (@datastructures-js/deque 1.0.8)",
        "_ (lodash 4.18.1)",
        "ListNode, TreeNode (LeetCode's definitions)",
    ),
    notes=(
        "The preloaded names are globals: your own declaration of the same name wins.",
        "A library loads the first time its name is used, so unused ones cost nothing.",
        "In function-call tests, a long beyond 2^53 - 1 arrives as a BigInt (exact).",
    ),
    starter_note="",
    prepare=prepare,
)


# What its errors mean (the offline tutor explains failures with it).
COMMON_ERRORS: dict[str, ErrorInfo] = {
    "TypeError": ErrorInfo(
        "a value of the wrong type, most often undefined or null: an index past the end "
        "of an array, a missing key, or a function that returned nothing",
        "check array bounds (i < arr.length) and that every path returns a value",
    ),
    "ReferenceError": ErrorInfo(
        "a variable that is not declared (a typo), or used before its let/const line",
        "check the spelling and declare variables before use",
    ),
    "RangeError": ErrorInfo(
        "a value out of range: recursion too deep (call stack), an invalid array length, "
        "or a BigInt division by zero",
        "check the base case of recursive functions and the sizes you allocate",
    ),
    "SyntaxError": ErrorInfo(
        "JavaScript cannot parse the file",
        "check brackets, commas and parentheses on this line and the line before",
    ),
    "Error": ErrorInfo("an error thrown by your code", "check the condition that throws"),
}

DETAILS = (
    (
        re.compile(r"Cannot read propert(?:y|ies) of (undefined|null) \(reading '([^']*)'\)"),
        "reading `.{1}` of {0}: often an index past the end of an array (arr[i] with "
        "i >= arr.length), a missing key, or a variable that was never assigned",
    ),
    (
        re.compile(r"Cannot set propert(?:y|ies) of (undefined|null)"),
        "writing a property of {0}: the object was never created",
    ),
    (re.compile(r"(\S+) is not a function"), "`{0}` is called but is not a function"),
    (re.compile(r"(\S+) is not iterable"), "looping over `{0}`, which is not iterable"),
    (
        re.compile(r"(\w+) is not defined"),
        "`{0}` is not declared: a typo, or a missing let/const",
    ),
    (
        re.compile(r"Cannot access '(\w+)' before initialization"),
        "`{0}` is used before its let/const line runs",
    ),
    (re.compile(r"Assignment to constant variable"), "a const variable is reassigned"),
    (re.compile(r"Maximum call stack size exceeded"), "recursion too deep"),
    (re.compile(r"Division by zero"), "a BigInt division by zero"),
    (re.compile(r"Invalid array length"), "an array created with a negative or huge size"),
)

DIAGNOSTICS = LanguageDiagnostics(
    name="JavaScript",
    suffixes=(".js", ".cjs", ".mjs"),
    common_errors=COMMON_ERRORS,
    exception=re.compile(
        r"^(?:Uncaught\s+)?(?P<kind>[A-Z]\w*(?:Error|Exception)|Error)(?::\s?(?P<message>.*))?$",
        re.MULTILINE,
    ),
    details=DETAILS,
    frame=re.compile(
        r"(?:^|[\s(])(?P<file>(?:file://)?[^\s():]+\.(?:js|cjs|mjs)):(?P<line>\d+)(?::\d+)?",
        re.MULTILINE,
    ),
    parse_errors=frozenset({"SyntaxError"}),
    parse_causes=(
        (re.compile(r"end of input"), "an unclosed bracket"),
        (re.compile(r"Unexpected token"), "a missing or extra bracket, comma or operator"),
        (re.compile(r"missing \) after argument list"), "a missing `)` in a call"),
        (re.compile(r"has already been declared"), "a variable declared twice"),
        (re.compile(r"Unexpected identifier"), "a missing comma, operator or semicolon"),
    ),
    hidden_loops="indexOf / includes on arrays, shift(), splice, spreading arrays in a loop",
    debug_print=re.compile(r"\bconsole\.(log|error|info)\s*\(|process\.stdout\.write"),
    library_paths=("node:", "internal/", "node_modules"),
    harness_files=("harness.js", "__ik_harness", "__ik_prelude"),
)


JAVASCRIPT = LanguageSpec(
    name="javascript",
    diagnostics=DIAGNOSTICS,
    title="JavaScript (Node.js)",
    extensions=(".js", ".mjs", ".cjs"),
    editor_extensions=(".js", ".mjs", ".cjs", ".jsx"),
    default_entry="main.js",
    solution_file="solution.js",
    starter=starter,
    aliases=("js", "node"),
    startup_allowance_s=0.5,
    install=Install("javascript (node)", ("node", "--version"), "nodejs"),
    tools={"node": "node"},
    run=(
        "{node}",
        "--max-old-space-size={memory_mb}",
        "--stack-size=16000",
        "--require={work}/" + PRELUDE_FILE,
        "{entry}",
    ),
    version=("{node}", "--version"),
    version_pattern=r"v(\S+)",
    memory_allowance_mb=128,
    memory_error_markers=("JavaScript heap out of memory", "Reached heap limit"),
    environment=ENVIRONMENT,
)
