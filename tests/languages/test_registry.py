"""The registry is the single source: a language registered there is seen by every domain.

A sixth language, made up for the test, is registered and nothing else is changed: the
workspace's editor labels, the problem bank's solution files and starters, the problem
runner's time limits and the execution planner all pick it up.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace

import pytest

from interviewkit import languages
from interviewkit.assistant.tutor.diagnostics import DIAGNOSTICS
from interviewkit.doctor import runtimes
from interviewkit.errors import ProblemError
from interviewkit.execution.harness import Signature
from interviewkit.execution.limits import Limits
from interviewkit.execution.planner import check_harness_inputs
from interviewkit.execution.schemas import CallTest, TestSuite
from interviewkit.execution.toolchains import LanguageRegistry, Toolchain
from interviewkit.languages import (
    ErrorInfo,
    Install,
    LanguageDiagnostics,
    LanguageSpec,
    SignatureLike,
)
from interviewkit.problems.bank import SOLUTION_FILES, Problem, load_bank
from interviewkit.problems.generate import starters
from interviewkit.problems.runner import problem_limits
from interviewkit.sessions.paths import language_for


def _starter(entry: str, signature: SignatureLike) -> str:
    return f"fn {entry}({', '.join(p.name for p in signature.params)}) = nil\n"


FAKE = LanguageSpec(
    name="fakelang",
    title="Fake 1.0",
    extensions=(".fk",),
    default_entry="main.fk",
    solution_file="solution.fk",
    starter=_starter,
    needs_signature=True,
    startup_allowance_s=2.0,
    aliases=("fk",),
    install=Install("fakelang (fake)", ("fake", "--version"), "fake-lang"),
    tools={"fake": "fake"},
    run=("{fake}", "{entry}"),
    version=("{fake}", "--version"),
    version_pattern=r"(\S+)",
    diagnostics=LanguageDiagnostics(
        name="Fake",
        suffixes=(".fk",),
        common_errors={"Oops": ErrorInfo("a fake failure", "check the fake thing")},
        exception=re.compile(r"^(?P<kind>Oops): (?P<message>.*)$", re.M),
        hidden_loops="",
        debug_print=re.compile(r"print"),
    ),
)
SIGNATURE = Signature.model_validate(
    {"params": [{"name": "xs", "type": "int[]"}], "returns": "int"}
)


@pytest.fixture(scope="module")
def problem() -> Problem:
    """A bank problem, loaded before the fake language exists (it has no solution for it)."""
    return load_bank().problems["two-sum"]


@pytest.fixture
def fake() -> Iterator[LanguageSpec]:
    languages.register(FAKE)
    try:
        yield FAKE
    finally:
        languages.unregister(FAKE.name)


def test_the_registry_answers_for_a_registered_language(fake: LanguageSpec) -> None:
    assert languages.get("FK") is fake
    assert languages.for_path("/src/main.fk") is fake
    assert languages.names()[-1] == "fakelang"


def test_workspaces_label_its_files(fake: LanguageSpec) -> None:
    assert language_for("/deep/dir/solution.FK") == "fakelang"


def test_problems_know_its_solution_file_and_starter(fake: LanguageSpec) -> None:
    assert SOLUTION_FILES["fakelang"] == "solution.fk"
    assert starters("total", SIGNATURE)["fakelang"] == "fn total(xs) = nil\n"


def test_a_problem_needs_and_accepts_its_starter(fake: LanguageSpec, problem: Problem) -> None:
    fields = {**problem.model_dump(), "source": "generated"}
    fields["solutions"] = {"python": problem.solutions["python"]}
    with pytest.raises(ValueError, match="starter: missing languages fakelang"):
        Problem.model_validate(fields)
    fields["starter"] = {**problem.starter, "fakelang": "fn twoSum(nums, target) = nil\n"}
    assert "fakelang" in Problem.model_validate(fields).languages


def test_the_runner_adds_its_startup_allowance(fake: LanguageSpec, problem: Problem) -> None:
    base = Limits(cpu_time_s=1.0, wall_time_s=1.0)
    limits = problem_limits(problem, "fakelang", base)
    assert limits.cpu_time_s == pytest.approx(problem.time_limit_s + 2.0)


def test_execution_plans_it_asks_for_a_signature_and_a_harness(fake: LanguageSpec) -> None:
    registry = LanguageRegistry()
    assert registry.for_file("main.fk") is fake
    assert registry.canonical("fk") == "fakelang"
    suite = TestSuite(entry_point="total", tests=[CallTest(name="t", input=[[1]])])
    with pytest.raises(ProblemError) as refused:
        check_harness_inputs(Toolchain(fake, {}, "1.0"), suite, "main.fk")
    assert refused.value.code == "signature_required"
    typed = suite.model_copy(update={"signature": SIGNATURE})
    with pytest.raises(ProblemError) as unbuilt:  # the one other piece: its harness builder
        check_harness_inputs(Toolchain(fake, {}, "1.0"), typed, "main.fk")
    assert "unsupported language 'fakelang'" in unbuilt.value.detail


def test_doctor_probes_its_toolchain(fake: LanguageSpec) -> None:
    probes = {p.name: (p.command, p.packages) for p in runtimes()}
    assert probes["fakelang (fake)"] == (["fake", "--version"], "fake-lang")


def test_unregistering_forgets_it(fake: LanguageSpec) -> None:
    languages.unregister(fake.name)
    assert languages.find("fakelang") is None
    assert language_for("/x.fk") == "plaintext"
    assert "fakelang" not in SOLUTION_FILES
    languages.register(replace(fake))


def test_the_tutor_reads_the_error_tables_it_carries(fake: LanguageSpec) -> None:
    """A language registered with diagnostics is known to the tutor with no other change."""
    assert DIAGNOSTICS[fake.name] is fake.diagnostics
    assert DIAGNOSTICS["fk"] is fake.diagnostics  # by alias too
    assert list(DIAGNOSTICS)[-1] == fake.name


def test_unregistered_it_is_unknown_to_the_tutor_too() -> None:
    assert FAKE.name not in DIAGNOSTICS
