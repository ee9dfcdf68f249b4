"""Node.js. V8 needs room beyond the program's heap, which ``--max-old-space-size`` caps."""

import re

from interviewkit.languages.base import Install, LanguageSpec, SignatureLike
from interviewkit.languages.diagnostics import ErrorInfo, LanguageDiagnostics


def starter(entry: str, signature: SignatureLike) -> str:
    """An empty function: it returns ``undefined``."""
    names = ", ".join(p.name for p in signature.params)
    return f"function {entry}({names}) {{\n}}\n"


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
    harness_files=("harness.js", "__ik_harness"),
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
    run=("{node}", "--max-old-space-size={memory_mb}", "--stack-size=16000", "{entry}"),
    version=("{node}", "--version"),
    version_pattern=r"v(\S+)",
    memory_allowance_mb=128,
    memory_error_markers=("JavaScript heap out of memory", "Reached heap limit"),
)
