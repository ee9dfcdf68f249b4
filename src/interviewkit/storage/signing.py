"""HMAC-signed, expiring URLs for the local object store (what S3 presigning does).

The signature covers the method, the key, the expiry and the content type, so a URL that
allows downloading one object cannot be reused to upload it, nor for any other object.

The one configured secret is never used as a MAC key itself: each use gets its own key,
derived with HKDF (RFC 5869) under a distinct label, so that a MAC made for one purpose
(a signed URL) is never a valid MAC for another (a candidate token), whatever the
messages happen to look like.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from urllib.parse import quote, urlencode

OBJECTS_ROUTE = "/api/v1/objects/"
URL_KEY_LABEL = "interviewkit/signed-url/v1"
TOKEN_KEY_LABEL = "interviewkit/candidate-token/v1"  # noqa: S105 - a label, not a secret


def derive_key(secret: str, label: str) -> bytes:
    """A 256-bit key for one purpose: HKDF-SHA256 (RFC 5869) of the secret, info=label.

    HKDF with an all-zero salt, as the RFC allows when no salt is at hand; the secret is
    already high-entropy, so the extract step only has to make it a uniform key.
    """
    pseudorandom = hmac.new(bytes(32), secret.encode("utf-8", "surrogatepass"), hashlib.sha256)
    info = label.encode() + b"\x01"
    return hmac.new(pseudorandom.digest(), info, hashlib.sha256).digest()


class UrlSigner:
    def __init__(self, secret: str, base_url: str) -> None:
        self._secret = derive_key(secret, URL_KEY_LABEL)
        self._base_url = base_url.rstrip("/")

    def _signature(self, method: str, key: str, expires: int, content_type: str) -> str:
        message = f"{method}\n{key}\n{expires}\n{content_type}".encode("utf-8", "surrogatepass")
        return hmac.new(self._secret, message, hashlib.sha256).hexdigest()

    def sign(self, method: str, key: str, expires_in: int, content_type: str | None = None) -> str:
        expires = int(time.time()) + expires_in
        query = {
            "method": method,
            "expires": str(expires),
            "signature": self._signature(method, key, expires, content_type or ""),
        }
        if content_type:
            query["content_type"] = content_type
        return f"{self._base_url}{OBJECTS_ROUTE}{quote(key)}?{urlencode(query)}"

    def verify(
        self, method: str, key: str, expires: int, signature: str, content_type: str | None
    ) -> bool:
        """True when the signature matches and has not expired (constant-time compare)."""
        if expires < time.time():
            return False
        expected = self._signature(method, key, expires, content_type or "")
        return hmac.compare_digest(expected, signature)
