"""C++17 with g++ -O2: every ``.cpp``/``.cc`` file compiled and linked once."""

from interviewkit.languages.base import Install, LanguageSpec, SignatureLike, split_type

_SCALARS = {
    # `signed` is `int`, spelled so that a candidate's `#define int long long` cannot change it.
    "int": "signed",
    "long": "long long",
    "double": "double",
    "bool": "bool",
    "string": "std::string",
}


def cpp_type(type_name: str) -> str:
    """``int[][]`` -> ``std::vector<std::vector<signed>>``."""
    base, dims = split_type(type_name)
    result = _SCALARS[base]
    for _ in range(dims):
        result = f"std::vector<{result}>"
    return result


def starter(entry: str, signature: SignatureLike) -> str:
    """A ``Solution`` class whose method returns a value-initialised result (``{}``)."""
    args = ", ".join(f"{cpp_type(p.type)}& {p.name}" for p in signature.params)
    return (
        f"class Solution {{\npublic:\n    {cpp_type(signature.returns)} {entry}({args})"
        " {\n        return {};\n    }\n};\n"
    )


CPP = LanguageSpec(
    name="cpp",
    title="C++17 (g++)",
    extensions=(".cpp", ".cc", ".cxx", ".h", ".hpp"),
    editor_extensions=(".cpp", ".cc", ".cxx", ".hpp", ".hh"),
    default_entry="main.cpp",
    solution_file="solution.cpp",
    starter=starter,
    needs_signature=True,
    aliases=("c++", "cxx"),
    install=Install("c++ (g++)", ("g++", "--version"), "g++"),
    tools={"gxx": "g++"},
    compile=("{gxx}", "-O2", "-std=c++17", "-pipe", "-o", "{build}/main", "{sources}", "-lm"),
    source_extensions=(".cpp", ".cc", ".cxx"),
    harness_includes_entry=True,
    run=("{build}/main",),
    version=("{gxx}", "-dumpfullversion"),
    version_pattern=r"(\d+\.\d+(?:\.\d+)?)",
    memory_error_markers=("std::bad_alloc",),
)
