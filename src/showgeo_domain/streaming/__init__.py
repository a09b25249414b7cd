"""Streaming: the live video of an event, who may watch it, and how many do."""
