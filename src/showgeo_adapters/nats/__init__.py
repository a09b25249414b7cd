"""NATS JetStream: the event bus of a real deployment."""

from showgeo_adapters.nats.bus import DEAD_REASON_HEADER, JetStreamBus

__all__ = ["DEAD_REASON_HEADER", "JetStreamBus"]
