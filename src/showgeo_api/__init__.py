"""Showgeo's HTTP API, CLI and composition root.

In-process use: `container = showgeo_api.bootstrap(settings)` builds the platform without HTTP;
its use cases (`container.authentication()`, `container.entities()`, ...) are plain async calls.
"""

from showgeo_api.settings import Settings, load_settings
from showgeo_api.wiring.container import Container, bootstrap

__all__ = ["Container", "Settings", "bootstrap", "load_settings"]
