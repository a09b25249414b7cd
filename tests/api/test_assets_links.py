"""Images on profiles, entities and events through HTTP: who may set them, which images
qualify, what each target shows, and that a linked image cannot be deleted."""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient

from tests.api.conftest import Account, assert_problem, register
from tests.api.helpers import add_member, create_entity, create_event
from tests.support import media


async def image(client: AsyncTestClient, by: Account, **fields: str) -> str:
    response = await client.post(
        "/assets",
        data={"visibility": "PUBLIC", **fields},
        files={"file": ("pic.png", media.png(), "image/png")},
        headers=by.headers,
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def roles(response: Any) -> list[tuple[str, str]]:
    assert response.status_code == 200, response.text
    return [(i["role"], i["asset"]["id"]) for i in response.json()["items"]]


async def test_a_user_sets_and_removes_an_avatar(client: AsyncTestClient) -> None:
    ana = await register(client, "ana")
    bob = await register(client, "bob")
    mine, theirs = await image(client, ana), await image(client, bob)
    set_avatar = await client.put("/users/me/avatar", json={"asset_id": mine}, headers=ana.headers)
    assert set_avatar.status_code == 200, set_avatar.text
    assert set_avatar.json()["role"] == "AVATAR"
    assert roles(await client.get("/users/ana/images")) == [("AVATAR", mine)]

    stolen = await client.put("/users/me/avatar", json={"asset_id": theirs}, headers=ana.headers)
    assert_problem(stolen, 400, "invalid_input")
    song = await client.post(
        "/assets",
        data={"visibility": "PUBLIC"},
        files={"file": ("a.wav", media.wav(), "audio/wav")},
        headers=ana.headers,
    )
    not_image = {"asset_id": song.json()["id"]}
    assert_problem(await client.put("/users/me/avatar", json=not_image, headers=ana.headers), 400)
    hidden = await client.post(
        "/assets",
        data={"visibility": "PRIVATE"},
        files={"file": ("p.png", media.png(), "image/png")},
        headers=ana.headers,
    )
    private = {"asset_id": hidden.json()["id"]}
    assert_problem(await client.put("/users/me/avatar", json=private, headers=ana.headers), 400)

    assert_problem(await client.delete(f"/assets/{mine}", headers=ana.headers), 409, "asset_in_use")
    assert (await client.delete("/users/me/avatar", headers=ana.headers)).status_code == 204
    assert roles(await client.get("/users/ana/images")) == []
    assert (await client.delete(f"/assets/{mine}", headers=ana.headers)).status_code == 204


async def test_entity_and_event_images(client: AsyncTestClient) -> None:
    owner = await register(client, "owner")
    helper = await register(client, "helper")
    stranger = await register(client, "stranger")
    entity = await create_entity(client, owner, "owls")
    await add_member(client, owner, entity, helper, "COLLABORATOR")
    event = await create_event(client, owner, "owls")
    logo, banner = await image(client, owner), await image(client, owner)
    shot = await image(client, helper, entity_id=entity["id"])

    for path, asset in (("avatar", logo), ("banner", banner)):
        done = await client.put(
            f"/entities/owls/{path}", json={"asset_id": asset}, headers=owner.headers
        )
        assert done.status_code == 200, done.text
    # A member's upload for the entity may go in its gallery, by someone who may update it.
    added = await client.post(
        "/entities/owls/gallery", json={"asset_id": shot}, headers=owner.headers
    )
    assert added.status_code == 201, added.text
    refused = await client.put(
        "/entities/owls/banner", json={"asset_id": shot}, headers=helper.headers
    )
    assert_problem(refused, 403)
    assert_problem(
        await client.put(
            "/entities/owls/avatar", json={"asset_id": logo}, headers=stranger.headers
        ),
        403,
    )
    assert roles(await client.get(f"/entities/{entity['id']}/images")) == [
        ("AVATAR", logo),
        ("BANNER", banner),
        ("GALLERY", shot),
    ]

    # Collaborators manage events: the cover is theirs to set.
    cover = await client.put(
        f"/events/{event['id']}/cover", json={"asset_id": shot}, headers=helper.headers
    )
    assert cover.status_code == 200, cover.text
    assert roles(await client.get(f"/events/{event['id']}/images")) == [("COVER", shot)]
    in_use = await client.delete(f"/assets/{shot}", headers=helper.headers)
    assert_problem(in_use, 409, "asset_in_use")

    removed = await client.delete(f"/entities/owls/gallery/{shot}", headers=owner.headers)
    assert removed.status_code == 204
    assert (
        await client.delete(f"/events/{event['id']}/cover", headers=helper.headers)
    ).status_code == 204
    assert (await client.delete(f"/assets/{shot}", headers=helper.headers)).status_code == 204
    assert roles(await client.get(f"/entities/{entity['id']}/images")) == [
        ("AVATAR", logo),
        ("BANNER", banner),
    ]
    assert_problem(await client.get("/entities/nobody/images"), 404)


async def test_an_entity_goes_with_its_own_images_even_where_they_are_shown(
    client: AsyncTestClient,
) -> None:
    """Its assets (and its events' assets) cascade with it; links to them, on the entity, on
    its event or on a member's profile, must not turn the delete into a 500."""
    owner = await register(client, "owner")
    entity = await create_entity(client, owner, "owls")
    event = await create_event(client, owner, "owls")
    own = await image(client, owner, entity_id=entity["id"])
    poster = await image(client, owner, entity_id=entity["id"], event_id=event["id"])
    for path, asset in (("avatar", own), ("banner", own), ("gallery", own), ("gallery", poster)):
        method = client.post if path == "gallery" else client.put
        done = await method(
            f"/entities/owls/{path}", json={"asset_id": asset}, headers=owner.headers
        )
        assert done.status_code in {200, 201}, done.text
    cover = await client.put(
        f"/events/{event['id']}/cover", json={"asset_id": own}, headers=owner.headers
    )
    assert cover.status_code == 200, cover.text
    avatar = await client.put("/users/me/avatar", json={"asset_id": own}, headers=owner.headers)
    assert avatar.status_code == 200, avatar.text

    gone = await client.delete("/entities/owls", headers=owner.headers)
    assert gone.status_code == 204, gone.text
    for asset in (own, poster):
        assert_problem(await client.get(f"/assets/{asset}", headers=owner.headers), 404)
    assert roles(await client.get("/users/owner/images")) == []
