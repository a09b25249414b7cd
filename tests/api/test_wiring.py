"""The composition root's promises: every service a handler (JSON route, web page, socket)
asks for by name is in the app's dependency map, the map's names are the container's own
providers, and the builders the container calls never import it back."""

from __future__ import annotations

import ast
from pathlib import Path

from dependency_injector import providers
from litestar import Litestar
from litestar.di import Dependency
from litestar.handlers import BaseRouteHandler

import showgeo_api.wiring
from showgeo_api.app import create_app
from showgeo_api.settings import Settings
from showgeo_api.wiring.container import Container
from showgeo_api.wiring.dependencies import SERVICES

WIRING = Path(showgeo_api.wiring.__file__).parent
CALLERS_OF_THE_CONTAINER = {"__init__.py", "container.py", "dependencies.py"}


def _handlers(app: Litestar) -> list[BaseRouteHandler]:
    found: list[BaseRouteHandler] = []
    for route in app.routes:
        handlers = getattr(route, "route_handlers", None)
        found.extend(handlers if handlers is not None else [route.route_handler])  # type: ignore[attr-defined]
    return found


def _named_dependencies(handler: BaseRouteHandler) -> list[str]:
    return [
        name
        for name, parameter in handler.parsed_fn_signature.parameters.items()
        if any(isinstance(meta, Dependency) for meta in parameter.metadata)
    ]


def test_every_named_dependency_of_every_handler_is_provided() -> None:
    app = create_app(Settings(database_url="memory://"))
    asked: set[str] = set()
    for handler in _handlers(app):
        provided = handler.resolve_dependencies()
        for name in _named_dependencies(handler):
            asked.add(name)
            assert name in provided, f"{handler} asks for {name!r}, which nothing provides"
    # the pages and the socket are among the askers, not only the JSON routes
    assert {"ui", "gateway", "recompute_runner", "entities"} <= asked


def test_the_dependency_map_names_the_containers_own_providers() -> None:
    for name in SERVICES:
        assert isinstance(getattr(Container, name, None), providers.Provider), name


def test_no_builder_imports_the_container_back() -> None:
    for module in sorted(WIRING.glob("*.py")):
        if module.name in CALLERS_OF_THE_CONTAINER:
            continue
        for node in ast.walk(ast.parse(module.read_text())):
            if isinstance(node, ast.ImportFrom):
                assert node.module != "showgeo_api.wiring.container", module.name
                assert not (
                    node.module == "showgeo_api.wiring"
                    and any(alias.name == "container" for alias in node.names)
                ), module.name
