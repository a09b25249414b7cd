"""`nox -s screenshots`: the main pages on `showgeo demo`'s data, photographed in Chromium
into docs/screenshots/*.png (desktop 1024 x 720, plus two at phone size).

Run directly with `python -m tests.web.screenshots docs/screenshots` from the repository.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from playwright.async_api import Page, expect

from showgeo_api.processes.demo import DEMO_PASSWORD, seed_demo
from tests.web.browser import Browser, chromium, served

DESKTOP = {"width": 1024, "height": 720}
PHONE = {"width": 390, "height": 780}


async def _log_in(page: Page, username: str, password: str = DEMO_PASSWORD) -> None:
    await page.goto("/app/login")
    await page.get_by_label("Email").fill(f"{username}@demo.showgeo.dev")
    await page.get_by_label("Password").fill(password)
    await page.get_by_role("button", name="Log in").click()
    await expect(page.get_by_text(f"@{username}")).to_be_visible()


async def _shoot(page: Page, out: Path, name: str) -> None:
    await page.wait_for_load_state("networkidle")
    await page.screenshot(path=out / f"{name}.png")
    print(f"  {out / name}.png")


async def _sale(browser: Browser, http_base: str, buyer: str, event_title: str) -> None:
    """`buyer` buys one seat of `event_title` through the pages and localpay."""
    context = await browser.person(viewport=DESKTOP)
    page = await browser.page(context)
    await _log_in(page, buyer)
    await page.goto("/app/events")
    await page.get_by_role("link", name=event_title).click()
    await page.get_by_role("button", name="Buy").first.click()
    await page.get_by_role("button", name="Pay").click()
    await expect(page.get_by_role("heading", name="Payment received")).to_be_visible()
    await context.close()
    browser.contexts.remove(context)


async def _recompute(http: Any) -> None:
    """The analytics recompute, as an admin asks for it, so the dashboard's trends and score
    have the demo's numbers."""
    login = await http.post(
        "/auth/login", json={"email": "root@demo.showgeo.dev", "password": DEMO_PASSWORD}
    )
    bearer = {"Authorization": f"Bearer {login.json()['access_token']}"}
    job = (await http.post("/analytics/update", headers=bearer)).json()["job_id"]
    for _ in range(200):
        status = (await http.get(f"/analytics/jobs/{job}", headers=bearer)).json()["status"]
        if status in ("SUCCEEDED", "FAILED"):
            return
        await asyncio.sleep(0.1)


async def main(out: Path) -> None:
    with tempfile.TemporaryDirectory() as folder:
        async with served(Path(folder)) as server:
            container = server.app.state["container"]
            await seed_demo(container)
            await container.authentication().create_admin(
                email="root@demo.showgeo.dev", username="root", password=DEMO_PASSWORD
            )
            base = str(server.http.base_url)
            async with chromium(base) as browser:
                await _sale(browser, base, "dev", "Night Owls at Harbour Hall")
                await _sale(browser, base, "ana", "Cleo Live in Porto")
                await _recompute(server.http)

                visitor = await browser.page(await browser.person(viewport=DESKTOP))
                await visitor.goto("/")
                await _shoot(visitor, out, "home-visitor")

                ana = await browser.page(await browser.person(viewport=DESKTOP))
                await _log_in(ana, "ana")
                await _shoot(ana, out, "home")
                await ana.goto("/app/entities/cleo-live")
                await _shoot(ana, out, "entity")
                await ana.get_by_role("link", name="Cleo Live in Porto").click()
                await _shoot(ana, out, "event")
                await ana.goto("/app/tickets")
                await _shoot(ana, out, "tickets")
                await ana.get_by_role("link", name="Show QR code").first.click()
                await _shoot(ana, out, "ticket-qr")
                await ana.goto("/app/dashboard/night-owls")
                await _shoot(ana, out, "dashboard")
                await ana.get_by_role("link", name="Tickets", exact=True).first.click()
                await _shoot(ana, out, "manage-event")

                cleo = await browser.page(await browser.person(viewport=DESKTOP))
                await _log_in(cleo, "cleo")
                await cleo.goto("/app/notifications")
                await _shoot(cleo, out, "notifications")

                root = await browser.page(await browser.person(viewport=DESKTOP))
                await _log_in(root, "root")
                await root.goto("/app/admin")
                await _shoot(root, out, "admin")

                phone = await browser.page(
                    await browser.person(
                        viewport=PHONE,
                        is_mobile=True,
                        has_touch=True,
                        permissions=["geolocation"],
                        geolocation={"latitude": 38.72, "longitude": -9.14},
                    )
                )
                await phone.goto("/app/signup")
                await phone.get_by_label("Email").fill("zoe@example.com")
                await phone.get_by_label("Username").fill("z")
                await phone.get_by_label("Password").fill("x")
                await phone.get_by_role("button", name="Sign up").click()
                await _shoot(phone, out, "signup-errors-phone")
                await _log_in(phone, "eli")
                await phone.goto("/app/events/near")
                await phone.get_by_role("button", name="Use my location").click()
                await phone.wait_for_url(lambda url: "near=" in urlparse(url).query)
                await _shoot(phone, out, "near-me-phone")
                await phone.goto("/app/settings/notifications")
                await _shoot(phone, out, "notification-settings-phone")
                browser.assert_quiet()


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots")
    target.mkdir(parents=True, exist_ok=True)
    asyncio.run(main(target))
