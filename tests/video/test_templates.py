"""Video question templates: the shipped ones load and are usable as they are, an
operator's folder adds and replaces them, a broken file names itself, and an interview
made from a template holds a copy of its questions (keywords for staff, never for the
candidate) that a later edit of the template leaves alone."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from interviewkit.app import Container
from interviewkit.config import Settings
from interviewkit.video.schemas import QuestionIn
from interviewkit.video.templates import (
    OPERATOR_FOLDER,
    SHIPPED_DIR,
    TemplateError,
    load_template,
    load_templates,
)
from tests.conftest import assert_problem
from tests.video.helpers import API, candidate, question

SHIPPED = sorted(path.stem for path in SHIPPED_DIR.glob("*.yaml"))
OPERATOR_TEMPLATE: dict[str, Any] = {
    "id": "support-engineer",
    "title": "Support engineer",
    "description": "Our own questions.",
    "questions": [
        {"text": "How do you calm an angry customer?", "max_answer_s": 90, "keywords": ["empathy"]},
        {"text": "Walk us through a bug you reproduced.", "thinking_s": 10, "attempts": 1},
    ],
}


def write(folder: Path, data: Any, name: str | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name or data['id']}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def from_template(client: TestClient, template_id: str) -> Any:
    """POST an interview made from ``template_id`` (the response)."""
    return client.post(f"{API}/interviews", json={"title": "T", "template_id": template_id})


@pytest.fixture
def problems_dir(tmp_path: Path) -> Path:
    """The operator's folder, with one template of their own."""
    root = tmp_path / "company"
    write(root / OPERATOR_FOLDER, OPERATOR_TEMPLATE)
    return root


@pytest.fixture
def settings_overrides(problems_dir: Path) -> dict[str, Any]:
    # below the shipped default (3), so a template's own attempts can be too many here
    return {"problems_dir": problems_dir, "task_workers": 0, "video_max_attempts": 2}


# ---- the files ----------------------------------------------------------------------------


def test_we_ship_templates_a_hiring_team_would_use() -> None:
    assert {"behavioral-screen", "engineering-manager", "new-grad-intro"} <= set(SHIPPED)


@pytest.mark.parametrize("template_id", SHIPPED)
def test_every_shipped_template_loads_within_the_default_limits(template_id: str) -> None:
    """Each one can be used on a default install as it is: every question has text and a
    rubric, within the default answer length and attempts."""
    template = load_template(SHIPPED_DIR / f"{template_id}.yaml")
    defaults = Settings.model_construct()  # the declared defaults, whatever the environment
    assert template.id == template_id
    assert template.title
    assert template.description
    assert 1 <= len(template.questions) <= defaults.video_max_questions
    for item in template.questions:
        assert item.max_answer_s <= defaults.video_max_answer_s
        assert (item.attempts or 1) <= defaults.video_max_attempts
        assert len(item.keywords) >= 3
        assert len(set(item.keywords)) == len(item.keywords)


def test_an_operator_template_extends_and_overrides_ours(tmp_path: Path) -> None:
    folder = tmp_path / OPERATOR_FOLDER
    write(folder, OPERATOR_TEMPLATE)
    ours = {"id": "new-grad-intro", "title": "Our intro", "questions": [{"text": "Hello?"}]}
    write(folder, ours)

    loaded = load_templates(tmp_path)

    assert set(loaded) == {*SHIPPED, "support-engineer"}
    assert loaded["new-grad-intro"].title == "Our intro"
    assert [q.text for q in loaded["new-grad-intro"].questions] == ["Hello?"]
    assert loaded["behavioral-screen"] == load_templates()["behavioral-screen"]
    titles = [template.title.casefold() for template in loaded.values()]
    assert titles == sorted(titles)


BROKEN: list[tuple[str, str, str]] = [
    ("not-yaml", "id: [unclosed\n", "not-yaml.yaml"),
    ("a-list", "- just\n- a list\n", "must hold a mapping"),
    ("typo", "id: typo\ntitle: T\nquestions:\n  - text: Q\n    thinkng_s: 5\n", "thinkng_s"),
    ("too-short", "id: too-short\ntitle: T\nquestions:\n  - text: Q\n    max_answer_s: 1\n", "5"),
    ("no-questions", "id: no-questions\ntitle: T\nquestions: []\n", "questions"),
    ("renamed", "id: other-name\ntitle: T\nquestions:\n  - text: Q\n", "differs from the file"),
]


@pytest.mark.parametrize(("name", "content", "reason"), BROKEN, ids=[b[0] for b in BROKEN])
def test_a_broken_file_is_an_error_naming_the_file(
    tmp_path: Path, name: str, content: str, reason: str
) -> None:
    folder = tmp_path / OPERATOR_FOLDER
    folder.mkdir()
    (folder / f"{name}.yaml").write_text(content, encoding="utf-8")

    with pytest.raises(TemplateError) as raised:
        load_templates(tmp_path)

    assert str(folder / f"{name}.yaml") in str(raised.value)
    assert reason in str(raised.value)


QUESTIONS: st.SearchStrategy[dict[str, Any]] = st.builds(
    dict,
    text=st.text(st.characters(categories=["L", "N", "P", "Zs"]), min_size=1, max_size=80).filter(
        str.strip
    ),
    thinking_s=st.integers(0, 600),
    max_answer_s=st.integers(5, 3600),
    attempts=st.none() | st.integers(1, 20),
    keywords=st.lists(st.from_regex(r"[a-z][a-z -]{0,20}[a-z]", fullmatch=True), max_size=5),
)


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(questions=st.lists(QUESTIONS, min_size=1, max_size=5))
def test_a_template_holds_what_the_api_would_accept(
    tmp_path: Path, questions: list[dict[str, Any]]
) -> None:
    """A template's questions are the API's questions: what staff could type, written to a
    file, loads back as the same questions."""
    try:
        expected = [QuestionIn.model_validate(item) for item in questions]
    except ValueError:
        return  # the API refuses it too (e.g. text the safe-text rule rejects)
    path = write(tmp_path, {"id": "generated", "title": "G", "questions": questions})

    loaded = load_template(path)

    assert [QuestionIn.model_validate(q.model_dump()) for q in loaded.questions] == expected


# ---- the API ------------------------------------------------------------------------------


def test_staff_list_every_template(client: TestClient, container: Container) -> None:
    response = client.get(f"{API}/templates")

    assert response.status_code == 200, response.text
    listed = {item["id"]: item for item in response.json()}
    assert set(listed) == {*SHIPPED, "support-engineer"}
    ours = listed["support-engineer"]
    assert ours["title"] == "Support engineer"
    assert ours["description"] == "Our own questions."
    default_attempts = container.settings.video_max_attempts
    assert ours["questions"] == [
        {
            "text": "How do you calm an angry customer?",
            "thinking_s": 30,
            "max_answer_s": 90,
            "attempts": default_attempts,
            "keywords": ["empathy"],
        },
        {
            "text": "Walk us through a bug you reproduced.",
            "thinking_s": 10,
            "max_answer_s": 120,
            "attempts": 1,
            "keywords": [],
        },
    ]


def test_only_staff_list_templates(client: TestClient, app: FastAPI) -> None:
    made = client.post(f"{API}/interviews", json={"title": "T", "questions": [question()]})
    holder = candidate(client, app, made.json()["id"])

    assert_problem(holder.get(f"{API}/templates"), 403, "forbidden")
    assert_problem(TestClient(app).get(f"{API}/templates"), 401, "unauthenticated")


def test_an_interview_from_a_template_copies_its_questions(
    client: TestClient, app: FastAPI
) -> None:
    template = load_templates()["behavioral-screen"]

    response = client.post(
        f"{API}/interviews",
        json={"title": "Screen", "candidate_name": "Ada", "template_id": "behavioral-screen"},
    )

    assert response.status_code == 201, response.text
    made = response.json()
    assert made["template_id"] == "behavioral-screen"
    assert [q["text"] for q in made["questions"]] == [q.text for q in template.questions]
    assert [q["keywords"] for q in made["questions"]] == [q.keywords for q in template.questions]
    assert [q["index"] for q in made["questions"]] == list(range(len(template.questions)))
    assert client.get(f"{API}/interviews/{made['id']}").json()["template_id"] == "behavioral-screen"
    listed = client.get(f"{API}/interviews").json()["items"]
    assert [item["template_id"] for item in listed] == ["behavioral-screen"]

    view = candidate(client, app, made["id"]).get(f"{API}/interviews/{made['id']}/candidate")
    assert view.status_code == 200, view.text
    assert [q["text"] for q in view.json()["questions"]] == [q.text for q in template.questions]
    assert "keywords" not in view.text
    for keyword in template.questions[0].keywords:
        assert f'"{keyword}"' not in view.text


def test_typed_questions_name_no_template(client: TestClient) -> None:
    made = client.post(f"{API}/interviews", json={"title": "T", "questions": [question()]})

    assert made.status_code == 201, made.text
    assert made.json()["template_id"] is None


def test_an_unknown_template_is_404(client: TestClient) -> None:
    response = from_template(client, "no-such")

    assert_problem(response, 404, "video_template_not_found")
    assert client.get(f"{API}/interviews").json()["total"] == 0


@pytest.mark.parametrize(
    "choice",
    [{}, {"template_id": "behavioral-screen", "questions": [question()]}],
    ids=["neither", "both"],
)
def test_questions_or_a_template_exactly_one(client: TestClient, choice: dict[str, Any]) -> None:
    response = client.post(f"{API}/interviews", json={"title": "T", **choice})

    assert_problem(response, 422, "questions_or_template")
    assert client.get(f"{API}/interviews").json()["total"] == 0


def test_a_template_beyond_this_servers_limits_is_refused(
    client: TestClient, container: Container, problems_dir: Path
) -> None:
    """The copy is checked as typed questions are: a limit this server sets applies."""
    response = from_template(client, "new-grad-intro")
    assert response.status_code == 201, response.text
    assert {q["attempts"] for q in response.json()["questions"]} == {2}

    write(
        problems_dir / OPERATOR_FOLDER,
        {"id": "long", "title": "Long", "questions": [{"text": "Q", "attempts": 3}]},
    )
    load_templates.cache_clear()
    container.video.templates = load_templates(problems_dir)
    refused = from_template(client, "long")
    assert_problem(refused, 422, "too_many_attempts")


def test_a_later_edit_of_the_template_leaves_the_interview_alone(
    client: TestClient, container: Container, problems_dir: Path
) -> None:
    before = from_template(client, "support-engineer")
    assert before.status_code == 201, before.text

    edited = {**OPERATOR_TEMPLATE, "questions": [{"text": "A brand new question", "keywords": []}]}
    write(problems_dir / OPERATOR_FOLDER, edited)
    load_templates.cache_clear()  # what a restart does
    container.video.templates = load_templates(problems_dir)
    after = from_template(client, "support-engineer")

    assert [q["text"] for q in after.json()["questions"]] == ["A brand new question"]
    kept = client.get(f"{API}/interviews/{before.json()['id']}").json()
    assert [q["text"] for q in kept["questions"]] == [
        "How do you calm an angry customer?",
        "Walk us through a bug you reproduced.",
    ]
    assert kept["questions"][0]["keywords"] == ["empathy"]
    assert kept["template_id"] == "support-engineer"
