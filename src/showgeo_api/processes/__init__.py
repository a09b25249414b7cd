"""The processes Showgeo runs as: the `showgeo` CLI (serve, worker, demo, db, analytics,
events schema), the worker's background jobs and the bus consumers it subscribes."""
