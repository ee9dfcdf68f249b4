"""The offline assistant, judged on real failing runs from the sandbox.

One small two-sum program per language misbehaves on purpose for a few magic ``target``
values (index past the end, null/undefined access, division by zero, a wrong answer), and
every line that fails carries a ``@marker`` comment, so a test can ask "does the explanation
name the line the error really happened on?" without hard-coding line numbers. Each program
is compiled once (the engine's compile cache is content-addressed) and run once per case.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from interviewkit.assistant.context import AssistantContext, Policy
from interviewkit.assistant.tutor import (
    COMMON_ERRORS,
    error_location,
    explain_result,
    reply,
    wants_hint,
)
from interviewkit.execution.limits import Limits
from interviewkit.execution.schemas import (
    CompileResult,
    ExecutionResult,
    RunResult,
    TestResult,
)
from interviewkit.problems.bank import SOLUTION_FILES, Problem, load_bank
from interviewkit.problems.statement import constraint_lines
from tests.execution.conftest import (  # noqa: F401  (registry, runner: shared fixtures)
    Program,
    Runner,
    languages,
    registry,
    runner,
)

TWO_SUM: Problem = load_bank().problems["two-sum"]
FILES = dict(SOLUTION_FILES)

PY = """\
class Solution:
    def twoSum(self, nums, target):
        if target == -1:
            return [nums[len(nums)], 0]  # @index
        if target == -2:
            missing = None
            return [missing.count(1), 0]  # @null
        if target == -3:
            return [target // (len(nums) - len(nums)), 0]  # @zero
        return [0, len(nums)]  # @wrong
"""
JS = """\
function twoSum(nums, target) {
  if (target === -1) return [nums[nums.length].valueOf(), 0]; // @index
  if (target === -2) { const missing = null; return [missing.size, 0]; } // @null
  const zero = BigInt(nums.length - nums.length);
  if (target === -3) return [Number(BigInt(target) / zero), 0]; // @zero
  return [0, nums.length]; // @wrong
}
"""
JAVA = """\
class Solution {
    public int[] twoSum(int[] nums, int target) {
        if (target == -1) return new int[] {nums[nums.length], 0}; // @index
        if (target == -2) { String missing = null; return new int[] {missing.length()}; } // @null
        int zero = nums.length - nums.length;
        if (target == -3) return new int[] {target / zero, 0}; // @zero
        return new int[] {0, nums.length}; // @wrong
    }
}
"""
CPP = """\
class Solution {
public:
    vector<int> twoSum(vector<int>& nums, int target) {
        if (target == -1) return {nums.at(nums.size()), 0}; // @index
        if (target == -2) { volatile int* missing = nullptr; return {*missing, 0}; } // @null
        volatile int zero = 0;
        if (target == -3) return {target / zero, 0}; // @zero
        return {0, (int)nums.size()}; // @wrong
    }
};
"""
SOURCES = {"python": PY, "javascript": JS, "java": JAVA, "cpp": CPP}

CASES: dict[str, list[dict[str, Any]]] = {
    "index": [{"name": "past-the-end", "input": [[1, 2], -1], "expected": [0, 1]}],
    "null": [{"name": "nothing-there", "input": [[1, 2], -2], "expected": [0, 1]}],
    "zero": [{"name": "divide", "input": [[1, 2], -3], "expected": [0, 1]}],
    "wrong": [
        {"name": "example-1", "input": [[2, 7, 11, 15], 9], "expected": [0, 1]},
        {"name": "secret", "input": [[3, 3], 6], "expected": [0, 1], "hidden": True},
    ],
}
CAUSES: dict[tuple[str, str], tuple[str, ...]] = {
    ("python", "index"): ("IndexError", "an index past the end of a list"),
    ("python", "null"): ("AttributeError", "used on None"),
    ("python", "zero"): ("ZeroDivisionError", "division or modulo by zero"),
    ("javascript", "index"): ("TypeError", "of undefined", "index past the end of an array"),
    ("javascript", "null"): ("TypeError", "reading `.size` of null"),
    ("javascript", "zero"): ("RangeError", "BigInt division by zero"),
    ("java", "index"): ("ArrayIndexOutOfBoundsException", "index past the end", "0 to 1"),
    ("java", "null"): ("NullPointerException", "`String.length()` is called on a null"),
    ("java", "zero"): ("ArithmeticException", "division or modulo by zero"),
    ("cpp", "index"): ("std::out_of_range", "index past the end", "0 to 1"),
    ("cpp", "null"): ("SIGSEGV", "null or dangling pointer"),
    ("cpp", "zero"): ("SIGFPE", "division or modulo by zero"),
}
SIGNATURE: dict[str, Any] = {
    "params": [{"name": "nums", "type": "int[]"}, {"name": "target", "type": "int"}],
    "returns": "int[]",
}


def line_of(source: str, marker: str) -> int:
    """The 1-based line holding ``@marker``."""
    lines = source.splitlines()
    return next(n for n, line in enumerate(lines, 1) if f"@{marker}" in line)


def named_lines(text: str, path: str) -> set[int]:
    """Every "line N of `path`" an answer names."""
    pattern = rf"line (\d+) of `{re.escape(path.lower())}`"
    return {int(n) for n in re.findall(pattern, text.lower())}


def assert_no_code(text: str) -> None:
    """Policy: no code blocks, and inline code never longer than one short line."""
    assert "```" not in text
    assert all(len(span) <= 120 for span in re.findall(r"`([^`\n]*)`", text)), text
    for language, reference in TWO_SUM.solutions.items():
        for line in reference.splitlines():
            if len(line.strip()) >= 25:
                assert line.strip() not in text, (language, line)


def context(
    result: ExecutionResult | None = None,
    *,
    language: str | None = "python",
    files: dict[str, str] | None = None,
    problem: Problem | None = TWO_SUM,
    hints: int = 0,
    policy: Policy = "hints_only",
) -> AssistantContext:
    return AssistantContext(
        session_id="ses_offline",
        language=language,
        files=files if files is not None else {},
        active_file=FILES.get(language) if language else None,
        problem=problem,
        last_result=result,
        hints_released=hints,
        policy=policy,
    )


@dataclass
class Runs:
    """Real runs, each made once per module and shared by the tests that read it."""

    runner: Runner
    done: dict[tuple[str, str], ExecutionResult] = field(default_factory=dict)

    def kit(self, language: str, case: str, *, candidate: bool = True) -> ExecutionResult:
        key = (language, case)
        if key not in self.done:
            suite = {"entry_point": "twoSum", "signature": SIGNATURE, "tests": CASES[case]}
            program = Program(FILES[language], {FILES[language]: SOURCES[language]})
            self.done[key] = self.runner.run(program, language, suite=suite)
        result = self.done[key]
        return result.for_candidate() if candidate else result

    def source(self, language: str, path: str, text: str) -> ExecutionResult:
        suite = {"entry_point": "twoSum", "signature": SIGNATURE, "tests": CASES["wrong"][:1]}
        return self.runner.run(Program(path, {path: text}), language, suite=suite)


@pytest.fixture(scope="module")
def runs(runner: Runner) -> Runs:  # noqa: F811  (the imported fixture, by name)
    return Runs(runner)


# ---------------------------------------------------------------- real runtime errors


@pytest.mark.parametrize("case", ["index", "null", "zero"])
@pytest.mark.parametrize("language", languages())
def test_a_runtime_error_names_the_candidates_line_and_the_cause(
    runs: Runs, language: str, case: str
) -> None:
    result = runs.kit(language, case)
    assert result.status == "runtime_error", result.model_dump_json()[:2000]
    files = {FILES[language]: SOURCES[language]}
    answer = reply(context(result, language=language, files=files), "Why did my code fail?")
    assert named_lines(answer, FILES[language]) == {line_of(SOURCES[language], case)}, answer
    for phrase in CAUSES[(language, case)]:
        assert phrase.lower() in answer.lower(), (phrase, answer)
    assert CASES[case][0]["name"] in answer
    assert "nums = [1, 2], target = " in answer
    assert_no_code(answer)


def test_python_and_javascript_syntax_errors_point_at_the_line(runs: Runs) -> None:
    broken_py = "class Solution:\n    def twoSum(self, nums, target):\n        return [0,\n"
    broken_js = "function twoSum(nums, target) {\n  const a = [0\n  return a;\n}\n"
    for language, path, text, line, phrase in (
        ("python", "solution.py", broken_py, 3, "unclosed bracket"),
        ("javascript", "solution.js", broken_js, 3, "missing or extra bracket"),
    ):
        result = runs.source(language, path, text).for_candidate()
        answer = explain_result(result, language, {path: text}, TWO_SUM)
        assert "could not parse your code" in answer
        assert named_lines(answer, path) == {line}, answer
        assert phrase in answer
        assert_no_code(answer)


# ----------------------------------------------------------------- compilation errors


JAVA_UNDECLARED = """\
class Solution {
    public int[] twoSum(int[] nums, int target) {
        int[] answer = new int[2];
        answer[0] = seen;
        return answer;
    }
}
"""
CPP_NO_SEMICOLON = """\
class Solution {
public:
    vector<int> twoSum(vector<int>& nums, int target) {
        int first = 0
        return {first, 1};
    }
};
"""


@pytest.mark.parametrize("language", languages("java"))
def test_a_javac_error_names_the_line_and_the_missing_symbol(runs: Runs, language: str) -> None:
    result = runs.source(language, "Solution.java", JAVA_UNDECLARED).for_candidate()
    assert result.status == "compilation_error"
    answer = reply(
        context(result, language=language, files={"Solution.java": JAVA_UNDECLARED}),
        "I get a compile error",
    )
    assert named_lines(answer, "Solution.java") == {4}, answer
    assert "`seen` (variable) is not declared" in answer
    assert "cannot find symbol" in answer
    assert_no_code(answer)


@pytest.mark.parametrize("language", languages("cpp"))
def test_a_gpp_error_names_the_line_and_the_missing_semicolon(runs: Runs, language: str) -> None:
    result = runs.source(language, "solution.cpp", CPP_NO_SEMICOLON).for_candidate()
    assert result.status == "compilation_error"
    answer = explain_result(result, language, {"solution.cpp": CPP_NO_SEMICOLON}, TWO_SUM)
    assert named_lines(answer, "solution.cpp") == {5}, answer
    assert "missing semicolon" in answer
    assert "end of line 4" in answer
    assert "__ik_harness" not in answer
    assert_no_code(answer)


# ----------------------------------------------------------------------- wrong answers


@pytest.mark.parametrize("language", languages())
def test_a_wrong_answer_names_the_test_input_expected_and_actual(runs: Runs, language: str) -> None:
    result = runs.kit(language, "wrong")
    assert result.status == "wrong_answer"
    answer = reply(context(result, language=language), "what's wrong?")
    assert "test `example-1`" in answer
    assert "`nums = [2, 7, 11, 15], target = 9`" in answer
    assert "Expected: `[0, 1]`" in answer
    assert "Your answer: `[0, 4]`" in answer
    assert "[1]: expected 1, got 4" in answer  # the engine's comparison
    assert "First difference at [1]: expected `1`, got `4`" in answer  # our own
    assert "2 of 2 tests failed, 1 of them hidden" in answer
    assert "[3, 3]" not in answer  # the hidden test's input
    assert_no_code(answer)
    unfiltered = runs.kit(language, "wrong", candidate=False)
    assert unfiltered.tests[1].input == [[3, 3], 6]
    assert "[3, 3]" not in explain_result(unfiltered, language, {}, TWO_SUM)


@pytest.mark.parametrize("candidate", [True, False], ids=["filtered", "unfiltered"])
def test_a_hidden_failure_suggests_edge_cases_and_never_shows_the_input(
    runs: Runs, candidate: bool
) -> None:
    skips_negatives = (
        "class Solution:\n"
        "    def twoSum(self, nums, target):\n"
        "        seen = {}\n"
        "        for i, n in enumerate(nums):\n"
        "            if n < 0:\n"
        "                continue\n"
        "            if target - n in seen:\n"
        "                return [seen[target - n], i]\n"
        "            seen[n] = i\n"
        "        return [0, 0]\n"
    )
    suite = TWO_SUM.suite(TWO_SUM.stored_tests()).model_dump()
    result = runs.runner.run(
        Program("solution.py", {"solution.py": skips_negatives}), "python", suite=suite
    )
    hidden_failed = [t for t in result.tests if t.hidden and t.status != "accepted"]
    assert hidden_failed
    assert all(t.status == "accepted" for t in result.tests if not t.hidden)
    shown = result.for_candidate() if candidate else result
    answer = explain_result(shown, "python", {"solution.py": skips_negatives}, TWO_SUM)
    assert "A hidden test returned a wrong answer" in answer
    for case in ("empty input", "a single element", "duplicates", "negative", "large values"):
        assert case in answer
    assert constraint_lines(TWO_SUM)[0] == "`2 <= nums.length <= 2 * 10^5`"
    assert constraint_lines(TWO_SUM)[0] in answer  # the constraints to check
    for test in hidden_failed:
        assert test.name not in answer
        assert str(test.input[0])[1:-1] not in answer, test.input
    assert_no_code(answer)


# ---------------------------------------------------------------- time limit exceeded


def test_a_time_limit_suggests_the_complexity_from_the_tags(runs: Runs) -> None:
    assert "python" in TWO_SUM.brute_force
    nums, target = TWO_SUM.generate(20_000, 1)
    suite = TWO_SUM.suite([]).model_dump() | {
        "tests": [{"name": "large-20k", "input": [nums, target], "expected": pair(nums, target)}]
    }
    files = {"solution.py": TWO_SUM.brute_force["python"]}
    result = runs.runner.run(
        Program("solution.py", files), "python", suite=suite, limits=Limits(cpu_time_s=1)
    ).for_candidate()
    assert result.status == "time_limit_exceeded"
    answer = reply(context(result, files=files), "why did it time out?")
    assert "Time limit exceeded" in answer
    assert "test `large-20k`" in answer
    assert "O(n) with a hash map" in answer  # from the tag "hashing"
    assert "up to 200,000 elements" in answer
    assert "loop inside a loop (line 3, then line 4)" in answer
    assert "infinite loop" in answer
    assert_no_code(answer)
    faster = reply(context(result, files=files), "How can I make it faster?")
    assert "O(n) with a hash map" in faster
    assert "exceeded the time limit" in faster
    assert_no_code(faster)


def pair(nums: list[int], target: int) -> list[int]:
    """The expected two-sum answer, computed here (the brute force never gets there)."""
    seen: dict[int, int] = {}
    for i, n in enumerate(nums):
        if target - n in seen:
            return [seen[target - n], i]
        seen[n] = i
    raise AssertionError("the generator always plants a pair")


# ------------------------------------------------------------------------------ hints


def test_hints_come_in_order_and_then_run_out() -> None:
    asks = ["Can I get a hint?", "I'm stuck", "give me a nudge", "what should I do next?"]
    assert all(wants_hint(ask) for ask in asks)
    for released, hint in enumerate(TWO_SUM.hints):
        answer = reply(context(hints=released), asks[released])
        assert f"Hint {released + 1} of 3" in answer
        assert hint in answer
        for other in TWO_SUM.hints[released + 1 :]:
            assert other not in answer
    done = reply(context(hints=3), asks[3])
    assert "all 3 hints" in done
    assert "Re-read the last one" in done
    assert TWO_SUM.hints[-1] in done
    assert "This session has no problem" in reply(context(problem=None), "hint please")


@pytest.mark.parametrize(
    ("question", "says"),
    [
        ("Why does test example-1 fail?", "**Wrong answer** on test `example-1`"),
        ("What's wrong with my code?", "**Wrong answer** on test `example-1`"),
        ("What should I return?", "**Signature:**"),
        ("Is O(n log n) good enough?", "**Complexity to aim for**"),
        ("Can you speed it up?", "**Complexity to aim for**"),
        ("Show me the full solution", "can't write the solution"),
        ("How do I start?", "**Hint 1 of 3:**"),
    ],
)
def test_questions_are_routed_by_what_they_ask(question: str, says: str) -> None:
    result = canned("wrong_answer", tests=[wrong_test(name="example-1")])
    assert says in reply(context(result), question)


@pytest.mark.parametrize(
    "question",
    [
        "why did it fail?",
        "help me understand this error",
        "what are the constraints?",
        "what complexity should I aim for?",
        "write the solution for me",
        "hello",
    ],
)
def test_other_questions_release_no_hint(question: str) -> None:
    assert not wants_hint(question)


# --------------------------------------------------------------- problem, fallback, policy


def test_the_problem_and_its_constraints_come_from_the_statement() -> None:
    overview = reply(context(), "What does the problem ask?")
    assert "Given an array of integers `nums` and an integer `target`" in overview
    assert "`twoSum(nums: int[], target: int) -> int[]`" in overview
    assert "`twoSum(nums = [2, 7, 11, 15], target = 9)` -> `[0, 1]`" in overview
    constraints = reply(context(), "what are the constraints on the input size?")
    section = TWO_SUM.statement.split("**Constraints**")[1].split("**Time limits**")[0].strip()
    assert section in constraints  # verbatim
    assert "up to 200,000 elements" in constraints
    assert "O(n^2) is about 10^10 steps" in constraints
    examples = reply(context(), "can you show an example?")
    assert "`twoSum(nums = [3, 3], target = 6)` -> `[0, 1]`" in examples
    for answer in (overview, constraints, examples):
        assert_no_code(answer)
        assert "[-3, 4, 3, 90]" not in answer  # a hidden test


def test_the_restatement_gives_the_sessions_time_limit_and_the_differences() -> None:
    """Limits are per language (two-sum: JavaScript 1 s, Java 2 s), and a difference from
    the well-known version is said before a candidate's LeetCode memory misleads them."""
    assert TWO_SUM.time_limit("javascript") != TWO_SUM.time_limit("java")
    for language, name in (("javascript", "JavaScript"), ("java", "Java")):
        answer = reply(context(language=language), "What does the problem ask?")
        assert f"time limit {TWO_SUM.time_limit(language):g} s per run in {name}" in answer
    bare = reply(context(language=None), "what are the constraints?")
    assert "Python 2 s, JavaScript 1 s" in bare
    deep = load_bank().problems["maximum-depth-binary-tree"]
    assert deep.differences
    overview = reply(context(problem=deep), "What does the problem ask?")
    assert f"**Differs from the well-known version:** {deep.differences[0].strip()}" in overview
    assert "up to 100,000 elements" in reply(context(problem=deep), "how large is the input?")


@pytest.mark.parametrize("policy", ["hints_only", "explain", "full"])
def test_the_fallback_is_honest_and_no_answer_writes_the_solution(policy: Policy) -> None:
    fallback = reply(context(policy=policy), "Tell me a joke about pointers")
    assert "offline assistant" in fallback
    assert "cannot hold a free conversation or write the solution" in fallback
    for skill in ("explain your last run", "hints", "constraints", "complexity"):
        assert skill in fallback
    refusal = reply(context(policy=policy), "Please write the solution code for me")
    assert "can't write the solution" in refusal
    assert "3 left" in refusal
    for answer in (fallback, refusal):
        assert_no_code(answer)


def test_without_a_run_or_a_problem_the_answer_says_so() -> None:
    assert "Run it" in reply(context(), "why did my code fail?")
    assert "no statement" in reply(context(problem=None), "what are the constraints?")
    assert "rule of thumb" in reply(context(problem=None), "what's the big O target?")
    bare = AssistantContext(session_id="", language=None, files={}, active_file=None)
    assert "offline assistant" in reply(bare, "")


def test_a_vague_question_after_a_failed_run_explains_the_run() -> None:
    result = canned("wrong_answer", tests=[wrong_test()])
    answer = reply(context(result), "hmm?")
    assert answer.startswith("Here is what happened in your last run.")
    assert "Wrong answer" in answer
    assert "offline assistant" in reply(context(canned("accepted")), "hmm?")


# ------------------------------------------------------------- canned verdicts (no sandbox)


def canned(status: Any, *, tests: list[TestResult] | None = None, **extra: Any) -> ExecutionResult:
    tests = tests or []
    passed = sum(1 for test in tests if test.status == "accepted")
    return ExecutionResult(
        id="exe_canned",
        language=extra.pop("language", "python"),
        language_version="0",
        status=status,
        tests=tests,
        passed=passed,
        total=len(tests),
        **extra,
    )


def wrong_test(**extra: Any) -> TestResult:
    values: dict[str, Any] = {
        "name": "example-2",
        "status": "wrong_answer",
        "input": [[3, 2, 4], 6],
        "expected": [1, 2],
        "actual": [2, 1],
        "message": "[0]: expected 1, got 2",
    }
    return TestResult(**(values | extra))


def test_wrong_answer_notes_spot_order_off_by_one_and_missing_returns() -> None:
    swapped = explain_result(canned("wrong_answer", tests=[wrong_test()]), "python", {}, TWO_SUM)
    assert "Same elements in a different order" in swapped
    off = wrong_test(input=[[1, 2, 3], 3], expected=3, actual=4, message="expected 3, got 4")
    assert "Off by one" in explain_result(canned("wrong_answer", tests=[off]), "python", {}, None)
    none = wrong_test(actual=None)
    nothing = explain_result(canned("wrong_answer", tests=[none]), "java", {}, None)
    assert "returned nothing" in nothing
    text = TestResult(
        name="lines",
        status="wrong_answer",
        input="1 2\n",
        expected="3\n4\n",
        actual="3\n5\n",
    )
    stdio = explain_result(canned("wrong_answer", tests=[text]), "cpp", {}, None)
    assert "Output line 2 differs: expected `4`, got `5`" in stdio


def test_accepted_memory_and_output_verdicts() -> None:
    ok = canned("accepted", tests=[TestResult(name="a", status="accepted")])
    files = {"solution.py": "class Solution:\n    def f(self):\n        print('debug')\n"}
    accepted = explain_result(ok, "python", files, TWO_SUM)
    assert "Accepted" in accepted
    assert "O(n) with a hash map" in accepted
    assert "line 3 of `solution.py`" in accepted  # the leftover print
    flood = explain_result(canned("output_limit_exceeded"), "python", files, TWO_SUM)
    assert "debug prints" in flood
    assert "line 3 of `solution.py`" in flood
    memory = explain_result(canned("memory_limit_exceeded"), "java", {}, TWO_SUM)
    assert "Memory limit exceeded" in memory
    assert "internal error" in explain_result(canned("internal_error"), "python", {}, None)
    running = canned(None, state="running")
    assert "still running" in explain_result(running, "python", {}, None)


@pytest.mark.parametrize(
    ("language", "output", "line", "cause"),
    [
        (
            "java",
            "/work/Solution.java:5: error: incompatible types: possible lossy conversion from "
            "long to int\n        int x = total;\n                ^\n1 error\n",
            5,
            "a long does not fit in an int",
        ),
        (
            "java",
            "/work/Solution.java:9: error: missing return statement\n    }\n    ^\n1 error\n",
            9,
            "missing return",
        ),
        (
            "cpp",
            "/work/solution.cpp:7:16: error: cannot convert \u2018std::vector<int>\u2019 to "
            "\u2018int\u2019 in return\n    7 |         return seen;\n",
            7,
            "type mismatch",
        ),
        (
            "cpp",
            "/work/solution.cpp:3:9: error: \u2018unordered_mapp\u2019 was not declared in "
            "this scope\n",
            3,
            "`unordered_mapp` is not declared here",
        ),
    ],
)
def test_compiler_messages_map_to_plain_causes(
    language: str, output: str, line: int, cause: str
) -> None:
    result = canned(
        "compilation_error",
        language=language,
        compile=CompileResult(status="compilation_error", output=output, time_ms=1),
    )
    answer = explain_result(result, language, {}, TWO_SUM)
    path = "Solution.java" if language == "java" else "solution.cpp"
    assert f"Line {line} of `{path}`" in answer
    assert cause in answer


def test_an_error_inside_the_harness_means_the_signature_does_not_match() -> None:
    output = (
        "/work/IkHarness.java:640: error: method twoSum in class Solution cannot be applied "
        "to given types;\n1 error\n"
    )
    result = canned(
        "compilation_error",
        language="java",
        compile=CompileResult(status="compilation_error", output=output, time_ms=1),
    )
    answer = explain_result(result, "java", {}, TWO_SUM)
    assert "could not call your function" in answer
    assert "`twoSum(nums: int[], target: int) -> int[]`" in answer


def test_a_plain_run_that_crashes_is_explained_from_stderr() -> None:
    stderr = (
        'Traceback (most recent call last):\n  File "/work/main.py", line 4, in <module>\n'
        "    print(values[3])\n          ~~~~~~^^^\nIndexError: list index out of range\n"
    )
    result = canned("runtime_error", run=RunResult(stderr=stderr, exit_code=1))
    files = {"main.py": "import sys\n\nvalues = [1]\nprint(values[3])\n"}
    answer = explain_result(result, "python", files, None)
    assert "**Line 4 of `main.py`**: an index past the end of a list" in answer
    assert "That line: `print(values[3])`" in answer


def test_every_language_has_a_table_of_common_errors() -> None:
    expected = {
        "python": {"IndexError", "KeyError", "TypeError", "ZeroDivisionError", "RecursionError"},
        "javascript": {"TypeError", "ReferenceError", "RangeError", "SyntaxError"},
        "java": {"ArrayIndexOutOfBoundsException", "NullPointerException", "ArithmeticException"},
        "cpp": {"SIGSEGV", "SIGFPE", "SIGABRT", "std::out_of_range", "std::bad_alloc"},
    }
    for language, names in expected.items():
        assert names <= set(COMMON_ERRORS[language])
        for info in COMMON_ERRORS[language].values():
            assert info.cause
            assert info.fix


# ------------------------------------------------------------------- error_location


PY_TRACEBACK = """\
Traceback (most recent call last):
  File "/work/__ik_harness.py", line 301, in run_one
    result = method(*args)
  File "/work/solution.py", line 7, in twoSum
    return [helper(nums), 0]
  File "/work/utils/helper.py", line 3, in helper
    return values[10]
  File "/usr/lib/python3.11/bisect.py", line 12, in insort
IndexError: list index out of range
"""
JS_TRACE = """\
/work/solution.js:12
    return nums[i].length;
                   ^

TypeError: Cannot read properties of undefined (reading 'length')
    at twoSum (/work/solution.js:12:20)
    at runOne (/work/__ik_harness.js:455:17)
    at node:internal/main/run_main_module:28:49
"""
JAVA_TRACE = """\
Exception in thread "main" java.lang.ArrayIndexOutOfBoundsException: Index 5 out of bounds \
for length 5
\tat java.base/java.util.Arrays.copyOf(Arrays.java:3512)
\tat Solution.twoSum(Solution.java:9)
\tat IkHarness.call(IkHarness.java:700)
"""
JAVAC_OUTPUT = """\
/work/Solution.java:14: error: cannot find symbol
        return seen;
               ^
  symbol:   variable seen
  location: class Solution
1 error
"""
GPP_OUTPUT = """\
In file included from /work/__ik_harness.cpp:606:
/work/solution.cpp: In member function 'std::vector<int> Solution::twoSum(...)':
/work/solution.cpp:12:5: error: expected ';' before 'return'
   12 |     return {};
      |     ^~~~~~
"""
PY_SYNTAX = '  File "solution.py", line 4\n    return [1,\nSyntaxError: never closed'
JS_SYNTAX = "SyntaxError: Unexpected token 'return'\n    at solution.js:3\n"
GPP_TEMPLATE = (
    "/usr/include/c++/12/bits/stl_heap.h:9:3: error: no match for 'operator<'\n"
    "/work/a.cpp:7:20:   required from here\n"
)


@pytest.mark.parametrize(
    ("text", "language", "where"),
    [
        (PY_TRACEBACK, "python", ("utils/helper.py", 3)),
        (PY_SYNTAX, "python", ("solution.py", 4)),
        (JS_TRACE, "javascript", ("solution.js", 12)),
        (JS_SYNTAX, "javascript", ("solution.js", 3)),
        (JAVA_TRACE, "java", ("Solution.java", 9)),
        (JAVAC_OUTPUT, "java", ("Solution.java", 14)),
        (GPP_OUTPUT, "cpp", ("solution.cpp", 12)),
        (GPP_TEMPLATE, "cpp", ("a.cpp", 7)),
        ("killed by signal 11", "cpp", None),
        ("IndexError: list index out of range", "python", None),
        (JS_TRACE, "unknown", ("solution.js", 12)),
    ],
)
def test_error_location_on_canned_output(
    text: str, language: str, where: tuple[str, int] | None
) -> None:
    assert error_location(text, language) == where


def test_error_location_skips_every_harness() -> None:
    for text, language in (
        ('  File "/work/__ik_harness.py", line 9, in main\nKeyError: 1', "python"),
        ("Error\n    at run (/work/__ik_harness.js:4:1)\n    at x (harness.js:3:2)", "javascript"),
        ("java.lang.Error\n\tat IkHarness.main(IkHarness.java:12)", "java"),
        ("/work/__ik_harness.cpp:640:5: error: no matching function for call", "cpp"),
    ):
        assert error_location(text, language) is None, language


RESERVED = ("harness", "java", "javax", "jdk", "sun", "com", "internal")
"""Names the harness or a runtime owns (``harness.js``, ``java.*`` frames, ``internal/``)."""
NAMES = st.from_regex(r"[A-Za-z][A-Za-z0-9_]{0,15}", fullmatch=True).filter(
    lambda name: not name.startswith("IkHarness") and name.lower() not in RESERVED
)
FOLDERS = st.lists(
    st.from_regex(r"[a-z][a-z0-9_]{0,7}", fullmatch=True).filter(lambda f: f not in RESERVED),
    max_size=2,
)
LINES = st.integers(min_value=1, max_value=10_000)


def candidate_path(folders: list[str], name: str, suffix: str) -> str:
    return "/".join([*folders, name + suffix])


@settings(max_examples=60, deadline=None)
@given(folders=FOLDERS, name=NAMES, line=LINES, other=LINES)
def test_error_location_finds_any_file_and_line(
    folders: list[str], name: str, line: int, other: int
) -> None:
    py = candidate_path(folders, name, ".py")
    traceback = (
        f'Traceback (most recent call last):\n  File "/work/__ik_harness.py", line {other}, '
        f'in run\n  File "/work/{py}", line {line}, in f\n    x = y\nValueError: bad\n'
    )
    assert error_location(traceback, "python") == (py, line)
    js = candidate_path(folders, name, ".js")
    stack = f"TypeError: x\n    at f (/work/{js}:{line}:7)\n"
    stack += f"    at g (/work/__ik_harness.js:{other}:1)"
    assert error_location(stack, "javascript") == (js, line)
    java = f"java.lang.NullPointerException\n\tat {name}.f({name}.java:{line})\n"
    java += f"\tat IkHarness.call(IkHarness.java:{other})"
    assert error_location(java, "java") == (f"{name}.java", line)
    javac = f"/work/{name}.java:{line}: error: ';' expected\n"
    assert error_location(javac, "java") == (f"{name}.java", line)
    cpp = candidate_path(folders, name, ".cpp")
    gpp = f"In file included from /work/__ik_harness.cpp:{other}:\n"
    gpp += f"/work/{cpp}:{line}:3: error: x\n"
    assert error_location(gpp, "cpp") == (cpp, line)
