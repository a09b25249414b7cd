"""Password hashing (argon2id), access tokens (JWT) and signed links (HMAC)."""

from showgeo_adapters.security.jwt_tokens import JwtAccessTokens
from showgeo_adapters.security.passwords import Argon2PasswordHasher
from showgeo_adapters.security.signing import HmacSigner

__all__ = ["Argon2PasswordHasher", "HmacSigner", "JwtAccessTokens"]
