"""Who is calling: API keys for staff, signed candidate tokens scoped to one session.

API keys are 256-bit random secrets, so a plain SHA-256 of the key is a safe thing to
store and look up (a slow password hash buys nothing against a key no one can guess).
Verified keys are trusted from memory for ``api_key_cache_seconds``, so a revoked key
stops working within that time on every server.
Candidate tokens are JWTs (HS256) naming one session and a generation of its tokens.
A token works only while its session is active and its generation is the session's
current one (an invite with ``revoke_previous`` moves the generation on). That state
comes from the sessions domain through a :class:`TokenGate`, which keeps it in memory for
``candidate_token_cache_seconds``: a session ended through this process refuses its
tokens at once, one ended by another process within that time.
"""

from __future__ import annotations

import hashlib
import math
import secrets
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any, Protocol

import jwt
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from interviewkit.auth.models import ApiKey
from interviewkit.caching import LRUCache
from interviewkit.config import Settings
from interviewkit.db import new_id, read_session, run_write, utcnow
from interviewkit.errors import ProblemError, not_found
from interviewkit.ratelimit import RateLimiter
from interviewkit.storage.signing import TOKEN_KEY_LABEL, derive_key

API_KEY_PREFIX = "ik_"
TOKEN_ISSUER = "interviewkit"  # noqa: S105 - a claim value, not a secret
TOKEN_AUDIENCE = "interviewkit:candidate"  # noqa: S105
_CACHE_LIMIT = 10_000


class Role(StrEnum):
    admin = "admin"
    interviewer = "interviewer"
    candidate = "candidate"


@dataclass(frozen=True)
class Principal:
    role: Role
    key_id: str | None = None
    session_id: str | None = None

    @property
    def is_staff(self) -> bool:
        return self.role in {Role.admin, Role.interviewer}

    @property
    def actor(self) -> str:
        """Who this is in the session's record: ``staff:<key id>`` or ``candidate``."""
        return f"staff:{self.key_id}" if self.is_staff else "candidate"


@dataclass(frozen=True)
class CandidateToken:
    token: str
    session_id: str
    expires_at: datetime


@dataclass(frozen=True)
class TokenAccess:
    """What a candidate token needs to know of its session."""

    active: bool
    generation: int


class TokenGate(Protocol):
    """The sessions domain's answer to "may this session's tokens still be used?"."""

    def cached_token_access(self, session_id: str) -> TokenAccess | None:
        """The state if it is in memory and fresh, else None; never does I/O."""
        ...

    def token_access(self, session_id: str) -> TokenAccess | None:
        """The state (may read the database); None when there is no such session."""
        ...


def unauthenticated(detail: str, code: str = "unauthenticated") -> ProblemError:
    return ProblemError(
        401, code, detail, headers={"WWW-Authenticate": 'Bearer realm="interviewkit"'}
    )


def hash_key(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


class AuthService:
    def __init__(
        self,
        factory: sessionmaker[Session],
        signing_key: str,
        cache_seconds: float = 5.0,
        *,
        candidate_limit: RateLimiter | None = None,
        staff_limit: RateLimiter | None = None,
        gate: TokenGate | None = None,
    ) -> None:
        """Without a ``gate`` (the CLI, which only manages keys) no candidate token passes."""
        self.factory = factory
        self._gate = gate
        # never the raw secret: a key of its own, which signs nothing but candidate tokens
        self._signing_key = derive_key(signing_key, TOKEN_KEY_LABEL)
        self._cache_seconds = cache_seconds
        # (expires at, principal) by key hash; expiry counts from the start of the lookup
        self._cache: LRUCache[str, tuple[float, Principal]] = LRUCache(_CACHE_LIMIT)
        self._candidate_limit = candidate_limit or RateLimiter(0, 1)
        self._staff_limit = staff_limit or RateLimiter(0, 1)

    @classmethod
    def from_settings(
        cls, factory: sessionmaker[Session], settings: Settings, gate: TokenGate | None = None
    ) -> AuthService:
        return cls(
            factory,
            settings.effective_secret_key,
            settings.api_key_cache_seconds,
            candidate_limit=RateLimiter(
                settings.candidate_requests_per_second, settings.candidate_request_burst
            ),
            staff_limit=RateLimiter(
                settings.staff_requests_per_second, settings.staff_request_burst
            ),
            gate=gate,
        )

    def throttle(self, principal: Principal) -> None:
        """Spend one request of the caller's budget, or answer 429 with Retry-After."""
        if principal.role == Role.candidate:
            wait = self._candidate_limit.wait_time(f"session:{principal.session_id}")
        else:
            wait = self._staff_limit.wait_time(f"key:{principal.key_id}")
        if wait > 0:
            raise ProblemError(
                429,
                "rate_limited",
                f"too many requests; retry in {wait:.1f} s",
                headers={"Retry-After": str(math.ceil(wait))},
                retry_after_seconds=round(wait, 3),
            )

    # ---- API keys ----------------------------------------------------------------------

    def create_key(self, name: str, role: Role) -> tuple[ApiKey, str]:
        """Create a key; the secret is returned here once and never stored."""
        if role not in {Role.admin, Role.interviewer}:
            raise ProblemError(422, "invalid_role", "API keys are 'admin' or 'interviewer'")
        secret = API_KEY_PREFIX + secrets.token_urlsafe(32)
        key = ApiKey(
            id=new_id("key", 16),
            name=name,
            role=role.value,
            key_hash=hash_key(secret),
            key_prefix=secret[:10],
            created_at=utcnow(),
        )
        run_write(self.factory, lambda db: db.add(key))
        return key, secret

    def list_keys(self) -> list[ApiKey]:
        with read_session(self.factory) as db:
            return list(db.scalars(select(ApiKey).order_by(ApiKey.created_at, ApiKey.id)))

    def key_names(self, key_ids: Iterable[str]) -> dict[str, str]:
        """The names of these keys (revoked ones too: a scorecard outlives its key), by id;
        other domains show who wrote something without reading this domain's table."""
        wanted = sorted(set(key_ids))
        if not wanted:
            return {}
        query = select(ApiKey.id, ApiKey.name).where(ApiKey.id.in_(wanted))
        with read_session(self.factory) as db:
            return {row.id: row.name for row in db.execute(query)}

    def count_active_keys(self) -> int:
        with read_session(self.factory) as db:
            query = select(func.count()).select_from(ApiKey).where(ApiKey.revoked_at.is_(None))
            return int(db.scalar(query) or 0)

    def revoke_key(self, key_id: str) -> ApiKey:
        def revoke(db: Session) -> ApiKey:
            key = db.get(ApiKey, key_id)
            if key is None:
                raise not_found("api_key_not_found", f"no API key {key_id!r}")
            if key.revoked_at is None:
                key.revoked_at = utcnow()
            return key

        key = run_write(self.factory, revoke)
        self._cache.pop(key.key_hash)
        return key

    # ---- candidate tokens --------------------------------------------------------------

    def mint_candidate_token(
        self, session_id: str, ttl_seconds: int, generation: int = 0
    ) -> CandidateToken:
        """A token for ``session_id``, valid while the session accepts ``generation``."""
        now = datetime.now(UTC)
        expires = now + timedelta(seconds=ttl_seconds)
        claims = {
            "iss": TOKEN_ISSUER,
            "aud": TOKEN_AUDIENCE,
            "sub": session_id,
            "iat": int(now.timestamp()),
            "exp": int(expires.timestamp()),
            "jti": secrets.token_urlsafe(12),
            "gen": generation,
        }
        token = jwt.encode(claims, self._signing_key, algorithm="HS256")
        return CandidateToken(token, session_id, expires.replace(microsecond=0))

    # ---- authentication ----------------------------------------------------------------

    def authenticate(self, credential: str) -> Principal:
        if credential.startswith(API_KEY_PREFIX):
            return self._authenticate_key(credential)
        principal = self._authenticate_token(credential, io=True)
        assert principal is not None  # with I/O allowed there is always an answer
        return principal

    def without_io(self, credential: str) -> Principal | None:
        """The principal when no database lookup is needed, else None (or 401)."""
        if credential.startswith(API_KEY_PREFIX):
            return self._cached_key(hash_key(credential))
        return self._authenticate_token(credential, io=False)

    def _cached_key(self, digest: str) -> Principal | None:
        cached = self._cache.get(digest)
        if cached is not None and cached[0] > time.monotonic():
            return cached[1]
        return None

    def _authenticate_key(self, secret: str) -> Principal:
        digest = hash_key(secret)
        cached = self._cached_key(digest)
        if cached is not None:
            return cached
        now = time.monotonic()
        with read_session(self.factory, single_statement=True) as db:
            key = db.scalars(select(ApiKey).where(ApiKey.key_hash == digest)).one_or_none()
        if key is None or key.revoked_at is not None:
            raise unauthenticated("the API key is unknown or revoked")
        principal = Principal(Role(key.role), key_id=key.id)
        self._cache.put(digest, (now + self._cache_seconds, principal))
        return principal

    def _authenticate_token(self, token: str, *, io: bool) -> Principal | None:
        """Check the signature and claims, then the session's state: from memory, or
        with ``io`` from the gate's lookup (None when that lookup would be needed)."""
        claims = self._decode(token)
        session_id = str(claims["sub"])
        if self._gate is None:
            raise unauthenticated("candidate tokens are not accepted here")
        access = self._gate.cached_token_access(session_id)
        if access is None:
            if not io:
                return None
            access = self._gate.token_access(session_id)
        if access is None:
            raise unauthenticated("the session of this token does not exist")
        if not access.active:
            raise unauthenticated(
                "the interview session has ended; this candidate token no longer works",
                "session_ended_token",
            )
        generation = claims.get("gen", 0)
        if isinstance(generation, bool) or generation != access.generation:
            raise unauthenticated(
                "this candidate token was revoked by a newer invitation", "token_revoked"
            )
        return Principal(Role.candidate, session_id=session_id)

    def _decode(self, token: str) -> dict[str, Any]:
        try:
            claims = jwt.decode(
                token,
                self._signing_key,
                algorithms=["HS256"],
                audience=TOKEN_AUDIENCE,
                issuer=TOKEN_ISSUER,
                options={"require": ["exp", "sub", "aud", "iss"]},
            )
        except jwt.ExpiredSignatureError:
            raise unauthenticated("the candidate token has expired") from None
        except jwt.PyJWTError:
            raise unauthenticated("the bearer token is not valid") from None
        return claims
