"""Staff browser sign-ins: a cookie that stands for an API key, and login links.

A person signs in once with an API key (or a login link made for one) and the browser
then holds only a random session cookie. The database keeps the cookie's SHA-256 (the
cookie is a 256-bit random secret, so a fast hash is enough, as for API keys), the key it
stands for, a CSRF token the pages embed, and an expiry (``web_session_minutes``).
A session ends when it expires, when its browser signs out, or when its API key is
revoked; lookups are trusted from memory for ``api_key_cache_seconds`` like API keys, so
page loads do not each read the database, and a revocation made elsewhere takes effect
within that time.

Login links are ``<key id>.<expiry>.<nonce>.<HMAC>`` signed with a key derived from the
server secret under their own label: nothing is stored when a link is made, and using one
records its nonce on the web session it creates, under a unique constraint, so a link
signs in once. The link also fails once its key is revoked or it is past its expiry.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from interviewkit.auth.models import ApiKey, WebSession
from interviewkit.auth.service import API_KEY_PREFIX, Principal, Role, hash_key
from interviewkit.caching import LRUCache
from interviewkit.config import Settings
from interviewkit.db import new_id, read_session, run_write, utcnow
from interviewkit.errors import ProblemError
from interviewkit.ratelimit import RateLimiter
from interviewkit.storage.signing import derive_key

SESSION_COOKIE = "ik_session"
LOGIN_LINK_KEY_LABEL = "interviewkit/login-link/v1"
_CACHE_LIMIT = 10_000
# Sign-in attempts per client address: a few typos are fine, guessing is not (keys are
# 256-bit, so this only keeps a scanner from filling the log and the database's hash index)
LOGIN_ATTEMPTS_PER_MINUTE = 10.0
LOGIN_ATTEMPT_BURST = 10


@dataclass(frozen=True)
class WebIdentity:
    """Who a valid session cookie stands for."""

    principal: Principal
    key_id: str
    name: str
    role: str
    csrf_token: str
    expires_at: datetime


@dataclass(frozen=True)
class SignedIn:
    """A new web session: ``cookie`` goes to the browser once, only its hash is kept."""

    cookie: str
    identity: WebIdentity


class SignInFailed(Exception):
    """A sign-in that did not work, with a message a person can act on."""

    def __init__(self, status: int, code: str, message: str, retry_after: float = 0.0) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.retry_after = retry_after


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


class WebSessionService:
    def __init__(
        self,
        factory: sessionmaker[Session],
        secret: str,
        *,
        session_minutes: int = 720,
        link_minutes: int = 15,
        cache_seconds: float = 5.0,
        login_limit: RateLimiter | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        """``clock`` gives the current UTC time (tests move it instead of sleeping)."""
        self.factory = factory
        self._link_key = derive_key(secret, LOGIN_LINK_KEY_LABEL)
        self.session_minutes = session_minutes
        self.link_minutes = link_minutes
        self._cache_seconds = cache_seconds
        # (trusted until, monotonic; identity) by cookie hash
        self._cache: LRUCache[str, tuple[float, WebIdentity]] = LRUCache(_CACHE_LIMIT)
        self._login_limit = login_limit or RateLimiter(
            LOGIN_ATTEMPTS_PER_MINUTE / 60, LOGIN_ATTEMPT_BURST
        )
        self.clock = clock

    @classmethod
    def from_settings(cls, factory: sessionmaker[Session], settings: Settings) -> WebSessionService:
        return cls(
            factory,
            settings.effective_secret_key,
            session_minutes=settings.web_session_minutes,
            link_minutes=settings.login_link_minutes,
            cache_seconds=settings.api_key_cache_seconds,
            login_limit=RateLimiter(
                settings.login_attempts_per_minute / 60, settings.login_attempt_burst
            ),
        )

    # ---- signing in --------------------------------------------------------------------

    def check_attempt(self, client: str) -> None:
        """Spend one sign-in attempt of ``client`` (an address), or refuse with 429."""
        wait = self._login_limit.wait_time(f"login:{client}")
        if wait > 0:
            raise SignInFailed(
                429,
                "rate_limited",
                f"Too many sign-in attempts from this address; try again in {wait:.0f} s.",
                retry_after=wait,
            )

    def sign_in_with_key(self, secret: str) -> SignedIn:
        """A web session for the API key ``secret`` (401 when it is unknown or revoked)."""
        secret = secret.strip()
        if not secret.startswith(API_KEY_PREFIX) or len(secret) > 200:
            raise SignInFailed(401, "unauthenticated", "That is not an InterviewKit API key.")
        digest = hash_key(secret)
        with read_session(self.factory, single_statement=True) as db:
            key = db.scalars(select(ApiKey).where(ApiKey.key_hash == digest)).one_or_none()
        if key is None or key.revoked_at is not None:
            raise SignInFailed(401, "unauthenticated", "This API key is unknown or revoked.")
        return self._start(key.id)

    def make_link(self, key_id: str, minutes: int | None = None) -> tuple[str, datetime]:
        """A login-link token for ``key_id`` and when it expires (the key must be live)."""
        with read_session(self.factory) as db:
            key = db.get(ApiKey, key_id)
        if key is None or key.revoked_at is not None:
            raise ProblemError(404, "api_key_not_found", f"no active API key {key_id!r}")
        expires = self.clock().replace(microsecond=0) + timedelta(
            minutes=minutes or self.link_minutes
        )
        body = f"{key_id}.{int(expires.timestamp())}.{_b64(secrets.token_bytes(16))}"
        return f"{body}.{self._link_mac(body)}", expires

    def sign_in_with_link(self, token: str) -> SignedIn:
        """A web session for a login link: once, before it expires, while its key lives."""
        key_id, nonce = self._check_link(token)
        return self._start(key_id, link_id=nonce)

    def _link_mac(self, body: str) -> str:
        return _b64(hmac.new(self._link_key, body.encode(), hashlib.sha256).digest())

    def _check_link(self, token: str) -> tuple[str, str]:
        refused = SignInFailed(401, "login_link_invalid", "This login link is not valid.")
        parts = token.strip().split(".")
        if len(parts) != 4 or len(token) > 300:
            raise refused
        key_id, expires, nonce, mac = parts
        expected = self._link_mac(f"{key_id}.{expires}.{nonce}")
        if not hmac.compare_digest(mac.encode(), expected.encode()) or not expires.isdigit():
            raise refused
        expired = int(expires) < self.clock().timestamp()
        if expired:
            raise SignInFailed(
                401,
                "login_link_expired",
                "This login link has expired. Ask for a new one (`interviewkit keys login-link`).",
            )
        return key_id, nonce

    def _start(self, key_id: str, link_id: str | None = None) -> SignedIn:
        cookie = secrets.token_urlsafe(32)
        now = self.clock()
        row = WebSession(
            id=new_id("wss", 20),
            token_hash=hash_key(cookie),
            key_id=key_id,
            csrf_token=secrets.token_urlsafe(32),
            link_id=link_id,
            created_at=now,
            expires_at=now + timedelta(minutes=self.session_minutes),
        )

        def start(db: Session) -> WebIdentity:
            key = db.get(ApiKey, key_id)
            if key is None or key.revoked_at is not None:
                if link_id is not None:
                    raise SignInFailed(
                        401, "login_link_invalid", "The API key of this login link was revoked."
                    )
                raise SignInFailed(401, "unauthenticated", "This API key is unknown or revoked.")
            # rows long past their expiry go; a link's row outlives the link it spent
            horizon = now - timedelta(minutes=self.link_minutes, days=1)
            db.execute(delete(WebSession).where(WebSession.expires_at < horizon))
            db.add(row)
            db.flush()
            return self._identity(row, key)

        try:
            identity = run_write(self.factory, start)
        except IntegrityError:
            raise SignInFailed(
                401,
                "login_link_used",
                "This login link was already used. Each link signs in once; ask for a new one.",
            ) from None
        return SignedIn(cookie, identity)

    @staticmethod
    def _identity(row: WebSession, key: ApiKey) -> WebIdentity:
        return WebIdentity(
            principal=Principal(Role(key.role), key_id=key.id),
            key_id=key.id,
            name=key.name,
            role=key.role,
            csrf_token=row.csrf_token,
            expires_at=row.expires_at,
        )

    # ---- using a session ---------------------------------------------------------------

    def cached(self, cookie: str) -> WebIdentity | None:
        """The identity when memory holds a fresh answer for ``cookie``; never does I/O."""
        found = self._cache.get(hash_key(cookie))
        if found is None or found[0] <= time.monotonic():
            return None
        if found[1].expires_at <= self.clock():
            return None
        return found[1]

    def lookup(self, cookie: str) -> WebIdentity | None:
        """Who ``cookie`` signs in, or None when it is unknown, ended, expired or revoked."""
        if not cookie or len(cookie) > 200:
            return None
        cached = self.cached(cookie)
        if cached is not None:
            return cached
        digest = hash_key(cookie)
        started = time.monotonic()
        with read_session(self.factory, single_statement=True) as db:
            found = db.execute(
                select(WebSession, ApiKey)
                .join(ApiKey, ApiKey.id == WebSession.key_id)
                .where(WebSession.token_hash == digest)
            ).one_or_none()
        if found is None:
            return None
        row, key = found
        if row.ended_at is not None or key.revoked_at is not None:
            return None
        if row.expires_at <= self.clock():
            return None
        identity = self._identity(row, key)
        self._cache.put(digest, (started + self._cache_seconds, identity))
        return identity

    def key_revoked(self) -> None:
        """A key was revoked through this process: forget every cached sign-in, so its
        browsers are signed out at once here (other processes within ``cache_seconds``).
        Revocations are rare; the cost is one lookup per signed-in browser."""
        self._cache.clear()

    def sign_out(self, cookie: str) -> None:
        """End the session of ``cookie`` (nothing happens for an unknown cookie)."""
        digest = hash_key(cookie)
        self._cache.pop(digest)
        now = self.clock()

        def end(db: Session) -> None:
            db.execute(
                update(WebSession)
                .where(WebSession.token_hash == digest, WebSession.ended_at.is_(None))
                .values(ended_at=now)
            )

        run_write(self.factory, end)
