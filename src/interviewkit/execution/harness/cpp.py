"""C++ harness: ``__ik_harness.cpp`` #includes the candidate's entry file and is compiled with
the candidate's other ``.cpp`` files: ``g++ -O2 -std=c++20 -include __ik_prelude.h
__ik_harness.cpp other.cpp -o main`` (the prelude is the language environment's).
"""

from __future__ import annotations

from interviewkit.execution.harness.templates import load_template, replace_block
from interviewkit.execution.harness.types import (
    HarnessProgram,
    Signature,
    check_entry_file,
    check_entry_point,
)
from interviewkit.languages.cpp import cpp_type

HARNESS_FILE = "__ik_harness.cpp"
SUFFIXES = (".cpp", ".cc", ".cxx", ".c++", ".h", ".hpp", ".hh", ".hxx")


def _strings(values: list[str]) -> str:
    # Validated identifiers, type names and paths only; the trailing "" keeps the array non-empty.
    return "{" + "".join(f'"{v}", ' for v in values) + '""}'


def build(entry_file: str, entry_point: str, signature: Signature | None) -> HarnessProgram:
    """The generic runtime plus generated glue: the #include and a call to the entry point.

    The call is wrapped in a SFINAE-friendly functor so that a missing method, or one with
    other parameter types, is a per-test runtime_error instead of a compile error.
    """
    if signature is None:
        raise ValueError("a signature is required for cpp")
    check_entry_point("cpp", entry_point)
    check_entry_file(entry_file, SUFFIXES, {HARNESS_FILE})
    params = ", ".join(cpp_type(p.type) for p in signature.params)
    call_types = ", ".join(
        cpp_type(p.type).replace("signed", "int") + "&" for p in signature.params
    )
    glue = f"""#include "{entry_file}"
struct ik_entry_call {{
    template <class IkSol, class... IkArgs>
    auto operator()(IkSol& ik_sol, IkArgs&... ik_args) const
        -> decltype(ik_sol.{entry_point}(ik_args...)) {{
        return ik_sol.{entry_point}(ik_args...);
    }}
}};
using ik_param_types = ik_harness::type_list<{params}>;
static const char* const IK_ENTRY_FILE = "{entry_file}";
static const char* const IK_ENTRY_POINT = "{entry_point}";
static const char* const IK_PARAM_NAMES[] = {_strings([p.name for p in signature.params])};
static const char* const IK_PARAM_TYPES[] = {_strings([p.type for p in signature.params])};
static const char* const IK_RETURN_TYPE = "{signature.returns}";
static const char* const IK_CALL_TYPES = "{call_types}";"""
    source = replace_block(
        load_template("harness.cpp"), "// @ik-generated-begin", "// @ik-generated-end", glue
    )
    return HarnessProgram(files={HARNESS_FILE: source}, main=HARNESS_FILE)
