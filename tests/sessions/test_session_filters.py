"""The session list's filters (template, creation dates) and its CSV export."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from interviewkit.review import api as review_api
from tests.conftest import assert_problem, new_session


def ids(client: TestClient, path: str = "/api/v1/sessions", **params: Any) -> list[str]:
    response = client.get(path, params=params)
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


def test_the_list_filters_by_template(client: TestClient) -> None:
    screen = new_session(client, template_id="backend-screen-45", language="python")["id"]
    single = new_session(client, problem_id="two-sum")["id"]
    bare = new_session(client)["id"]
    assert ids(client, template="backend-screen-45") == [screen]
    assert set(ids(client)) == {screen, single, bare}
    assert ids(client, template="no-such-template") == []
    assert ids(client, template="backend-screen-45", status="completed") == []
    assert_problem(client.get("/api/v1/sessions?template=Not%20An%20Id"), 400, "invalid_parameter")


def test_the_list_filters_by_creation_time_after_inclusive_before_exclusive(
    client: TestClient,
) -> None:
    made = [new_session(client, candidate_name=f"c{i}") for i in range(3)]
    first, second, third = (s["id"] for s in made)
    middle = made[1]["created_at"]
    assert ids(client, created_after=middle) == [third, second]
    assert ids(client, created_before=middle) == [first]
    assert ids(
        client, created_after=made[0]["created_at"], created_before=made[2]["created_at"]
    ) == [
        second,
        first,
    ]
    today = datetime.now(UTC).date()
    assert len(ids(client, created_after=today.isoformat())) == 3
    assert ids(client, created_before=today.isoformat()) == []
    tomorrow = (today + timedelta(days=1)).isoformat()
    assert ids(client, created_after=tomorrow) == []
    naive = made[1]["created_at"].replace("+00:00", "")  # no offset: UTC
    assert ids(client, created_after=naive) == [third, second]


def test_date_filters_page_with_the_cursor(client: TestClient) -> None:
    made = [new_session(client)["id"] for _ in range(5)]
    after = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 2, "created_after": after}
        page = client.get(
            "/api/v1/sessions", params=params | ({"cursor": cursor} if cursor else {})
        )
        body = page.json()
        seen += [item["id"] for item in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen == list(reversed(made))


def test_bad_dates_are_400(client: TestClient) -> None:
    for value in ("yesterday", "2026-13-01", "2026-12-06T25:00"):
        assert_problem(
            client.get("/api/v1/sessions", params={"created_after": value}),
            400,
            "invalid_parameter",
        )


def test_the_candidate_search_takes_wildcards_literally(client: TestClient) -> None:
    percent = new_session(client, candidate_name="100% Ada")["id"]
    new_session(client, candidate_name="1000 Grace")
    assert ids(client, candidate="100%") == [percent]
    assert ids(client, candidate="_") == []


def read_csv(client: TestClient, **params: Any) -> list[dict[str, str]]:
    response = client.get("/api/v1/exports/sessions.csv", params=params)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    return list(csv.DictReader(io.StringIO(response.text)))


def test_the_csv_export_has_every_matching_session_newest_first(client: TestClient) -> None:
    screen = new_session(
        client, template_id="backend-screen-45", language="java", candidate_name="Ada Lovelace"
    )
    other = new_session(client, problem_id="two-sum", candidate_email="grace@example.com")
    rows = read_csv(client)
    assert [r["id"] for r in rows] == [other["id"], screen["id"]]
    assert rows[1]["template_id"] == "backend-screen-45"
    assert rows[1]["language"] == "java"
    assert rows[1]["candidate_name"] == "Ada Lovelace"
    assert rows[1]["status"] == "active"
    assert rows[0]["candidate_email"] == "grace@example.com"
    assert datetime.fromisoformat(rows[0]["created_at"]) > datetime.fromisoformat(
        rows[1]["created_at"]
    )
    assert [r["id"] for r in read_csv(client, template="backend-screen-45")] == [screen["id"]]
    assert [r["id"] for r in read_csv(client, candidate="grace")] == [other["id"]]
    assert read_csv(client, status="completed") == []


def test_the_csv_export_streams_past_one_page(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    made = {new_session(client, candidate_name=f"n{i}")["id"] for i in range(7)}
    monkeypatch.setattr(review_api, "CSV_PAGE", 3)
    rows = read_csv(client)
    assert {r["id"] for r in rows} == made
    assert len(rows) == 7


def test_csv_cells_that_would_run_as_formulas_are_defused(client: TestClient) -> None:
    names = ['=HYPERLINK("http://evil")', "+1+1", "-2", "@SUM(A1)", "Ada = fine"]
    for name in names:
        new_session(client, candidate_name=name)
    shown = {r["candidate_name"] for r in read_csv(client)}
    assert shown == {'\'=HYPERLINK("http://evil")', "'+1+1", "'-2", "'@SUM(A1)", "Ada = fine"}


def test_the_export_is_for_staff_only(client: TestClient, anonymous: TestClient) -> None:
    assert_problem(anonymous.get("/api/v1/exports/sessions.csv"), 401, "unauthenticated")
    assert_problem(
        client.get("/api/v1/exports/sessions.csv?created_after=never"), 400, "invalid_parameter"
    )
