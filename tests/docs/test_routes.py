"""The routes the docs name are the routes the app has.

Every `METHOD /path` written in any page of docs/ (or the README) exists in the app, JSON API
and browser pages alike; and docs/api.md's route table lists every operation of the OpenAPI
document, so a route can neither be promised before it is built nor be built unlisted.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from showgeo_api.app import create_app
from showgeo_api.settings import load_settings
from tests.docs.markdown import DOCS

METHODS = "GET|POST|PUT|PATCH|DELETE"
# `GET /events/{id}`, `GET/POST /app/signup`, `PUT|DELETE /users/me/avatar`, `GET /x?q=`
NAMED_ROUTE = re.compile(
    rf"\b((?:{METHODS})(?:\s*[/|]\s*(?:{METHODS}))*)\s+(/(?:[\w./…-]|\{{[^}}]*\}})*)"
)
PAGES = [*sorted(DOCS.glob("*.md")), DOCS.parent / "README.md"]
HTTP_METHODS = set(METHODS.split("|"))


def shape(path: str) -> str:
    """`/events/{event_id:uuid}` and `/events/{id}` alike read `/events/{}`."""
    path = re.sub(r"\{[^}]*\}", "{}", path).rstrip("/.")
    return path or "/"


def named_routes(text: str) -> set[tuple[str, str]]:
    found = set()
    for match in NAMED_ROUTE.finditer(text):
        path = match.group(2)
        if "…" in path:  # "`POST …/unfollow`": a shorthand for the route named just before
            continue
        for method in re.split(r"\s*[/|]\s*", match.group(1)):
            found.add((method, shape(path)))
    return found


@pytest.fixture(scope="module")
def app_routes() -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    """(every route the app serves, the operations of its OpenAPI document)."""
    app = create_app(load_settings({"DATABASE_URL": "memory://"}, env_file=None))
    served = {
        (method, shape(route.path))
        for route in app.routes
        for method in getattr(route, "methods", ())
        if method in HTTP_METHODS
    }
    document = app.openapi_schema.to_schema()
    operations = {
        (method.upper(), shape(path))
        for path, item in document["paths"].items()
        for method in item
        if method.upper() in HTTP_METHODS
    }
    return served, operations


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_every_route_a_page_names_exists(
    page: Path, app_routes: tuple[set[tuple[str, str]], set[tuple[str, str]]]
) -> None:
    served, _ = app_routes
    missing = sorted(named_routes(page.read_text(encoding="utf-8")) - served)
    assert not missing, f"{page.name} names routes the app does not have: {missing}"


def test_the_api_page_lists_every_route_of_the_openapi_document(
    app_routes: tuple[set[tuple[str, str]], set[tuple[str, str]]],
) -> None:
    _, operations = app_routes
    page = (DOCS / "api.md").read_text(encoding="utf-8")
    table = page.split("\n## Routes\n", 1)[1].split("\n## ", 1)[0]
    listed = named_routes(table)
    assert not sorted(operations - listed), "missing from docs/api.md's table"
    assert not sorted(listed - operations), "in docs/api.md's table, not in the OpenAPI document"


def test_the_route_reader_reads_the_forms_the_pages_use() -> None:
    text = "`GET/POST /app/signup`, `PUT|DELETE /users/me/avatar`, `GET /events?near=`, `POST …/x`"
    assert named_routes(text) == {
        ("GET", "/app/signup"),
        ("POST", "/app/signup"),
        ("PUT", "/users/me/avatar"),
        ("DELETE", "/users/me/avatar"),
        ("GET", "/events"),
    }
    assert shape("/entities/{ref:str}/members/{user_id:uuid}") == shape(
        "/entities/{id or slug}/members/{user_id}"
    )
