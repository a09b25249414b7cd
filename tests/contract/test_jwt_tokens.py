"""Access tokens: the verified-token cache never lets through what verification refuses —
an expired token, a token signed with another key, one with a byte changed — and a token
that fails is never remembered."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import jwt
import pytest

from showgeo_adapters.security import JwtAccessTokens
from showgeo_domain.identity.errors import InvalidAccessToken
from showgeo_domain.identity.model import Role, User

SECRET = "test-only-secret-0123456789abcdef-0123456789abcdef"
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def a_user() -> User:
    return User.register(
        email="ana@example.test",
        username="ana",
        password_hash="x",
        display_name="Ana",
        now=NOW,
    )


def test_a_cached_token_still_expires() -> None:
    tokens = JwtAccessTokens(secret=SECRET, ttl=timedelta(minutes=15))
    user = a_user()
    token = tokens.issue(user, NOW).token

    first = tokens.verify(token, NOW)
    again = tokens.verify(token, NOW + timedelta(minutes=10))
    assert first == again
    assert first.user_id == user.id
    assert first.roles == frozenset({Role.USER})
    with pytest.raises(InvalidAccessToken, match="expired"):
        tokens.verify(token, NOW + timedelta(minutes=16))


def test_a_token_of_another_key_or_tampered_fails_after_a_good_one_was_cached() -> None:
    tokens = JwtAccessTokens(secret=SECRET)
    user = a_user()
    token = tokens.issue(user, NOW).token
    tokens.verify(token, NOW)

    other = JwtAccessTokens(secret=SECRET[::-1]).issue(user, NOW).token
    header, payload, signature = token.split(".")
    tampered = ".".join([header, payload, ("A" if signature[0] != "A" else "B") + signature[1:]])
    for bad in (other, tampered, token + "x"):
        with pytest.raises(InvalidAccessToken, match="not valid"):
            tokens.verify(bad, NOW)


def test_a_failed_token_is_not_remembered(monkeypatch: pytest.MonkeyPatch) -> None:
    tokens = JwtAccessTokens(secret=SECRET)
    token = tokens.issue(a_user(), NOW).token
    decodes = 0
    real_decode = jwt.decode

    def counting_decode(*args: object, **kwargs: object) -> object:
        nonlocal decodes
        decodes += 1
        return real_decode(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(jwt, "decode", counting_decode)
    for _ in range(3):
        with pytest.raises(InvalidAccessToken):
            tokens.verify(token[:-2], NOW)
    assert decodes == 3
    tokens.verify(token, NOW)
    tokens.verify(token, NOW)
    assert decodes == 4
