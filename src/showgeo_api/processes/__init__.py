"""The processes Showgeo runs as: the `showgeo` CLI (serve, worker, demo, db, analytics,
events schema), the worker with its background and scheduled jobs, the recompute runner of
the API processes, and the bus consumers the worker subscribes."""
