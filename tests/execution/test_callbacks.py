"""``callback_url`` cannot be pointed inside the network, and what it sends is signed.

Receivers are real HTTP servers on loopback (allow-listed with ``exec_callback_allow``);
refusals need no network at all: the addresses are literal, so resolving them is local.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import logging
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st

from interviewkit.app import Container
from interviewkit.config import Settings
from interviewkit.errors import ProblemError
from interviewkit.execution.callbacks import (
    SIGNATURE_HEADER,
    PinnedCallback,
    build_request,
    callback_key,
    check_callback,
    is_public,
)
from tests.conftest import Keys, assert_problem, make_settings
from tests.execution.conftest import KIT, requires_sandbox
from tests.execution.helpers import POLL_SECONDS, execute, session_execute, session_with

SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
LOCAL = {"exec_callback_allow": "127.0.0.1"}
BIG_ANSWER = 64 << 20
"""More than any socket buffer holds: the server can only send it all if it is read."""


@dataclass
class Receiver:
    """One real HTTP server: records each POST's path, headers and body."""

    answer_bytes: int = 0
    status: int = 200
    posts: list[tuple[str, dict[str, str], bytes]] = field(default_factory=list)
    sent_all: list[bool] = field(default_factory=list)
    received: threading.Condition = field(default_factory=threading.Condition)

    def wait_for(self, count: int) -> None:
        with self.received:
            assert self.received.wait_for(lambda: len(self.sent_all) >= count, POLL_SECONDS)


@contextmanager
def receiver(answer_bytes: int = 0, status: int = 200) -> Iterator[tuple[Receiver, int]]:
    state = Receiver(answer_bytes, status)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["content-length"]))
            with state.received:
                state.posts.append(
                    (self.path, {k.lower(): v for k, v in self.headers.items()}, body)
                )
            self.send_response(state.status)
            self.send_header("content-length", str(state.answer_bytes))
            self.end_headers()
            sent = True
            try:
                chunk = b"x" * (1 << 20)
                for _ in range(state.answer_bytes // len(chunk)):
                    self.wfile.write(chunk)
                self.wfile.flush()
            except OSError:  # the client hung up before reading it all
                sent = False
            with state.received:
                state.sent_all.append(sent)
                state.received.notify_all()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state, server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


# ---------------------------------------------------------------------------- refusals

REFUSED = [
    "http://127.0.0.1/hook",
    "http://127.9.9.9:8080/hook",
    "http://10.1.2.3/hook",
    "http://172.16.0.1/hook",
    "http://192.168.1.1/hook",
    "http://169.254.169.254/latest/meta-data/",
    "http://100.64.0.1/hook",
    "http://0.0.0.0/hook",
    "http://224.0.0.1/hook",
    "http://240.0.0.1/hook",
    "http://255.255.255.255/hook",
    "http://[::1]/hook",
    "http://[::]/hook",
    "http://[fe80::1]/hook",
    "http://[fc00::1]/hook",
    "http://[ff02::1]/hook",
    "http://[::ffff:127.0.0.1]/hook",
    "http://[::ffff:169.254.169.254]/hook",
    "http://[2002:7f00:1::]/hook",
    "http://localhost/hook",
    "http://user:secret@203.0.113.9/hook",
    "http://127.0.0.1:99999/hook",
]


@pytest.mark.parametrize("url", REFUSED)
def test_non_public_callback_addresses_are_refused(url: str, tmp_path: Any) -> None:
    with pytest.raises(ProblemError) as refused:
        check_callback(url, make_settings(tmp_path))
    assert (refused.value.status, refused.value.code) == (422, "callback_url_refused")


def test_a_public_address_is_pinned(tmp_path: Any) -> None:
    pinned = check_callback("https://8.8.8.8/hook?token=t", make_settings(tmp_path))
    assert (pinned.host, pinned.port, pinned.address) == ("8.8.8.8", 443, "8.8.8.8")
    assert pinned.shown == "https://8.8.8.8:443/hook"


def test_the_allow_list_names_addresses_and_networks(tmp_path: Any) -> None:
    settings = make_settings(tmp_path, exec_callback_allow="127.0.0.1, 10.0.0.0/8,fd00::/8")
    for url in ("http://127.0.0.1/h", "http://10.9.8.7/h", "http://[fd00::5]/h"):
        assert check_callback(url, settings).url == url
    assert check_callback("http://[::ffff:10.1.1.1]/h", settings).address == "::ffff:a01:101"
    with pytest.raises(ProblemError):
        check_callback("http://127.0.0.2/h", settings)


@given(st.ip_addresses(v=4))
def test_a_v4_mapped_address_is_judged_as_its_ipv4(address: ipaddress.IPv4Address) -> None:
    mapped = ipaddress.IPv6Address(f"::ffff:{address}")
    assert is_public(mapped) == is_public(address)
    if is_public(address):
        assert not address.is_private
        assert not address.is_loopback
        assert not address.is_multicast


@given(
    st.sampled_from(["10.0.0.0/8", "127.0.0.0/8", "169.254.0.0/16", "192.168.0.0/16"]).flatmap(
        lambda net: st.integers(0, ipaddress.ip_network(net).num_addresses - 1).map(
            lambda offset: ipaddress.ip_network(net).network_address + offset
        )
    )
)
def test_every_address_of_the_inner_networks_is_refused(address: ipaddress.IPv4Address) -> None:
    assert not is_public(address)
    assert not is_public(ipaddress.IPv6Address(f"::ffff:{address}"))


@SQLITE_ONLY
def test_the_api_refuses_at_request_time_before_any_run(client: TestClient) -> None:
    refused = execute(
        client, KIT["python"], "python", wait=False, callback_url="http://169.254.169.254/x?k=1"
    )
    body = assert_problem(refused, 422, "callback_url_refused")
    assert "k=1" not in body["detail"]
    session = session_with(client, KIT["python"])
    refused = session_execute(
        client, session["id"], file="main.py", wait=False, callback_url="http://[::1]:8080/x"
    )
    assert_problem(refused, 422, "callback_url_refused")
    listing = client.get(f"/api/v1/sessions/{session['id']}/executions").json()
    assert listing["executions"] == []


# ---------------------------------------------------------------------------- delivery


def test_the_request_goes_to_the_pinned_address_with_the_original_host(tmp_path: Any) -> None:
    """The connection target is the checked address, whatever the name resolves to later."""
    pinned = PinnedCallback(
        "https://hooks.example.com:8443/h?x=1", "hooks.example.com", 8443, "8.8.4.4"
    )
    request = build_request(pinned, b"{}", b"k" * 32)
    assert request.url.host == "8.8.4.4"
    assert request.url.port == 8443
    assert request.url.raw_path == b"/h?x=1"
    assert request.headers["host"] == "hooks.example.com:8443"
    assert request.extensions["sni_hostname"] == "hooks.example.com"
    v6 = PinnedCallback("http://hooks.example.com/h", "hooks.example.com", 80, "2001:db8::1")
    built = build_request(v6, b"{}", b"k" * 32)
    assert (built.url.host, built.headers["host"]) == ("2001:db8::1", "hooks.example.com")


@requires_sandbox
@SQLITE_ONLY
@pytest.mark.parametrize("settings_overrides", [LOCAL])
def test_a_callback_is_signed_and_reaches_the_checked_address(
    app: FastAPI, keys: Keys, settings: Settings
) -> None:
    staff = TestClient(app, headers=Keys.bearer(keys.interviewer))
    with receiver() as (hook, port), staff as client:
        queued = execute(
            client,
            KIT["python"],
            "python",
            stdin="echo signed",
            wait=False,
            callback_url=f"http://127.0.0.1:{port}/hook?token=abc",
        )
        assert queued.status_code == 202, queued.text
        hook.wait_for(1)
        published = client.get("/api/v1/callback-signing-key")
        assert published.status_code == 403  # interviewers do not get the key
    [(path, headers, body)] = hook.posts
    assert path == "/hook?token=abc"
    assert headers["host"] == f"127.0.0.1:{port}"
    assert json.loads(body)["id"] == queued.json()["id"]
    stamp, _, mac = headers[SIGNATURE_HEADER.lower()].partition(",")
    timestamp = stamp.removeprefix("t=")
    key = callback_key(settings)
    wanted = hmac.new(key, timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    assert mac == f"v1={wanted}"
    assert key != settings.effective_secret_key.encode()


@SQLITE_ONLY
def test_admins_can_read_the_signing_key(admin: TestClient, settings: Settings) -> None:
    response = admin.get("/api/v1/callback-signing-key")
    assert response.status_code == 200
    assert response.json()["header"] == SIGNATURE_HEADER
    assert bytes.fromhex(response.json()["key"]) == callback_key(settings)
    assert response.headers["cache-control"] == "no-store"


@requires_sandbox
@SQLITE_ONLY
@pytest.mark.parametrize("settings_overrides", [{**LOCAL, "exec_callback_attempts": 2}])
def test_the_answer_is_read_only_up_to_the_cap_and_the_query_is_never_logged(
    app: FastAPI, keys: Keys, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    staff = TestClient(app, headers=Keys.bearer(keys.interviewer))
    with receiver(answer_bytes=BIG_ANSWER, status=500) as (hook, port), staff as client:
        queued = execute(
            client,
            KIT["python"],
            "python",
            stdin="echo capped",
            wait=False,
            callback_url=f"http://127.0.0.1:{port}/hook?token=very-secret-token",
        )
        assert queued.status_code == 202, queued.text
        hook.wait_for(2)
    assert hook.sent_all == [False, False]  # both attempts hung up after the cap
    assert "very-secret-token" not in caplog.text
    assert f"127.0.0.1:{port}/hook" in caplog.text  # the give-up line names the receiver


def test_a_hostname_resolving_to_loopback_is_refused(tmp_path: Any) -> None:
    """``localhost`` is not special-cased: its addresses are what is judged."""
    resolved = {info[4][0] for info in socket.getaddrinfo("localhost", 80)}
    assert resolved  # the check below is about these addresses
    with pytest.raises(ProblemError):
        check_callback("http://localhost:8080/", make_settings(tmp_path))


def test_a_bad_allow_list_entry_fails_the_build_not_a_run(tmp_path: Any) -> None:
    with pytest.raises(ValueError, match="not-an-address"):
        Container.build(make_settings(tmp_path, exec_callback_allow="10.0.0.0/8,not-an-address"))
