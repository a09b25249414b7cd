"""ASGI entry point for servers:
`granian --interface asgi --factory showgeo_api.asgi:app_from_env`."""

from __future__ import annotations

from litestar import Litestar

from showgeo_api.app import create_app
from showgeo_api.settings import load_settings


def app_from_env() -> Litestar:
    return create_app(load_settings())
