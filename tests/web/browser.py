"""A real browser against a real server: Debian's Chromium driven by Playwright (never
`playwright install`), the app served by uvicorn on a free port it knows in advance (so
PUBLIC_BASE_URL, and with it localpay's checkout links, point at it).

Every page opened through `Browser.page()` records console errors and uncaught exceptions;
`Browser.assert_quiet()` fails the test on any.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import BrowserContext, Page, async_playwright

from showgeo_api.app import create_app
from showgeo_api.settings import Settings
from tests.api.conftest import FAST_ARGON2
from tests.support.live_server import LiveServer, free_port, live_server
from tests.support.migrated import sqlite_copy

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def need_chromium() -> None:
    """In CI a missing browser is a failure (.ci/run installs it); elsewhere a skip."""
    if not os.access(CHROMIUM, os.X_OK):
        message = f"{CHROMIUM} is not installed (apt-get install -y chromium)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


@asynccontextmanager
async def served(folder: Path) -> AsyncIterator[LiveServer]:
    """The platform with its embedded defaults (SQLite, in-process bus and worker, localpay),
    on 127.0.0.1:<free port>."""
    port = free_port()
    await sqlite_copy(folder / "browser.db")
    settings = Settings(
        showgeo_env="test",  # type: ignore[arg-type]
        database_url=f"sqlite+aiosqlite:///{folder / 'browser.db'}",
        auto_migrate=True,
        assets_local_dir=str(folder / "assets"),
        public_base_url=f"http://127.0.0.1:{port}",
        auth_rate_limit_per_client=10_000,
        auth_rate_limit_per_account=10_000,
        **FAST_ARGON2,  # type: ignore[arg-type]
    )
    async with live_server(create_app(settings), port=port) as server:
        yield server


@dataclass
class Browser:
    base_url: str
    contexts: list[BrowserContext] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    launched: Any = None

    async def person(self, **options: Any) -> BrowserContext:
        """A separate person: a browser context of their own (own cookies)."""
        context = await self.launched.new_context(base_url=self.base_url, **options)
        self.contexts.append(context)
        return context

    async def page(self, context: BrowserContext) -> Page:
        page = await context.new_page()
        page.set_default_timeout(10_000)
        page.on(
            "console",
            lambda m: (
                self.problems.append(f"{page.url}: console {m.type}: {m.text}")
                if m.type == "error"
                else None
            ),
        )
        page.on("pageerror", lambda e: self.problems.append(f"{page.url}: {e}"))
        return page

    def assert_quiet(self) -> None:
        assert not self.problems, "\n".join(self.problems)


@asynccontextmanager
async def chromium(base_url: str) -> AsyncIterator[Browser]:
    need_chromium()
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        browser = Browser(base_url, launched=launched)
        try:
            yield browser
        finally:
            for context in browser.contexts:
                await context.close()
            await launched.close()
