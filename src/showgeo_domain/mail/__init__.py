"""Mail: messages sent on behalf of other contexts' events, at most once per (source event,
recipient, template), from the outbox and never from a request."""
