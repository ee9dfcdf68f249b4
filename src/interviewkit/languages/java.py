"""Java 17: every ``.java`` file compiled together once, the entry's class run by its name.

The JVM runs with a heap of the program's budget (``-Xmx``) and gets an allowance on top
for metaspace, code cache and threads; serial GC because a run has one or two cores.
Annotation processing is off so that compiling never runs candidate code.
"""

from interviewkit.languages.base import (
    CompileSettings,
    Install,
    LanguageSpec,
    SignatureLike,
    split_type,
)

JVM_OPTIONS = ("-XX:+UseSerialGC", "-XX:-UsePerfData", "-Xshare:auto")
_DEFAULTS = {"boolean": "false", "double": "0.0", "int": "0", "long": "0L"}


def java_type(type_name: str) -> str:
    """``bool[]`` -> ``boolean[]``, ``string`` -> ``String``."""
    base, dims = split_type(type_name)
    scalar = {"bool": "boolean", "string": "String"}.get(base, base)
    return scalar + "[]" * dims


def starter(entry: str, signature: SignatureLike) -> str:
    """A ``Solution`` class whose method returns the type's zero (``null`` for objects)."""
    args = ", ".join(f"{java_type(p.type)} {p.name}" for p in signature.params)
    returns = java_type(signature.returns)
    return (
        f"class Solution {{\n    public {returns} {entry}({args})"
        f" {{\n        return {_DEFAULTS.get(returns, 'null')};\n    }}\n}}\n"
    )


JAVA = LanguageSpec(
    name="java",
    title="Java 17",
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
