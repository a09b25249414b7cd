from __future__ import annotations

from showgeo_domain.shared.errors import (
    AuthenticationFailed,
    Conflict,
    DomainError,
    InvalidInput,
    NotFound,
)


class OrderNotFound(NotFound):
    code = "order_not_found"


class TicketNotFound(NotFound):
    code = "ticket_not_found"


class OrderTransitionNotAllowed(Conflict):
    code = "order_transition_not_allowed"


class RefundExceedsPayment(InvalidInput):
    code = "refund_exceeds_payment"


class TicketAlreadyUsed(Conflict):
    code = "ticket_already_used"


class TicketNotValid(Conflict):
    """Voided by a refund or a cancelled event."""

    code = "ticket_not_valid"


class MixedOrder(InvalidInput):
    """Lines of two entities or two currencies: one order is one checkout with one seller."""

    code = "mixed_order"


class SoldOut(Conflict):
    """Not enough seats or stock left for the quantity asked; nothing was reserved."""

    code = "sold_out"


class NotOnSale(Conflict):
    """The sales window is closed, the event is over, or the product is not published."""

    code = "not_on_sale"


class IdempotencyKeyReused(InvalidInput):
    """The same Idempotency-Key came with a different body: a client bug, never a retry."""

    code = "idempotency_key_reused"


class InvalidWebhookSignature(AuthenticationFailed):
    """A webhook whose signature does not verify is not from the provider: nothing happens."""

    code = "invalid_webhook_signature"


class PaymentProviderUnavailable(DomainError):
    """The payment provider failed or refused a call (network, credentials, a rejected
    request): nothing was charged or refunded by this call; retrying later may work."""

    code = "payment_provider_error"
