"""Compare: candidates who took the same template, side by side."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.conftest import assert_problem, new_session

TEMPLATE = "backend-screen-45"


def ended(client: TestClient, name: str) -> str:
    sid = str(
        new_session(client, template_id=TEMPLATE, language="python", candidate_name=name)["id"]
    )
    assert client.delete(f"/api/v1/sessions/{sid}").status_code == 200
    return sid


def test_without_ids_the_latest_ended_sessions_of_the_template_are_compared(
    client: TestClient,
) -> None:
    first, second = ended(client, "Ada"), ended(client, "Grace")
    new_session(client, template_id=TEMPLATE, language="python")  # live: not yet comparable
    ended_other = new_session(client, problem_id="two-sum")["id"]
    client.delete(f"/api/v1/sessions/{ended_other}")
    client.post(
        f"/api/v1/sessions/{first}/scorecards", json={"recommendation": "yes", "submit": True}
    )
    client.post(f"/api/v1/sessions/{second}/scorecards", json={"recommendation": "no"})  # a draft

    body = client.get(f"/api/v1/templates/{TEMPLATE}/compare").json()
    assert body["template"]["id"] == TEMPLATE
    rows = body["rows"]
    assert [r["session_id"] for r in rows] == [second, first]
    assert [r["candidate_name"] for r in rows] == ["Grace", "Ada"]
    assert all(len(r["parts"]) == 2 for r in rows)  # every part of an ended session
    assert all(r["total"] == 0 for r in rows)  # nothing was solved
    assert rows[0]["recommendations"] == []  # drafts do not count
    assert rows[1]["recommendations"] == ["yes"]


def test_named_sessions_are_compared_in_the_order_given(client: TestClient) -> None:
    first, second = ended(client, "Ada"), ended(client, "Grace")
    live = new_session(client, template_id=TEMPLATE, language="python")["id"]
    body = client.get(f"/api/v1/templates/{TEMPLATE}/compare?sessions={first},{live},{second}")
    assert body.status_code == 200, body.text
    assert [r["session_id"] for r in body.json()["rows"]] == [first, live, second]
    assert body.json()["rows"][1]["status"] == "active"


def test_compare_refuses_what_it_cannot_compare(client: TestClient) -> None:
    single = new_session(client, problem_id="two-sum")["id"]
    body = assert_problem(
        client.get(f"/api/v1/templates/{TEMPLATE}/compare?sessions={single}"),
        422,
        "session_not_in_template",
    )
    assert body["sessions"] == [single]
    many = ",".join(f"ses_{i}" for i in range(11))
    assert_problem(
        client.get(f"/api/v1/templates/{TEMPLATE}/compare?sessions={many}"),
        400,
        "too_many_sessions",
    )
    assert_problem(
        client.get(f"/api/v1/templates/{TEMPLATE}/compare?sessions=a/b"), 400, "invalid_parameter"
    )
    assert_problem(
        client.get(f"/api/v1/templates/{TEMPLATE}/compare?sessions=ses_nope"),
        404,
        "session_not_found",
    )
    assert_problem(client.get("/api/v1/templates/no-such/compare"), 404, "template_not_found")
