"""Rotating JWT_SECRET without logging everyone out: during the window the previous secret
verifies the access tokens it signed; new tokens are signed with the new secret only; once
the previous secret is removed its tokens fail."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import jwt
import pytest

from showgeo_adapters.security import JwtAccessTokens
from showgeo_adapters.security.jwt_tokens import key_id
from showgeo_api.settings import DEV_JWT_SECRET, Settings, SettingsError, load_settings
from showgeo_api.wiring.container import bootstrap
from showgeo_domain.identity.errors import InvalidAccessToken
from showgeo_domain.identity.model import User

OLD = "old-secret-0123456789abcdef-0123456789abcdef"
NEW = "new-secret-fedcba9876543210-fedcba9876543210"
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
NO_EXPIRY = {"verify_exp": False}
PRODUCTION = {
    "SHOWGEO_ENV": "production",
    "JWT_SECRET": NEW,
    "LIVEKIT_API_KEY": "key",
    "LIVEKIT_API_SECRET": "real-secret",
    "LOCALPAY_SECRET": "localpay-secret-0123456789abcdef-0123",
}


def a_user() -> User:
    return User.register(
        email="ana@example.test", username="ana", password_hash="x", display_name="Ana", now=NOW
    )


def test_a_token_of_the_previous_secret_verifies_while_it_is_listed() -> None:
    user = a_user()
    before = JwtAccessTokens(secret=OLD).issue(user, NOW).token

    during = JwtAccessTokens(secret=NEW, previous_secrets=[OLD])
    assert during.verify(before, NOW + timedelta(minutes=5)).user_id == user.id

    after = JwtAccessTokens(secret=NEW)
    with pytest.raises(InvalidAccessToken, match="not valid"):
        after.verify(before, NOW + timedelta(minutes=5))


def test_new_tokens_are_signed_with_the_current_secret_and_name_it() -> None:
    during = JwtAccessTokens(secret=NEW, previous_secrets=[OLD])
    token = during.issue(a_user(), NOW).token
    assert jwt.get_unverified_header(token)["kid"] == key_id(NEW)
    assert key_id(NEW) != key_id(OLD)
    assert NEW not in key_id(NEW)
    jwt.decode(
        token, NEW, algorithms=["HS256"], audience="showgeo-api", options=NO_EXPIRY
    )  # signed with NEW
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(token, OLD, algorithms=["HS256"], audience="showgeo-api", options=NO_EXPIRY)
    # a rollback to the old secret alone does not accept tokens of the new one
    with pytest.raises(InvalidAccessToken):
        JwtAccessTokens(secret=OLD).verify(token, NOW)


def test_a_token_naming_a_key_that_did_not_sign_it_fails() -> None:
    """The `kid` only picks the key: the signature is still checked with it."""
    claims = {
        "sub": str(a_user().id),
        "iat": int(NOW.timestamp()),
        "exp": int((NOW + timedelta(minutes=15)).timestamp()),
        "jti": "x",
        "iss": "showgeo",
        "aud": "showgeo-api",
        "roles": ["USER"],
    }
    forged = jwt.encode(
        claims, "attacker-secret-0123456789abcdef-01234", headers={"kid": key_id(OLD)}
    )
    unknown = jwt.encode(claims, OLD, headers={"kid": "0000000000000000"})
    tokens = JwtAccessTokens(secret=NEW, previous_secrets=[OLD])
    for bad in (forged, unknown):
        with pytest.raises(InvalidAccessToken, match="not valid"):
            tokens.verify(bad, NOW)


def test_a_token_without_kid_is_tried_against_every_accepted_secret() -> None:
    """Tokens issued before key ids existed still verify during the first rotation."""
    user = a_user()
    legacy = JwtAccessTokens(secret=OLD).issue(user, NOW).token
    claims = jwt.decode(
        legacy, OLD, algorithms=["HS256"], audience="showgeo-api", options=NO_EXPIRY
    )
    without_kid = jwt.encode(claims, OLD)
    assert "kid" not in jwt.get_unverified_header(without_kid)
    assert JwtAccessTokens(secret=NEW, previous_secrets=[OLD]).verify(without_kid, NOW)
    with pytest.raises(InvalidAccessToken):
        JwtAccessTokens(secret=NEW).verify(without_kid, NOW)


def test_the_setting_is_comma_separated_and_reaches_the_container() -> None:
    settings = load_settings(
        {"DATABASE_URL": "memory://", "JWT_SECRET": NEW, "JWT_PREVIOUS_SECRETS": f" {OLD} ,x"},
        env_file=None,
    )
    assert settings.jwt_previous_secrets == [OLD, "x"]
    before = JwtAccessTokens(secret=OLD).issue(a_user(), NOW).token
    assert bootstrap(settings).access_tokens().verify(before, NOW)
    assert not Settings().jwt_previous_secrets
    unlisted = bootstrap(Settings(database_url="memory://", jwt_secret=NEW)).access_tokens()
    with pytest.raises(InvalidAccessToken):
        unlisted.verify(before, NOW)


@pytest.mark.parametrize("previous", [DEV_JWT_SECRET, f"{OLD},short", "short"])
def test_production_refuses_dev_or_short_previous_secrets(previous: str) -> None:
    with pytest.raises(SettingsError, match="JWT_PREVIOUS_SECRETS"):
        load_settings({**PRODUCTION, "JWT_PREVIOUS_SECRETS": previous}, env_file=None)
    assert load_settings({**PRODUCTION, "JWT_PREVIOUS_SECRETS": OLD}, env_file=None)
