"""Session lifecycle over HTTP: create, list and page, update, end, invite."""

from __future__ import annotations

import copy
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st

from interviewkit.sessions.service import merge_patch
from tests.conftest import assert_problem, new_session


def test_create_returns_the_session_and_its_location(client: TestClient) -> None:
    response = client.post(
        "/api/v1/sessions",
        json={
            "template_id": "backend-screen-45",
            "candidate_name": "Ada Lovelace",
            "candidate_email": "ada@example.com",
            "config": {"time_limit_minutes": 45, "languages": ["python"]},
            "files": [{"path": "solution.py", "content": "def solve():\n    pass\n"}],
        },
    )
    assert response.status_code == 201
    session = response.json()
    assert session["id"].startswith("ses_")
    assert response.headers["location"] == f"/api/v1/sessions/{session['id']}"
    assert session["status"] == "active"
    assert session["template_id"] == "backend-screen-45"
    assert session["config"]["time_limit_minutes"] == 45
    assert session["file_count"] == 1
    assert session["created_at"].endswith("Z")
    fetched = client.get(f"/api/v1/sessions/{session['id']}").json()
    assert fetched == session


def test_an_empty_session(client: TestClient) -> None:
    session = new_session(client)
    assert session["file_count"] == 0
    assert session["candidate_name"] is None


def test_invalid_create_bodies_name_the_field(client: TestClient) -> None:
    cases: list[tuple[dict[str, Any], str]] = [
        ({"candidate_email": "nope"}, "candidate_email"),
        ({"template_id": "../x"}, "template_id"),
        ({"candidate_name": ""}, "candidate_name"),
        ({"candidate_name": "a\x00b"}, "candidate_name"),
        ({"config": [1, 2]}, "config"),
        ({"unknown_field": 1}, "unknown_field"),
        ({"files": [{"path": "a.py"}]}, "content"),
    ]
    for body, field in cases:
        problem = assert_problem(
            client.post("/api/v1/sessions", json=body), 422, "validation_error"
        )
        assert field in problem["errors"][0]["field"], problem


def test_duplicate_initial_paths_are_refused(client: TestClient) -> None:
    files = [{"path": "/a.py", "content": ""}, {"path": "a.py", "content": "x"}]
    assert_problem(client.post("/api/v1/sessions", json={"files": files}), 400, "duplicate_path")


def test_oversized_config_is_413(client: TestClient) -> None:
    body = {"config": {"notes": "x" * (70 * 1024)}}
    assert_problem(client.post("/api/v1/sessions", json=body), 413, "config_too_large")


def test_list_pages_newest_first_with_a_cursor(client: TestClient) -> None:
    created = [new_session(client, candidate_name=f"C{i}")["id"] for i in range(5)]
    seen: list[str] = []
    cursor: str | None = None
    for _ in range(3):
        params: dict[str, Any] = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        page = client.get("/api/v1/sessions", params=params).json()
        seen.extend(item["id"] for item in page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == list(reversed(created))
    assert cursor is None


def test_list_filters_by_status_and_candidate(client: TestClient) -> None:
    ada = new_session(client, candidate_name="Ada Lovelace", candidate_email="ada@example.com")
    alan = new_session(client, candidate_name="Alan Turing", candidate_email="alan@example.org")
    client.delete(f"/api/v1/sessions/{alan['id']}", params={"status": "terminated"})

    def ids(**params: Any) -> list[str]:
        return [
            item["id"] for item in client.get("/api/v1/sessions", params=params).json()["items"]
        ]

    assert ids(status="active") == [ada["id"]]
    assert ids(status="terminated") == [alan["id"]]
    assert ids(candidate="lovelace") == [ada["id"]]
    assert ids(candidate="EXAMPLE.ORG") == [alan["id"]]
    assert ids(candidate="%") == []
    assert ids(candidate="_") == []


def test_list_rejects_bad_parameters(client: TestClient) -> None:
    assert_problem(client.get("/api/v1/sessions?status=paused"), 400, "invalid_parameter")
    assert_problem(client.get("/api/v1/sessions?limit=0"), 400, "invalid_parameter")
    assert_problem(client.get("/api/v1/sessions?cursor=!!!"), 400, "invalid_cursor")
    assert_problem(client.get("/api/v1/sessions?cursor=Zm9v"), 400, "invalid_cursor")


def test_page_size_is_capped(client: TestClient) -> None:
    for _ in range(3):
        new_session(client)
    page = client.get("/api/v1/sessions", params={"limit": 10_000}).json()
    assert len(page["items"]) == 3


def test_patch_updates_only_the_given_fields(client: TestClient) -> None:
    session = new_session(client, candidate_name="Ada", config={"a": 1})
    url = f"/api/v1/sessions/{session['id']}"
    patched = client.patch(url, json={"candidate_email": "ada@example.com"}).json()
    assert patched["candidate_name"] == "Ada"
    assert patched["candidate_email"] == "ada@example.com"
    assert patched["config"] == {"a": 1}
    cleared = client.patch(url, json={"candidate_name": None}).json()
    assert cleared["candidate_name"] is None
    assert client.patch(url, json={"config": {"b": 2}}).json()["config"] == {"a": 1, "b": 2}


def test_patch_can_end_but_never_reopen(client: TestClient) -> None:
    session = new_session(client)
    url = f"/api/v1/sessions/{session['id']}"
    ended = client.patch(url, json={"status": "terminated"}).json()
    assert ended["status"] == "terminated"
    assert ended["ended_at"] is not None
    assert_problem(client.patch(url, json={"status": "active"}), 422, "validation_error")
    again = client.patch(url, json={"status": "completed"})
    assert_problem(again, 409, "invalid_status_transition")


def test_delete_ends_the_session_and_keeps_everything(client: TestClient) -> None:
    session = new_session(client, files=[{"path": "/a.py", "content": "1"}])
    url = f"/api/v1/sessions/{session['id']}"
    ended = client.delete(url)
    assert ended.status_code == 200
    assert ended.json()["status"] == "completed"
    again = client.delete(url, params={"status": "terminated"})
    assert again.json()["status"] == "completed", "ending twice changes nothing"
    assert client.get(url).json()["file_count"] == 1
    assert_problem(client.delete(url, params={"status": "active"}), 400, "invalid_parameter")


def test_unknown_session_is_404_everywhere(client: TestClient) -> None:
    url = "/api/v1/sessions/ses_missing"
    assert_problem(client.get(url), 404, "session_not_found")
    assert_problem(client.patch(url, json={}), 404, "session_not_found")
    assert_problem(client.delete(url), 404, "session_not_found")
    assert_problem(client.post(url + "/invite"), 404, "session_not_found")
    assert_problem(client.get("/api/v1/sessions/" + "x" * 100), 422, "validation_error")


def test_invite_mints_a_token_for_active_sessions_only(client: TestClient) -> None:
    session = new_session(client)
    url = f"/api/v1/sessions/{session['id']}/invite"
    invite = client.post(url, json={"ttl_seconds": 3600})
    assert invite.status_code == 201
    assert invite.json()["session_id"] == session["id"]
    assert invite.json()["token"].count(".") == 2
    assert_problem(client.post(url, json={"ttl_seconds": 1}), 422, "validation_error")
    client.delete(f"/api/v1/sessions/{session['id']}")
    assert_problem(client.post(url), 409, "session_ended")


@pytest.mark.parametrize(
    ("settings_overrides", "base"),
    [({}, "http://testserver"), ({"public_url": "https://hire.example.com/ik/"}, None)],
    ids=["request-base", "public-url"],
)
def test_invite_url_opens_the_room_with_the_token_in_the_fragment(
    client: TestClient, anonymous: TestClient, base: str | None
) -> None:
    """The token rides after ``#``: browsers never send the fragment, so the link a
    candidate opens leaves no credential in server or proxy logs."""
    session = new_session(client)
    invite = client.post(f"/api/v1/sessions/{session['id']}/invite").json()
    link = urlsplit(invite["url"])
    expected_base = base or "https://hire.example.com/ik"
    assert f"{link.scheme}://{link.netloc}{link.path}" == f"{expected_base}/room/{session['id']}"
    assert link.query == ""
    assert invite["token"] not in link.path
    assert parse_qs(link.fragment) == {"token": [invite["token"]]}
    token = parse_qs(link.fragment)["token"][0]
    shown = anonymous.get(
        f"/api/v1/sessions/{session['id']}", headers={"Authorization": f"Bearer {token}"}
    )
    assert shown.status_code == 200, "the token in the link is the candidate's credential"


# ---- PATCH config is a JSON merge patch (RFC 7386) ---------------------------------------

# RFC 7386, appendix A: (original, patch, result)
RFC_7386_EXAMPLES: list[tuple[Any, Any, Any]] = [
    ({"a": "b"}, {"a": "c"}, {"a": "c"}),
    ({"a": "b"}, {"b": "c"}, {"a": "b", "b": "c"}),
    ({"a": "b"}, {"a": None}, {}),
    ({"a": "b", "b": "c"}, {"a": None}, {"b": "c"}),
    ({"a": ["b"]}, {"a": "c"}, {"a": "c"}),
    ({"a": "c"}, {"a": ["b"]}, {"a": ["b"]}),
    ({"a": {"b": "c"}}, {"a": {"b": "d", "c": None}}, {"a": {"b": "d"}}),
    ({"a": [{"b": "c"}]}, {"a": [1]}, {"a": [1]}),
    (["a", "b"], ["c", "d"], ["c", "d"]),
    ({"a": "b"}, ["c"], ["c"]),
    ({"a": "foo"}, None, None),
    ({"a": "foo"}, "bar", "bar"),
    ({"e": None}, {"a": 1}, {"e": None, "a": 1}),
    ([1, 2], {"a": "b", "c": None}, {"a": "b"}),
    ({}, {"a": {"bb": {"ccc": None}}}, {"a": {"bb": {}}}),
]


def reference_merge_patch(target: Any, patch: Any) -> Any:
    """The pseudo-code of RFC 7386 section 2, line by line (on a deep copy)."""
    if isinstance(patch, dict):
        if not isinstance(target, dict):
            target = {}
        target = copy.deepcopy(target)
        for name, value in patch.items():
            if value is None:
                if name in target:
                    del target[name]
            else:
                target[name] = reference_merge_patch(target.get(name), value)
        return target
    return patch


@pytest.mark.parametrize(("original", "patch", "result"), RFC_7386_EXAMPLES)
def test_merge_patch_follows_the_rfc_examples(original: Any, patch: Any, result: Any) -> None:
    assert merge_patch(original, patch) == result
    assert reference_merge_patch(original, patch) == result


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from("abcd"), inner, max_size=4)
    ),
    max_leaves=20,
)


@given(json_values, json_values)
def test_merge_patch_is_rfc_7386(target: Any, patch: Any) -> None:
    before = copy.deepcopy((target, patch))
    merged = merge_patch(target, patch)
    assert merged == reference_merge_patch(target, patch)
    assert (target, patch) == before, "the arguments are not modified"
    assert merge_patch(merged, patch) == merged, "applying a patch twice changes nothing more"


def test_patch_merges_the_config_instead_of_replacing_it(client: TestClient) -> None:
    config = {
        "time_limit_minutes": 45,
        "languages": ["python", "java"],
        "notes": "strong on graphs",
        "assistant_policy": {"mode": "hints", "max_hints": 3},
    }
    session = new_session(client, config=config)
    url = f"/api/v1/sessions/{session['id']}"
    patch = {
        "time_limit_minutes": 60,
        "languages": ["go"],
        "notes": None,
        "assistant_policy": {"max_hints": None, "tone": "terse"},
    }
    patched = client.patch(url, json={"config": patch})
    assert patched.status_code == 200, patched.text
    expected = {
        "time_limit_minutes": 60,
        "languages": ["go"],
        "assistant_policy": {"mode": "hints", "tone": "terse"},
    }
    assert patched.json()["config"] == expected
    assert client.get(url).json()["config"] == expected
    assert client.patch(url, json={"config": None}).json()["config"] == expected
    grown = client.patch(url, json={"config": {"notes": "x" * (70 * 1024)}})
    assert_problem(grown, 413, "config_too_large")
    assert client.get(url).json()["config"] == expected


# ---- what a candidate sees of the session -------------------------------------------------


def test_a_candidate_sees_an_allow_list_and_no_config_internals(client: TestClient) -> None:
    notes = "Interviewer note: probe the O(n^2) fallback"
    config = {
        "time_limit_minutes": 90,
        "notes": notes,
        "interviewer_notes": notes,
        "rubric": {"hidden_key": "grading-rubric-text"},
    }
    created = client.post(
        "/api/v1/sessions",
        json={"template_id": "algorithms-onsite-90", "candidate_name": "Ada", "config": config},
    )
    assert created.status_code == 201, created.text
    staff_view = created.json()
    full = staff_view["config"]
    assert {"test_seed", "parts", "problems", "assistant_policy", "notes"} <= set(full)
    first, upcoming = full["parts"][0]["problem"], full["parts"][1]["problem"]
    token = client.post(f"/api/v1/sessions/{staff_view['id']}/invite").json()["token"]
    candidate = TestClient(client.app, headers={"Authorization": f"Bearer {token}"})

    response = candidate.get(f"/api/v1/sessions/{staff_view['id']}")

    assert response.status_code == 200, response.text
    raw = response.text
    secrets = [
        "config",
        "test_seed",
        str(full["test_seed"]),
        "assistant_policy",
        '"explain"',
        "parts",
        "problems",
        upcoming,
        "notes",
        notes,
        "rubric",
        "grading-rubric-text",
        "template",
        "algorithms-onsite-90",
        "candidate_email",
    ]
    leaked = [secret for secret in secrets if secret in raw]
    assert leaked == [], raw
    view = response.json()
    assert view["id"] == staff_view["id"]
    assert view["status"] == "active"
    assert view["candidate_name"] == "Ada"
    assert view["language"] == full["language"]
    assert view["time_limit_minutes"] == 90
    assert view["problem_id"] == first
    assert view["problem_title"]
    assert (view["part_index"], view["part_count"], view["part_label"]) == (0, 2, "medium")
    assert view["part_minutes"] == 40
    assert client.get(f"/api/v1/sessions/{staff_view['id']}").json()["config"] == full


def test_the_candidate_view_shows_only_well_formed_values(client: TestClient) -> None:
    config = {"language": {"secret": "forever"}, "parts": "nope"}
    session = new_session(client, config=config)
    token = client.post(f"/api/v1/sessions/{session['id']}/invite").json()["token"]
    candidate = TestClient(client.app, headers={"Authorization": f"Bearer {token}"})
    response = candidate.get(f"/api/v1/sessions/{session['id']}")
    view = response.json()
    assert view["language"] is None
    assert view["part_count"] is None
    assert view["time_limit_minutes"] is None
    assert "forever" not in response.text
