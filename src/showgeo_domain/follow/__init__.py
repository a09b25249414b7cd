"""Follow: users following entities, the audience every fan-out reaches."""
