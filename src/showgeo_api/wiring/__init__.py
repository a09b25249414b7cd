"""The composition root: every adapter is chosen from settings and built here, and nowhere
else (`container.py`, with the builders it calls for analytics, streaming, storage and
readiness; none imports the container back). `dependencies.py` hands the container's use
cases to the handlers by name. Running work (the recompute runner, scheduled jobs) is in
`processes/`."""
