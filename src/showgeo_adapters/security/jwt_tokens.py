from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any
from uuid import UUID

import jwt

from showgeo_domain.identity.errors import InvalidAccessToken
from showgeo_domain.identity.model import Role, User
from showgeo_domain.identity.ports import AccessClaims, IssuedAccessToken
from showgeo_domain.shared.ids import new_id

_REQUIRED_CLAIMS = ["sub", "iat", "exp", "jti", "iss", "aud", "roles"]
VERIFIED_CACHE_SIZE = 4096


class JwtAccessTokens:
    """Short-lived signed access tokens (PyJWT).

    Verification pins the algorithm list to the configured one, so `alg: none` or an
    algorithm swap is rejected, and requires issuer, audience and every claim we rely on.

    A client sends the same token with every request until it expires, so the claims of the
    last `VERIFIED_CACHE_SIZE` tokens that verified are kept by token (a few MiB at most):
    PyJWT 2.15 re-examines the HMAC secret on every decode (PEM, SSH, DER and JWK shapes,
    through a `json.loads` that raises), a large share of an authenticated read's CPU
    (benchmarks/http_api.py; docs/benchmarks.md). The same string always verifies the same way, so
    only the expiry is checked again, against `now`, on every call; a token that fails is
    never cached.

    Rotating the secret without logging everyone out: new tokens are always signed with
    `secret`, and carry its key id (`kid`, a digest of the secret, not the secret); the
    `previous_secrets` only verify tokens whose `kid` names them, so tokens issued before a
    rotation stay valid until they expire or the previous secret is removed
    (docs/deployment.md). A token without a `kid` (issued before key ids existed) is tried
    against every accepted secret.
    """

    def __init__(
        self,
        *,
        secret: str,
        algorithm: str = "HS256",
        issuer: str = "showgeo",
        audience: str = "showgeo-api",
        ttl: timedelta = timedelta(minutes=15),
        leeway: timedelta = timedelta(seconds=10),
        previous_secrets: Sequence[str] = (),
    ) -> None:
        self._secret = secret
        self._kid = key_id(secret)
        self._keys = {self._kid: secret}  # the current secret is tried first
        for old in previous_secrets:
            self._keys.setdefault(key_id(old), old)
        self._algorithm = algorithm
        self._issuer = issuer
        self._audience = audience
        self._ttl = ttl
        self._leeway = leeway
        self._verified = lru_cache(maxsize=VERIFIED_CACHE_SIZE)(self._verify_signed)

    def issue(self, user: User, now: datetime) -> IssuedAccessToken:
        claims = {
            "sub": str(user.id),
            "iat": int(now.timestamp()),
            "exp": int((now + self._ttl).timestamp()),
            "jti": new_id().hex,
            "iss": self._issuer,
            "aud": self._audience,
            "roles": sorted(role.value for role in user.roles),
        }
        token = jwt.encode(
            claims, self._secret, algorithm=self._algorithm, headers={"kid": self._kid}
        )
        return IssuedAccessToken(token=token, expires_in=int(self._ttl.total_seconds()))

    def verify(self, token: str, now: datetime) -> AccessClaims:
        claims = self._verified(token)
        if now >= claims.expires_at + self._leeway:
            raise InvalidAccessToken("access token has expired")
        return claims

    def _verify_signed(self, token: str) -> AccessClaims:
        """Signature and claims, but not expiry: what never changes for one token."""
        try:
            # PyJWT checks exp against the wall clock; `verify` checks it against `now` so the
            # domain's clock stays the single source of time.
            claims = self._decode(token)
            return AccessClaims(
                user_id=UUID(claims["sub"]),
                roles=frozenset(Role(r) for r in claims["roles"]),
                token_id=str(claims["jti"]),
                expires_at=datetime.fromtimestamp(int(claims["exp"]), UTC),
            )
        except (jwt.PyJWTError, ValueError, TypeError, KeyError) as exc:
            raise InvalidAccessToken("access token is not valid") from exc

    def _decode(self, token: str) -> dict[str, Any]:
        try:
            kid = jwt.get_unverified_header(token).get("kid")
        except jwt.DecodeError:
            kid = None  # not a token at all: `jwt.decode` says so below
        # a kid names one accepted secret (KeyError: none of ours); without one, try them all
        candidates = [self._keys[str(kid)]] if kid is not None else list(self._keys.values())
        for key in candidates[:-1]:
            try:
                return self._decode_with(token, key)
            except jwt.InvalidSignatureError:
                continue
        return self._decode_with(token, candidates[-1])

    def _decode_with(self, token: str, key: str) -> dict[str, Any]:
        claims: dict[str, Any] = jwt.decode(
            token,
            key,
            algorithms=[self._algorithm],
            audience=self._audience,
            issuer=self._issuer,
            options={"require": _REQUIRED_CLAIMS, "verify_exp": False, "verify_iat": False},
        )
        return claims


def key_id(secret: str) -> str:
    """A token's `kid`: which secret signed it, without revealing the secret."""
    return hashlib.sha256(f"showgeo-jwt-kid:{secret}".encode()).hexdigest()[:16]
