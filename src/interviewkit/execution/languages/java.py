"""Java 17: every ``.java`` file compiled together once, the entry's class run by its name.

The JVM runs with a heap of the program's budget (``-Xmx``) and gets an allowance on top
for metaspace, code cache and threads; serial GC because a run has one or two cores.
Annotation processing is off so that compiling never runs candidate code.
"""

from interviewkit.execution.languages.base import CompileSettings, LanguageSpec

JVM_OPTIONS = ("-XX:+UseSerialGC", "-XX:-UsePerfData", "-Xshare:auto")

JAVA = LanguageSpec(
    name="java",
    title="Java 17",
    extensions=(".java",),
    default_entry="Main.java",
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
