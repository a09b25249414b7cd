"""Event routes: create, read, edit, the phase machine, and search by entity, phase, time
window and distance, with cursor pages."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from tests.api.conftest import Account, assert_problem, register
from tests.api.helpers import GARBAGE, create_entity, create_event, event_body, make_team, move

JSON = {"content-type": "application/json"}

LISBON = {"name": "Coliseu dos Recreios", "lat": 38.7223, "lon": -9.1393, "country": "PT"}
PORTO = {"name": "Coliseu do Porto", "lat": 41.1579, "lon": -8.6291, "country": "PT"}
MADRID = {"name": "WiZink Center", "lat": 40.4168, "lon": -3.7038, "country": "ES"}
LISBON_PORTO_KM = 274.296
LISBON_MADRID_KM = 502.448


async def read_event(client: AsyncTestClient, event_id: str) -> dict[str, Any]:
    response = await client.get(f"/events/{event_id}")
    assert response.status_code == 200, response.text
    return response.json()


async def search(client: AsyncTestClient, **params: Any) -> dict[str, Any]:
    response = await client.get("/events", params=params)
    assert response.status_code == 200, response.text
    return response.json()


async def titles(client: AsyncTestClient, **params: Any) -> list[str]:
    return [e["title"] for e in (await search(client, limit=100, **params))["items"]]


# --- POST /entities/{id}/events ----------------------------------------------------------


async def test_owner_creates_an_event_with_a_venue(client: AsyncTestClient) -> None:
    owner = await register(client, "owner")
    entity = await create_entity(client, owner, "owls")
    body = event_body(
        description="  doors at 20:00 ",
        ends_at="2030-06-01T23:30:00+01:00",
        venue=LISBON,
    )
    response = await client.post(
        f"/entities/{entity['id']}/events", json=body, headers=owner.headers
    )
    assert response.status_code == 201, response.text
    event = response.json()
    assert uuid.UUID(event["id"])
    assert event["entity_id"] == entity["id"]
    assert event["title"] == "Night show"
    assert event["description"] == "doors at 20:00"
    assert event["starts_at"].startswith("2030-06-01T21:00:00")
    assert event["ends_at"].startswith("2030-06-01T22:30:00")  # stored in UTC
    assert event["venue"] == LISBON
    assert event["phase"] == "PRE_LIVE"
    assert event["phase_changed_at"] is None
    assert event["created_at"] == event["updated_at"]
    assert await read_event(client, event["id"]) == event


async def test_optional_fields_default_to_null_and_the_slug_works_too(
    client: AsyncTestClient,
) -> None:
    owner = await register(client, "owner")
    await create_entity(client, owner, "owls")
    event = await create_event(client, owner, "owls")
    assert (event["description"], event["ends_at"], event["venue"]) == (None, None, None)


async def test_collaborators_and_entity_admins_create_events(client: AsyncTestClient) -> None:
    team = await make_team(client)
    for who in (team.boss, team.helper):
        event = await create_event(client, who, team.entity["id"], title=f"by {who.username}")
        assert event["entity_id"] == team.entity["id"]
    assert sorted(await titles(client)) == ["by boss", "by helper"]


async def test_create_event_needs_a_valid_token_strangers_are_403_and_nothing_is_stored(
    client: AsyncTestClient,
) -> None:
    team = await make_team(client, with_admin=True)
    url = f"/entities/{team.entity['id']}/events"
    for headers in ({}, GARBAGE):
        assert_problem(await client.post(url, json=event_body(), headers=headers), 401)
    assert team.root is not None
    for who in (team.stranger, team.root):  # platform admins moderate, they do not host
        problem = assert_problem(
            await client.post(url, json=event_body(), headers=who.headers),
            403,
            "entity_permission_denied",
        )
        assert problem["permission"] == "MANAGE_EVENTS"
    assert await titles(client) == []


async def test_create_event_on_an_unknown_entity_is_404(client: AsyncTestClient) -> None:
    ana = await register(client, "ana")
    for ref in (str(uuid.uuid4()), "no-such-entity"):
        response = await client.post(
            f"/entities/{ref}/events", json=event_body(), headers=ana.headers
        )
        assert_problem(response, 404, "entity_not_found")


BAD_EVENT_BODIES: list[tuple[Any, str | None]] = [
    ({"starts_at": "2030-06-01T21:00:00Z"}, "title"),
    ({"title": "Show"}, "starts_at"),
    (event_body(title=5), "title"),
    (event_body(title=""), "title"),
    (event_body(title="   "), "title"),
    (event_body(title="t" * 201), "title"),
    (event_body(description="d" * 5001), "description"),
    (event_body(description=["x"]), "description"),
    ({"title": "Show", "starts_at": "2030-06-01T21:00:00"}, "starts_at"),  # naive
    ({"title": "Show", "starts_at": "tomorrow"}, "starts_at"),
    (event_body(ends_at="2030-06-01T20:00:00Z"), "ends_at"),  # before starts_at
    (event_body(ends_at="2030-06-01T21:00:00Z"), "ends_at"),  # equal
    (event_body(ends_at="2030-06-01T23:00:00"), "ends_at"),  # naive
    (event_body(venue={**LISBON, "lat": 91}), "venue"),
    (event_body(venue={**LISBON, "lat": -90.5}), "venue"),
    (event_body(venue={**LISBON, "lon": 181}), "venue"),
    (event_body(venue={**LISBON, "lon": -180.01}), "venue"),
    (event_body(venue={**LISBON, "lat": "north"}), "venue"),
    (event_body(venue={**LISBON, "country": "PRT"}), "venue"),
    (event_body(venue={**LISBON, "country": "pt"}), "venue"),
    (event_body(venue={**LISBON, "country": ""}), "venue"),
    (event_body(venue={**LISBON, "name": ""}), "venue"),
    (event_body(venue={**LISBON, "name": "n" * 201}), "venue"),
    (event_body(venue={"lat": 1, "lon": 2, "country": "PT"}), "venue"),
    (event_body(venue="Lisbon"), "venue"),
    (["Show", "2030-06-01T21:00:00Z"], None),
]


async def test_create_event_rejects_bad_input_and_stores_nothing(
    client: AsyncTestClient,
) -> None:
    owner = await register(client, "owner")
    entity = await create_entity(client, owner, "owls")
    url = f"/entities/{entity['id']}/events"
    for body, field in BAD_EVENT_BODIES:
        problem = assert_problem(await client.post(url, json=body, headers=owner.headers), 400)
        if field is not None:
            fields = {e["field"].split(".")[0] for e in problem.get("errors", [])}
            assert field in fields, (body, problem)
    malformed = await client.post(url, content=b'{"title": ', headers={**owner.headers, **JSON})
    assert_problem(malformed, 400)
    assert await titles(client) == []


# --- GET /events/{id} --------------------------------------------------------------------


async def test_unknown_event_is_404_and_a_garbage_token_is_401(client: AsyncTestClient) -> None:
    owner = await register(client, "owner")
    await create_entity(client, owner, "owls")
    event = await create_event(client, owner, "owls")
    assert_problem(await client.get(f"/events/{uuid.uuid4()}"), 404, "event_not_found")
    assert_problem(await client.get("/events/not-a-uuid"), 404)
    assert_problem(await client.get(f"/events/{event['id']}", headers=GARBAGE), 401)
    assert (await client.get(f"/events/{event['id']}", headers=owner.headers)).status_code == 200


# --- PATCH /events/{id} ------------------------------------------------------------------


async def test_patch_changes_only_present_fields_and_null_clears(
    client: AsyncTestClient,
) -> None:
    owner = await register(client, "owner")
    await create_entity(client, owner, "owls")
    event = await create_event(
        client,
        owner,
        "owls",
        description="first",
        ends_at="2030-06-01T23:00:00Z",
        venue=LISBON,
    )
    url = f"/events/{event['id']}"

    response = await client.patch(url, json={"title": "Late show"}, headers=owner.headers)
    assert response.status_code == 200, response.text
    edited = response.json()
    assert edited["title"] == "Late show"
    assert (edited["description"], edited["venue"]) == ("first", LISBON)
    assert edited["updated_at"] >= event["updated_at"]

    body = {"starts_at": "2030-06-02T20:00:00Z", "ends_at": None, "venue": PORTO}
    edited = (await client.patch(url, json=body, headers=owner.headers)).json()
    assert edited["starts_at"].startswith("2030-06-02T20:00:00")
    assert edited["ends_at"] is None
    assert edited["venue"] == PORTO

    edited = (
        await client.patch(url, json={"description": None, "venue": None}, headers=owner.headers)
    ).json()
    assert (edited["description"], edited["venue"], edited["title"]) == (None, None, "Late show")
    assert await read_event(client, event["id"]) == edited


async def test_patch_rejects_bad_input_and_changes_nothing(client: AsyncTestClient) -> None:
    owner = await register(client, "owner")
    await create_entity(client, owner, "owls")
    event = await create_event(client, owner, "owls", ends_at="2030-06-01T23:00:00Z")
    url = f"/events/{event['id']}"
    for body in (
        {"title": ""},
        {"title": None},
        {"title": "t" * 201},
        {"starts_at": None},
        {"starts_at": "2030-06-02T20:00:00"},
        {"starts_at": "2030-06-02T00:00:00Z"},  # after the current ends_at
        {"ends_at": "2030-05-01T00:00:00Z"},
        {"venue": {**LISBON, "lat": 91}},
        {"venue": {**LISBON, "country": "pt"}},
        {"phase": "LIVE"},  # unknown field: phases move through /phase
        {"entity_id": str(uuid.uuid4())},
    ):
        assert_problem(await client.patch(url, json=body, headers=owner.headers), 400)
    assert await read_event(client, event["id"]) == event


async def test_patch_permissions_and_unknown_events(client: AsyncTestClient) -> None:
    team = await make_team(client)
    event = await create_event(client, team.owner, "owls")
    url = f"/events/{event['id']}"
    for headers in ({}, GARBAGE):
        assert_problem(await client.patch(url, json={"title": "x"}, headers=headers), 401)
    assert_problem(
        await client.patch(url, json={"title": "x"}, headers=team.stranger.headers),
        403,
        "entity_permission_denied",
    )
    response = await client.patch(url, json={"title": "by helper"}, headers=team.helper.headers)
    assert response.status_code == 200, response.text
    unknown = await client.patch(
        f"/events/{uuid.uuid4()}", json={"title": "x"}, headers=team.owner.headers
    )
    assert_problem(unknown, 404, "event_not_found")
    assert (await read_event(client, event["id"]))["title"] == "by helper"


# --- POST /events/{id}/phase -------------------------------------------------------------


async def test_phase_machine_runs_pre_live_live_post_live(client: AsyncTestClient) -> None:
    owner = await register(client, "owner")
    await create_entity(client, owner, "owls")
    event = await create_event(client, owner, "owls")

    problem = assert_problem(
        await move(client, owner, event["id"], "POST_LIVE"), 409, "phase_transition_not_allowed"
    )
    assert (problem["current_phase"], problem["requested_phase"]) == ("PRE_LIVE", "POST_LIVE")

    response = await move(client, owner, event["id"], "LIVE")
    assert response.status_code == 200, response.text
    live = response.json()
    assert live["phase"] == "LIVE"
    assert live["phase_changed_at"] is not None
    assert_problem(await move(client, owner, event["id"], "LIVE"), 409)
    assert_problem(await move(client, owner, event["id"], "CANCELLED"), 409)

    done = (await move(client, owner, event["id"], "POST_LIVE")).json()
    assert done["phase"] == "POST_LIVE"
    problem = assert_problem(
        await move(client, owner, event["id"], "LIVE"), 409, "phase_transition_not_allowed"
    )
    assert problem["current_phase"] == "POST_LIVE"
    assert (await read_event(client, event["id"]))["phase"] == "POST_LIVE"

    edit = await client.patch(
        f"/events/{event['id']}", json={"title": "again"}, headers=owner.headers
    )
    assert_problem(edit, 409, "event_not_editable")
    assert (await read_event(client, event["id"]))["title"] == "Night show"


async def test_a_cancelled_event_stays_cancelled(client: AsyncTestClient) -> None:
    owner = await register(client, "owner")
    await create_entity(client, owner, "owls")
    event = await create_event(client, owner, "owls")
    response = await move(client, owner, event["id"], "CANCELLED")
    assert response.status_code == 200, response.text
    assert response.json()["phase"] == "CANCELLED"
    for to in ("LIVE", "PRE_LIVE", "POST_LIVE"):
        problem = assert_problem(
            await move(client, owner, event["id"], to), 409, "phase_transition_not_allowed"
        )
        assert problem["current_phase"] == "CANCELLED"
    edit = await client.patch(
        f"/events/{event['id']}", json={"venue": LISBON}, headers=owner.headers
    )
    assert_problem(edit, 409, "event_not_editable")


async def test_an_event_still_live_may_be_edited(client: AsyncTestClient) -> None:
    owner = await register(client, "owner")
    await create_entity(client, owner, "owls")
    event = await create_event(client, owner, "owls")
    await move(client, owner, event["id"], "LIVE")
    edit = await client.patch(
        f"/events/{event['id']}", json={"title": "Encore"}, headers=owner.headers
    )
    assert edit.status_code == 200, edit.text
    assert edit.json()["phase"] == "LIVE"


async def test_phase_moves_need_manage_events(client: AsyncTestClient) -> None:
    team = await make_team(client)
    event = await create_event(client, team.owner, "owls")
    url = f"/events/{event['id']}/phase"
    for headers in ({}, GARBAGE):
        assert_problem(await client.post(url, json={"to": "LIVE"}, headers=headers), 401)
    assert_problem(
        await move(client, team.stranger, event["id"], "LIVE"), 403, "entity_permission_denied"
    )
    assert (await read_event(client, event["id"]))["phase"] == "PRE_LIVE"
    assert (await move(client, team.helper, event["id"], "LIVE")).json()["phase"] == "LIVE"
    unknown = await move(client, team.owner, str(uuid.uuid4()), "LIVE")
    assert_problem(unknown, 404, "event_not_found")


async def test_phase_move_rejects_bad_input(client: AsyncTestClient) -> None:
    owner = await register(client, "owner")
    await create_entity(client, owner, "owls")
    event = await create_event(client, owner, "owls")
    url = f"/events/{event['id']}/phase"
    for body in ({}, {"to": "DONE"}, {"to": "live"}, {"to": 1}, {"to": None}, ["LIVE"]):
        problem = assert_problem(await client.post(url, json=body, headers=owner.headers), 400)
        if isinstance(body, dict):
            assert "to" in {e["field"] for e in problem["errors"]}, problem
    assert (await read_event(client, event["id"]))["phase"] == "PRE_LIVE"


# --- GET /events -------------------------------------------------------------------------


async def iberian_tour(client: AsyncTestClient) -> tuple[Account, dict[str, Any]]:
    """`owls` plays Lisbon, Porto and Madrid, plus a stream with no venue."""
    owner = await register(client, "owner")
    entity = await create_entity(client, owner, "owls")
    for title, venue, day in (
        ("Madrid", MADRID, "03"),
        ("Porto", PORTO, "02"),
        ("Lisbon", LISBON, "01"),
    ):
        await create_event(
            client, owner, "owls", title=title, venue=venue, starts_at=f"2030-06-{day}T21:00:00Z"
        )
    await create_event(client, owner, "owls", title="Online", starts_at="2030-06-04T21:00:00Z")
    return owner, entity


async def test_search_lists_soonest_first_without_distances(client: AsyncTestClient) -> None:
    await iberian_tour(client)
    page = await search(client)
    assert [e["title"] for e in page["items"]] == ["Lisbon", "Porto", "Madrid", "Online"]
    assert all(e["distance_km"] is None for e in page["items"])
    assert page["next_cursor"] is None


async def test_search_near_orders_by_distance_and_filters_by_radius(
    client: AsyncTestClient,
) -> None:
    await iberian_tour(client)
    lisbon = f"{LISBON['lat']},{LISBON['lon']}"

    near = (await search(client, near=lisbon, radius_km=600))["items"]
    assert [e["title"] for e in near] == ["Lisbon", "Porto", "Madrid"]  # no venue, no hit
    distances = [e["distance_km"] for e in near]
    assert distances[0] == pytest.approx(0, abs=0.001)
    assert distances[1] == pytest.approx(LISBON_PORTO_KM, abs=0.01)
    assert distances[2] == pytest.approx(LISBON_MADRID_KM, abs=0.01)

    assert await titles(client, near=lisbon, radius_km=300) == ["Lisbon", "Porto"]
    assert await titles(client, near=lisbon, radius_km=274) == ["Lisbon"]
    assert await titles(client, near="40.4168,-3.7038", radius_km=450) == ["Madrid", "Porto"]
    assert await titles(client, near="51.5,-0.12", radius_km=500) == []  # London


async def test_search_filters_by_entity_phase_and_time_window(client: AsyncTestClient) -> None:
    owner, entity = await iberian_tour(client)
    other = await create_entity(client, owner, "larks")
    await create_event(client, owner, "larks", title="Larks", starts_at="2030-06-02T12:00:00Z")
    lisbon = (await search(client, entity="owls", near="38.7223,-9.1393", radius_km=1))["items"]
    await move(client, owner, lisbon[0]["id"], "LIVE")

    assert await titles(client, entity=other["id"]) == ["Larks"]
    assert await titles(client, entity="larks") == ["Larks"]
    assert await titles(client, entity=entity["id"]) == ["Lisbon", "Porto", "Madrid", "Online"]
    assert await titles(client, phase="LIVE") == ["Lisbon"]
    assert await titles(client, phase="PRE_LIVE", entity="owls") == ["Porto", "Madrid", "Online"]
    assert await titles(client, phase="CANCELLED") == []
    window = {"from": "2030-06-02T00:00:00Z", "to": "2030-06-03T21:00:01Z"}
    assert await titles(client, **window) == ["Larks", "Porto", "Madrid"]
    assert await titles(client, **window, entity="owls", phase="PRE_LIVE") == ["Porto", "Madrid"]
    near = {"near": "38.7223,-9.1393", "radius_km": 1000}
    assert await titles(client, **window, **near) == ["Porto", "Madrid"]
    half_open = {"from": "2030-06-02T21:00:00Z", "to": "2030-06-03T21:00:00Z"}  # [from, to)
    assert await titles(client, **half_open) == ["Porto"]
    assert await titles(client, **{"from": "2030-06-02T22:00:00+01:00"}) == [
        "Porto",
        "Madrid",
        "Online",
    ]
    assert_problem(await client.get("/events", params={"entity": "no-such"}), 404)
    assert_problem(await client.get("/events", params={"entity": str(uuid.uuid4())}), 404)


async def walk(client: AsyncTestClient, limit: int, **params: Any) -> tuple[list[str], int]:
    seen: list[str] = []
    cursor: str | None = None
    pages = 0
    while pages < 20:
        query = {**params, "limit": limit, **({"cursor": cursor} if cursor else {})}
        page = await search(client, **query)
        pages += 1
        assert len(page["items"]) <= limit
        seen += [e["title"] for e in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    return seen, pages


async def test_search_pages_walk_every_event_once(client: AsyncTestClient) -> None:
    owner, _ = await iberian_tour(client)
    # Three events at the same instant: the id breaks the tie.
    for n in range(3):
        await create_event(
            client, owner, "owls", title=f"Twin {n}", starts_at="2030-06-02T21:00:00Z"
        )
    seen, pages = await walk(client, 3)
    assert pages == 3
    assert sorted(seen) == sorted(
        ["Lisbon", "Porto", "Madrid", "Online", "Twin 0", "Twin 1", "Twin 2"]
    )
    assert seen[0] == "Lisbon"
    assert seen[-1] == "Online"

    near = {"near": "38.7223,-9.1393", "radius_km": 600}
    seen, pages = await walk(client, 1, **near)
    assert (seen, pages) == (["Lisbon", "Porto", "Madrid"], 3)


async def test_search_rejects_bad_parameters(client: AsyncTestClient) -> None:
    await iberian_tour(client)
    by_start = (await search(client, limit=1))["next_cursor"]
    by_distance = (await search(client, limit=1, near="0,0", radius_km=20000))["next_cursor"]
    assert by_start
    assert by_distance
    lisbon = "38.7223,-9.1393"
    for params, field in (
        ({"near": "abc", "radius_km": 10}, "near"),
        ({"near": "38.7", "radius_km": 10}, "near"),
        ({"near": "1,2,3", "radius_km": 10}, "near"),
        ({"near": "91,0", "radius_km": 10}, "near"),
        ({"near": "0,181", "radius_km": 10}, "near"),
        ({"near": "nan,0", "radius_km": 10}, "near"),
        ({"near": "0,inf", "radius_km": 10}, "near"),
        ({"near": lisbon}, "radius_km"),
        ({"radius_km": 10}, "radius_km"),
        ({"near": lisbon, "radius_km": 0}, "radius_km"),
        ({"near": lisbon, "radius_km": -5}, "radius_km"),
        ({"near": lisbon, "radius_km": 20001}, "radius_km"),
        ({"near": lisbon, "radius_km": "far"}, "radius_km"),
        ({"phase": "DONE"}, "phase"),
        ({"from": "2030-06-01T00:00:00"}, "from"),
        ({"to": "2030-06-01T00:00:00"}, "to"),
        ({"from": "yesterday"}, "from"),
        ({"from": "2030-06-02T00:00:00Z", "to": "2030-06-01T00:00:00Z"}, "to"),
        ({"cursor": "not-a-cursor"}, "cursor"),
        ({"cursor": "bm9wZQ"}, "cursor"),
        ({"cursor": by_distance}, "cursor"),  # a distance cursor on a list by start
        ({"cursor": by_start, "near": lisbon, "radius_km": 10}, "cursor"),
        ({"limit": 0}, "limit"),
        ({"limit": 101}, "limit"),
        ({"entity": "e" * 65}, "entity"),
    ):
        problem = assert_problem(await client.get("/events", params=params), 400)
        assert field in {e["field"] for e in problem.get("errors", [])}, (params, problem)


async def test_search_with_a_garbage_token_is_401(client: AsyncTestClient) -> None:
    assert_problem(await client.get("/events", headers=GARBAGE), 401)


async def test_venue_names_are_trimmed_like_other_text(client: AsyncTestClient) -> None:
    owner = await register(client, "owner")
    await create_entity(client, owner, "owls")
    event = await create_event(client, owner, "owls", venue={**LISBON, "name": "  Coliseu  "})
    assert event["venue"]["name"] == "Coliseu"
