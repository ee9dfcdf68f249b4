"""C++17 with g++ -O2: every ``.cpp``/``.cc`` file compiled and linked once."""

from interviewkit.execution.languages.base import LanguageSpec

CPP = LanguageSpec(
    name="cpp",
    title="C++17 (g++)",
    extensions=(".cpp", ".cc", ".cxx", ".h", ".hpp"),
    default_entry="main.cpp",
    tools={"gxx": "g++"},
    compile=("{gxx}", "-O2", "-std=c++17", "-pipe", "-o", "{build}/main", "{sources}", "-lm"),
    source_extensions=(".cpp", ".cc", ".cxx"),
    harness_includes_entry=True,
    run=("{build}/main",),
    version=("{gxx}", "-dumpfullversion"),
    version_pattern=r"(\d+\.\d+(?:\.\d+)?)",
    memory_error_markers=("std::bad_alloc",),
)
