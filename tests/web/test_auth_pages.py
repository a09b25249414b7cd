"""Sign up, log in, log out in the browser app: cookies, CSRF, errors beside their fields,
refresh of an expired access cookie, and the JSON API left exactly as it was."""

from __future__ import annotations

import asyncio
import re

import msgspec
from litestar.testing import AsyncTestClient

from showgeo_api.app import create_app
from showgeo_api.settings import Settings
from tests.web.pages import PASSWORD, csrf, field_errors, sign_up, submit, text


async def test_sign_up_keeps_the_session_in_httponly_cookies(client: AsyncTestClient) -> None:
    response = await submit(
        client,
        "/app/signup",
        {"email": "ana@example.com", "username": "ana", "password": PASSWORD},
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/"
    cookies = {c.split("=")[0]: c for c in response.headers.get_list("set-cookie")}
    for name in ("sg_access", "sg_refresh"):
        assert "HttpOnly" in cookies[name]
        assert "SameSite=lax" in cookies[name]
        assert "Secure" not in cookies[name]  # http://127.0.0.1 is this machine
    home = await client.get("/")
    assert "@ana" in home.text
    assert "Log out" in home.text


async def test_problems_show_beside_the_field(client: AsyncTestClient) -> None:
    response = await submit(
        client, "/app/signup", {"email": "ana@example.com", "username": "a!", "password": "x"}
    )
    assert response.status_code == 200  # the form again, refused (a clean console)
    errors = field_errors(response.text)
    assert set(errors) == {"username"}, errors
    assert 'value="ana@example.com"' in response.text  # what was typed stays
    await sign_up(client, "ana")
    client.cookies.clear()
    taken = await submit(
        client,
        "/app/signup",
        {"email": "ana@example.com", "username": "ana2", "password": PASSWORD},
    )
    assert 'role="alert"' in taken.text
    assert "email" in text(taken.text).lower()


async def test_wrong_password_is_refused_and_sets_no_session(client: AsyncTestClient) -> None:
    await sign_up(client, "ben")
    client.cookies.clear()
    response = await submit(
        client, "/app/login", {"email": "ben@example.com", "password": "not it"}
    )
    assert 'role="alert"' in response.text
    assert not any(c.startswith("sg_access") for c in response.headers.get_list("set-cookie"))
    ok = await submit(
        client,
        "/app/login?next=/app/notifications",
        {"email": "ben@example.com", "password": PASSWORD},
    )
    assert ok.status_code == 303
    assert ok.headers["location"] == "/app/notifications"


async def test_login_never_redirects_off_site(client: AsyncTestClient) -> None:
    await sign_up(client, "cleo")
    client.cookies.clear()
    for target in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        response = await submit(
            client, f"/app/login?next={target}", {"email": "cleo@example.com", "password": PASSWORD}
        )
        assert response.headers["location"] == "/", target


async def test_forms_without_the_csrf_token_are_refused(client: AsyncTestClient) -> None:
    await csrf(client)  # the cookie half is there, the form half is not
    response = await client.post(
        "/app/signup",
        data={"email": "eve@example.com", "username": "eve", "password": PASSWORD},
        follow_redirects=False,
    )
    assert response.status_code == 403
    forged = await client.post(
        "/app/signup",
        data={
            "email": "eve@example.com",
            "username": "eve",
            "password": PASSWORD,
            "_csrf_token": "f" * 128,
        },
        follow_redirects=False,
    )
    assert forged.status_code == 403
    login = await client.post(
        "/auth/login", json={"email": "eve@example.com", "password": PASSWORD}
    )
    assert login.status_code == 401  # nobody was created


async def test_log_out_revokes_the_refresh_token(client: AsyncTestClient) -> None:
    await sign_up(client, "dev")
    refresh = client.cookies["sg_refresh"]
    response = await submit(client, "/app/logout", {}, token=await csrf(client, "/"))
    assert response.status_code == 303
    cleared = response.headers.get_list("set-cookie")
    assert any(c.startswith("sg_access=") and "Max-Age=0" in c for c in cleared)
    assert (await client.post("/auth/refresh", json={"refresh_token": refresh})).status_code == 401
    assert "Log in" in (await client.get("/")).text


async def test_an_expired_access_cookie_is_renewed_with_the_refresh_cookie(
    client: AsyncTestClient,
) -> None:
    await sign_up(client, "eli")
    old_refresh = client.cookies["sg_refresh"]
    client.cookies.set("sg_access", "expired-or-garbage", domain="testserver.local")
    page = await client.get("/")
    assert "@eli" in page.text
    assert client.cookies["sg_refresh"] != old_refresh  # rotated
    assert client.cookies["sg_access"] != "expired-or-garbage"


async def test_the_json_api_ignores_the_cookies(client: AsyncTestClient) -> None:
    """The API stays Bearer-only: a browser's cookies never authenticate a JSON call (so no
    other site can ride them), and Bearer calls need no CSRF token."""
    await sign_up(client, "fay")
    assert (await client.get("/auth/me")).status_code == 401
    login = await client.post(
        "/auth/login", json={"email": "fay@example.com", "password": PASSWORD}
    )
    token = login.json()["access_token"]
    me = await client.get("/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200
    assert "content-security-policy" not in me.headers


async def test_pages_send_a_csp_without_inline_scripts(client: AsyncTestClient) -> None:
    page = await client.get("/app/login")
    policy = page.headers["content-security-policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "<script>" not in page.text  # every script has a src
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["cache-control"] == "no-store"


async def test_socket_token_needs_the_session_and_the_csrf_header(client: AsyncTestClient) -> None:
    assert (
        await client.post("/app/session/socket-token", headers={"X-CSRF-Token": await csrf(client)})
    ).status_code == 401
    await sign_up(client, "gus")
    token = await csrf(client, "/")
    assert (await client.post("/app/session/socket-token")).status_code == 403
    answer = await client.post("/app/session/socket-token", headers={"X-CSRF-Token": token})
    assert answer.status_code == 201
    body = answer.json()
    assert body["ws_url"].endswith("/notifications")
    me = await client.get("/auth/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert me.json()["username"] == "gus"


async def test_static_assets_are_served(client: AsyncTestClient) -> None:
    for path in ("/static/app.js", "/static/app.css", "/static/vendor/htmx-2.0.11.min.js"):
        response = await client.get(path)
        assert response.status_code == 200, path
        assert len(response.content) > 500


async def test_cookies_are_secure_when_the_site_is_not_this_machine(settings: Settings) -> None:
    public = msgspec.structs.replace(settings, public_base_url="https://showgeo.example")
    async with AsyncTestClient(
        app=create_app(public), base_url="https://testserver.local"
    ) as remote:
        page = await remote.get("/app/signup")
        assert "Secure" in page.headers["set-cookie"]  # the CSRF cookie
        token = re.search(r'name="csrf-token" content="([^"]+)"', page.text).group(1)
        response = await remote.post(
            "/app/signup",
            data={
                "email": "hana@example.com",
                "username": "hana",
                "password": PASSWORD,
                "_csrf_token": token,
            },
            follow_redirects=False,
        )
        session = [c for c in response.headers.get_list("set-cookie") if c.startswith("sg_")]
        assert len(session) == 2
        assert all("Secure" in c and "HttpOnly" in c for c in session)
        policy = response.headers["content-security-policy"]
        assert "form-action 'self' https://showgeo.example" in policy


async def test_two_tabs_refreshing_at_once_stay_signed_in(client: AsyncTestClient) -> None:
    """Both tabs' access cookie expired together and both present the same refresh token:
    one refresh is made and shared, so this is not taken for a replay (which would revoke
    the session)."""
    await sign_up(client, "ivy")
    refresh = client.cookies["sg_refresh"]
    tab = {"Cookie": f"sg_access=expired; sg_refresh={refresh}"}
    client.cookies.clear()
    first, second = await asyncio.gather(client.get("/", headers=tab), client.get("/", headers=tab))
    assert "@ivy" in first.text
    assert "@ivy" in second.text
    renewed = [c for c in first.headers.get_list("set-cookie") if c.startswith("sg_refresh=")]
    again = [c for c in second.headers.get_list("set-cookie") if c.startswith("sg_refresh=")]
    assert renewed == again  # the same new pair for both tabs
    new_refresh = renewed[0].split(";")[0].split("=", 1)[1]
    still = await client.post("/auth/refresh", json={"refresh_token": new_refresh})
    assert still.status_code == 200  # the family was not revoked
