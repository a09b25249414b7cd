"""Events: what an entity puts on — its phase machine, venue, and the ticket types it sells."""
