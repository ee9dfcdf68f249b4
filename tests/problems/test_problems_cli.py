"""``interviewkit problems``: list, show, and validate catching broken problems."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner, Result

from interviewkit.cli import app
from interviewkit.problems.bank import BANK_DIR, load_bank
from interviewkit.problems.runner import suggested_limit
from tests.execution.conftest import requires_sandbox

pytestmark = pytest.mark.usefixtures("clean_environment")

cli = CliRunner()


def problems(*args: str, code: int) -> Result:
    result = cli.invoke(app, ["problems", *args])
    assert result.exit_code == code, (result.stdout[-3000:], result.exception)
    return result


def company_problem(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, name: str, **changes: object
) -> None:
    """A copy of two-sum, changed, in a company problems folder."""
    document = yaml.safe_load((BANK_DIR / "two-sum.yaml").read_text()) | {"id": name, **changes}
    (tmp_path / "ours" / "bank").mkdir(parents=True, exist_ok=True)
    (tmp_path / "ours" / "bank" / f"{name}.yaml").write_text(yaml.safe_dump(document))
    monkeypatch.setenv("INTERVIEWKIT_PROBLEMS_DIR", str(tmp_path / "ours"))


def test_list_and_show() -> None:
    listed = problems("list", code=0)
    assert "two-sum" in listed.stdout
    assert "templates" in listed.stdout
    shown = problems("show", "two-sum", code=0)
    assert "Two Sum" in shown.stdout
    assert "twoSum(nums: int[], target: int) -> int[]" in shown.stdout
    assert "unknown problem" in problems("show", "no-such-problem", code=2).stdout


def test_a_broken_bank_file_stops_every_command(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    company_problem(monkeypatch, tmp_path, "broken", difficulty="impossible")
    result = problems("list", code=2)
    assert "broken.yaml: difficulty" in result.stdout


@requires_sandbox
def test_validate_passes_a_good_problem() -> None:
    result = problems("validate", "two-sum", "--language", "python", "--language", "cpp", code=0)
    assert "all good" in result.stdout


@requires_sandbox
def test_validate_catches_a_wrong_reference_and_a_passing_starter(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    reference = BANK_DIR.joinpath("two-sum.yaml").read_text()
    solutions = yaml.safe_load(reference)["solutions"]
    wrong_cpp = solutions["cpp"].replace("return {it->second, i};", "return {i, it->second};")
    assert wrong_cpp != solutions["cpp"]
    company_problem(
        monkeypatch,
        tmp_path,
        "two-sum-broken",
        solutions=solutions | {"cpp": wrong_cpp},
        starter=yaml.safe_load(reference)["starter"] | {"python": solutions["python"]},
    )
    result = problems(
        "validate", "two-sum-broken", "-l", "python", "-l", "cpp", "--no-cache", code=1
    )
    out = " ".join(result.stdout.split())
    assert "FAIL two-sum-broken cpp reference: example-1: wrong_answer" in out
    assert "FAIL two-sum-broken python starter fails" in out
    assert "2 failed" in out


@requires_sandbox
def test_calibrate_times_the_reference_and_the_brute_force_as_json() -> None:
    result = problems("calibrate", "climbing-stairs", "-l", "cpp", "--json", "--limit", "2", code=0)
    (line,) = [json.loads(text) for text in result.stdout.splitlines() if text.strip()]
    problem = load_bank().problems["climbing-stairs"]
    assert line["problem"] == "climbing-stairs"
    assert line["language"] == "cpp"
    assert line["limit_s"] == problem.time_limit("cpp")
    assert 0 <= line["reference_ms"] < 1000
    assert line["suggested_s"] == suggested_limit(line["reference_ms"])
    # the exact big-number brute force needs far more than the 2 s it was given
    assert line["brute_force_ms"] is None
    assert line["brute_force_over_s"] == 2


def test_calibrate_refuses_an_unknown_problem() -> None:
    assert "unknown problem" in problems("calibrate", "no-such-problem", code=2).stdout
