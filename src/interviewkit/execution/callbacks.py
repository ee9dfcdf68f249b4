"""``callback_url``: checked once, delivered to the checked address, signed, read capped.

A callback makes the server send an HTTP request wherever a client says, which is the
classic server-side request forgery: a URL naming ``169.254.169.254`` (cloud metadata),
``localhost`` or a private network would let an API key probe the inside of the network.
So at request time the host is resolved and every address it resolves to must be public
(not loopback, private, link-local, multicast, reserved, unspecified or otherwise not
global; a v4-mapped IPv6 address is judged as its IPv4 address), unless the
``exec_callback_allow`` setting names it (an address or a CIDR network). The delivery
then connects to that exact address, sending the original ``Host`` header and TLS server
name, so a DNS answer that changes between the check and the request (DNS rebinding)
cannot redirect it. Redirects are not followed.

Every callback body is signed: header ``X-InterviewKit-Signature: t=<unix seconds>,
v1=<hex HMAC-SHA256>`` over ``"<t>." + body``, keyed by :func:`callback_key` (derived from
the server secret; ``interviewkit exec callback-key`` prints it for receivers). The
receiver's answer is read up to ``exec_callback_response_kb`` and the URL's query string
(which may hold a receiver's token) never reaches a log line.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import ipaddress
import logging
import random
import socket
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

from interviewkit.config import Settings
from interviewkit.errors import ProblemError
from interviewkit.storage.signing import derive_key

SIGNATURE_HEADER = "X-InterviewKit-Signature"
CALLBACK_KEY_LABEL = "interviewkit execution callback signature v1"

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class _WithoutQuery(logging.Filter):
    """httpx logs every request's full URL at INFO; a callback's query may hold a token."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                arg.copy_with(query=None) if isinstance(arg, httpx.URL) and arg.query else arg
                for arg in record.args
            )
        return True


logging.getLogger("httpx").addFilter(_WithoutQuery())
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PinnedCallback:
    """A callback URL and the one address that was checked for it."""

    url: str
    host: str
    port: int
    address: str

    @property
    def shown(self) -> str:
        """The URL for logs: scheme, host, port and path; never the query or credentials."""
        parts = urlsplit(self.url)
        return f"{parts.scheme}://{self.host}:{self.port}{parts.path or '/'}"


def callback_key(settings: Settings) -> bytes:
    """The HMAC key of callback signatures: its own key, derived from the server secret."""
    return derive_key(settings.effective_secret_key, CALLBACK_KEY_LABEL)


def sign(key: bytes, body: bytes, timestamp: int) -> str:
    """The signature header's value for ``body`` sent at ``timestamp``."""
    mac = hmac.new(key, str(timestamp).encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def allowed_networks(settings: Settings) -> list[Network]:
    """``exec_callback_allow`` parsed (a bad entry is a configuration error at start-up)."""
    return [
        ipaddress.ip_network(entry.strip(), strict=False)
        for entry in settings.exec_callback_allow.split(",")
        if entry.strip()
    ]


def is_public(address: IPAddress) -> bool:
    """Whether a callback may reach ``address`` without being allow-listed."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return is_public(address.ipv4_mapped)
    if isinstance(address, ipaddress.IPv6Address) and address.sixtofour is not None:
        return is_public(address.sixtofour)
    return address.is_global and not (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or (isinstance(address, ipaddress.IPv6Address) and address.is_site_local)
    )


def _permitted(address: IPAddress, allowed: list[Network]) -> bool:
    candidates: list[IPAddress] = [address]
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        candidates.append(address.ipv4_mapped)
    return is_public(address) or any(
        candidate in network
        for candidate in candidates
        for network in allowed
        if candidate.version == network.version
    )


def _refused(detail: str) -> ProblemError:
    return ProblemError(422, "callback_url_refused", detail)


def check_callback(url: str, settings: Settings) -> PinnedCallback:
    """Resolve ``url``'s host and pin a permitted address; 422 ``callback_url_refused``.

    Blocking (DNS): call it from a worker thread.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise _refused("callback_url must be an http or https URL with a host")
    if parts.username is not None or parts.password is not None:
        raise _refused("callback_url must not carry credentials; sign-verify the body instead")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise _refused("callback_url has an invalid port") from None
    host = parts.hostname
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise _refused(f"the callback host {host!r} does not resolve") from None
    addresses: list[IPAddress] = []
    for *_, sockaddr in found:
        address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise _refused(f"the callback host {host!r} does not resolve")
    allowed = allowed_networks(settings)
    blocked = [address for address in addresses if not _permitted(address, allowed)]
    if blocked:
        raise _refused(
            f"the callback host {host!r} resolves to {blocked[0]}, which is not a public "
            "address (loopback, private, link-local, multicast, reserved or unspecified); "
            "an operator may allow it with INTERVIEWKIT_EXEC_CALLBACK_ALLOW"
        )
    return PinnedCallback(url=url, host=host, port=port, address=str(addresses[0]))


def build_request(callback: PinnedCallback, body: bytes, key: bytes) -> httpx.Request:
    """The POST to the pinned address, with the URL's Host header and TLS server name."""
    parts = urlsplit(callback.url)
    ip = callback.address
    netloc = f"[{ip}]" if ":" in ip else ip
    target = parts._replace(netloc=f"{netloc}:{callback.port}").geturl()
    default_port = 443 if parts.scheme == "https" else 80
    host_header = callback.host if ":" not in callback.host else f"[{callback.host}]"
    if callback.port != default_port:
        host_header += f":{callback.port}"
    headers = {
        "host": host_header,
        "content-type": "application/json",
        "user-agent": "interviewkit-callback/1",
        SIGNATURE_HEADER: sign(key, body, int(time.time())),
    }
    extensions = {"sni_hostname": callback.host} if parts.scheme == "https" else {}
    return httpx.Request("POST", target, content=body, headers=headers, extensions=extensions)


async def deliver(
    client: httpx.AsyncClient, callback: PinnedCallback, body: bytes, key: bytes, cap: int
) -> int:
    """Send once; read at most ``cap`` bytes of the answer; return its status code."""
    request = build_request(callback, body, key)
    response = await client.send(request, stream=True, follow_redirects=False)
    try:
        read = 0
        async for chunk in response.aiter_raw():
            read += len(chunk)
            if read >= cap:
                break
    finally:
        await response.aclose()
    return response.status_code


async def call_back(
    settings: Settings, callback: PinnedCallback, body: bytes, shown_id: str
) -> None:
    """POST the signed result to the pinned address; retry with backoff on errors.

    Only the URL without its query string is ever logged (it may hold a token).
    """
    key = callback_key(settings)
    cap = settings.exec_callback_response_kb * 1024
    attempts = settings.exec_callback_attempts
    shown = callback.shown
    async with httpx.AsyncClient(timeout=10, follow_redirects=False) as client:
        for attempt in range(attempts):
            try:
                status = await deliver(client, callback, body, key, cap)
                if status < 500:
                    return
            except httpx.HTTPError as exc:
                log.warning("callback %s failed: %s", shown, type(exc).__name__)
            if attempt + 1 < attempts:
                await asyncio.sleep(0.5 * 2**attempt + random.uniform(0, 0.25))
    log.warning("callback %s for %s gave up after %d attempts", shown, shown_id, attempts)
