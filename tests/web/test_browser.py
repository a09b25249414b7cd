"""The browser app in Chromium, the story of the issue: a fan signs up, follows a creator,
sees the creator go live as a toast in another tab, buys a ticket through the local
checkout and opens its QR code; the creator sees the sale on the dashboard. No page may log
a console error."""

from __future__ import annotations

from pathlib import Path

from playwright.async_api import expect

from tests.web.browser import chromium, served

PASSWORD = "correct horse battery"


async def test_fan_follows_sees_live_buys_and_creator_sees_the_sale(tmp_path: Path) -> None:
    async with served(tmp_path) as server, chromium(str(server.http.base_url)) as browser:
        http = server.http
        creator = await http.post(
            "/auth/register",
            json={"email": "cleo@example.com", "username": "cleo", "password": PASSWORD},
        )
        bearer = {"Authorization": f"Bearer {creator.json()['access_token']}"}
        made = await http.post(
            "/entities",
            json={"name": "Cleo Live", "slug": "cleo-live", "kind": "CREATOR"},
            headers=bearer,
        )
        assert made.status_code == 201, made.text
        event = (
            await http.post(
                "/entities/cleo-live/events",
                json={"title": "Cleo at the Harbour", "starts_at": "2030-06-01T21:00:00Z"},
                headers=bearer,
            )
        ).json()
        tickets = await http.post(
            f"/events/{event['id']}/ticket-types",
            json={"name": "General", "price": {"amount": 1800, "currency": "EUR"}, "quota": 100},
            headers=bearer,
        )
        assert tickets.status_code == 201, tickets.text

        fan = await browser.person()
        page = await browser.page(fan)
        await page.goto("/app/signup")
        await page.get_by_label("Email").fill("ana@example.com")
        await page.get_by_label("Username").fill("ana")
        await page.get_by_label("Password").fill(PASSWORD)
        await page.get_by_role("button", name="Sign up").click()
        await expect(page.get_by_text("@ana")).to_be_visible()

        await page.goto("/app/entities/cleo-live")
        await page.get_by_role("button", name="Follow").click()
        await expect(page.locator("#follower-count")).to_have_text("1")
        await expect(page.get_by_role("button", name="Following · Unfollow")).to_be_visible()

        other_tab = await browser.page(fan)
        await other_tab.goto("/")
        await expect(other_tab.locator("body")).to_have_attribute("data-socket", "open")
        live = await http.post(f"/events/{event['id']}/phase", json={"to": "LIVE"}, headers=bearer)
        assert live.status_code == 200, live.text
        toast = other_tab.locator(".toast[data-kind='LIVE_NOW']")
        await expect(toast).to_contain_text("Cleo Live is live now")
        await expect(other_tab.locator("#unread-badge")).not_to_have_text("0")

        await page.goto(f"/app/events/{event['id']}")
        await expect(page.locator(".phase")).to_have_text("live")
        await page.get_by_role("button", name="Buy General").click()
        await expect(page.get_by_role("heading", name="Pay your order")).to_be_visible()
        await page.get_by_role("button", name="Pay").click()
        await expect(page.get_by_role("heading", name="Payment received")).to_be_visible()

        await page.goto("/app/tickets")
        await page.get_by_role("link", name="Show QR code").click()
        qr = page.locator("#ticket-qr svg")
        await expect(qr).to_be_visible()
        assert (await qr.bounding_box() or {}).get("width", 0) > 100

        creator_browser = await browser.person()
        dashboard = await browser.page(creator_browser)
        await dashboard.goto("/app/login?next=/app/dashboard/cleo-live")
        await dashboard.get_by_label("Email").fill("cleo@example.com")
        await dashboard.get_by_label("Password").fill(PASSWORD)
        await dashboard.get_by_role("button", name="Log in").click()
        await expect(dashboard.locator("#event-sales .tickets-sold")).to_have_text("1")
        await expect(dashboard.locator(".stat-net")).to_have_text("18.00")
        await expect(dashboard.locator("#stat-followers")).to_have_text("1")
        for key in ("followers", "score"):  # uPlot drew the trend; its table folded away
            plot = dashboard.locator(f"#chart-{key} .chart-plot[data-drawn='1'] canvas")
            await expect(plot).to_be_visible()
            await expect(dashboard.locator(f"#chart-{key} details")).not_to_have_attribute(
                "open", ""
            )

        code = await page.locator("#ticket-code").inner_text()
        await dashboard.goto("/app/check-in")
        await dashboard.get_by_label("Ticket code").fill(code)
        await dashboard.get_by_role("button", name="Check in").click()
        await expect(dashboard.locator("#checked-in")).to_contain_text(code)

        browser.assert_quiet()


async def test_phone_screen_geolocation_consent_and_a_refused_stream(tmp_path: Path) -> None:
    """On a phone-sized screen: errors beside the field, nothing wider than the screen,
    events near the position the person agreed to share, and a stream for followers that
    says why it refuses (the LiveKit bundle loads without a console error)."""
    async with served(tmp_path) as server, chromium(str(server.http.base_url)) as browser:
        http = server.http
        owner = await http.post(
            "/auth/register",
            json={"email": "gus@example.com", "username": "gus", "password": PASSWORD},
        )
        bearer = {"Authorization": f"Bearer {owner.json()['access_token']}"}
        await http.post(
            "/entities",
            json={"name": "Porto Jazz", "slug": "porto-jazz", "kind": "ORGANIZATION"},
            headers=bearer,
        )
        venue = {"name": "Casa da Musica", "lat": 41.1588, "lon": -8.6308, "country": "PT"}
        event = (
            await http.post(
                "/entities/porto-jazz/events",
                json={
                    "title": "Jazz by the river",
                    "starts_at": "2030-06-01T21:00:00Z",
                    "venue": venue,
                },
                headers=bearer,
            )
        ).json()
        await http.put(
            f"/events/{event['id']}/stream", json={"access_level": "FOLLOWERS"}, headers=bearer
        )
        await http.post(f"/events/{event['id']}/phase", json={"to": "LIVE"}, headers=bearer)

        phone = await browser.person(
            viewport={"width": 375, "height": 740},
            is_mobile=True,
            has_touch=True,
            permissions=["geolocation"],
            geolocation={"latitude": 41.15, "longitude": -8.61},
        )
        page = await browser.page(phone)
        await page.goto("/app/signup")
        await page.get_by_label("Email").fill("fay@example.com")
        await page.get_by_label("Username").fill("f!")
        await page.get_by_label("Password").fill(PASSWORD)
        await page.get_by_label("Password").press("Enter")  # the keyboard submits
        username = page.get_by_label("Username")
        await expect(username).to_have_attribute("aria-invalid", "true")
        await expect(page.locator("#e-username")).to_be_visible()
        await username.fill("fay")
        await page.get_by_label("Password").fill(PASSWORD)
        await page.get_by_role("button", name="Sign up").click()
        await expect(page.get_by_text("@fay")).to_be_visible()
        assert await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

        await page.goto("/app/events/near")
        await page.get_by_role("button", name="Use my location").click()
        await expect(page.get_by_role("link", name="Jazz by the river")).to_be_visible()
        assert "near=41.1500%2C-8.6100" in page.url or "near=41.1500,-8.6100" in page.url

        await page.get_by_role("link", name="Jazz by the river").click()
        await page.get_by_role("button", name="Watch").click()
        message = page.locator("#watch-message")
        await expect(message).to_have_attribute("data-reason", "not_following")
        await expect(message).to_contain_text("follow to watch")
        assert await page.evaluate("typeof window.LivekitClient.Room") == "function"

        browser.assert_quiet()


async def test_creator_runs_an_entity_from_the_pages_on_a_phone(tmp_path: Path) -> None:
    """A creator with nothing but a phone: signs up, creates an entity, an event with its
    venue and local time (in the browser's time zone), adds tickets (a bad price refused
    beside the field first), goes live, and mutes a notification kind; no page is wider
    than the screen."""
    async with served(tmp_path) as server, chromium(str(server.http.base_url)) as browser:
        phone = await browser.person(
            viewport={"width": 375, "height": 740},
            is_mobile=True,
            has_touch=True,
            timezone_id="Europe/Lisbon",
        )
        page = await browser.page(phone)

        async def fits() -> None:
            assert await page.evaluate("document.documentElement.scrollWidth <= innerWidth")

        await page.goto("/app/signup")
        await page.get_by_label("Email").fill("hana@example.com")
        await page.get_by_label("Username").fill("hana")
        await page.get_by_label("Password").fill(PASSWORD)
        await page.get_by_role("button", name="Sign up").click()
        await expect(page.get_by_text("@hana")).to_be_visible()

        await page.goto("/app/dashboard")
        await page.get_by_role("link", name="Create an entity").click()
        await page.get_by_label("Name").fill("Hana Sings")
        await page.get_by_label("Address (slug)").fill("hana-sings")
        await page.get_by_label("Kind").select_option("CREATOR")
        await fits()
        await page.get_by_role("button", name="Create").click()
        await expect(page.get_by_role("heading", name="Hana Sings: dashboard")).to_be_visible()

        await page.get_by_role("link", name="New event").click()
        await page.get_by_label("Title").fill("Hana at the Harbour")
        await page.get_by_label("Starts").fill("2030-06-01T21:30")
        await expect(page.get_by_label("Time zone")).to_have_value("Europe/Lisbon")  # the browser's
        await page.get_by_label("Venue name").fill("Coliseu")
        await page.get_by_label("Latitude").fill("38.7139")
        await page.get_by_label("Longitude").fill("-9.1394")
        await page.get_by_label("Country code").fill("PT")
        await fits()
        await page.get_by_role("button", name="Create event").click()
        await expect(page.get_by_role("heading", name="Add a ticket type")).to_be_visible()
        event = await server.http.get(f"/events/{page.url.rsplit('/', 1)[1]}")
        assert event.json()["starts_at"] == "2030-06-01T20:30:00Z"  # 21:30 in Lisbon, summer

        await page.get_by_label("Ticket name").fill("General")
        await page.get_by_label("Price").fill("18.505")
        await page.get_by_label("Currency").fill("EUR")
        await page.get_by_label("How many").fill("50")
        await page.get_by_label("How many").press("Enter")  # the keyboard submits
        price = page.get_by_label("Price")
        await expect(price).to_have_attribute("aria-invalid", "true")
        await price.fill("18.50")
        await page.get_by_role("button", name="Add tickets").click()
        await expect(page.locator("#ticket-types")).to_contain_text("General")
        await fits()

        await page.get_by_role("link", name="Event page").click()
        await expect(page.get_by_role("cell", name="General", exact=True)).to_be_visible()
        await page.get_by_role("button", name="Go live").click()
        await expect(page.locator(".phase").first).to_have_text("live")

        await page.goto("/app/settings/notifications")
        await page.get_by_label("New products (drops)").check()
        await page.get_by_role("button", name="Save").click()
        await expect(page.get_by_role("status").filter(has_text="Saved")).to_be_visible()
        await expect(page.get_by_label("New products (drops)")).to_be_checked()
        await fits()

        browser.assert_quiet()
