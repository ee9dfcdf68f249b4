"""The Python harness shipped compiled to warm sandboxes: the very code ``compile`` gives,
and never anything but our own template compiled on the server."""

from __future__ import annotations

import marshal

from hypothesis import given, settings
from hypothesis import strategies as st

from interviewkit.execution.harness.python import HARNESS_FILE, build, compiled_harness

FILENAME = f"/work/{HARNESS_FILE}"
IDENTIFIERS = st.from_regex(r"[a-z_][a-zA-Z0-9_]{0,20}", fullmatch=True).filter(
    lambda name: name not in {"def", "class", "return", "if", "else", "for", "while", "in"}
)
ENTRY_FILES = st.from_regex(r"[a-z][a-z0-9_]{0,12}(/[a-z][a-z0-9_]{0,8})?\.py", fullmatch=True)


def harness_source(entry_file: str, entry_point: str) -> str:
    return build(entry_file, entry_point, None).files[HARNESS_FILE]


@settings(max_examples=25, deadline=None)
@given(ENTRY_FILES, IDENTIFIERS)
def test_a_built_harness_is_shipped_as_compile_would_make_it(
    entry_file: str, entry_point: str
) -> None:
    source = harness_source(entry_file, entry_point)
    shipped = compiled_harness(source, FILENAME)
    assert shipped is not None
    ours = marshal.loads(shipped)  # noqa: S302 - bytes we just made
    assert ours == compile(source, FILENAME, "exec", dont_inherit=True)


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_any_other_source_is_refused_or_compiled_exactly(data: st.DataObject) -> None:
    """An edit anywhere in a harness is refused, unless it only changes the configuration
    string (which is then what compile makes of it): the server compiles nothing else."""
    source = harness_source("solution.py", "solve")
    at = data.draw(st.integers(0, len(source)))
    insert = data.draw(st.text(min_size=1, max_size=8))
    edited = source[:at] + insert + source[at:]
    shipped = compiled_harness(edited, FILENAME)
    if shipped is not None:
        config_line = next(line for line in edited.split("\n") if "_CONFIG_JSON = " in line)
        assert config_line.startswith("_CONFIG_JSON = ")
        ours = marshal.loads(shipped)  # noqa: S302 - bytes we just made
        assert ours == compile(edited, FILENAME, "exec", dont_inherit=True)


def test_code_after_the_configuration_string_is_refused() -> None:
    source = harness_source("solution.py", "solve")
    injected = source.replace(
        "_CONFIG_JSON = '", "_CONFIG_JSON = __import__('os').system('true') or '", 1
    )
    assert injected != source
    assert compiled_harness(injected, FILENAME) is None
    assert compiled_harness("print('hello')\n", FILENAME) is None
