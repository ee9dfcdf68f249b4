"""``interviewkit exec``: the engine from a terminal, run in-process with CliRunner.

The command prints the output (or the result JSON with ``--json``) and exits 0 only when
the status is ``accepted``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from interviewkit.cli import app
from interviewkit.execution.schemas import ExecutionResult
from tests.execution.conftest import (
    CALL,
    KIT,
    MATH,
    STDIO,
    STDIO_TESTS,
    SYNTAX_ERRORS,
    TWO_SUM_TESTS,
    Program,
    languages,
    needs,
    requires_sandbox,
    two_sum_suite,
)

pytestmark = [requires_sandbox, pytest.mark.usefixtures("clean_environment")]

cli = CliRunner()


def run(*args: str, code: int) -> Result:
    result = cli.invoke(app, ["exec", *args])
    assert result.exit_code == code, (result.stdout[-3000:], result.stderr, result.exception)
    return result


def as_json(result: Result) -> ExecutionResult:
    parsed = ExecutionResult.model_validate(json.loads(result.stdout))
    return parsed


def write(folder: Path, name: str, content: Any) -> Path:
    path = folder / name
    text = content if isinstance(content, str) else json.dumps(content)
    path.write_text(text, encoding="utf-8")
    return path


def flat(program: Program, folder: Path) -> list[str]:
    """The program's files in ``folder``, entry first, as the CLI's arguments."""
    return [str(path) for path in program.write(folder)]


# ---------------------------------------------------------------------------- stdin/stdout


@pytest.mark.parametrize("language", languages())
def test_a_program_reads_stdin_and_its_output_is_printed(tmp_path: Path, language: str) -> None:
    source = STDIO[language]["single"]
    stdin = write(tmp_path, "in.txt", "20 22\n")
    result = run(
        "--language", language, *flat(source, tmp_path / "src"), "--stdin", str(stdin), code=0
    )
    assert "42" in result.stdout.splitlines()
    assert "accepted" in result.stdout


@pytest.mark.parametrize("language", languages("python", "javascript", "java", "cpp"))
def test_multi_file_programs_with_stdin_stdout_tests(tmp_path: Path, language: str) -> None:
    program = FLAT_STDIO[language]
    tests = write(tmp_path, "tests.json", {"tests": STDIO_TESTS})
    result = run(*flat(program, tmp_path / "src"), "--tests", str(tests), "--json", code=0)
    parsed = as_json(result)
    assert parsed.status == "accepted"
    assert parsed.language == language  # told by the entry's extension
    assert (parsed.passed, parsed.total) == (3, 3)


def test_the_language_comes_from_the_entry_file(tmp_path: Path) -> None:
    main = write(tmp_path, "main.py", "print('from python')\n")
    result = run(str(main), code=0)
    assert "from python" in result.stdout


# ---------------------------------------------------------------------------- function calls


@pytest.mark.parametrize("language", languages())
def test_function_call_tests_pass_in_every_language(tmp_path: Path, language: str) -> None:
    program = FLAT_CALL[language]
    tests = write(tmp_path, "tests.json", two_sum_suite())
    result = run(
        "--language",
        language,
        *flat(program, tmp_path / "src"),
        "--tests",
        str(tests),
        "--json",
        code=0,
    )
    parsed = as_json(result)
    assert parsed.status == "accepted"
    assert (parsed.passed, parsed.total) == (3, 3)
    assert [test.actual for test in parsed.tests] == [test["expected"] for test in TWO_SUM_TESTS]


def test_a_nested_helper_keeps_its_folder(tmp_path: Path) -> None:
    """``exec solution.py utils/helper.py``: the import of ``utils.helper`` must work.

    KNOWN BUG (execution/cli.py ``run_files``): files are sent by ``path.name`` only, so
    ``utils/helper.py`` lands beside the entry as ``helper.py`` and the import fails.
    """
    program = CALL["python"]["multi"]
    program.write(tmp_path)
    tests = write(tmp_path, "tests.json", two_sum_suite())
    result = run("solution.py", "utils/helper.py", "--tests", str(tests), "--json", code=0)
    assert as_json(result).status == "accepted"


def test_a_failing_test_exits_1_and_is_shown(tmp_path: Path) -> None:
    program = CALL["python"]["single"]
    tests = write(tmp_path, "tests.json", two_sum_suite("first", "wrong"))
    result = run(*flat(program, tmp_path / "src"), "--tests", str(tests), code=1)
    assert "wrong_answer" in result.stdout
    assert "1/2 tests" in result.stdout
    assert "[0]: expected 0, got 1" in result.stdout

    parsed = as_json(run(*flat(program, tmp_path / "src"), "--tests", str(tests), "--json", code=1))
    assert parsed.status == "wrong_answer"
    assert [test.status for test in parsed.tests] == ["accepted", "wrong_answer"]
    assert parsed.tests[1].message == "[0]: expected 0, got 1"


def test_tests_json_carries_the_comparison_rules(tmp_path: Path) -> None:
    evens = {
        "entry_point": "evens",
        "tests": [{"name": "e", "input": [[2, 4]], "expected": [2, 4]}],
    }
    ordered = write(tmp_path, "ordered.json", evens)
    any_order = write(tmp_path, "any.json", {**evens, "unordered": True})
    files = flat(MATH, tmp_path / "src")
    assert as_json(run(*files, "--tests", str(ordered), "--json", code=1)).status == "wrong_answer"
    assert as_json(run(*files, "--tests", str(any_order), "--json", code=0)).status == "accepted"


def test_invalid_tests_are_an_error_not_a_crash(tmp_path: Path) -> None:
    main = write(tmp_path, "main.py", "")
    tests = write(tmp_path, "tests.json", {"tests": [{"name": "x", "stdinn": ""}]})
    result = run(str(main), "--tests", str(tests), code=1)
    assert "error" in result.stderr
    assert "tests.json" in result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit)


# ---------------------------------------------------------------------------- verdicts


@pytest.mark.parametrize("language", languages("java", "cpp"))
def test_a_compilation_error_exits_1_with_the_compiler_output(
    tmp_path: Path, language: str
) -> None:
    program = SYNTAX_ERRORS[language]
    result = run(*flat(program, tmp_path), code=1)
    assert "compilation_error" in result.stdout
    assert "error" in result.stdout.replace("compilation_error", "")
    parsed = as_json(run(*flat(program, tmp_path), "--json", code=1))
    assert parsed.status == "compilation_error"
    assert parsed.compile is not None
    assert program.entry in parsed.compile.output


@pytest.mark.parametrize("language", languages("python", "cpp"))
def test_the_time_limit_option_gives_time_limit_exceeded(tmp_path: Path, language: str) -> None:
    stdin = write(tmp_path, "in.txt", "loop")
    args = [*flat(KIT[language], tmp_path / "src"), "--stdin", str(stdin)]
    parsed = as_json(run(*args, "--time-limit", "1", "--json", code=1))
    assert parsed.status == "time_limit_exceeded"
    assert parsed.run is not None
    assert parsed.run.time_ms >= 500


@pytest.mark.parametrize("language", languages("python", "java"))
def test_the_memory_limit_option_gives_memory_limit_exceeded(tmp_path: Path, language: str) -> None:
    stdin = write(tmp_path, "in.txt", "alloc")
    args = [*flat(KIT[language], tmp_path / "src"), "--stdin", str(stdin), "--json"]
    parsed = as_json(run(*args, "--memory-limit", "64", "--time-limit", "2", code=1))
    assert parsed.status == "memory_limit_exceeded"
    assert parsed.run is not None
    if language == "python":  # the default (128 MB) would have let it grow further
        assert parsed.run.memory_kb <= 72 * 1024


@needs("python")
def test_a_runtime_error_exits_1_and_shows_stderr(tmp_path: Path) -> None:
    stdin = write(tmp_path, "in.txt", "exit")
    result = run(*flat(KIT["python"], tmp_path), "--stdin", str(stdin), code=1)
    assert "runtime_error" in result.stdout
    assert "bye" in result.stdout
    assert "exit 3" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--language", "cobol"], "unknown language"),
        (["--time-limit", "1000"], "maximum"),
        (["--memory-limit", "8"], "memory_mb"),
    ],
    ids=["unknown-language", "time-limit-too-high", "memory-limit-too-low"],
)
def test_bad_options_are_errors(tmp_path: Path, args: list[str], message: str) -> None:
    main = write(tmp_path, "main.py", "print(1)\n")
    result = run(str(main), *args, code=1)
    assert message in result.stderr


def test_a_missing_file_is_an_error(tmp_path: Path) -> None:
    result = run(str(tmp_path / "absent.py"), code=1)
    assert "absent.py" in result.stderr


# ---------------------------------------------------------------------------- programs

FLAT_STDIO: dict[str, Program] = {
    "python": Program(
        "main.py",
        {
            "main.py": "import sys\nfrom total import total\nprint(total(sys.stdin.read()))\n",
            "total.py": STDIO["python"]["multi"].files["lib/total.py"],
        },
    ),
    "javascript": Program(
        "main.js",
        {
            "main.js": STDIO["javascript"]["multi"]
            .files["main.js"]
            .replace("./lib/total.js", "./total.js"),
            "total.js": STDIO["javascript"]["multi"].files["lib/total.js"],
        },
    ),
    "java": STDIO["java"]["multi"],
    "cpp": STDIO["cpp"]["multi"],
}
FLAT_CALL: dict[str, Program] = {
    "python": Program(
        "solution.py",
        {
            "solution.py": CALL["python"]["multi"]
            .files["solution.py"]
            .replace("from utils.helper", "from helper"),
            "helper.py": CALL["python"]["multi"].files["utils/helper.py"],
        },
    ),
    "javascript": CALL["javascript"]["multi"],
    "java": CALL["java"]["multi"],
    "cpp": CALL["cpp"]["multi"],
}
