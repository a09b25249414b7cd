"""HMAC-SHA256 signatures for links the server mails out (password reset).

The key is derived from the server's secret and a purpose, so a signature made for one kind
of link is worthless for another, and a leaked reset link says nothing about access tokens.
"""

from __future__ import annotations

import base64
import hashlib
import hmac


class HmacSigner:
    def __init__(self, secret: str, purpose: str) -> None:
        self._key = hmac.new(secret.encode(), purpose.encode(), hashlib.sha256).digest()

    def sign(self, message: str) -> str:
        digest = hmac.new(self._key, message.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
