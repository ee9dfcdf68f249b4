"""The statement a candidate reads is rendered from data: differences first, then the
description, the constraints list and the per-language time limits."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from interviewkit import languages
from interviewkit.assistant.tutor.problem import constraints_section
from interviewkit.execution.limits import Limits
from interviewkit.problems.bank import BANK_DIR, BankError, Problem, load_bank, load_file
from interviewkit.problems.runner import problem_limits, suggested_limit
from interviewkit.problems.statement import DIFFERENCE_LEAD, constraint_lines


def document(problem_id: str = "binary-search") -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((BANK_DIR / f"{problem_id}.yaml").read_text())
    return loaded


def problem(**changes: Any) -> Problem:
    return Problem.model_validate(document() | changes)


CONSTRAINTS = {
    "params": {
        "nums": {"length": [1, "10^5"], "values": ["-10^9", "10^9"], "distinct": True},
        "targets": {"length": [1, "2 * 10^5"], "values": ["-2^31", "2^31 - 1"]},
    },
    "rules": [{"text": "`nums` is sorted in strictly increasing order", "check": "True"}],
}


def test_constraints_are_rendered_from_data_in_signature_order() -> None:
    shown = problem(constraints=CONSTRAINTS).statement
    section = constraints_section(shown)
    assert section is not None
    assert section.splitlines() == [
        "- `1 <= nums.length <= 10^5`",
        "- `-10^9 <= nums[i] <= 10^9`",
        "- All the elements of `nums` are distinct",
        "- `1 <= targets.length <= 2 * 10^5`",
        "- `-2^31 <= targets[i] <= 2^31 - 1`",
        "- `nums` is sorted in strictly increasing order",
    ]


def test_differences_come_first_as_a_callout_one_line_each() -> None:
    lines = ["You answer a list of queries.", "Values go up to `10^9`."]
    shown = problem(differences=lines).statement
    first, second = shown.split("\n\n")[:2]
    assert first == f"> {DIFFERENCE_LEAD} {lines[0]}\n>\n> {DIFFERENCE_LEAD} {lines[1]}"
    assert second.startswith("You are given an array of **distinct** integers")


def test_time_limits_are_listed_only_when_the_languages_differ() -> None:
    same = problem(time_limit_s=2, time_limits={"java": 2})
    assert "Time limits" not in same.statement
    differ = problem(time_limit_s=2, time_limits={"javascript": 0.6, "cpp": 0.5})
    assert differ.statement.rstrip().endswith(
        "**Time limits**\n\nPython 2 s, JavaScript 0.6 s, Java 2 s, C++ 0.5 s"
    )
    # the tutor's section ends at the next heading: the limits are not a constraint
    section = constraints_section(
        problem(constraints=CONSTRAINTS, time_limits={"cpp": 1}).statement
    )
    assert section is not None
    assert "C++" not in section


def test_the_candidate_view_shows_the_statement_and_every_language_limit() -> None:
    view = problem(constraints=CONSTRAINTS, time_limit_s=2, time_limits={"cpp": 0.5}).public_view()
    assert "`1 <= nums.length <= 10^5`" in view["description"]
    assert view["time_limits"] == {"python": 2, "javascript": 2, "java": 2, "cpp": 0.5}


@pytest.mark.parametrize(
    ("type_name", "rule", "line"),
    [
        (
            "TreeNode",
            {"length": [0, "10^4"]},
            "The number of nodes in `x` (tree) is in the range `[0, 10^4]`",
        ),
        ("ListNode", {"values": [-100, 100]}, "`-100 <= Node.val <= 100`"),
        ("ListNode[]", {"total_length": [0, "10^4"]}, "`0 <= sum(x[i].length) <= 10^4`"),
        ("char[][]", {"alphabet": "01"}, "`x[i][j]` is a character in `[01]`"),
        ("string", {"alphabet": "a-z", "length": [1, 1]}, "`x` consists of characters in `[a-z]`"),
        ("string", {"length": [5, 5]}, "`x.length == 5`"),
        ("int[][]", {"values": [0, 1]}, "`0 <= x[i][j] <= 1`"),
        ("int", {"values": [1, 45]}, "`1 <= x <= 45`"),
    ],
)
def test_each_kind_of_parameter_reads_like_leetcode(
    type_name: str, rule: dict[str, Any], line: str
) -> None:
    data = document() | {
        "signature": {"params": [{"name": "x", "type": type_name}], "returns": "int"},
        "constraints": {"params": {"x": rule}},
    }
    for key in ("tests", "hidden_tests"):
        data[key] = [t | {"input": [None]} for t in data[key]]
    assert line in constraint_lines(Problem.model_validate(data))


def test_a_hand_written_constraints_section_is_refused_when_constraints_are_data(
    tmp_path: Path,
) -> None:
    data = document() | {"description": "Find them.\n\n**Constraints**\n\n- `n <= 5`\n"}
    path = tmp_path / "binary-search.yaml"
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(BankError, match="hand-written \\*\\*Constraints\\*\\* section"):
        load_file(path, Problem)


def test_constraints_must_name_parameters() -> None:
    with pytest.raises(ValueError, match="numz are not parameters"):
        problem(constraints={"params": {"numz": {"length": [0, 1]}}})


def test_the_shipped_statements_render_and_have_no_hand_written_section() -> None:
    for item in load_bank().problems.values():
        if item.constraints is not None:
            assert item.statement.count("**Constraints**") == 1, item.id


def test_problem_limits_use_the_language_s_own_limit() -> None:
    timed = problem(time_limit_s=2, time_limits={"cpp": 0.5})
    base = Limits()
    cpp = problem_limits(timed, "cpp", base)
    python = problem_limits(timed, "python", base)
    assert cpp.cpu_time_s < python.cpu_time_s
    assert python.cpu_time_s - cpp.cpu_time_s == pytest.approx(
        1.5 + _startup("python") - _startup("cpp")
    )
    generous = problem_limits(timed, "cpp", base, time_limit_s=20)
    assert generous.cpu_time_s == pytest.approx(20 + _startup("cpp"))


def _startup(language: str) -> float:
    spec = languages.find(language)
    return spec.startup_allowance_s if spec is not None else 0.0


@pytest.mark.parametrize(
    ("reference_ms", "suggested"), [(0, 0.3), (90, 0.3), (101, 0.4), (400, 1.2), (1234, 3.8)]
)
def test_the_suggested_limit_is_three_times_the_reference_rounded_up(
    reference_ms: float, suggested: float
) -> None:
    assert suggested_limit(reference_ms) == pytest.approx(suggested)
