"""Sample data for `showgeo demo`: people, entities with teams, follows, shows with tickets
and published products.

Goes through the same use cases as the API, so the demo data obeys every rule real data does.
Running it twice changes nothing: people and entities that exist are reused.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import timedelta

from showgeo_api.wiring.container import Container
from showgeo_domain.entities.errors import SlugTaken
from showgeo_domain.entities.model import EntityKind, MemberRole
from showgeo_domain.events.model import Venue
from showgeo_domain.events.ports import EventQuery
from showgeo_domain.events.services import EventDetails, TicketTypeDetails
from showgeo_domain.identity.errors import EmailTaken
from showgeo_domain.identity.model import Actor
from showgeo_domain.shared.money import Money
from showgeo_domain.shared.pagination import PageRequest
from showgeo_domain.store.model import ProductKind, Visibility
from showgeo_domain.store.services import ProductDetails

DEMO_PASSWORD = "showgeo-demo"  # noqa: S105 - printed for the person trying the demo

PEOPLE = [
    ("ana", "Ana Alves"),
    ("ben", "Ben Brooks"),
    ("cleo", "Cleo Chen"),
    ("dev", "Dev Desai"),
    ("eli", "Eli Evans"),
    ("fay", "Fay Fischer"),
    ("gus", "Gus Gomes"),
    ("hana", "Hana Hoshino"),
]

ENTITIES = [
    # slug, name, kind, owner, collaborators, followers
    ("night-owls", "The Night Owls", EntityKind.CREATOR, "ana", ["ben"], ["cleo", "dev", "eli"]),
    ("harbour-hall", "Harbour Hall", EntityKind.ORGANIZATION, "ben", ["cleo"], ["ana", "eli"]),
    ("cleo-live", "Cleo Live", EntityKind.CREATOR, "cleo", [], ["ana", "ben", "dev"]),
    # Followed by the people who follow Cleo Live (ben, dev) and the Night Owls (dev, eli),
    # so recommendations have something to find: Porto Jazz for ana, who follows Cleo Live.
    ("porto-jazz", "Porto Jazz Club", EntityKind.ORGANIZATION, "gus", [], ["ben", "dev", "eli"]),
    (
        "midnight-radio",
        "Midnight Radio",
        EntityKind.CREATOR,
        "hana",
        [],
        ["cleo", "dev", "eli", "fay"],
    ),
]


# entity, title, days ahead, venue, ticket types (name, price in cents, quota)
SHOWS = [
    (
        "night-owls",
        "Night Owls at Harbour Hall",
        30,
        Venue(name="Harbour Hall", lat=38.7223, lon=-9.1393, country="PT"),
        [("Standing", 2500, 200), ("Balcony", 4000, 50)],
    ),
    (
        "cleo-live",
        "Cleo Live in Porto",
        45,
        Venue(name="Casa da Musica", lat=41.1588, lon=-8.6308, country="PT"),
        [("General", 1800, 300)],
    ),
]

# entity, title, kind, price in cents, stock, visibility
PRODUCTS = [
    ("night-owls", "Tour shirt", ProductKind.PHYSICAL, 3000, 100, Visibility.PUBLIC),
    ("cleo-live", "Live album (FLAC)", ProductKind.DIGITAL, 1200, None, Visibility.FOLLOWERS),
]


@dataclass(frozen=True)
class DemoSummary:
    people: list[str]
    entities: list[str]
    password: str = DEMO_PASSWORD


async def seed_demo(container: Container) -> DemoSummary:
    auth = container.authentication()
    entities = container.entities()
    follows = container.follows()
    actors: dict[str, Actor] = {}
    for username, display_name in PEOPLE:
        email = f"{username}@demo.showgeo.dev"
        try:
            session = await auth.register(
                email=email, username=username, password=DEMO_PASSWORD, display_name=display_name
            )
        except EmailTaken:
            session = await auth.login(email=email, password=DEMO_PASSWORD)
        actors[username] = session.user.as_actor()

    for slug, name, kind, owner, collaborators, followers in ENTITIES:
        with contextlib.suppress(SlugTaken):
            await entities.create(actors[owner], name=name, slug=slug, kind=kind)
        for collaborator in collaborators:
            await entities.add_member(
                actors[owner], slug, username=collaborator, role=MemberRole.COLLABORATOR
            )
        for follower in followers:
            await follows.follow(actors[follower], slug)

    owners = {slug: actors[owner] for slug, _, _, owner, _, _ in ENTITIES}
    await _seed_shows(container, owners)
    await _seed_products(container, owners)
    return DemoSummary(people=[u for u, _ in PEOPLE], entities=[e[0] for e in ENTITIES])


async def _seed_shows(container: Container, owners: dict[str, Actor]) -> None:
    events = container.events()
    now = container.clock().now().replace(minute=0, second=0, microsecond=0)
    for slug, title, days, venue, tickets in SHOWS:
        entity = await container.entities().get(slug)
        if (await events.search(EventQuery(entity_id=entity.id, limit=1))).items:
            continue  # seeded before
        event = await events.create(
            owners[slug],
            slug,
            EventDetails(title=title, starts_at=now + timedelta(days=days), venue=venue),
        )
        for name, cents, quota in tickets:
            await events.add_ticket_type(
                owners[slug],
                event.id,
                TicketTypeDetails(name=name, price=Money(cents, "EUR"), quota=quota),
            )


async def _seed_products(container: Container, owners: dict[str, Actor]) -> None:
    store = container.store()
    for slug, title, kind, cents, stock, visibility in PRODUCTS:
        if (await store.list_for_entity(slug, owners[slug], PageRequest(limit=1))).items:
            continue  # seeded before
        product = await store.create(
            owners[slug],
            slug,
            ProductDetails(
                title=title,
                kind=kind,
                price=Money(cents, "EUR"),
                visibility=visibility,
                stock=stock,
            ),
        )
        await store.publish(owners[slug], product.id)
