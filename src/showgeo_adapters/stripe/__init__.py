"""Stripe: hosted Checkout Sessions, refunds and signed webhooks (the production payment
provider, chosen when STRIPE_SECRET_KEY is set)."""

from showgeo_adapters.stripe.provider import (
    SIGNATURE_HEADER,
    TOLERANCE_SECONDS,
    StripePayments,
    session_expiry,
)

__all__ = ["SIGNATURE_HEADER", "TOLERANCE_SECONDS", "StripePayments", "session_expiry"]
