"""Java 17: every ``.java`` file compiled together once, the entry's class run by its name.

The JVM runs with a heap of the program's budget (``-Xmx``) and gets an allowance on top
for metaspace, code cache and threads; serial GC because a run has one or two cores.
Annotation processing is off so that compiling never runs candidate code.

Its environment is LeetCode's: ``java.util.*``, ``java.util.function.*``,
``java.util.stream.*`` and ``java.math.*`` need no import (11 of 30 LeetCode-style Java
solutions failed to compile on ``Map``/``Arrays`` alone without it), and ``ListNode`` and
``TreeNode`` exist with LeetCode's definitions unless the candidate defines them.
"""

import re
from functools import cache, lru_cache
from pathlib import Path

from interviewkit.languages.base import (
    CompileSettings,
    Environment,
    Install,
    LanguageSpec,
    SignatureLike,
    SourceFiles,
    split_type,
)
from interviewkit.languages.c_family import defined_types, strip_comments
from interviewkit.languages.diagnostics import ErrorInfo, LanguageDiagnostics

JVM_OPTIONS = ("-XX:+UseSerialGC", "-XX:-UsePerfData", "-Xshare:auto")
_DEFAULTS = {"boolean": "false", "double": "0.0", "int": "0", "long": "0L", "char": "' '"}

IMPORTED_PACKAGES = ("java.util", "java.util.function", "java.util.stream", "java.math")
IMPORTS = "".join(f"import {package}.*; " for package in IMPORTED_PACKAGES)
"""Prepended to line 1 of every ``.java`` source (after its ``package`` declaration, if it
has one): on-demand imports, so a candidate's own single-type imports and classes still win
and compiler line numbers stay the candidate's."""
NODE_CLASSES = ("ListNode", "TreeNode")
_PRELUDE = Path(__file__).resolve().parent / "prelude"
_PACKAGE = re.compile(r"\A\s*(?:@[\w.]+(?:\([^)]*\))?\s*)*package\s+[\w.\s]+;")


def java_type(type_name: str) -> str:
    """``bool[]`` -> ``boolean[]``, ``string`` -> ``String``, ``ListNode[]`` -> ``ListNode[]``."""
    base, dims = split_type(type_name)
    scalar = {"bool": "boolean", "string": "String"}.get(base, base)
    return scalar + "[]" * dims


def with_imports(source: str) -> str:
    """``source`` with :data:`IMPORTS` on its first line, or right after its ``package ...;``.

    Comments before the package declaration are skipped (``strip_comments`` keeps offsets),
    and nothing is inserted as a new line, so every line keeps its number.
    """
    match = _PACKAGE.match(strip_comments(source))
    at = match.end() if match else 0
    separator = " " if match else ""
    return source[:at] + separator + IMPORTS + source[at:]


_PUBLIC_NODE = re.compile(
    r"\bpublic(?=(?:\s+(?:final|abstract|static))*\s+(?:class|record|interface)\s+(ListNode|TreeNode)\b)"
)


def unpublic_nodes(source: str, path: str) -> str:
    """LeetCode's header uncommented says ``public class TreeNode`` inside Solution.java,
    which javac refuses (a public class belongs in its own file): the ``public`` is blanked
    (same length, so columns and lines stay), which changes nothing in the default package."""
    stem = Path(path).stem
    stripped = strip_comments(source, strings=True)
    spans = [m.span() for m in _PUBLIC_NODE.finditer(stripped) if m.group(1) != stem]
    for start, end in reversed(spans):
        source = source[:start] + " " * (end - start) + source[end:]
    return source


@cache
def node_class(name: str) -> bytes:
    """LeetCode's definition of ``ListNode`` or ``TreeNode``, shipped in ``prelude/``."""
    return (_PRELUDE / f"java_{name}.java").read_bytes()


def prepare(files: SourceFiles) -> SourceFiles:
    """The workspace with LeetCode's imports in every source and its node classes added.

    ``__ik_ListNode.java`` / ``__ik_TreeNode.java`` are added only when no source of the
    candidate defines that class: theirs wins, never a duplicate-class error.
    """
    sources = {path: content for path, content in files.items() if path.endswith(".java")}
    defined: set[str] = set()
    prepared = dict(files)
    for path, content in sources.items():
        try:
            text = content.decode("utf-8")
        except UnicodeDecodeError:
            if not Path(path).name.startswith("__ik_"):
                defined |= _node_classes_defined(content.decode("utf-8", "replace"))
            continue  # javac reports the encoding error against the candidate's own bytes
        if not Path(path).name.startswith("__ik_"):
            defined |= _node_classes_defined(text)
        prepared[path] = _prepared_source(text, path).encode("utf-8")
    for name in NODE_CLASSES:
        if name not in defined:
            prepared[f"__ik_{name}.java"] = node_class(name)
    return prepared


# Reading a source for comments costs milliseconds per thousand lines, and every function-call
# run carries the same generated harness (about 1,300 lines): what a source yields is kept by
# its content (and path), so a submission only pays for the candidate's own files.
@lru_cache(maxsize=128)
def _prepared_source(text: str, path: str) -> str:
    return with_imports(unpublic_nodes(text, path))


@lru_cache(maxsize=128)
def _node_classes_defined(text: str) -> frozenset[str]:
    return frozenset(defined_types([text], NODE_CLASSES, "class|interface|record|enum"))


ENVIRONMENT = Environment(
    version="2",
    standard="Java 17",
    preloaded=(
        *(f"{package}.*" for package in IMPORTED_PACKAGES),
        "ListNode (val, next) and TreeNode (val, left, right), LeetCode's definitions",
    ),
    notes=(
        "The imports are on-demand imports on line 1: your own imports and classes win "
        "(import java.awt.List; or a class named Pair of yours is used as written).",
        "Define ListNode or TreeNode yourself (e.g. LeetCode's header comment, uncommented) "
        "and yours is used instead of the built-in one.",
    ),
    starter_note=(
        "// java.util.*, java.util.function.*, java.util.stream.*, java.math.* are imported "
        "for you; ListNode and TreeNode are defined as on LeetCode"
    ),
    prepare=prepare,
)


def starter(entry: str, signature: SignatureLike) -> str:
    """A ``Solution`` class whose method returns the type's zero (``null`` for objects)."""
    args = ", ".join(f"{java_type(p.type)} {p.name}" for p in signature.params)
    returns = java_type(signature.returns)
    return (
        f"class Solution {{\n    public {returns} {entry}({args})"
        f" {{\n        return {_DEFAULTS.get(returns, 'null')};\n    }}\n}}\n"
    )


# What its errors mean (the offline tutor explains failures with it).
COMMON_ERRORS: dict[str, ErrorInfo] = {
    "ArrayIndexOutOfBoundsException": ErrorInfo(
        "an array index past the end (or negative)",
        "valid indexes are 0 to length - 1; check loop bounds and i + 1 / i - 1",
    ),
    "StringIndexOutOfBoundsException": ErrorInfo(
        "a string index past the end (or negative)",
        "check charAt/substring bounds against length()",
    ),
    "IndexOutOfBoundsException": ErrorInfo(
        "a list index past the end (or a get on an empty list)",
        "check list.size() before get/remove",
    ),
    "NullPointerException": ErrorInfo(
        "a method or field used on null (an unset object, a missing map key, an "
        "unboxed null Integer)",
        "check for null, e.g. map.get(key) returns null for a missing key",
    ),
    "ArithmeticException": ErrorInfo(
        "an integer division or modulo by zero", "guard the divisor before dividing"
    ),
    "NumberFormatException": ErrorInfo(
        "a string that is not a number passed to Integer.parseInt or similar",
        "trim the string and check it first",
    ),
    "ClassCastException": ErrorInfo(
        "a cast to a type the object does not have", "check generic types and casts"
    ),
    "ConcurrentModificationException": ErrorInfo(
        "a collection changed while it is being iterated",
        "collect changes and apply them after the loop, or use an Iterator's remove",
    ),
    "NoSuchElementException": ErrorInfo(
        "reading from an empty collection, queue or iterator",
        "check isEmpty() before remove/pop/next",
    ),
    "EmptyStackException": ErrorInfo("pop or peek on an empty Stack", "check isEmpty() first"),
    "UnsupportedOperationException": ErrorInfo(
        "changing an immutable list (List.of, Arrays.asList)",
        "copy it into a new ArrayList first",
    ),
    "NegativeArraySizeException": ErrorInfo(
        "an array created with a negative size", "check the size expression"
    ),
    "StackOverflowError": ErrorInfo(
        "recursion too deep: a missing base case, or input too large for recursion",
        "check the base case; for large inputs use a loop with an explicit stack",
    ),
    "OutOfMemoryError": ErrorInfo("more memory than allowed", "avoid huge arrays or n*n tables"),
    "IllegalArgumentException": ErrorInfo(
        "an invalid argument to a method (often your own throw)", "check the argument"
    ),
    "IllegalStateException": ErrorInfo(
        "an operation at the wrong time (often your own throw)", "check the state"
    ),
}

DETAILS = (
    (
        re.compile(r"Index (-?\d+) out of bounds for length (\d+)"),
        "an index past the end: index {0} on an array, string or list of length {1}",
    ),
    (re.compile(r"/ by zero"), "an integer division or modulo by zero"),
    (
        re.compile(r'Cannot invoke "([^"]+)" because "(?!<local)([^"]+)" is null'),
        "`{1}` is null, so `{0}` cannot be called on it",
    ),
    (
        re.compile(r'Cannot invoke "([^"]+)"'),
        "`{0}` is called on a null reference (a variable that was never given an object)",
    ),
    (
        re.compile(r"Cannot (?:read|load from|store to|assign) (.+?) because"),
        "{0} of a null reference",
    ),
)

COMPILE_CAUSES = (
    (
        re.compile(r"';' expected"),
        "a missing semicolon `;`: it belongs at the end of the statement just before this "
        "point (often the end of the previous line)",
    ),
    (
        re.compile(r"missing return statement"),
        "missing return: some path through the function ends without returning a value",
    ),
    (
        re.compile(r"possible lossy conversion from (\w+) to (\w+)"),
        "a type mismatch: a {0} does not fit in an {1} without a cast",
    ),
    (
        re.compile(r"incompatible types|cannot be converted"),
        "a type mismatch: the value's type is not the one the variable, parameter or "
        "return type needs",
    ),
    (re.compile(r"reached end of file while parsing"), "an unclosed brace `{`"),
    (
        re.compile(r"class, interface, enum, or record expected"),
        "code outside a class or function: often an extra closing brace `}` just before",
    ),
    (re.compile(r"might not have been initialized"), "a variable read before it is assigned"),
    (re.compile(r"already defined"), "a name declared twice in the same scope"),
    (re.compile(r"unreachable statement"), "code after a return, break or throw"),
    (
        re.compile(r"non-static .* cannot be referenced from a static context"),
        "an instance member used from a static method",
    ),
    (
        re.compile(r"cannot be applied to given types|no suitable method"),
        "a call with the wrong number or types of arguments",
    ),
    (
        re.compile(r"cannot find symbol"),
        "a name the compiler cannot find: check the spelling, the declaration and its scope",
    ),
    (
        re.compile(r"illegal start of expression"),
        "a malformed expression: a stray or missing bracket or operator",
    ),
    (re.compile(r"cannot assign"), "assigning to something that is not a variable"),
)

DIAGNOSTICS = LanguageDiagnostics(
    name="Java",
    suffixes=(".java",),
    common_errors=COMMON_ERRORS,
    exception=re.compile(
        r"^(?:Exception in thread \"[^\"]*\"\s+)?(?:Caused by:\s+)?"
        r"(?P<kind>(?:[a-z_$][\w$]*\.)*[A-Z][\w$]*(?:Exception|Error))(?::\s?(?P<message>.*))?$",
        re.MULTILINE,
    ),
    details=DETAILS,
    frame=re.compile(r"\bat\s+(?P<where>[\w$.<>/-]+)\((?P<file>[\w$-]+\.java):(?P<line>\d+)\)"),
    library_frame=re.compile(r"^(?:[\w.-]+/)?(?:java|javax|jdk|sun|com\.sun)\."),
    compiler=re.compile(r"^(?P<file>[^\s:][^:\n]*\.java):(?P<line>\d+): (?P<kind>error|warning): "),
    compile_causes=COMPILE_CAUSES,
    bounds=re.compile(r"Index (-?\d+) out of bounds for length (\d+)"),
    hidden_loops="ArrayList.contains / indexOf / remove(0), String += in a loop",
    debug_print=re.compile(r"\bSystem\.(out|err)\.print"),
    wide_integer="long",
    undeclared_symbol=re.compile(
        r"cannot find symbol.*?^\s*symbol:\s+(?P<kind>\S+)\s+(?P<name>.+?)\s*$", re.S | re.M
    ),
    harness_files=("IkHarness", "__ik_harness"),
)


JAVA = LanguageSpec(
    name="java",
    diagnostics=DIAGNOSTICS,
    title="Java 17",
    environment=ENVIRONMENT,
    extensions=(".java",),
    default_entry="Main.java",
    solution_file="Solution.java",
    starter=starter,
    needs_signature=True,
    startup_allowance_s=1.5,
    install=Install("java (javac)", ("javac", "-version"), "default-jdk-headless"),
    tools={"java": "java", "javac": "javac"},
    compile=(
        "{javac}",
        "-J-Xmx512m",
        *(f"-J{option}" for option in JVM_OPTIONS),
        "-J-XX:TieredStopAtLevel=1",
        "-encoding",
        "UTF-8",
        "-proc:none",
        # string concatenation as StringBuilder calls instead of invokedynamic: the same
        # strings, without a bootstrap (and generated classes) per call site at run time
        "-XDstringConcat=inline",
        "-nowarn",
        "-d",
        "{build}",
        "{sources}",
    ),
    source_extensions=(".java",),
    run=("{java}", "-Xmx{memory_mb}m", "-Xss16m", *JVM_OPTIONS, "-cp", "{build}", "{main}"),
    version=("{javac}", "-version"),
    version_pattern=r"javac (\S+)",
    memory_allowance_mb=256,
    binds=("/etc/java-17-openjdk",),
    memory_error_markers=("java.lang.OutOfMemoryError",),
    compile_limits=CompileSettings(memory_mb=1536),
)
