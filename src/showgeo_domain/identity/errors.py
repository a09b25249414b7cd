from __future__ import annotations

from showgeo_domain.shared.errors import (
    AuthenticationFailed,
    Conflict,
    InvalidInput,
    PermissionDenied,
)


class InvalidCredentials(AuthenticationFailed):
    """Deliberately vague: never says whether the email or the password was wrong."""

    code = "invalid_credentials"


class InvalidAccessToken(AuthenticationFailed):
    code = "invalid_token"


class InvalidRefreshToken(AuthenticationFailed):
    code = "invalid_refresh_token"


class RefreshTokenReused(AuthenticationFailed):
    """A refresh token came back after it was used: someone holds a stolen copy, so the
    whole family has been revoked and the user must log in again."""

    code = "refresh_token_reused"


class ProfilePrivate(PermissionDenied):
    code = "profile_private"


class AdminOnly(PermissionDenied):
    code = "admin_only"


class EmailTaken(Conflict):
    code = "email_taken"


class UsernameTaken(Conflict):
    code = "username_taken"


class PasswordResetInvalid(InvalidInput):
    """Unknown, expired or already used: the same answer for each, so a token's state is
    not told to whoever holds a guess."""

    code = "reset_token_invalid"
