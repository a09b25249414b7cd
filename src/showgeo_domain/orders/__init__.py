"""Orders: reservations of seats and stock, payment, tickets with check-in, and refunds."""
