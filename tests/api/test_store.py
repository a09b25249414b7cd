"""Store routes: products as drafts, publishing (drops), editing, and who sees what."""

from __future__ import annotations

import uuid
from typing import Any

from litestar.testing import AsyncTestClient

from tests.api.conftest import Account, assert_problem, register
from tests.api.helpers import (
    GARBAGE,
    Team,
    create_entity,
    create_product,
    make_team,
    product_body,
    publish,
    upload_asset,
)


async def listed(
    client: AsyncTestClient, viewer: Account | None = None, entity_ref: str = "owls"
) -> list[str]:
    headers = viewer.headers if viewer else {}
    response = await client.get(
        f"/entities/{entity_ref}/products", params={"limit": 100}, headers=headers
    )
    assert response.status_code == 200, response.text
    return sorted(p["title"] for p in response.json()["items"])


async def read(client: AsyncTestClient, product: dict[str, Any], viewer: Account | None) -> Any:
    headers = viewer.headers if viewer else {}
    return await client.get(f"/products/{product['id']}", headers=headers)


# --- POST /entities/{id}/products --------------------------------------------------------


async def test_owner_creates_draft_products(client: AsyncTestClient) -> None:
    owner = await register(client, "owner")
    entity = await create_entity(client, owner, "owls")
    shirt = await create_product(client, owner, entity["id"], description=" cotton ")
    assert uuid.UUID(shirt["id"])
    assert shirt["entity_id"] == entity["id"]
    assert (shirt["title"], shirt["description"], shirt["kind"]) == (
        "Tour shirt",
        "cotton",
        "PHYSICAL",
    )
    assert shirt["price"] == {"amount": 2500, "currency": "EUR"}
    assert (shirt["visibility"], shirt["stock"], shirt["available"]) == ("PUBLIC", 50, 50)
    assert (shirt["sold"], shirt["reserved"]) == (0, 0)
    assert (shirt["published"], shirt["published_at"], shirt["asset_id"]) == (False, None, None)

    asset = await upload_asset(client, owner, entity["id"])
    unknown = await client.post(
        f"/entities/{entity['id']}/products",
        json=product_body(kind="DIGITAL", stock=None, asset_id=str(uuid.uuid4())),
        headers=owner.headers,
    )
    assert_problem(unknown, 400, "invalid_input")
    album = await create_product(
        client, owner, title="Live album", kind="DIGITAL", stock=None, asset_id=asset
    )
    assert (album["kind"], album["stock"], album["available"]) == ("DIGITAL", None, None)
    assert album["asset_id"] == asset
    response = await read(client, album, owner)
    assert response.status_code == 200, response.text
    assert response.json() == album


async def test_only_owners_and_entity_admins_create_products(client: AsyncTestClient) -> None:
    team = await make_team(client, with_admin=True)
    url = "/entities/owls/products"
    for headers in ({}, GARBAGE):
        assert_problem(await client.post(url, json=product_body(), headers=headers), 401)
    assert team.root is not None
    for who in (team.helper, team.stranger, team.root):
        problem = assert_problem(
            await client.post(url, json=product_body(), headers=who.headers),
            403,
            "entity_permission_denied",
        )
        assert problem["permission"] == "MANAGE_STORE"
    assert await listed(client, team.owner) == []
    await create_product(client, team.boss, title="By boss")
    assert await listed(client, team.owner) == ["By boss"]
    for ref in (str(uuid.uuid4()), "no-such-entity"):
        response = await client.post(
            f"/entities/{ref}/products", json=product_body(), headers=team.owner.headers
        )
        assert_problem(response, 404, "entity_not_found")
        assert_problem(await client.get(f"/entities/{ref}/products"), 404, "entity_not_found")


BAD_PRODUCT_BODIES: list[tuple[Any, str | None]] = [
    ({k: v for k, v in product_body().items() if k != "title"}, "title"),
    ({k: v for k, v in product_body().items() if k != "kind"}, "kind"),
    ({k: v for k, v in product_body().items() if k != "price"}, "price"),
    ({k: v for k, v in product_body().items() if k != "visibility"}, "visibility"),
    (product_body(title=""), "title"),
    (product_body(title="  "), "title"),
    (product_body(title="t" * 201), "title"),
    (product_body(description="d" * 5001), "description"),
    (product_body(kind="BOOK"), "kind"),
    (product_body(kind="physical"), "kind"),
    (product_body(visibility="SECRET"), "visibility"),
    (product_body(kind="DIGITAL", stock=10), "stock"),
    (product_body(stock=-1), "stock"),
    (product_body(stock=10_000_001), "stock"),
    (product_body(stock=2.5), "stock"),
    (product_body(price={"amount": -100, "currency": "EUR"}), "price"),
    (product_body(price={"amount": 24.99, "currency": "EUR"}), None),
    (product_body(price={"amount": 25.0, "currency": "EUR"}), None),
    (product_body(price={"amount": 2500, "currency": "eu"}), "price"),
    (product_body(price={"amount": 2500, "currency": "Eur"}), "price"),
    (product_body(price="25 EUR"), "price"),
    (product_body(asset_id="not-a-uuid"), "asset_id"),
    ("shirt", None),
]


async def test_bad_products_are_400_and_nothing_is_stored(client: AsyncTestClient) -> None:
    owner = await register(client, "owner")
    await create_entity(client, owner, "owls")
    for body, field in BAD_PRODUCT_BODIES:
        response = await client.post("/entities/owls/products", json=body, headers=owner.headers)
        problem = assert_problem(response, 400)
        fields = {e["field"].split(".")[0] for e in problem.get("errors", [])}
        if field is not None:
            assert field in fields, (body, problem)
        elif isinstance(body, dict):
            assert fields & {"amount", "price"}, (body, problem)
    assert await listed(client, owner) == []


# --- visibility --------------------------------------------------------------------------


async def visibility_shop(
    client: AsyncTestClient,
) -> tuple[Team, Account, dict[str, dict[str, Any]]]:
    """`owls` sells a published product at each visibility and a PUBLIC draft; `fan` follows."""
    team = await make_team(client, with_admin=True)
    fan = await register(client, "fan")
    assert (await client.put("/entities/owls/follow", headers=fan.headers)).status_code == 200
    products = {}
    for title, visibility in (
        ("public", "PUBLIC"),
        ("followers", "FOLLOWERS"),
        ("hidden", "HIDDEN"),
        ("draft", "PUBLIC"),
    ):
        products[title] = await create_product(
            client, team.owner, title=title, visibility=visibility
        )
        if title != "draft":
            response = await publish(client, team.owner, products[title])
            assert response.status_code == 200, response.text
    return team, fan, products


async def test_each_viewer_sees_what_the_visibility_allows(client: AsyncTestClient) -> None:
    team, fan, products = await visibility_shop(client)
    everything = ["draft", "followers", "hidden", "public"]
    assert team.root is not None
    cases: list[tuple[Account | None, list[str]]] = [
        (None, ["public"]),
        (team.stranger, ["public"]),
        (fan, ["followers", "public"]),
        (team.helper, everything),  # any member sees the whole store, drafts included
        (team.boss, everything),
        (team.owner, everything),
        (team.root, everything),  # platform admins moderate
    ]
    for viewer, visible in cases:
        who = viewer.username if viewer else "anonymous"
        assert await listed(client, viewer) == visible, who
        for title, product in products.items():
            response = await read(client, product, viewer)
            if title in visible:
                assert response.status_code == 200, (who, title, response.text)
                assert response.json()["title"] == title
            else:  # existence is not leaked
                assert_problem(response, 404, "product_not_found")

    assert (await client.delete("/entities/owls/follow", headers=fan.headers)).status_code == 200
    assert await listed(client, fan) == ["public"]
    assert_problem(await read(client, products["followers"], fan), 404, "product_not_found")


async def test_product_reads_unknown_ids_and_bad_tokens(client: AsyncTestClient) -> None:
    _, _, products = await visibility_shop(client)
    assert_problem(await client.get(f"/products/{uuid.uuid4()}"), 404, "product_not_found")
    assert_problem(await client.get("/products/not-a-uuid"), 404)
    public = f"/products/{products['public']['id']}"
    assert_problem(await client.get(public, headers=GARBAGE), 401)
    assert_problem(await client.get("/entities/owls/products", headers=GARBAGE), 401)


async def test_product_lists_page_with_a_cursor(client: AsyncTestClient) -> None:
    owner = await register(client, "owner")
    await create_entity(client, owner, "owls")
    for n in range(5):
        await create_product(client, owner, title=f"item {n}")
    seen: list[str] = []
    cursor: str | None = None
    for _ in range(10):
        params: dict[str, Any] = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        response = await client.get("/entities/owls/products", params=params, headers=owner.headers)
        assert response.status_code == 200, response.text
        seen += [p["title"] for p in response.json()["items"]]
        cursor = response.json()["next_cursor"]
        if cursor is None:
            break
    assert seen == [f"item {n}" for n in reversed(range(5))]  # newest first, each once
    for params in ({"cursor": "not-a-cursor"}, {"limit": 0}, {"limit": 101}):
        response = await client.get("/entities/owls/products", params=params)
        assert_problem(response, 400)


# --- POST /products/{id}/publish ---------------------------------------------------------


async def test_publishing_is_once_and_for_managers(client: AsyncTestClient) -> None:
    team = await make_team(client)
    draft = await create_product(client, team.owner, title="draft")
    for headers in ({}, GARBAGE):
        url = f"/products/{draft['id']}/publish"
        assert_problem(await client.post(url, headers=headers), 401)
    assert_problem(await publish(client, team.stranger, draft), 404, "product_not_found")
    assert_problem(await publish(client, team.helper, draft), 403, "entity_permission_denied")
    assert (await read(client, draft, None)).status_code == 404

    response = await publish(client, team.boss, draft)
    assert response.status_code == 200, response.text
    published = response.json()
    assert published["published"] is True
    assert published["published_at"] is not None
    assert (await read(client, draft, None)).json() == published

    assert_problem(await publish(client, team.owner, draft), 409, "already_published")
    assert_problem(await publish(client, team.stranger, draft), 403, "entity_permission_denied")
    unknown = await client.post(f"/products/{uuid.uuid4()}/publish", headers=team.owner.headers)
    assert_problem(unknown, 404, "product_not_found")


# --- PATCH /products/{id} ----------------------------------------------------------------


async def test_patch_changes_only_present_fields_and_null_clears(
    client: AsyncTestClient,
) -> None:
    owner = await register(client, "owner")
    await create_entity(client, owner, "owls")
    shirt = await create_product(client, owner, description="cotton")
    url = f"/products/{shirt['id']}"

    body = {"title": "Tour shirt XL", "price": {"amount": 3000, "currency": "EUR"}, "stock": 5}
    response = await client.patch(url, json=body, headers=owner.headers)
    assert response.status_code == 200, response.text
    edited = response.json()
    assert (edited["title"], edited["price"]["amount"]) == ("Tour shirt XL", 3000)
    assert (edited["stock"], edited["available"], edited["description"]) == (5, 5, "cotton")

    body = {"description": None, "stock": None, "visibility": "HIDDEN"}
    edited = (await client.patch(url, json=body, headers=owner.headers)).json()
    assert (edited["description"], edited["stock"], edited["available"]) == (None, None, None)
    assert edited["visibility"] == "HIDDEN"
    assert (await read(client, shirt, owner)).json() == edited


async def test_patch_rejects_bad_input_and_changes_nothing(client: AsyncTestClient) -> None:
    owner = await register(client, "owner")
    await create_entity(client, owner, "owls")
    shirt = await create_product(client, owner)
    album = await create_product(client, owner, title="Album", kind="DIGITAL", stock=None)
    for product, body in (
        (shirt, {"title": ""}),
        (shirt, {"title": None}),
        (shirt, {"price": {"amount": 10.5, "currency": "EUR"}}),
        (shirt, {"price": {"amount": -1, "currency": "EUR"}}),
        (shirt, {"price": None}),
        (shirt, {"stock": -1}),
        (shirt, {"visibility": "SECRET"}),
        (shirt, {"kind": "DIGITAL"}),  # fixed at creation
        (shirt, {"published_at": "2030-01-01T00:00:00Z"}),
        (album, {"stock": 3}),
    ):
        url = f"/products/{product['id']}"
        assert_problem(await client.patch(url, json=body, headers=owner.headers), 400)
    assert (await read(client, shirt, owner)).json() == shirt
    assert (await read(client, album, owner)).json() == album


async def test_patch_permissions(client: AsyncTestClient) -> None:
    team, fan, products = await visibility_shop(client)
    public, hidden = products["public"], products["hidden"]
    for headers in ({}, GARBAGE):
        url = f"/products/{public['id']}"
        assert_problem(await client.patch(url, json={"title": "x"}, headers=headers), 401)
    for who, product, status in (
        (team.stranger, public, 403),
        (fan, products["followers"], 403),
        (team.stranger, hidden, 404),  # what you cannot see does not exist for you
        (team.helper, hidden, 403),
    ):
        response = await client.patch(
            f"/products/{product['id']}", json={"title": "x"}, headers=who.headers
        )
        assert_problem(response, status)
    unknown = await client.patch(
        f"/products/{uuid.uuid4()}", json={"title": "x"}, headers=team.owner.headers
    )
    assert_problem(unknown, 404, "product_not_found")
    response = await client.patch(
        f"/products/{hidden['id']}", json={"title": "by boss"}, headers=team.boss.headers
    )
    assert response.status_code == 200, response.text
    assert await listed(client, team.owner) == ["by boss", "draft", "followers", "public"]
