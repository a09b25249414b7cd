"""What page tests share: the CSRF token a page carries, signing up through the form, and
reading rendered HTML (field errors, text) without a browser."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

from litestar.testing import AsyncTestClient

PASSWORD = "correct horse battery"


async def csrf(client: AsyncTestClient, path: str = "/app/login") -> str:
    page = await client.get(path)
    assert page.status_code == 200, page.text
    found = re.search(r'<meta name="csrf-token" content="([^"]+)"', page.text)
    assert found, "the page carries no CSRF token"
    return found.group(1)


async def submit(
    client: AsyncTestClient, path: str, form: dict[str, Any], *, token: str | None = None
) -> Any:
    """POST `form` as a browser would: with the page's CSRF token, without following the
    redirect."""
    token = token or await csrf(client)
    return await client.post(path, data={**form, "_csrf_token": token}, follow_redirects=False)


async def sign_up(client: AsyncTestClient, username: str) -> None:
    response = await submit(
        client,
        "/app/signup",
        {"email": f"{username}@example.com", "username": username, "password": PASSWORD},
    )
    assert response.status_code == 303, response.text


def field_errors(html: str) -> dict[str, str]:
    """`{field: message}` of the messages shown beside form fields."""
    return {
        name: unescape(message)
        for name, message in re.findall(r'data-field="([^"]+)">([^<]*)<', html)
    }


def text(html: str) -> str:
    """The page's visible text, tags removed, whitespace collapsed."""
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()


async def log_in(client: AsyncTestClient, email: str, password: str = PASSWORD) -> None:
    """A fresh browser session for `email` (cookies of any earlier one dropped)."""
    client.cookies.clear()
    response = await submit(client, "/app/login", {"email": email, "password": password})
    assert response.status_code == 303, response.text


async def until(check: Any, within: float = 10.0) -> None:
    """Return once the async `check()` is true; fail after `within` seconds."""
    import asyncio

    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not await check():
        if loop.time() > deadline:
            raise AssertionError(f"not true within {within} s")
        await asyncio.sleep(0.05)


def chart_data(html: str, key: str) -> dict[str, Any]:
    """The JSON a trend chart is drawn from (`<script type="application/json"
    id="data-<key>">`), as charts.js reads it."""
    import json

    found = re.search(
        rf'<script type="application/json" class="chart-data" id="data-{key}">(.*?)</script>',
        html,
        re.S,
    )
    assert found, f"no chart {key!r} on the page"
    data: dict[str, Any] = json.loads(found.group(1))
    return data
