from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import lru_cache
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
    ) -> None:
        self._secret = secret
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
        token = jwt.encode(claims, self._secret, algorithm=self._algorithm)
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
            claims = jwt.decode(
                token,
                self._secret,
                algorithms=[self._algorithm],
                audience=self._audience,
                issuer=self._issuer,
                options={"require": _REQUIRED_CLAIMS, "verify_exp": False, "verify_iat": False},
            )
            return AccessClaims(
                user_id=UUID(claims["sub"]),
                roles=frozenset(Role(r) for r in claims["roles"]),
                token_id=str(claims["jti"]),
                expires_at=datetime.fromtimestamp(int(claims["exp"]), UTC),
            )
        except (jwt.PyJWTError, ValueError, TypeError, KeyError) as exc:
            raise InvalidAccessToken("access token is not valid") from exc
