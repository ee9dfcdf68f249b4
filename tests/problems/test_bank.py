"""The shipped bank: it loads, covers what an interview needs, and broken files say why."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from interviewkit.problems.bank import (
    BANK_DIR,
    LANGUAGES,
    STATED_MINUTES,
    Bank,
    BankError,
    Problem,
    Template,
    load_bank,
    load_file,
)

TOPICS = {
    "arrays", "strings", "hashing", "two-pointers", "stacks", "binary-search", "intervals",
    "linked-lists", "trees", "graphs", "bfs", "dfs", "heaps", "dynamic-programming", "greedy",
}  # fmt: skip


@pytest.fixture(scope="module")
def bank() -> Bank:
    return load_bank()


def two_sum_document() -> dict[str, object]:
    loaded: dict[str, object] = yaml.safe_load((BANK_DIR / "two-sum.yaml").read_text())
    return loaded


def test_the_bank_has_thirty_problems_of_every_difficulty(bank: Bank) -> None:
    assert len(bank.problems) >= 30
    levels = Counter(p.difficulty for p in bank.problems.values())
    assert set(levels) == {"easy", "medium", "hard"}, levels


def test_the_bank_covers_the_usual_interview_topics(bank: Bank) -> None:
    tags = {tag for p in bank.problems.values() for tag in p.tags}
    assert tags >= TOPICS, TOPICS - tags


def test_every_problem_has_everything_in_four_languages(bank: Bank) -> None:
    for problem in bank.problems.values():
        assert set(problem.solutions) == set(LANGUAGES), problem.id
        assert set(problem.starter) == set(LANGUAGES), problem.id
        assert 2 <= len(problem.tests) <= 4
        assert len(problem.hidden_tests) >= 10
        assert problem.large_tests, problem.id
        assert problem.generator, problem.id
        assert len(problem.hints) == 3


def test_templates_name_real_problems(bank: Bank) -> None:
    assert "backend-screen-45" in bank.templates
    template = bank.templates["backend-screen-45"]
    assert template.parts[0].problem == "two-sum"
    assert template.minutes == 45


def test_every_shipped_template_lasts_what_its_title_says(bank: Bank) -> None:
    for template in bank.templates.values():
        stated = STATED_MINUTES.search(template.title)
        assert stated is not None, template.id
        assert int(stated.group(1)) == template.minutes, template.id


def test_a_template_whose_parts_do_not_add_up_to_its_title_fails_at_load(
    tmp_path: Path,
) -> None:
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "short.yaml").write_text(
        "id: short\ntitle: Short (30 minutes)\nparts:\n"
        "  - {problem: two-sum, minutes: 12}\n  - {difficulty: easy, minutes: 15}\n"
    )
    with pytest.raises(BankError, match="title says 30 minutes, the parts add up to 27"):
        Bank.load(tmp_path)


def test_generators_are_deterministic_and_fit_the_signature(bank: Bank) -> None:
    for problem in bank.problems.values():
        first = problem.generate(50, 7)
        assert first == problem.generate(50, 7), problem.id
        assert len(first) == len(problem.signature.params)


def test_the_candidate_view_hides_what_a_candidate_must_not_see(bank: Bank) -> None:
    view = bank.problems["two-sum"].public_view()
    text = repr(view)
    for secret in ("solutions", "hidden_tests", "rubric", "irt", "brute_force", "generator"):
        assert secret not in view
    hidden = bank.problems["two-sum"].hidden_tests[0]
    assert repr(hidden.input) not in text


def write(folder: Path, document: dict[str, object], name: str = "two-sum") -> Path:
    (folder / "bank").mkdir(parents=True, exist_ok=True)
    path = folder / "bank" / f"{name}.yaml"
    path.write_text(yaml.safe_dump(document))
    return path


@pytest.mark.parametrize(
    ("change", "field", "reason"),
    [
        ({"difficulty": "trivial"}, "difficulty", "Input should be"),
        ({"hints": ["only one"]}, "hints", "at least 3"),
        ({"irt": {"a": -1, "b": 0}}, "irt.a", "greater than 0"),
        ({"hidden_tests": []}, "hidden_tests", "at least 10"),
        ({"signature": {"params": [], "returns": "float"}}, "signature.returns", "pattern"),
    ],
)
def test_a_broken_file_names_the_file_the_field_and_the_reason(
    tmp_path: Path, change: dict[str, object], field: str, reason: str
) -> None:
    path = write(tmp_path, two_sum_document() | change)
    with pytest.raises(BankError) as raised:
        load_file(path, Problem)
    message = str(raised.value)
    assert message.startswith(f"{path}: {field}"), message
    assert reason in message


def test_cross_field_mistakes_are_reported_too(tmp_path: Path) -> None:
    document = two_sum_document()
    document["solutions"] = {"python": "pass"}
    with pytest.raises(BankError, match="solutions: missing languages javascript, java, cpp"):
        load_file(write(tmp_path, document), Problem)


def test_a_file_whose_id_differs_from_its_name_is_refused(tmp_path: Path) -> None:
    write(tmp_path, two_sum_document(), name="other")
    with pytest.raises(BankError, match="differs from the file name"):
        Bank.load(tmp_path)


def test_a_company_folder_adds_and_replaces_problems(tmp_path: Path) -> None:
    document = two_sum_document() | {"id": "two-sum-custom", "title": "Ours"}
    write(tmp_path, document, name="two-sum-custom")
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "ours.yaml").write_text(
        "id: ours\ntitle: Ours\nparts:\n  - {problem: two-sum-custom, minutes: 20}\n"
    )
    bank = Bank.load(tmp_path)
    assert bank.problems["two-sum-custom"].title == "Ours"
    assert "two-sum" in bank.problems
    assert bank.templates["ours"].parts[0].problem == "two-sum-custom"


def test_a_template_naming_a_missing_problem_fails_at_load(tmp_path: Path) -> None:
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "bad.yaml").write_text(
        "id: bad\ntitle: Bad\nparts:\n  - {problem: no-such-problem, minutes: 20}\n"
    )
    with pytest.raises(BankError, match="unknown problem 'no-such-problem'"):
        Bank.load(tmp_path)


@settings(max_examples=50, deadline=None)
@given(st.text(max_size=200))
def test_any_text_either_loads_or_fails_with_a_bank_error(text: str) -> None:
    """Malformed YAML never escapes as another exception type."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "x.yaml"
        path.write_text(text, encoding="utf-8")
        with pytest.raises(BankError):
            load_file(path, Template)
