"""Password hashing (argon2id) and access tokens (JWT)."""

from showgeo_adapters.security.jwt_tokens import JwtAccessTokens
from showgeo_adapters.security.passwords import Argon2PasswordHasher

__all__ = ["Argon2PasswordHasher", "JwtAccessTokens"]
