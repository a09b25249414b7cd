"""The composition root: every adapter is chosen from settings and built here, and nowhere
else (`container.py`, with the builders it calls for analytics, streaming and storage)."""
