"""HMAC-signed, expiring URLs for the local object store (what S3 presigning does).

The signature covers the method, the key, the expiry and the content type, so a URL that
allows downloading one object cannot be reused to upload it, nor for any other object.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from urllib.parse import quote, urlencode

OBJECTS_ROUTE = "/api/v1/objects/"


class UrlSigner:
    def __init__(self, secret: str, base_url: str) -> None:
        self._secret = secret.encode()
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
