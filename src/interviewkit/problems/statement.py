"""The statement a candidate reads, rendered from a problem's data.

The constraints list is rendered from ``Problem.constraints`` (the same data ``problems
validate`` checks every test input against), so the statement and the tests cannot
disagree. Where the problem deliberately differs from its well-known version, the
``differences`` come first, as a callout: a candidate who has solved the LeetCode version
must not lose time to an assumption the statement overturns further down.

Layout (Markdown)::

    > **Differs from the well-known version:** <difference>
    >
    > **Differs from the well-known version:** <difference>

    <description>

    **Constraints**

    - `1 <= nums.length <= 10^5`
    - ...

    **Time limits**

    Python 2 s, JavaScript 1 s, Java 1 s, C++ 0.5 s

The tutor's ``constraints_section`` reads the **Constraints** section of this text; the
**Time limits** heading ends it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from interviewkit import languages

if TYPE_CHECKING:
    from interviewkit.problems.bank import Bound, Interval, ParamConstraint, Problem

DIFFERENCE_LEAD = "**Differs from the well-known version:**"
LANGUAGE_NAMES = {"python": "Python", "javascript": "JavaScript", "java": "Java", "cpp": "C++"}
"""Short names for the time-limit line (a registry title carries a version: "Java 17")."""


def _bound(bound: Bound) -> str:
    if isinstance(bound, float) and bound.is_integer():
        return str(int(bound))
    return str(bound).strip()


def _range(interval: Interval, term: str) -> str:
    low, high = (_bound(b) for b in interval)
    if low == high:
        return f"`{term} == {low}`"
    return f"`{low} <= {term} <= {high}`"


def _base(type_name: str) -> tuple[str, int]:
    return type_name.replace("[]", ""), type_name.count("[]")


def param_lines(name: str, type_name: str, rule: ParamConstraint) -> list[str]:
    """One statement line per limit of one parameter, in LeetCode's wording."""
    base, dims = _base(type_name)
    nodes = base in ("ListNode", "TreeNode")
    lines: list[str] = []
    if rule.length is not None:
        if nodes and not dims:
            what = "list" if base == "ListNode" else "tree"
            low, high = (_bound(b) for b in rule.length)
            lines.append(
                f"The number of nodes in `{name}` ({what}) is in the range `[{low}, {high}]`"
            )
        else:
            lines.append(_range(rule.length, f"{name}.length"))
    if rule.item_length is not None:
        lines.append(_range(rule.item_length, f"{name}[i].length"))
    if rule.total_length is not None:
        lines.append(_range(rule.total_length, f"sum({name}[i].length)"))
    if rule.values is not None:
        if nodes:
            term = "Node.val" if not dims else f"{name}[i][j]"
        elif dims == 0:
            term = name
        else:
            term = name + "".join(f"[{index}]" for index in "ijk"[:dims])
        lines.append(_range(rule.values, term))
    if rule.alphabet is not None:
        if base == "string" and dims == 0:
            lines.append(f"`{name}` consists of characters in `[{rule.alphabet}]`")
        elif base == "char":
            term = name + "".join(f"[{index}]" for index in "ij"[:dims])
            lines.append(f"`{term}` is a character in `[{rule.alphabet}]`")
        else:
            lines.append(f"Every string in `{name}` consists of characters in `[{rule.alphabet}]`")
    if rule.distinct:
        what = "node values" if nodes and not dims else "elements"
        lines.append(f"All the {what} of `{name}` are distinct")
    return lines


def constraint_lines(problem: Problem) -> list[str]:
    """The constraints list: each parameter's limits in signature order, then the rules."""
    if problem.constraints is None:
        return []
    lines: list[str] = []
    for param in problem.signature.params:
        rule = problem.constraints.params.get(param.name)
        if rule is not None:
            lines += param_lines(param.name, param.type, rule)
    lines += [rule.text for rule in problem.constraints.rules]
    return lines


def _seconds(value: float) -> str:
    return f"{value:g} s"


def time_limit_line(problem: Problem) -> str | None:
    """ "Python 2 s, JavaScript 1 s, ..." when the languages' limits differ, else None."""
    limits = {lang: problem.time_limit(lang) for lang in problem.languages}
    if len(set(limits.values())) <= 1:
        return None
    titles = []
    for lang, seconds in limits.items():
        spec = languages.find(lang)
        title = LANGUAGE_NAMES.get(lang) or (spec.title if spec is not None else lang)
        titles.append(f"{title} {_seconds(seconds)}")
    return ", ".join(titles)


def render(problem: Problem) -> str:
    """The whole statement: differences, description, constraints, time limits."""
    parts: list[str] = []
    if problem.differences:
        callout = [f"> {DIFFERENCE_LEAD} {line.strip()}" for line in problem.differences]
        parts.append("\n>\n".join(callout))
    parts.append(problem.description.strip())
    lines = constraint_lines(problem)
    if lines:
        parts.append("**Constraints**\n\n" + "\n".join(f"- {line}" for line in lines))
    limits = time_limit_line(problem)
    if limits is not None:
        parts.append(f"**Time limits**\n\n{limits}")
    return "\n\n".join(parts) + "\n"
