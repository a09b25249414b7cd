"""A local stand-in for Stripe's API (what `StripeClient(base_addresses={"api": ...})` talks
to) and Stripe's webhook signing, for tests that must not reach the network.

The server records every request as Stripe would receive it (path, the form-encoded body
flattened to `{"line_items[0][quantity]": "2", ...}`, headers) and answers Stripe-shaped JSON.
Like Stripe, a repeated `Idempotency-Key` gets the first successful answer back (Stripe saves
no result for a request refused before it ran: bad key, failed validation).
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

import stripe


@dataclass(frozen=True)
class Recorded:
    method: str
    path: str
    form: dict[str, str]
    headers: dict[str, str]

    @property
    def idempotency_key(self) -> str | None:
        return self.headers.get("idempotency-key")

    @property
    def bearer(self) -> str | None:
        auth = self.headers.get("authorization", "")
        return auth.removeprefix("Bearer ") if auth.startswith("Bearer ") else None


@dataclass
class FakeStripe:
    base_url: str = ""
    requests: list[Recorded] = field(default_factory=list)
    fail_with: tuple[int, str, str] | None = None
    """(HTTP status, error type, message) for every request while set."""
    _answers: dict[str, tuple[int, dict[str, Any]]] = field(default_factory=dict)
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self, method: str, path: str, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        if self.fail_with is not None:
            status, kind, message = self.fail_with
            return status, {"error": {"type": kind, "message": message}}
        n = next(self._ids)
        if method == "POST" and path == "/v1/checkout/sessions":
            return 200, {
                "id": f"cs_test_{n}",
                "object": "checkout.session",
                "url": f"https://checkout.stripe.test/c/pay/cs_test_{n}",
                "expires_at": int(form.get("expires_at", "0")),
                "client_reference_id": form.get("client_reference_id"),
                "metadata": {"order_id": form.get("metadata[order_id]")},
                "mode": "payment",
                "payment_status": "unpaid",
                "status": "open",
            }
        if method == "POST" and path == "/v1/refunds":
            return 200, {
                "id": f"re_test_{n}",
                "object": "refund",
                "amount": int(form.get("amount", "0")),
                "payment_intent": form.get("payment_intent"),
                "status": "succeeded",
            }
        return 404, {"error": {"type": "invalid_request_error", "message": f"Unrecognized {path}"}}

    def handle(self, method: str, path: str, body: bytes, headers: dict[str, str]) -> bytes:
        form = {k: v[0] for k, v in parse_qs(body.decode(), keep_blank_values=True).items()}
        with self._lock:
            self.requests.append(Recorded(method, path, form, headers))
            key = headers.get("idempotency-key")
            if key is not None and key in self._answers:
                status, payload = self._answers[key]
            else:
                status, payload = self.answer(method, path, form)
                if key is not None and status == 200:
                    self._answers[key] = (status, payload)
        return status.to_bytes(2, "big") + json.dumps(payload).encode()


@contextmanager
def fake_stripe_server() -> Iterator[FakeStripe]:
    fake = FakeStripe()

    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            headers = {k.lower(): v for k, v in self.headers.items()}
            out = fake.handle(self.command, self.path.split("?")[0], body, headers)
            status, payload = int.from_bytes(out[:2], "big"), out[2:]
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.send_header("Request-Id", "req_fake")
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = do_DELETE = _serve

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    fake.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def stripe_signature(payload: bytes, secret: str, *, at: int | None = None) -> str:
    """The `Stripe-Signature` header Stripe would send for `payload`, computed with the SDK's
    own helper: `t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<payload>")>`."""
    t = int(time.time()) if at is None else at
    mac = stripe.WebhookSignature._compute_signature(f"{t}.{payload.decode()}", secret)
    return f"t={t},v1={mac}"


def stripe_event(event_type: str, obj: dict[str, Any], *, event_id: str) -> bytes:
    """A Stripe event body (API version 2020+ shape) around `obj`."""
    return json.dumps(
        {
            "id": event_id,
            "object": "event",
            "api_version": "2025-01-27.acacia",
            "created": int(time.time()),
            "livemode": False,
            "type": event_type,
            "data": {"object": obj},
        }
    ).encode()


def completed_session(
    order_id: str, *, payment_status: str = "paid", payment_intent: str = "pi_test_1"
) -> dict[str, Any]:
    return {
        "id": "cs_test_1",
        "object": "checkout.session",
        "client_reference_id": order_id,
        "metadata": {"order_id": order_id},
        "payment_intent": payment_intent,
        "payment_status": payment_status,
        "status": "complete",
    }
