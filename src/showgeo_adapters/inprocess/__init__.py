"""The event bus for a single process (the embedded default)."""

from showgeo_adapters.inprocess.bus import DeadLetter, InProcessBus, subject_matches

__all__ = ["DeadLetter", "InProcessBus", "subject_matches"]
