"""Candidates: list and search, external_ref lookup, one candidate per email, their sessions."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import assert_problem, new_session


def create(client: TestClient, **body: Any) -> dict[str, Any]:
    response = client.post("/api/v1/candidates", json=body)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def listed(client: TestClient, **params: Any) -> list[str]:
    response = client.get("/api/v1/candidates", params=params)
    assert response.status_code == 200, response.text
    return [c["name"] for c in response.json()["candidates"]]


def test_a_second_candidate_with_the_same_email_is_409_naming_the_first(
    client: TestClient,
) -> None:
    ada = create(client, name="Ada", email="Ada@Example.com")
    body = assert_problem(
        client.post("/api/v1/candidates", json={"name": "A. L.", "email": "ada@example.COM"}),
        409,
        "candidate_exists",
    )
    assert body["existing_id"] == ada["id"]
    assert listed(client) == ["Ada"]
    create(client, name="No email")  # candidates without an email never collide
    create(client, name="No email either")


def test_candidates_list_newest_first_and_search_by_name_or_email(client: TestClient) -> None:
    create(client, name="Ada Lovelace", email="ada@example.com")
    create(client, name="Grace Hopper", email="grace@navy.mil")
    create(client, name="Alan Turing", email="alan@example.org", external_ref="ats-42")
    assert listed(client) == ["Alan Turing", "Grace Hopper", "Ada Lovelace"]
    assert listed(client, q="example") == ["Alan Turing", "Ada Lovelace"]
    assert listed(client, q="HOPPER") == ["Grace Hopper"]
    assert listed(client, q="%") == []
    assert listed(client, external_ref="ats-42") == ["Alan Turing"]
    assert listed(client, external_ref="ats-4") == []  # a lookup, not a search


def test_candidates_page_with_a_cursor(client: TestClient) -> None:
    names = [f"candidate {i}" for i in range(5)]
    for name in names:
        create(client, name=name)
    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        body = client.get("/api/v1/candidates", params=params).json()
        seen += [c["name"] for c in body["candidates"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen == list(reversed(names))
    assert_problem(client.get("/api/v1/candidates?cursor=!!"), 400, "invalid_cursor")
    assert_problem(client.get("/api/v1/candidates?limit=0"), 400, "invalid_parameter")


def test_a_candidates_sessions_are_found_by_email_and_by_attempt(client: TestClient) -> None:
    ada = create(client, name="Ada", email="ada@example.com")
    by_email = new_session(client, problem_id="two-sum", candidate_email="ADA@example.com")
    new_session(client, problem_id="two-sum", candidate_email="someone@example.com")
    asked = client.post(
        f"/api/v1/candidates/{ada['id']}/next-question", json={"language": "python"}
    )
    assert asked.status_code == 201, asked.text
    attempt = asked.json()["attempt"]

    body = client.get(f"/api/v1/candidates/{ada['id']}/sessions").json()
    assert [s["id"] for s in body["sessions"]] == [attempt["session_id"], by_email["id"]]
    assert [a["id"] for a in body["attempts"]] == [attempt["id"]]

    loner = create(client, name="Nobody")
    assert client.get(f"/api/v1/candidates/{loner['id']}/sessions").json() == {
        "sessions": [],
        "attempts": [],
    }
    assert_problem(
        client.get("/api/v1/candidates/can_missing/sessions"), 404, "candidate_not_found"
    )


def test_candidates_are_for_staff(anonymous: TestClient) -> None:
    assert_problem(anonymous.get("/api/v1/candidates"), 401, "unauthenticated")


def test_creating_one_email_at_once_from_many_clients_makes_one_candidate(
    client: TestClient,
) -> None:
    def attempt(n: int) -> int:
        body = {"name": f"Ada {n}", "email": "ADA@example.com" if n % 2 else "ada@example.com"}
        return client.post("/api/v1/candidates", json=body).status_code

    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(attempt, range(8)))
    assert sorted(statuses) == [201] + [409] * 7
    assert len(client.get("/api/v1/candidates", params={"q": "ada@"}).json()["candidates"]) == 1


def test_control_characters_are_a_422_never_a_database_error(client: TestClient) -> None:
    """PostgreSQL cannot store or even compare a NUL: it is refused before the query."""
    for params in ({"q": "a\x00"}, {"external_ref": "r\x00"}):
        assert_problem(client.get("/api/v1/candidates", params=params), 400, "invalid_parameter")
    for body in ({"name": "A\x00"}, {"name": "A", "external_ref": "\x00"}):
        assert_problem(client.post("/api/v1/candidates", json=body), 422, "validation_error")
    assert listed(client) == []
