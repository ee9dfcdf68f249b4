"""Video question templates: ready-made question lists staff start an interview from.

We ship a few (``video/templates/*.yaml``); an operator adds or replaces them with files
of the same shape in ``<problems_dir>/video-templates/`` (an id they reuse replaces ours),
exactly as the problem bank layers ``problems_dir`` over the shipped bank. A template's
questions are the API's own :class:`~interviewkit.video.schemas.QuestionIn`, so a file
is held to what a staff member could type, and a typo in a key is an error rather than a
silently ignored setting. Creating an interview copies the questions into its row: editing
a template later never changes an interview already made from it.

The files are read once per process and folder (as the bank's): the service loads them
when it is built, so a broken file stops the start-up with its name instead of failing a
request later.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from interviewkit.problems.bank import PROBLEM_ID, SAFE_LOADER
from interviewkit.video.schemas import QuestionIn

SHIPPED_DIR = Path(__file__).parent / "templates"
OPERATOR_FOLDER = "video-templates"
"""The folder under ``settings.problems_dir`` that holds the operator's templates."""


class TemplateError(ValueError):
    """A template file that does not load: names the file, the field and the reason."""


class TemplateQuestion(QuestionIn):
    """One question of a template: the API's question, with unknown keys refused."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class VideoTemplate(BaseModel):
    """A video question template (``<id>.yaml``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=PROBLEM_ID)
    title: str = Field(min_length=1, max_length=200)
    description: str = Field("", max_length=2000)
    questions: list[TemplateQuestion] = Field(min_length=1, max_length=200)


def load_template(path: Path) -> VideoTemplate:
    """One file, every failure a :class:`TemplateError` that names the file and field."""
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER)  # noqa: S506
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise TemplateError(f"{path}: {exc}") from None
    if not isinstance(data, dict):
        raise TemplateError(f"{path}: the file must hold a mapping")
    try:
        template = VideoTemplate.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        message = first["msg"].removeprefix("Value error, ")
        raise TemplateError(f"{path}: {where}: {message}") from None
    if template.id != path.stem:
        raise TemplateError(f"{path}: id: {template.id!r} differs from the file name {path.stem!r}")
    return template


def _load_folder(folder: Path) -> dict[str, VideoTemplate]:
    return {path.stem: load_template(path) for path in sorted(folder.glob("*.yaml"))}


@cache
def load_templates(problems_dir: Path | None = None) -> Mapping[str, VideoTemplate]:
    """Ours, then the operator's over them, ordered by title (how the form lists them)."""
    found = _load_folder(SHIPPED_DIR)
    if problems_dir is not None:
        found |= _load_folder(problems_dir / OPERATOR_FOLDER)
    return dict(sorted(found.items(), key=lambda item: (item[1].title.casefold(), item[0])))
