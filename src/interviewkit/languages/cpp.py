"""C++20 with g++ -O2: every ``.cpp``/``.cc`` file compiled and linked once.

Its environment is LeetCode's: ``-std=c++20`` (``priority_queue<T, vector<T>,
decltype(cmp)>`` with a lambda ``cmp`` needs it), and every source starts as if it opened
with ``#include <bits/stdc++.h>`` and ``using namespace std;`` plus LeetCode's ``ListNode``
and ``TreeNode`` (unless the candidate defines them): g++ ``-include __ik_prelude.h``, so
the candidate's line numbers stay theirs.
"""

import re
from functools import cache
from pathlib import Path

from interviewkit.languages.base import (
    Environment,
    Install,
    LanguageSpec,
    PrecompiledHeader,
    SignatureLike,
    SourceFiles,
    split_type,
)
from interviewkit.languages.c_family import defined_types
from interviewkit.languages.diagnostics import ErrorInfo, LanguageDiagnostics

_SCALARS = {
    # `signed` is `int`, spelled so that a candidate's `#define int long long` cannot change it.
    "int": "signed",
    "long": "long long",
    "double": "double",
    "bool": "bool",
    "string": "std::string",
    "char": "char",
    "ListNode": "ListNode*",
    "TreeNode": "TreeNode*",
}
PRELUDE_FILE = "__ik_prelude.h"
"""Given to every compilation with ``-include``: the standard library and LeetCode's nodes."""
NODE_CLASSES = ("ListNode", "TreeNode")
_PRELUDE = Path(__file__).resolve().parent / "prelude"


def cpp_type(type_name: str) -> str:
    """``int[][]`` -> ``std::vector<std::vector<signed>>``, ``TreeNode`` -> ``TreeNode*``."""
    base, dims = split_type(type_name)
    result = _SCALARS[base]
    for _ in range(dims):
        result = f"std::vector<{result}>"
    return result


def starter(entry: str, signature: SignatureLike) -> str:
    """A ``Solution`` class whose method returns a value-initialised result (``{}``).

    Parameters are references (``ListNode*& head``): the text ``problems generate`` has
    always written, which the harness calls with lvalues of exactly these types.
    """
    args = ", ".join(f"{cpp_type(p.type)}& {p.name}" for p in signature.params)
    return (
        f"class Solution {{\npublic:\n    {cpp_type(signature.returns)} {entry}({args})"
        " {\n        return {};\n    }\n};\n"
    )


@cache
def _prelude_part(name: str) -> str:
    return (_PRELUDE / name).read_text(encoding="utf-8")


def prelude(defined: set[str]) -> str:
    """The ``-include`` header: ``bits/stdc++.h``, ``using namespace std`` and the nodes that
    the candidate does not define."""
    parts = [_prelude_part("cpp_prelude.h")]
    parts += [_prelude_part(f"cpp_{name}.h") for name in NODE_CLASSES if name not in defined]
    return "".join(parts)


def prepare(files: SourceFiles) -> SourceFiles:
    """The workspace plus :data:`PRELUDE_FILE`, without the nodes a candidate's source defines."""
    candidate = [
        content.decode("utf-8", "replace")
        for path, content in files.items()
        if not Path(path).name.startswith("__ik_") and CPP.owns(path)
    ]
    defined = defined_types(candidate, NODE_CLASSES, "class|struct")
    return {**files, PRELUDE_FILE: prelude(defined).encode("utf-8")}


ENVIRONMENT = Environment(
    version="2",
    standard="C++20",
    preloaded=(
        "#include <bits/stdc++.h> (the whole standard library)",
        "using namespace std;",
        "ListNode (val, next) and TreeNode (val, left, right), LeetCode's definitions",
    ),
    notes=(
        "Compiled with g++ -O2 -std=c++20.",
        "Define ListNode or TreeNode yourself (e.g. LeetCode's header comment, uncommented) "
        "and yours is used instead of the built-in one.",
        "A parameter narrower than the signature's type (int where it says long) is "
        "rejected, never silently cut.",
    ),
    starter_note=(
        "// #include <bits/stdc++.h> and using namespace std; are in effect; "
        "ListNode and TreeNode are defined as on LeetCode"
    ),
    prepare=prepare,
)


# What its errors mean (the offline tutor explains failures with it).
COMMON_ERRORS: dict[str, ErrorInfo] = {
    "SIGSEGV": ErrorInfo(
        "a segmentation fault: most likely an out-of-bounds access (v[i] with i >= "
        "v.size()), a null or dangling pointer, or recursion too deep",
        "check every index against size(), and pointers before dereferencing",
    ),
    "SIGFPE": ErrorInfo(
        "an arithmetic error: an integer division or modulo by zero (or INT_MIN / -1)",
        "guard every divisor",
    ),
    "SIGABRT": ErrorInfo(
        "the program aborted: an uncaught exception, a failed assert, or corrupted "
        "memory detected by the allocator",
        "look for out-of-bounds writes and unhandled exceptions",
    ),
    "SIGILL": ErrorInfo(
        "an illegal instruction: usually a non-void function that reaches its end "
        "without return (g++ -O2 traps there)",
        "make sure every path of every non-void function returns a value",
    ),
    "SIGKILL": ErrorInfo(
        "the program was killed from outside, usually for going over a resource limit",
        "look for runaway loops, recursion or allocations",
    ),
    "SIGBUS": ErrorInfo(
        "a bus error: a misaligned or invalid memory access", "check pointer arithmetic"
    ),
    "std::out_of_range": ErrorInfo(
        "an index past the end, caught by .at() (or a bad substr position)",
        "check the index against size() before .at()",
    ),
    "std::bad_alloc": ErrorInfo(
        "an allocation failed: too much memory, or a huge or negative size",
        "check the sizes you reserve or resize to",
    ),
    "std::length_error": ErrorInfo(
        "a container resized beyond its maximum, often from a negative size converted to size_t",
        "check the size expression",
    ),
    "std::invalid_argument": ErrorInfo(
        "an invalid argument, e.g. stoi on a non-number", "check the argument"
    ),
    "std::logic_error": ErrorInfo("a logic error thrown by your code", "check its condition"),
    "std::runtime_error": ErrorInfo("a runtime error thrown by your code", "check its condition"),
}

DETAILS = (
    (
        re.compile(r"__n \(which is (\d+)\) >= this->size\(\) \(which is (\d+)\)"),
        "an index past the end: index {0} on a vector of size {1}",
    ),
)

COMPILE_CAUSES = (
    (
        re.compile(r"expected '[,;]'( or '[,;]')? before|expected ';'"),
        "a missing semicolon `;`: it belongs at the end of the statement just before this "
        "point (often the end of the previous line)",
    ),
    (
        re.compile(r"'([\w:]+)' was not declared in this scope"),
        "`{0}` is not declared here: a typo, a variable declared inside another block "
        "(a loop or if), or a missing #include / std::",
    ),
    (
        re.compile(r"'([\w:]+)' does not name a type|'([\w:]+)' has not been declared"),
        "an unknown type name: a typo, or a missing #include or std::",
    ),
    (
        re.compile(r"no return statement|control reaches end"),
        "missing return: some path through the function ends without returning a value",
    ),
    (
        re.compile(
            r"incompatible types|cannot convert|could not convert|invalid conversion"
            r"|no viable conversion"
        ),
        "a type mismatch: the value's type is not the one the variable, parameter or "
        "return type needs",
    ),
    (re.compile(r"expected '}' at end of input"), "an unclosed brace `{`"),
    (
        re.compile(r"expected unqualified-id|expected declaration"),
        "code outside a class or function: often an extra closing brace `}` just before",
    ),
    (
        re.compile(r"redeclaration|conflicting declaration|redefinition"),
        "a name declared twice in the same scope",
    ),
    (
        re.compile(r"no matching function for call"),
        "a call with the wrong number or types of arguments",
    ),
    (
        re.compile(r"has no member named|request for member"),
        "a name the compiler cannot find: check the spelling, the declaration and its scope",
    ),
    (
        re.compile(r"expected primary-expression"),
        "a malformed expression: a stray or missing bracket or operator",
    ),
    (re.compile(r"lvalue required"), "assigning to something that is not a variable"),
)

DIAGNOSTICS = LanguageDiagnostics(
    name="C++",
    suffixes=(".cpp", ".cc", ".cxx", ".h", ".hpp"),
    common_errors=COMMON_ERRORS,
    exception=re.compile(
        r"(?:^|instance of ')(?P<kind>std::\w+|__gnu_cxx::\w+)'?(?::\s?(?P<message>.*))?$",
        re.MULTILINE,
    ),
    exception_what=re.compile(r"what\(\):\s*(?P<message>.*)"),
    details=DETAILS,
    compiler=re.compile(
        r"^(?P<file>[^\s:][^:\n]*\.(?:cpp|cc|cxx|c\+\+|c|hpp|hh|hxx|h)):(?P<line>\d+):(?:\d+:)?\s*"
        r"(?P<kind>fatal error|error|warning|note|runtime error)?:?"
    ),
    compile_causes=COMPILE_CAUSES,
    missing_semicolon=re.compile(r"expected '[,;]'( or '[,;]')? before"),
    bounds=re.compile(r"__n \(which is (\d+)\) >= this->size\(\) \(which is (\d+)\)"),
    crash_suspects={
        "SIGFPE": re.compile(r"[^/*]/[^/*=]|%[^=]|/=|%="),
        "SIGSEGV": re.compile(r"\w\s*\[|->|(?:[^\w)\]\s]|\breturn)\s*\*\s*[A-Za-z_(]"),
        "std::out_of_range": re.compile(r"\.at\s*\(|\.substr\s*\("),
    },
    hidden_loops="std::find, vector::erase(begin()), copying vectors (pass by reference)",
    debug_print=re.compile(r"\b(cout|cerr)\s*<<|\bprintf\s*\(|\bputs\s*\("),
    wide_integer="long long",
    kind_prefixes_kept=("std::",),
    harness_files=("__ik_harness",),
)


CPP = LanguageSpec(
    name="cpp",
    diagnostics=DIAGNOSTICS,
    title="C++20 (g++)",
    environment=ENVIRONMENT,
    extensions=(".cpp", ".cc", ".cxx", ".h", ".hpp"),
    editor_extensions=(".cpp", ".cc", ".cxx", ".hpp", ".hh"),
    default_entry="main.cpp",
    solution_file="solution.cpp",
    starter=starter,
    needs_signature=True,
    aliases=("c++", "cxx"),
    install=Install("c++ (g++)", ("g++", "--version"), "g++"),
    tools={"gxx": "g++"},
    compile=(
        "{gxx}",
        "-O2",
        "-std=c++20",
        "-pipe",
        # bits/stdc++.h on its own first: a precompiled header can serve that form only.
        "-include",
        "bits/stdc++.h",
        "-include",
        PRELUDE_FILE,
        "-o",
        "{build}/main",
        "{sources}",
        "-lm",
    ),
    source_extensions=(".cpp", ".cc", ".cxx"),
    precompiled_header=PrecompiledHeader("bits/stdc++.h", ("-O2", "-std=c++20")),
    harness_includes_entry=True,
    run=("{build}/main",),
    version=("{gxx}", "-dumpfullversion"),
    version_pattern=r"(\d+\.\d+(?:\.\d+)?)",
    memory_error_markers=("std::bad_alloc",),
)
